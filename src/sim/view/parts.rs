//! The view's parts: plain read-only structs, each field in Kafka's words.

use super::{
    AppState, BatchId, BrokerId, ConnState, ConsumerStats, FlightKind, Node, Phase, ProducerStats,
    RequestId, SimDuration, SimTime,
};

/// The application thread and the `KafkaProducer` around it.
pub struct Application<'a> {
    /// What the thread calling `send()` is doing (sending, blocked on buffer.memory, …).
    pub state: AppState,
    /// `send()` is blocked: buffer.memory is exhausted (`BufferPool.allocate` waits up to
    /// max.block.ms).
    pub blocked: bool,
    /// The producer's counters (`send()` calls, acked, failed, requests, retries…).
    pub stats: &'a ProducerStats,
    /// `ProducerInterceptor.onSend` calls.
    pub interceptor_on_send: u64,
    /// `ProducerInterceptor.onAcknowledgement` calls (acked and failed records).
    pub interceptor_on_ack: u64,
    /// buffer.memory: bytes held by batches (`BufferPool`), and the pool's size.
    pub buffer_used: u64,
    /// buffer.memory: the pool's size in bytes.
    pub buffer_total: u64,
    /// `RecordAccumulator.incomplete`: batches created and not yet completed.
    pub incomplete_batches: usize,
}

/// What a batch's head-of-deque timer waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// linger.ms since the first record (a full batch does not wait).
    Linger,
    /// retry.backoff.ms (with jitter) since the last failed attempt.
    Backoff,
}

/// One `ProducerBatch` in a partition's deque.
#[derive(Clone, Copy, Debug)]
pub struct Batch {
    /// The batch's id in the trace and the ledger.
    pub id: BatchId,
    /// The topic partition it is for.
    pub partition: u32,
    /// Records appended (`recordCount`).
    pub records: u32,
    /// `estimatedSizeInBytes` (61-byte header + records), to compare with batch.size.
    pub bytes: usize,
    /// batch.size (the effective one): a batch this full is sent without lingering.
    pub batch_size: usize,
    /// `createdMs`.
    pub created: SimTime,
    /// When it may be sent without being full: `last attempt + linger.ms` for a new batch,
    /// `last attempt + backoff` for a retried one.
    pub deadline: SimTime,
    /// Which timer `deadline` is: linger.ms or the retry backoff.
    pub waiting: Wait,
    /// Sends so far (0: never sent; a retry adds one).
    pub attempts: u32,
}

/// One partition's deque in the RecordAccumulator.
#[derive(Clone, Debug)]
pub struct Lane {
    /// Oldest first: the head is the next one drained.
    pub batches: Vec<Batch>,
    /// max.in.flight.requests.per.connection=1 (`guaranteeMessageOrder`): the partition has a
    /// batch in flight, so nothing more is drained from it until that one completes.
    pub muted: bool,
    /// What keeps a batch of this deque that is ready (full or lingered) from leaving, if
    /// anything: the Sender's `ready()` / `NetworkClient.ready(node)` for the leader the
    /// producer knows.
    pub held: Option<Hold>,
}

/// Why a ready batch stays in its deque.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    /// max.in.flight.requests.per.connection=1 and one of its batches is in flight.
    Muted,
    /// The producer knows no leader for the partition (metadata pending or offline).
    NoLeader,
    /// The connection to the leader is not established yet (or is backing off).
    NotConnected,
    /// The leader's connection has max.in.flight.requests.per.connection requests unanswered.
    InFlightFull,
}

/// The RecordAccumulator: one lane per partition.
#[derive(Clone, Debug)]
pub struct Accumulator {
    /// One deque per partition, by partition number.
    pub lanes: Vec<Lane>,
    /// linger.ms as the accumulator applies it now.
    pub linger: SimDuration,
    /// batch.size (the effective one).
    pub batch_size: usize,
}

impl Accumulator {
    /// Batches waiting in all deques.
    pub fn queued_batches(&self) -> usize {
        self.lanes.iter().map(|l| l.batches.len()).sum()
    }
}

