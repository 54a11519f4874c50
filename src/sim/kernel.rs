//! The simulation kernel shared by every actor: the clock, the event queue,
//! the RNG, the network and the trace. Actors get `&mut Core` and schedule
//! events or send messages through it; they never see each other directly.

use super::config::{Config, Effective};
use super::network::{Network, Node, Transit};
use super::queue::{EventId, EventQueue};
use super::record_ids::RecordIds;
use super::rng::SimRng;
use super::time::{SimDuration, SimTime};
use super::trace::{BatchId, BrokerId, KafkaError, RecordId, RequestId, TraceEvent, TraceRecord};

/// A batch as it travels in a produce request and sits in a broker's log.
#[derive(Clone, Debug)]
pub struct WireBatch {
    pub batch_id: BatchId,
    pub partition: u32,
    pub records: RecordIds,
    pub bytes: u32,
    pub producer_id: i64,
    pub producer_epoch: i16,
    /// -1 when the producer is not idempotent.
    pub base_sequence: i32,
}

impl WireBatch {
    pub fn last_sequence(&self) -> i32 {
        if self.base_sequence < 0 {
            -1
        } else {
            self.base_sequence
                .wrapping_add(self.records.len() as i32 - 1)
        }
    }
}

impl ProduceRequest {
    /// The smallest record id it carries (a batch's records are in send order).
    pub fn min_record(&self) -> Option<RecordId> {
        self.batches.iter().filter_map(|b| b.records.first()).min()
    }
}

#[derive(Clone, Debug)]
pub struct ProduceRequest {
    pub id: RequestId,
    /// The producer's connection generation: responses to a closed connection are ignored.
    pub conn_gen: u32,
    pub acks_all: bool,
    pub acks_zero: bool,
    pub timeout: SimDuration,
    pub batches: Vec<WireBatch>,
}

/// Per-batch outcome in a produce response.
#[derive(Clone, Copy, Debug)]
pub enum PartitionResult {
    Ok { base_offset: i64 },
    Err(KafkaError),
}

#[derive(Clone, Debug)]
pub struct ProduceResponse {
    pub id: RequestId,
    pub conn_gen: u32,
    pub results: Vec<(BatchId, PartitionResult)>,
}

/// A follower's fetch: per partition, the next offset it wants and the epoch of its last batch.
#[derive(Clone, Debug)]
pub struct FetchRequest {
    pub follower: BrokerId,
    pub partitions: Vec<FetchPartition>,
}

