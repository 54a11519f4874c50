//! Words of the A/B comparison (src/app/ab.rs, src/ui/ab.rs).

/// `(key, English, Chinese)`, sorted by key (byte order).
#[rustfmt::skip]
pub(super) static TEXTS: &[(&str, &str, &str)] = &[
    ("ab.b_keeps", "side B keeps its own {name}: only side A changed", "B 侧保持自己的 {name}：只有 A 侧改变"),
    ("ab.b_refused", "side B refused it: {reason}", "B 侧拒绝了：{reason}"),
    ("ab.closed", "A/B closed: side A alone again", "已关闭 A/B：只剩 A 侧"),
    ("ab.col.acked", "acked", "已确认"),
    ("ab.col.duplicated", "duplicated", "重复"),
    ("ab.col.failed", "failed", "失败"),
    ("ab.col.lost", "lost", "丢失"),
    ("ab.col.p50", "p50 ms", "p50 毫秒"),
    ("ab.col.p99", "p99 ms", "p99 毫秒"),
    ("ab.col.per_batch", "rec/batch", "条/批"),
    ("ab.col.processed", "processed", "已处理"),
    ("ab.col.reordered", "reordered", "乱序"),
    ("ab.col.requests", "requests", "请求数"),
    ("ab.delta", "B − A", "B − A"),
    ("ab.header", "A/B", "A/B"),
    ("ab.key", "A/B: compare settings", "A/B 对比配置"),
    ("ab.narrow", "B's flow view from 120 columns", "宽 120 列可见 B 的流程"),
    ("ab.not_in_lesson", "A/B works in the sandbox and in scenarios, not in a lesson", "A/B 对比只能在沙盒和场景中使用，课程中不行"),
    ("ab.opened", "A/B: side B is {b}, on the same seed, workload and commands · b changes it", "A/B：B 侧为 {b}，种子、负载和命令相同 · 按 b 修改"),
    ("ab.panel", "A/B · same seed, workload and commands", "A/B · 同一种子、负载和命令"),
    ("ab.prompt.close", "An empty line closes A/B.", "清空本行再回车即关闭 A/B。"),
    ("ab.prompt.example", "e.g.  acks=all   linger.ms=20   enable.idempotence=false", "例如  acks=all   linger.ms=20   enable.idempotence=false"),
    ("ab.prompt.shared", "Both sides share the seed, the workload and every command.", "两侧共享种子、负载和每一条命令。"),
    ("ab.prompt.title", "A/B: side B's settings", "A/B：B 侧的配置"),
    ("ab.prompt.what", "Side B is side A with these settings, by Kafka's names (name=value):", "B 侧 = A 侧加上这些配置，使用 Kafka 的名称（name=value）："),
    ("ab.refused", "side B: {reason}", "B 侧：{reason}"),
    ("ab.side_a", "A", "A"),
    ("ab.side_b", "B", "B"),
];
