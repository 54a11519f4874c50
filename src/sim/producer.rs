//! `KafkaProducer` on the application's side: the thread that calls `send()`
//! (interceptors → serializer → partitioner → accumulator), blocking on
//! buffer.memory, synchronous sends, `flush()` and `close()`, and completing
//! records through their callbacks. The Sender thread is in `sender.rs`.

use super::accumulator::{BatchKey, NewRecord, RecordAccumulator};
use super::config::KafkaVersion;
use super::idempotence::Idempotence;
use super::kernel::{Core, Event};
use super::partitioner::{BuiltInPartitioner, StickyPartitionCache, partition_for_key};
use super::record::record_upper_bound;
use super::record_log::RecordLog;
use super::sender::Sender;
use super::stats::ProducerStats;
use super::time::{SimDuration, SimTime};
use super::trace::{BrokerId, KafkaError, PartitionChoice, RecordId, TraceEvent};
use super::workload::{SendMode, Workload};
use serde::Serialize;

/// Where a record is in its life, as the producer sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordState {
    /// In a batch, not yet completed.
    Pending,
    Acked,
    /// The callback got an exception.
    Failed,
    /// Abandoned in the producer (crash or forced close before it was sent).
    Unsent,
}

#[derive(Clone, Copy, Debug)]
pub struct RecordMeta {
    pub sent_at: SimTime,
    /// RecordMetadata.offset: -1 until acked, and for acks=0.
    pub offset: i64,
    pub partition: u32,
    pub state: RecordState,
}

#[derive(Clone)]
enum Partitioner {
    BuiltIn(BuiltInPartitioner),
    Kip480(StickyPartitionCache),
}

/// The application thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppState {
    Sending,
    /// Inside `send()`, waiting for buffer.memory.
    Blocked {
        record: RecordId,
        since: SimTime,
        token: u64,
    },
    /// Inside `send()`, waiting for the topic's metadata (`waitOnMetadata`).
    WaitingMetadata {
        since: SimTime,
        token: u64,
    },
    /// Inside `future.get()` of a synchronous send.
    WaitingAck {
        record: RecordId,
    },
    /// Inside `flush()`, waiting for every batch to complete.
    Flushing,
    /// Inside `close()`, waiting for everything to complete.
    Closing,
    /// Closing this instance so that a new `KafkaProducer` can start with changed settings.
    Restarting,
    Closed,
    /// The application has nothing left to send and does not close.
    Idle,
    /// Crashed: nothing more happens.
    Dead,
}

#[derive(Clone)]
pub struct Producer {
    pub(crate) acc: RecordAccumulator,
    partitioner: Partitioner,
    pub(crate) metadata: Vec<Option<(BrokerId, u32)>>,
    pub(crate) available: Vec<bool>,
    pub(crate) records: RecordLog,
    pub(crate) app: AppState,
    /// Earliest time of the next `send()` (rate limit and send cost).
    due: SimTime,
    next_index: u64,
    pub(crate) sender: Sender,
    pub(crate) idem: Idempotence,
    pub(crate) stats: ProducerStats,
    pub(crate) interceptor_on_send: u64,
    pub(crate) interceptor_on_ack: u64,
    key_buf: Vec<u8>,
    /// The topic's partition count is known (the first metadata answer arrived).
    metadata_seen: bool,
    batch_size: usize,
    partitions: u32,
}

enum SendOutcome {
    Done,
    Blocked,
}

impl Producer {
    pub fn new(core: &Core) -> Self {
        let cfg = &core.cfg;
        let partitions = cfg.topology.partitions;
        let batch_size = core.eff.batch_size as usize;
        let partitioner = if cfg.version == KafkaVersion::V2_8 {
            Partitioner::Kip480(StickyPartitionCache::new(partitions))
        } else {
            Partitioner::BuiltIn(BuiltInPartitioner::new(
                partitions,
                batch_size as u32,
                cfg.producer.partitioner_adaptive_partitioning_enable,
            ))
        };
        let mut acc = RecordAccumulator::new(
            partitions,
            batch_size,
            SimDuration::from_millis(cfg.producer.linger_ms),
            cfg.producer.buffer_memory,
        );
        // RecordAccumulator.PartitionerConfig: the availability timeout only matters with
        // adaptive partitioning (the load stats are its only reader).
        if cfg.producer.partitioner_adaptive_partitioning_enable {
            acc.availability_timeout =
                SimDuration::from_millis(cfg.producer.partitioner_availability_timeout_ms);
        }
        Producer {
            acc,
            partitioner,
            metadata: vec![None; partitions as usize],
            available: vec![false; partitions as usize],
            records: RecordLog::default(),
            app: AppState::Sending,
            due: SimTime::ZERO,
            next_index: 0,
            sender: Sender::new(cfg.topology.brokers),
            idem: Idempotence::new(core.eff.idempotence, partitions),
            stats: ProducerStats::default(),
            interceptor_on_send: 0,
            interceptor_on_ack: 0,
            key_buf: Vec::new(),
            metadata_seen: false,
            batch_size,
            partitions,
        }
    }