#[derive(Clone, Copy, Debug)]
pub struct FetchPartition {
    pub partition: u32,
    pub fetch_offset: i64,
    pub last_fetched_epoch: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct FetchResponse {
    pub leader: BrokerId,
    pub partitions: Vec<FetchedPartition>,
}

#[derive(Clone, Debug)]
pub struct FetchedPartition {
    pub partition: u32,
    pub high_watermark: i64,
    /// The leader's log diverges: truncate to this offset before fetching again.
    pub diverging_end_offset: Option<i64>,
    pub batches: Vec<LogBatch>,
    /// The leader is not (or no longer) the leader of this partition.
    pub not_leader: bool,
    /// OFFSET_OUT_OF_RANGE: the fetch offset is below the leader's log start offset (given).
    pub out_of_range: Option<i64>,
}

/// A batch in a replica's log.
#[derive(Clone, Debug)]
pub struct LogBatch {
    pub base_offset: i64,
    pub leader_epoch: u32,
    pub wire: WireBatch,
}

impl LogBatch {
    pub fn next_offset(&self) -> i64 {
        self.base_offset + self.wire.records.len() as i64
    }
}

/// A consumer's fetch: per partition, the offset to read from.
#[derive(Clone, Debug)]
pub struct ConsumerFetchRequest {
    pub consumer: u32,
    pub incarnation: u32,
    pub partitions: Vec<(u32, i64)>,
    pub min_bytes: u32,
    pub max_wait: SimDuration,
    pub max_partition_bytes: u32,
}

/// Records below the high watermark: (offset, record) per partition, or an error.
#[derive(Clone, Debug)]
pub struct ConsumerFetchResponse {
    pub incarnation: u32,
    pub partitions: Vec<ConsumerFetchedPartition>,
}

#[derive(Clone, Debug)]
pub struct ConsumerFetchedPartition {
    pub partition: u32,
    pub fetch_offset: i64,
    pub records: Vec<(i64, RecordId)>,
    pub error: Option<KafkaError>,
    /// The leader's high watermark and log start, for `auto.offset.reset` (latest / earliest).
    pub high_watermark: i64,
    pub log_start_offset: i64,
}

/// What the coordinator hands a member after a rebalance: its partitions, each with the
/// group's committed offset (if any) and the high watermark (for `latest`).
#[derive(Clone, Debug)]
pub struct AssignedPartition {
    pub partition: u32,
    pub committed: Option<i64>,
    pub high_watermark: i64,
}

#[derive(Clone, Debug)]
pub enum Message {
    Produce(ProduceRequest),
    ProduceResponse(ProduceResponse),
    Fetch(FetchRequest),
    FetchResponse(FetchResponse),
    Metadata,
    MetadataResponse(Vec<Option<(BrokerId, u32)>>),
    InitProducerId,
    InitProducerIdResponse {
        producer_id: i64,
        epoch: i16,
    },
    ConsumerFetch(ConsumerFetchRequest),
    ConsumerFetchResponse(ConsumerFetchResponse),
    JoinGroup {
        consumer: u32,
        incarnation: u32,
    },
    Heartbeat {
        consumer: u32,
        incarnation: u32,
    },
    /// A member leaves on its own (`AbstractCoordinator.maybeLeaveGroup`); no answer is
    /// awaited (`LeaveGroupResponseHandler` only logs).
    LeaveGroup {
        consumer: u32,
        incarnation: u32,
    },
    /// The heartbeat answer REBALANCE_IN_PROGRESS: revoke and rejoin.
    RebalanceNotice {
        incarnation: u32,
    },
    Assignment {
        incarnation: u32,
        generation: u32,
        partitions: Vec<AssignedPartition>,
    },
    OffsetCommit {
        consumer: u32,
        incarnation: u32,
        generation: u32,
        id: u64,
        offsets: Vec<(u32, i64)>,
    },
    OffsetCommitResponse {
        incarnation: u32,
        id: u64,
        error: Option<KafkaError>,
    },
}

impl Message {
    /// Rough wire size, for bandwidth.
    pub fn bytes(&self) -> u64 {
        match self {
            Message::Produce(r) => 100 + r.batches.iter().map(|b| u64::from(b.bytes)).sum::<u64>(),
            Message::ConsumerFetchResponse(r) => {
                100 + r
                    .partitions
                    .iter()
                    .map(|p| p.records.len() as u64 * 30)
                    .sum::<u64>()
            }
            Message::FetchResponse(r) => {
                100 + r
                    .partitions
                    .iter()
                    .flat_map(|p| p.batches.iter())
                    .map(|b| u64::from(b.wire.bytes))
                    .sum::<u64>()
            }
            _ => 100,
        }
    }
}

/// What a message in flight carries, for drawing it (design §5: moving things are drawn
/// from their own schedule, position = (now - depart) / (arrive - depart)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlightKind {
    /// A produce request: its correlation id, so a screen can label it (`#88`).
    Produce {
        request: RequestId,
        batches: u32,
        records: u32,
    },
    /// Its answer, with the same id.
    ProduceResponse {
        request: RequestId,
        ok: bool,
    },
    ReplicaFetch,
    ReplicaData {
        records: u32,
    },
    ConsumerFetch,
    ConsumerRecords {
        records: u32,
    },
    Commit,
    Group,
    Metadata,
}

