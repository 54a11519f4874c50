//! The ledger's causes and explanations in words.

use super::position;
use crate::i18n::{Lang, tr, trf};
use crate::sim::reason::{Cause, CommitHabit, Departure, Explanation, HiddenAppend};

fn departure(lang: Lang, d: &Departure) -> String {
    match *d {
        Departure::Crash { consumer, at } => trf(
            lang,
            "departure.crash",
            &[("c", &consumer.to_string()), ("t", &at.to_string())],
        ),
        Departure::PollTimeout {
            consumer,
            at,
            interval_ms,
            gap,
            commit_failed,
        } => {
            let (c, t, ms) = (
                consumer.to_string(),
                at.to_string(),
                interval_ms.to_string(),
            );
            let took = match gap {
                Some(g) => trf(
                    lang,
                    "departure.poll_gap",
                    &[("c", &c), ("gap", &g.to_string()), ("ms", &ms), ("t", &t)],
                ),
                None => trf(
                    lang,
                    "departure.poll_stuck",
                    &[("c", &c), ("ms", &ms), ("t", &t)],
                ),
            };
            if commit_failed {
                trf(lang, "departure.commit_failed", &[("took", &took)])
            } else {
                took
            }
        }
    }
}

fn habit(lang: Lang, h: &CommitHabit) -> String {
    match h {
        CommitHabit::Auto { interval_ms } => {
            trf(lang, "habit.auto", &[("ms", &interval_ms.to_string())])
        }
        CommitHabit::Before { mode } => trf(lang, "habit.before", &[("mode", mode.name())]),
        CommitHabit::After { mode } => trf(lang, "habit.after", &[("mode", mode.name())]),
        CommitHabit::Never => tr(lang, "habit.never").to_string(),
    }
}

/// A ledger cause in words.
pub fn cause(lang: Lang, c: &Cause) -> String {
    match c {
        Cause::LeaderCut {
            acks,
            election: why,
            new_leader,
            unclean,
            log_end,
        } => {
            let how = if *unclean {
                "cause.elected_unclean"
            } else {
                "cause.elected_from_isr"
            };
            trf(
                lang,
                "cause.leader_cut",
                &[
                    ("acks", acks),
                    ("why", &super::election(lang, why)),
                    ("b", &new_leader.to_string()),
                    ("how", tr(lang, how)),
                    ("end", &log_end.to_string()),
                ],
            )
        }
        Cause::Duplicate {
            batch,
            retry,
            idempotent,
            offset,
        } => {
            let why = match retry {
                Some((e, attempt)) => trf(
                    lang,
                    "cause.sent_again_error",
                    &[("error", e.name()), ("attempt", &attempt.to_string())],
                ),
                None => tr(lang, "cause.sent_again").to_string(),
            };
            let key = if *idempotent {
                "cause.duplicate_idempotent"
            } else {
                "cause.duplicate_plain"
            };
            trf(
                lang,
                key,
                &[
                    ("batch", &batch.to_string()),
                    ("why", &why),
                    ("offset", &offset.to_string()),
                ],
            )
        }
        Cause::ClientDuplicate {
            batch,
            first_offset,
            offset,
        } => trf(
            lang,
            "cause.client_duplicate",
            &[
                ("batch", &crate::i18n::ids::batch(*batch)),
                ("first", &first_offset.to_string()),
                ("offset", &offset.to_string()),
            ],
        ),
        Cause::Reordered {
            batch,
            retry_error,
            overtaken_by,
            max_in_flight,
            idempotent,
        } => {
            let why = match retry_error {
                Some(e) => trf(lang, "cause.retried_error", &[("error", e.name())]),
                None => tr(lang, "cause.retried").to_string(),
            };
            trf(
                lang,
                "cause.reordered",
                &[
                    ("batch", &batch.to_string()),
                    ("why", &why),
                    ("record", &overtaken_by.to_string()),
                    ("max", &max_in_flight.to_string()),
                    ("idem", &idempotent.to_string()),
                ],
            )
        }
        Cause::ProducerStopped { crashed, at } => {
            let key = if *crashed {
                "cause.producer_crashed"
            } else {
                "cause.producer_closed"
            };
            trf(lang, key, &[("t", &at.to_string())])
        }
        Cause::Resume {
            after,
            consumer,
            partition,
            offset,
            start,
            habit: h,
        } => {
            let dep = after.as_ref().map(|d| departure(lang, d));
            let mut args = vec![
                ("c", consumer.to_string()),
                ("p", partition.to_string()),
                ("offset", offset.to_string()),
                ("start", position(lang, start)),
                ("habit", habit(lang, h)),
            ];
            let key = match dep {
                Some(d) => {
                    args.push(("departure", d));
                    "cause.resume_after"
                }
                None => "cause.resume",
            };
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            trf(lang, key, &args)
        }
    }
}

