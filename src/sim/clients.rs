//! Real clients on the embedded brokers (`kafka-flow serve`). A real producer's produce
//! request joins the leader's request queue exactly as the simulated producer's does, so
//! the same append, idempotence check, replication, ISR, high watermark and acks=all
//! purgatory answer it; a real consumer reads the leader's log up to its high watermark.
//! The network between a real client and a broker is the real loopback socket, so nothing
//! here adds latency.
//!
//! What the simulation keeps of a real record is an id, as for its own records; the bytes
//! (key, value, headers) stay with the server, which maps the ids back. Ids of real
//! clients' records, batches and requests start at `CLIENT_ID_BASE`, so they never meet
//! the simulated producer's. The ledger follows real records from their first append
//! (`ledger/clients.rs`): acknowledged, committed, lost or written twice, and why.

use super::Sim;
use super::broker::replica::Replica;
use super::consumer::coordinator::Coordinator;
use super::kernel::{PartitionResult, ProduceRequest, ProduceResponse, WireBatch};
use super::record_ids::RecordIds;
use super::time::SimDuration;
use super::trace::{BatchId, BrokerId, KafkaError, RecordId, RequestId};

/// The first id of a real client's batch or request.
pub const CLIENT_ID_BASE: u64 = 1 << 48;

/// The first id of a real client's record. Record ids are 32 bits: the simulated producer
/// would need three billion records to get here, real clients have a billion.
pub const CLIENT_RECORD_BASE: RecordId = 0xC000_0000;

/// A produce request's connection generation when a real client sent it: the simulated
/// producer's generations count up from 0 and never get here.
const CLIENT_CONN_GEN: u32 = u32::MAX;

/// Whether a batch or request id is a real client's.
pub fn is_client_id(id: u64) -> bool {
    id >= CLIENT_ID_BASE
}

/// Whether a record id is a real client's.
pub fn is_client_record(r: RecordId) -> bool {
    r >= CLIENT_RECORD_BASE
}

/// Counters for real clients' ids, and the produce answers waiting for the server.
#[derive(Clone, Debug)]
pub struct Clients {
    next_record: RecordId,
    next_batch: BatchId,
    next_request: RequestId,
    pub(crate) replies: Vec<ProduceResponse>,
}

impl Default for Clients {
    fn default() -> Self {
        Clients {
            next_record: CLIENT_RECORD_BASE,
            next_batch: CLIENT_ID_BASE,
            next_request: CLIENT_ID_BASE,
            replies: Vec::new(),
        }
    }
}

/// One batch of a real producer's request, as the broker sees it in the v2 batch header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientBatch {
    pub partition: u32,
    pub records: u32,
    pub bytes: u32,
    pub producer_id: i64,
    pub producer_epoch: i16,
    /// -1 when the producer is not idempotent.
    pub base_sequence: i32,
    /// The first record id of an earlier attempt of this same batch (the server recognised
    /// a retry): its records keep their ids, so the ledger sees one record written twice,
    /// not two records.
    pub retry_of: Option<RecordId>,
}

/// What a real client's produce request became in the simulation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientTicket {
    /// The request id its answer will carry (`take_client_replies`); none for acks=0.
    pub request: RequestId,
    /// Per batch, in request order: its batch id and the id of its first record (the
    /// others follow one by one).
    pub batches: Vec<(BatchId, RecordId)>,
}

/// A produce answer for a real client: per batch, its offset or the error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientReply {
    pub request: RequestId,
    pub results: Vec<(BatchId, Result<i64, KafkaError>)>,
}

/// A partition as Metadata describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientPartition {
    pub partition: u32,
    pub leader: Option<BrokerId>,
    pub leader_epoch: u32,
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
    /// The leader's log end offset and high watermark (0 while offline).
    pub log_end_offset: i64,
    pub high_watermark: i64,
}

/// A batch read from a leader's log, cut at the high watermark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadBatch {
    pub base_offset: i64,
    pub leader_epoch: u32,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub records: RecordIds,
}

/// What a consumer's fetch of one partition reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRead {
    pub high_watermark: i64,
    pub log_start_offset: i64,
    pub batches: Vec<ReadBatch>,
}

impl Sim {
    /// The brokers a client can reach now (a dead broker's sockets are closed).
    pub fn broker_up(&self, b: BrokerId) -> bool {
        (b as usize) < self.cluster.brokers.len() && self.cluster.is_up(b)
    }

