//! The end-of-run summary: what `kafka-flow run` prints, readable or as JSON.

mod stopped;
pub use stopped::StopSummary;

use super::Sim;
use super::consumer::Phase;
use super::ledger::LedgerReport;
use super::producer::RecordState;
use super::trace::{BrokerId, KafkaError, SendReason};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub seed: u64,
    pub kafka_version: String,
    pub sim_time_ms: f64,
    pub events: u64,
    pub producer: ProducerSummary,
    pub partitions: Vec<PartitionSummary>,
    pub brokers: Vec<BrokerSummary>,
    pub consumer: ConsumerSummary,
    /// Why `run` stopped and what was still behind; `null` when no `run` stopped it.
    pub stopped: Option<StopSummary>,
    pub ledger: LedgerReport,
    /// Silent adjustments Kafka would make at start-up (e.g. idempotence disabled).
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProducerSummary {
    pub records_requested: u64,
    /// `send()` calls the application made.
    pub sent: u64,
    pub acked: u64,
    pub failed: u64,
    pub unsent: u64,
    /// Still in the accumulator or in flight when the run stopped.
    pub pending: u64,
    pub batches: u64,
    pub requests: u64,
    pub retries: u64,
    pub records_per_batch: f64,
    pub avg_batch_bytes: f64,
    /// Bytes of the acknowledged batches (what records/s' companion MB/s counts).
    pub acked_bytes: u64,
    /// The producer's active virtual time: first send() to last acknowledgement, ms.
    pub active_ms: f64,
    /// Why batches were sent (a retried batch counts once per send).
    pub batch_send_reasons: BTreeMap<&'static str, u64>,
    pub latency_ms: LatencySummary,
    pub blocked_ms: f64,
    pub metadata_wait_ms: f64,
    pub acks: String,
    pub idempotence: bool,
    pub linger_ms: u64,
    pub batch_size: u32,
    pub records_per_partition: Vec<u64>,
    /// The counting interceptor: `onSend` and `onAcknowledgement` calls.
    pub interceptor: InterceptorSummary,
    /// The first callbacks' RecordMetadata, as the notes' callback prints them.
    pub callbacks: Vec<CallbackSummary>,
}

