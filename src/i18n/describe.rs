//! The simulation's typed reasons and causes (`sim::reason`) in words, in either
//! language, through the `reasons.rs` table. This is the only place they become text.

use super::{Lang, tr, trf};
use crate::sim::command::{Command, Fault};
use crate::sim::config::{Problem, SetError, SettingKind, Unit, find_setting, shown};
use crate::sim::reason::BumpCause;
use crate::sim::reason::{
    CloseReason, CommitKind, ElectionCause, ElectionOutcome, IsrReason, PositionReason,
    RejectReason, TruncateReason,
};
use crate::sim::trace::{BrokerId, TraceEvent};

/// Brokers as Rust prints a list (`[0, 2]`): how the trace has always shown them.
fn brokers(list: &[BrokerId]) -> String {
    format!("{list:?}")
}

pub fn close(lang: Lang, r: CloseReason) -> String {
    let key = match r {
        CloseReason::ConnectionRefused => "close.connection_refused",
        CloseReason::MetadataTimeout => "close.metadata_timeout",
        CloseReason::InitProducerIdTimeout => "close.init_producer_id_timeout",
        CloseReason::RequestTimeout => "close.request_timeout",
        CloseReason::BrokerClosed => "close.broker_closed",
    };
    tr(lang, key).to_string()
}

pub fn bump(lang: Lang, c: &BumpCause) -> String {
    match c {
        BumpCause::OutOfOrder { partition } => {
            trf(lang, "bump.out_of_order", &[("p", &partition.to_string())])
        }
        BumpCause::FailedBatch { partition, error } => trf(
            lang,
            "bump.failed_batch",
            &[("p", &partition.to_string()), ("error", error.name())],
        ),
        BumpCause::Unresolved { partition } => {
            trf(lang, "bump.unresolved", &[("p", &partition.to_string())])
        }
    }
}

pub fn reject(lang: Lang, r: &RejectReason) -> String {
    match r {
        RejectReason::NotLeader { broker, partition } => trf(
            lang,
            "reject.not_leader",
            &[("b", &broker.to_string()), ("p", &partition.to_string())],
        ),
        RejectReason::InjectedFault => tr(lang, "reject.injected_fault").to_string(),
        RejectReason::IsrTooSmall { isr, min_isr } => trf(
            lang,
            "reject.isr_too_small",
            &[("isr", &brokers(isr)), ("min", &min_isr.to_string())],
        ),
        RejectReason::SequenceGap { got, expected } => trf(
            lang,
            "reject.sequence_gap",
            &[
                ("got", &got.to_string()),
                ("expected", &expected.to_string()),
            ],
        ),
        RejectReason::OldEpoch => tr(lang, "reject.old_epoch").to_string(),
        RejectReason::NotReplicatedInTime => tr(lang, "reject.not_replicated").to_string(),
    }
}

pub fn isr(lang: Lang, r: &IsrReason) -> String {
    match r {
        IsrReason::FellBehind { brokers: b, lag_ms } => trf(
            lang,
            "isr.fell_behind",
            &[("brokers", &brokers(b)), ("ms", &lag_ms.to_string())],
        ),
        IsrReason::Fenced { broker } => trf(lang, "isr.fenced", &[("b", &broker.to_string())]),
        IsrReason::CaughtUp {
            broker,
            high_watermark,
        } => trf(
            lang,
            "isr.caught_up",
            &[
                ("b", &broker.to_string()),
                ("hw", &high_watermark.to_string()),
            ],
        ),
    }
}

pub fn election(lang: Lang, c: &ElectionCause) -> String {
    match c {
        ElectionCause::LeaderFenced {
            leader,
            crashed_at,
            setting,
            timeout_ms,
        } => trf(
            lang,
            "election.leader_fenced",
            &[
                ("b", &leader.to_string()),
                ("t", &crashed_at.to_string()),
                ("setting", setting),
                ("ms", &timeout_ms.to_string()),
            ],
        ),
        ElectionCause::BrokerBack { broker } => {
            trf(lang, "election.broker_back", &[("b", &broker.to_string())])
        }
        ElectionCause::Unspecified => tr(lang, "election.unspecified").to_string(),
    }
}

/// The election's cause and how the leader was chosen, as the trace says it.
pub fn election_result(lang: Lang, c: &ElectionCause, outcome: ElectionOutcome) -> String {
    let key = match outcome {
        ElectionOutcome::FromIsr => "election.outcome.from_isr",
        ElectionOutcome::Unclean => "election.outcome.unclean",
        ElectionOutcome::Offline => "election.outcome.offline",
    };
    trf(lang, key, &[("why", &election(lang, c))])
}

