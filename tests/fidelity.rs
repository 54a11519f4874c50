//! Scenarios where kafka-flow once disagreed with Kafka's own client, each with a fixed
//! seed: the idempotent producer's epochs and sequences (`TransactionManager`), the Sender's
//! loop while nodes are ready (`Sender.sendProducerData`), metadata from the least-loaded
//! node (`NetworkClient.leastLoadedNode`) and `partitioner.availability.timeout.ms`
//! (`RecordAccumulator.partitionReady`).

mod common;
use common::{config, run, workload};
use kafka_flow::sim::trace::KafkaError;
use kafka_flow::sim::{KafkaVersion, TraceEvent};

/// The notes' loop with short timeouts, and the first response from broker 0 lost: the
/// connection is dead until request.timeout.ms closes it, and batches expire while in flight.
fn lost_response(idempotence: &str) -> common::Run {
    let cfg = config(
        KafkaVersion::V4,
        &[
            ("linger.ms", "1"),
            ("request.timeout.ms", "1000"),
            ("delivery.timeout.ms", "1100"),
            ("enable.idempotence", idempotence),
        ],
    );
    run(
        cfg,
        workload(50_000, Some("hello{i}"), "hello{i}", 0.0),
        &["10ms:drop-responses:1:0"],
        42,
    )
}

#[test]
fn the_idempotent_producer_never_writes_a_retried_batch_twice() {
    let r = lost_response("true");
    // The fault bites: batches expire in flight and others are retried.
    let expired = r
        .events()
        .filter(|(_, e)| {
            matches!(e, TraceEvent::BatchFailed { error, .. } if *error == KafkaError::DeliveryTimeout)
        })
        .count();
    assert!(expired > 0);
    assert!(r.sim.view().application().stats.retries > 0);
    let rep = r.sim.view().verdicts();
    assert_eq!(rep.duplicated.log, 0, "{:?}", rep.examples);
    assert_eq!(rep.reordered, 0);
    // A retried batch kept the producer id, epoch and sequence of its first attempt: every
    // batch is appended at most once, whatever epoch bumps happened meanwhile.
    let mut appended = std::collections::BTreeSet::new();
    for (_, e) in r.events() {
        if let TraceEvent::Appended { batch, .. } = e {
            assert!(appended.insert(*batch), "batch {batch} appended twice");
        }
    }
    // Without idempotence the same schedule does write duplicates: the scenario is a real test.
    assert!(lost_response("false").sim.view().verdicts().duplicated.log > 0);
}

/// 20,000 keyless records into one partition over a 20 ms link: a backlog.
fn backlog(max_in_flight: &str) -> common::Run {
    let cfg = config(
        KafkaVersion::V4,
        &[
            ("partitions", "1"),
            ("network.latency.ms", "20"),
            ("max.in.flight.requests.per.connection", max_in_flight),
        ],
    );
    run(cfg, workload(20_000, None, "hello{i}", 0.0), &[], 42)
}

