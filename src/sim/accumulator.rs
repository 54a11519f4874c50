//! `RecordAccumulator`: one deque of `ProducerBatch`es per partition, the
//! `buffer.memory` pool, and the `ready()` / `drain()` pair the Sender calls.
//! (Kafka: `clients/.../producer/internals/RecordAccumulator.java`, `ProducerBatch.java`,
//! `BufferPool.java`.)

use super::record::{RECORD_BATCH_OVERHEAD, record_size};
use super::time::{SimDuration, SimTime};
use super::trace::{BatchId, BrokerId, RecordId, SendReason};
use std::collections::VecDeque;

/// Index of a batch in the accumulator's slab (stable while the batch is alive).
pub type BatchKey = usize;

#[derive(Clone, Debug)]
pub struct ProducerBatch {
    pub(crate) id: BatchId,
    /// Its own slot in the accumulator (stable while the batch is alive).
    pub(crate) key: BatchKey,
    pub(crate) partition: u32,
    pub(crate) created: SimTime,
    /// Starts at creation (linger counts from the first record); reset on each retry.
    pub(crate) last_attempt: SimTime,
    pub(crate) attempts: u32,
    pub(crate) records: Vec<RecordId>,
    /// `estimatedSizeInBytes`: 61 + the exact size of every record (uncompressed).
    pub(crate) bytes: usize,
    /// The buffer's capacity: `max(batch.size, first record's upper bound)`.
    pub(crate) buffer: usize,
    first_timestamp_ms: u64,
    /// Closed for appends (a newer batch exists, or it was drained).
    pub(crate) closed: bool,
    /// Idempotence: assigned on the first drain and kept across retries.
    pub(crate) producer_id: i64,
    pub(crate) producer_epoch: i16,
    pub(crate) base_sequence: Option<i32>,
    /// An epoch bump rewrote its producer state (`ProducerBatch.sequenceHasBeenReset`).
    pub(crate) sequence_reset: bool,
    /// The backoff drawn when the batch was re-enqueued (with jitter).
    pub(crate) backoff: SimDuration,
    /// The leader epoch the metadata showed at the last attempt (KIP-951: a new leader skips backoff).
    pub(crate) leader_epoch_at_attempt: u32,
    pub(crate) in_flight: bool,
}

impl ProducerBatch {
    /// `MemoryRecordsBuilder.isFull`: closed for appends, or at least one record and no room left.
    pub fn is_full(&self) -> bool {
        self.closed || (!self.records.is_empty() && self.buffer <= self.bytes)
    }
    pub fn record_count(&self) -> u32 {
        self.records.len() as u32
    }
    pub fn last_sequence(&self) -> Option<i32> {
        self.base_sequence
            .map(|s| s.wrapping_add(self.records.len() as i32 - 1))
    }
}

/// `BufferPool`: only buffers of exactly batch.size bytes are kept on a free list.
#[derive(Clone, Debug)]
pub struct BufferPool {
    pub(crate) total: u64,
    poolable: u64,
    free_pooled: u64,
    non_pooled: u64,
}

impl BufferPool {
    pub fn new(total: u64, poolable: u64) -> Self {
        BufferPool {
            total,
            poolable: poolable.max(1),
            free_pooled: 0,
            non_pooled: total,
        }
    }
    pub fn available(&self) -> u64 {
        self.non_pooled + self.free_pooled * self.poolable
    }
    pub fn used(&self) -> u64 {
        self.total - self.available()
    }
    /// Takes `size` bytes if they are free now. (Only the application thread allocates,
    /// so the FIFO of waiters has at most one entry: the caller keeps it.)
    pub fn try_allocate(&mut self, size: u64) -> bool {
        if size == self.poolable && self.free_pooled > 0 {
            self.free_pooled -= 1;
            return true;
        }
        if self.available() < size {
            return false;
        }
        // Free pooled buffers until the non-pooled memory covers the request.
        while self.non_pooled < size {
            self.free_pooled -= 1;
            self.non_pooled += self.poolable;
        }
        self.non_pooled -= size;
        true
    }
    pub fn deallocate(&mut self, size: u64) {
        if size == self.poolable {
            self.free_pooled += 1;
        } else {
            self.non_pooled += size;
        }
    }
}

/// A record as `append()` sees it: its id, timestamp and serialized sizes (`None` = null).
#[derive(Clone, Copy, Debug)]
pub struct NewRecord {
    pub id: RecordId,
    pub timestamp_ms: u64,
    pub key_len: Option<usize>,
    pub value_len: Option<usize>,
}

