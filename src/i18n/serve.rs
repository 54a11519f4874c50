//! Words of `kafka-flow serve`'s log (src/serve/log.rs).

/// `(key, English, Chinese)`, sorted by key (byte order).
#[rustfmt::skip]
pub(super) static TEXTS: &[(&str, &str, &str)] = &[
    ("serve.bad_request", "broker {b}: {why}; the connection is closed", "broker {b}：{why}；连接已关闭"),
    ("serve.committed", "group {group} committed {offsets}", "消费者组 {group} 提交了 {offsets}"),
    ("serve.connected", "broker {b}: {peer} connected", "broker {b}：{peer} 已连接"),
    ("serve.control_error", "control '{line}': {why} (faults as in --fault without the time, e.g. kill-broker:1; or stats, quit)", "控制命令 '{line}'：{why}（故障写法同 --fault 去掉时间，如 kill-broker:1；或 stats、quit）"),
    ("serve.disconnected", "broker {b}: {peer} disconnected", "broker {b}：{peer} 已断开"),
    ("serve.disconnected_why", "broker {b}: {peer} disconnected: {why}", "broker {b}：{peer} 已断开：{why}"),
    ("serve.group.assigned", "group {group}: member {member} assigned {partitions}", "消费者组 {group}：成员 {member} 分到 {partitions}"),
    ("serve.group.bad_assignment", "the leader's assignment for member {member} does not parse ({why}): it gets no partition", "leader 给成员 {member} 的分配无法解析（{why}）：它分不到分区"),
    ("serve.group.expired", "group {group}: member {member} missed its session timeout and was removed", "消费者组 {group}：成员 {member} 超过会话超时，已被移除"),
    ("serve.group.joined", "group {group}: member {member} joined", "消费者组 {group}：成员 {member} 加入"),
    ("serve.group.left", "group {group}: member {member} left", "消费者组 {group}：成员 {member} 离开"),
    ("serve.group.no_range", "group {group} is the simulated consumers' group, which uses the range assignor: a real consumer must offer \"range\" in partition.assignment.strategy to join it (INCONSISTENT_GROUP_PROTOCOL)", "消费者组 {group} 属于模拟消费者，使用 range 分配策略：真实消费者须在 partition.assignment.strategy 中提供 \"range\" 才能加入（INCONSISTENT_GROUP_PROTOCOL）"),
    ("serve.group.rebalance", "group {group}: rebalancing", "消费者组 {group}：开始再均衡"),
    ("serve.group.stable", "group {group}: generation {generation}, {members} member(s), leader {leader}", "消费者组 {group}：第 {generation} 代，{members} 个成员，leader 为 {leader}"),
    ("serve.listening", "broker {b} listening on {addr}", "broker {b} 监听 {addr}"),
    ("serve.no_cause", "no cause recorded", "未记录原因"),
    ("serve.producer_id", "InitProducerId: producer id {id}, epoch 0", "InitProducerId：producer id {id}，epoch 0"),
    ("serve.ready", "ready", "ready"),
    ("serve.real_lost", "real record {record} (p{p}) was acknowledged, then lost: {why}", "真实记录 {record}（p{p}）已确认，随后丢失：{why}"),
    ("serve.real_twice", "real record {record} (p{p}) is in the log twice: {why}", "真实记录 {record}（p{p}）在日志中出现两次：{why}"),
    ("serve.refused.down", "broker {b} is down: {peer} refused", "broker {b} 已宕机：拒绝 {peer}"),
    ("serve.refused.many", "broker {b}: {peer} refused, {max} connections are open", "broker {b}：已有 {max} 个连接，拒绝 {peer}"),
    ("serve.summary", "real producers: {records} records in {batches} batches ({per_batch} per batch), {requests} produce requests", "真实生产者：{records} 条记录，{batches} 个批次（每批 {per_batch} 条），{requests} 个 produce 请求"),
    ("serve.topic_created", "topic {topic} created: {partitions} partitions, replication factor {rf}", "已创建主题 {topic}：{partitions} 个分区，副本因子 {rf}"),
    ("serve.unknown_topic", "topic {topic} is unknown: this world simulates one topic, {ours}", "未知主题 {topic}：本世界只模拟一个主题 {ours}"),
    ("serve.verdicts", "real records: {acked} acknowledged, {committed} committed, {lost} lost, {duplicated} written twice", "真实记录：已确认 {acked} 条，已提交 {committed} 条，丢失 {lost} 条，重复写入 {duplicated} 条"),
];
