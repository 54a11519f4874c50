//! Interface text in English and Chinese.
//!
//! Modelled on trippy's `locales.toml` + `t!`: one table of `(key, en, zh)`,
//! looked up by a stable dotted key, falling back to English. The table is a
//! sorted static slice searched by bisection, so a lookup costs a few string
//! comparisons and nothing is allocated or parsed at start-up; a test keeps it
//! sorted, duplicate-free and complete.
//!
//! Chinese keeps Kafka's own English names (acks, linger.ms, ISR, HW,
//! batch.size, leader, offset…): they are what learners meet in logs, docs and
//! configuration files, so translating them would hide the link.
//!
//! Keys that follow a sim name: `verdict.{Verdict::name()}`,
//! `reason.{SendReason::name()}` (and `.help`), `knob.{setting name}`,
//! `commit_mode.{commit.mode with '-' as '_'}`.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// From the POSIX locale variables, in their order of precedence: the first
    /// non-empty of `LC_ALL`, `LC_MESSAGES`, `LANG`. Chinese if it starts with
    /// `zh`, English otherwise (including `C` and `POSIX`).
    pub fn from_env() -> Lang {
        let var = |name: &str| std::env::var(name).ok();
        Lang::from_locale(
            var("LC_ALL").as_deref(),
            var("LC_MESSAGES").as_deref(),
            var("LANG").as_deref(),
        )
    }

    /// [`Lang::from_env`] with the variables passed in, so tests need not
    /// change the process environment.
    pub fn from_locale(
        lc_all: Option<&str>,
        lc_messages: Option<&str>,
        lang: Option<&str>,
    ) -> Lang {
        let chosen = [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty())
            .unwrap_or("");
        if chosen.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// A language as a user types it: `en`, `zh`, or a locale such as
    /// `zh-CN`, `zh_CN.UTF-8`, `en_US` (any case).
    pub fn parse(s: &str) -> Result<Lang, String> {
        let t = s.trim();
        let base = t
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match base.as_str() {
            "en" | "english" => Ok(Lang::En),
            "zh" | "chinese" | "中文" => Ok(Lang::Zh),
            _ => Err(format!(
                "unknown language '{s}': accepted are en, zh (also locales such as en-US, zh-CN, zh_CN.UTF-8)"
            )),
        }
    }

    /// The other language (the `l` key).
    #[must_use]
    pub fn toggle(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }

    /// "en" or "zh".
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        Lang::parse(s)
    }
}

/// The text for `key` in `lang`; English when the Chinese is missing, and the
/// key itself when the key is unknown (visible on screen, never a panic, in
/// debug builds too: a typo should not crash a classroom demo).
///
/// The result lives as long as the key, so literal keys give `&'static str`
/// while keys built at run time (`format!("verdict.{name}")`) also work.
pub fn tr(lang: Lang, key: &str) -> &str {
    match lookup(key) {
        Some((_, en, zh)) => match lang {
            Lang::Zh if !zh.is_empty() => zh,
            _ => en,
        },
        None => key,
    }
}

/// Whether the table has `key` (for tests in other modules).
pub fn has(key: &str) -> bool {
    lookup(key).is_some()
}

/// Every key, in order.
pub fn keys() -> impl Iterator<Item = &'static str> {
    TEXTS.iter().map(|&(k, _, _)| k)
}

fn lookup(key: &str) -> Option<(&'static str, &'static str, &'static str)> {
    TEXTS
        .binary_search_by(|&(k, _, _)| k.cmp(key))
        .ok()
        .map(|i| TEXTS[i])
}