/// What `ready()` found for the Sender.
#[derive(Debug, Default)]
pub struct ReadyResult {
    pub nodes: Vec<BrokerId>,
    /// When the next not-yet-ready batch becomes ready (linger or backoff), if any.
    pub next_check: Option<SimTime>,
    pub unknown_leader: bool,
    /// Queue lengths (batches per deque) of the partitions that have a leader and are not
    /// excluded by `partitioner.availability.timeout.ms`, with their ids, for the adaptive
    /// partitioner; empty until every partition has had a deque.
    pub queue_sizes: Vec<u32>,
    pub queue_partitions: Vec<u32>,
}

/// Which partitions the Sender may not drain right now (idempotence rules), decided by the caller.
pub trait DrainGuard {
    /// `shouldStopDrainBatchesForPartition`: true stops draining this node's request here.
    fn should_stop(&self, batch: &ProducerBatch) -> bool;
    /// Called when the batch is drained; assigns producer id / epoch / sequence if it has none.
    fn on_drain(&mut self, batch: &mut ProducerBatch);
}

#[derive(Clone)]
pub struct RecordAccumulator {
    slab: Vec<Option<ProducerBatch>>,
    free_slots: Vec<BatchKey>,
    next_batch_id: BatchId,
    pub(crate) deques: Vec<VecDeque<BatchKey>>,
    /// Kafka creates a deque on first use; load stats exist only once all partitions have one.
    deque_created: Vec<bool>,
    /// Partitions with a batch in flight while max.in.flight=1 (`guaranteeMessageOrder`).
    pub(crate) muted: Vec<bool>,
    /// Why each partition was sendable at the last `ready()`.
    ready_reason: Vec<Option<SendReason>>,
    drain_index: Vec<usize>,
    pub(crate) pool: BufferPool,
    pub(crate) linger: SimDuration,
    /// `send()` is blocked on memory (`free.queued() > 0`): everything is ready.
    pub(crate) exhausted: bool,
    pub(crate) flush_in_progress: bool,
    pub(crate) closing: bool,
    /// Batches created and not yet completed (`incomplete`).
    pub(crate) incomplete: usize,
    /// `partitioner.availability.timeout.ms` (zero: off).
    pub(crate) availability_timeout: SimDuration,
    /// Per node: (the last time it had ready data, the last time it could also be drained)
    /// (`NodeLatencyStats.readyTimeMs` / `drainTimeMs`).
    node_stats: Vec<Option<(SimTime, SimTime)>>,
}

impl RecordAccumulator {
    pub fn new(
        partitions: u32,
        batch_size: usize,
        linger: SimDuration,
        buffer_memory: u64,
    ) -> Self {
        let n = partitions as usize;
        RecordAccumulator {
            slab: Vec::new(),
            free_slots: Vec::new(),
            next_batch_id: 0,
            deques: vec![VecDeque::new(); n],
            deque_created: vec![false; n],
            muted: vec![false; n],
            ready_reason: vec![None; n],
            drain_index: Vec::new(),
            pool: BufferPool::new(buffer_memory, batch_size as u64),
            linger,
            exhausted: false,
            flush_in_progress: false,
            closing: false,
            incomplete: 0,
            availability_timeout: SimDuration::ZERO,
            node_stats: Vec::new(),
        }
    }

    /// `updateNodeLatencyStats`: `node` had ready data at `now`; `can_drain` says whether its
    /// connection could take a request. Only kept when partitioner.availability.timeout.ms > 0.
    pub fn update_node_latency(&mut self, node: BrokerId, now: SimTime, can_drain: bool) {
        if self.availability_timeout == SimDuration::ZERO {
            return;
        }
        let n = node as usize;
        if self.node_stats.len() <= n {
            self.node_stats.resize(n + 1, None);
        }
        let (_, drain) = self.node_stats[n].get_or_insert((now, now));
        let drain = if can_drain { now } else { *drain };
        self.node_stats[n] = Some((now, drain));
    }

    /// `partitionReady`'s availability check: the leader has had ready data that could not be
    /// drained for longer than partitioner.availability.timeout.ms.
    fn leader_unavailable(&self, leader: BrokerId) -> bool {
        self.availability_timeout > SimDuration::ZERO
            && self
                .node_stats
                .get(leader as usize)
                .copied()
                .flatten()
                .is_some_and(|(ready, drain)| ready.since(drain) > self.availability_timeout)
    }

