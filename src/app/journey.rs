//! Following one record through its life (issue 11): `send()` → batch → produce request →
//! the leader's log → the followers → below the high watermark → a consumer's `poll()` →
//! processed → its offset committed. The app feeds every trace event it absorbs to the
//! followed [`Journey`]; each event costs a few comparisons of ids and partitions, so
//! following a record costs nothing at any speed.
//!
//! Stages are typed (no words here): `crate::i18n` and `ui::journey` say them.

use crate::sim::TraceEvent;
use crate::sim::trace::{BrokerId, KafkaError, SendReason};
use crate::sim::view::{BatchId, RecordId, RecordState, RequestId, SimTime, Verdict, View};

/// Most stages a journey keeps. A record stuck in a retry loop or polled again and again
/// after rebalances would otherwise grow its list without end; the first ones tell the
/// story, and the "where is it now" state keeps following after the cap.
pub const MAX_STAGES: usize = 64;

/// One step of a record's life, as the trace showed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The record was picked after it was sent (by id, or as an anomaly): what happened
    /// before was not watched. What the simulation knew of it at that moment.
    Joined {
        /// The producer's view (`None`: the record is settled, the producer forgot it).
        state: Option<RecordState>,
        /// Its offset in the leader's log (or the ledger's), if it has one.
        offset: Option<i64>,
        below_hw: bool,
        processed: u8,
        committed: bool,
    },
    /// `send()` returned: the record is in `batch` in the accumulator (`RecordAppended`).
    Sent { partition: u32, batch: BatchId },
    /// The Sender took its batch out of the accumulator (`BatchDrained`).
    Drained {
        batch: BatchId,
        reason: SendReason,
        attempt: u32,
    },
    /// The produce request that carries the batch (`RequestSent` right after the drain).
    Requested {
        request: RequestId,
        broker: BrokerId,
    },
    /// The batch came back with a retriable error (`BatchRetry`).
    Retry { error: KafkaError, attempt: u32 },
    /// The batch failed for good: the callback got `error` (`BatchFailed`).
    Failed { error: KafkaError },
    /// The leader appended it at `offset` (`Appended`).
    Appended { broker: BrokerId, offset: i64 },
    /// An idempotent broker recognised a retry of a batch it already has and did not
    /// append it again (`DuplicateBatch`).
    Duplicate { broker: BrokerId },
    /// The producer's callback got its metadata (`BatchAcked`); offset -1 with acks=0.
    Acked { offset: i64 },
    /// A follower copied it (`FollowerFetched` past its offset).
    Replicated { broker: BrokerId },
    /// The high watermark passed it: committed, visible to consumers.
    BelowHighWatermark { hw: i64 },
    /// A broker cut its log at or below the record (`Truncated`).
    Truncated { broker: BrokerId, to_offset: i64 },
    /// A consumer's `poll()` returned it (`Polled` with a range covering it).
    Fetched { consumer: u32 },
    /// A consumer finished processing it; `times` > 1 means processed again.
    Processed { consumer: u32, times: u8 },
    /// The group committed an offset past it (`Committed`): it will not be read again.
    Committed { consumer: u32, offset: i64 },
}

/// How the followed record was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `F`: the next record `send()` handled; watched from its first stage.
    NextSent,
    /// `#`: typed by id, already sent.
    ById,
    /// `a`: the ledger's newest anomaly example, with its verdict.
    Anomaly(Verdict),
}

/// The stage the record waits for next (drawn dim after the last one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// In the accumulator: waiting for the Sender to drain its batch.
    Drain,
    /// In a produce request: waiting for the leader to append it.
    Append,
    /// In the leader's log: waiting for the high watermark to pass it.
    HighWatermark,
    /// Committed: waiting for a consumer's `poll()`.
    Fetch,
    /// Returned by `poll()`: waiting to be processed.
    Process,
    /// Processed: waiting for the group to commit its offset.
    Commit,
}

