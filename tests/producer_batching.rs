//! Record sizes, batch filling, linger, the sticky partitioner and synchronous sends,
//! checked through the whole producer (kafka-semantics §1.3, §2.2–2.6).

mod common;
use common::{config, run, workload};
use kafka_flow::sim::partitioner::partition_for_key;
use kafka_flow::sim::trace::{PartitionChoice, SendReason};
use kafka_flow::sim::{KafkaVersion, TraceEvent};

/// (records, bytes, reason) of every first drain, in order.
fn drains(r: &common::Run) -> Vec<(u32, u32, u32, SendReason)> {
    r.events()
        .filter_map(|(_, e)| match e {
            TraceEvent::BatchDrained {
                partition,
                records,
                bytes,
                reason,
                attempt: 0,
                ..
            } => Some((*partition, *records, *bytes, *reason)),
            _ => None,
        })
        .collect()
}

#[test]
fn sixty_eight_key_value_records_fill_a_1086_byte_batch() {
    // RecordAccumulatorTest.testFull: batch.size = 1025 + 61 holds exactly 68 records.
    let cfg = config(
        KafkaVersion::V4,
        &[("batch.size", "1086"), ("linger.ms", "10000")],
    );
    let r = run(cfg, workload(69, Some("key"), "value", 0.0), &[], 1);
    let d = drains(&r);
    let p = partition_for_key(b"key", 3);
    assert_eq!(p, 1, "murmur2(\"key\") lands on partition 1 of 3");
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(d[0], (p, 68, 61 + 64 * 15 + 4 * 16, SendReason::Full));
    assert_eq!((d[1].0, d[1].1), (p, 1));
    assert_eq!(r.sim.view().application().stats.acked, 69);
}

#[test]
fn a_16384_byte_batch_holds_1024_key_value_records() {
    let cfg = config(KafkaVersion::V4, &[("linger.ms", "10000")]);
    let r = run(cfg, workload(1025, Some("key"), "value", 0.0), &[], 1);
    let d = drains(&r);
    assert_eq!(
        (d[0].1, d[0].2, d[0].3),
        (1024, 16381, SendReason::Full),
        "{d:?}"
    );
    assert_eq!(d[1].1, 1);
}

#[test]
fn a_slow_producer_with_linger_zero_sends_one_record_per_batch() {
    let cfg = config(KafkaVersion::V3, &[("linger.ms", "0")]);
    let r = run(
        cfg,
        workload(200, Some("hello{i}"), "hello{i}", 100.0),
        &[],
        1,
    );
    let d = drains(&r);
    assert_eq!(d.len(), 200);
    assert!(
        d.iter().all(|x| x.1 == 1 && x.3 == SendReason::Linger),
        "{d:?}"
    );
}

#[test]
fn a_long_linger_fills_batches_to_batch_size() {
    let cfg = config(KafkaVersion::V4, &[("linger.ms", "5000")]);
    let r = run(
        cfg,
        workload(30_000, Some("hello{i}"), "hello{i}", 0.0),
        &[],
        1,
    );
    let d = drains(&r);
    let full: Vec<_> = d.iter().filter(|x| x.3 == SendReason::Full).collect();
    // Every partition's last batch goes at close(); all the others are full.
    assert_eq!(full.len() + 3, d.len(), "{d:?}");
    for x in &full {
        // A full batch has no room for one more record of at most 30 bytes.
        assert!(x.2 > 16_384 - 30 && x.2 <= 16_384, "{x:?}");
    }
    // The same workload lingering 0 ms sends many more, smaller batches.
    let cfg = config(KafkaVersion::V3, &[("linger.ms", "0")]);
    let r0 = run(
        cfg,
        workload(30_000, Some("hello{i}"), "hello{i}", 0.0),
        &[],
        1,
    );
    assert!(drains(&r0).len() > d.len());
}

