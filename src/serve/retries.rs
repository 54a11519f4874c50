//! Recognising a real producer's retry: a batch that comes again keeps the record ids of
//! its first attempt, so the ledger sees one record with two copies when the retry is
//! written again (no idempotence), as it does for the simulated producer's retries.
//!
//! An idempotent batch is known by its producer id, epoch and base sequence (what the
//! broker's own deduplication reads, `ProducerStateManager`). A plain batch carries nothing
//! of the kind; a retry resends the same bytes, so it is known by its partition and its
//! records' keys, values, timestamps and headers. Two sends of the same content with the
//! same millisecond timestamps would be taken for one record sent twice: the producer's
//! timestamps make that rare, and only a producer without idempotence can meet it.

use super::records::ProducedBatch;
use crate::sim::trace::RecordId;
use std::collections::{BTreeMap, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

/// Batches remembered: a retry comes within delivery.timeout.ms (2 minutes), far fewer
/// batches than this at any rate a real client reaches.
const KEEP: usize = 1 << 16;

#[derive(Default)]
pub struct Retries {
    first_ids: BTreeMap<u64, RecordId>,
    order: VecDeque<u64>,
}

/// What identifies a batch across attempts.
pub fn fingerprint(partition: u32, b: &ProducedBatch) -> u64 {
    // DefaultHasher::new() has fixed keys: the same batch gives the same print every run.
    let mut h = DefaultHasher::new();
    partition.hash(&mut h);
    b.records.len().hash(&mut h);
    if b.producer_id >= 0 && b.base_sequence >= 0 {
        (b.producer_id, b.producer_epoch, b.base_sequence).hash(&mut h);
    } else {
        for r in &b.records {
            r.key.hash(&mut h);
            r.value.hash(&mut h);
            r.timestamp.hash(&mut h);
            for (k, v) in &r.headers {
                k.as_str().hash(&mut h);
                v.hash(&mut h);
            }
        }
    }
    h.finish()
}

impl Retries {
    /// The first record id of an earlier attempt of the batch with this print.
    pub fn earlier(&self, print: u64) -> Option<RecordId> {
        self.first_ids.get(&print).copied()
    }

    pub fn remember(&mut self, print: u64, first: RecordId) {
        if self.first_ids.insert(print, first).is_none() {
            self.order.push_back(print);
            if self.order.len() > KEEP {
                if let Some(old) = self.order.pop_front() {
                    self.first_ids.remove(&old);
                }
            }
        }
    }
}
