//! The ledger's verdicts for the classic anomalies and their cures (issue: consumer,
//! faults and the ledger), with fixed seeds.

mod common;
use common::{config, run, workload};
use kafka_flow::sim::ledger::Verdict;
use kafka_flow::sim::view::RecordState;
use kafka_flow::sim::{KafkaVersion, TraceEvent};

fn report(r: &common::Run) -> kafka_flow::sim::ledger::LedgerReport {
    r.sim.view().verdicts()
}

fn causes(r: &kafka_flow::sim::ledger::LedgerReport, v: Verdict) -> Vec<String> {
    r.examples
        .iter()
        .filter(|e| e.verdict == v)
        .map(|e| e.cause.to_string())
        .collect()
}

const CONSUME: (&str, &str) = ("auto.offset.reset", "earliest");

#[test]
fn acks_one_loses_what_the_dead_leader_acknowledged_and_acks_all_does_not() {
    // Replication from broker 0 lags 50 ms; broker 0 (leader of partition 0) then dies.
    let faults = ["200ms:slow-follower:0:50", "300ms:kill-leader:0"];
    let w = || workload(6_000, Some("hello{i}"), "hello{i}", 5_000.0);
    let one = run(
        config(
            KafkaVersion::V4,
            &[("acks", "1"), ("consumers", "1"), CONSUME],
        ),
        w(),
        &faults,
        1,
    );
    let rep = report(&one);
    assert!(rep.lost.broker > 0, "{:?}", rep.counts);
    let why = causes(&rep, Verdict::LostBroker);
    assert!(
        why[0].contains("acks=1")
            && why[0].contains("leader 0 crashed")
            && why[0].contains("broker 1"),
        "{why:?}"
    );
    // Lost records were acknowledged: the producer believed them written.
    let lost = rep
        .examples
        .iter()
        .find(|e| e.verdict == Verdict::LostBroker)
        .unwrap();
    assert_eq!(
        one.sim.view().records()[lost.record as usize].state,
        RecordState::Acked
    );

    let all = run(
        config(
            KafkaVersion::V4,
            &[
                ("acks", "all"),
                ("min.insync.replicas", "2"),
                ("consumers", "1"),
                CONSUME,
            ],
        ),
        w(),
        &faults,
        1,
    );
    let rep = report(&all);
    assert_eq!(rep.lost.broker, 0, "{:?}", rep.counts);
    assert_eq!(
        rep.counts.get("delivered"),
        Some(&6_000),
        "{:?}",
        rep.counts
    );
}

#[test]
fn acks_zero_loses_silently() {
    let cfg = config(KafkaVersion::V4, &[("acks", "0")]);
    let r = run(
        cfg,
        workload(5_000, Some("hello{i}"), "hello{i}", 5_000.0),
        &["300ms:kill-broker:1"],
        1,
    );
    let rep = report(&r);
    assert!(rep.lost.broker > 0, "{:?}", rep.counts);
    // The producer saw success, with offset -1, for every one of them.
    for e in rep
        .examples
        .iter()
        .filter(|e| e.verdict == Verdict::LostBroker)
    {
        let m = r.sim.view().records()[e.record as usize];
        assert_eq!((m.state, m.offset), (RecordState::Acked, -1));
        assert!(e.cause.to_string().contains("acks=0"), "{}", e.cause);
    }
    assert_eq!(
        r.sim.view().application().stats.failed,
        0,
        "nothing failed visibly"
    );
}

#[test]
fn lost_responses_duplicate_in_the_log_unless_idempotent() {
    let w = || workload(4_000, Some("hello{i}"), "hello{i}", 5_000.0);
    let fault = ["200ms:drop-responses:1:0"];
    let plain = run(
        config(KafkaVersion::V4, &[("enable.idempotence", "false")]),
        w(),
        &fault,
        1,
    );
    let rep = report(&plain);
    assert!(rep.duplicated.log > 0);
    let why = causes(&rep, Verdict::DuplicatedLog);
    assert!(
        why[0].contains("enable.idempotence=false") && why[0].contains("REQUEST_TIMED_OUT"),
        "{why:?}"
    );

    let idem = run(config(KafkaVersion::V4, &[]), w(), &fault, 1);
    let rep = report(&idem);
    assert_eq!(rep.duplicated.log, 0);
    assert_eq!(rep.counts.get("delivered"), Some(&4_000));
}

#[test]
fn a_transient_error_reorders_only_with_several_in_flight_and_no_idempotence() {
    let w = || workload(3_000, Some("hello{i}"), "hello{i}", 5_000.0);
    let fault = ["100ms:reject-produce:1:0"];
    let reordered = |sets: &[(&str, &str)]| {
        report(&run(config(KafkaVersion::V4, sets), w(), &fault, 1)).reordered
    };
    let base = ("linger.ms", "0");
    let n = reordered(&[
        base,
        ("enable.idempotence", "false"),
        ("max.in.flight.requests.per.connection", "5"),
    ]);
    assert!(n > 0);
    assert_eq!(
        reordered(&[
            base,
            ("enable.idempotence", "false"),
            ("max.in.flight.requests.per.connection", "1")
        ]),
        0
    );
    assert_eq!(reordered(&[base, ("enable.idempotence", "true")]), 0);
    let r = report(&run(
        config(KafkaVersion::V4, &[base, ("enable.idempotence", "false")]),
        w(),
        &fault,
        1,
    ));
    let why = causes(&r, Verdict::Reordered);
    assert!(
        why[0].contains("NOT_ENOUGH_REPLICAS")
            && why[0].contains("max.in.flight.requests.per.connection=5"),
        "{why:?}"
    );
}