/// One record's life, fed with every trace event.
#[derive(Clone, Debug, PartialEq)]
pub struct Journey {
    record: RecordId,
    partition: u32,
    origin: Origin,
    /// Its batch, once known (from its `RecordAppended` or the recent sends).
    batch: Option<BatchId>,
    /// Its place in the batch: offset = the batch's base offset + this.
    index: Option<u32>,
    /// The batch is still the producer's (not acknowledged, not failed).
    in_producer: bool,
    /// Its batch was drained: the next `RequestSent` carries it.
    drained: bool,
    request: Option<RequestId>,
    offset: Option<i64>,
    /// Brokers holding it at `offset`, one bit per broker id.
    holders: u64,
    /// The partition's leader as the trace last said (`Appended`, `LeaderElected`). What
    /// followers copy, where the high watermark moves and what consumers read is the
    /// leader's log: at our offset it is our record only while the leader holds it (after
    /// an election the new leader may have another record there).
    leader: Option<BrokerId>,
    below_hw: bool,
    fetched: bool,
    in_poll_of: Option<u32>,
    processed: u8,
    committed: bool,
    failed: bool,
    stages: Vec<(SimTime, Stage)>,
}

fn bit(b: BrokerId) -> u64 {
    1u64.checked_shl(b).unwrap_or(0)
}

impl Journey {
    /// A record watched from `send()`: its `RecordAppended` event, and its place in the
    /// batch (from [`Sends`]).
    pub fn sent(t: SimTime, sent: Sent) -> Journey {
        let mut j = Journey::empty(sent.record, sent.partition, Origin::NextSent);
        j.batch = Some(sent.batch);
        j.index = Some(sent.index);
        j.in_producer = true;
        j.push(
            t,
            Stage::Sent {
                partition: sent.partition,
                batch: sent.batch,
            },
        );
        j
    }

    fn empty(record: RecordId, partition: u32, origin: Origin) -> Journey {
        Journey {
            record,
            partition,
            origin,
            batch: None,
            index: None,
            in_producer: false,
            drained: false,
            request: None,
            offset: None,
            holders: 0,
            leader: None,
            below_hw: false,
            fetched: false,
            in_poll_of: None,
            processed: 0,
            committed: false,
            failed: false,
            stages: Vec::new(),
        }
    }

    /// A record already sent, from what the simulation holds now: the producer's record
    /// log (partition, state, acknowledged offset), the replicas' logs (which brokers have
    /// it, at which offset), the high watermark, the consumers' polls in hand, the group's
    /// committed offsets. `hint` is (partition, offset) from elsewhere (a ledger example)
    /// for a record the producer already forgot. `None` if nothing is known of it.
    /// Earlier stages were not watched: the journey starts with [`Stage::Joined`].
    pub fn join(
        view: &View<'_>,
        record: RecordId,
        origin: Origin,
        sends: &Sends,
        hint: Option<(u32, Option<i64>)>,
    ) -> Option<Journey> {
        let meta = view.records().get(record).copied();
        let partition = meta.map(|m| m.partition).or(hint.map(|h| h.0))?;
        if partition as usize >= view.partitions().len() {
            return None;
        }
        let mut j = Journey::empty(record, partition, origin);
        let state = meta.map(|m| m.state);
        if state == Some(RecordState::Pending) {
            // Still the producer's: its batch, if it was sent recently enough to be known.
            if let Some(s) = sends.get(record) {
                j.batch = Some(s.batch);
                j.index = Some(s.index);
            }
            j.in_producer = true;
        }
        // Where the replicas hold it: a scan of the logs, once, on a key press.
        let part = view.partition(partition);
        j.leader = part.leader;
        for rep in &part.replicas {
            if let Some(&(o, _)) = view
                .log(partition, rep.broker)
                .iter()
                .find(|&&(_, r)| r == record)
            {
                j.offset = Some(o);
                j.holders |= bit(rep.broker);
            }
        }
        if j.offset.is_none() {
            j.offset = meta
                .map(|m| m.offset)
                .filter(|&o| o >= 0)
                .or(hint.and_then(|h| h.1));
        }
        if let Some(o) = j.offset {
            j.below_hw = j.holders != 0 && part.high_watermark > o;
            let group = view.consumer_group();
            j.in_poll_of = group.consumers.iter().find_map(|c| {
                c.poll.as_ref().and_then(|p| {
                    p.ranges
                        .iter()
                        .any(|&(rp, first, last, _)| rp == partition && first <= o && o <= last)
                        .then_some(c.index)
                })
            });
            j.fetched = j.in_poll_of.is_some();
            j.committed = group
                .committed
                .iter()
                .any(|&(p, c)| p == partition && c > o);
        }
        j.processed = view.processed(record);
        j.failed = state == Some(RecordState::Failed);
        j.push(
            view.now(),
            Stage::Joined {
                state,
                offset: j.offset,
                below_hw: j.below_hw,
                processed: j.processed,
                committed: j.committed,
            },
        );
        Some(j)
    }

