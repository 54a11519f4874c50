//! No legal setting may hang the simulation or make its work per virtual millisecond
//! unbounded: random *legal* configurations, extremes included (zeros wherever Kafka or the
//! simulation allows them, the smallest network latency, one record per poll, unlimited
//! rate, no records at all), with random faults, must keep the number of events in every
//! simulated second under a bound derived from the configuration.
//!
//! The bound. Every event of the simulation belongs to one of two kinds of work:
//!
//! * **A record's own work**: `send()`, appending to a batch, the produce request and its
//!   answer, the leader's append, the followers' fetches that copy it, the consumer fetch
//!   that returns it, the poll that hands it out, its processing, the commit after it. A
//!   record causes at most `PER_RECORD` such events over a whole run (counted below), so
//!   one simulated second holds at most `PER_RECORD × records`.
//! * **Loops that go on whatever the records do**: a consumer's fetches (an idle log
//!   answers after fetch.max.wait.ms, at once with 0), a follower's fetches (the same with
//!   replica.fetch.wait.max.ms), the producer's requests to a broker (retries after
//!   retry.backoff.ms, which may be 0), metadata refreshes, reconnects, heartbeats,
//!   auto-commits, the ISR check. A turn of any of these is either paced by a timer of at
//!   least 1 ms (every Kafka timer counts whole milliseconds; the consumer's spinning
//!   poll loop with auto.commit.interval.ms=0 turns once per ms) or needs a round trip,
//!   at least twice network.latency.ms (≥ 10 µs one way). A turn costs at most
//!   `EVENTS_PER_TURN` events. The loops are counted per pair of hosts: per consumer and
//!   broker (fetch, commit), per follower and leader, per broker for the producer (one
//!   loop per request it may have in flight, plus metadata and connecting), plus a few per
//!   consumer (heartbeat, poll, session check) and for the cluster (ISR check).
//!
//! So a simulated second holds at most
//! `PER_RECORD × records + EVENTS_PER_TURN × loops × (1 s / shortest turn)`.
//! A zero-time loop, a loop turning every microsecond, or a timer per fetch piling up in the
//! event queue break it. The test counts events with `Sim::events()` against virtual time
//! (`Sim::advance_to_budget` stops at the bound, so a storm fails fast instead of hanging);
//! nothing here reads a clock.

mod common;
use kafka_flow::sim::command::Fault;
use kafka_flow::sim::workload::{SendMode, Template, Workload};
use kafka_flow::sim::{Command, Config, KafkaVersion, Sim, SimDuration, SimTime};
use proptest::prelude::*;

/// Events one record causes over a run, at most. With batch.size=0 every record is a batch
/// of its own: `send()` wake-up 1, sender wake-ups 2, produce request and answer 2, the
/// leader's append 1, its request and delayed-produce timers 2, up to two followers each
/// fetching it (request, answer, parked-fetch timer: 3 each) 6, the consumer fetch answer 1,
/// its poll, processing and commit with its answer and wake-up 5 (max.poll.records=1), and
/// after a crash or rebalance the same consumer work once more, 6: 26. Doubled for
/// headroom (a leader change makes followers fetch it again).
const PER_RECORD: u64 = 52;
/// Events one turn of a loop costs at most: a request delivered, its answer delivered, a
/// wake-up of the thread that sends the next one, and a timer (parked fetch, timeout).
const EVENTS_PER_TURN: u64 = 4;
/// Sim time a case covers at most, and the events after which it stops early: a scenario
/// that really is busy (the 10 µs network with fetch.max.wait.ms=0) is followed for fewer
/// simulated seconds, so that one case stays cheap in a debug build.
const MAX_SECONDS: u64 = 20;
const EVENT_BUDGET: u64 = 1_000_000;

#[derive(Debug, Clone)]
struct Scenario {
    version: KafkaVersion,
    sets: Vec<(&'static str, String)>,
    records: u64,
    rate: f64,
    keyed: bool,
    sync: bool,
    flush_every: u64,
    faults: Vec<(u64, Fault)>,
    seed: u64,
}

/// One of a few values, the extremes among them.
fn pick(values: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(values).prop_map(str::to_string)
}

fn producer_sets() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    (
        (
            pick(&["all", "1", "0"]),
            any::<bool>(),
            pick(&["1", "2", "5", "5", "100"]),
            pick(&["0", "0", "1", "5", "20"]),
            pick(&["0", "1", "200", "16384"]),
            pick(&["65536", "1048576", "33554432"]),
        ),
        (
            pick(&["0", "3", "2147483647"]),
            pick(&["0", "1", "10", "500", "2000", "30000"]),
            pick(&["0", "1", "100"]),
            pick(&["0", "1", "1000"]),
            pick(&["0", "1000", "60000"]),
            pick(&["false", "true"]),
        ),
    )
        .prop_map(
            |(
                (acks, idem, in_flight, linger, batch, memory),
                (retries, request, backoff, backoff_max, block, ignore_keys),
            )| {
                // Idempotence only when Kafka would accept it; otherwise off, explicitly
                // (4.x refuses more than 5 in flight while it is on, even by default).
                let compatible = acks == "all" && retries != "0" && in_flight != "100";
                vec![
                    ("acks", acks),
                    ("enable.idempotence", (idem && compatible).to_string()),
                    ("max.in.flight.requests.per.connection", in_flight),
                    ("linger.ms", linger),
                    ("batch.size", batch),
                    ("buffer.memory", memory),
                    ("retries", retries),
                    ("request.timeout.ms", request),
                    ("retry.backoff.ms", backoff),
                    ("retry.backoff.max.ms", backoff_max),
                    ("max.block.ms", block),
                    ("partitioner.ignore.keys", ignore_keys),
                ]
            },
        )
}

