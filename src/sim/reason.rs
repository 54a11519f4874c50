//! Why things happened, as data: the numbers, brokers and settings a reason mentions.
//! The trace and the ledger carry these; words are made from them at the edge
//! (`crate::i18n::describe`), in the reader's language.

use super::config::{CommitMode, OffsetReset};
use super::time::SimTime;
use super::trace::{BrokerId, KafkaError};
use serde::Serialize;

/// Why the idempotent producer bumped its epoch; it lives with the `TransactionManager`
/// port that decides it, and is re-exported here with the other reasons.
pub use super::idempotence::BumpCause;

/// Why the producer's connection to a broker closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// The broker is down or unreachable: the connection attempt failed.
    ConnectionRefused,
    /// The metadata request got no answer within request.timeout.ms.
    MetadataTimeout,
    /// The InitProducerId request got no answer within request.timeout.ms.
    InitProducerIdTimeout,
    /// A produce request got no answer within request.timeout.ms.
    RequestTimeout,
    /// The broker closed the connection.
    BrokerClosed,
}

impl CloseReason {
    pub const ALL: [CloseReason; 5] = [
        Self::ConnectionRefused,
        Self::MetadataTimeout,
        Self::InitProducerIdTimeout,
        Self::RequestTimeout,
        Self::BrokerClosed,
    ];
}

/// Why a leader refused (or gave up on) a produce batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RejectReason {
    /// The broker does not lead the partition.
    NotLeader { broker: BrokerId, partition: u32 },
    /// The reject-produce fault: refused before anything was written.
    InjectedFault,
    /// acks=all and the ISR is smaller than min.insync.replicas: nothing written.
    IsrTooSmall { isr: Vec<BrokerId>, min_isr: u32 },
    /// An idempotent batch arrived with a sequence number other than the next one.
    SequenceGap { got: i32, expected: i32 },
    /// The producer epoch is older than the broker's.
    OldEpoch,
    /// acks=all: the ISR did not replicate it within request.timeout.ms (it stays in the log).
    NotReplicatedInTime,
}

/// Why a partition's ISR changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IsrReason {
    /// These followers did not catch up within replica.lag.time.max.ms.
    FellBehind { brokers: Vec<BrokerId>, lag_ms: u64 },
    /// The controller fenced the broker (its session expired).
    Fenced { broker: BrokerId },
    /// The follower caught up to the high watermark and joined the ISR again.
    CaughtUp {
        broker: BrokerId,
        high_watermark: i64,
    },
}

/// What started a leader election.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ElectionCause {
    /// The leader crashed and the controller fenced it when its session timeout
    /// (`setting`, zookeeper.session.timeout.ms or broker.session.timeout.ms) ran out.
    LeaderFenced {
        leader: BrokerId,
        crashed_at: SimTime,
        setting: &'static str,
        timeout_ms: u64,
    },
    /// A broker came back and may lead what has no leader.
    BrokerBack { broker: BrokerId },
    /// A test or caller gave no particular reason.
    Unspecified,
}

/// How the new leader was chosen (follows from the election's result).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ElectionOutcome {
    /// The first alive in-sync replica.
    FromIsr,
    /// No in-sync replica alive; unclean.leader.election.enable=true picked an out-of-sync one.
    Unclean,
    /// No in-sync replica alive: the partition is offline.
    Offline,
}

impl ElectionOutcome {
    pub const ALL: [ElectionOutcome; 3] = [Self::FromIsr, Self::Unclean, Self::Offline];

    pub fn of(leader: Option<BrokerId>, unclean: bool) -> ElectionOutcome {
        match (leader, unclean) {
            (_, true) => Self::Unclean,
            (None, false) => Self::Offline,
            (Some(_), false) => Self::FromIsr,
        }
    }
}

/// Why a follower cut its log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TruncateReason {
    /// Its log diverged from the leader's (leader epochs).
    Diverged { leader: BrokerId },
    /// Its log ends below the leader's log start offset: it starts again there.
    BelowLogStart { leader: BrokerId, log_start: i64 },
}

/// Where a consumer starts reading a partition, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PositionReason {
    /// The group's committed offset.
    Committed { offset: i64 },
    /// No committed offset; auto.offset.reset=earliest.
    ResetEarliest,
    /// No committed offset; auto.offset.reset=latest skips the records already there.
    ResetLatest { skipped: i64 },
    /// No committed offset and auto.offset.reset=none: Kafka would throw
    /// NoOffsetForPartitionException; the simulation reads from 0.
    ResetNone,
    /// The fetch offset is out of range; auto.offset.reset decides.
    OutOfRange { offset: i64, reset: OffsetReset },
}

/// Which commit call sent the offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitKind {
    /// enable.auto.commit: asynchronously, inside poll().
    AutoInsidePoll,
    /// `onJoinPrepare` before the first rebalance.
    AutoBeforeRebalance,
    /// `onJoinPrepare`: synchronously, before the rebalance.
    AutoSyncBeforeRebalance,
    SyncBeforeProcessing,
    AsyncBeforeProcessing,
    SyncAfterProcessing,
    AsyncAfterProcessing,
    SyncAfterEmptyPoll,
    AsyncAfterEmptyPoll,
    /// commitSync retries a retriable failure.
    SyncRetry,
}