pub fn truncate(lang: Lang, r: &TruncateReason) -> String {
    match r {
        TruncateReason::Diverged { leader } => {
            trf(lang, "truncate.diverged", &[("l", &leader.to_string())])
        }
        TruncateReason::BelowLogStart { leader, log_start } => trf(
            lang,
            "truncate.below_log_start",
            &[
                ("l", &leader.to_string()),
                ("start", &log_start.to_string()),
            ],
        ),
    }
}

pub fn position(lang: Lang, r: &PositionReason) -> String {
    match r {
        PositionReason::Committed { offset } => trf(
            lang,
            "position.committed",
            &[("offset", &offset.to_string())],
        ),
        PositionReason::ResetEarliest => tr(lang, "position.reset_earliest").to_string(),
        PositionReason::ResetLatest { skipped } => trf(
            lang,
            "position.reset_latest",
            &[("n", &skipped.to_string())],
        ),
        PositionReason::ResetNone => tr(lang, "position.reset_none").to_string(),
        PositionReason::OutOfRange { offset, reset } => trf(
            lang,
            "position.out_of_range",
            &[("offset", &offset.to_string()), ("reset", reset.name())],
        ),
    }
}

pub fn commit_kind(lang: Lang, k: CommitKind) -> &'static str {
    // The key is built at run time; `tr` returns text as long-lived as the table.
    match super::lookup(&format!("commit_kind.{}", k.name())) {
        Some((_, _, zh)) if lang == Lang::Zh && !zh.is_empty() => zh,
        Some((_, en, _)) => en,
        None => k.name(),
    }
}

/// The words for an event's typed reason, if it has one (the `--trace` lines carry it
/// in English as `reason`).
pub fn event_reason(lang: Lang, e: &TraceEvent) -> Option<String> {
    Some(match e {
        TraceEvent::ConnectionClosed { reason, .. } => close(lang, *reason),
        TraceEvent::EpochBumped { reason, .. } => bump(lang, reason),
        TraceEvent::ProduceRejected { reason, .. } => reject(lang, reason),
        TraceEvent::IsrChanged { reason, .. } => isr(lang, reason),
        TraceEvent::LeaderElected {
            reason,
            leader,
            unclean,
            ..
        } => election_result(lang, reason, ElectionOutcome::of(*leader, *unclean)),
        TraceEvent::Truncated { reason, .. } => truncate(lang, reason),
        TraceEvent::PositionSet { reason, .. } => position(lang, reason),
        _ => return None,
    })
}

/// A fault as the log and the status line say it.
pub fn fault(lang: Lang, f: &Fault) -> String {
    let n = |v: &dyn ToString| v.to_string();
    match f {
        Fault::KillBroker { broker } => trf(lang, "fault_desc.kill_broker", &[("b", &n(broker))]),
        Fault::RestartBroker { broker } => {
            trf(lang, "fault_desc.restart_broker", &[("b", &n(broker))])
        }
        Fault::KillLeader { partition } => {
            trf(lang, "fault_desc.kill_leader", &[("p", &n(partition))])
        }
        Fault::DropResponses { broker, count } => match broker {
            Some(b) => trf(
                lang,
                "fault_desc.drop_responses_from",
                &[("n", &n(count)), ("b", &n(b))],
            ),
            None => trf(lang, "fault_desc.drop_responses", &[("n", &n(count))]),
        },
        Fault::RejectProduce { broker, count } => match broker {
            Some(b) => trf(
                lang,
                "fault_desc.reject_produce_on",
                &[("n", &n(count)), ("b", &n(b))],
            ),
            None => trf(lang, "fault_desc.reject_produce", &[("n", &n(count))]),
        },
        Fault::IsolateBroker { broker } => {
            trf(lang, "fault_desc.isolate_broker", &[("b", &n(broker))])
        }
        Fault::HealBroker { broker } => trf(lang, "fault_desc.heal_broker", &[("b", &n(broker))]),
        Fault::SlowLink { broker, extra_ms } => trf(
            lang,
            "fault_desc.slow_link",
            &[("b", &n(broker)), ("ms", &n(extra_ms))],
        ),
        Fault::SlowFollower { broker, extra_ms } => trf(
            lang,
            "fault_desc.slow_follower",
            &[("b", &n(broker)), ("ms", &n(extra_ms))],
        ),
        Fault::CrashConsumer { consumer } => {
            trf(lang, "fault_desc.crash_consumer", &[("c", &n(consumer))])
        }
        Fault::RestartConsumer { consumer } => {
            trf(lang, "fault_desc.restart_consumer", &[("c", &n(consumer))])
        }
        Fault::CrashProducer => tr(lang, "fault_desc.crash_producer").to_string(),
        Fault::CloseProducer => tr(lang, "fault_desc.close_producer").to_string(),
    }
}