    pub fn set_metadata(&mut self, metadata: Vec<Option<(BrokerId, u32)>>) {
        self.metadata_seen = true;
        self.available = metadata.iter().map(Option::is_some).collect();
        self.metadata = metadata;
    }

    pub fn next_index(&self) -> u64 {
        self.next_index
    }

    /// The smallest record id this producer may still write: in a live batch (queued, in
    /// flight or waiting for a retry) or not sent yet.
    pub fn min_open_record(&self) -> RecordId {
        let unsent = self.next_index.min(u64::from(RecordId::MAX)) as RecordId;
        self.acc
            .live_batches()
            .filter_map(|(_, b)| b.records.first().copied())
            .min()
            .map_or(unsent, |r| r.min(unsent))
    }

    /// Asks for a new producer instance: the application closes this one (flushing what it
    /// holds) and builds a new `KafkaProducer` with the current settings.
    pub fn begin_restart(&mut self, core: &mut Core) {
        if matches!(self.app, AppState::Dead | AppState::Closed) {
            return;
        }
        self.app = AppState::Restarting;
        self.acc.closing = true;
        core.emit(TraceEvent::CloseStarted);
        let now = core.now;
        self.wake_sender(core, now);
        core.at(now, Event::AppWake);
    }

    /// The new instance: fresh accumulator, buffer pool, partitioner, connections and
    /// producer id; the application's records and counters carry on.
    fn restart(&mut self, core: &mut Core) {
        let fresh = Producer::new(core);
        let old = std::mem::replace(self, fresh);
        self.records = old.records;
        self.stats = old.stats;
        self.interceptor_on_send = old.interceptor_on_send;
        self.interceptor_on_ack = old.interceptor_on_ack;
        self.next_index = old.next_index;
        self.due = old.due;
        self.set_metadata(old.metadata);
        core.emit(TraceEvent::ProducerRestarted);
        let now = core.now;
        self.wake_sender(core, now);
    }

    /// True once nothing the application sent is still pending in the producer.
    pub fn is_settled(&self) -> bool {
        matches!(self.app, AppState::Closed | AppState::Idle | AppState::Dead)
            && self.acc.incomplete == 0
    }

    /// The application thread runs: `send()` after `send()` until it must wait.
    pub fn app_wake(&mut self, core: &mut Core, w: &Workload) {
        loop {
            match self.app {
                AppState::Sending => {}
                AppState::Closing => {
                    if self.acc.incomplete == 0 {
                        self.app = AppState::Closed;
                        core.emit(TraceEvent::ProducerClosed);
                    }
                    return;
                }
                AppState::Restarting => {
                    if self.acc.incomplete > 0 {
                        return;
                    }
                    self.restart(core);
                }
                AppState::Flushing => {
                    if self.acc.incomplete > 0 {
                        return;
                    }
                    // flush() returns once every batch that existed when it began is done;
                    // the application thread was inside it, so that is every batch.
                    self.acc.flush_in_progress = false;
                    self.app = AppState::Sending;
                    core.emit(TraceEvent::FlushCompleted);
                }
                _ => return,
            }
            if self.next_index >= w.records {
                if w.close_when_done {
                    self.app = AppState::Closing;
                    self.acc.closing = true;
                    core.emit(TraceEvent::CloseStarted);
                    self.wake_sender(core, core.now);
                    continue;
                }
                self.app = AppState::Idle;
                return;
            }
            if core.now < self.due {
                core.at(self.due, Event::AppWake);
                return;
            }
            if !self.metadata_seen {
                // waitOnMetadata: the first send() blocks until the topic is known.
                let token = core.token();
                self.app = AppState::WaitingMetadata {
                    since: core.now,
                    token,
                };
                core.emit(TraceEvent::WaitingForMetadata);
                core.after(
                    SimDuration::from_millis(core.cfg.producer.max_block_ms),
                    Event::AppBlockTimeout { token },
                );
                return;
            }
            let i = self.next_index;
            match self.send(core, w, i) {
                SendOutcome::Blocked => return,
                SendOutcome::Done => {}
            }
            self.after_send(core, w, i);
            if w.flush_every > 0 && (i + 1) % w.flush_every == 0 && self.app == AppState::Sending {
                self.app = AppState::Flushing;
                self.acc.flush_in_progress = true;
                core.emit(TraceEvent::FlushStarted);
                let now = core.now;
                self.wake_sender(core, now);
                continue;
            }
            if self.app != AppState::Sending {
                return;
            }
            // Run the next send inline when nothing else happens before it: same result as
            // an event, far cheaper (this is where millions of records per second come from).
            // Not past the caller's horizon: `advance_to(t)` must leave the clock at t.
            if self.due <= core.horizon && core.queue.peek_time().is_none_or(|t| t > self.due) {
                core.now = core.now.max(self.due);
            } else {
                core.at(self.due, Event::AppWake);
                return;
            }
        }
    }

