//! Compaction keeps memory flat by forgetting what can no longer change. It must change
//! nothing else: a run that compacts all the time and a run that never compacts give the
//! same trace, the same ledger and the same summary, whatever happens in them.

mod common;
use kafka_flow::sim::command::Fault;
use kafka_flow::sim::compaction::Compaction;
use kafka_flow::sim::summary::Summary;
use kafka_flow::sim::workload::Workload;
use kafka_flow::sim::{Command, Config, KafkaVersion, Sim, SimTime};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Case {
    sets: Vec<(&'static str, String)>,
    records: u64,
    rate: f64,
    faults: Vec<(u64, Fault)>,
    seed: u64,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![Just("all"), Just("1"), Just("0")],
        any::<bool>(),
        1u32..=2,
        prop_oneof![
            Just("auto"),
            Just("sync"),
            Just("async"),
            Just("sync-before"),
            Just("none")
        ],
        any::<bool>(),
        0u64..6,
        300u64..3_000,
        prop_oneof![Just(0.0), 500.0f64..20_000.0],
        proptest::collection::vec((0u64..3_000, common::any_fault(1, false)), 0..6),
        any::<u64>(),
    )
        .prop_map(
            |(acks, keyed, consumers, mode, unclean, linger, records, rate, faults, seed)| Case {
                sets: vec![
                    ("acks", acks.to_string()),
                    ("consumers", consumers.to_string()),
                    ("commit.mode", mode.to_string()),
                    ("unclean.leader.election.enable", unclean.to_string()),
                    ("linger.ms", linger.to_string()),
                    ("auto.offset.reset", "earliest".to_string()),
                    ("replica.lag.time.max.ms", "500".to_string()),
                    ("broker.session.timeout.ms", "1000".to_string()),
                    ("session.timeout.ms", "6000".to_string()),
                    ("request.timeout.ms", "1500".to_string()),
                    ("delivery.timeout.ms", "3000".to_string()),
                    ("consumer.process.ms", "0.05".to_string()),
                    ("partitioner.ignore.keys", (!keyed).to_string()),
                ],
                records,
                rate,
                faults,
                seed,
            },
        )
}

/// Runs the case to its end and returns (trace as JSON lines, summary as JSON).
fn run(c: &Case, compaction: Compaction) -> (String, String) {
    let mut cfg = Config::defaults(KafkaVersion::V4);
    for (k, v) in &c.sets {
        cfg.set(k, v).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
    }
    let w = Workload {
        records: c.records,
        rate: c.rate,
        ..Workload::notes_loop(c.records)
    };
    let mut sim = Sim::new(cfg, w, c.seed).unwrap();
    sim.set_compaction(compaction);
    for (at, f) in &c.faults {
        sim.schedule(
            SimTime::from_millis(*at),
            Command::Fault { fault: f.clone() },
        );
    }
    let mut trace = String::new();
    sim.run_with(None, &mut |chunk| {
        for r in chunk {
            trace.push_str(&serde_json::to_string(&r).unwrap());
            trace.push('\n');
        }
    });
    let summary = serde_json::to_string_pretty(&Summary::of(&sim)).unwrap();
    (trace, summary)
}

