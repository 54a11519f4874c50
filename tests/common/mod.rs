//! Helpers shared by the scenario tests: build a simulation from Kafka setting
//! names, run it to the end, and look things up in its trace.
#![allow(dead_code)]

pub mod cli;
pub mod kafka_client;
pub mod serve;
pub mod tui;

use kafka_flow::sim::command::{Fault, parse_timed_fault};
use kafka_flow::sim::workload::{Template, Workload};
use kafka_flow::sim::{Command, Config, KafkaVersion, Sim, SimTime, TraceEvent, TraceRecord};

pub struct Run {
    pub sim: Sim,
    pub trace: Vec<TraceRecord>,
}

/// Kafka's defaults for `version`, without a consumer group unless `sets` asks for one
/// (most scenarios are about the producer path and end sooner without it).
pub fn config(version: KafkaVersion, sets: &[(&str, &str)]) -> Config {
    let mut cfg = Config::defaults(version);
    cfg.set("consumers", "0").unwrap();
    for (k, v) in sets {
        cfg.set(k, v).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
    }
    cfg
}

/// `records` records with constant or templated key/value.
pub fn workload(records: u64, key: Option<&str>, value: &str, rate: f64) -> Workload {
    Workload {
        records,
        rate,
        key: key.map(|k| Template::parse(k).unwrap()),
        value: Template::parse(value).unwrap(),
        ..Workload::notes_loop(records)
    }
}

pub fn run(cfg: Config, w: Workload, faults: &[&str], seed: u64) -> Run {
    let (b, p, c) = (
        cfg.topology.brokers,
        cfg.topology.partitions,
        cfg.consumer.consumers,
    );
    let mut sim = Sim::new(cfg, w, seed).expect("valid config");
    for f in faults {
        let (at, fault) = parse_timed_fault(f, b, p, c).unwrap();
        sim.schedule(SimTime::ZERO + at, Command::Fault { fault });
    }
    sim.run(None);
    let trace = sim.drain_trace();
    Run { sim, trace }
}

impl Run {
    pub fn events(&self) -> impl Iterator<Item = (SimTime, &TraceEvent)> {
        self.trace.iter().map(|r| (r.t, &r.event))
    }

    /// Record ids in the leader's log of `partition`, in offset order.
    pub fn leader_log(&self, partition: u32) -> Vec<u32> {
        let view = self.sim.view();
        let leader = view
            .partition(partition)
            .leader
            .expect("partition has a leader");
        view.log(partition, leader)
            .into_iter()
            .map(|(_, r)| r)
            .collect()
    }
}

/// Any fault on the notes' topology (3 brokers, 3 partitions) for property tests: consumer
/// faults name consumers `0..consumers`, and with `producer` the application may also crash or
/// force-close its producer.
pub fn any_fault(consumers: u32, producer: bool) -> proptest::strategy::BoxedStrategy<Fault> {
    use proptest::prelude::*;
    let mut kinds: Vec<BoxedStrategy<Fault>> = vec![
        (0u32..3)
            .prop_map(|broker| Fault::KillBroker { broker })
            .boxed(),
        (0u32..3)
            .prop_map(|broker| Fault::RestartBroker { broker })
            .boxed(),
        (0u32..3)
            .prop_map(|partition| Fault::KillLeader { partition })
            .boxed(),
        (1u32..4, proptest::option::of(0u32..3))
            .prop_map(|(count, broker)| Fault::DropResponses { broker, count })
            .boxed(),
        (1u32..4, proptest::option::of(0u32..3))
            .prop_map(|(count, broker)| Fault::RejectProduce { broker, count })
            .boxed(),
        (0u32..3)
            .prop_map(|broker| Fault::IsolateBroker { broker })
            .boxed(),
        (0u32..3)
            .prop_map(|broker| Fault::HealBroker { broker })
            .boxed(),
        (0u32..3, 1u64..50)
            .prop_map(|(broker, extra_ms)| Fault::SlowLink { broker, extra_ms })
            .boxed(),
        (0u32..3, 1u64..300)
            .prop_map(|(broker, extra_ms)| Fault::SlowFollower { broker, extra_ms })
            .boxed(),
    ];
    if consumers > 0 {
        kinds.push(
            (0..consumers)
                .prop_map(|consumer| Fault::CrashConsumer { consumer })
                .boxed(),
        );
        kinds.push(
            (0..consumers)
                .prop_map(|consumer| Fault::RestartConsumer { consumer })
                .boxed(),
        );
    }
    if producer {
        kinds.push(Just(Fault::CrashProducer).boxed());
        kinds.push(Just(Fault::CloseProducer).boxed());
    }
    proptest::strategy::Union::new(kinds).boxed()
}