/// A command as the log says it.
pub fn command(lang: Lang, c: &Command) -> String {
    match c {
        Command::Set { name, value } => format!("{name}={value}"),
        Command::SetRate { rate } => trf(lang, "log.command_rate", &[("rate", &rate.to_string())]),
        Command::Fault { fault: f } => fault(lang, f),
    }
}

mod ledger;
pub use ledger::{cause, explanation};

#[cfg(test)]
mod tests;

/// A setting's accepted values in words, for the kinds whose words are not just the
/// values themselves (booleans and choices are shown as Kafka spells them). The English
/// equals `SettingInfo::accepted`, which the CLI prints.
pub fn accepted_words(lang: Lang, kind: &SettingKind) -> Option<String> {
    Some(match *kind {
        SettingKind::Bool | SettingKind::Choice(_) => return None,
        SettingKind::Int { min, max, .. } => trf(
            lang,
            "accepted.range",
            &[("min", &min.to_string()), ("max", &max.to_string())],
        ),
        SettingKind::DecimalMs { min_us, max_us } => trf(
            lang,
            "accepted.range_ms",
            &[
                ("min", &crate::sim::config::format_us_as_ms(min_us)),
                ("max", &crate::sim::config::format_us_as_ms(max_us)),
            ],
        ),
        SettingKind::TopicName => tr(lang, "accepted.topic_name").to_string(),
        SettingKind::Text { allow_empty: true } => tr(lang, "accepted.any_text").to_string(),
        SettingKind::Text { allow_empty: false } => tr(lang, "accepted.non_empty_text").to_string(),
    })
}

/// A refused setting value in words: `name: 'value' problem (accepted: …)`.
pub fn set_error(lang: Lang, e: &SetError) -> String {
    match e {
        SetError::Unknown { name, suggestion } => match suggestion {
            Some(s) => trf(
                lang,
                "refusal.unknown_suggest",
                &[("name", &shown(name)), ("suggestion", s)],
            ),
            None => trf(lang, "refusal.unknown", &[("name", &shown(name))]),
        },
        SetError::BadValue {
            name,
            value,
            problem,
        } => {
            let unit_word = |u: &Unit| match u {
                Unit::None => None,
                Unit::Ms => Some("unit.ms"),
                Unit::Us => Some("unit.us"),
                Unit::Bytes => Some("unit.bytes"),
                Unit::Mbps => Some("unit.mbps"),
            };
            let (key, accepted, unit) = match problem {
                Problem::NotBoolean { accepted } => ("refusal.not_boolean", accepted, None),
                Problem::NotAccepted { accepted } => ("refusal.not_accepted", accepted, None),
                Problem::TooSmall { accepted } => ("refusal.too_small", accepted, None),
                Problem::TooLarge { accepted } => ("refusal.too_large", accepted, None),
                Problem::Negative { accepted } => ("refusal.negative", accepted, None),
                Problem::TooPrecise { accepted } => ("refusal.too_precise", accepted, None),
                Problem::Empty { accepted } => ("refusal.empty", accepted, None),
                Problem::NotWhole { unit, accepted } => match unit_word(unit) {
                    Some(u) => ("refusal.not_whole_unit", accepted, Some(u)),
                    None => ("refusal.not_whole", accepted, None),
                },
                Problem::NotNumber { unit, accepted } => match unit_word(unit) {
                    Some(u) => ("refusal.not_number_unit", accepted, Some(u)),
                    None => ("refusal.not_number", accepted, None),
                },
                // Rare refusals keep Kafka's English explanation.
                Problem::Other(_) => return e.to_string(),
            };
            let unit = unit.map_or("", |u| tr(lang, u));
            let accepted = find_setting(name)
                .and_then(|info| accepted_words(lang, &info.kind))
                .unwrap_or_else(|| accepted.clone());
            trf(
                lang,
                key,
                &[
                    ("name", name),
                    ("value", &shown(value)),
                    ("accepted", &accepted),
                    ("unit", unit),
                ],
            )
        }
    }
}
