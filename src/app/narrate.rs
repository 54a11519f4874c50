//! The event log: trace events told in plain words, with their reasons, in English or
//! Chinese. Only what a person can follow is narrated; per-record steps are left out
//! unless the clock runs slowly enough to watch them.

use crate::i18n::{Lang, describe, ids, tr, trf};
use crate::sim::SimTime;
use crate::sim::reason::ElectionOutcome;
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

/// An event kept in the log: told in words only when drawn, in the language of that
/// moment, so switching the language rewrites the history too.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    pub t: SimTime,
    pub level: Level,
    /// Whether per-record detail was on when it was logged (it decided that it has a line).
    detailed: bool,
    pub event: TraceEvent,
}

impl LogEntry {
    /// The entry for `e`, or `None` when the event is not worth a line.
    pub fn of(t: SimTime, e: &TraceEvent, detailed: bool) -> Option<LogEntry> {
        // Whether it has a line and its level do not depend on the language; the words
        // are made when the line is drawn.
        let (level, _, _) = parts(e, Lang::En, detailed)?;
        Some(LogEntry {
            t,
            level,
            detailed,
            event: e.clone(),
        })
    }

    /// Its words in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        narrate(self.t, &self.event, lang, self.detailed).map_or_else(String::new, |l| l.text)
    }
}

/// Named values for a log line's template.
type Args = Vec<(&'static str, String)>;

/// The words of a log line: its template's key in the reasons table and the values.
fn line(lang: Lang, key: &str, args: &Args) -> String {
    let pairs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    trf(lang, key, &pairs)
}

/// One trace event as a log line, or `None` when it is not worth a line. `detailed`
/// includes per-record steps (a slow clock).
pub fn narrate(t: SimTime, e: &TraceEvent, lang: Lang, detailed: bool) -> Option<LogLine> {
    let (level, key, args) = parts(e, lang, detailed)?;
    Some(LogLine {
        t,
        level,
        text: line(lang, key, &args),
    })
}

/// A log line's level, template key and values, before they become words.
fn parts(e: &TraceEvent, lang: Lang, detailed: bool) -> Option<(Level, &'static str, Args)> {
    producer_line(e, lang, detailed)
        .or_else(|| broker_line(e, lang, detailed))
        .or_else(|| group::group_line(e, lang, detailed))
}

/// Lines about the producer: send(), the accumulator, the Sender and its requests.
fn producer_line(
    e: &TraceEvent,
    lang: Lang,
    detailed: bool,
) -> Option<(Level, &'static str, Args)> {
    let s = |v: &dyn ToString| v.to_string();
    Some(match e {
        TraceEvent::RecordAppended {
            record,
            partition,
            batch,
            choice,
            bytes,
        } if detailed => {
            let how = match choice {
                PartitionChoice::Key => "murmur2(key)",
                PartitionChoice::Sticky => tr(lang, "log.sticky_partitioner"),
            };
            (
                Level::Info,
                "log.record_appended",
                vec![
                    ("record", ids::record(*record)),
                    ("p", s(partition)),
                    ("how", how.to_string()),
                    ("batch", ids::batch(*batch)),
                    ("bytes", s(bytes)),
                ],
            )
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
                trf(
                    lang,
                    "log.retry_attempt",
                    &[("attempt", &attempt.to_string())],
                )
            } else {
                String::new()
            };
            (
                Level::Info,
                "log.batch_drained",
                vec![
                    ("batch", ids::batch(*batch)),
                    ("p", s(partition)),
                    ("records", s(records)),
                    ("bytes", s(bytes)),
                    ("why", reason(*r, lang).to_string()),
                    ("again", again),
                ],
            )
        }
        TraceEvent::BatchAcked {
            batch,
            partition,
            base_offset,
            records,
            latency_us,
        } => (
            Level::Good,
            "log.batch_acked",
            vec![
                ("batch", ids::batch(*batch)),
                ("p", s(partition)),
                ("offset", s(base_offset)),
                ("records", s(records)),
                ("ms", format!("{:.1}", *latency_us as f64 / 1000.0)),
            ],
        ),
        TraceEvent::BatchRetry {
            batch,
            partition,
            error,
            attempt,
            backoff_us,
        } => (
            Level::Warn,
            "log.batch_retry",
            vec![
                ("batch", ids::batch(*batch)),
                ("p", s(partition)),
                ("error", s(error)),
                ("attempt", s(attempt)),
                ("ms", s(&(backoff_us / 1000))),
            ],
        ),
        TraceEvent::BatchFailed {
            batch,
            partition,
            error,
            records,
        } => (
            Level::Bad,
            "log.batch_failed",
            vec![
                ("batch", ids::batch(*batch)),
                ("p", s(partition)),
                ("records", s(records)),
                ("error", s(error)),
            ],
        ),
        TraceEvent::RecordRejected { record, error } => (
            Level::Bad,
            "log.record_rejected",
            vec![("record", ids::record(*record)), ("error", s(error))],
        ),
        TraceEvent::SendBlocked {
            record,
            needed,
            available,
        } => (
            Level::Warn,
            "log.send_blocked",
            vec![
                ("record", ids::record(*record)),
                ("needed", s(needed)),
                ("available", s(available)),
            ],
        ),
        TraceEvent::RequestTimedOut { request, broker } => (
            Level::Warn,
            "log.request_timed_out",
            vec![("request", ids::request(*request)), ("b", s(broker))],
        ),
        TraceEvent::ProducerRestarted => (Level::Warn, "log.producer_restarted", vec![]),
        TraceEvent::EpochBumped { epoch, reason, .. } => (
            Level::Warn,
            "log.epoch_bumped",
            vec![("epoch", s(epoch)), ("why", describe::bump(lang, reason))],
        ),
        TraceEvent::ProducerClosed => (Level::Info, "log.producer_closed", vec![]),
        TraceEvent::RecordsAbandoned { count } => (
            Level::Bad,
            "log.records_abandoned",
            vec![("count", s(count))],
        ),
        TraceEvent::SettingChanged { name, value } => (
            Level::Info,
            "log.setting_changed",
            vec![("name", name.clone()), ("value", value.clone())],
        ),
        TraceEvent::Fault { fault } => (
            Level::Bad,
            "log.fault",
            vec![("fault", describe::fault(lang, fault))],
        ),
        TraceEvent::CommandRefused { command, error } => (
            Level::Bad,
            "log.command_refused",
            vec![
                ("command", describe::command(lang, command)),
                ("error", error.clone()),
            ],
        ),
        _ => return None,
    })
}

