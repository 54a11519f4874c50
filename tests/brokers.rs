//! The cluster side: drain and piggybacking, ISR shrink and expand, acks=all after
//! the ISR shrank, and clean versus unclean leader election (kafka-semantics §2.6, §7).

mod common;
use common::{config, run, workload};
use kafka_flow::sim::trace::{KafkaError, SendReason};
use kafka_flow::sim::{KafkaVersion, TraceEvent};

#[test]
fn a_ready_broker_takes_every_partitions_head_batch_along() {
    // One broker leads all three partitions: a full batch on one drags the others' heads along.
    let cfg = config(
        KafkaVersion::V4,
        &[
            ("brokers", "1"),
            ("replication.factor", "1"),
            ("linger.ms", "1000"),
            ("batch.size", "2000"),
        ],
    );
    let r = run(
        cfg,
        workload(3_000, Some("hello{i}"), "hello{i}", 10_000.0),
        &[],
        1,
    );
    let mut piggyback = 0;
    let mut request: Vec<u32> = Vec::new();
    for (_, e) in r.events() {
        match e {
            TraceEvent::BatchDrained {
                partition, reason, ..
            } => {
                assert!(
                    !request.contains(partition),
                    "two batches of partition {partition} in one request"
                );
                request.push(*partition);
                if *reason == SendReason::Piggyback {
                    piggyback += 1;
                }
            }
            TraceEvent::RequestSent { batches, .. } => {
                assert_eq!(*batches as usize, request.len());
                request.clear();
            }
            _ => {}
        }
    }
    assert!(piggyback > 0, "no batch rode along with a full one");
}