    fn push(&mut self, t: SimTime, stage: Stage) {
        if self.stages.len() < MAX_STAGES {
            self.stages.push((t, stage));
        }
    }

    /// One trace event. Compares ids and partitions only: O(1) (a commit's offsets are one
    /// per partition).
    pub fn observe(&mut self, t: SimTime, event: &TraceEvent) {
        let mine = |b: &BatchId| self.batch == Some(*b);
        match event {
            TraceEvent::BatchDrained {
                batch,
                reason,
                attempt,
                ..
            } if mine(batch) => {
                self.drained = true;
                self.push(
                    t,
                    Stage::Drained {
                        batch: *batch,
                        reason: *reason,
                        attempt: *attempt,
                    },
                );
            }
            // `Sender::send_to` (src/sim/sender.rs) emits the BatchDrained of every batch it
            // puts in a request, then that request's RequestSent, with nothing in between:
            // the first RequestSent after our batch's drain carries it (Kafka's
            // `Sender.sendProduceRequest` builds one request from `drain`'s batches).
            TraceEvent::RequestSent {
                request, broker, ..
            } if self.drained => {
                self.drained = false;
                self.request = Some(*request);
                self.push(
                    t,
                    Stage::Requested {
                        request: *request,
                        broker: *broker,
                    },
                );
            }
            TraceEvent::BatchRetry {
                batch,
                error,
                attempt,
                ..
            } if mine(batch) => {
                self.request = None;
                self.push(
                    t,
                    Stage::Retry {
                        error: *error,
                        attempt: *attempt,
                    },
                );
            }
            TraceEvent::BatchFailed { batch, error, .. } if mine(batch) => {
                self.request = None;
                self.in_producer = false;
                self.failed = true;
                self.push(t, Stage::Failed { error: *error });
            }
            TraceEvent::BatchAcked {
                batch, base_offset, ..
            } if mine(batch) => {
                self.request = None;
                self.in_producer = false;
                let offset = match (*base_offset, self.index) {
                    (b, Some(i)) if b >= 0 => b + i64::from(i),
                    _ => -1,
                };
                self.push(t, Stage::Acked { offset });
            }
            TraceEvent::Appended {
                broker,
                batch,
                base_offset,
                ..
            } if mine(batch) => {
                let Some(i) = self.index else { return };
                // A retry appended again (no idempotence) puts the record at a second
                // offset: the journey follows the newest copy.
                let offset = base_offset + i64::from(i);
                self.offset = Some(offset);
                self.holders = bit(*broker);
                self.leader = Some(*broker);
                self.below_hw = false;
                self.push(
                    t,
                    Stage::Appended {
                        broker: *broker,
                        offset,
                    },
                );
            }
            TraceEvent::DuplicateBatch { broker, batch, .. } if mine(batch) => {
                self.push(t, Stage::Duplicate { broker: *broker });
            }
            TraceEvent::FollowerFetched {
                broker,
                partition,
                to_offset,
                ..
            } if *partition == self.partition => {
                if let Some(o) = self.offset {
                    if *to_offset > o && self.leader_has_it() && !self.on_broker(*broker) {
                        self.holders |= bit(*broker);
                        self.push(t, Stage::Replicated { broker: *broker });
                    }
                }
            }
            TraceEvent::HighWatermark {
                partition,
                high_watermark,
            } if *partition == self.partition => {
                if let Some(o) = self.offset {
                    if !self.below_hw && self.leader_has_it() && *high_watermark > o {
                        self.below_hw = true;
                        self.push(
                            t,
                            Stage::BelowHighWatermark {
                                hw: *high_watermark,
                            },
                        );
                    }
                }
            }
            TraceEvent::Truncated {
                broker,
                partition,
                to_offset,
                ..
            } if *partition == self.partition => {
                if let Some(o) = self.offset {
                    if *to_offset <= o && self.holders & bit(*broker) != 0 {
                        self.holders &= !bit(*broker);
                        if self.holders == 0 {
                            self.below_hw = false;
                        }
                        self.push(
                            t,
                            Stage::Truncated {
                                broker: *broker,
                                to_offset: *to_offset,
                            },
                        );
                    }
                }
            }
            TraceEvent::LeaderElected {
                partition, leader, ..
            } if *partition == self.partition => self.leader = *leader,
            TraceEvent::Polled {
                consumer, ranges, ..
            } if self.leader_has_it() => {
                let Some(o) = self.offset else { return };
                let p = self.partition;
                if ranges
                    .iter()
                    .any(|&(rp, first, last)| rp == p && first <= o && o <= last)
                {
                    self.fetched = true;
                    self.in_poll_of = Some(*consumer);
                    self.push(
                        t,
                        Stage::Fetched {
                            consumer: *consumer,
                        },
                    );
                }
            }
            TraceEvent::Processed {
                consumer,
                partition,
                from_offset,
                to_offset,
            } if *partition == self.partition
                && self.leader_has_it()
                // `to_offset` is exclusive (`ConsumerGroup::mark_processed`).
                && self
                    .offset
                    .is_some_and(|o| *from_offset <= o && o < *to_offset) =>
            {
                self.processed = self.processed.saturating_add(1);
                self.in_poll_of = None;
                self.push(
                    t,
                    Stage::Processed {
                        consumer: *consumer,
                        times: self.processed,
                    },
                );
            }
            // A crashed consumer's poll is gone (one that left the group on a poll timeout
            // still processes what it holds: its Processed event ends the poll).
            TraceEvent::ConsumerCrashed { consumer, .. } if self.in_poll_of == Some(*consumer) => {
                self.in_poll_of = None;
            }
            TraceEvent::Committed { consumer, offsets }
                if !self.committed && self.leader_has_it() =>
            {
                let Some(o) = self.offset else { return };
                if let Some(&(_, c)) = offsets.iter().find(|&&(p, c)| p == self.partition && c > o)
                {
                    self.committed = true;
                    self.push(
                        t,
                        Stage::Committed {
                            consumer: *consumer,
                            offset: c,
                        },
                    );
                }
            }
            _ => {}
        }
    }