/// Lines about the brokers: appends, refusals, replication, leaders.
fn broker_line(e: &TraceEvent, lang: Lang, detailed: bool) -> Option<(Level, &'static str, Args)> {
    let s = |v: &dyn ToString| v.to_string();
    Some(match e {
        TraceEvent::Appended {
            broker,
            partition,
            batch,
            base_offset,
            records,
        } if detailed => (
            Level::Info,
            "log.appended",
            vec![
                ("b", s(broker)),
                ("batch", ids::batch(*batch)),
                ("p", s(partition)),
                ("from", s(base_offset)),
                ("to", s(&(base_offset + i64::from(*records) - 1))),
            ],
        ),
        TraceEvent::DuplicateBatch {
            broker,
            partition,
            batch,
            base_offset,
        } => (
            Level::Good,
            "log.duplicate_batch",
            vec![
                ("b", s(broker)),
                ("batch", ids::batch(*batch)),
                ("offset", s(base_offset)),
                ("p", s(partition)),
            ],
        ),
        TraceEvent::ProduceRejected {
            broker,
            partition,
            error,
            reason,
            ..
        } => (
            Level::Warn,
            "log.produce_rejected",
            vec![
                ("b", s(broker)),
                ("p", s(partition)),
                ("error", s(error)),
                ("why", describe::reject(lang, reason)),
            ],
        ),
        TraceEvent::ResponseDropped { broker, request } => (
            Level::Warn,
            "log.response_dropped",
            vec![("b", s(broker)), ("request", ids::request(*request))],
        ),
        TraceEvent::IsrChanged {
            partition,
            isr,
            reason,
        } => (
            Level::Warn,
            "log.isr_changed",
            vec![
                ("p", s(partition)),
                ("isr", format!("{isr:?}")),
                ("why", describe::isr(lang, reason)),
            ],
        ),
        TraceEvent::LeaderElected {
            partition,
            leader,
            leader_epoch,
            unclean,
            reason,
        } => {
            let who = leader.map_or_else(
                || tr(lang, "log.no_leader").to_string(),
                |l| trf(lang, "log.broker", &[("b", &l.to_string())]),
            );
            let outcome = ElectionOutcome::of(*leader, *unclean);
            let key = if *unclean {
                "log.leader_elected_unclean"
            } else {
                "log.leader_elected"
            };
            let level = if *unclean || leader.is_none() {
                Level::Bad
            } else {
                Level::Warn
            };
            (
                level,
                key,
                vec![
                    ("p", s(partition)),
                    ("who", who),
                    ("epoch", s(leader_epoch)),
                    ("why", describe::election_result(lang, reason, outcome)),
                ],
            )
        }
        TraceEvent::Truncated {
            broker,
            partition,
            to_offset,
            removed_records,
            reason,
        } => (
            Level::Bad,
            "log.truncated",
            vec![
                ("b", s(broker)),
                ("p", s(partition)),
                ("offset", s(to_offset)),
                ("removed", s(removed_records)),
                ("why", describe::truncate(lang, reason)),
            ],
        ),
        TraceEvent::BrokerDown { broker } => {
            (Level::Bad, "log.broker_down", vec![("b", s(broker))])
        }
        TraceEvent::BrokerUp { broker } => (Level::Good, "log.broker_up", vec![("b", s(broker))]),
        TraceEvent::BrokerFenced { broker } => {
            (Level::Warn, "log.broker_fenced", vec![("b", s(broker))])
        }
        _ => return None,
    })
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

#[cfg(test)]
mod entry_tests {
    use super::*;

    #[test]
    fn a_log_entry_is_told_in_the_language_of_the_moment() {
        let e = TraceEvent::BrokerDown { broker: 1 };
        let entry = LogEntry::of(SimTime::ZERO, &e, false).expect("worth a line");
        assert_eq!(entry.level, Level::Bad);
        assert_eq!(entry.text(Lang::En), "broker 1 is down");
        assert_eq!(entry.text(Lang::Zh), "broker 1 宕机");
        let quiet = TraceEvent::FlushStarted;
        assert!(LogEntry::of(SimTime::ZERO, &quiet, false).is_none());
    }
}
