//! The consumer group's events in words: rebalances, positions, polls, commits, crashes,
//! and members leaving (session expiry, LeaveGroup after max.poll.interval.ms).

use super::{Args, Level};
use crate::i18n::{Lang, describe, tr};
use crate::sim::trace::TraceEvent;

/// Offsets as `p0=5 p1=7`.
fn offsets(list: &[(u32, i64)]) -> String {
    let o: Vec<String> = list.iter().map(|(p, o)| format!("p{p}={o}")).collect();
    o.join(" ")
}

/// One consumer-group event as (level, key, values), or `None` when it is not worth a line.
pub(super) fn group_line(
    e: &TraceEvent,
    lang: Lang,
    detailed: bool,
) -> Option<(Level, &'static str, Args)> {
    let s = |v: &dyn ToString| v.to_string();
    Some(match e {
        TraceEvent::Rebalanced {
            generation,
            assignment,
        } => {
            let parts: Vec<String> = assignment
                .iter()
                .map(|(c, ps)| format!("c{c}={ps:?}"))
                .collect();
            (
                Level::Info,
                "log.rebalanced",
                vec![("generation", s(generation)), ("parts", parts.join(" "))],
            )
        }
        TraceEvent::PositionSet {
            consumer,
            partition,
            offset,
            reason,
        } => (
            Level::Info,
            "log.position_set",
            vec![
                ("c", s(consumer)),
                ("p", s(partition)),
                ("offset", s(offset)),
                ("why", describe::position(lang, reason)),
            ],
        ),
        TraceEvent::Polled {
            consumer,
            records,
            auto_commit,
            ..
        } if detailed || *auto_commit => {
            let after = if *auto_commit {
                tr(lang, "log.polled_after_auto_commit")
            } else {
                ""
            };
            (
                Level::Info,
                "log.polled",
                vec![
                    ("c", s(consumer)),
                    ("records", s(records)),
                    ("after", after.to_string()),
                ],
            )
        }
        TraceEvent::CommitSent {
            consumer,
            offsets: o,
            kind,
        } => (
            Level::Info,
            "log.commit_sent",
            vec![
                ("c", s(consumer)),
                ("offsets", offsets(o)),
                ("kind", describe::commit_kind(lang, *kind).to_string()),
            ],
        ),
        TraceEvent::CommitFailed {
            consumer,
            error,
            retrying,
        } => {
            let key = if *retrying {
                "log.commit_failed_retrying"
            } else {
                "log.commit_failed"
            };
            (
                Level::Warn,
                key,
                vec![("c", s(consumer)), ("error", s(error))],
            )
        }
        TraceEvent::ConsumerCrashed {
            consumer,
            unprocessed,
        } => (
            Level::Bad,
            "log.consumer_crashed",
            vec![("c", s(consumer)), ("n", s(unprocessed))],
        ),
        TraceEvent::ConsumerStarted { consumer, member } => (
            Level::Info,
            "log.consumer_started",
            vec![("c", s(consumer)), ("member", member.clone())],
        ),
        TraceEvent::MemberExpired { consumer, .. } => {
            (Level::Warn, "log.member_expired", vec![("c", s(consumer))])
        }
        TraceEvent::LeftGroupPollTimeout {
            consumer,
            since_poll_us,
            max_poll_interval_ms,
            unprocessed,
            ..
        } => (
            Level::Bad,
            "log.left_group_poll_timeout",
            vec![
                ("c", s(consumer)),
                ("since", s(&crate::sim::SimDuration(*since_poll_us))),
                ("ms", s(max_poll_interval_ms)),
                ("n", s(unprocessed)),
            ],
        ),
        TraceEvent::MemberLeft { consumer, .. } => {
            (Level::Warn, "log.member_left", vec![("c", s(consumer))])
        }
        TraceEvent::CommitFailedNotInGroup {
            consumer,
            offsets: o,
            kind,
        } => (
            Level::Bad,
            "log.commit_failed_not_in_group",
            vec![
                ("c", s(consumer)),
                ("offsets", offsets(o)),
                ("kind", describe::commit_kind(lang, *kind).to_string()),
            ],
        ),
        _ => return None,
    })
}