/// [`tr`], then each `{name}` replaced by its value from `args`. Placeholders
/// without a value stay as written; substituted values are not scanned again,
/// so a value containing `{x}` is shown as is.
pub fn trf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let template = tr(lang, key);
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter()
                .find(|&&(n, _)| n == name)
                .map(|&(_, v)| (v, close))
        });
        if let Some((v, close)) = value {
            out.push_str(v);
            rest = &after[close + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// `(key, English, Chinese)`, sorted by key (byte order).
#[rustfmt::skip]
static TEXTS: &[(&str, &str, &str)] = &[
    ("app.name", "kafka-flow", "kafka-flow"),
    ("app.tagline", "how Kafka's producer and consumer move messages", "看 Kafka 的生产者和消费者如何搬运消息"),
    ("commit_mode.async", "commitAsync after processing", "处理后 commitAsync"),
    ("commit_mode.async_before", "commitAsync before processing", "处理前 commitAsync"),
    ("commit_mode.auto", "auto commit (enable.auto.commit)", "自动提交（enable.auto.commit）"),
    ("commit_mode.none", "no commits", "不提交"),
    ("commit_mode.sync", "commitSync after processing", "处理后 commitSync"),
    ("commit_mode.sync_before", "commitSync before processing", "处理前 commitSync"),
    ("fault.close_producer", "force-close the producer (close(0))", "强制关闭生产者（close(0)）"),
    ("fault.crash_consumer", "crash the consumer", "让消费者崩溃"),
    ("fault.crash_producer", "crash the producer (the application dies)", "让生产者崩溃（应用进程退出）"),
    ("fault.drop_acks", "drop the next {n} produce responses", "丢弃接下来的 {n} 个 Produce 响应"),
    ("fault.heal_broker", "reconnect broker {b}", "恢复 Broker {b} 的网络"),
    ("fault.isolate_broker", "isolate broker {b} from the network", "把 Broker {b} 与网络隔离"),
    ("fault.kill_broker", "kill broker {b}", "杀掉 Broker {b}"),
    ("fault.kill_leader", "kill the leader of partition {p}", "杀掉分区 {p} 的 leader"),
    ("fault.reject_produce", "refuse the next {n} batches (NOT_ENOUGH_REPLICAS)", "拒绝接下来的 {n} 个批次（NOT_ENOUGH_REPLICAS）"),
    ("fault.restart_broker", "restart broker {b}", "重启 Broker {b}"),
    ("fault.restart_consumer", "restart the consumer", "重启消费者"),
    ("fault.slow_follower", "slow broker {b}'s replication by {ms} ms", "让 Broker {b} 的副本同步慢 {ms} ms"),
    ("fault.slow_link", "add {ms} ms latency to broker {b}", "给 Broker {b} 增加 {ms} ms 延迟"),
    ("fault.title", "Faults", "故障"),
    ("header.lesson", "lesson", "课程"),
    ("header.paused", "PAUSED", "已暂停"),
    ("header.running", "running", "运行中"),
    ("header.scenario", "scenario", "场景"),
    ("header.seed", "seed", "种子"),
    ("header.settled", "settled: nothing left to happen", "已结束：没有待发生的事件"),
    ("header.slowed", "slowed: the simulation cannot keep up", "已自动降速：模拟跟不上"),
    ("header.speed", "speed", "速度"),
    ("header.step", "step", "步骤"),
    ("header.time", "time", "时间"),
    ("help.close", "? or Esc closes", "按 ? 或 Esc 关闭"),
    ("help.colour_note", "Colours only repeat what symbols and words already say.", "颜色只是辅助，含义都写在符号和文字里。"),
    ("help.intro", "A simulated Kafka cluster running on virtual time: no real broker is touched. Pause, step, change knobs, break things, and follow every record.", "这是一个按虚拟时间运行的模拟 Kafka 集群，不会连接真实的 Broker。你可以暂停、单步、调整参数、制造故障，跟踪每一条消息。"),
    ("help.keys", "Keys", "按键"),
    ("help.symbols", "Symbols:", "符号："),
    ("help.title", "Help", "帮助"),
    ("key.cancel", "cancel", "取消"),
    ("key.change_knob", "change it", "调整取值"),
    ("key.confirm", "confirm", "确认"),
    ("key.consumer", "crash / restart consumer", "消费者崩溃 / 重启"),
    ("key.drop_acks", "drop the next acks", "丢弃接下来的 ack"),
    ("key.edit_knob", "type a value (Esc cancels)", "输入数值（Esc 取消）"),
    ("key.faults", "fault menu", "故障菜单"),
    ("key.focus", "focus a panel", "聚焦面板"),
    ("key.glyphs", "ASCII glyphs", "ASCII 字符"),
    ("key.help", "help", "帮助"),
    ("key.hint", "hint", "提示"),
    ("key.kill_leader", "kill partition 0's leader", "杀掉分区 0 的 leader"),
    ("key.lang", "English / 中文", "English / 中文"),
    ("key.menu_move", "move", "移动"),
    ("key.next_step", "next step", "下一步"),
    ("key.pause", "pause / resume", "暂停 / 继续"),
    ("key.pick_knob", "pick a knob", "选择参数"),
    ("key.prev_step", "previous step", "上一步"),
    ("key.quit", "quit", "退出"),
    ("key.reset", "restart the run (same seed)", "从头重跑（同一 seed）"),
    ("key.speed", "faster / slower", "加速 / 减速"),
    ("key.step", "step one event", "单步（一个事件）"),
    ("key.theme", "colours", "配色"),
    ("key.zoom", "zoom the panel", "放大面板"),
    ("knob.acks", "Replicas that must have a batch before the leader answers: 0 none, 1 the leader, all the ISR", "leader 回复前必须有几个副本写入批次：0 不等待，1 只等 leader，all 等全部 ISR"),
    ("knob.auto.commit.interval.ms", "How often poll() auto-commits; a crash re-processes up to this much", "poll() 自动提交的间隔；崩溃时最多重复处理这么长时间内的消息"),
    ("knob.auto.offset.reset", "Where to start without a committed offset: earliest, latest (skips older records) or none", "没有已提交 offset 时从哪里开始：earliest、latest（跳过更早的消息）或 none"),
    ("knob.batch.size", "Bytes per partition batch; a full batch is sent at once (0 behaves as 1: no batching)", "每个分区一个批次的字节数；批次写满立即发送（0 等同于 1：不攒批）"),
    ("knob.brokers", "Number of brokers in the cluster", "集群中 Broker 的数量"),
    ("knob.buffer.memory", "Memory for unsent batches; when full, send() blocks up to max.block.ms", "存放未发送批次的内存；用满后 send() 最多阻塞 max.block.ms"),
    ("knob.commit.mode", "auto (enable.auto.commit), sync/async after processing, sync-before/async-before, or none", "auto（enable.auto.commit）、处理后 sync/async、处理前 sync-before/async-before，或 none"),
    ("knob.consumer.process.ms", "Time the application spends processing one record", "应用处理一条消息所花的时间"),
    ("knob.consumers", "Consumers in the group (0 = none); partitions are shared by the RangeAssignor", "消费者组里的消费者数（0 表示没有）；分区由 RangeAssignor 分配"),
    ("knob.delivery.timeout.ms", "Deadline from send() to success or failure, retries included (>= linger.ms + request.timeout.ms)", "从 send() 到成功或失败的总期限，含重试（>= linger.ms + request.timeout.ms）"),
    ("knob.enable.auto.commit", "Commit positions asynchronously inside poll() every auto.commit.interval.ms (= commit.mode auto)", "在 poll() 内每隔 auto.commit.interval.ms 异步提交消费位置（等同于 commit.mode auto）"),
    ("knob.enable.idempotence", "Producer id + sequence numbers so the broker drops retried duplicates (needs acks=all)", "用 producer id 和序列号，让 Broker 丢弃重试造成的重复（需要 acks=all）"),
    ("knob.linger.ms", "How long a batch waits for more records before it may be sent (0 up to 3.9, 5 from 4.0)", "批次最多等多久来凑更多消息再发送（3.9 及以前默认 0，4.0 起默认 5）"),
    ("knob.max.block.ms", "How long send() may block waiting for metadata or buffer memory before it throws", "send() 等待元数据或缓冲内存时最多阻塞多久，超时则抛出异常"),
    ("knob.max.in.flight.requests.per.connection", "Unanswered requests per broker connection; above 1 without idempotence, retries can reorder", "每个 Broker 连接上尚未收到响应的请求数；不开幂等时大于 1，重试可能造成乱序"),
    ("knob.max.poll.interval.ms", "Longest time between two poll() calls; past it the consumer leaves the group (also the rebalance timeout)", "两次 poll() 之间允许的最长时间；超过后消费者离开消费者组（也是再平衡超时）"),
    ("knob.max.poll.records", "Most records one poll() returns (fetching is not limited by it)", "一次 poll() 最多返回多少条消息（不限制拉取量）"),
    ("knob.min.insync.replicas", "With acks=all, the leader refuses writes while fewer replicas than this are in sync", "acks=all 时，同步副本少于这个数，leader 就拒绝写入"),
    ("knob.network.latency.ms", "One-way delay between any two hosts", "任意两台主机之间的单向延迟"),
    ("knob.partitions", "Partitions of the topic", "主题的分区数"),
    ("knob.replica.lag.time.max.ms", "A follower not caught up for this long is removed from the ISR", "follower 持续这么久没有追上，就被移出 ISR"),
    ("knob.replication.factor", "Copies of each partition, one per broker (at most the number of brokers)", "每个分区的副本数，每个 Broker 一份（不能超过 Broker 数）"),
    ("knob.request.timeout.ms", "How long to wait for a broker's answer before the connection is closed and the batch retried", "等待 Broker 响应的时长，超时后关闭连接并重试该批次"),
    ("knob.retries", "How many times a failed batch is resent (delivery.timeout.ms usually ends retrying first)", "失败的批次最多重发几次（通常 delivery.timeout.ms 会先结束重试）"),
    ("knob.retry.backoff.ms", "Pause before the first retry; doubles per attempt up to retry.backoff.max.ms (±20% jitter)", "第一次重试前的等待；每次翻倍，最多到 retry.backoff.max.ms（±20% 抖动）"),
    ("knob.session.timeout.ms", "The coordinator removes a consumer it has not heard a heartbeat from for this long", "这么久收不到某个消费者的心跳，协调者就把它移出组"),
    ("knob.unclean.leader.election.enable", "Let an out-of-sync replica become leader when no in-sync one is alive (loses data)", "没有存活的同步副本时，允许不同步的副本当 leader（会丢数据）"),
    ("knobs.changed_at", "changed at {t}", "于 {t} 修改"),
    ("knobs.default", "default", "默认值"),
    ("knobs.edit_prompt", "new value for {name}:", "{name} 的新值："),
    ("knobs.locked", "locked in this lesson", "本课不可调整"),
    ("knobs.rate_refused", "refused: rate = {value}: type records per second, from 0 (no limit) to {max}", "已拒绝：rate = {value}：请输入每秒记录数，0（不限速）到 {max}"),
    ("knobs.restart_note", "takes effect after a producer restart", "重启生产者后生效"),
    ("label.acked", "acked", "已确认"),
    ("label.attempt", "attempt {n}", "第 {n} 次尝试"),
    ("label.batch", "batch", "批次"),
    ("label.blocked", "blocked", "阻塞中"),
    ("label.broker", "broker", "Broker"),
    ("label.commit_mode", "commit mode", "提交方式"),
    ("label.committed", "committed", "已提交"),
    ("label.consumer", "consumer {n}", "消费者 {n}"),
    ("label.down", "down", "宕机"),
    ("label.failed", "failed", "失败"),
    ("label.follower", "follower", "follower"),
    ("label.generation", "generation {n}", "第 {n} 代"),
    ("label.hw", "HW", "HW"),
    ("label.in_flight", "in flight", "在途"),
    ("label.isolated", "isolated", "已隔离"),
    ("label.isr", "ISR", "ISR"),
    ("label.lag", "lag", "滞后"),
    ("label.latency", "latency", "延迟"),
    ("label.leader", "leader", "leader"),
    ("label.leo", "LEO", "LEO"),
    ("label.linger_left", "linger {left}", "linger 剩 {left}"),
    ("label.log", "log", "日志"),
    ("label.no_leader", "no leader", "没有 leader"),
    ("label.none", "none", "无"),
    ("label.offset", "offset", "offset"),
    ("label.partition", "partition", "分区"),
    ("label.polled", "polled", "已拉取"),
    ("label.position", "position", "消费位置"),
    ("label.processed", "processed", "已处理"),
    ("label.processing", "processing", "处理中"),
    ("label.rate", "rate", "速率"),
    ("label.records", "records", "消息数"),
    ("label.replicas", "replicas", "副本"),
    ("label.request", "request", "请求"),
    ("label.retrying", "retrying", "重试中"),
    ("label.sent", "sent", "已发送"),
    ("label.unsent", "unsent", "未发送"),
    ("label.up", "up", "在线"),
    ("label.waiting", "waiting", "等待中"),
    ("lang.name", "English", "中文"),
    ("ledger.causes", "latest causes", "最近的原因"),
    ("ledger.clean", "no anomaly so far", "目前没有异常"),
    ("ledger.duplicated", "duplicated", "重复"),
    ("ledger.lost", "lost", "丢失"),
    ("ledger.reordered", "reordered", "乱序"),
    ("legend.ack", "ack (response)", "ack（响应）"),
    ("legend.batch", "batch", "批次"),
    ("legend.check", "done / in sync", "完成 / 同步"),
    ("legend.cross", "down / failed", "宕机 / 失败"),
    ("legend.hw", "high watermark (HW)", "高水位（HW）"),
    ("legend.leader", "leader", "leader"),
    ("legend.record", "record", "消息"),
    ("legend.request", "produce request", "Produce 请求"),
    ("metrics.batch_fill", "batch fill", "批次填充率"),
    ("metrics.latency", "ack latency", "确认延迟"),
    ("metrics.records_per_batch", "records / batch", "每批消息数"),
    ("metrics.requests_per_s", "requests/s", "请求/秒"),
    ("metrics.throughput", "throughput", "吞吐量"),
    ("panel.accumulator", "RecordAccumulator", "RecordAccumulator"),
    ("panel.brokers", "Brokers", "Broker 集群"),
    ("panel.consumer", "Consumer", "消费者"),
    ("panel.knobs", "Knobs", "参数"),
    ("panel.ledger", "Ledger", "账本"),
    ("panel.log", "Events", "事件"),
    ("panel.metrics", "Metrics", "指标"),
    ("panel.producer", "Producer main thread", "生产者 main 线程"),
    ("panel.sender", "Sender thread", "Sender 线程"),
    ("progress.backed_up", "{file} had unreadable entries: kept the readable ones, the original is now {backup}", "{file} 中有无法读取的条目：已保留能读取的部分，原文件已改名为 {backup}"),
    ("progress.cannot_back_up", "{path} has unreadable entries and could not be set aside ({error}), so it was left as it is", "{path} 中有无法读取的条目，又无法另存（{error}），所以保持原样"),
    ("progress.cannot_write", "cannot write {path}: {error}", "无法写入 {path}：{error}"),
    ("progress.not_saved", "progress not saved: {reason}", "学习进度未保存：{reason}"),
    ("progress.read_only", "{path} is read-only", "{path} 是只读的"),
    ("reason.close", "close()", "close()"),
    ("reason.close.help", "close() drains the accumulator", "close() 正在清空累加器"),
    ("reason.flush", "flush()", "flush()"),
    ("reason.flush.help", "flush() sends every batch now", "flush() 让所有批次立即发送"),
    ("reason.full", "full", "已满"),
    ("reason.full.help", "the batch reached batch.size", "批次达到了 batch.size"),
    ("reason.linger", "linger.ms up", "linger.ms 到时"),
    ("reason.linger.help", "linger.ms passed since the batch was created", "批次创建后已等满 linger.ms"),
    ("reason.memory_pressure", "memory pressure", "内存紧张"),
    ("reason.memory_pressure.help", "send() waits for buffer.memory, so every batch may go", "send() 正在等待 buffer.memory，因此所有批次都可以立即发送"),
    ("reason.piggyback", "piggyback", "搭便车"),
    ("reason.piggyback.help", "not ready itself: rode along to a broker that was ready", "自身未就绪，顺路搭上发往同一 Broker 的请求"),
    ("reason.retry", "retry", "重试"),
    ("reason.retry.help", "a failed batch's backoff is over", "失败批次的退避时间到了"),
    ("stage.accumulator", "accumulator", "累加器"),
    ("stage.blocked", "blocked on buffer.memory", "等待 buffer.memory"),
    ("stage.interceptor", "interceptor", "拦截器"),
    ("stage.metadata", "waiting for metadata", "等待元数据"),
    ("stage.partitioner", "partitioner", "分区器"),
    ("stage.send", "send()", "send()"),
    ("stage.serializer", "serializer", "序列化器"),
    ("status.fault", "fault at {t}: {fault}", "{t} 注入故障：{fault}"),
    ("status.glyphs_ascii", "switched to ASCII glyphs", "已切换到 ASCII 字符"),
    ("status.glyphs_unicode", "switched to Unicode glyphs", "已切换到 Unicode 字符"),
    ("status.invalid", "{name} = {value} is not accepted: {reason}", "{name} = {value} 不被接受：{reason}"),
    ("status.lang", "language: {lang}", "语言：{lang}"),
    ("status.nothing_to_step", "nothing left to happen", "没有待发生的事件了"),
    ("status.paused", "paused at {t}", "已在 {t} 暂停"),
    ("status.refused", "refused: {reason}", "已拒绝：{reason}"),
    ("status.reset", "restarted from the beginning, seed {seed}", "已从头重跑，seed {seed}"),
    ("status.restart_producer", "restarting the producer: Kafka reads {name} only at start-up", "正在重启生产者：Kafka 只在启动时读取 {name}"),
    ("status.resumed", "running", "继续运行"),
    ("status.setting_changed", "{name} set to {value} at {t}", "{t}：{name} 已改为 {value}"),
    ("status.slowed", "the simulation fell behind: speed lowered to {speed}", "模拟跟不上：速度已降到 {speed}"),
    ("status.speed", "speed {speed}", "速度 {speed}"),
    ("status.stepped", "stepped to {t}", "已单步到 {t}"),
    ("status.theme", "theme: {name}", "配色：{name}"),
    ("status.zoom", "zoomed: {panel} (z returns)", "已放大：{panel}（按 z 返回）"),
    ("theme.dark", "dark", "深色"),
    ("theme.high_contrast", "high contrast", "高对比度"),
    ("theme.light", "light", "浅色"),
    ("theme.no_color", "no colour (NO_COLOR)", "无颜色（NO_COLOR）"),
    ("too_small.need", "Please enlarge the terminal to at least {w} x {h}.", "请把终端放大到至少 {w} x {h}。"),
    ("too_small.now", "Now: {w} x {h}", "当前：{w} x {h}"),
    ("too_small.quit", "q quits", "按 q 退出"),
    ("too_small.title", "Terminal too small", "终端窗口太小"),
    ("verdict.delivered", "delivered", "已送达"),
    ("verdict.duplicated_log", "duplicated in log", "重复（日志中）"),
    ("verdict.duplicated_processing", "duplicated in processing", "重复（处理时）"),
    ("verdict.failed_not_written", "failed, not written", "发送失败（未写入）"),
    ("verdict.failed_written", "failed, yet written", "发送失败（但已写入）"),
    ("verdict.in_progress", "in progress", "进行中"),
    ("verdict.lost_broker", "lost in broker", "丢失（Broker 端）"),
    ("verdict.lost_consumer", "lost by consumer", "丢失（消费者端）"),
    ("verdict.reordered", "reordered", "乱序"),
    ("verdict.unsent", "unsent", "未发出"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::find_setting;
    use crate::sim::ledger::Verdict;
    use crate::sim::trace::SendReason;
    use std::collections::BTreeSet;

    #[test]
    fn table_is_sorted_unique_and_complete() {
        for pair in TEXTS.windows(2) {
            assert!(
                pair[0].0 < pair[1].0,
                "not sorted or duplicated: {} / {}",
                pair[0].0,
                pair[1].0
            );
        }
        for &(k, en, zh) in TEXTS {
            assert!(!en.trim().is_empty(), "{k}: English missing");
            assert!(!zh.trim().is_empty(), "{k}: Chinese missing");
            assert!(
                !k.is_empty()
                    && k.contains('.')
                    && k.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c)),
                "{k}: keys are dotted lower-case names"
            );
        }
    }

    fn placeholders(s: &str) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        let mut rest = s;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    out.insert(&after[..close]);
                    rest = &after[close + 1..];
                }
                None => break,
            }
        }
        out
    }

    #[test]
    fn both_languages_use_the_same_placeholders() {
        for &(k, en, zh) in TEXTS {
            assert_eq!(placeholders(en), placeholders(zh), "{k}");
        }
    }

    /// A Chinese character (CJK Unified Ideographs), not full-width punctuation.
    fn is_cjk(c: char) -> bool {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
    }

    #[test]
    fn chinese_uses_chinese_punctuation() {
        // "，" not ",", "（）" not "()" next to Chinese characters; ASCII
        // punctuation inside code such as close(0) or acks=all is fine.
        for &(k, _, zh) in TEXTS {
            let chars: Vec<char> = zh.chars().collect();
            for (i, &c) in chars.iter().enumerate() {
                if !",;:!?()".contains(c) {
                    continue;
                }
                let before = i.checked_sub(1).map(|j| chars[j]);
                let after = chars.get(i + 1).copied();
                assert!(
                    !before.is_some_and(is_cjk) && !after.is_some_and(is_cjk),
                    "{k}: ASCII {c:?} next to Chinese in {zh:?}"
                );
            }
        }
    }

    #[test]
    fn knob_texts_match_the_settings() {
        for &(k, en, _) in TEXTS {
            if let Some(name) = k.strip_prefix("knob.") {
                let info = find_setting(name).unwrap_or_else(|| panic!("{k}: no such setting"));
                assert_eq!(en, info.doc, "{k}: keep the English equal to settings.rs");
            }
        }
    }

    #[test]
    fn every_sim_name_has_a_text() {
        for v in Verdict::ALL {
            assert!(has(&format!("verdict.{}", v.name())), "{v:?}");
        }
        for r in SendReason::ALL {
            assert!(has(&format!("reason.{}", r.name())), "{r:?}");
            assert!(has(&format!("reason.{}.help", r.name())), "{r:?}");
        }
        for mode in [
            "auto",
            "sync",
            "async",
            "sync-before",
            "async-before",
            "none",
        ] {
            assert!(
                has(&format!("commit_mode.{}", mode.replace('-', "_"))),
                "{mode}"
            );
        }
        for p in [
            "producer",
            "accumulator",
            "sender",
            "brokers",
            "consumer",
            "ledger",
            "knobs",
            "log",
            "metrics",
        ] {
            assert!(has(&format!("panel.{p}")), "{p}");
        }
    }

    #[test]
    fn lookup_and_fallback() {
        assert_eq!(tr(Lang::En, "panel.producer"), "Producer main thread");
        assert_eq!(tr(Lang::Zh, "panel.producer"), "生产者 main 线程");
        assert_eq!(tr(Lang::Zh, "panel.accumulator"), "RecordAccumulator");
        assert_eq!(tr(Lang::Zh, "stage.interceptor"), "拦截器");
        assert_eq!(tr(Lang::En, "no.such.key"), "no.such.key");
        assert_eq!(tr(Lang::Zh, ""), "");
        let dynamic = format!("verdict.{}", "lost_broker");
        assert_eq!(tr(Lang::En, &dynamic), "lost in broker");
        assert!(keys().count() == TEXTS.len() && has("app.name") && !has("app"));
    }

    #[test]
    fn trf_substitutes_named_values() {
        assert_eq!(
            trf(Lang::En, "status.refused", &[("reason", "acks=0")]),
            "refused: acks=0"
        );
        assert_eq!(
            trf(Lang::Zh, "status.refused", &[("reason", "acks=0")]),
            "已拒绝：acks=0"
        );
        assert_eq!(
            trf(
                Lang::En,
                "status.restart_producer",
                &[("name", "enable.idempotence")]
            ),
            "restarting the producer: Kafka reads enable.idempotence only at start-up"
        );
        assert_eq!(
            trf(
                Lang::Zh,
                "status.setting_changed",
                &[("name", "linger.ms"), ("value", "20"), ("t", "1.5 s")]
            ),
            "1.5 s：linger.ms 已改为 20"
        );
        // Missing values stay visible; values are not re-expanded; stray braces survive.
        assert_eq!(trf(Lang::En, "status.refused", &[]), "refused: {reason}");
        assert_eq!(
            trf(Lang::En, "status.refused", &[("reason", "{reason}")]),
            "refused: {reason}"
        );
        assert_eq!(trf(Lang::En, "x {a} {b", &[("a", "1")]), "x 1 {b");
        assert_eq!(trf(Lang::En, "{", &[]), "{");
        assert_eq!(trf(Lang::En, "}{}", &[("", "e")]), "}e");
    }

    #[test]
    fn lang_from_locale_variables() {
        assert_eq!(Lang::from_locale(None, None, Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(Lang::from_locale(None, None, Some("en_US.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(None, None, None), Lang::En);
        assert_eq!(Lang::from_locale(Some("C"), None, Some("zh_CN")), Lang::En);
        assert_eq!(
            Lang::from_locale(Some(""), Some("zh_TW"), Some("en_US")),
            Lang::Zh
        );
        assert_eq!(
            Lang::from_locale(None, Some("en_GB"), Some("zh_CN")),
            Lang::En
        );
        assert_eq!(Lang::from_locale(Some("ZH_cn"), None, None), Lang::Zh);
    }

    #[test]
    fn lang_parse_accepts_codes_and_locales() {
        for s in ["en", "EN", "en-US", "en_GB.UTF-8", "english", " en "] {
            assert_eq!(Lang::parse(s), Ok(Lang::En), "{s}");
        }
        for s in [
            "zh",
            "zh-CN",
            "zh_CN",
            "zh_CN.UTF-8",
            "zh-Hans",
            "ZH",
            "中文",
        ] {
            assert_eq!(Lang::parse(s), Ok(Lang::Zh), "{s}");
        }
        let err = Lang::parse("fr").unwrap_err();
        assert!(err.contains("'fr'") && err.contains("en, zh"), "{err}");
        assert!(Lang::parse("").is_err());
        assert_eq!("zh-CN".parse::<Lang>(), Ok(Lang::Zh));
    }

    #[test]
    fn lang_toggle_and_code() {
        assert_eq!(Lang::En.toggle(), Lang::Zh);
        assert_eq!(Lang::Zh.toggle(), Lang::En);
        assert_eq!(Lang::En.code(), "en");
        assert_eq!(Lang::Zh.to_string(), "zh");
        for l in Lang::ALL {
            assert_eq!(Lang::parse(l.code()), Ok(l));
        }
    }
}
