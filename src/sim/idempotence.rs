//! The idempotent producer's client side: `TransactionManager` without transactions
//! (KIP-360), with its per-partition `TxnPartitionEntry`.
//!
//! What keeps internal retries from ever writing a record twice:
//! - a batch gets its producer id, epoch and sequence at its *first* drain and keeps them on
//!   every retry, even after an epoch bump (`RecordAccumulator.drainBatchesForOneNode` sets
//!   producer state only when `!batch.hasSequence()`);
//! - a batch stays in its partition's in-flight set from its first drain until it completes,
//!   fails or expires, also while it waits in the deque for a retry
//!   (`TxnPartitionEntry.inflightBatchesBySequence`), so a retried batch goes again only when
//!   it is the lowest sequence in flight (`shouldStopDrainBatchesForPartition`);
//! - an expired batch that was retried only marks its partition's sequence *unresolved*
//!   (`TransactionManager.markSequenceUnresolved`): no new batch of that partition is drained
//!   until nothing is in flight for it; then either the last acknowledged sequence shows that
//!   later batches covered the gap (resolved) or the epoch is bumped (`maybeResolveSequences`);
//! - an epoch bump rewrites only the in-flight batches of the partitions that asked for it
//!   (`bumpIdempotentProducerEpoch` → `startSequencesAtBeginning`); every other partition keeps
//!   its old epoch until its in-flight batches are done and only then restarts at sequence 0
//!   (`maybeUpdateProducerIdAndEpoch`, `hasStaleProducerIdAndEpoch`).

use super::accumulator::{BatchKey, DrainGuard, ProducerBatch, RecordAccumulator};
use super::trace::KafkaError;
use std::collections::{BTreeMap, BTreeSet};

/// `ProducerIdAndEpoch.NONE`.
const NO_PRODUCER: (i64, i16) = (-1, -1);

/// A batch in a partition's in-flight set, ordered as Kafka's `PRODUCER_BATCH_COMPARATOR`:
/// producer id, then epoch, then base sequence (the key only breaks impossible ties).
type InFlightEntry = (i64, i16, i32, BatchKey);

/// `TxnPartitionEntry`: one partition's sequence bookkeeping.
#[derive(Clone, Debug)]
struct PartitionEntry {
    /// The producer id and epoch this partition's sequences belong to.
    producer: (i64, i16),
    next_sequence: i32,
    /// -1 when nothing was acknowledged under the current epoch.
    last_acked_sequence: i32,
    in_flight: BTreeSet<InFlightEntry>,
}

impl Default for PartitionEntry {
    fn default() -> Self {
        PartitionEntry {
            producer: NO_PRODUCER,
            next_sequence: 0,
            last_acked_sequence: -1,
            in_flight: BTreeSet::new(),
        }
    }
}

/// Why the epoch was bumped, for the trace.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BumpCause {
    /// OUT_OF_ORDER_SEQUENCE_NUMBER for the next expected batch: a real gap.
    OutOfOrder { partition: u32 },
    /// A sent batch failed for good (`handleFailedBatch` with `adjustSequenceNumbers`).
    FailedBatch { partition: u32, error: KafkaError },
    /// Batches expired after being sent; nothing is in flight and the sequence has a gap.
    Unresolved { partition: u32 },
}

#[derive(Clone)]
pub struct Idempotence {
    pub(crate) enabled: bool,
    /// -1 until InitProducerId answered.
    pub(crate) producer_id: i64,
    pub(crate) epoch: i16,
    partitions: Vec<PartitionEntry>,
    /// `epochBumpRequired` and `partitionsToRewriteSequences`.
    bump_required: bool,
    to_rewrite: BTreeSet<u32>,
    /// Why the pending bump was asked for (the first reason wins).
    bump_causes: Vec<BumpCause>,
    /// `partitionsWithUnresolvedSequences`: partition → the sequence after the expired batch.
    unresolved: BTreeMap<u32, i32>,
}

impl Idempotence {
    pub fn new(enabled: bool, partitions: u32) -> Self {
        Idempotence {
            enabled,
            producer_id: -1,
            epoch: -1,
            partitions: vec![PartitionEntry::default(); partitions as usize],
            bump_required: false,
            to_rewrite: BTreeSet::new(),
            bump_causes: Vec::new(),
            unresolved: BTreeMap::new(),
        }
    }

