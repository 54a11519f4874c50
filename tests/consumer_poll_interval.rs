//! `max.poll.interval.ms` in the classic consumer group: a consumer that does not call
//! `poll()` in time is left by its heartbeat thread (LeaveGroup), its commit then fails with
//! CommitFailedException, its next `poll()` rejoins, and what it had processed since its last
//! commit is processed again. Fixed seeds; every assertion is about behaviour.

mod common;
use common::{config, run, workload};
use kafka_flow::i18n::{Lang, describe};
use kafka_flow::sim::ledger::{LedgerReport, Verdict};
use kafka_flow::sim::reason::{CommitKind, PositionReason};
use kafka_flow::sim::{Command, KafkaVersion, Sim, SimDuration, SimTime, TraceEvent};

const RECORDS: u64 = 3_000;

/// (consumer, partitions) per member, as `TraceEvent::Rebalanced` has it.
type Assignment = Vec<(u32, Vec<u32>)>;

/// The brief's scenario: 3,000 records at 1,000/s, one consumer, 2 ms per record. The group
/// forms at 3 s with the whole backlog there, so the first poll returns 500 records: 1 s of
/// processing, twice max.poll.interval.ms=500.
fn slow(mode: &str, extra: &[(&str, &str)]) -> common::Run {
    let mut sets = vec![
        ("consumers", "1"),
        ("auto.offset.reset", "earliest"),
        ("commit.mode", mode),
        ("consumer.process.ms", "2"),
        ("max.poll.interval.ms", "500"),
    ];
    sets.extend_from_slice(extra);
    run(
        config(KafkaVersion::V4, &sets),
        workload(RECORDS, Some("hello{i}"), "hello{i}", 1_000.0),
        &[],
        1,
    )
}

/// Every record has exactly one verdict: the counts add up to the records sent.
fn assert_one_verdict_each(r: &common::Run, rep: &LedgerReport) {
    let total: u64 = rep.counts.values().sum();
    assert_eq!(
        total,
        r.sim.view().records().len() as u64,
        "{:?}",
        rep.counts
    );
    assert_eq!(total, RECORDS, "{:?}", rep.counts);
}

fn first_leave(r: &common::Run, consumer: u32) -> Option<(SimTime, u64, u64)> {
    r.events().find_map(|(t, e)| match e {
        TraceEvent::LeftGroupPollTimeout {
            consumer: c,
            since_poll_us,
            max_poll_interval_ms,
            ..
        } if *c == consumer => Some((t, *since_poll_us, *max_poll_interval_ms)),
        _ => None,
    })
}

fn duplicate_causes(rep: &LedgerReport) -> Vec<String> {
    rep.examples
        .iter()
        .filter(|e| e.verdict == Verdict::DuplicatedProcessing)
        .map(|e| describe::explanation(Lang::En, &e.cause))
        .collect()
}