    fn after_send(&mut self, core: &mut Core, w: &Workload, i: u64) {
        self.next_index = i + 1;
        let cost = SimDuration(core.cfg.sim.producer_send_cost_us);
        let interval = SimDuration(w.interval_us());
        self.due = (core.now + cost).max(self.due + interval);
        if w.send_mode == SendMode::Sync
            && self
                .records
                .get(i as RecordId)
                .is_some_and(|r| r.state == RecordState::Pending)
        {
            self.app = AppState::WaitingAck {
                record: i as RecordId,
            };
        }
    }

    /// `KafkaProducer.send` for record `i`.
    fn send(&mut self, core: &mut Core, w: &Workload, i: u64) -> SendOutcome {
        let id = i as RecordId;
        if self.records.len() <= i as usize {
            self.interceptor_on_send += 1;
            self.stats.send_calls += 1;
            self.stats.first_send_us.get_or_insert(core.now.as_micros());
            core.ledger.on_send(id);
            self.records.push(RecordMeta {
                sent_at: core.now,
                offset: -1,
                partition: 0,
                state: RecordState::Pending,
            });
        }
        let key_len = w.key.as_ref().map(|k| {
            k.render_into(i, &mut self.key_buf);
            self.key_buf.len()
        });
        let value_len = Some(w.value_len(i));
        let upper = record_upper_bound(key_len, value_len);
        let cfg = &core.cfg.producer;
        if upper > cfg.max_request_size as usize || upper as u64 > cfg.buffer_memory {
            self.reject(core, id, KafkaError::RecordTooLarge);
            return SendOutcome::Done;
        }
        let keyed = key_len.is_some() && !cfg.partitioner_ignore_keys;
        let rec = NewRecord {
            id,
            timestamp_ms: core.now.as_millis(),
            key_len,
            value_len,
        };
        let mut partition = if keyed {
            partition_for_key(&self.key_buf, self.partitions)
        } else {
            self.sticky_partition(core)
        };
        let choice = if keyed {
            PartitionChoice::Key
        } else {
            PartitionChoice::Sticky
        };
        let (key, growth) = if let Some(hit) = self.acc.try_append(partition, rec) {
            hit
        } else {
            // KIP-480 (2.4–3.2): a new batch aborts the append and moves the sticky partition.
            if let Partitioner::Kip480(cache) = &mut self.partitioner {
                let moved = cache.on_new_batch(partition, &self.available, &mut core.rng);
                if !keyed {
                    partition = moved;
                    if let Some(hit) = self.acc.try_append(partition, rec) {
                        return self.appended(core, id, partition, hit, choice, keyed);
                    }
                }
            }
            let buffer = self.batch_size.max(upper);
            if !self.acc.pool.try_allocate(buffer as u64) {
                let token = core.token();
                self.app = AppState::Blocked {
                    record: id,
                    since: core.now,
                    token,
                };
                self.acc.exhausted = true;
                core.emit(TraceEvent::SendBlocked {
                    record: id,
                    needed: buffer as u64,
                    available: self.acc.pool.available(),
                });
                core.after(
                    SimDuration::from_millis(core.cfg.producer.max_block_ms),
                    Event::AppBlockTimeout { token },
                );
                self.wake_sender(core, core.now);
                return SendOutcome::Blocked;
            }
            if !keyed {
                // The deferred sticky switch may move the record now that a new batch is needed.
                let p2 = self.recheck_sticky(core, partition);
                if p2 != partition {
                    partition = p2;
                    if let Some(hit) = self.acc.try_append(partition, rec) {
                        self.acc.pool.deallocate(buffer as u64);
                        return self.appended(core, id, partition, hit, choice, keyed);
                    }
                }
            }
            let (key, batch_id, bytes) =
                self.acc.append_new_batch(partition, rec, buffer, core.now);
            self.stats.batches_created += 1;
            core.emit(TraceEvent::BatchCreated {
                batch: batch_id,
                partition,
                buffer_bytes: buffer as u32,
            });
            // A new batch wakes the Sender (`newBatchCreated`).
            self.wake_sender(core, core.now);
            (key, bytes)
        };
        self.appended(core, id, partition, (key, growth), choice, keyed)
    }

