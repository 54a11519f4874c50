//! Changing settings while the simulation runs (the TUI's knobs): a change takes effect
//! at the current virtual time, a bad value changes nothing, and a setting Kafka reads
//! only at start-up starts a new producer instance.

mod common;
use common::{config, workload};
use kafka_flow::sim::view::RecordState;
use kafka_flow::sim::{Command, KafkaVersion, Sim, SimTime, TraceEvent};

fn set(name: &str, value: &str) -> Command {
    Command::Set {
        name: name.to_string(),
        value: value.to_string(),
    }
}

#[test]
fn linger_changes_at_the_current_virtual_time() {
    let cfg = config(KafkaVersion::V3, &[("linger.ms", "0")]);
    let mut sim = Sim::new(
        cfg,
        workload(2_000, Some("hello{i}"), "hello{i}", 1_000.0),
        1,
    )
    .unwrap();
    sim.advance_to(SimTime::from_millis(1_000));
    let before = sim.view().application().stats.batches_created;
    sim.apply(set("linger.ms", "100")).unwrap();
    assert_eq!(
        sim.commands().last().map(|c| c.0),
        Some(SimTime::from_millis(1_000))
    );
    sim.run(None);
    let trace = sim.drain_trace();
    let changed = trace
        .iter()
        .find(|r| matches!(&r.event, TraceEvent::SettingChanged { name, value } if name == "linger.ms" && value == "100"))
        .expect("the change is traced");
    assert_eq!(changed.t, SimTime::from_millis(1_000));
    // About one record per batch before; about 100 ms' worth (≈ 33 per partition) after.
    let after = sim.view().application().stats.batches_created - before;
    assert!(
        before > 900 && after < 100,
        "before {before}, after {after}"
    );
    assert_eq!(sim.view().application().stats.acked, 2_000);
}

#[test]
fn a_bad_value_is_refused_with_the_reason_and_changes_nothing() {
    let cfg = config(KafkaVersion::V4, &[]);
    let mut sim = Sim::new(cfg, workload(10, Some("k{i}"), "v", 0.0), 1).unwrap();
    let before = sim.config().clone();
    let e = sim.apply(set("acks", "2")).unwrap_err();
    assert!(e.contains("acks") && e.contains("all, -1, 1, 0"), "{e}");
    let e = sim.apply(set("partitions", "6")).unwrap_err();
    assert!(e.contains("--set partitions="), "{e}");
    // acks=1 with explicit idempotence is refused as Kafka refuses it.
    sim.apply(set("enable.idempotence", "true")).unwrap();
    let e = sim.apply(set("acks", "1")).unwrap_err();
    assert!(e.contains("idempotent"), "{e}");
    assert_eq!(sim.config().producer.acks, before.producer.acks);
    assert_eq!(sim.commands().len(), 1);
}

#[test]
fn enable_idempotence_restarts_the_producer_without_losing_records() {
    let cfg = config(
        KafkaVersion::V4,
        &[("enable.idempotence", "false"), ("acks", "all")],
    );
    let mut sim = Sim::new(
        cfg,
        workload(3_000, Some("hello{i}"), "hello{i}", 2_000.0),
        1,
    )
    .unwrap();
    sim.advance_to(SimTime::from_millis(500));
    assert!(!sim.effective().idempotence);
    sim.apply(set("enable.idempotence", "true")).unwrap();
    sim.run(None);
    let trace = sim.drain_trace();
    let restarted = trace
        .iter()
        .position(|r| matches!(r.event, TraceEvent::ProducerRestarted))
        .expect("restart");
    let pid = trace
        .iter()
        .position(|r| matches!(r.event, TraceEvent::ProducerIdAssigned { .. }))
        .expect("a producer id");
    assert!(pid > restarted, "the new instance asks for a producer id");
    assert!(
        sim.view()
            .records()
            .iter()
            .all(|m| m.state == RecordState::Acked)
    );
    assert!(sim.view().network_client().idempotence.enabled);
}

#[test]
fn acks_1_under_defaulted_idempotence_starts_a_non_idempotent_producer() {
    let cfg = config(KafkaVersion::V4, &[]);
    let mut sim = Sim::new(
        cfg,
        workload(3_000, Some("hello{i}"), "hello{i}", 2_000.0),
        1,
    )
    .unwrap();
    sim.advance_to(SimTime::from_millis(500));
    assert!(sim.view().network_client().idempotence.enabled);
    sim.apply(set("acks", "1")).unwrap();
    assert!(
        !sim.effective().idempotence,
        "Kafka turns defaulted idempotence off with acks=1"
    );
    sim.run(None);
    assert!(
        !sim.view().network_client().idempotence.enabled,
        "the running producer follows"
    );
    assert!(
        sim.drain_trace()
            .iter()
            .any(|r| matches!(r.event, TraceEvent::ProducerRestarted))
    );
    assert!(
        sim.view()
            .records()
            .iter()
            .all(|m| m.state == RecordState::Acked)
    );
}