    /// Per partition: (next sequence to assign, last acknowledged sequence or -1), for the
    /// read-only view (`sim::view`).
    pub(crate) fn sequences(&self) -> impl Iterator<Item = (i32, i32)> + '_ {
        self.partitions
            .iter()
            .map(|e| (e.next_sequence, e.last_acked_sequence))
    }

    /// Drains wait for a producer id.
    pub fn ready_to_send(&self) -> bool {
        !self.enabled || self.producer_id >= 0
    }

    /// InitProducerId answered.
    pub fn set_producer(&mut self, producer_id: i64, epoch: i16) {
        self.producer_id = producer_id;
        self.epoch = epoch;
    }

    fn entry(&self, partition: u32) -> &PartitionEntry {
        &self.partitions[partition as usize]
    }

    fn has_in_flight(&self, partition: u32) -> bool {
        !self.entry(partition).in_flight.is_empty()
    }

    /// `hasStaleProducerIdAndEpoch`: the partition's sequences belong to an older epoch.
    fn is_stale(&self, partition: u32) -> bool {
        self.entry(partition).producer != (self.producer_id, self.epoch)
    }

    /// `hasUnresolvedSequence`.
    pub fn has_unresolved(&self, partition: u32) -> bool {
        self.unresolved.contains_key(&partition)
    }

    /// `isNextSequence`: `sequence` directly follows the last acknowledged one.
    fn is_next_sequence(&self, partition: u32, sequence: i32) -> bool {
        i64::from(sequence) - i64::from(self.entry(partition).last_acked_sequence) == 1
    }

    /// `firstInFlightSequence`: the lowest sequence in flight, if any.
    fn first_in_flight_sequence(&self, partition: u32) -> Option<i32> {
        self.entry(partition)
            .in_flight
            .first()
            .map(|&(_, _, seq, _)| seq)
    }

    fn remove_in_flight(&mut self, batch: &ProducerBatch) {
        if let Some(seq) = batch.base_sequence {
            self.partitions[batch.partition as usize]
                .in_flight
                .remove(&(batch.producer_id, batch.producer_epoch, seq, batch.key));
        }
    }

    /// `handleCompletedBatch`: the broker acknowledged the batch (also a late answer for a
    /// batch that already expired: Kafka still records its sequence as acknowledged).
    pub fn on_acked(&mut self, partition: u32, last_sequence: Option<i32>) {
        if !self.enabled {
            return;
        }
        if let Some(last) = last_sequence {
            let e = &mut self.partitions[partition as usize];
            e.last_acked_sequence = e.last_acked_sequence.max(last);
        }
    }

    /// The batch completed successfully: it leaves the in-flight set.
    pub fn on_completed(&mut self, batch: &ProducerBatch) {
        if self.enabled {
            self.remove_in_flight(batch);
        }
    }

    /// `TransactionManager.canRetry` for an idempotent (non-transactional) producer.
    /// Called only when the delivery timeout and `retries` still allow a retry.
    pub fn can_retry(&mut self, batch: &ProducerBatch, error: KafkaError) -> bool {
        if error != KafkaError::OutOfOrderSequenceNumber {
            return error.is_retriable();
        }
        let p = batch.partition;
        let seq = batch.base_sequence.unwrap_or(-1);
        if !self.has_unresolved(p) && (batch.sequence_reset || !self.is_next_sequence(p, seq)) {
            // Collateral damage of an earlier batch's failure: retry as it is.
            return true;
        }
        // A real gap (or the batch right after an unresolved one): bump, then retry.
        if !self.has_unresolved(p) || self.unresolved.get(&p) == Some(&seq) {
            self.request_bump(BumpCause::OutOfOrder { partition: p });
        }
        true
    }

    /// `handleFailedBatch`: the batch failed for good (its callback gets `error`).
    pub fn on_failed(&mut self, batch: &ProducerBatch, error: KafkaError, adjust_sequences: bool) {
        if !self.enabled {
            return;
        }
        self.remove_in_flight(batch);
        let partition = batch.partition;
        if error == KafkaError::OutOfOrderSequenceNumber {
            self.request_bump(BumpCause::OutOfOrder { partition });
        } else if adjust_sequences {
            self.request_bump(BumpCause::FailedBatch { partition, error });
        }
    }

    /// `markSequenceUnresolved`: a batch that had been retried expired; no new batch of its
    /// partition is drained until its fate is known.
    pub fn mark_unresolved(&mut self, batch: &ProducerBatch) {
        if !self.enabled {
            return;
        }
        if let Some(last) = batch.last_sequence() {
            let next = last.wrapping_add(1);
            self.unresolved
                .entry(batch.partition)
                .and_modify(|v| *v = (*v).max(next))
                .or_insert(next);
        }
    }

    /// `requestEpochBumpForPartition`.
    fn request_bump(&mut self, cause: BumpCause) {
        let partition = match &cause {
            BumpCause::OutOfOrder { partition }
            | BumpCause::FailedBatch { partition, .. }
            | BumpCause::Unresolved { partition } => *partition,
        };
        self.bump_required = true;
        self.to_rewrite.insert(partition);
        self.bump_causes.push(cause);
    }

    /// `maybeResolveSequences`: an unresolved partition with nothing left in flight is either
    /// resolved (later batches were acknowledged up to the next sequence) or gets a bump.
    pub fn maybe_resolve_sequences(&mut self) {
        if !self.enabled {
            return;
        }
        let parts: Vec<u32> = self.unresolved.keys().copied().collect();
        for p in parts {
            if self.has_in_flight(p) {
                continue;
            }
            let next = self.entry(p).next_sequence;
            if !self.is_next_sequence(p, next) {
                self.request_bump(BumpCause::Unresolved { partition: p });
            }
            self.unresolved.remove(&p);
        }
    }

    /// `bumpIdempotentEpochAndResetIdIfNeeded` / `bumpIdempotentProducerEpoch`: bumps the epoch
    /// if asked, and restarts the sequences of the partitions that asked, rewriting their
    /// in-flight batches (`startSequencesAtBeginning`). Returns why, if it bumped.
    /// At `Short.MAX_VALUE` Kafka needs a new producer id instead: the caller then sends
    /// InitProducerId (`producer_id` is -1 again).
    pub fn maybe_bump_epoch(&mut self, acc: &mut RecordAccumulator) -> Option<Vec<BumpCause>> {
        if !self.enabled || !self.bump_required || self.producer_id < 0 {
            return None;
        }
        if self.epoch == i16::MAX {
            self.producer_id = -1;
            self.epoch = -1;
        } else {
            self.epoch += 1;
        }
        let producer = (self.producer_id, self.epoch);
        for p in std::mem::take(&mut self.to_rewrite) {
            self.start_sequences_at_beginning(p, producer, acc);
            self.unresolved.remove(&p);
        }
        self.bump_required = false;
        Some(std::mem::take(&mut self.bump_causes))
    }

    /// `TxnPartitionEntry.startSequencesAtBeginning`: the partition's in-flight batches get
    /// the new producer state with sequences from 0 (`ProducerBatch.resetProducerState`).
    fn start_sequences_at_beginning(
        &mut self,
        partition: u32,
        producer: (i64, i16),
        acc: &mut RecordAccumulator,
    ) {
        let entry = &mut self.partitions[partition as usize];
        let mut sequence = 0i32;
        let mut rewritten = BTreeSet::new();
        for &(_, _, _, key) in &entry.in_flight {
            let batch = acc.batch_mut(key);
            batch.producer_id = producer.0;
            batch.producer_epoch = producer.1;
            batch.base_sequence = Some(sequence);
            batch.sequence_reset = true;
            rewritten.insert((producer.0, producer.1, sequence, key));
            sequence = sequence.wrapping_add(batch.record_count() as i32);
        }
        entry.in_flight = rewritten;
        entry.producer = producer;
        entry.next_sequence = sequence;
        entry.last_acked_sequence = -1;
    }

    /// `maybeUpdateProducerIdAndEpoch`: a partition whose sequences belong to an older epoch
    /// restarts at 0 once its in-flight batches are done.
    fn maybe_update_producer(&mut self, partition: u32) {
        if self.is_stale(partition) && !self.has_in_flight(partition) {
            let e = &mut self.partitions[partition as usize];
            e.producer = (self.producer_id, self.epoch);
            e.next_sequence = 0;
            e.last_acked_sequence = -1;
        }
    }
}