#[test]
fn a_slow_consumer_leaves_the_group_its_commit_fails_and_it_processes_again() {
    let r = slow("sync", &[]);
    let (left_at, since_poll, interval) = first_leave(&r, 0).expect("the consumer left");
    assert_eq!(interval, 500);
    assert!(since_poll >= 500_000, "{since_poll}");

    // The coordinator removes it at once (LeaveGroup), without waiting for session.timeout.ms.
    let removed_at = r
        .events()
        .find_map(|(t, e)| matches!(e, TraceEvent::MemberLeft { consumer: 0, .. }).then_some(t))
        .expect("the coordinator removed the member");
    assert!(removed_at >= left_at && removed_at.since(left_at).as_micros() < 10_000);

    // Its commitSync after processing fails inside the client: no OffsetCommit is sent.
    let (failed_at, kind) = r
        .events()
        .find_map(|(t, e)| match e {
            TraceEvent::CommitFailedNotInGroup {
                consumer: 0, kind, ..
            } => Some((t, *kind)),
            _ => None,
        })
        .expect("the commit failed");
    assert!(failed_at > left_at);
    assert_eq!(kind, CommitKind::SyncAfterProcessing);
    assert!(
        !r.events()
            .any(|(t, e)| t >= left_at && matches!(e, TraceEvent::CommitSent { .. })),
        "no OffsetCommit leaves a consumer without a generation (and it never gets past its first poll)"
    );

    // Its next poll() rejoins. The group was left empty, so this is an initial rebalance
    // again: group.initial.rebalance.delay.ms (3 s) after the JoinGroup.
    let rejoined_at = r
        .events()
        .find_map(|(t, e)| match e {
            TraceEvent::Rebalanced { assignment, .. }
                if t > failed_at && assignment.iter().any(|(c, _)| *c == 0) =>
            {
                Some(t)
            }
            _ => None,
        })
        .expect("it rejoined");
    assert!(rejoined_at.since(failed_at).as_micros() >= 3_000_000);

    let rep = r.sim.view().verdicts();
    assert!(rep.duplicated.processing > 0, "{:?}", rep.counts);
    let causes = duplicate_causes(&rep);
    assert!(!causes.is_empty());
    for c in causes {
        assert!(
            c.contains("max.poll.interval.ms=500")
                && c.contains("left the group")
                && c.contains("CommitFailedException")
                && c.contains("between two poll() calls"),
            "{c}"
        );
    }
    let stats = &r.sim.view().consumer_group().stats;
    assert!(stats.poll_timeouts >= 1 && stats.commits_failed >= 1);
    assert_one_verdict_each(&r, &rep);
}

#[test]
fn the_cures_are_a_longer_max_poll_interval_or_fewer_records_per_poll() {
    // 500 records × 2 ms = 1 s per poll: under a 2 s interval, or 100 records × 2 ms = 0.2 s
    // per poll under the 500 ms one.
    for cure in [
        ("max.poll.interval.ms", "2000"),
        ("max.poll.records", "100"),
    ] {
        let r = slow("sync", &[cure]);
        assert!(first_leave(&r, 0).is_none(), "{cure:?}");
        assert_eq!(
            r.sim.view().consumer_group().stats.poll_timeouts,
            0,
            "{cure:?}"
        );
        let rep = r.sim.view().verdicts();
        assert_eq!(rep.duplicated.processing, 0, "{cure:?}: {:?}", rep.counts);
        assert_eq!(
            rep.counts.get("delivered"),
            Some(&RECORDS),
            "{cure:?}: {:?}",
            rep.counts
        );
        assert_one_verdict_each(&r, &rep);
    }
}

#[test]
fn async_and_auto_commits_fail_the_same_way_and_committing_first_does_not_duplicate() {
    for (mode, kind) in [
        ("async", CommitKind::AsyncAfterProcessing),
        // onJoinPrepare's auto-commit fails at once; the consumer joins anyway.
        ("auto", CommitKind::AutoBeforeRebalance),
    ] {
        let r = slow(mode, &[]);
        assert!(first_leave(&r, 0).is_some(), "{mode}");
        assert!(
            r.events().any(|(_, e)| matches!(
                e,
                TraceEvent::CommitFailedNotInGroup { kind: k, .. } if *k == kind
            )),
            "{mode}"
        );
        let rep = r.sim.view().verdicts();
        assert!(rep.duplicated.processing > 0, "{mode}: {:?}", rep.counts);
        assert!(
            duplicate_causes(&rep)
                .iter()
                .all(|c| c.contains("max.poll.interval.ms=500")),
            "{mode}"
        );
        assert_one_verdict_each(&r, &rep);
    }
    // Committing before processing: the poll's offsets were committed before the slow part,
    // so leaving costs rebalances but no record is processed twice (a crash would lose some).
    let r = slow("sync-before", &[]);
    assert!(r.sim.view().consumer_group().stats.poll_timeouts > 0);
    let rep = r.sim.view().verdicts();
    assert_eq!(
        rep.counts.get("delivered"),
        Some(&RECORDS),
        "{:?}",
        rep.counts
    );
}