fn topology_sets() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    (
        1u32..=3,
        1u32..=4,
        1u32..=3,
        1u32..=3,
        any::<bool>(),
        pick(&["0", "10", "500"]),
        pick(&["500", "30000"]),
        pick(&["0", "1500", "9000"]),
    )
        .prop_map(
            |(brokers, partitions, rf, min_isr, unclean, fetch_wait, lag, session)| {
                vec![
                    ("brokers", brokers.to_string()),
                    ("partitions", partitions.to_string()),
                    ("replication.factor", rf.min(brokers).to_string()),
                    ("min.insync.replicas", min_isr.to_string()),
                    ("unclean.leader.election.enable", unclean.to_string()),
                    ("replica.fetch.wait.max.ms", fetch_wait),
                    ("replica.lag.time.max.ms", lag),
                    ("broker.session.timeout.ms", session.clone()),
                    ("zookeeper.session.timeout.ms", session),
                ]
            },
        )
}

fn consumer_sets() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    (
        (
            pick(&["0", "1", "2"]),
            pick(&[
                "auto",
                "sync",
                "async",
                "sync-before",
                "async-before",
                "none",
            ]),
            pick(&["0", "1", "1000", "5000"]),
            pick(&["1", "1", "500"]),
            pick(&["1", "100", "300000"]),
            pick(&["0", "1", "1000"]),
        ),
        (
            pick(&["0", "1", "500"]),
            pick(&["6000", "45000"]),
            pick(&["1", "3000"]),
            pick(&["0", "60000"]),
            pick(&["0", "3000"]),
            pick(&["earliest", "latest", "none"]),
        ),
        (
            pick(&["0", "0.1", "2"]),
            pick(&["0.01", "0.01", "0.1", "1", "1", "5"]),
            pick(&["0", "0.5"]),
            pick(&["0", "1000"]),
            pick(&["0", "0.05"]),
            pick(&["0", "1"]),
        ),
    )
        .prop_map(
            |(
                (consumers, mode, interval, max_poll, poll_interval, min_bytes),
                (max_wait, session, heartbeat, api_timeout, initial_delay, reset),
                (process, latency, jitter, bandwidth, append, send_cost),
            )| {
                vec![
                    ("consumers", consumers),
                    ("commit.mode", mode),
                    ("auto.commit.interval.ms", interval),
                    ("max.poll.records", max_poll),
                    ("max.poll.interval.ms", poll_interval),
                    ("fetch.min.bytes", min_bytes),
                    ("fetch.max.wait.ms", max_wait),
                    ("session.timeout.ms", session),
                    ("heartbeat.interval.ms", heartbeat),
                    ("default.api.timeout.ms", api_timeout),
                    ("group.initial.rebalance.delay.ms", initial_delay),
                    ("auto.offset.reset", reset),
                    ("consumer.process.ms", process),
                    ("network.latency.ms", latency),
                    ("network.jitter.ms", jitter),
                    ("network.bandwidth.mbps", bandwidth),
                    ("broker.append.ms", append),
                    ("producer.send.cost.us", send_cost),
                ]
            },
        )
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let version = prop_oneof![
        Just(KafkaVersion::V4),
        Just(KafkaVersion::V3),
        Just(KafkaVersion::V2_8)
    ];
    let work = (
        prop_oneof![Just(0u64), Just(1), 2u64..1_500],
        prop_oneof![Just(0.0), 50.0..50_000.0],
        any::<bool>(),
        prop::bool::weighted(0.1),
        prop_oneof![Just(0u64), 1u64..300],
    );
    let faults = proptest::collection::vec((0u64..5_000, common::any_fault(2, true)), 0..4);
    (
        version,
        producer_sets(),
        topology_sets(),
        consumer_sets(),
        work,
        faults,
        any::<u64>(),
    )
        .prop_map(
            |(version, p, t, c, (records, rate, keyed, sync, flush_every), faults, seed)| {
                Scenario {
                    version,
                    sets: [p, t, c].concat(),
                    records,
                    rate,
                    keyed,
                    sync,
                    flush_every,
                    faults,
                    seed,
                }
            },
        )
}