    pub fn batch(&self, key: BatchKey) -> &ProducerBatch {
        self.slab[key].as_ref().expect("live batch key")
    }
    pub fn get(&self, key: BatchKey) -> Option<&ProducerBatch> {
        self.slab.get(key).and_then(Option::as_ref)
    }
    pub fn batch_mut(&mut self, key: BatchKey) -> &mut ProducerBatch {
        self.slab[key].as_mut().expect("live batch key")
    }
    pub fn all_deques_created(&self) -> bool {
        self.deque_created.iter().all(|c| *c)
    }

    /// Appends to the last batch of the partition if it has room (`tryAppend`).
    /// Returns the batch and how many bytes its estimated size grew.
    pub fn try_append(&mut self, partition: u32, rec: NewRecord) -> Option<(BatchKey, usize)> {
        let p = partition as usize;
        let last = *self.deques[p].back()?;
        let batch = self.slab[last].as_mut().expect("live batch key");
        if batch.closed {
            return None;
        }
        let size = record_size(
            batch.records.len() as i32,
            rec.timestamp_ms as i64 - batch.first_timestamp_ms as i64,
            rec.key_len,
            rec.value_len,
        );
        // hasRoomFor: an empty batch takes anything; otherwise the exact size must fit.
        if batch.is_full() || batch.bytes + size > batch.buffer {
            batch.closed = true;
            return None;
        }
        batch.records.push(rec.id);
        batch.bytes += size;
        Some((last, size))
    }

    /// Creates a batch with an already-allocated buffer and appends the record to it.
    pub fn append_new_batch(
        &mut self,
        partition: u32,
        rec: NewRecord,
        buffer: usize,
        now: SimTime,
    ) -> (BatchKey, BatchId, usize) {
        let p = partition as usize;
        if let Some(&last) = self.deques[p].back() {
            self.batch_mut(last).closed = true;
        }
        let size = record_size(0, 0, rec.key_len, rec.value_len);
        let id = self.next_batch_id;
        self.next_batch_id += 1;
        let key = self.free_slots.pop().unwrap_or(self.slab.len());
        let batch = ProducerBatch {
            id,
            key,
            partition,
            created: now,
            last_attempt: now,
            attempts: 0,
            records: vec![rec.id],
            bytes: RECORD_BATCH_OVERHEAD + size,
            buffer,
            first_timestamp_ms: rec.timestamp_ms,
            closed: false,
            producer_id: -1,
            producer_epoch: -1,
            base_sequence: None,
            sequence_reset: false,
            backoff: SimDuration::ZERO,
            leader_epoch_at_attempt: 0,
            in_flight: false,
        };
        if key == self.slab.len() {
            self.slab.push(Some(batch));
        } else {
            self.slab[key] = Some(batch);
        }
        self.deques[p].push_back(key);
        self.deque_created[p] = true;
        self.incomplete += 1;
        (key, id, RECORD_BATCH_OVERHEAD + size)
    }

    /// `allBatchesFull`: the partition's last batch is full or closed, or the deque is empty.
    pub fn all_batches_full(&self, partition: u32) -> bool {
        match self.deques[partition as usize].back() {
            None => true,
            Some(&k) => {
                let b = self.batch(k);
                b.closed || b.is_full()
            }
        }
    }

    /// `batchIsFull` of `RecordAppendResult`: wakes the Sender.
    pub fn batch_is_full(&self, partition: u32, key: BatchKey) -> bool {
        self.deques[partition as usize].len() > 1 || self.batch(key).is_full()
    }

    fn backing_off(batch: &ProducerBatch, now: SimTime, leader_epoch: u32) -> bool {
        batch.attempts > 0
            && now.since(batch.last_attempt) < batch.backoff
            && leader_epoch <= batch.leader_epoch_at_attempt
    }