#[derive(Clone, Copy, Debug)]
pub struct Flight {
    pub from: Node,
    pub to: Node,
    pub kind: FlightKind,
    pub depart: SimTime,
    pub arrive: SimTime,
    /// It will never arrive (a cut-off host): drawn fading out.
    pub lost: bool,
}

impl Message {
    fn flight_kind(&self) -> FlightKind {
        match self {
            Message::Produce(r) => FlightKind::Produce {
                request: r.id,
                batches: r.batches.len() as u32,
                records: r.batches.iter().map(|b| b.records.len() as u32).sum(),
            },
            Message::ProduceResponse(r) => FlightKind::ProduceResponse {
                request: r.id,
                ok: r
                    .results
                    .iter()
                    .all(|(_, res)| matches!(res, PartitionResult::Ok { .. })),
            },
            Message::Fetch(_) => FlightKind::ReplicaFetch,
            Message::FetchResponse(r) => FlightKind::ReplicaData {
                records: r
                    .partitions
                    .iter()
                    .flat_map(|p| p.batches.iter())
                    .map(|b| b.wire.records.len() as u32)
                    .sum(),
            },
            Message::ConsumerFetch(_) => FlightKind::ConsumerFetch,
            Message::ConsumerFetchResponse(r) => FlightKind::ConsumerRecords {
                records: r.partitions.iter().map(|p| p.records.len() as u32).sum(),
            },
            Message::OffsetCommit { .. } | Message::OffsetCommitResponse { .. } => {
                FlightKind::Commit
            }
            Message::Metadata
            | Message::MetadataResponse(_)
            | Message::InitProducerId
            | Message::InitProducerIdResponse { .. } => FlightKind::Metadata,
            Message::JoinGroup { .. }
            | Message::Heartbeat { .. }
            | Message::LeaveGroup { .. }
            | Message::RebalanceNotice { .. }
            | Message::Assignment { .. } => FlightKind::Group,
        }
    }
}

/// Everything that can happen at a point in virtual time.
#[derive(Clone, Debug)]
pub enum Event {
    /// The application thread's next `send()` (or close/flush step).
    AppWake,
    /// `send()` has been blocked for max.block.ms.
    AppBlockTimeout {
        token: u64,
    },
    SenderWake {
        token: u64,
    },
    ConnectDone {
        broker: BrokerId,
        cgen: u32,
    },
    /// The producer learns that the broker closed the connection (crash).
    Disconnected {
        broker: BrokerId,
        cgen: u32,
    },
    RequestTimeout {
        broker: BrokerId,
        request: RequestId,
        cgen: u32,
    },
    /// An acks=0 request's bytes are on the wire: Kafka completes it here.
    RequestWritten {
        broker: BrokerId,
        request: RequestId,
        cgen: u32,
    },
    Deliver {
        from: Node,
        to: Node,
        msg: Message,
    },
    BrokerAppendDone {
        broker: BrokerId,
    },
    DelayedProduceTimeout {
        broker: BrokerId,
        request: RequestId,
    },
    FetchWaitExpired {
        leader: BrokerId,
        follower: BrokerId,
        token: u64,
    },
    /// A follower's fetch got no answer within replica.socket.timeout.ms.
    FollowerFetchTimeout {
        follower: BrokerId,
        leader: BrokerId,
        token: u64,
    },
    IsrCheck,
    /// A consumer's application thread has something to do (poll, end of processing, retry).
    ConsumerWake {
        consumer: u32,
        incarnation: u32,
        token: u64,
    },
    /// The consumer's heartbeat thread wakes: a heartbeat is due, or the poll timer
    /// (`max.poll.interval.ms`) may have run out. `token` tells a superseded wake-up.
    ConsumerHeartbeat {
        consumer: u32,
        incarnation: u32,
        token: u64,
    },
    /// The coordinator checks whether a member's session expired. `serial` names the
    /// membership (a simulated consumer's or a real client's), so a member that left and
    /// joined again is not checked twice.
    MemberSessionCheck {
        serial: u64,
    },
    /// `group.initial.rebalance.delay.ms` (or a rebalance timeout) ran out.
    RebalanceDeadline {
        round: u64,
    },
    ConsumerFetchWaitExpired {
        broker: BrokerId,
        token: u64,
    },
    SessionExpired {
        broker: BrokerId,
        incarnation: u32,
    },
    Command(super::Command),
}

