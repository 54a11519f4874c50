//! Every typed reason and cause has words in both languages, with every placeholder filled.

use super::*;
use crate::sim::config::{CommitMode, OffsetReset};
use crate::sim::reason::{Cause, CommitHabit, Departure, Explanation, HiddenAppend};
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::trace::KafkaError;

fn check(what: &str, text: &str) {
    assert!(!text.trim().is_empty(), "{what}: empty");
    assert!(
        !(text.contains('{') || text.contains('}')),
        "{what}: a placeholder left in {text:?}"
    );
}

fn at() -> SimTime {
    SimTime::ZERO + SimDuration::from_millis(3_504)
}

fn causes() -> Vec<Cause> {
    let departures = [
        Departure::Crash {
            consumer: 1,
            at: at(),
        },
        Departure::PollTimeout {
            consumer: 0,
            at: at(),
            interval_ms: 500,
            gap: None,
            commit_failed: false,
        },
        Departure::PollTimeout {
            consumer: 0,
            at: at(),
            interval_ms: 500,
            gap: Some(SimDuration::from_millis(1_000)),
            commit_failed: true,
        },
    ];
    let habits = [
        CommitHabit::Auto { interval_ms: 5000 },
        CommitHabit::Before {
            mode: CommitMode::SyncBefore,
        },
        CommitHabit::After {
            mode: CommitMode::Async,
        },
        CommitHabit::Never,
    ];
    let mut out = vec![];
    for (i, start) in positions().into_iter().enumerate() {
        out.push(Cause::Resume {
            after: departures.get(i % 4).copied(),
            consumer: 0,
            partition: 1,
            offset: 7,
            start,
            habit: habits[i % habits.len()],
        });
    }
    for election in elections() {
        for unclean in [false, true] {
            out.push(Cause::LeaderCut {
                acks: "1".into(),
                election,
                new_leader: 2,
                unclean,
                log_end: 9,
            });
        }
    }
    for retry in [None, Some((KafkaError::RequestTimedOut, 1))] {
        for idempotent in [false, true] {
            out.push(Cause::Duplicate {
                batch: 3,
                retry,
                idempotent,
                offset: 4,
            });
            out.push(Cause::Reordered {
                batch: 3,
                retry_error: retry.map(|r| r.0),
                overtaken_by: 8,
                max_in_flight: 5,
                idempotent,
            });
        }
    }
    for crashed in [false, true] {
        out.push(Cause::ProducerStopped { crashed, at: at() });
    }
    out
}

fn positions() -> Vec<PositionReason> {
    vec![
        PositionReason::Committed { offset: 3 },
        PositionReason::ResetEarliest,
        PositionReason::ResetLatest { skipped: 10 },
        PositionReason::ResetNone,
        PositionReason::OutOfRange {
            offset: 5,
            reset: OffsetReset::Earliest,
        },
    ]
}

fn elections() -> Vec<ElectionCause> {
    vec![
        ElectionCause::LeaderFenced {
            leader: 0,
            crashed_at: at(),
            setting: "broker.session.timeout.ms",
            timeout_ms: 9000,
        },
        ElectionCause::BrokerBack { broker: 1 },
        ElectionCause::Unspecified,
    ]
}

fn explanations() -> Vec<Explanation> {
    let stop = Cause::ProducerStopped {
        crashed: false,
        at: at(),
    };
    let mut out = vec![
        Explanation::Unsent { stopped: None },
        Explanation::Unsent {
            stopped: Some(stop.clone()),
        },
        Explanation::Acks0NeverWritten,
        Explanation::NoLongerInLog,
        Explanation::Skipped {
            offset: 3,
            partition: 1,
        },
    ];
    for e in [
        KafkaError::DeliveryTimeout,
        KafkaError::ProducerClosed,
        KafkaError::NotEnoughReplicas,
    ] {
        for cut in [None, Some(stop.clone())] {
            out.push(Explanation::FailedNotWritten {
                error: e,
                delivery_timeout_ms: 120_000,
                stopped: Some(stop.clone()),
                cut,
            });
        }
    }
    let hidden = [
        HiddenAppend::DeliveryTimeout {
            delivery_timeout_ms: 1,
        },
        HiddenAppend::RequestTimeout {
            request_timeout_ms: 2,
        },
        HiddenAppend::AfterAppend {
            min_insync_replicas: 2,
        },
        HiddenAppend::ConnectionBroke,
        HiddenAppend::Closed { stopped: None },
        HiddenAppend::Closed {
            stopped: Some(Box::new(stop.clone())),
        },
        HiddenAppend::EarlierAnswerLost,
        HiddenAppend::AnswerLost,
    ];
    for (i, h) in hidden.into_iter().enumerate() {
        out.push(Explanation::FailedWritten {
            error: KafkaError::RequestTimedOut,
            offset: 4,
            processed: i % 2 == 0,
            hidden: h,
        });
    }
    for c in causes() {
        out.push(Explanation::NeverProcessed {
            offset: 1,
            resume: c.clone(),
        });
        out.push(Explanation::Cause(c));
    }
    out
}

