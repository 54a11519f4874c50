//! The event log: trace events told in plain words, with their reasons, in English or
//! Chinese. Only what a person can follow is narrated; per-record steps are left out
//! unless the clock runs slowly enough to watch them.

use crate::i18n::Lang;
use crate::sim::SimTime;
use crate::sim::trace::{PartitionChoice, SendReason, TraceEvent};

mod group;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Good,
    Warn,
    Bad,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    pub t: SimTime,
    pub level: Level,
    pub text: String,
}

/// A send reason in words: the interface's explanation of it (`reason.*.help` in ui/i18n.rs).
fn reason(r: SendReason, lang: Lang) -> &'static str {
    let i = SendReason::ALL.iter().position(|x| *x == r).unwrap_or(0);
    crate::i18n::tr(lang, REASON_KEYS[i])
}

/// The i18n key of each send reason, in the order of `SendReason::ALL`.
const REASON_KEYS: [&str; SendReason::ALL.len()] = [
    "reason.full.help",
    "reason.linger.help",
    "reason.retry.help",
    "reason.memory_pressure.help",
    "reason.flush.help",
    "reason.close.help",
    "reason.piggyback.help",
];

/// One trace event as a log line, or `None` when it is not worth a line. `detailed`
/// includes per-record steps (a slow clock).
pub fn narrate(t: SimTime, e: &TraceEvent, lang: Lang, detailed: bool) -> Option<LogLine> {
    let zh = lang == Lang::Zh;
    // The event's typed reason in words (empty when it has none).
    let why = crate::i18n::describe::event_reason(lang, e).unwrap_or_default();
    let (level, text) = match e {
        TraceEvent::RecordAppended {
            record,
            partition,
            batch,
            choice,
            bytes,
        } if detailed => {
            let how = match (choice, zh) {
                (PartitionChoice::Key, _) => "murmur2(key)",
                (PartitionChoice::Sticky, false) => "sticky partitioner",
                (PartitionChoice::Sticky, true) => "粘性分区器",
            };
            let s = if zh {
                format!(
                    "send() 记录 {record} → 分区 {partition}（{how}），进入批次 {batch}（{bytes} 字节）"
                )
            } else {
                format!(
                    "send() record {record} → partition {partition} ({how}), into batch {batch} ({bytes} B)"
                )
            };
            (Level::Info, s)
        }
        TraceEvent::BatchDrained {
            batch,
            partition,
            records,
            bytes,
            reason: r,
            attempt,
            ..
        } => {
            let again = if *attempt > 0 {
                if zh {
                    format!("，第 {attempt} 次重试")
                } else {
                    format!(", retry {attempt}")
                }
            } else {
                String::new()
            };
            let s = if zh {
                format!(
                    "Sender 取出批次 {batch}（分区 {partition}，{records} 条，{bytes} 字节）：{}{again}",
                    reason(*r, Lang::Zh)
                )
            } else {
                format!(
                    "Sender drains batch {batch} (p{partition}, {records} records, {bytes} B): {}{again}",
                    reason(*r, Lang::En)
                )
            };
            (Level::Info, s)
        }
        TraceEvent::BatchAcked {
            batch,
            partition,
            base_offset,
            records,
            latency_us,
        } => {
            let s = if zh {
                format!(
                    "批次 {batch} 已确认：分区 {partition} offset {base_offset} 起 {records} 条，用时 {:.1} ms",
                    *latency_us as f64 / 1000.0
                )
            } else {
                format!(
                    "batch {batch} acked: p{partition} offset {base_offset}, {records} records, {:.1} ms",
                    *latency_us as f64 / 1000.0
                )
            };
            (Level::Good, s)
        }
        TraceEvent::BatchRetry {
            batch,
            partition,
            error,
            attempt,
            backoff_us,
        } => {
            let s = if zh {
                format!(
                    "批次 {batch}（分区 {partition}）失败：{error}，{} ms 后第 {attempt} 次重试",
                    backoff_us / 1000
                )
            } else {
                format!(
                    "batch {batch} (p{partition}) failed with {error}; retry {attempt} in {} ms",
                    backoff_us / 1000
                )
            };
            (Level::Warn, s)
        }
        TraceEvent::BatchFailed {
            batch,
            partition,
            error,
            records,
        } => {
            let s = if zh {
                format!(
                    "批次 {batch}（分区 {partition}，{records} 条）最终失败：{error}，回调收到异常"
                )
            } else {
                format!(
                    "batch {batch} (p{partition}, {records} records) failed for good: {error}; the callback gets it"
                )
            };
            (Level::Bad, s)
        }
        TraceEvent::RecordRejected { record, error } => {
            let s = if zh {
                format!("send() 记录 {record} 失败：{error}")
            } else {
                format!("send() of record {record} failed: {error}")
            };
            (Level::Bad, s)
        }
        TraceEvent::SendBlocked {
            record,
            needed,
            available,
        } => {
            let s = if zh {
                format!(
                    "send() 阻塞：记录 {record} 需要 {needed} 字节，buffer.memory 只剩 {available}"
                )
            } else {
                format!(
                    "send() blocks: record {record} needs {needed} B, buffer.memory has {available} B free"
                )
            };
            (Level::Warn, s)
        }
        TraceEvent::RequestTimedOut { request, broker } => {
            let s = if zh {
                format!(
                    "请求 {request} 等待 broker {broker} 超过 request.timeout.ms：关闭连接，重试全部在途批次"
                )
            } else {
                format!(
                    "request {request} to broker {broker} passed request.timeout.ms: connection closed, its batches retry"
                )
            };
            (Level::Warn, s)
        }
        TraceEvent::Appended {
            broker,
            partition,
            batch,
            base_offset,
            records,
        } if detailed => {
            let s = if zh {
                format!(
                    "broker {broker} 写入批次 {batch}：分区 {partition} offset {base_offset}–{}",
                    base_offset + i64::from(*records) - 1
                )
            } else {
                format!(
                    "broker {broker} appends batch {batch}: p{partition} offsets {base_offset}–{}",
                    base_offset + i64::from(*records) - 1
                )
            };
            (Level::Info, s)
        }
        TraceEvent::DuplicateBatch {
            broker,
            partition,
            batch,
            base_offset,
        } => {
            let s = if zh {
                format!(
                    "broker {broker} 识别出重复批次 {batch}（幂等序号）：不再写入，返回原 offset {base_offset}（分区 {partition}）"
                )
            } else {
                format!(
                    "broker {broker} recognises batch {batch} as a duplicate (sequence numbers): not written again, original offset {base_offset} (p{partition})"
                )
            };
            (Level::Good, s)
        }
        TraceEvent::ProduceRejected {
            broker,
            partition,
            error,
            reason: _,
            ..
        } => {
            let s = if zh {
                format!("broker {broker} 拒绝分区 {partition} 的批次：{error}（{why}）")
            } else {
                format!("broker {broker} refuses a batch for p{partition}: {error} ({why})")
            };
            (Level::Warn, s)
        }
        TraceEvent::ResponseDropped { broker, request } => {
            let s = if zh {
                format!("broker {broker} 的应答（请求 {request}）在网络中丢失")
            } else {
                format!("broker {broker}'s answer to request {request} is lost on the network")
            };
            (Level::Warn, s)
        }
        TraceEvent::IsrChanged {
            partition,
            isr,
            reason: _,
        } => {
            let s = if zh {
                format!("分区 {partition} 的 ISR 变为 {isr:?}：{why}")
            } else {
                format!("p{partition} ISR is now {isr:?}: {why}")
            };
            (Level::Warn, s)
        }
        TraceEvent::LeaderElected {
            partition,
            leader,
            leader_epoch,
            unclean,
            reason: _,
        } => {
            let who = leader.map_or_else(
                || {
                    if zh {
                        "无（分区下线）".to_string()
                    } else {
                        "none (offline)".to_string()
                    }
                },
                |l| format!("broker {l}"),
            );
            let s = if zh {
                format!(
                    "分区 {partition} 选出 leader：{who}，epoch {leader_epoch}{}：{why}",
                    if *unclean { "（unclean）" } else { "" }
                )
            } else {
                format!(
                    "p{partition} leader: {who}, epoch {leader_epoch}{}: {why}",
                    if *unclean { " (unclean)" } else { "" }
                )
            };
            (
                if *unclean || leader.is_none() {
                    Level::Bad
                } else {
                    Level::Warn
                },
                s,
            )
        }
        TraceEvent::Truncated {
            broker,
            partition,
            to_offset,
            removed_records,
            reason: _,
        } => {
            let s = if zh {
                format!(
                    "broker {broker} 截断分区 {partition} 到 offset {to_offset}，删除 {removed_records} 条：{why}"
                )
            } else {
                format!(
                    "broker {broker} truncates p{partition} to offset {to_offset}, removing {removed_records} records: {why}"
                )
            };
            (Level::Bad, s)
        }
        TraceEvent::BrokerDown { broker } => (
            Level::Bad,
            if zh {
                format!("broker {broker} 宕机")
            } else {
                format!("broker {broker} is down")
            },
        ),
        TraceEvent::BrokerUp { broker } => (
            Level::Good,
            if zh {
                format!("broker {broker} 重新启动")
            } else {
                format!("broker {broker} is back")
            },
        ),
        TraceEvent::BrokerFenced { broker } => {
            let s = if zh {
                format!("controller 隔离 broker {broker}（心跳超时）")
            } else {
                format!("the controller fences broker {broker} (no heartbeats)")
            };
            (Level::Warn, s)
        }
        TraceEvent::SettingChanged { name, value } => {
            let s = if zh {
                format!("设置 {name} = {value}")
            } else {
                format!("setting {name} = {value}")
            };
            (Level::Info, s)
        }
        TraceEvent::Fault { fault } => (
            Level::Bad,
            crate::i18n::trf(
                lang,
                "log.fault",
                &[("fault", &crate::i18n::describe::fault(lang, fault))],
            ),
        ),
        TraceEvent::CommandRefused { command, error } => (
            Level::Bad,
            crate::i18n::trf(
                lang,
                "log.command_refused",
                &[
                    ("command", &crate::i18n::describe::command(lang, command)),
                    ("error", error),
                ],
            ),
        ),
        TraceEvent::ProducerRestarted => {
            let s = if zh {
                "生产者重启：新的 KafkaProducer 实例读取新设置".to_string()
            } else {
                "producer restarted: a new KafkaProducer reads the new settings".to_string()
            };
            (Level::Warn, s)
        }
        TraceEvent::EpochBumped {
            epoch, reason: _, ..
        } => {
            let s = if zh {
                format!("幂等生产者 epoch 升为 {epoch}：{why}")
            } else {
                format!("idempotent producer bumps its epoch to {epoch}: {why}")
            };
            (Level::Warn, s)
        }
        TraceEvent::ProducerClosed => (
            Level::Info,
            if zh {
                "生产者已关闭".to_string()
            } else {
                "producer closed".to_string()
            },
        ),
        TraceEvent::RecordsAbandoned { count } => {
            let s = if zh {
                format!("生产者退出，{count} 条记录未发送")
            } else {
                format!("the producer is gone with {count} records unsent")
            };
            (Level::Bad, s)
        }
        // The consumer group's events, or nothing worth a line.
        _ => group::narrate_group(e, zh, detailed)?,
    };
    Some(LogLine { t, level, text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_send_reason_has_its_interface_text() {
        for (r, key) in SendReason::ALL.iter().zip(REASON_KEYS) {
            assert_eq!(key, format!("reason.{}.help", r.name()));
            assert!(crate::i18n::has(key), "{key}");
        }
        assert_eq!(reason(SendReason::Full, Lang::Zh), "批次达到了 batch.size");
    }

    #[test]
    fn leaving_the_group_on_a_poll_timeout_is_told_in_both_languages() {
        let t = SimTime::ZERO;
        let events = [
            TraceEvent::LeftGroupPollTimeout {
                consumer: 0,
                member: "consumer-testAPI-1-1".to_string(),
                since_poll_us: 500_000,
                max_poll_interval_ms: 500,
                unprocessed: 250,
            },
            TraceEvent::MemberLeft {
                consumer: 0,
                member: "consumer-testAPI-1-1".to_string(),
            },
            TraceEvent::CommitFailedNotInGroup {
                consumer: 0,
                offsets: vec![(0, 500)],
                kind: crate::sim::reason::CommitKind::SyncAfterProcessing,
            },
        ];
        let expect = [
            ("max.poll.interval.ms=500", "500ms", "LeaveGroup"),
            ("LeaveGroup", "0", "0"),
            (
                "CommitFailedException",
                "p0=500",
                // The commit's kind is told in the reader's language; the call keeps its name.
                "commitSync",
            ),
        ];
        for (e, words) in events.iter().zip(expect) {
            for lang in [Lang::En, Lang::Zh] {
                let line = narrate(t, e, lang, false).expect("narrated");
                for w in [words.0, words.1, words.2] {
                    assert!(line.text.contains(w), "{lang:?}: {w} not in {}", line.text);
                }
            }
            let zh = narrate(t, e, Lang::Zh, false).unwrap().text;
            assert!(zh.contains("消费者"), "{zh}");
        }
    }
}