/// The configuration, or why it is not a legal one (the generator should only make legal
/// ones; a refusal here would be a bug in it).
fn config(s: &Scenario) -> Result<Config, String> {
    let mut cfg = Config::defaults(s.version);
    for (k, v) in &s.sets {
        cfg.set(k, v).map_err(|e| format!("{k}={v}: {e}"))?;
    }
    cfg.validate().map_err(|e| e.to_string())?;
    Ok(cfg)
}

fn build(s: &Scenario, cfg: Config) -> Sim {
    let w = Workload {
        records: s.records,
        rate: s.rate,
        key: s.keyed.then(|| Template::parse("k{i}").unwrap()),
        value: Template::parse("v{i}").unwrap(),
        value_bytes: None,
        send_mode: if s.sync {
            SendMode::Sync
        } else {
            SendMode::Async
        },
        close_when_done: true,
        flush_every: s.flush_every,
    };
    let brokers = cfg.topology.brokers;
    let partitions = cfg.topology.partitions;
    let consumers = cfg.consumer.consumers;
    let mut sim = Sim::new(cfg, w, s.seed).expect("a legal scenario starts");
    sim.set_trace_enabled(false);
    for (at, f) in &s.faults {
        // Faults aimed at hosts this topology does not have are left out.
        let fits = match *f {
            Fault::KillBroker { broker }
            | Fault::RestartBroker { broker }
            | Fault::IsolateBroker { broker }
            | Fault::HealBroker { broker }
            | Fault::SlowLink { broker, .. }
            | Fault::SlowFollower { broker, .. } => broker < brokers,
            Fault::DropResponses { broker, .. } | Fault::RejectProduce { broker, .. } => {
                broker.is_none_or(|b| b < brokers)
            }
            Fault::KillLeader { partition } => partition < partitions,
            Fault::CrashConsumer { consumer } | Fault::RestartConsumer { consumer } => {
                consumer < consumers
            }
            Fault::CrashProducer | Fault::CloseProducer => true,
        };
        if fits {
            sim.schedule(
                SimTime::from_millis(*at),
                Command::Fault { fault: f.clone() },
            );
        }
    }
    sim
}

/// Loops that go on whatever the records do (see the module docs).
fn loops(cfg: &Config, records: u64) -> u64 {
    let brokers = u64::from(cfg.topology.brokers);
    let consumers = u64::from(cfg.consumer.consumers);
    let in_flight =
        u64::from(cfg.producer.max_in_flight_requests_per_connection).min(records.max(1));
    consumers * brokers // consumer fetches, commits to the coordinator
        + consumers * 3 // heartbeat thread, poll loop, the coordinator's session check
        + brokers * brokers.saturating_sub(1) // follower fetches
        + brokers * (in_flight + 2) // produce requests, metadata, connecting
        + 2 // ISR check, the application's send() loop
}

/// The most events one simulated second may hold (see the module docs).
fn events_per_second_bound(cfg: &Config, records: u64) -> u64 {
    // The shortest turn: a round trip (twice the one-way latency) or a 1 ms timer.
    let turn_us = (2 * cfg.sim.network_latency_us).min(1_000);
    PER_RECORD * records + EVENTS_PER_TURN * loops(cfg, records) * (1_000_000 / turn_us)
}

/// The most events the queue may hold at once: a record's own timers and messages, and
/// one turn's worth per loop, twice over plus 64 for cancelled timers not swept out yet
/// (the queue sweeps them once there are 64 and they make up half of it). A timer left
/// behind by every turn of a loop (a timeout per fetch or per retried request, a
/// superseded wake-up per answer) grows past it.
fn pending_bound(cfg: &Config, records: u64) -> u64 {
    2 * (PER_RECORD * records + EVENTS_PER_TURN * loops(cfg, records)) + 64
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_legal_setting_makes_a_storm(s in scenario()) {
        let cfg = match config(&s) {
            Ok(cfg) => cfg,
            Err(e) => return Err(TestCaseError::fail(format!("the generator made an illegal scenario: {e}"))),
        };
        let bound = events_per_second_bound(&cfg, s.records);
        let pending = pending_bound(&cfg, s.records);
        let mut sim = build(&s, cfg);
        for second in 0..MAX_SECONDS {
            if sim.events() > EVENT_BUDGET {
                break;
            }
            let before = sim.events();
            let end = SimTime::ZERO + SimDuration::from_secs(second + 1);
            let within = sim.advance_to_budget(end, bound);
            let spent = sim.events() - before;
            prop_assert!(
                within,
                "more than {bound} events in simulated second {second} (stopped at {}, {spent} events)",
                sim.now()
            );
            // (The application thread may run its next send()s inline past `end` when
            // nothing else is due before them.)
            prop_assert!(sim.now() >= end);
            prop_assert!(
                sim.pending_events() as u64 <= pending,
                "{} events wait in the queue after simulated second {second}, more than {pending}",
                sim.pending_events()
            );
        }
    }
}
