//! The consumer group's events in words: rebalances, positions, polls, commits, crashes,
//! and members leaving (session expiry, LeaveGroup after max.poll.interval.ms).

use super::Level;
use crate::i18n::Lang;
use crate::sim::trace::TraceEvent;

/// One consumer-group event as (level, text), or `None` when it is not worth a line.
pub(super) fn narrate_group(e: &TraceEvent, zh: bool, detailed: bool) -> Option<(Level, String)> {
    let lang = if zh { Lang::Zh } else { Lang::En };
    let line = match e {
        TraceEvent::Rebalanced {
            generation,
            assignment,
        } => {
            let parts: Vec<String> = assignment
                .iter()
                .map(|(c, ps)| format!("c{c}={ps:?}"))
                .collect();
            let s = if zh {
                format!("消费者组再平衡，第 {generation} 代：{}", parts.join(" "))
            } else {
                format!(
                    "group rebalanced, generation {generation}: {}",
                    parts.join(" ")
                )
            };
            (Level::Info, s)
        }
        TraceEvent::PositionSet {
            consumer,
            partition,
            offset,
            reason,
        } => {
            let why = crate::i18n::describe::position(lang, reason);
            let s = if zh {
                format!("消费者 {consumer} 从分区 {partition} 的 offset {offset} 开始：{why}")
            } else {
                format!("consumer {consumer} starts p{partition} at offset {offset}: {why}")
            };
            (Level::Info, s)
        }
        TraceEvent::Polled {
            consumer,
            records,
            auto_commit,
        } if detailed || *auto_commit => {
            let s = if zh {
                format!(
                    "消费者 {consumer} poll() 返回 {records} 条{}",
                    if *auto_commit {
                        "（先自动提交了之前 poll 的 offset）"
                    } else {
                        ""
                    }
                )
            } else {
                format!(
                    "consumer {consumer} poll() returns {records} records{}",
                    if *auto_commit {
                        " (after auto-committing earlier polls)"
                    } else {
                        ""
                    }
                )
            };
            (Level::Info, s)
        }
        TraceEvent::CommitSent {
            consumer,
            offsets,
            kind,
        } => {
            let kind = crate::i18n::describe::commit_kind(lang, *kind);
            let o: Vec<String> = offsets.iter().map(|(p, o)| format!("p{p}={o}")).collect();
            let s = if zh {
                format!("消费者 {consumer} 提交 {}：{kind}", o.join(" "))
            } else {
                format!("consumer {consumer} commits {}: {kind}", o.join(" "))
            };
            (Level::Info, s)
        }
        TraceEvent::CommitFailed {
            consumer,
            error,
            retrying,
        } => {
            let s = if zh {
                format!(
                    "消费者 {consumer} 提交失败：{error}{}",
                    if *retrying {
                        "，commitSync 重试"
                    } else {
                        "，不重试"
                    }
                )
            } else {
                format!(
                    "consumer {consumer} commit failed: {error}{}",
                    if *retrying {
                        "; commitSync retries"
                    } else {
                        "; not retried"
                    }
                )
            };
            (Level::Warn, s)
        }
        TraceEvent::ConsumerCrashed {
            consumer,
            unprocessed,
        } => {
            let s = if zh {
                format!("消费者 {consumer} 崩溃，{unprocessed} 条已 poll 未处理")
            } else {
                format!("consumer {consumer} crashed with {unprocessed} polled records unprocessed")
            };
            (Level::Bad, s)
        }
        TraceEvent::ConsumerStarted { consumer, member } => {
            let s = if zh {
                format!("消费者 {consumer} 启动（{member}），加入消费者组")
            } else {
                format!("consumer {consumer} starts ({member}) and joins the group")
            };
            (Level::Info, s)
        }
        TraceEvent::MemberExpired { consumer, .. } => {
            let s = if zh {
                format!("协调者移除消费者 {consumer}：session.timeout.ms 内没有心跳")
            } else {
                format!(
                    "the coordinator removes consumer {consumer}: no heartbeat within session.timeout.ms"
                )
            };
            (Level::Warn, s)
        }
        TraceEvent::LeftGroupPollTimeout {
            consumer,
            since_poll_us,
            max_poll_interval_ms,
            unprocessed,
            ..
        } => {
            let since = crate::sim::SimDuration(*since_poll_us);
            let s = if zh {
                format!(
                    "消费者 {consumer} 离开消费者组：已 {since} 没有调用 poll()，超过 \
                     max.poll.interval.ms={max_poll_interval_ms}；心跳线程发送 LeaveGroup\
                     （还有 {unprocessed} 条未处理，之后的提交会失败）"
                )
            } else {
                format!(
                    "consumer {consumer} leaves the group: no poll() for {since} > \
                     max.poll.interval.ms={max_poll_interval_ms}; its heartbeat thread sends LeaveGroup \
                     ({unprocessed} records still to process, their commit will fail)"
                )
            };
            (Level::Bad, s)
        }
        TraceEvent::MemberLeft { consumer, .. } => {
            let s = if zh {
                format!("协调者收到 LeaveGroup，移除消费者 {consumer}，其余成员再平衡")
            } else {
                format!(
                    "the coordinator removes consumer {consumer} (LeaveGroup) and rebalances the others"
                )
            };
            (Level::Warn, s)
        }
        TraceEvent::CommitFailedNotInGroup {
            consumer,
            offsets,
            kind,
        } => {
            let kind = crate::i18n::describe::commit_kind(lang, *kind);
            let o: Vec<String> = offsets.iter().map(|(p, o)| format!("p{p}={o}")).collect();
            let s = if zh {
                format!(
                    "消费者 {consumer} 提交 {} 失败（{kind}）：CommitFailedException，它已离开消费者组；\
                     上次成功提交之后处理过的消息会被再次处理",
                    o.join(" ")
                )
            } else {
                format!(
                    "consumer {consumer} cannot commit {} ({kind}): CommitFailedException, it left the group; \
                     what it processed since its last successful commit will be processed again",
                    o.join(" ")
                )
            };
            (Level::Bad, s)
        }
        _ => return None,
    };
    Some(line)
}