    /// `ready()`: the leaders that have at least one sendable partition.
    /// `leaders[p]` is the producer's view of partition p's leader and its epoch.
    #[allow(clippy::needless_range_loop)] // p indexes four per-partition arrays
    pub fn ready(&mut self, now: SimTime, leaders: &[Option<(BrokerId, u32)>]) -> ReadyResult {
        let mut result = ReadyResult::default();
        let stats = self.all_deques_created();
        for p in 0..self.deques.len() {
            self.ready_reason[p] = None;
            // Queue sizes for the adaptive partitioner: every partition with a leader, empty
            // deques included (as 0), minus those whose leader is unavailable.
            if stats {
                if let Some((leader, _)) = leaders[p] {
                    let queued = self.deques[p].len();
                    if queued == 0 || !self.leader_unavailable(leader) {
                        result.queue_sizes.push(queued as u32);
                        result.queue_partitions.push(p as u32);
                    }
                }
            }
            let Some(&first) = self.deques[p].front() else {
                continue;
            };
            let Some((leader, leader_epoch)) = leaders[p] else {
                result.unknown_leader = true;
                continue;
            };
            if self.muted[p] {
                continue;
            }
            let batch = self.slab[first].as_ref().expect("live batch key");
            let waited = now.since(batch.last_attempt);
            let backing_off = Self::backing_off(batch, now, leader_epoch);
            let full = self.deques[p].len() > 1 || batch.is_full();
            let time_to_wait = if backing_off {
                batch.backoff
            } else {
                self.linger
            };
            let expired = waited >= time_to_wait;
            let reason = if backing_off {
                None
            } else if full {
                Some(SendReason::Full)
            } else if self.closing {
                Some(SendReason::Close)
            } else if self.flush_in_progress {
                Some(SendReason::Flush)
            } else if self.exhausted {
                Some(SendReason::MemoryPressure)
            } else if expired {
                Some(if batch.attempts > 0 {
                    SendReason::Retry
                } else {
                    SendReason::Linger
                })
            } else {
                None
            };
            self.ready_reason[p] = reason;
            if reason.is_some() {
                if !result.nodes.contains(&leader) {
                    result.nodes.push(leader);
                }
            } else {
                let at = batch.last_attempt + time_to_wait;
                result.next_check = Some(result.next_check.map_or(at, |t| t.min(at)));
            }
        }
        result.nodes.sort_unstable();
        result
    }

    /// `drainBatchesForOneNode`: one head batch per partition led by `node`, round robin,
    /// up to max.request.size. Returns each batch with the reason it was sent.
    pub fn drain_node(
        &mut self,
        node: BrokerId,
        led: &[u32],
        leaders: &[Option<(BrokerId, u32)>],
        max_request_size: usize,
        now: SimTime,
        guard: &mut dyn DrainGuard,
    ) -> Vec<(BatchKey, SendReason)> {
        let mut out = Vec::new();
        if led.is_empty() {
            return out;
        }
        let node = node as usize;
        if self.drain_index.len() <= node {
            self.drain_index.resize(node + 1, 0);
        }
        let start = self.drain_index[node] % led.len();
        let mut size = 0usize;
        for step in 0..led.len() {
            let i = (start + step) % led.len();
            self.drain_index[node] = i;
            let p = led[i] as usize;
            if self.muted[p] {
                continue;
            }
            let Some(&first) = self.deques[p].front() else {
                continue;
            };
            let leader_epoch = leaders[p].map_or(0, |(_, e)| e);
            let batch = self.batch(first);
            if Self::backing_off(batch, now, leader_epoch) {
                continue;
            }
            if size + batch.bytes > max_request_size && !out.is_empty() {
                break;
            }
            if guard.should_stop(batch) {
                break;
            }
            self.deques[p].pop_front();
            let batch = self.batch_mut(first);
            batch.closed = true;
            batch.in_flight = true;
            batch.leader_epoch_at_attempt = leader_epoch;
            size += batch.bytes;
            guard.on_drain(batch);
            let reason = self.ready_reason[p].unwrap_or(SendReason::Piggyback);
            out.push((first, reason));
        }
        // Kafka stores the index of the last partition examined; the next drain starts there.
        out
    }

    /// `reenqueue`: back to the front of its deque (in sequence order when idempotent).
    pub fn reenqueue(&mut self, key: BatchKey, now: SimTime, backoff: SimDuration) {
        let batch = self.batch_mut(key);
        batch.attempts += 1;
        batch.last_attempt = now;
        batch.backoff = backoff;
        batch.in_flight = false;
        let p = batch.partition as usize;
        let seq = batch.base_sequence;
        match seq {
            None => self.deques[p].push_front(key),
            Some(s) => {
                // insertInSequenceOrder: before the first batch with no sequence or a higher one.
                let pos = self.deques[p]
                    .iter()
                    .position(|&k| self.batch(k).base_sequence.is_none_or(|o| o > s))
                    .unwrap_or(self.deques[p].len());
                self.deques[p].insert(pos, key);
            }
        }
    }

    /// Removes a completed batch (acked, failed or expired) and frees its memory.
    pub fn deallocate(&mut self, key: BatchKey) -> ProducerBatch {
        let batch = self.slab[key].take().expect("live batch key");
        self.free_slots.push(key);
        self.pool.deallocate(batch.buffer as u64);
        self.incomplete -= 1;
        batch
    }