    /// Whether the partition's leader holds it: what happens at its offset happens to it.
    fn leader_has_it(&self) -> bool {
        self.leader.is_some_and(|l| self.on_broker(l))
    }

    pub fn record(&self) -> RecordId {
        self.record
    }

    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// Its batch while the producer has it (accumulator or in flight); `None` once
    /// acknowledged or failed, or if the batch is unknown (picked late).
    pub fn batch(&self) -> Option<BatchId> {
        self.batch.filter(|_| self.in_producer)
    }

    /// The produce request carrying it, while in flight.
    pub fn request(&self) -> Option<RequestId> {
        self.request
    }

    pub fn partition(&self) -> u32 {
        self.partition
    }

    /// Its offset in the partition, once a leader appended it (kept after a truncation:
    /// [`Journey::on_broker`] says who still has it).
    pub fn offset(&self) -> Option<i64> {
        self.offset
    }

    /// Whether broker `b` holds it (at [`Journey::offset`]).
    pub fn on_broker(&self, b: BrokerId) -> bool {
        self.holders & bit(b) != 0
    }

    /// Whether the high watermark passed it (and some broker still holds it).
    pub fn below_hw(&self) -> bool {
        self.below_hw
    }

    /// The consumer whose `poll()` returned it, while that poll is being processed.
    pub fn in_poll_of(&self) -> Option<u32> {
        self.in_poll_of
    }