fn faults() -> Vec<Fault> {
    vec![
        Fault::KillBroker { broker: 0 },
        Fault::RestartBroker { broker: 0 },
        Fault::KillLeader { partition: 0 },
        Fault::DropResponses {
            broker: None,
            count: 2,
        },
        Fault::DropResponses {
            broker: Some(1),
            count: 2,
        },
        Fault::RejectProduce {
            broker: None,
            count: 2,
        },
        Fault::RejectProduce {
            broker: Some(1),
            count: 2,
        },
        Fault::IsolateBroker { broker: 0 },
        Fault::HealBroker { broker: 0 },
        Fault::SlowLink {
            broker: 0,
            extra_ms: 5,
        },
        Fault::SlowFollower {
            broker: 0,
            extra_ms: 5,
        },
        Fault::CrashConsumer { consumer: 0 },
        Fault::RestartConsumer { consumer: 0 },
        Fault::CrashProducer,
        Fault::CloseProducer,
    ]
}

#[test]
fn every_reason_and_cause_has_words_in_both_languages() {
    for lang in Lang::ALL {
        for r in CloseReason::ALL {
            check(&format!("{r:?}"), &close(lang, r));
        }
        for c in [
            BumpCause::OutOfOrder { partition: 0 },
            BumpCause::FailedBatch {
                partition: 0,
                error: KafkaError::DeliveryTimeout,
            },
            BumpCause::Unresolved { partition: 0 },
        ] {
            check(&format!("{c:?}"), &bump(lang, &c));
        }
        for r in [
            RejectReason::NotLeader {
                broker: 0,
                partition: 1,
            },
            RejectReason::InjectedFault,
            RejectReason::IsrTooSmall {
                isr: vec![0],
                min_isr: 2,
            },
            RejectReason::SequenceGap {
                got: 5,
                expected: 3,
            },
            RejectReason::OldEpoch,
            RejectReason::NotReplicatedInTime,
        ] {
            check(&format!("{r:?}"), &reject(lang, &r));
        }
        for r in [
            IsrReason::FellBehind {
                brokers: vec![1, 2],
                lag_ms: 30_000,
            },
            IsrReason::Fenced { broker: 1 },
            IsrReason::CaughtUp {
                broker: 1,
                high_watermark: 10,
            },
        ] {
            check(&format!("{r:?}"), &isr(lang, &r));
        }
        for c in elections() {
            for o in ElectionOutcome::ALL {
                check(&format!("{c:?} {o:?}"), &election_result(lang, &c, o));
            }
        }
        for r in [
            TruncateReason::Diverged { leader: 0 },
            TruncateReason::BelowLogStart {
                leader: 0,
                log_start: 9,
            },
        ] {
            check(&format!("{r:?}"), &truncate(lang, &r));
        }
        for r in positions() {
            check(&format!("{r:?}"), &position(lang, &r));
        }
        for k in CommitKind::ALL {
            check(&format!("{k:?}"), commit_kind(lang, k));
            assert!(
                crate::i18n::has(&format!("commit_kind.{}", k.name())),
                "{k:?}"
            );
        }
        for x in explanations() {
            check(&format!("{x:?}"), &explanation(lang, &x));
        }
        for f in faults() {
            check(&format!("{f:?}"), &fault(lang, &f));
        }
    }
}