    fn appended(
        &mut self,
        core: &mut Core,
        id: RecordId,
        partition: u32,
        (key, growth): (BatchKey, usize),
        choice: PartitionChoice,
        keyed: bool,
    ) -> SendOutcome {
        if !keyed {
            if let Partitioner::BuiltIn(bp) = &mut self.partitioner {
                let enable_switch = self.acc.all_batches_full(partition);
                bp.update_partition_info(
                    partition,
                    growth,
                    enable_switch,
                    &self.available,
                    &mut core.rng,
                );
            }
        }
        self.records[id as usize].partition = partition;
        self.stats.appended += 1;
        let batch_id = self.acc.batch(key).id;
        core.emit(TraceEvent::RecordAppended {
            record: id,
            partition,
            batch: batch_id,
            choice,
            bytes: growth as u32,
        });
        // Kafka wakes the Sender on every append to a full deque; only the append that makes
        // a batch full can change what the Sender does (new batches wake it when created).
        if self.acc.batch(key).is_full() {
            let now = core.now;
            self.wake_sender(core, now);
        }
        SendOutcome::Done
    }

    /// End of `ready()`: queue lengths feed the adaptive partitioner.
    pub fn update_partitioner_stats(&mut self, sizes: &[u32], ids: &[u32]) {
        if let Partitioner::BuiltIn(bp) = &mut self.partitioner {
            bp.update_load_stats(sizes, ids);
        }
    }

    fn sticky_partition(&mut self, core: &mut Core) -> u32 {
        match &mut self.partitioner {
            Partitioner::Kip480(cache) => cache.partition(&self.available, &mut core.rng),
            Partitioner::BuiltIn(bp) => loop {
                let p = bp.peek_current_partition(&self.available, &mut core.rng);
                let generation = bp.generation();
                let full = self.acc.all_batches_full(p);
                if !bp.partition_changed(generation, full, &self.available, &mut core.rng) {
                    break p;
                }
            },
        }
    }

    fn recheck_sticky(&mut self, core: &mut Core, partition: u32) -> u32 {
        match &mut self.partitioner {
            Partitioner::Kip480(_) => partition,
            Partitioner::BuiltIn(bp) => {
                let generation = bp.generation();
                let full = self.acc.all_batches_full(partition);
                if bp.partition_changed(generation, full, &self.available, &mut core.rng) {
                    self.sticky_partition(core)
                } else {
                    partition
                }
            }
        }
    }

    /// The record fails inside `send()`: its callback gets the error at once.
    fn reject(&mut self, core: &mut Core, id: RecordId, error: KafkaError) {
        core.ledger.on_failed(&[id], error);
        let r = &mut self.records[id as usize];
        r.state = RecordState::Failed;
        self.stats.failed += 1;
        self.interceptor_on_ack += 1;
        core.emit(TraceEvent::RecordRejected { record: id, error });
    }

