//! The idempotent producer's client side (`TransactionManager` without
//! transactions): producer id and epoch, per-partition sequence numbers assigned
//! at the first drain, the in-flight sequences, and the drain rules that keep
//! retried batches in order (`shouldStopDrainBatchesForPartition`).

use super::accumulator::{DrainGuard, ProducerBatch};
use std::collections::BTreeSet;

pub struct Idempotence {
    pub enabled: bool,
    /// -1 until InitProducerId answered.
    pub producer_id: i64,
    pub epoch: i16,
    pub requested: bool,
    next_sequence: Vec<i32>,
    last_acked: Vec<Option<i32>>,
    in_flight: Vec<BTreeSet<i32>>,
}

impl Idempotence {
    pub fn new(enabled: bool, partitions: u32) -> Self {
        let n = partitions as usize;
        Idempotence {
            enabled,
            producer_id: -1,
            epoch: -1,
            requested: false,
            next_sequence: vec![0; n],
            last_acked: vec![None; n],
            in_flight: vec![BTreeSet::new(); n],
        }
    }

    /// Drains wait for a producer id.
    pub fn ready_to_send(&self) -> bool {
        !self.enabled || self.producer_id >= 0
    }

    pub fn on_acked(&mut self, batch: &ProducerBatch) {
        let p = batch.partition as usize;
        if let (Some(base), Some(last)) = (batch.base_sequence, batch.last_sequence()) {
            self.in_flight[p].remove(&base);
            self.last_acked[p] = Some(self.last_acked[p].map_or(last, |l| l.max(last)));
        }
    }

    pub fn on_returned(&mut self, batch: &ProducerBatch) {
        if let Some(base) = batch.base_sequence {
            self.in_flight[batch.partition as usize].remove(&base);
        }
    }

    /// `TransactionManager.canRetry` for OUT_OF_ORDER_SEQUENCE_NUMBER: retry a batch that is
    /// collateral damage of an earlier failure; a real gap needs an epoch bump first.
    pub fn is_next_expected(&self, batch: &ProducerBatch) -> bool {
        let p = batch.partition as usize;
        batch.base_sequence == Some(self.last_acked[p].map_or(0, |l| l.wrapping_add(1)))
    }

    /// Bumps the epoch and restarts sequences of `partition` from 0 (`bumpIdempotentProducerEpoch`).
    /// Batches already holding a sequence must be renumbered by the caller.
    pub fn bump_epoch(&mut self, partition: u32) {
        self.epoch = self.epoch.wrapping_add(1);
        let p = partition as usize;
        self.next_sequence[p] = 0;
        self.last_acked[p] = None;
        self.in_flight[p].clear();
    }

    pub fn in_flight_count(&self, partition: u32) -> usize {
        self.in_flight[partition as usize].len()
    }
}

impl DrainGuard for Idempotence {
    fn should_stop(&self, batch: &ProducerBatch) -> bool {
        if !self.enabled {
            return false;
        }
        let p = batch.partition as usize;
        match (self.in_flight[p].first(), batch.base_sequence) {
            // A retried batch goes only when it is the first sequence in flight (or nothing is).
            (Some(&first), Some(seq)) => first != seq,
            _ => false,
        }
    }

    fn on_drain(&mut self, batch: &mut ProducerBatch) {
        if !self.enabled {
            return;
        }
        let p = batch.partition as usize;
        if batch.base_sequence.is_none() || batch.producer_epoch != self.epoch {
            batch.producer_id = self.producer_id;
            batch.producer_epoch = self.epoch;
            batch.base_sequence = Some(self.next_sequence[p]);
            self.next_sequence[p] = self.next_sequence[p].wrapping_add(batch.record_count() as i32);
            if self.next_sequence[p] < 0 {
                self.next_sequence[p] = 0;
            }
        }
        if let Some(s) = batch.base_sequence {
            self.in_flight[p].insert(s);
        }
    }
}