/// The English of faults stays what `--trace` always wrote.
#[test]
fn fault_words_match_the_trace() {
    let en: Vec<String> = faults().iter().map(|f| fault(Lang::En, f)).collect();
    assert_eq!(
        en,
        [
            "kill broker 0",
            "restart broker 0",
            "kill the leader of partition 0",
            "drop the next 2 produce responses",
            "drop the next 2 produce responses from broker 1",
            "refuse the next 2 produce batches (NOT_ENOUGH_REPLICAS)",
            "refuse the next 2 produce batches on broker 1 (NOT_ENOUGH_REPLICAS)",
            "isolate broker 0",
            "reconnect broker 0",
            "add 5 ms latency to broker 0",
            "slow broker 0's replication by 5 ms",
            "crash consumer 0",
            "restart consumer 0",
            "crash the producer",
            "force-close the producer",
        ]
    );
}

#[test]
fn departures_read_as_the_start_of_a_cause() {
    let resume = |after| Cause::Resume {
        after: Some(after),
        consumer: 1,
        partition: 0,
        offset: 5,
        start: PositionReason::Committed { offset: 5 },
        habit: CommitHabit::Never,
    };
    let text = cause(
        Lang::En,
        &resume(Departure::Crash {
            consumer: 1,
            at: at(),
        }),
    );
    assert_eq!(
        text,
        "after consumer 1 crashed at 3.504s, consumer 1 resumed partition 0 at offset 5 \
         (the group's committed offset 5); commit.mode=none never commits"
    );
    let mut d = Departure::PollTimeout {
        consumer: 0,
        at: at(),
        interval_ms: 500,
        gap: None,
        commit_failed: false,
    };
    assert!(cause(Lang::En, &resume(d)).starts_with(
        "after consumer 0 went max.poll.interval.ms=500 without calling poll() (still busy \
             with its last poll), so it left the group at 3.504s, "
    ));
    if let Departure::PollTimeout {
        gap, commit_failed, ..
    } = &mut d
    {
        *gap = Some(SimDuration::from_millis(1_000));
        *commit_failed = true;
    }
    assert!(cause(Lang::En, &resume(d)).starts_with(
        "after consumer 0 took 1.000s between two poll() calls, more than \
         max.poll.interval.ms=500, so it left the group at 3.504s and its commit failed \
         (CommitFailedException), "
    ));
    let zh = cause(Lang::Zh, &resume(d));
    assert!(
        zh.contains("消费者 0") && zh.contains("CommitFailedException"),
        "{zh}"
    );
}

/// A refused value reads in English exactly as the CLI says it, and has Chinese words.
#[test]
fn refused_values_in_both_languages() {
    let cases = [
        ("linger.ms", "abc"),
        ("linger.ms", "-5"),
        ("linger.ms", "1.23456"),
        ("batch.size", "x"),
        ("batch.size", "99999999999999999999"),
        ("batch.size", "0"),
        ("enable.idempotence", "maybe"),
        ("acks", "2"),
        ("auto.offset.reset", "middle"),
        ("lingerms", "5"),
        ("no.such.thing", "5"),
    ];
    let mut seen = 0;
    for (name, value) in cases {
        let mut cfg = crate::sim::config::Config::default();
        let Err(e) = cfg.set(name, value) else {
            continue;
        };
        seen += 1;
        assert_eq!(set_error(Lang::En, &e), e.to_string(), "{name}={value}");
        let zh = set_error(Lang::Zh, &e);
        check(&format!("{name}={value}"), &zh);
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{zh}"
        );
    }
    assert!(seen >= 9, "{seen}");
}

#[test]
fn accepted_values_read_as_the_cli_says_them_in_english_and_are_chinese_in_chinese() {
    for info in crate::sim::config::SETTINGS {
        if let Some(en) = accepted_words(Lang::En, &info.kind) {
            assert_eq!(en, info.accepted(), "{}", info.name);
            let zh = accepted_words(Lang::Zh, &info.kind).expect("both languages");
            assert!(!zh.contains(" to "), "{}: {zh}", info.name);
        }
    }
}