    /// Whether Metadata lists broker `b`: every registered broker the controller has not
    /// fenced (`MetadataCache.getAliveBrokerNodes` under KRaft). A crashed broker stays
    /// listed, and stays its partitions' leader, until its session times out; clients
    /// meanwhile find its port closed.
    pub fn broker_listed(&self, b: BrokerId) -> bool {
        (b as usize) < self.cluster.brokers.len() && !self.cluster.brokers[b as usize].fenced
    }

    /// Every partition's leader, epoch, replicas and ISR, for Metadata.
    pub fn client_metadata(&self) -> Vec<ClientPartition> {
        self.cluster
            .partitions
            .iter()
            .enumerate()
            .map(|(p, part)| ClientPartition {
                partition: p as u32,
                leader: part.leader,
                leader_epoch: part.leader_epoch,
                replicas: part.replicas.clone(),
                isr: part.isr.clone(),
                log_end_offset: part.log_end_offset(),
                high_watermark: part.high_watermark(),
            })
            .collect()
    }

    /// The broker hosting `group`'s coordinator, as for the simulated consumers
    /// (`Coordinator::host`): the leader of its `__consumer_offsets` partition.
    pub fn coordinator_for(&self, group: &str) -> Option<BrokerId> {
        let brokers = self.core.cfg.topology.brokers;
        let up: Vec<bool> = (0..brokers)
            .map(|b| self.cluster.is_up(b) && !self.cluster.brokers[b as usize].isolated)
            .collect();
        Coordinator::host(group, brokers, &up)
    }

    /// InitProducerId: a new producer id from the same counter the simulated producer
    /// draws from, epoch 0.
    pub fn client_init_producer_id(&mut self) -> (i64, i16) {
        (self.cluster.next_producer_id(), 0)
    }

    /// A real client's produce request arrives at broker `b` now. Its answer comes out of
    /// `take_client_replies` once the broker sends it (after the append, or for acks=all
    /// once the high watermark passes every batch). A dead broker drops it.
    pub fn client_produce(
        &mut self,
        b: BrokerId,
        acks: i16,
        timeout: SimDuration,
        batches: &[ClientBatch],
    ) -> ClientTicket {
        let clients = &mut self.core.clients;
        let request = clients.next_request;
        clients.next_request += 1;
        let mut ticket = ClientTicket {
            request,
            batches: Vec::with_capacity(batches.len()),
        };
        let wire: Vec<WireBatch> = batches
            .iter()
            .map(|c| {
                let batch_id = clients.next_batch;
                clients.next_batch += 1;
                let first = c.retry_of.unwrap_or_else(|| {
                    let first = clients.next_record;
                    clients.next_record = clients.next_record.saturating_add(c.records);
                    first
                });
                ticket.batches.push((batch_id, first));
                WireBatch {
                    batch_id,
                    partition: c.partition,
                    records: RecordIds::Range {
                        first,
                        len: c.records,
                    },
                    bytes: c.bytes,
                    producer_id: c.producer_id,
                    producer_epoch: c.producer_epoch,
                    base_sequence: c.base_sequence,
                }
            })
            .collect();
        if self.broker_up(b) {
            let req = ProduceRequest {
                id: request,
                conn_gen: CLIENT_CONN_GEN,
                acks_all: acks == -1,
                acks_zero: acks == 0,
                timeout,
                batches: wire,
            };
            self.cluster.on_produce(&mut self.core, b, req);
        }
        ticket
    }

    /// The server answered a real producer with success for records `first..first+len`,
    /// sent with `acks` (1 or -1): the ledger judges them from now on.
    pub fn client_acked(&mut self, first: RecordId, len: u32, acks: i16) {
        self.core.ledger.on_client_acked(first, len, acks);
    }

    /// Real producers' records judged by the ledger, with the latest `examples` lost or
    /// written twice and why.
    pub fn client_verdicts(
        &self,
        examples: usize,
    ) -> (
        super::ledger::ClientVerdicts,
        Vec<super::ledger::ClientExample>,
    ) {
        self.core.ledger.client_verdicts(examples)
    }