#[test]
fn with_two_consumers_the_slow_ones_partitions_move_to_the_other() {
    // RangeAssignor: consumer 0 gets partitions 0 and 1, consumer 1 partition 2. At 400
    // records/s and 5 ms per record consumer 0 gets two thirds of the records and cannot keep
    // up (1.33 s of work per second); consumer 1 can (0.67 s). Consumer 0's polls grow until
    // one takes longer than max.poll.interval.ms.
    let cfg = config(
        KafkaVersion::V4,
        &[
            ("consumers", "2"),
            ("auto.offset.reset", "earliest"),
            ("commit.mode", "sync"),
            ("consumer.process.ms", "5"),
            ("max.poll.interval.ms", "2200"),
        ],
    );
    let r = run(
        cfg,
        workload(6_000, Some("hello{i}"), "hello{i}", 400.0),
        &[],
        1,
    );
    let rebalances: Vec<(SimTime, Assignment)> = r
        .events()
        .filter_map(|(t, e)| match e {
            TraceEvent::Rebalanced { assignment, .. } => Some((t, assignment.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(rebalances[0].1, vec![(0, vec![0, 1]), (1, vec![2])]);
    let (left_at, _, _) = first_leave(&r, 0).expect("consumer 0 left");
    assert!(
        first_leave(&r, 1).is_none_or(|(t, _, _)| t > left_at),
        "consumer 0 is the slow one"
    );
    // The next rebalance, while consumer 0 is away: consumer 1 owns everything.
    let (moved_at, after) = rebalances
        .iter()
        .find(|(t, _)| *t > left_at)
        .expect("a rebalance after the leave");
    assert_eq!(after, &vec![(1, vec![0, 1, 2])]);
    // Consumer 1 resumes consumer 0's partitions at the committed offsets, until the next
    // rebalance, which consumer 0 starts by rejoining after its commit failed. (Its first poll
    // of them is as big as consumer 0's was, so it will soon be too slow in turn: work that is
    // too slow for one member moves around the group.)
    let failed_at = r
        .events()
        .find_map(|(t, e)| {
            matches!(e, TraceEvent::CommitFailedNotInGroup { consumer: 0, .. }).then_some(t)
        })
        .expect("consumer 0's commit failed");
    assert!(failed_at > *moved_at);
    let back_at = rebalances
        .iter()
        .find(|(t, a)| *t > failed_at && a.iter().any(|(c, _)| *c == 0))
        .map(|(t, _)| *t)
        .expect("consumer 0 rejoined");
    for p in [0, 1] {
        assert!(
            r.events().any(|(t, e)| t >= *moved_at
                && t <= back_at
                && matches!(e, TraceEvent::PositionSet { consumer: 1, partition, reason, .. }
                    if *partition == p && matches!(reason, PositionReason::Committed { .. }))),
            "consumer 1 took partition {p} over from the committed offset while consumer 0 was away"
        );
    }
    let rep = r.sim.view().verdicts();
    assert!(rep.duplicated.processing > 0, "{:?}", rep.counts);
    assert!(
        duplicate_causes(&rep)
            .iter()
            .any(|c| c.contains("consumer 0")
                && c.contains("max.poll.interval.ms=2200")
                && c.contains("consumer 1 resumed partition")),
        "{:?}",
        duplicate_causes(&rep)
    );
    let total: u64 = rep.counts.values().sum();
    assert_eq!(total, 6_000, "{:?}", rep.counts);
}

#[test]
fn a_poll_timeout_run_is_deterministic() {
    let a = slow("sync", &[]);
    let b = slow("sync", &[]);
    assert_eq!(a.trace, b.trace);
}

#[test]
fn processing_that_slows_down_mid_poll_finishes_late_and_can_cross_the_interval() {
    // 500 records at 1 ms each fit in max.poll.interval.ms=800, until the application slows to
    // 3 ms a record for a while (a live change, as the TUI's knob makes) in the middle of them.
    let cfg = config(
        KafkaVersion::V4,
        &[
            ("consumers", "1"),
            ("auto.offset.reset", "earliest"),
            ("commit.mode", "sync"),
            ("consumer.process.ms", "1"),
            ("max.poll.interval.ms", "800"),
        ],
    );
    let mut sim = Sim::new(
        cfg,
        workload(RECORDS, Some("hello{i}"), "hello{i}", 1_000.0),
        1,
    )
    .expect("valid config");
    for (at_ms, value) in [(3_200, "3"), (4_000, "1")] {
        sim.schedule(
            SimTime::ZERO + SimDuration::from_millis(at_ms),
            Command::Set {
                name: "consumer.process.ms".to_string(),
                value: value.to_string(),
            },
        );
    }
    sim.run(None);
    let r = common::Run {
        trace: sim.drain_trace(),
        sim,
    };
    let (left_at, _, _) = first_leave(&r, 0).expect("the slowed poll crossed the interval");
    assert!(left_at > SimTime::ZERO + SimDuration::from_millis(3_200));
    // The poll that was in progress still finished, and the consumer carried on.
    assert!(
        r.events()
            .any(|(t, e)| t > left_at && matches!(e, TraceEvent::Processed { consumer: 0, .. }))
    );
    let rep = r.sim.view().verdicts();
    assert!(rep.duplicated.processing > 0, "{:?}", rep.counts);
    assert_eq!(rep.counts.get("in_progress"), None, "{:?}", rep.counts);
    assert_one_verdict_each(&r, &rep);
}

mod properties {
    use kafka_flow::sim::workload::Workload;
    use kafka_flow::sim::{Config, KafkaVersion, Sim};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Slow consumers that leave and rejoin, in every commit mode: no panic, every
        /// record has exactly one verdict, and committing after processing (or auto-commit)
        /// never loses a record, however often members leave.
        #[test]
        fn leaving_on_poll_timeouts_keeps_one_verdict_per_record(
            consumers in 1u32..4,
            mode in prop_oneof![
                Just("auto"), Just("sync"), Just("async"),
                Just("sync-before"), Just("async-before"), Just("none"),
            ],
            process_ms in prop_oneof![Just("0.5"), Just("1"), Just("2"), Just("5")],
            max_poll_records in prop_oneof![Just("20"), Just("100"), Just("500")],
            interval_ms in prop_oneof![Just("50"), Just("200"), Just("1000"), Just("300000")],
            records in 100u64..1_500,
            rate in 200.0f64..3_000.0,
            seed in any::<u64>(),
        ) {
            let mut cfg = Config::defaults(KafkaVersion::V4);
            for (k, v) in [
                ("consumers", consumers.to_string()),
                ("commit.mode", mode.to_string()),
                ("auto.offset.reset", "earliest".to_string()),
                ("session.timeout.ms", "6000".to_string()),
                ("heartbeat.interval.ms", "2000".to_string()),
                ("consumer.process.ms", process_ms.to_string()),
                ("max.poll.records", max_poll_records.to_string()),
                ("max.poll.interval.ms", interval_ms.to_string()),
            ] {
                cfg.set(k, &v).unwrap();
            }
            let w = Workload { records, rate, ..Workload::notes_loop(records) };
            let mut sim = Sim::new(cfg, w, seed).unwrap();
            sim.set_trace_enabled(false);
            sim.run(None);
            let rep = sim.view().verdicts();
            let total: u64 = rep.counts.values().sum();
            prop_assert_eq!(total, sim.view().records().len() as u64);
            if matches!(mode, "auto" | "sync" | "async") {
                prop_assert_eq!(rep.lost.consumer, 0, "{:?} {:?}", rep.counts, rep.examples);
            }
            if sim.view().consumer_group().stats.poll_timeouts == 0 {
                prop_assert_eq!(sim.view().consumer_group().stats.commits_failed, 0, "{:?}", rep.counts);
            }
        }
    }
}
