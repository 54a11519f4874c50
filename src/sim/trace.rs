//! Typed trace events: everything the simulation does, each with its reason.
//! The ledger, the statistics and the UI read these; `--trace` writes them as
//! JSON lines. Ids are plain integers so the trace stays compact.

use super::command::{Command, Fault};
use super::idempotence::BumpCause;
use super::reason::{
    CloseReason, CommitKind, ElectionCause, IsrReason, PositionReason, RejectReason, TruncateReason,
};
use super::time::SimTime;
use serde::Serialize;
use std::fmt;

pub type RecordId = u32;
pub type BatchId = u64;
pub type RequestId = u64;
pub type BrokerId = u32;

/// Errors as Kafka names them (`org.apache.kafka.common.protocol.Errors` and the producer's exceptions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KafkaError {
    NotLeaderOrFollower,
    NotEnoughReplicas,
    NotEnoughReplicasAfterAppend,
    RequestTimedOut,
    NetworkException,
    OutOfOrderSequenceNumber,
    InvalidProducerEpoch,
    /// `BufferExhaustedException`: no memory within max.block.ms.
    BufferExhausted,
    /// `RecordTooLargeException`: bigger than max.request.size or buffer.memory.
    RecordTooLarge,
    /// `TimeoutException` from delivery.timeout.ms.
    DeliveryTimeout,
    /// `TimeoutException`: the topic was not in the metadata within max.block.ms.
    MetadataTimeout,
    /// "Producer is closed forcefully".
    ProducerClosed,
    /// The fetch offset is outside the log.
    OffsetOutOfRange,
    /// No such partition (a real client asked for one the topic does not have).
    UnknownTopicOrPartition,
    /// The group coordinator cannot be reached.
    CoordinatorNotAvailable,
    /// `CommitFailedException`: the member is no longer in this generation of the group.
    IllegalGeneration,
}

impl KafkaError {
    /// Whether the producer may retry it (`RetriableException` subclasses).
    pub fn is_retriable(self) -> bool {
        matches!(
            self,
            Self::NotLeaderOrFollower
                | Self::NotEnoughReplicas
                | Self::NotEnoughReplicasAfterAppend
                | Self::RequestTimedOut
                | Self::NetworkException
                | Self::OutOfOrderSequenceNumber
                | Self::CoordinatorNotAvailable
        )
    }

    /// Errors after which the producer refreshes its metadata (`InvalidMetadataException`).
    pub fn refreshes_metadata(self) -> bool {
        matches!(self, Self::NotLeaderOrFollower | Self::NetworkException)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            Self::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            Self::NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            Self::RequestTimedOut => "REQUEST_TIMED_OUT",
            Self::NetworkException => "NETWORK_EXCEPTION",
            Self::OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            Self::InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
            Self::BufferExhausted => "BufferExhaustedException",
            Self::RecordTooLarge => "RecordTooLargeException",
            Self::DeliveryTimeout => "TimeoutException (delivery.timeout.ms)",
            Self::MetadataTimeout => "TimeoutException (topic not present in metadata)",
            Self::ProducerClosed => "KafkaException (producer closed forcefully)",
            Self::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            Self::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            Self::CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            Self::IllegalGeneration => "CommitFailedException (ILLEGAL_GENERATION)",
        }
    }
}

impl fmt::Display for KafkaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why the Sender took a batch out of the accumulator (`RecordAccumulator.ready`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SendReason {
    /// The batch reached batch.size (or another batch queued behind it).
    Full,
    /// linger.ms passed since the batch was created.
    Linger,
    /// A retried batch whose backoff ran out.
    Retry,
    /// `send()` is blocked waiting for buffer.memory, so every partition is ready.
    MemoryPressure,
    /// `flush()` is in progress.
    Flush,
    /// `close()` is draining the accumulator.
    Close,
    /// Not ready itself: it rode along because another partition made its leader ready.
    Piggyback,
}

impl SendReason {
    pub const ALL: [SendReason; 7] = [
        Self::Full,
        Self::Linger,
        Self::Retry,
        Self::MemoryPressure,
        Self::Flush,
        Self::Close,
        Self::Piggyback,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Linger => "linger",
            Self::Retry => "retry",
            Self::MemoryPressure => "memory_pressure",
            Self::Flush => "flush",
            Self::Close => "close",
            Self::Piggyback => "piggyback",
        }
    }
}

