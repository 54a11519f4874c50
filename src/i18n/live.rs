//! Words of the TUI with listeners for real clients (`kafka-flow --listen`, src/app/live.rs,
//! src/ui/live.rs).

/// `(key, English, Chinese)`, sorted by key (byte order).
#[rustfmt::skip]
pub(super) static TEXTS: &[(&str, &str, &str)] = &[
    ("live.batches", "latest batches", "最新批次"),
    ("live.committed", "committed", "已提交"),
    ("live.connections", "{n} connected", "{n} 个连接"),
    ("live.fetched", "fetched", "已拉取"),
    ("live.generation", "generation {generation} · {members} member(s)", "第 {generation} 代 · {members} 个成员"),
    ("live.group", "group {group}: {state}", "消费者组 {group}：{state}"),
    ("live.groups", "groups", "消费者组"),
    ("live.header", "live · real clients: {n} connected", "实时 · 真实客户端：{n} 个连接"),
    ("live.no_batches", "no batch yet: echo k:v | kcat -P -b {addr} -t first -K:", "还没有批次：echo k:v | kcat -P -b {addr} -t first -K:"),
    ("live.no_group", "no consumer group yet", "还没有消费者组"),
    ("live.owner.client", "→ {client}", "→ {client}"),
    ("live.owner.simulated", "→ c{c}", "→ c{c}"),
    ("live.producer", "pid {pid}: {records} rec · {batches} batches · {per}/batch", "pid {pid}：{records} 条 · {batches} 批 · 每批 {per} 条"),
    ("live.refused.ab", "live time: no A/B while real clients are connected (side B would replay them without their sockets)", "实时模式：有真实客户端时不能做 A/B（B 侧无法重放它们的连接）"),
    ("live.refused.home", "live time: lessons and scenarios need their own clock; quit and start them without --listen", "实时模式：课程和场景有自己的时钟；请退出后不带 --listen 打开"),
    ("live.refused.pause", "live time: the clock cannot stop — connected clients would hit request.timeout.ms and session.timeout.ms", "实时模式：时钟不能暂停——已连接的客户端会触发 request.timeout.ms 和 session.timeout.ms 超时"),
    ("live.refused.restart", "live time: no restart — real clients would see the log and offsets go back to 0", "实时模式：不能重新开始——真实客户端会看到日志和 offset 回到 0"),
    ("live.refused.rewind", "live time: no rewind — real clients cannot go back in time", "实时模式：不能回放——真实客户端无法回到过去"),
    ("live.refused.save", "live time: no save — a scenario file cannot replay the real clients' traffic", "实时模式：不能保存——场景文件无法重放真实客户端的流量"),
    ("live.refused.speed", "live time runs at 1× (the wall clock): real clients' timeouts count real seconds", "实时模式固定 1×（墙上时钟）：真实客户端的超时按真实秒计"),
    ("live.time", "live time: 1× the wall clock", "实时：1× 墙上时钟"),
    ("live.title", "real clients", "真实客户端"),
    ("live.verdicts", "acked {acked} · committed {committed} · lost {lost} · twice {twice}", "已确认 {acked} · 已提交 {committed} · 丢失 {lost} · 重复 {twice}"),
];