    /// Produce answers for real clients since the last call, in the order the brokers sent them.
    pub fn take_client_replies(&mut self) -> Vec<ClientReply> {
        std::mem::take(&mut self.core.clients.replies)
            .into_iter()
            .map(|r| ClientReply {
                request: r.id,
                results: r
                    .results
                    .into_iter()
                    .map(|(batch, res)| {
                        let res = match res {
                            PartitionResult::Ok { base_offset } => Ok(base_offset),
                            PartitionResult::Err(e) => Err(e),
                        };
                        (batch, res)
                    })
                    .collect(),
            })
            .collect()
    }

    /// The leader `b`'s replica of `partition`, or why a client cannot use it there.
    fn leader_replica(&self, b: BrokerId, partition: u32) -> Result<&Replica, KafkaError> {
        let part = self
            .cluster
            .partitions
            .get(partition as usize)
            .ok_or(KafkaError::UnknownTopicOrPartition)?;
        if !self.broker_up(b) || part.leader != Some(b) {
            return Err(KafkaError::NotLeaderOrFollower);
        }
        Ok(part.replica(b))
    }

    /// A consumer's fetch of `partition` from broker `b`, from `offset`, at most about
    /// `max_bytes` (at least one batch), up to the high watermark (`Partition.fetchRecords`
    /// with the HIGH_WATERMARK isolation a consumer uses).
    pub fn client_read(
        &self,
        b: BrokerId,
        partition: u32,
        offset: i64,
        max_bytes: u64,
    ) -> Result<ClientRead, KafkaError> {
        let rep = self.leader_replica(b, partition)?;
        // `UnifiedLog.read`: past the log end or below its start is OFFSET_OUT_OF_RANGE.
        if offset < rep.log_start_offset || offset > rep.log_end_offset {
            return Err(KafkaError::OffsetOutOfRange);
        }
        let hw = rep.high_watermark;
        let mut batches = Vec::new();
        if offset < hw {
            for lb in rep.read_from(offset, max_bytes) {
                if lb.base_offset >= hw {
                    break;
                }
                let visible = (hw - lb.base_offset).min(lb.wire.records.len() as i64);
                batches.push(ReadBatch {
                    base_offset: lb.base_offset,
                    leader_epoch: lb.leader_epoch,
                    producer_id: lb.wire.producer_id,
                    producer_epoch: lb.wire.producer_epoch,
                    base_sequence: lb.wire.base_sequence,
                    records: lb.wire.records.prefix(visible as usize),
                });
            }
        }
        Ok(ClientRead {
            high_watermark: hw,
            log_start_offset: rep.log_start_offset,
            batches,
        })
    }

    /// ListOffsets on leader `b`: the earliest offset (`timestamp` -2) or the latest one a
    /// consumer may read, the high watermark (-1, `ListOffsetsRequest.LATEST_TIMESTAMP`).
    pub fn client_list_offset(
        &self,
        b: BrokerId,
        partition: u32,
        earliest: bool,
    ) -> Result<(i64, u32), KafkaError> {
        let rep = self.leader_replica(b, partition)?;
        let epoch = self.cluster.partitions[partition as usize].leader_epoch;
        let offset = if earliest {
            rep.log_start_offset
        } else {
            rep.high_watermark
        };
        Ok((offset, epoch))
    }

    /// The record ids at offsets `from..to` of `partition` in its leader's log (an offline
    /// partition's last leader's), with the high watermark: what a real producer's
    /// acknowledged batch must still be found at. Offsets past the log end are missing.
    pub fn client_log_ids(
        &self,
        partition: u32,
        from: i64,
        to: i64,
    ) -> (Vec<(i64, RecordId)>, i64) {
        let Some(part) = self.cluster.partitions.get(partition as usize) else {
            return (Vec::new(), 0);
        };
        let rep = part.replica(part.leader.unwrap_or(part.last_leader));
        let mut out = Vec::new();
        // Only the batches that hold `from..to`: an acknowledged batch is checked often.
        let start = rep.log.partition_point(|b| b.next_offset() <= from);
        for lb in rep.log.range(start..) {
            if lb.base_offset >= to {
                break;
            }
            for (i, r) in lb.wire.records.iter().enumerate() {
                let o = lb.base_offset + i as i64;
                if (from..to).contains(&o) {
                    out.push((o, r));
                }
            }
        }
        (out, rep.high_watermark)
    }

    /// Real consumers read the logs from their own positions, which the simulation does not
    /// know: keep every batch, as a broker keeps them until retention.
    pub fn keep_replica_logs(&mut self) {
        let mut c = self.compaction;
        c.replica_logs = false;
        self.compaction = c;
    }
}
