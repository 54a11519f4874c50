//! In-flight limits, acks, retries, idempotence, buffer.memory and failover,
//! checked through the whole producer and cluster (kafka-semantics §2.4, §3, §4, §7).

mod common;
use common::{config, run, workload};
use kafka_flow::sim::trace::KafkaError;
use kafka_flow::sim::view::RecordState;
use kafka_flow::sim::{KafkaVersion, SimTime, TraceEvent};
use std::collections::BTreeMap;

fn max_in_flight(r: &common::Run) -> u32 {
    r.events()
        .filter_map(|(_, e)| match e {
            TraceEvent::RequestSent { in_flight, .. } => Some(*in_flight),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn in_flight_requests_never_exceed_the_limit() {
    for limit in [1u32, 2, 5] {
        // Slow appends and small batches keep the Sender pipelining.
        let cfg = config(
            KafkaVersion::V4,
            &[
                ("broker.append.ms", "2"),
                ("batch.size", "500"),
                ("linger.ms", "0"),
                ("max.in.flight.requests.per.connection", &limit.to_string()),
            ],
        );
        let r = run(
            cfg,
            workload(5_000, Some("hello{i}"), "hello{i}", 0.0),
            &[],
            1,
        );
        assert_eq!(max_in_flight(&r), limit, "max.in.flight={limit}");
        assert_eq!(r.sim.view().application().stats.acked, 5_000);
    }
}

/// For each acked batch: (ack time, partition, base offset, records).
fn acks(r: &common::Run) -> Vec<(SimTime, u32, i64, u32)> {
    r.events()
        .filter_map(|(t, e)| match e {
            TraceEvent::BatchAcked {
                partition,
                base_offset,
                records,
                ..
            } => Some((t, *partition, *base_offset, *records)),
            _ => None,
        })
        .collect()
}

/// The leader's high watermark of each partition as it was at time `t`.
fn hw_at(r: &common::Run, t: SimTime, p: u32) -> i64 {
    r.events()
        .take_while(|(at, _)| *at <= t)
        .filter_map(|(_, e)| match e {
            TraceEvent::HighWatermark {
                partition,
                high_watermark,
            } if *partition == p => Some(*high_watermark),
            _ => None,
        })
        .last()
        .unwrap_or(0)
}

#[test]
fn acks_zero_completes_on_write_with_offset_minus_one() {
    let cfg = config(KafkaVersion::V4, &[("acks", "0")]);
    let r = run(
        cfg,
        workload(500, Some("hello{i}"), "hello{i}", 2_000.0),
        &[],
        1,
    );
    let a = acks(&r);
    assert!(!a.is_empty());
    assert!(a.iter().all(|x| x.2 == -1), "acks=0 gives offset -1");
    assert!(
        r.sim
            .view()
            .records()
            .iter()
            .all(|m| m.offset == -1 && m.state == RecordState::Acked)
    );
    // The callback ran before the leader even appended the batch.
    let mut acked_at = BTreeMap::new();
    let mut appended_at = BTreeMap::new();
    for (t, e) in r.events() {
        match e {
            TraceEvent::BatchAcked { batch, .. } => {
                acked_at.insert(*batch, t);
            }
            TraceEvent::Appended { batch, .. } => {
                appended_at.insert(*batch, t);
            }
            _ => {}
        }
    }
    assert!(
        acked_at
            .iter()
            .all(|(b, t)| appended_at.get(b).is_some_and(|a| t < a))
    );
}

#[test]
fn acks_one_answers_before_replication_and_acks_all_after() {
    let w = || workload(2_000, Some("hello{i}"), "hello{i}", 2_000.0);
    let r1 = run(config(KafkaVersion::V4, &[("acks", "1")]), w(), &[], 1);
    let early = acks(&r1)
        .iter()
        .filter(|(t, p, base, n)| hw_at(&r1, *t, *p) < base + i64::from(*n))
        .count();
    assert!(
        early > 0,
        "acks=1 should acknowledge before the followers have the batch"
    );

    let rall = run(config(KafkaVersion::V4, &[("acks", "all")]), w(), &[], 1);
    let a = acks(&rall);
    assert!(!a.is_empty());
    for (t, p, base, n) in a {
        assert!(
            hw_at(&rall, t, p) >= base + i64::from(n),
            "acks=all acked above the HW"
        );
    }
}

/// Log positions of each batch of partition 0, in log order.
fn appended_batches(r: &common::Run, p: u32) -> Vec<u64> {
    r.events()
        .filter_map(|(_, e)| match e {
            TraceEvent::Appended {
                partition, batch, ..
            } if *partition == p => Some(*batch),
            _ => None,
        })
        .collect()
}

fn out_of_order(batches: &[u64]) -> usize {
    batches.windows(2).filter(|w| w[1] < w[0]).count()
}

#[test]
fn a_retry_reorders_without_idempotence_and_not_with_it() {
    let w = || workload(2_000, Some("hello{i}"), "hello{i}", 5_000.0);
    let fault = ["100ms:reject-produce:1:0"];
    let base = [("linger.ms", "0"), ("acks", "all")];
    let plain = run(
        config(
            KafkaVersion::V4,
            &[base[0], base[1], ("enable.idempotence", "false")],
        ),
        w(),
        &fault,
        1,
    );
    assert!(
        out_of_order(&appended_batches(&plain, 0)) > 0,
        "batch after the failed one should overtake it"
    );
    assert_eq!(plain.sim.view().application().stats.acked, 2_000);

    let idem = run(
        config(KafkaVersion::V4, &[base[0], base[1]]),
        w(),
        &fault,
        1,
    );
    assert!(idem.sim.effective().idempotence);
    assert_eq!(out_of_order(&appended_batches(&idem, 0)), 0);
    assert!(idem.events().any(|(_, e)| matches!(
        e,
        TraceEvent::ProduceRejected {
            error: KafkaError::OutOfOrderSequenceNumber,
            ..
        }
    )));

    let one = run(
        config(
            KafkaVersion::V4,
            &[
                base[0],
                base[1],
                ("enable.idempotence", "false"),
                ("max.in.flight.requests.per.connection", "1"),
            ],
        ),
        w(),
        &fault,
        1,
    );
    assert_eq!(out_of_order(&appended_batches(&one, 0)), 0);
    assert!(one.sim.view().application().stats.retries > 0);
}

fn duplicates(log: &[u32]) -> usize {
    let mut seen = std::collections::BTreeSet::new();
    log.iter().filter(|id| !seen.insert(**id)).count()
}

#[test]
fn lost_responses_duplicate_without_idempotence_and_are_deduplicated_with_it() {
    let w = || workload(3_000, Some("hello{i}"), "hello{i}", 5_000.0);
    let fault = ["200ms:drop-responses:1:0"];
    let plain = run(
        config(KafkaVersion::V4, &[("enable.idempotence", "false")]),
        w(),
        &fault,
        1,
    );
    assert!(duplicates(&plain.leader_log(0)) > 0);
    assert!(
        plain
            .events()
            .any(|(_, e)| matches!(e, TraceEvent::RequestTimedOut { broker: 0, .. }))
    );

    let idem = run(config(KafkaVersion::V4, &[]), w(), &fault, 1);
    assert_eq!(duplicates(&idem.leader_log(0)), 0);
    assert_eq!(idem.sim.view().application().stats.acked, 3_000);
    // The broker answered the retried batches with the offsets of their first append.
    let mut first_offset = BTreeMap::new();
    let mut dups = 0;
    for (_, e) in idem.events() {
        match e {
            TraceEvent::Appended {
                batch, base_offset, ..
            } => {
                first_offset.insert(*batch, *base_offset);
            }
            TraceEvent::DuplicateBatch {
                batch, base_offset, ..
            } => {
                dups += 1;
                assert_eq!(first_offset.get(batch), Some(base_offset));
            }
            _ => {}
        }
    }
    assert!(dups > 0);
    let log = idem.leader_log(0);
    for (offset, id) in log.iter().enumerate() {
        assert_eq!(
            idem.sim.view().records()[*id as usize].offset,
            offset as i64
        );
    }
}

#[test]
fn exhausted_buffer_memory_blocks_send_then_fails_it() {
    // No broker reachable (once the producer has its metadata: connecting and asking takes
    // three round trips): batches pile up, memory runs out, send() blocks max.block.ms.
    let cfg = config(
        KafkaVersion::V4,
        &[
            ("buffer.memory", "65536"),
            ("max.block.ms", "2000"),
            ("linger.ms", "0"),
        ],
    );
    let mut w = workload(2_000, Some("hello{i}"), "x", 0.0);
    w.value_bytes = Some(1_000);
    let faults = [
        "20ms:isolate-broker:0",
        "20ms:isolate-broker:1",
        "20ms:isolate-broker:2",
    ];
    let r = run(cfg, w, &faults, 1);
    // The first send() that blocks once nothing can complete any more.
    let blocked = r.events().find_map(|(t, e)| match e {
        TraceEvent::SendBlocked { record, .. } if t.as_millis() >= 20 => Some((t, *record)),
        _ => None,
    });
    let (t0, rec) = blocked.expect("send() should block");
    let failed = r.events().find_map(|(t, e)| match e {
        TraceEvent::RecordRejected { record, error } if *record == rec => Some((t, *error)),
        _ => None,
    });
    let (t1, error) = failed.expect("the blocked record should fail");
    assert_eq!(error, KafkaError::BufferExhausted);
    assert_eq!(t1.since(t0).as_millis(), 2_000);
    assert!(r.sim.view().application().buffer_used <= 65_536);
}

#[test]
fn a_small_buffer_blocks_send_until_batches_complete() {
    let cfg = config(
        KafkaVersion::V4,
        &[("buffer.memory", "32768"), ("linger.ms", "1")],
    );
    let r = run(
        cfg,
        workload(20_000, Some("hello{i}"), "hello{i}", 0.0),
        &[],
        1,
    );
    assert!(
        r.events()
            .any(|(_, e)| matches!(e, TraceEvent::SendUnblocked { .. }))
    );
    assert_eq!(r.sim.view().application().stats.acked, 20_000);
    assert!(r.sim.view().application().stats.blocked_us > 0);
}

#[test]
fn acks_all_refuses_writes_when_the_isr_is_below_min_insync_replicas() {
    let cfg = config(
        KafkaVersion::V4,
        &[
            ("min.insync.replicas", "2"),
            ("delivery.timeout.ms", "40000"),
        ],
    );
    let faults = ["100ms:kill-broker:1", "100ms:kill-broker:2"];
    let r = run(
        cfg,
        workload(20_000, Some("hello{i}"), "hello{i}", 1_000.0),
        &faults,
        1,
    );
    let rejected: Vec<SimTime> = r
        .events()
        .filter_map(|(t, e)| match e {
            TraceEvent::ProduceRejected {
                broker: 0,
                error: KafkaError::NotEnoughReplicas,
                ..
            } => Some(t),
            _ => None,
        })
        .collect();
    assert!(!rejected.is_empty());
    // Nothing reaches partition 0's log once its ISR is {0}.
    let shrink = r
        .events()
        .find_map(|(t, e)| match e {
            TraceEvent::IsrChanged {
                partition: 0, isr, ..
            } if isr == &vec![0] => Some(t),
            _ => None,
        })
        .expect("partition 0's ISR shrinks to the leader");
    assert!(
        !r.events()
            .any(|(t, e)| t > shrink && matches!(e, TraceEvent::Appended { partition: 0, .. }))
    );
    assert!(r.sim.view().application().stats.failed > 0);
}

#[test]
fn a_returning_old_leader_truncates_what_nobody_fetched() {
    // acks=1 with a busy producer: the leader holds batches its followers have not fetched.
    let cfg = config(KafkaVersion::V4, &[("acks", "1"), ("linger.ms", "0")]);
    let faults = ["50ms:kill-leader:0", "20s:restart-broker:0"];
    let r = run(
        cfg,
        workload(100_000, Some("hello{i}"), "hello{i}", 0.0),
        &faults,
        1,
    );
    let truncated: u32 = r
        .events()
        .filter_map(|(_, e)| match e {
            TraceEvent::Truncated {
                broker: 0,
                partition: 0,
                removed_records,
                ..
            } => Some(*removed_records),
            _ => None,
        })
        .sum();
    assert!(
        truncated > 0,
        "broker 0 should truncate its unreplicated suffix"
    );
    assert!(r.events().any(|(_, e)| matches!(
        e,
        TraceEvent::LeaderElected {
            partition: 0,
            leader: Some(1),
            unclean: false,
            ..
        }
    )));
    // In the end every replica of partition 0 holds the same log.
    let view = r.sim.view();
    let logs: Vec<Vec<u32>> = view
        .partition(0)
        .replicas
        .iter()
        .map(|rep| {
            view.log(0, rep.broker)
                .into_iter()
                .map(|(_, r)| r)
                .collect()
        })
        .collect();
    assert!(logs.windows(2).all(|w| w[0] == w[1]), "replicas disagree");
}

#[test]
fn delivery_timeout_fails_batches_that_cannot_be_sent() {
    let cfg = config(
        KafkaVersion::V4,
        // acks=1: with acks=all, partitions 1 and 2 would also wait for broker 0, which stays
        // in their ISR until replica.lag.time.max.ms passes.
        &[
            ("acks", "1"),
            ("request.timeout.ms", "1000"),
            ("delivery.timeout.ms", "3000"),
            ("linger.ms", "0"),
        ],
    );
    let r = run(
        cfg,
        workload(300, Some("hello{i}"), "hello{i}", 1_000.0),
        &["50ms:isolate-broker:0"],
        1,
    );
    let failed: Vec<KafkaError> = r
        .events()
        .filter_map(|(_, e)| match e {
            TraceEvent::BatchFailed {
                partition: 0,
                error,
                ..
            } => Some(*error),
            _ => None,
        })
        .collect();
    assert!(!failed.is_empty());
    assert!(failed.iter().all(|e| *e == KafkaError::DeliveryTimeout));
    // Partitions on healthy brokers are unaffected.
    let recs = &r.sim.view().records();
    assert!(
        recs.iter()
            .filter(|m| m.partition != 0)
            .all(|m| m.state == RecordState::Acked)
    );
}