    /// How many times a consumer finished processing it (while followed, or before for a
    /// joined record).
    pub fn processed(&self) -> u8 {
        self.processed
    }

    pub fn committed(&self) -> bool {
        self.committed
    }

    pub fn failed(&self) -> bool {
        self.failed
    }

    /// Every stage seen, in trace order (virtual times never decrease).
    pub fn stages(&self) -> &[(SimTime, Stage)] {
        &self.stages
    }

    /// What it waits for next; `None` when done (committed), failed, truncated away, or
    /// when the journey does not know enough (picked while in the producer, batch unknown).
    pub fn next(&self) -> Option<Next> {
        if self.failed {
            return None;
        }
        if self.in_producer && (self.offset.is_none() || self.holders == 0) {
            return match (self.batch, self.request) {
                (_, Some(_)) => Some(Next::Append),
                (Some(_), None) => Some(Next::Drain),
                (None, None) => None,
            };
        }
        self.offset?;
        if !self.leader_has_it() && !self.below_hw {
            return None;
        }
        if !self.below_hw {
            Some(Next::HighWatermark)
        } else if self.processed == 0 && self.in_poll_of.is_none() {
            Some(Next::Fetch)
        } else if self.processed == 0 {
            Some(Next::Process)
        } else if !self.committed {
            Some(Next::Commit)
        } else {
            None
        }
    }
}

/// Slots of [`Sends`]: records sent recently enough to be followed by id from their
/// batch on. At the TUI's rates that is seconds to minutes of sends.
const RECENT: usize = 4096;

/// What `send()` did with one record (`RecordAppended`), and its place in its batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sent {
    pub record: RecordId,
    pub partition: u32,
    pub batch: BatchId,
    /// Its position among the batch's records.
    pub index: u32,
}

/// The recent `RecordAppended` events, so that a record followed from its send, or picked
/// by id while still in the producer, knows its batch and its place in it. O(1) per event:
/// a ring indexed by record id, and per partition the open batch and its record count
/// (`RecordAccumulator.append` only ever appends to a partition's last batch, so a batch's
/// records arrive together, and a new batch id closes the previous one).
#[derive(Clone, Debug, Default)]
pub struct Sends {
    ring: Vec<Option<Sent>>,
    open: Vec<Option<(BatchId, u32)>>,
}

impl Sends {
    /// Reads one trace event; returns the send it was, if it was one.
    pub fn observe(&mut self, event: &TraceEvent) -> Option<Sent> {
        let TraceEvent::RecordAppended {
            record,
            partition,
            batch,
            ..
        } = event
        else {
            return None;
        };
        let p = *partition as usize;
        if self.open.len() <= p {
            self.open.resize(p + 1, None);
        }
        let index = match self.open[p] {
            Some((b, n)) if b == *batch => n,
            _ => 0,
        };
        self.open[p] = Some((*batch, index + 1));
        let sent = Sent {
            record: *record,
            partition: *partition,
            batch: *batch,
            index,
        };
        if self.ring.is_empty() {
            self.ring = vec![None; RECENT];
        }
        self.ring[*record as usize % RECENT] = Some(sent);
        Some(sent)
    }

    /// The record's send, if it is among the recent ones.
    pub fn get(&self, record: RecordId) -> Option<Sent> {
        self.ring
            .get(record as usize % RECENT)
            .copied()
            .flatten()
            .filter(|s| s.record == record)
    }
}

#[cfg(test)]
mod tests;