impl CommitKind {
    pub const ALL: [CommitKind; 10] = [
        Self::AutoInsidePoll,
        Self::AutoBeforeRebalance,
        Self::AutoSyncBeforeRebalance,
        Self::SyncBeforeProcessing,
        Self::AsyncBeforeProcessing,
        Self::SyncAfterProcessing,
        Self::AsyncAfterProcessing,
        Self::SyncAfterEmptyPoll,
        Self::AsyncAfterEmptyPoll,
        Self::SyncRetry,
    ];

    /// A stable name, also the i18n key's last part (`commit_kind.{name}`).
    pub fn name(self) -> &'static str {
        match self {
            Self::AutoInsidePoll => "auto_inside_poll",
            Self::AutoBeforeRebalance => "auto_before_rebalance",
            Self::AutoSyncBeforeRebalance => "auto_sync_before_rebalance",
            Self::SyncBeforeProcessing => "sync_before_processing",
            Self::AsyncBeforeProcessing => "async_before_processing",
            Self::SyncAfterProcessing => "sync_after_processing",
            Self::AsyncAfterProcessing => "async_after_processing",
            Self::SyncAfterEmptyPoll => "sync_after_empty_poll",
            Self::AsyncAfterEmptyPoll => "async_after_empty_poll",
            Self::SyncRetry => "sync_retry",
        }
    }
}

/// The latest way a consumer left its partitions behind, for the resume causes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Departure {
    Crash {
        consumer: u32,
        at: SimTime,
    },
    /// The heartbeat thread left the group: poll() was not called within max.poll.interval.ms.
    PollTimeout {
        consumer: u32,
        at: SimTime,
        interval_ms: u64,
        /// Time between the two poll() calls, once the second one happened.
        gap: Option<super::time::SimDuration>,
        /// A commit failed with CommitFailedException after the leave.
        commit_failed: bool,
    },
}

/// When the consumer commits, as the resume causes quote it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CommitHabit {
    /// commit.mode=auto: every auto.commit.interval.ms inside poll().
    Auto { interval_ms: u64 },
    /// commit.mode=sync-before / async-before.
    Before { mode: CommitMode },
    /// commit.mode=sync / async.
    After { mode: CommitMode },
    /// commit.mode=none.
    Never,
}

/// Why the ledger judged a record as it did: shared by the records it explains.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cause {
    /// A leader change cut the record from the log: `election` started it, and broker
    /// `new_leader`, elected from the ISR or not (`unclean`), had a log ending at `log_end`.
    LeaderCut {
        acks: String,
        election: ElectionCause,
        new_leader: BrokerId,
        unclean: bool,
        log_end: i64,
    },
    /// A retry wrote a batch the log already had.
    Duplicate {
        batch: u64,
        /// The error that made the producer send it again, and which attempt that was.
        retry: Option<(KafkaError, u32)>,
        idempotent: bool,
        offset: i64,
    },
    /// A real producer's batch (`kafka-flow serve`) came again, not idempotent, and was
    /// written a second time: the log already had it at `first_offset`.
    ClientDuplicate {
        batch: u64,
        first_offset: i64,
        offset: i64,
    },
    /// A retried batch landed after later records.
    Reordered {
        batch: u64,
        retry_error: Option<KafkaError>,
        overtaken_by: u32,
        max_in_flight: u32,
        idempotent: bool,
    },
    /// The producer died (`crashed`) or was force-closed at `at` with records unsent.
    ProducerStopped { crashed: bool, at: SimTime },
    /// A consumer resumed a partition: processed again (or skipped) from there.
    Resume {
        after: Option<Departure>,
        consumer: u32,
        partition: u32,
        offset: i64,
        start: PositionReason,
        habit: CommitHabit,
    },
}

/// Why the producer could not know that the leader had appended a record whose callback
/// got an error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HiddenAppend {
    DeliveryTimeout {
        delivery_timeout_ms: u64,
    },
    RequestTimeout {
        request_timeout_ms: u64,
    },
    AfterAppend {
        min_insync_replicas: u32,
    },
    ConnectionBroke,
    /// Force-closed (the stop cause, if the ledger saw it) while the request was in flight.
    Closed {
        stopped: Option<Box<Cause>>,
    },
    EarlierAnswerLost,
    AnswerLost,
}

/// The explanation of one example record in the ledger report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "explanation", rename_all = "snake_case")]
pub enum Explanation {
    /// The callback got `error`; the record is not in the log. `cut` is set when it had
    /// been appended once and a leader change cut it.
    FailedNotWritten {
        error: KafkaError,
        delivery_timeout_ms: u64,
        /// For a forced close: how the producer stopped, if the ledger saw it.
        stopped: Option<Cause>,
        cut: Option<Cause>,
    },
    /// The callback got `error`, yet the record is committed at `offset`.
    FailedWritten {
        error: KafkaError,
        offset: i64,
        processed: bool,
        hidden: HiddenAppend,
    },
    /// Never left the producer: `stopped` says how the producer stopped, if known.
    Unsent { stopped: Option<Cause> },
    /// acks=0: counted as sent without any answer, and no broker wrote it.
    Acks0NeverWritten,
    /// Acknowledged, but no longer in the log (no stored cause).
    NoLongerInLog,
    /// Never processed: `resume` is the resume that went past it.
    NeverProcessed { offset: i64, resume: Cause },
    /// Skipped while later offsets of the partition were processed.
    Skipped { offset: i64, partition: u32 },
    /// A stored cause (duplicates, reordering, a cut).
    Cause(Cause),
    /// Nothing to say (a usual verdict).
    None,
}