/// One connection of the Sender's `NetworkClient`, to one broker.
#[derive(Clone, Debug)]
pub struct Connection {
    /// The broker at the other end.
    pub broker: BrokerId,
    /// Ready, connecting, or disconnected (after a failure, until reconnect.backoff.ms).
    pub state: ConnState,
    /// Requests sent on it and not yet answered (`InFlightRequests`), oldest first.
    pub in_flight: Vec<RequestId>,
}

/// A produce request in flight.
#[derive(Clone, Debug)]
pub struct Request {
    /// The request's correlation id (as in the trace).
    pub id: RequestId,
    /// The broker it was sent to: the leader of its partitions.
    pub broker: BrokerId,
    /// The batches it carries, and their partitions (same order).
    pub batches: Vec<BatchId>,
    pub partitions: Vec<u32>,
    /// Records in those batches (batches already completed count 0).
    pub records: u32,
    /// When the Sender wrote it to the connection.
    pub sent: SimTime,
    /// When it reaches the broker, if it is still on the wire (only while flights are
    /// tracked, as the TUI does); `None` once it arrived or when it will never arrive.
    pub arrives: Option<SimTime>,
    /// The broker's answer while it is on the wire back (tracked flights only).
    pub response: Option<Answer>,
}

/// A produce response on its way back to the producer.
#[derive(Clone, Copy, Debug)]
pub struct Answer {
    pub depart: SimTime,
    pub arrive: SimTime,
    /// Every batch in it succeeded.
    pub ok: bool,
    /// It will never arrive (a fault dropped it or cut the broker off).
    pub lost: bool,
}

impl Answer {
    /// How far back it travelled at `now`, 0.0 (just left the broker) to 1.0.
    pub fn progress(&self, now: SimTime) -> f64 {
        let span = self.arrive.since(self.depart).as_micros().max(1) as f64;
        (now.since(self.depart).as_micros() as f64 / span).clamp(0.0, 1.0)
    }
}

impl Request {
    /// How far the request travelled to the broker at `now`, 0.0 to 1.0; `None` once it
    /// arrived (or when flights are not tracked).
    pub fn progress(&self, now: SimTime) -> Option<f64> {
        self.arrives.map(|arrives| {
            let span = arrives.since(self.sent).as_micros().max(1) as f64;
            (now.since(self.sent).as_micros() as f64 / span).clamp(0.0, 1.0)
        })
    }
}

/// The idempotent producer's state (KIP-98).
#[derive(Clone, Debug)]
pub struct Idempotence {
    /// enable.idempotence as in effect for the running producer.
    pub enabled: bool,
    /// The producer id from InitProducerId (-1 before the answer) and its epoch.
    pub producer_id: i64,
    /// The producer epoch (bumped after an unresolved sequence, -1 before InitProducerId).
    pub epoch: i16,
    /// Per partition: (next sequence number to assign, last acknowledged one or -1).
    pub sequences: Vec<(i32, i32)>,
}

/// The Sender thread: its connections, requests in flight, idempotence.
#[derive(Clone, Debug)]
pub struct NetworkClient {
    /// One connection per broker, by broker id.
    pub connections: Vec<Connection>,
    /// Produce requests sent and not yet answered, by request id.
    pub requests: Vec<Request>,
    /// max.in.flight.requests.per.connection.
    pub max_in_flight: usize,
    /// enable.idempotence: the producer id, epoch and sequence numbers.
    pub idempotence: Idempotence,
}

/// A message on the wire, for drawing it where it is.
#[derive(Clone, Copy, Debug)]
pub struct Flight {
    /// The sending host.
    pub from: Node,
    /// The receiving host.
    pub to: Node,
    /// What it carries (a produce request, an ack, a fetch, a commit…).
    pub kind: FlightKind,
    /// When it left, and when it arrives (latency, jitter and bandwidth included).
    pub depart: SimTime,
    pub arrive: SimTime,
    /// How far it travelled, 0.0 (just left) to 1.0 (arriving).
    pub progress: f64,
    /// It will never arrive (a cut-off host): drawn fading out.
    pub lost: bool,
}