/// Compacting after every few events, with a window of one record.
fn eager(replica_logs: bool) -> Compaction {
    Compaction {
        window: 1,
        every_events: 3,
        replica_logs,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn compacting_changes_nothing_observable(c in case()) {
        let (trace, summary) = run(&c, Compaction::never());
        let (trace2, summary2) = run(&c, eager(false));
        prop_assert!(trace == trace2, "the trace changed");
        prop_assert_eq!(summary, summary2);
        // The replicas' logs may drop batches too, unless a broker is down meanwhile (then
        // a replica that returns behind the log start starts again there, as after retention).
        if !c.faults.iter().any(|(_, f)| matches!(f, Fault::KillBroker { .. } | Fault::KillLeader { .. })) {
            let (trace3, summary3) = run(&c, eager(true));
            prop_assert!(trace == trace3, "the trace changed with replica logs compacted");
            prop_assert_eq!(run(&c, Compaction::never()).1, summary3);
        }
    }
}

#[test]
fn a_finished_run_keeps_nothing_per_record_and_reports_the_same() {
    let c = Case {
        sets: vec![
            ("commit.mode", "sync".to_string()),
            ("auto.offset.reset", "earliest".to_string()),
            ("consumer.process.ms", "0.6".to_string()),
        ],
        records: 20_000,
        rate: 2_000.0,
        faults: vec![
            (4_000, Fault::CrashConsumer { consumer: 0 }),
            (4_500, Fault::RestartConsumer { consumer: 0 }),
        ],
        seed: 3,
    };
    let mut cfg = Config::defaults(KafkaVersion::V4);
    for (k, v) in &c.sets {
        cfg.set(k, v).unwrap();
    }
    let mut sim = Sim::new(
        cfg,
        Workload {
            rate: c.rate,
            ..Workload::notes_loop(c.records)
        },
        c.seed,
    )
    .unwrap();
    sim.set_compaction(eager(true));
    for (at, f) in &c.faults {
        sim.schedule(
            SimTime::from_millis(*at),
            Command::Fault { fault: f.clone() },
        );
    }
    sim.run(None);
    sim.compact();
    let rep = sim.view().verdicts();
    assert!(
        rep.duplicated.processing > 0,
        "the crash duplicated some processing"
    );
    // Every record was counted for good and forgotten, and the replicas kept nothing the
    // consumer had finished with.
    assert_eq!(sim.view().records().base(), 20_000);
    let kept: usize = sim
        .view()
        .partitions()
        .iter()
        .map(|p| p.replicas.iter().map(|r| r.log_batches).sum::<usize>())
        .sum();
    assert_eq!(kept, 0, "batches left in the replicas' logs");
    assert_eq!(run(&c, Compaction::never()).1, run(&c, eager(true)).1);
}

/// Memory follows the records in play, not the length of the run: sampled every 100 ms of
/// virtual time, the per-record and per-batch state stays bounded while a million records
/// flow through producer, brokers and a consumer that keeps up.
#[test]
fn what_is_kept_stays_bounded_however_long_the_run() {
    let mut cfg = Config::defaults(KafkaVersion::V4);
    for (k, v) in [
        ("commit.mode", "async"),
        ("auto.offset.reset", "earliest"),
        ("consumer.process.ms", "0.002"),
        ("max.poll.records", "2000"),
    ] {
        cfg.set(k, v).unwrap();
    }
    let w = Workload {
        key: None,
        rate: 100_000.0,
        ..Workload::notes_loop(1_000_000)
    };
    let mut sim = Sim::new(cfg, w, 5).unwrap();
    sim.set_trace_enabled(false);
    let mut peak = kafka_flow::sim::compaction::Footprint::default();
    let mut t = SimTime::ZERO;
    while sim.now().as_millis() < 12_000 {
        t += kafka_flow::sim::SimDuration::from_millis(100);
        sim.run(Some(t));
        if t.as_millis() < 6_000 {
            // The group forms after group.initial.rebalance.delay.ms (3 s) and works off
            // what was produced meanwhile: that backlog is real, not a leak.
            continue;
        }
        let f = sim.footprint();
        peak.records_kept = peak.records_kept.max(f.records_kept);
        peak.offsets_kept = peak.offsets_kept.max(f.offsets_kept);
        peak.replica_batches = peak.replica_batches.max(f.replica_batches);
        peak.queued_events = peak.queued_events.max(f.queued_events);
    }
    assert_eq!(sim.view().application().stats.acked, 1_000_000, "{peak:?}");
    // One compaction window plus what is in flight or waiting to be consumed; the queue
    // holds 30 s of request timeouts.
    assert!(peak.records_kept < 150_000, "{peak:?}");
    assert!(peak.offsets_kept < 150_000, "{peak:?}");
    assert!(peak.replica_batches < 3_000, "{peak:?}");
    assert!(peak.queued_events < 50_000, "{peak:?}");
}