fn stopped(lang: Lang, s: Option<&Cause>) -> String {
    s.map_or_else(
        || tr(lang, "cause.producer_closed_plain").to_string(),
        |c| cause(lang, c),
    )
}

fn hidden(lang: Lang, h: &HiddenAppend) -> String {
    match h {
        HiddenAppend::DeliveryTimeout {
            delivery_timeout_ms,
        } => trf(
            lang,
            "hidden.delivery_timeout",
            &[("ms", &delivery_timeout_ms.to_string())],
        ),
        HiddenAppend::RequestTimeout { request_timeout_ms } => trf(
            lang,
            "hidden.request_timeout",
            &[("ms", &request_timeout_ms.to_string())],
        ),
        HiddenAppend::AfterAppend {
            min_insync_replicas,
        } => trf(
            lang,
            "hidden.after_append",
            &[("min", &min_insync_replicas.to_string())],
        ),
        HiddenAppend::ConnectionBroke => tr(lang, "hidden.connection_broke").to_string(),
        HiddenAppend::Closed { stopped: s } => trf(
            lang,
            "hidden.closed",
            &[("stopped", &stopped(lang, s.as_deref()))],
        ),
        HiddenAppend::EarlierAnswerLost => tr(lang, "hidden.earlier_answer_lost").to_string(),
        HiddenAppend::AnswerLost => tr(lang, "hidden.answer_lost").to_string(),
    }
}

/// A ledger example's explanation in words.
pub fn explanation(lang: Lang, x: &Explanation) -> String {
    use crate::sim::trace::KafkaError;
    match x {
        Explanation::FailedNotWritten {
            error,
            delivery_timeout_ms,
            stopped: s,
            cut,
        } => {
            let when = match error {
                KafkaError::DeliveryTimeout => trf(
                    lang,
                    "explain.when_delivery_timeout",
                    &[("ms", &delivery_timeout_ms.to_string())],
                ),
                KafkaError::ProducerClosed => trf(
                    lang,
                    "explain.when_closed",
                    &[("stopped", &stopped(lang, s.as_ref()))],
                ),
                _ => String::new(),
            };
            let cut = cut.as_ref().map_or_else(String::new, |c| {
                trf(lang, "explain.cut", &[("cut", &cause(lang, c))])
            });
            trf(
                lang,
                "explain.failed_not_written",
                &[("error", error.name()), ("when", &when), ("cut", &cut)],
            )
        }
        Explanation::FailedWritten {
            error,
            offset,
            processed,
            hidden: h,
        } => {
            let consumed = if *processed {
                tr(lang, "explain.consumed")
            } else {
                ""
            };
            trf(
                lang,
                "explain.failed_written",
                &[
                    ("error", error.name()),
                    ("offset", &offset.to_string()),
                    ("hidden", &hidden(lang, h)),
                    ("consumed", consumed),
                ],
            )
        }
        Explanation::Unsent { stopped: s } => match s {
            Some(c) => cause(lang, c),
            None => tr(lang, "explain.unsent").to_string(),
        },
        Explanation::Acks0NeverWritten => tr(lang, "explain.acks0").to_string(),
        Explanation::NoLongerInLog => tr(lang, "explain.no_longer_in_log").to_string(),
        Explanation::NeverProcessed { offset, resume } => trf(
            lang,
            "explain.never_processed",
            &[
                ("offset", &offset.to_string()),
                ("why", &cause(lang, resume)),
            ],
        ),
        Explanation::Skipped { offset, partition } => trf(
            lang,
            "explain.skipped",
            &[
                ("offset", &offset.to_string()),
                ("p", &partition.to_string()),
            ],
        ),
        Explanation::Cause(c) => cause(lang, c),
        Explanation::None => String::new(),
    }
}

/// English, as `--trace`, the summary and the tests quote it.
impl std::fmt::Display for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&explanation(Lang::En, self))
    }
}
