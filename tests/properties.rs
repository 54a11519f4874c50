//! Property tests over random configurations, workloads and faults: no panic,
//! every record ends in exactly one state, and the in-flight and memory limits hold.

mod common;
use kafka_flow::sim::command::Fault;
use kafka_flow::sim::view::RecordState;
use kafka_flow::sim::workload::{SendMode, Template, Workload};
use kafka_flow::sim::{Command, Config, KafkaVersion, Sim, SimDuration, SimTime, TraceEvent};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Scenario {
    version: KafkaVersion,
    sets: Vec<(&'static str, String)>,
    records: u64,
    rate: f64,
    keyed: bool,
    value_bytes: Option<usize>,
    sync: bool,
    flush_every: u64,
    faults: Vec<(u64, Fault)>,
    seed: u64,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let version = prop_oneof![
        Just(KafkaVersion::V4),
        Just(KafkaVersion::V3),
        Just(KafkaVersion::V2_8)
    ];
    let producer = (
        prop_oneof![Just("all"), Just("1"), Just("0")],
        any::<bool>(),
        1u32..=5,
        0u64..20,
        prop_oneof![Just(0u32), 100u32..2_000, Just(16_384)],
        prop_oneof![Just(65_536u64), Just(1_048_576), Just(33_554_432)],
        prop_oneof![Just(0u32), Just(3), Just(i32::MAX as u32)],
    );
    let topo = (1u32..=3, 1u32..=4, prop_oneof![Just(true), Just(false)]);
    let work = (
        0u64..1_500,
        prop_oneof![Just(0.0), 100.0..50_000.0],
        any::<bool>(),
        proptest::option::of(0usize..3_000),
        prop::bool::weighted(0.1),
        prop_oneof![Just(0u64), 1u64..300],
    );
    let faults = proptest::collection::vec((0u64..3_000, common::any_fault(0, true)), 0..4);
    (version, producer, topo, work, faults, any::<u64>()).prop_map(
        |(
            version,
            (acks, idem, inflight, linger, batch, memory, retries),
            (min_isr, latency, unclean),
            (records, rate, keyed, value_bytes, sync, flush_every),
            faults,
            seed,
        )| {
            // Idempotence is only requested explicitly when it is compatible (else Kafka refuses to start).
            let idem = idem && acks == "all" && retries > 0;
            Scenario {
                version,
                sets: vec![
                    ("acks", acks.to_string()),
                    ("enable.idempotence", idem.to_string()),
                    (
                        "max.in.flight.requests.per.connection",
                        inflight.to_string(),
                    ),
                    ("linger.ms", linger.to_string()),
                    ("batch.size", batch.to_string()),
                    ("buffer.memory", memory.to_string()),
                    ("retries", retries.to_string()),
                    ("min.insync.replicas", min_isr.to_string()),
                    ("network.latency.ms", latency.to_string()),
                    ("unclean.leader.election.enable", unclean.to_string()),
                    ("request.timeout.ms", "2000".to_string()),
                    ("delivery.timeout.ms", "6000".to_string()),
                    ("max.block.ms", "1000".to_string()),
                    ("broker.session.timeout.ms", "1500".to_string()),
                ],
                records,
                rate,
                keyed,
                value_bytes,
                sync,
                flush_every,
                faults,
                seed,
            }
        },
    )
}

fn build(s: &Scenario) -> Sim {
    let mut cfg = Config::defaults(s.version);
    for (k, v) in &s.sets {
        cfg.set(k, v).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
    }
    let w = Workload {
        records: s.records,
        rate: s.rate,
        key: s.keyed.then(|| Template::parse("k{i}").unwrap()),
        value: Template::parse("v{i}").unwrap(),
        value_bytes: s.value_bytes,
        send_mode: if s.sync {
            SendMode::Sync
        } else {
            SendMode::Async
        },
        close_when_done: true,
        flush_every: s.flush_every,
    };
    let mut sim = Sim::new(cfg, w, s.seed).expect("valid scenario");
    for (at, f) in &s.faults {
        sim.schedule(
            SimTime::from_millis(*at),
            Command::Fault { fault: f.clone() },
        );
    }
    sim
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn every_record_ends_in_one_state_and_limits_hold(s in scenario()) {
        let mut sim = build(&s);
        let limit = SimTime::ZERO + SimDuration::from_secs(60);
        let max_in_flight = sim.config().producer.max_in_flight_requests_per_connection;
        let memory = sim.config().producer.buffer_memory;
        while sim.now() < limit && sim.step() {
            prop_assert!(sim.view().application().buffer_used <= memory);
            for r in sim.drain_trace() {
                if let TraceEvent::RequestSent { in_flight, .. } = r.event {
                    prop_assert!(in_flight <= max_in_flight, "in flight {in_flight} > {max_in_flight}");
                }
            }
            if sim.is_settled() && sim.commands().len() == s.faults.len() {
                break;
            }
        }
        let view = sim.view();
        let p = view.application();
        let recs = view.records();
        // send() was called for a prefix of the records, each exactly once.
        prop_assert!(recs.len() as u64 <= s.records);
        let count = |st: RecordState| recs.iter().filter(|m| m.state == st).count() as u64;
        prop_assert_eq!(count(RecordState::Acked), p.stats.acked);
        prop_assert_eq!(count(RecordState::Failed), p.stats.failed);
        prop_assert_eq!(count(RecordState::Unsent), p.stats.unsent);
        if sim.is_settled() {
            prop_assert_eq!(count(RecordState::Pending), 0, "settled with pending records");
            prop_assert_eq!(p.incomplete_batches, 0);
            prop_assert_eq!(p.buffer_used, 0, "memory leaked");
            // Every completed record went through the interceptor's onAcknowledgement.
            prop_assert_eq!(p.interceptor_on_ack, p.stats.acked + p.stats.failed);
        }
        // An acked record with a real offset sits at that offset in its partition's leader log
        // unless a failover truncated it (acks < all or unclean election).
        let safe = s.sets.iter().any(|(k, v)| *k == "acks" && v == "all")
            && !s.faults.iter().any(|(_, f)| matches!(f, Fault::KillBroker{..} | Fault::KillLeader{..} | Fault::IsolateBroker{..}));
        if safe {
            // Each partition's leader log, (offset, record) in offset order.
            let logs: Vec<Option<Vec<(i64, u32)>>> = view
                .partitions()
                .iter()
                .map(|part| part.leader.map(|l| view.log(part.id, l)))
                .collect();
            for (i, m) in recs.iter().enumerate() {
                if m.state == RecordState::Acked && m.offset >= 0 {
                    if let Some(log) = &logs[m.partition as usize] {
                        let found = log
                            .binary_search_by_key(&m.offset, |&(o, _)| o)
                            .is_ok_and(|at| log[at].1 == i as u32);
                        prop_assert!(found, "record {i} acked at offset {} is not there", m.offset);
                    }
                }
            }
        }
    }
}

/// A schedule where at most one broker is down at a time, plus consumer crashes and
/// network trouble.
fn safe_faults() -> impl Strategy<Value = Vec<(u64, Fault)>> {
    let outage = (0u32..3, 100u64..3_000, 500u64..15_000);
    let consumer = (100u64..8_000, 100u64..3_000);
    (
        proptest::collection::vec(outage, 0..3),
        proptest::option::of(consumer),
        proptest::option::of((50u64..2_000, 1u32..3)),
        proptest::option::of((50u64..2_000, 1u32..4)),
    )
        .prop_map(|(outages, consumer, drops, rejects)| {
            let mut out = Vec::new();
            // Outages one after the other: each broker comes back before the next goes.
            let mut t = 0;
            for (broker, gap, length) in outages {
                t += gap;
                out.push((t, Fault::KillBroker { broker }));
                t += length;
                out.push((t, Fault::RestartBroker { broker }));
            }
            if let Some((at, down)) = consumer {
                out.push((at, Fault::CrashConsumer { consumer: 0 }));
                out.push((at + down, Fault::RestartConsumer { consumer: 0 }));
            }
            if let Some((at, count)) = drops {
                out.push((
                    at,
                    Fault::DropResponses {
                        broker: None,
                        count,
                    },
                ));
            }
            if let Some((at, count)) = rejects {
                out.push((
                    at,
                    Fault::RejectProduce {
                        broker: None,
                        count,
                    },
                ));
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// acks=all, idempotence, min.insync.replicas=2, RF 3, commit after processing, one
    /// broker down at a time: nothing is lost and nothing is written twice.
    #[test]
    fn a_safe_configuration_loses_and_duplicates_nothing(
        faults in safe_faults(),
        records in 100u64..3_000,
        rate in 500.0f64..5_000.0,
        mode in prop_oneof![Just("sync"), Just("async")],
        seed in any::<u64>(),
    ) {
        let mut cfg = Config::defaults(KafkaVersion::V4);
        for (k, v) in [
            ("acks", "all"), ("enable.idempotence", "true"), ("min.insync.replicas", "2"),
            ("replication.factor", "3"), ("commit.mode", mode), ("auto.offset.reset", "earliest"),
            ("session.timeout.ms", "6000"), ("consumer.process.ms", "0.1"),
        ] {
            cfg.set(k, v).unwrap();
        }
        let w = Workload { records, rate, ..Workload::notes_loop(records) };
        let mut sim = Sim::new(cfg, w, seed).unwrap();
        sim.set_trace_enabled(false);
        for (at, f) in &faults {
            sim.schedule(SimTime::from_millis(*at), Command::Fault { fault: f.clone() });
        }
        sim.run(None);
        let rep = sim.view().verdicts();
        prop_assert_eq!(rep.lost.broker, 0, "{:?} {:?}", rep.counts, rep.examples);
        prop_assert_eq!(rep.lost.consumer, 0, "{:?} {:?}", rep.counts, rep.examples);
        prop_assert_eq!(rep.duplicated.log, 0, "{:?} {:?}", rep.counts, rep.examples);
        prop_assert_eq!(rep.reordered, 0, "{:?}", rep.counts);
        let total: u64 = rep.counts.values().sum();
        prop_assert_eq!(total, sim.view().records().len() as u64);
    }
}

/// Any schedule of the faults that make a producer retry: lost or held responses, refused
/// writes, cut-off, killed and restarted brokers.
fn retry_faults() -> impl Strategy<Value = Vec<(u64, Fault)>> {
    let one = prop_oneof![
        (1u32..4, proptest::option::of(0u32..3))
            .prop_map(|(count, broker)| Fault::DropResponses { broker, count }),
        (1u32..4, proptest::option::of(0u32..3))
            .prop_map(|(count, broker)| Fault::RejectProduce { broker, count }),
        (0u32..3).prop_map(|broker| Fault::IsolateBroker { broker }),
        (0u32..3).prop_map(|broker| Fault::HealBroker { broker }),
        (0u32..3).prop_map(|broker| Fault::KillBroker { broker }),
        (0u32..3).prop_map(|broker| Fault::RestartBroker { broker }),
        (0u32..3).prop_map(|partition| Fault::KillLeader { partition }),
    ];
    proptest::collection::vec((0u64..4_000, one), 1..7)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The idempotent producer's promise (`TransactionManager`, KIP-360): internal retries
    /// never write a record twice and never reorder a partition, whatever fails and
    /// whichever timeouts are short. Every record still gets exactly one verdict.
    #[test]
    fn idempotent_retries_never_duplicate_or_reorder(
        faults in retry_faults(),
        records in 200u64..20_000,
        rate in prop_oneof![Just(0.0), 500.0f64..50_000.0],
        short_timeouts in any::<bool>(),
        delivery_slack in 0u64..400,
        linger in 0u64..10,
        in_flight in 1u32..=5,
        min_isr in 1u32..=2,
        consumers in 0u32..=1,
        seed in any::<u64>(),
    ) {
        let mut cfg = Config::defaults(KafkaVersion::V4);
        let (request, delivery) = if short_timeouts {
            ("1000".to_string(), (1000 + linger + delivery_slack).to_string())
        } else {
            ("30000".to_string(), "120000".to_string())
        };
        for (k, v) in [
            ("acks", "all".to_string()), ("enable.idempotence", "true".to_string()),
            ("linger.ms", linger.to_string()),
            ("max.in.flight.requests.per.connection", in_flight.to_string()),
            ("min.insync.replicas", min_isr.to_string()),
            ("request.timeout.ms", request), ("delivery.timeout.ms", delivery),
            ("broker.session.timeout.ms", "1500".to_string()),
            ("consumers", consumers.to_string()), ("auto.offset.reset", "earliest".to_string()),
        ] {
            cfg.set(k, &v).unwrap();
        }
        let w = Workload { records, rate, ..Workload::notes_loop(records) };
        let mut sim = Sim::new(cfg, w, seed).unwrap();
        sim.set_trace_enabled(false);
        for (at, f) in &faults {
            sim.schedule(SimTime::from_millis(*at), Command::Fault { fault: f.clone() });
        }
        sim.run(Some(SimTime::ZERO + SimDuration::from_secs(600)));
        let rep = sim.view().verdicts();
        prop_assert_eq!(rep.duplicated.log, 0, "{:?} {:?}", rep.counts, rep.examples);
        prop_assert_eq!(rep.reordered, 0, "{:?} {:?}", rep.counts, rep.examples);
        let total: u64 = rep.counts.values().sum();
        prop_assert_eq!(total, sim.view().records().len() as u64);
    }
}