#[test]
fn builtin_sticky_partitioner_switches_after_batch_size_bytes() {
    // Null keys, 100-byte values: 109 bytes per record, 61 more per new batch.
    let cfg = config(KafkaVersion::V4, &[("linger.ms", "0")]);
    let mut w = workload(5_000, None, "x", 0.0);
    w.value_bytes = Some(100);
    let r = run(cfg, w, &[], 7);
    let mut runs: Vec<(u32, u64)> = Vec::new();
    for (_, e) in r.events() {
        if let TraceEvent::RecordAppended {
            partition,
            bytes,
            choice,
            ..
        } = e
        {
            assert_eq!(*choice, PartitionChoice::Sticky);
            match runs.last_mut() {
                Some((p, b)) if p == partition => *b += u64::from(*bytes),
                _ => runs.push((*partition, u64::from(*bytes))),
            }
        }
    }
    assert!(runs.len() > 5, "it never switched: {runs:?}");
    // Every stint on a partition (but the last) lasted at least batch.size bytes
    // (the same partition may be picked again, which only lengthens a stint).
    for (p, bytes) in &runs[..runs.len() - 1] {
        assert!(
            *bytes >= 16_384,
            "switched away from {p} after only {bytes} bytes: {runs:?}"
        );
    }
    let used: std::collections::BTreeSet<u32> = runs.iter().map(|r| r.0).collect();
    assert_eq!(used.len(), 3);
}

/// The notes' keyless loop with `Thread.sleep(2)`: under Kafka 2.x (KIP-480) every new
/// batch moves the sticky partition, so a slow producer spreads records around.
#[test]
fn kip480_moves_to_a_different_partition_on_every_new_batch() {
    let cfg = config(KafkaVersion::V2_8, &[]);
    let r = run(cfg, workload(100, None, "atguigu {i}", 500.0), &[], 3);
    let appended: Vec<(u32, u64)> = r
        .events()
        .filter_map(|(_, e)| match e {
            TraceEvent::RecordAppended {
                partition, batch, ..
            } => Some((*partition, *batch)),
            _ => None,
        })
        .collect();
    assert_eq!(appended.len(), 100);
    let new_batches: Vec<_> = appended.windows(2).filter(|w| w[0].1 != w[1].1).collect();
    // Until the first connection is up a few records share a batch; after that each
    // record finds its partition's batch already sent.
    assert!(new_batches.len() > 90, "{appended:?}");
    assert!(
        new_batches.iter().all(|w| w[0].0 != w[1].0),
        "a new batch stayed on the same partition: {appended:?}"
    );
    // Under 4.x the same loop stays on one partition until batch.size bytes went there.
    let cfg = config(KafkaVersion::V4, &[]);
    let r = run(cfg, workload(100, None, "atguigu {i}", 500.0), &[], 3);
    let first = r.events().find_map(|(_, e)| match e {
        TraceEvent::RecordAppended { partition, .. } => Some(*partition),
        _ => None,
    });
    let same = r
        .events()
        .filter(|(_, e)| matches!(e, TraceEvent::RecordAppended { partition, .. } if Some(*partition) == first))
        .count();
    assert_eq!(same, 100);
}

#[test]
fn synchronous_send_waits_for_each_acknowledgement() {
    let cfg = config(KafkaVersion::V4, &[]);
    let mut w = workload(20, Some("hello{i}"), "hello{i}", 0.0);
    w.send_mode = kafka_flow::sim::workload::SendMode::Sync;
    let r = run(cfg, w, &[], 1);
    let d = drains(&r);
    assert_eq!(d.len(), 20);
    assert!(d.iter().all(|x| x.1 == 1));
    // Record i+1 is appended only after record i's batch was acknowledged.
    let mut last_ack = None;
    for (t, e) in r.events() {
        match e {
            TraceEvent::RecordAppended { record, .. } if *record > 0 => {
                assert!(
                    last_ack.is_some_and(|a| a <= t),
                    "record {record} sent before the previous ack"
                );
                last_ack = None;
            }
            TraceEvent::BatchAcked { .. } => last_ack = Some(t),
            _ => {}
        }
    }
    assert_eq!(r.sim.view().application().stats.acked, 20);
}

#[test]
fn record_metadata_offsets_follow_the_log() {
    let cfg = config(KafkaVersion::V4, &[("linger.ms", "1")]);
    let r = run(
        cfg,
        workload(3_000, Some("hello{i}"), "hello{i}", 0.0),
        &[],
        1,
    );
    let recs = &r.sim.view().records();
    for p in 0..3 {
        let log = r.leader_log(p);
        for (offset, id) in log.iter().enumerate() {
            let m = recs[*id as usize];
            assert_eq!((m.partition, m.offset), (p, offset as i64), "record {id}");
        }
    }
    // Callbacks of one partition complete in send order: offsets grow with record ids.
    for p in 0..3 {
        let offsets: Vec<i64> = recs
            .iter()
            .filter(|m| m.partition == p)
            .map(|m| m.offset)
            .collect();
        assert!(offsets.windows(2).all(|w| w[0] < w[1]));
    }
}