impl DrainGuard for Idempotence {
    /// `RecordAccumulator.shouldStopDrainBatchesForPartition`.
    fn should_stop(&self, first: &ProducerBatch) -> bool {
        if !self.enabled {
            return false;
        }
        if self.producer_id < 0 {
            return true;
        }
        let p = first.partition;
        if first.base_sequence.is_none() {
            // New batches wait while older-epoch batches are in flight (a new epoch's sequence
            // 0 must not reach the broker before them), or while a sequence is unresolved.
            if self.has_in_flight(p) && self.is_stale(p) {
                return true;
            }
            if self.has_unresolved(p) {
                return true;
            }
        }
        // A retried batch goes only when it is the lowest sequence in flight: while a
        // partition recovers, effectively one request is in flight for it.
        match (self.first_in_flight_sequence(p), first.base_sequence) {
            (Some(lowest), Some(seq)) => lowest != seq,
            _ => false,
        }
    }

    /// The drain of `batch`: a batch without a sequence gets the current producer id, epoch
    /// and the partition's next sequence; a batch that has one keeps it.
    fn on_drain(&mut self, batch: &mut ProducerBatch) {
        if !self.enabled || batch.base_sequence.is_some() {
            return;
        }
        let p = batch.partition;
        self.maybe_update_producer(p);
        let e = &mut self.partitions[p as usize];
        let base = e.next_sequence;
        batch.producer_id = self.producer_id;
        batch.producer_epoch = self.epoch;
        batch.base_sequence = Some(base);
        // DefaultRecordBatch.incrementSequence wraps from Integer.MAX_VALUE to 0.
        let next = i64::from(base) + i64::from(batch.record_count());
        e.next_sequence = if next > i64::from(i32::MAX) {
            (next - i64::from(i32::MAX) - 1) as i32
        } else {
            next as i32
        };
        e.in_flight
            .insert((batch.producer_id, batch.producer_epoch, base, batch.key));
    }
}