#[test]
fn the_sender_pipelines_a_backlog_up_to_max_in_flight() {
    let one = backlog("1");
    let five = backlog("5");
    let peak = |r: &common::Run| {
        r.events()
            .filter_map(|(_, e)| match e {
                TraceEvent::RequestSent { in_flight, .. } => Some(*in_flight),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    };
    assert_eq!(peak(&one), 1);
    assert_eq!(peak(&five), 5, "a backlog fills every in-flight slot");
    for r in [&one, &five] {
        assert_eq!(r.sim.view().application().stats.acked, 20_000);
    }
    // The broker handles one request per connection at a time (acks=all waits for the
    // followers), so pipelining saves the network legs, not the replication: clearly faster,
    // not five times.
    let (t1, t5) = (one.sim.now().as_micros(), five.sim.now().as_micros());
    assert!(
        t5 * 10 < t1 * 7,
        "1 in flight: {t1} µs, 5 in flight: {t5} µs"
    );
}

#[test]
fn one_rejected_head_batch_fails_alone_and_its_partition_keeps_flowing() {
    // The first batch to partition 0 is refused once (NOT_ENOUGH_REPLICAS, nothing written);
    // the requests pipelined behind it are accepted (the broker has no state for this new
    // producer yet), so the retried first batch is out of sequence until it expires.
    let cfg = config(KafkaVersion::V4, &[("linger.ms", "1")]);
    let r = run(
        cfg,
        workload(50_000, Some("hello{i}"), "hello{i}", 0.0),
        &["0ms:reject-produce:1:0"],
        42,
    );
    let failed: Vec<(u64, u32)> = r
        .events()
        .filter_map(|(_, e)| match e {
            TraceEvent::BatchFailed { batch, records, .. } => Some((*batch, *records)),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 1, "only the refused batch fails: {failed:?}");
    let p = r.sim.view().application();
    assert_eq!(p.stats.failed, u64::from(failed[0].1));
    assert_eq!(p.stats.acked + p.stats.failed, 50_000);
    let rep = r.sim.view().verdicts();
    assert_eq!(rep.duplicated.log, 0);
    assert_eq!(rep.reordered, 0);
}

#[test]
fn metadata_comes_from_a_live_broker_when_the_first_one_is_dead() {
    let cfg = config(KafkaVersion::V4, &[]);
    let r = run(
        cfg,
        workload(5_000, Some("hello{i}"), "hello{i}", 0.0),
        &["0ms:kill-broker:0"],
        42,
    );
    let p = r.sim.view().application();
    assert_eq!(p.stats.acked, 5_000, "every record delivered");
    let got = r
        .events()
        .find_map(|(t, e)| matches!(e, TraceEvent::MetadataUpdated { .. }).then_some(t))
        .expect("metadata arrives");
    assert!(got.as_millis() < 100, "metadata at {got}");
    // Partition 0's leader is fenced after broker.session.timeout.ms and re-elected.
    assert!(
        r.sim.now().as_millis() < 60_000,
        "finished at {}",
        r.sim.now()
    );
}

/// Keyless records while broker 0 is cut off from 1 s: how many land on partition 0 (led by
/// broker 0) from 150 ms after it stopped answering to 500 ms. acks=1, so only partition 0
/// is stuck (with acks=all the other leaders would wait for broker 0 as a follower too).
fn records_to_stuck_partition(availability_timeout: &str) -> usize {
    let cfg = config(
        KafkaVersion::V4,
        &[
            ("acks", "1"),
            ("partitioner.availability.timeout.ms", availability_timeout),
            ("linger.ms", "5"),
            ("batch.size", "4096"),
        ],
    );
    let r = run(
        cfg,
        workload(40_000, None, "hello{i}", 20_000.0),
        &["1s:isolate-broker:0"],
        42,
    );
    r.events()
        .filter(|(t, e)| {
            (1_150..1_500).contains(&t.as_millis())
                && matches!(e, TraceEvent::RecordAppended { partition: 0, .. })
        })
        .count()
}

#[test]
fn partitions_of_a_broker_that_takes_nothing_leave_the_keyless_choice() {
    let without = records_to_stuck_partition("0");
    let with = records_to_stuck_partition("100");
    // Adaptive partitioning alone weighs partitions by queue length: it still picks the
    // stuck partition until its queue has grown long.
    assert!(without > 100, "{without}");
    assert_eq!(
        with, 0,
        "excluded after 100 ms (without the timeout: {without})"
    );
}

#[test]
fn a_forced_close_completes_every_record_through_the_interceptor() {
    // close(Duration.ZERO) aborts what is left: every record's completion still runs, the
    // interceptors' onAcknowledgement first (KafkaProducer.AppendCallbacks.onCompletion).
    let cfg = config(KafkaVersion::V4, &[("linger.ms", "1000")]);
    let r = run(
        cfg,
        workload(2_000, Some("hello{i}"), "hello{i}", 1_000.0),
        &["500ms:close-producer"],
        42,
    );
    let p = r.sim.view().application();
    assert!(p.stats.failed > 0, "records were aborted");
    assert_eq!(p.interceptor_on_send, p.stats.send_calls);
    assert_eq!(p.interceptor_on_ack, p.stats.acked + p.stats.failed);
}

#[test]
fn under_the_2_8_profile_a_dead_leader_is_replaced_when_its_zookeeper_session_expires() {
    for (version, after_ms) in [(KafkaVersion::V2_8, 18_000), (KafkaVersion::V4, 9_000)] {
        let cfg = config(version, &[]);
        let r = run(
            cfg,
            workload(2_000, Some("hello{i}"), "hello{i}", 100.0),
            &["1s:kill-leader:0"],
            42,
        );
        let elected = r
            .events()
            .find_map(|(t, e)| match e {
                TraceEvent::LeaderElected { partition: 0, .. } if t.as_millis() > 0 => Some(t),
                _ => None,
            })
            .expect("a new leader for partition 0");
        assert_eq!(elected.as_millis(), 1_000 + after_ms, "{version}");
    }
}
