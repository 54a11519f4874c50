//! Words of time travel: the timeline bar, rewinding, beats and saved sessions
//! (src/app/timeline.rs, src/app/scenario.rs, src/ui/timeline.rs).

/// `(key, English, Chinese)`, sorted by key (byte order).
#[rustfmt::skip]
pub(super) static TEXTS: &[(&str, &str, &str)] = &[
    ("time.at_marker", "▸ {what} at {t}", "▸ {t}：{what}"),
    ("time.back", "◀◀ back {d}, to {t} (paused: Space plays it again)", "◀◀ 后退 {d}，回到 {t}（已暂停：空格键重新播放）"),
    ("time.beat", "▶ the story pauses here ({n}/{of}): read the caption above, then Space goes on", "▶ 故事在此暂停（{n}/{of}）：读一读上方的说明，然后按空格键继续"),
    ("time.forward", "▶▶ forward {d}, to {t}", "▶▶ 前进 {d}，到 {t}"),
    ("time.key.markers", "previous / next marker", "上一个 / 下一个标记"),
    ("time.key.rewind", "rewind / forward", "倒带 / 快进"),
    ("time.key.save", "save the session", "保存会话"),
    ("time.keys", "[ ] rewind · < > markers · s save", "[ ] 倒带 · < > 标记 · s 保存"),
    ("time.marker.consumer_crash", "consumer crashed", "消费者崩溃"),
    ("time.marker.fault", "fault injected", "注入故障"),
    ("time.marker.first_duplicate", "first duplicate", "首次重复"),
    ("time.marker.first_loss", "first loss", "首次丢失"),
    ("time.marker.isr_expand", "ISR expanded", "ISR 扩大"),
    ("time.marker.isr_shrink", "ISR shrank", "ISR 收缩"),
    ("time.marker.leader_elected", "leader elected", "选出 leader"),
    ("time.marker.rebalance", "rebalance", "再平衡"),
    ("time.marker.setting", "setting changed", "修改配置"),
    ("time.new_future", "a new future from {t}: what was watched after it is discarded", "从 {t} 开始新的未来：之后看过的内容已丢弃"),
    ("time.no_marker_ahead", "no marker ahead (markers appear as things happen)", "前面没有标记（事件发生时才会出现标记）"),
    ("time.no_marker_before", "no marker before this moment", "此刻之前没有标记"),
    ("time.save_failed", "cannot save the session: {error}", "无法保存会话：{error}"),
    ("time.save_in_lesson", "saving works in the sandbox and in scenarios, not in a lesson", "只有沙盒和场景能保存会话，课程中不行"),
    ("time.saved", "saved to {path} · replay: kafka-flow --scenario {path}", "已保存到 {path} · 重放：kafka-flow --scenario {path}"),
    ("time.session_title", "Session saved at {t}", "{t} 时保存的会话"),
];