/// A broker as the controller sees it.
#[derive(Clone, Copy, Debug)]
pub struct Broker {
    /// broker.id (node.id).
    pub id: BrokerId,
    /// The process runs (not killed).
    pub alive: bool,
    /// The controller fenced it (missed heartbeats): it leads nothing and is in no ISR.
    pub fenced: bool,
    /// Cut off from the network (a fault).
    pub isolated: bool,
}

/// One replica of a partition, on one broker.
#[derive(Clone, Copy, Debug)]
pub struct Replica {
    /// The broker holding it.
    pub broker: BrokerId,
    /// LEO: the offset its next record gets.
    pub log_end_offset: i64,
    /// Its log starts here (older records were removed).
    pub log_start_offset: i64,
    /// Its own high watermark (a follower learns the leader's with each fetch).
    pub high_watermark: i64,
    /// Record batches held in its log (from the log start).
    pub log_batches: usize,
    pub leader: bool,
    /// In the in-sync replica set.
    pub in_isr: bool,
}

/// A topic partition.
#[derive(Clone, Debug)]
pub struct Partition {
    /// The partition number within the topic.
    pub id: u32,
    /// None: offline (no replica can lead).
    pub leader: Option<BrokerId>,
    pub leader_epoch: u32,
    /// The in-sync replicas, as the controller records them.
    pub isr: Vec<BrokerId>,
    /// The leader's high watermark: consumers read below it (0 when offline).
    pub high_watermark: i64,
    /// The leader's log end offset (0 when offline).
    pub log_end_offset: i64,
    /// Every assigned replica, the preferred leader first.
    pub replicas: Vec<Replica>,
}

/// The records one `poll()` returned, being processed: per partition, the offsets.
#[derive(Clone, Debug, Default)]
pub struct Poll {
    /// (partition, first offset, last offset, records), in the order returned.
    pub ranges: Vec<(u32, i64, i64, u32)>,
    /// When processing began.
    pub since: SimTime,
}

impl Poll {
    /// Records in hand.
    pub fn records(&self) -> usize {
        self.ranges.iter().map(|r| r.3 as usize).sum()
    }
}

/// One consumer of the group.
#[derive(Clone, Debug)]
pub struct Consumer {
    /// The consumer's number in the group (client.id suffix).
    pub index: u32,
    /// What its application thread is doing; `Phase::Dead` after a crash.
    pub phase: Phase,
    pub alive: bool,
    /// It has a member id in the group's current generation.
    pub member: bool,
    /// The heartbeat thread left the group (max.poll.interval.ms) and `poll()` was not called
    /// since: its commits would fail.
    pub left_group: bool,
    /// Crashed but still a member: when the coordinator will give up on its heartbeats
    /// (last heartbeat + session.timeout.ms) and rebalance its partitions to the others.
    pub session_expires: Option<SimTime>,
    /// Its assigned partitions.
    pub assignment: Vec<u32>,
    /// Per assigned partition: (partition, position = the next offset `poll()` returns).
    pub positions: Vec<(u32, i64)>,
    /// The last poll's records, while they are processed.
    pub poll: Option<Poll>,
}

impl Consumer {
    pub fn position(&self, partition: u32) -> Option<i64> {
        self.positions
            .iter()
            .find(|(p, _)| *p == partition)
            .map(|(_, o)| *o)
    }
}

/// The consumer group and its coordinator.
#[derive(Clone, Debug)]
pub struct ConsumerGroup<'a> {
    /// Every consumer of the group (group.id), by number.
    pub consumers: Vec<Consumer>,
    /// The coordinator's committed offsets: (partition, offset).
    pub committed: Vec<(u32, i64)>,
    /// The group's generation (a rebalance increments it).
    pub generation: u32,
    pub rebalancing: bool,
    /// While a rebalance waits for members: until when, and whether the wait is
    /// group.initial.rebalance.delay.ms (true) or the rebalance timeout (false).
    pub rebalance_deadline: Option<(SimTime, bool)>,
    /// Polls, records processed, commits sent / ok / failed, rebalances…
    pub stats: &'a ConsumerStats,
}

impl ConsumerGroup<'_> {
    /// The committed offset of `partition`, if any.
    pub fn committed(&self, partition: u32) -> Option<i64> {
        self.committed
            .iter()
            .find(|(p, _)| *p == partition)
            .map(|(_, o)| *o)
    }
}