#[derive(Clone, Debug, Serialize)]
pub struct InterceptorSummary {
    pub on_send: u64,
    pub on_acknowledgement: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct CallbackSummary {
    pub record: u32,
    pub topic: String,
    pub partition: u32,
    /// -1 with acks=0, or when the record failed.
    pub offset: i64,
    /// The record's create time (ms of virtual time).
    pub timestamp: u64,
    /// The exception the callback got, if any.
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ConsumerSummary {
    pub group_id: String,
    pub commit_mode: String,
    pub consumers: u32,
    /// Records whose processing finished (a record processed twice counts twice).
    pub processed: u64,
    pub polls: u64,
    /// The group's committed offset per partition (the next offset to read).
    pub committed_offsets: BTreeMap<u32, i64>,
    pub commits: CommitSummary,
    pub rebalances: u64,
    pub crashes: u64,
    /// Times a consumer left the group because it did not call poll() within max.poll.interval.ms.
    pub poll_timeouts: u64,
    pub generation: u32,
    pub members: Vec<MemberSummary>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CommitSummary {
    pub sent: u64,
    pub succeeded: u64,
    pub failed: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct MemberSummary {
    pub consumer: u32,
    pub phase: Phase,
    pub partitions: Vec<u32>,
    /// Next offset poll() returns, per assigned partition.
    pub positions: BTreeMap<u32, i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LatencySummary {
    /// Exact mean (sum / count) of send() to callback over acknowledged records.
    pub avg: Option<f64>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    #[serde(rename = "p99_9")]
    pub p99_9: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PartitionSummary {
    pub partition: u32,
    pub leader: Option<BrokerId>,
    /// No leader: nobody can read or write the partition.
    pub offline: bool,
    /// The current leader, or the one an offline partition had last.
    pub last_leader: BrokerId,
    pub leader_epoch: u32,
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
    /// The leader's; for an offline partition, the last leader's (still on its disk).
    pub log_end_offset: i64,
    /// The leader's; for an offline partition, the last known one.
    pub high_watermark: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct BrokerSummary {
    pub id: BrokerId,
    pub alive: bool,
}

fn ms(us: Option<u64>) -> Option<f64> {
    us.map(|u| u as f64 / 1000.0)
}

/// The first five records that completed, in id order, as the notes' callback prints them.
fn callbacks(sim: &Sim) -> Vec<CallbackSummary> {
    let topic = &sim.config().topology.topic;
    let settled = sim.ledger().settled_callbacks().iter().map(|c| {
        let error = c
            .error
            .or((c.meta.state == RecordState::Failed).then_some(KafkaError::ProducerClosed));
        (c.record, c.meta, error)
    });
    let records = &sim.producer().records;
    let base = records.base();
    let kept = records
        .iter()
        .enumerate()
        .map(|(i, m)| (base + i as u32, *m, sim.ledger().failure(base + i as u32)));
    settled
        .chain(kept)
        .filter(|(_, m, _)| m.state != RecordState::Pending)
        .take(5)
        .map(|(record, r, failure)| CallbackSummary {
            record,
            topic: topic.clone(),
            partition: r.partition,
            offset: r.offset,
            timestamp: r.sent_at.as_millis(),
            error: match r.state {
                RecordState::Failed => {
                    Some(failure.unwrap_or(KafkaError::ProducerClosed).to_string())
                }
                RecordState::Unsent => Some("never sent: the producer died".to_string()),
                _ => None,
            },
        })
        .collect()
}

impl Summary {
    pub fn of(sim: &Sim) -> Summary {
        let p = sim.producer();
        let s = &p.stats;
        let cfg = sim.config();
        let pending = s.send_calls - s.acked - s.failed - s.unsent;
        let mut per_partition = vec![0u64; cfg.topology.partitions as usize];
        for (i, n) in s.acked_per_partition.iter().enumerate() {
            if let Some(slot) = per_partition.get_mut(i) {
                *slot = *n;
            }
        }
        let cluster = sim.cluster();
        Summary {
            seed: sim.seed(),
            kafka_version: cfg.version.to_string(),
            sim_time_ms: sim.now().as_micros() as f64 / 1000.0,
            events: sim.events(),
            producer: ProducerSummary {
                records_requested: sim.workload().records,
                sent: s.send_calls,
                acked: s.acked,
                failed: s.failed,
                unsent: s.unsent,
                pending,
                batches: s.batches_acked,
                requests: s.requests,
                retries: s.retries,
                records_per_batch: if s.batches_acked == 0 {
                    0.0
                } else {
                    s.records_in_acked_batches as f64 / s.batches_acked as f64
                },
                avg_batch_bytes: if s.batches_acked == 0 {
                    0.0
                } else {
                    s.bytes_in_acked_batches as f64 / s.batches_acked as f64
                },
                batch_send_reasons: SendReason::ALL
                    .iter()
                    .zip(s.send_reasons)
                    .filter(|(_, n)| *n > 0)
                    .map(|(r, n)| (r.name(), n))
                    .collect(),
                acked_bytes: s.bytes_in_acked_batches,
                active_ms: s.active_us() as f64 / 1000.0,
                latency_ms: LatencySummary {
                    avg: s.latency_mean().map(|us| us / 1000.0),
                    p50: ms(s.latency_percentile(0.5)),
                    p95: ms(s.latency_percentile(0.95)),
                    p99: ms(s.latency_percentile(0.99)),
                    p99_9: ms(s.latency_percentile(0.999)),
                    max: ms(s.latency_percentile(1.0)),
                },
                blocked_ms: s.blocked_us as f64 / 1000.0,
                metadata_wait_ms: s.metadata_wait_us as f64 / 1000.0,
                acks: sim.effective().acks.to_string(),
                idempotence: sim.effective().idempotence,
                linger_ms: cfg.producer.linger_ms,
                batch_size: cfg.producer.batch_size,
                records_per_partition: per_partition,
                interceptor: InterceptorSummary {
                    on_send: p.interceptor_on_send,
                    on_acknowledgement: p.interceptor_on_ack,
                },
                callbacks: callbacks(sim),
            },
            partitions: cluster
                .partitions
                .iter()
                .enumerate()
                .map(|(i, part)| PartitionSummary {
                    partition: i as u32,
                    leader: part.leader,
                    offline: part.is_offline(),
                    last_leader: part.last_leader,
                    leader_epoch: part.leader_epoch,
                    replicas: part.replicas.clone(),
                    isr: part.isr.clone(),
                    log_end_offset: part.last_known_log_end_offset(),
                    high_watermark: part.last_known_high_watermark(),
                })
                .collect(),
            brokers: cluster
                .brokers
                .iter()
                .enumerate()
                .map(|(i, b)| BrokerSummary {
                    id: i as BrokerId,
                    alive: b.alive,
                })
                .collect(),
            consumer: {
                let g = sim.group();
                ConsumerSummary {
                    group_id: cfg.consumer.group_id.clone(),
                    commit_mode: cfg.consumer.commit_mode.name().to_string(),
                    consumers: cfg.consumer.consumers,
                    processed: g.stats.processed,
                    polls: g.stats.polls,
                    committed_offsets: g.coordinator.committed.clone(),
                    commits: CommitSummary {
                        sent: g.stats.commits_sent,
                        succeeded: g.stats.commits_ok,
                        failed: g.stats.commits_failed,
                    },
                    rebalances: g.stats.rebalances,
                    crashes: g.stats.crashes,
                    poll_timeouts: g.stats.poll_timeouts,
                    generation: g.coordinator.generation,
                    members: g
                        .consumers
                        .iter()
                        .map(|c| MemberSummary {
                            consumer: c.index,
                            phase: c.phase,
                            partitions: c.assignment.clone(),
                            positions: c.positions.clone(),
                        })
                        .collect(),
                }
            },
            stopped: StopSummary::of(sim),
            ledger: sim.ledger_report(),
            notes: sim.effective().notes.clone(),
        }
    }
}