#[derive(Clone)]
pub struct Core {
    pub now: SimTime,
    /// How far the caller asked to run (`Sim::advance_to`'s target, `run`'s limit): work an
    /// actor would do inline past it is scheduled as an event instead, so the clock never
    /// passes the target and a run stopped there is at a clean instant.
    pub horizon: SimTime,
    pub queue: EventQueue<Event>,
    pub rng: SimRng,
    pub net: Network,
    pub cfg: Config,
    pub eff: Effective,
    pub trace: Vec<TraceRecord>,
    pub trace_enabled: bool,
    /// Every record's life; the actors update it as things happen.
    pub ledger: super::ledger::Ledger,
    /// Messages on the wire, kept only when a UI wants to draw them.
    pub flights: Vec<Flight>,
    pub track_flights: bool,
    /// Real clients' ids and their produce answers (`clients.rs`).
    pub clients: super::clients::Clients,
    next_token: u64,
}

impl Core {
    pub fn new(cfg: Config, eff: Effective, seed: u64) -> Self {
        let net = Network::new(
            SimDuration(cfg.sim.network_latency_us),
            SimDuration(cfg.sim.network_jitter_us),
            cfg.sim.network_bandwidth_mbps,
        );
        let ledger = super::ledger::Ledger::new(
            cfg.topology.partitions,
            super::ledger::Context::of(&cfg, &eff),
        );
        Core {
            ledger,
            flights: Vec::new(),
            track_flights: false,
            now: SimTime::ZERO,
            horizon: SimTime::MAX,
            queue: EventQueue::default(),
            rng: SimRng::new(seed),
            net,
            cfg,
            eff,
            trace: Vec::new(),
            trace_enabled: true,
            clients: super::clients::Clients::default(),
            next_token: 0,
        }
    }

    /// Schedules an event; a time in the past is clamped to now (never schedule backwards).
    pub fn at(&mut self, t: SimTime, ev: Event) {
        self.queue.push(t.max(self.now), ev);
    }

    /// Like `at`, after every ordinary event of that instant (`EventQueue::push_late`).
    pub fn at_late(&mut self, t: SimTime, ev: Event) {
        self.queue.push_late(t.max(self.now), ev);
    }

    pub fn after(&mut self, d: SimDuration, ev: Event) {
        let t = self.now + d;
        self.queue.push(t, ev);
    }

    /// Like `at`, for a timer its owner may cancel before it fires (`cancel`).
    pub fn timer_at(&mut self, t: SimTime, ev: Event) -> EventId {
        self.queue.push(t.max(self.now), ev)
    }

    /// Cancels a timer that has not fired (`timer_at`).
    pub fn cancel(&mut self, id: EventId) {
        self.queue.cancel(id);
    }

    pub fn token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }

    pub fn emit(&mut self, event: TraceEvent) {
        if self.trace_enabled {
            self.trace.push(TraceRecord { t: self.now, event });
        }
    }

    /// Sends a message; it is silently lost if either side is cut off.
    pub fn send(&mut self, from: Node, to: Node, msg: Message) -> Transit {
        let bytes = msg.bytes();
        let transit = self.net.transit(self.now, from, to, bytes, &mut self.rng);
        let reachable = self.net.reachable(from, to);
        if self.track_flights {
            self.flights.push(Flight {
                from,
                to,
                kind: msg.flight_kind(),
                depart: self.now,
                arrive: transit.arrives,
                lost: !reachable,
            });
        }
        if reachable {
            self.queue
                .push(transit.arrives, Event::Deliver { from, to, msg });
        }
        transit
    }
}