/// Consumer crash at 10 s and restart: what each commit style costs. Processing (0.4 ms a
/// record at 3,000 records/s) is slower than production, so the consumer is always inside a
/// poll's batch when it crashes: that is the moment each commit style is about (a consumer
/// that keeps up idles between polls, and a crash there costs nothing in any mode).
fn consumer_crash(mode: &str) -> (common::Run, kafka_flow::sim::ledger::LedgerReport) {
    let cfg = config(
        KafkaVersion::V4,
        &[
            ("consumers", "1"),
            CONSUME,
            ("commit.mode", mode),
            ("consumer.process.ms", "0.4"),
            ("session.timeout.ms", "10000"),
        ],
    );
    let r = run(
        cfg,
        workload(40_000, Some("hello{i}"), "hello{i}", 3_000.0),
        &["10s:crash-consumer", "11s:restart-consumer"],
        1,
    );
    let rep = report(&r);
    (r, rep)
}

#[test]
fn auto_commit_crash_reprocesses_at_most_about_one_interval() {
    let (r, rep) = consumer_crash("auto");
    assert_eq!(rep.lost.consumer, 0);
    assert!(rep.duplicated.processing > 0);
    // 5 s of auto.commit.interval.ms at 3,000 records/s, plus one poll's worth.
    assert!(
        rep.duplicated.processing <= 15_000 + 500,
        "{}",
        rep.duplicated.processing
    );
    let why = causes(&rep, Verdict::DuplicatedProcessing);
    assert!(
        why[0].contains("crashed at 10.000s") && why[0].contains("auto.commit.interval.ms=5000"),
        "{why:?}"
    );
    // Auto-commits were sent from inside poll(), every 5 s.
    let autos: Vec<u64> = r
        .events()
        .filter_map(|(t, e)| match e {
            TraceEvent::CommitSent { kind, .. }
                if *kind == kafka_flow::sim::reason::CommitKind::AutoInsidePoll =>
            {
                Some(t.as_millis())
            }
            _ => None,
        })
        .collect();
    assert!(autos.len() >= 2, "{autos:?}");
    assert!(autos.windows(2).all(|w| w[1] - w[0] >= 5_000), "{autos:?}");
}

#[test]
fn commit_after_processing_reprocesses_only_the_last_poll() {
    for mode in ["sync", "async"] {
        let (_, rep) = consumer_crash(mode);
        assert_eq!(rep.lost.consumer, 0, "{mode}");
        assert!(rep.duplicated.processing > 0, "{mode}");
        assert!(
            rep.duplicated.processing <= 500,
            "{mode}: at most one poll (max.poll.records=500): {}",
            rep.duplicated.processing
        );
    }
}

#[test]
fn commit_before_processing_loses_and_never_duplicates() {
    for mode in ["sync-before", "async-before"] {
        let (_, rep) = consumer_crash(mode);
        assert!(rep.lost.consumer > 0, "{mode}");
        assert_eq!(rep.duplicated.processing, 0, "{mode}");
        let why = causes(&rep, Verdict::LostConsumer);
        assert!(why[0].contains("commits before processing"), "{why:?}");
    }
}

#[test]
fn a_producer_crash_leaves_records_unsent_not_lost() {
    let cfg = config(KafkaVersion::V4, &[("linger.ms", "1000")]);
    let r = run(
        cfg,
        workload(2_000, Some("hello{i}"), "hello{i}", 1_000.0),
        &["20ms:crash-producer"],
        1,
    );
    let rep = report(&r);
    assert!(
        rep.counts.get("unsent").copied().unwrap_or(0) > 0,
        "{:?}",
        rep.counts
    );
    assert_eq!(rep.lost.broker, 0);
    let why = rep
        .examples
        .iter()
        .find(|e| e.verdict == Verdict::Unsent)
        .unwrap();
    assert!(why.cause.to_string().contains("crashed"), "{}", why.cause);
}

#[test]
fn every_record_has_exactly_one_verdict() {
    let (r, rep) = consumer_crash("auto");
    let total: u64 = rep.counts.values().sum();
    assert_eq!(total, r.sim.view().records().len() as u64);
}

#[test]
fn two_consumers_share_the_partitions_and_take_over_from_a_dead_one() {
    let cfg = config(
        KafkaVersion::V4,
        &[
            ("consumers", "2"),
            CONSUME,
            ("commit.mode", "sync"),
            ("session.timeout.ms", "6000"),
        ],
    );
    let r = run(
        cfg,
        workload(20_000, Some("hello{i}"), "hello{i}", 2_000.0),
        &["5s:crash-consumer:1"],
        1,
    );
    let assignments: Vec<Vec<(u32, Vec<u32>)>> = r
        .events()
        .filter_map(|(_, e)| match e {
            TraceEvent::Rebalanced { assignment, .. } => Some(assignment.clone()),
            _ => None,
        })
        .collect();
    // RangeAssignor: 3 partitions over 2 members gives 2 + 1; after consumer 1's session
    // expires, consumer 0 owns all three.
    assert_eq!(
        assignments.first().unwrap(),
        &vec![(0, vec![0, 1]), (1, vec![2])]
    );
    assert_eq!(assignments.last().unwrap(), &vec![(0, vec![0, 1, 2])]);
    assert!(
        r.events()
            .any(|(_, e)| matches!(e, TraceEvent::MemberExpired { consumer: 1, .. }))
    );
    let rep = report(&r);
    assert_eq!(rep.lost.consumer, 0);
    assert_eq!(rep.counts.get("in_progress"), None, "{:?}", rep.counts);
}