/// How `send()` chose a record's partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartitionChoice {
    /// murmur2 of the serialized key.
    Key,
    /// The built-in sticky partitioner (null key).
    Sticky,
}

/// One trace line: the virtual time and what happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceRecord {
    /// Virtual time in microseconds.
    pub t: SimTime,
    #[serde(flatten)]
    pub event: TraceEvent,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TraceEvent {
    // ---- the application thread -------------------------------------------------
    /// `send()` returned: the record is in a batch in the accumulator.
    RecordAppended {
        record: RecordId,
        partition: u32,
        batch: BatchId,
        choice: PartitionChoice,
        /// Bytes the record took in the batch (exact v2 size).
        bytes: u32,
    },
    /// `send()` waits for the topic's metadata (`waitOnMetadata`), the first time only.
    WaitingForMetadata,
    /// `send()` is blocked: buffer.memory is exhausted.
    SendBlocked {
        record: RecordId,
        needed: u64,
        available: u64,
    },
    SendUnblocked {
        record: RecordId,
        waited_us: u64,
    },
    /// The record failed before reaching the accumulator; its callback got the error.
    RecordRejected {
        record: RecordId,
        error: KafkaError,
    },
    FlushStarted,
    FlushCompleted,
    CloseStarted,
    ProducerClosed,
    /// A new producer instance started with the current settings.
    ProducerRestarted,
    /// The application crashed or force-closed the producer; these records were never sent.
    RecordsAbandoned {
        count: u64,
    },

    // ---- the accumulator and the sender ----------------------------------------
    BatchCreated {
        batch: BatchId,
        partition: u32,
        buffer_bytes: u32,
    },
    /// The Sender drained the batch into a request.
    BatchDrained {
        batch: BatchId,
        partition: u32,
        records: u32,
        bytes: u32,
        reason: SendReason,
        attempt: u32,
        /// With idempotence: the batch's first sequence number.
        #[serde(skip_serializing_if = "Option::is_none")]
        base_sequence: Option<i32>,
    },
    RequestSent {
        request: RequestId,
        broker: BrokerId,
        batches: u32,
        bytes: u32,
        in_flight: u32,
    },
    /// A batch completed successfully; callbacks ran in order.
    BatchAcked {
        batch: BatchId,
        partition: u32,
        /// -1 for acks=0, as in Kafka's RecordMetadata.
        base_offset: i64,
        records: u32,
        latency_us: u64,
    },
    BatchRetry {
        batch: BatchId,
        partition: u32,
        error: KafkaError,
        attempt: u32,
        backoff_us: u64,
    },
    BatchFailed {
        batch: BatchId,
        partition: u32,
        error: KafkaError,
        records: u32,
    },
    RequestTimedOut {
        request: RequestId,
        broker: BrokerId,
    },
    ConnectionClosed {
        broker: BrokerId,
        #[serde(rename = "why")]
        reason: CloseReason,
    },
    Connected {
        broker: BrokerId,
    },
    MetadataUpdated {
        leaders: Vec<Option<BrokerId>>,
    },
    ProducerIdAssigned {
        producer_id: i64,
        epoch: i16,
    },
    EpochBumped {
        producer_id: i64,
        epoch: i16,
        #[serde(rename = "why")]
        reason: BumpCause,
    },

    // ---- brokers ----------------------------------------------------------------
    /// The leader appended a batch to its log.
    Appended {
        broker: BrokerId,
        partition: u32,
        batch: BatchId,
        base_offset: i64,
        records: u32,
    },
    /// An idempotent retry matched a batch the broker already has: not appended again.
    DuplicateBatch {
        broker: BrokerId,
        partition: u32,
        batch: BatchId,
        base_offset: i64,
    },
    ProduceRejected {
        broker: BrokerId,
        partition: u32,
        batch: BatchId,
        error: KafkaError,
        #[serde(rename = "why")]
        reason: RejectReason,
    },
    /// The broker wrote the response but it never reached the producer (fault).
    ResponseDropped {
        broker: BrokerId,
        request: RequestId,
    },
    FollowerFetched {
        broker: BrokerId,
        partition: u32,
        from_offset: i64,
        to_offset: i64,
    },
    HighWatermark {
        partition: u32,
        high_watermark: i64,
    },
    IsrChanged {
        partition: u32,
        isr: Vec<BrokerId>,
        #[serde(rename = "why")]
        reason: IsrReason,
    },
    LeaderElected {
        partition: u32,
        leader: Option<BrokerId>,
        leader_epoch: u32,
        unclean: bool,
        #[serde(rename = "why")]
        reason: ElectionCause,
    },
    Truncated {
        broker: BrokerId,
        partition: u32,
        to_offset: i64,
        removed_records: u32,
        #[serde(rename = "why")]
        reason: TruncateReason,
    },
    BrokerDown {
        broker: BrokerId,
    },
    BrokerUp {
        broker: BrokerId,
    },
    BrokerFenced {
        broker: BrokerId,
    },

    // ---- the consumer group -----------------------------------------------------
    ConsumerStarted {
        consumer: u32,
        member: String,
    },
    ConsumerCrashed {
        consumer: u32,
        /// Records returned by poll() but not processed when it died.
        unprocessed: u32,
    },
    /// The coordinator removed a member whose heartbeats stopped.
    MemberExpired {
        consumer: u32,
        member: String,
    },
    /// The consumer's heartbeat thread found that the application had not called `poll()`
    /// for max.poll.interval.ms and sent LeaveGroup (`AbstractCoordinator.HeartbeatThread.run`
    /// → `handlePollTimeoutExpiry` → `maybeLeaveGroup`). The member has no generation any
    /// more: its commits fail until its next `poll()` rejoins the group.
    LeftGroupPollTimeout {
        consumer: u32,
        member: String,
        /// Time since the application thread last called `poll()`.
        since_poll_us: u64,
        max_poll_interval_ms: u64,
        /// Records of its last poll still to be processed at that moment.
        unprocessed: u32,
    },
    /// The coordinator removed a member that sent LeaveGroup; the others rebalance.
    MemberLeft {
        consumer: u32,
        member: String,
    },
    Rebalanced {
        generation: u32,
        /// (consumer, partitions) per member, RangeAssignor.
        assignment: Vec<(u32, Vec<u32>)>,
    },
    /// Where a consumer starts reading a partition after an assignment.
    PositionSet {
        consumer: u32,
        partition: u32,
        offset: i64,
        #[serde(rename = "why")]
        reason: PositionReason,
    },
    Polled {
        consumer: u32,
        records: u32,
        /// Auto-commit ran at the start of this poll (covering earlier polls).
        auto_commit: bool,
        /// What `poll()` returned, per run of one partition: (partition, first offset, last
        /// offset), both inclusive, in the order the records were handed out. A reader can
        /// tell which poll returned a given offset (the TUI follows one record this way).
        ranges: Vec<(u32, i64, i64)>,
    },
    Processed {
        consumer: u32,
        partition: u32,
        from_offset: i64,
        to_offset: i64,
    },
    CommitSent {
        consumer: u32,
        offsets: Vec<(u32, i64)>,
        kind: CommitKind,
    },
    Committed {
        consumer: u32,
        offsets: Vec<(u32, i64)>,
    },
    CommitFailed {
        consumer: u32,
        error: KafkaError,
        retrying: bool,
    },
    /// A commit failed inside the consumer, before any request: the member has no
    /// generation because it left the group, so `ConsumerCoordinator.sendOffsetCommitRequest`
    /// raises CommitFailedException at once (not retried, also by commitSync).
    CommitFailedNotInGroup {
        consumer: u32,
        offsets: Vec<(u32, i64)>,
        kind: CommitKind,
    },

    // ---- commands --------------------------------------------------------------
    SettingChanged {
        name: String,
        value: String,
    },
    Fault {
        fault: Fault,
    },
    /// A scheduled command that the simulation refused when its time came.
    CommandRefused {
        command: Command,
        error: String,
    },
}