    /// max.block.ms ran out inside `send()`: BufferExhaustedException through the callback.
    pub fn block_timeout(&mut self, core: &mut Core, w: &Workload, token: u64) {
        if let AppState::WaitingMetadata { since, token: t } = self.app {
            if t != token {
                return;
            }
            self.stats.metadata_wait_us += core.now.since(since).as_micros();
            let i = self.next_index;
            if self.records.len() <= i as usize {
                self.stats.send_calls += 1;
                self.stats.first_send_us.get_or_insert(core.now.as_micros());
                self.interceptor_on_send += 1;
                core.ledger.on_send(i as RecordId);
                self.records.push(RecordMeta {
                    sent_at: core.now,
                    offset: -1,
                    partition: 0,
                    state: RecordState::Pending,
                });
            }
            self.reject(core, i as RecordId, KafkaError::MetadataTimeout);
            self.app = AppState::Sending;
            self.after_send(core, w, i);
            self.app_wake(core, w);
            return;
        }
        if let AppState::Blocked {
            record,
            since,
            token: t,
        } = self.app
        {
            if t != token {
                return;
            }
            self.stats.blocked_us += core.now.since(since).as_micros();
            self.acc.exhausted = false;
            self.reject(core, record, KafkaError::BufferExhausted);
            self.app = AppState::Sending;
            self.after_send(core, w, u64::from(record));
            self.app_wake(core, w);
        }
    }

    /// Memory was freed or a record completed: the application thread may continue.
    pub fn maybe_resume_app(&mut self, core: &mut Core, w: &Workload) {
        match self.app {
            AppState::Blocked { record, since, .. } => {
                self.app = AppState::Sending;
                self.acc.exhausted = false;
                match self.send(core, w, u64::from(record)) {
                    SendOutcome::Blocked => {
                        // Still not enough: keep the original start of the wait and token.
                        if let AppState::Blocked { token, .. } = self.app {
                            self.app = AppState::Blocked {
                                record,
                                since,
                                token,
                            };
                        }
                    }
                    SendOutcome::Done => {
                        let waited = core.now.since(since).as_micros();
                        self.stats.blocked_us += waited;
                        core.emit(TraceEvent::SendUnblocked {
                            record,
                            waited_us: waited,
                        });
                        self.after_send(core, w, u64::from(record));
                        core.at(core.now, Event::AppWake);
                    }
                }
            }
            AppState::WaitingAck { record }
                if self.records[record as usize].state != RecordState::Pending =>
            {
                self.app = AppState::Sending;
                core.at(core.now, Event::AppWake);
            }
            AppState::Closing | AppState::Flushing | AppState::Restarting
                if self.acc.incomplete == 0 =>
            {
                core.at(core.now, Event::AppWake);
            }
            _ => {}
        }
    }

    /// The application crashes (or force-closes): queued and in-flight records are abandoned.
    pub fn abandon(&mut self, core: &mut Core, dead: bool) {
        let keys: Vec<BatchKey> = self.acc.live_batches().map(|(k, _)| k).collect();
        for key in keys {
            self.acc.deallocate(key);
        }
        // Records in batches, and one caught inside a blocked send(), never complete now.
        let mut count = 0u64;
        for meta in self.records.iter_mut() {
            if meta.state == RecordState::Pending {
                meta.state = if dead {
                    RecordState::Unsent
                } else {
                    RecordState::Failed
                };
                count += 1;
            }
        }
        self.acc.exhausted = false;
        for d in &mut self.acc.deques {
            d.clear();
        }
        core.ledger
            .on_unsent(crate::sim::reason::Cause::ProducerStopped {
                crashed: dead,
                at: core.now,
            });
        if dead {
            self.stats.unsent += count;
        } else {
            // A forced close aborts the incomplete batches (`RecordAccumulator.abortBatches`):
            // each record's completion runs, so the interceptors' onAcknowledgement sees the
            // exception before the callback does (`KafkaProducer.AppendCallbacks.onCompletion`).
            self.stats.failed += count;
            self.interceptor_on_ack += count;
        }
        self.sender.abandon();
        self.app = if dead {
            AppState::Dead
        } else {
            AppState::Closed
        };
        core.emit(TraceEvent::RecordsAbandoned { count });
    }

    pub fn wake_sender(&mut self, core: &mut Core, at: SimTime) {
        if self.app == AppState::Dead {
            return;
        }
        if let Some((t, _)) = self.sender.wake_at {
            if t <= at {
                return;
            }
        }
        // The later wake-up this one replaces is cancelled: a Sender answered once per round
        // trip would otherwise leave a superseded wake-up (often a delivery.timeout.ms
        // deadline) in the queue at every turn.
        if let Some(id) = self.sender.wake_event.take() {
            core.cancel(id);
        }
        let token = core.token();
        self.sender.wake_at = Some((at, token));
        self.sender.wake_event = Some(core.timer_at(at, Event::SenderWake { token }));
    }
}