    /// Batches at the front of their deques that reached delivery.timeout.ms (`expiredBatches`:
    /// every deque, muted or not, in send order).
    pub fn expired_batches(
        &mut self,
        now: SimTime,
        delivery_timeout: SimDuration,
    ) -> Vec<BatchKey> {
        let mut out = Vec::new();
        for p in 0..self.deques.len() {
            while let Some(&k) = self.deques[p].front() {
                if now.since(self.batch(k).created) >= delivery_timeout {
                    self.deques[p].pop_front();
                    out.push(k);
                } else {
                    break;
                }
            }
        }
        out
    }

    /// The earliest time a queued batch reaches delivery.timeout.ms.
    pub fn next_expiry(&self, delivery_timeout: SimDuration) -> Option<SimTime> {
        self.deques
            .iter()
            .filter_map(|d| d.front())
            .map(|&k| self.batch(k).created + delivery_timeout)
            .min()
    }

    /// Every batch still in a deque (not in flight), for an abort.
    pub fn take_all_queued(&mut self) -> Vec<BatchKey> {
        let mut out = Vec::new();
        for d in &mut self.deques {
            out.extend(d.drain(..));
        }
        out
    }

    pub fn queued_batches(&self) -> usize {
        self.deques.iter().map(VecDeque::len).sum()
    }

    /// Live batches, in no particular order (for views and aborts).
    pub fn live_batches(&self) -> impl Iterator<Item = (BatchKey, &ProducerBatch)> {
        self.slab
            .iter()
            .enumerate()
            .filter_map(|(k, b)| b.as_ref().map(|b| (k, b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_pool_reuses_batch_size_buffers_and_frees_them_for_odd_sizes() {
        let mut pool = BufferPool::new(40_000, 16_384);
        assert!(pool.try_allocate(16_384));
        assert!(pool.try_allocate(16_384));
        assert_eq!(pool.available(), 40_000 - 32_768);
        // An oversized record's buffer does not fit in what is left.
        assert!(!pool.try_allocate(10_000));
        pool.deallocate(16_384);
        assert_eq!(pool.used(), 16_384);
        // The pooled buffer is released to satisfy a differently sized request.
        assert!(pool.try_allocate(20_000));
        assert_eq!(pool.used(), 36_384);
        pool.deallocate(20_000);
        pool.deallocate(16_384);
        assert_eq!(pool.used(), 0);
    }

    fn rec(id: u32) -> NewRecord {
        NewRecord {
            id,
            timestamp_ms: 0,
            key_len: Some(3),
            value_len: Some(5),
        }
    }

    #[test]
    fn a_muted_partition_still_expires_its_queued_batches() {
        // RecordAccumulator.expiredBatches looks at every deque; muting only stops draining.
        let mut acc = RecordAccumulator::new(1, 1_086, SimDuration::from_millis(0), 1 << 20);
        acc.append_new_batch(0, rec(0), 1_086, SimTime::ZERO);
        acc.muted[0] = true;
        let dt = SimDuration::from_millis(100);
        assert!(acc.expired_batches(SimTime::from_millis(99), dt).is_empty());
        assert_eq!(acc.expired_batches(SimTime::from_millis(100), dt).len(), 1);
    }

    #[test]
    fn linger_counts_from_batch_creation_and_full_batches_are_ready() {
        let mut acc = RecordAccumulator::new(2, 1_086, SimDuration::from_millis(10), 1 << 20);
        let leaders = [Some((0, 0)), Some((1, 0))];
        acc.append_new_batch(0, rec(0), 1_086, SimTime::ZERO);
        let r = acc.ready(SimTime::from_millis(9), &leaders);
        assert!(r.nodes.is_empty());
        assert_eq!(r.next_check, Some(SimTime::from_millis(10)));
        assert_eq!(acc.ready(SimTime::from_millis(10), &leaders).nodes, vec![0]);
        // Partition 1: fill a batch past 68 records, it is ready at once.
        acc.append_new_batch(1, rec(100), 1_086, SimTime::ZERO);
        for i in 1..68 {
            assert!(acc.try_append(1, rec(100 + i)).is_some());
        }
        assert!(
            acc.try_append(1, rec(200)).is_none(),
            "the 69th record does not fit"
        );
        assert_eq!(acc.ready(SimTime::ZERO, &leaders).nodes, vec![1]);
    }
}