#[test]
fn flush_makes_every_batch_sendable_at_once() {
    let cfg = config(KafkaVersion::V4, &[("linger.ms", "60000")]);
    let mut w = workload(900, Some("hello{i}"), "hello{i}", 0.0);
    w.flush_every = 300;
    w.close_when_done = false;
    let r = run(cfg, w, &[], 1);
    let reasons: Vec<SendReason> = r
        .events()
        .filter_map(|(_, e)| match e {
            TraceEvent::BatchDrained { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect();
    assert_eq!(reasons.len(), 9, "three flushes × three partitions");
    assert!(reasons.iter().all(|r| *r == SendReason::Flush));
    // The run ended long before linger.ms: flush() did not wait for it.
    assert!(r.sim.now().as_millis() < 1_000);
}

#[test]
fn a_stuck_follower_leaves_the_isr_and_rejoins_when_it_catches_up() {
    let cfg = config(
        KafkaVersion::V4,
        &[("replica.lag.time.max.ms", "1000"), ("acks", "1")],
    );
    let faults = ["100ms:isolate-broker:2", "3s:heal-broker:2"];
    let r = run(
        cfg,
        workload(4_000, Some("hello{i}"), "hello{i}", 1_000.0),
        &faults,
        1,
    );
    let changes: Vec<(u64, u32, Vec<u32>)> = r
        .events()
        .filter_map(|(t, e)| match e {
            TraceEvent::IsrChanged { partition, isr, .. } => {
                Some((t.as_millis(), *partition, isr.clone()))
            }
            _ => None,
        })
        .collect();
    let out = changes
        .iter()
        .find(|c| c.1 == 0 && !c.2.contains(&2))
        .expect("broker 2 leaves partition 0's ISR");
    assert!(out.0 >= 1_100 && out.0 < 3_000, "{changes:?}");
    let back = changes
        .iter()
        .find(|c| c.1 == 0 && c.0 > out.0 && c.2.contains(&2))
        .expect("and rejoins");
    assert!(back.0 >= 3_000, "{changes:?}");
}

#[test]
fn acks_all_after_the_isr_shrank_below_min_isr() {
    // Kafka 2.8: the HW still advances with ISR {leader}, and the parked produce answers
    // NOT_ENOUGH_REPLICAS_AFTER_APPEND: the data is in the log, the client retries it.
    let cfg = config(
        KafkaVersion::V2_8,
        &[
            ("acks", "all"),
            ("min.insync.replicas", "2"),
            ("replica.lag.time.max.ms", "1000"),
            ("linger.ms", "0"),
        ],
    );
    let faults = ["200ms:isolate-broker:1", "200ms:isolate-broker:2"];
    let r = run(
        cfg,
        workload(3_000, Some("hello{i}"), "hello{i}", 1_000.0),
        &faults,
        1,
    );
    let after_append = r
        .events()
        .filter(|(_, e)| {
            matches!(
                e,
                TraceEvent::BatchRetry {
                    error: KafkaError::NotEnoughReplicasAfterAppend,
                    ..
                }
            )
        })
        .count();
    assert!(after_append > 0);
    // Kafka 4.x: the HW waits for min ISR (KAFKA-15583), so the same requests time out instead.
    let cfg = config(
        KafkaVersion::V4,
        &[
            ("min.insync.replicas", "2"),
            ("replica.lag.time.max.ms", "1000"),
            ("linger.ms", "0"),
        ],
    );
    let r = run(
        cfg,
        workload(3_000, Some("hello{i}"), "hello{i}", 1_000.0),
        &faults,
        1,
    );
    assert!(!r.events().any(|(_, e)| matches!(
        e,
        TraceEvent::BatchRetry {
            error: KafkaError::NotEnoughReplicasAfterAppend,
            ..
        }
    )));
    assert!(r.events().any(|(_, e)| matches!(
        e,
        TraceEvent::ProduceRejected {
            error: KafkaError::RequestTimedOut,
            ..
        }
    )));
}

#[test]
fn unclean_election_only_when_enabled() {
    // The followers fall out of the ISR, then the leader dies: only an unclean election
    // brings partition 0 back, and it loses what the old leader alone had.
    let base = [
        ("replica.lag.time.max.ms", "500"),
        ("acks", "1"),
        ("broker.session.timeout.ms", "2000"),
    ];
    let faults = [
        "100ms:isolate-broker:1",
        "100ms:isolate-broker:2",
        "2s:kill-broker:0",
        "2s:heal-broker:1",
        "2s:heal-broker:2",
    ];
    let w = || workload(5_000, Some("hello{i}"), "hello{i}", 1_000.0);
    let clean = run(config(KafkaVersion::V4, &base), w(), &faults, 1);
    assert!(clean.events().any(|(_, e)| matches!(
        e,
        TraceEvent::LeaderElected {
            partition: 0,
            leader: None,
            ..
        }
    )));
    assert_eq!(
        clean.sim.view().partition(0).leader,
        None,
        "partition 0 stays offline"
    );

    let mut sets = base.to_vec();
    sets.push(("unclean.leader.election.enable", "true"));
    let unclean = run(config(KafkaVersion::V4, &sets), w(), &faults, 1);
    let elected = unclean.events().find_map(|(_, e)| match e {
        TraceEvent::LeaderElected {
            partition: 0,
            leader: Some(l),
            unclean: true,
            ..
        } => Some(*l),
        _ => None,
    });
    assert_eq!(elected, Some(1));
    let p0 = unclean.sim.view().partition(0);
    assert_eq!(p0.leader, Some(1));
}

#[test]
fn an_isolated_leader_is_fenced_and_replaced_then_rejoins_as_a_follower() {
    let cfg = config(
        KafkaVersion::V4,
        &[("consumers", "1"), ("auto.offset.reset", "earliest")],
    );
    let faults = ["1s:isolate-broker:1", "20s:heal-broker:1"];
    let r = run(
        cfg,
        workload(30_000, Some("hello{i}"), "hello{i}", 10_000.0),
        &faults,
        1,
    );
    let elected = r.events().find_map(|(t, e)| match e {
        TraceEvent::LeaderElected {
            partition: 1,
            leader: Some(l),
            ..
        } => Some((t.as_millis(), *l)),
        _ => None,
    });
    // broker.session.timeout.ms = 9 s after the isolation, broker 2 takes partition 1 over.
    assert_eq!(elected, Some((10_000, 2)));
    let rep = r.sim.view().verdicts();
    assert_eq!(
        rep.counts.get("delivered"),
        Some(&30_000),
        "{:?}",
        rep.counts
    );
    // After healing, broker 1 is back in every ISR.
    assert!(r.sim.view().partitions().iter().all(|p| p.isr.contains(&1)));
}

#[test]
fn min_insync_replicas_above_the_replication_factor_means_all_replicas_from_3_7() {
    let w = || workload(1_000, Some("hello{i}"), "hello{i}", 0.0);
    let r = run(
        config(KafkaVersion::V4, &[("min.insync.replicas", "4")]),
        w(),
        &[],
        1,
    );
    assert_eq!(r.sim.view().application().stats.acked, 1_000);
    // Kafka 2.8 compared the raw setting: every acks=all write is refused.
    let r = run(
        config(
            KafkaVersion::V2_8,
            &[
                ("acks", "all"),
                ("min.insync.replicas", "4"),
                ("request.timeout.ms", "2000"),
                ("delivery.timeout.ms", "5000"),
            ],
        ),
        w(),
        &[],
        1,
    );
    assert_eq!(r.sim.view().application().stats.acked, 0);
    assert!(r.events().any(|(_, e)| matches!(
        e,
        TraceEvent::ProduceRejected {
            error: KafkaError::NotEnoughReplicas,
            ..
        }
    )));
}
