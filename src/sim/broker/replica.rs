//! One replica of a partition on one broker: its log, log end offset (LEO),
//! its view of the high watermark, its leader-epoch cache and the idempotent
//! producers' state (`ProducerStateEntry`: the last 5 batches per producer).

use super::super::kernel::{LogBatch, WireBatch};
use std::collections::{BTreeMap, VecDeque};

/// `ProducerStateEntry.NUM_BATCHES_TO_RETAIN`.
pub const BATCHES_TO_RETAIN: usize = 5;

#[derive(Clone, Debug, Default)]
pub struct ProducerEntry {
    pub epoch: i16,
    /// (first sequence, last sequence, base offset) of the newest batches.
    pub batches: VecDeque<(i32, i32, i64)>,
}

impl ProducerEntry {
    pub fn last_sequence(&self) -> Option<i32> {
        self.batches.back().map(|b| b.1)
    }
}

/// What the idempotence check decided for an incoming batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SequenceCheck {
    Append,
    /// Exactly a retained batch: answer with its original base offset.
    Duplicate {
        base_offset: i64,
    },
    OutOfOrder {
        expected: i32,
    },
    InvalidEpoch,
}

#[derive(Clone, Debug, Default)]
pub struct Replica {
    /// The batches from `log_start_offset` to the log end.
    pub(crate) log: VecDeque<LogBatch>,
    /// Offsets below it were removed (`UnifiedLog.logStartOffset`): the simulation drops
    /// what no replica, consumer or verdict can need any more, as retention would.
    pub(crate) log_start_offset: i64,
    pub(crate) log_end_offset: i64,
    pub(crate) high_watermark: i64,
    /// (epoch, start offset), ascending: `LeaderEpochFileCache`.
    pub(crate) epochs: Vec<(u32, i64)>,
    pub(crate) producers: BTreeMap<i64, ProducerEntry>,
    /// The producers' state as of `log_start_offset` (Kafka's producer-state snapshot):
    /// truncation rebuilds the state from it plus the batches still in the log.
    snapshot: BTreeMap<i64, ProducerEntry>,
}

impl Replica {
    pub fn last_epoch(&self) -> Option<u32> {
        match self.log.back() {
            Some(b) => Some(b.leader_epoch),
            // Everything was removed from the front: the epoch cache still knows.
            None if self.log_start_offset > 0 => self.epochs.last().map(|(e, _)| *e),
            None => None,
        }
    }

    /// `endOffsetForEpoch`: the largest epoch ≤ `epoch` and the offset where it ended.
    pub fn end_offset_for_epoch(&self, epoch: u32) -> Option<(u32, i64)> {
        let idx = self.epochs.iter().rposition(|(e, _)| *e <= epoch)?;
        let found = self.epochs[idx].0;
        let end = self
            .epochs
            .get(idx + 1)
            .map_or(self.log_end_offset, |(_, start)| *start);
        Some((found, end))
    }

    /// `ProducerAppendInfo.checkSequence` plus `findDuplicateBatch`.
    pub fn check_sequence(&self, b: &WireBatch) -> SequenceCheck {
        if b.base_sequence < 0 {
            return SequenceCheck::Append;
        }
        let Some(entry) = self.producers.get(&b.producer_id) else {
            // No state for this producer: any sequence is accepted.
            return SequenceCheck::Append;
        };
        if b.producer_epoch < entry.epoch {
            return SequenceCheck::InvalidEpoch;
        }
        if b.producer_epoch > entry.epoch {
            return if b.base_sequence == 0 {
                SequenceCheck::Append
            } else {
                SequenceCheck::OutOfOrder { expected: 0 }
            };
        }
        let last = b.last_sequence();
        if let Some(&(_, _, off)) = entry
            .batches
            .iter()
            .find(|(f, l, _)| *f == b.base_sequence && *l == last)
        {
            return SequenceCheck::Duplicate { base_offset: off };
        }
        let expected = entry
            .last_sequence()
            .map_or(0, |s| if s == i32::MAX { 0 } else { s + 1 });
        if b.base_sequence == expected {
            SequenceCheck::Append
        } else {
            SequenceCheck::OutOfOrder { expected }
        }
    }

    fn record_producer(&mut self, b: &WireBatch, base_offset: i64) {
        Self::record_into(&mut self.producers, b, base_offset);
    }

    fn record_into(producers: &mut BTreeMap<i64, ProducerEntry>, b: &WireBatch, base_offset: i64) {
        if b.base_sequence < 0 {
            return;
        }
        let entry = producers.entry(b.producer_id).or_default();
        if b.producer_epoch != entry.epoch {
            entry.epoch = b.producer_epoch;
            entry.batches.clear();
        }
        entry
            .batches
            .push_back((b.base_sequence, b.last_sequence(), base_offset));
        if entry.batches.len() > BATCHES_TO_RETAIN {
            entry.batches.pop_front();
        }
    }

    /// Appends at the log end. Returns the base offset.
    pub fn append(&mut self, wire: WireBatch, leader_epoch: u32) -> i64 {
        let base = self.log_end_offset;
        if self.epochs.last().is_none_or(|(e, _)| *e < leader_epoch) {
            self.epochs.push((leader_epoch, base));
        }
        self.record_producer(&wire, base);
        self.log_end_offset += wire.records.len() as i64;
        self.log.push_back(LogBatch {
            base_offset: base,
            leader_epoch,
            wire,
        });
        base
    }

    /// A follower copies a batch the leader already placed at `base_offset`.
    pub fn append_replicated(&mut self, batch: LogBatch) -> bool {
        if batch.base_offset != self.log_end_offset {
            return false;
        }
        if self
            .epochs
            .last()
            .is_none_or(|(e, _)| *e < batch.leader_epoch)
        {
            self.epochs.push((batch.leader_epoch, batch.base_offset));
        }
        self.record_producer(&batch.wire, batch.base_offset);
        self.log_end_offset = batch.next_offset();
        self.log.push_back(batch);
        true
    }

    /// Removes everything at or above `offset`; returns how many records went.
    /// Producer state is rebuilt from what is left, as Kafka reloads it after truncation.
    pub fn truncate_to(&mut self, offset: i64) -> u32 {
        if offset >= self.log_end_offset {
            return 0;
        }
        let mut removed = 0u32;
        while let Some(last) = self.log.back() {
            if last.base_offset >= offset {
                removed += last.wire.records.len() as u32;
                self.log.pop_back();
            } else if last.next_offset() > offset {
                // Partial batch: keep its head (only happens after unusual truncation points).
                let keep = (offset - last.base_offset) as usize;
                let last = self.log.back_mut().expect("checked above");
                removed += (last.wire.records.len() - keep) as u32;
                last.wire.records = last.wire.records.prefix(keep);
                break;
            } else {
                break;
            }
        }
        self.log_end_offset = offset.min(self.log_end_offset);
        self.high_watermark = self.high_watermark.min(self.log_end_offset);
        self.epochs.retain(|(_, start)| *start < offset);
        self.producers = self.snapshot.clone();
        for b in &self.log {
            Self::record_into(&mut self.producers, &b.wire, b.base_offset);
        }
        removed
    }

    /// Removes whole batches that end at or below `offset` from the front of the log
    /// (retention: `UnifiedLog.deleteOldSegments` moves the log start offset). Their
    /// producer state goes into the snapshot. Returns how many batches went.
    pub fn compact_to(&mut self, offset: i64) -> usize {
        let mut n = 0;
        while self.log.front().is_some_and(|b| b.next_offset() <= offset) {
            let b = self.log.pop_front().expect("checked");
            Self::record_into(&mut self.snapshot, &b.wire, b.base_offset);
            self.log_start_offset = b.next_offset();
            n += 1;
        }
        n
    }

    /// `truncateFullyAndStartAt`: a follower whose fetch offset is below the leader's log
    /// start drops its log and starts again at the leader's log start offset.
    pub fn truncate_fully_and_start_at(&mut self, offset: i64) -> u32 {
        let removed = (self.log_end_offset - self.log_start_offset).max(0) as u32;
        self.log.clear();
        self.snapshot.clear();
        self.producers.clear();
        self.epochs.clear();
        self.log_start_offset = offset;
        self.log_end_offset = offset;
        self.high_watermark = self.high_watermark.min(offset);
        removed
    }

    /// Batches starting at `offset`, up to `max_bytes` (at least one batch).
    pub fn read_from(&self, offset: i64, max_bytes: u64) -> Vec<LogBatch> {
        let start = self.log.partition_point(|b| b.next_offset() <= offset);
        let mut out = Vec::new();
        let mut bytes = 0u64;
        for b in self.log.range(start..) {
            if !out.is_empty() && bytes + u64::from(b.wire.bytes) > max_bytes {
                break;
            }
            bytes += u64::from(b.wire.bytes);
            out.push(b.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(id: u64, n: u32, seq: i32, epoch: i16) -> WireBatch {
        WireBatch {
            batch_id: id,
            partition: 0,
            records: (0..n).collect::<Vec<_>>()[..].into(),
            bytes: 100,
            producer_id: 7,
            producer_epoch: epoch,
            base_sequence: seq,
        }
    }

    #[test]
    fn duplicates_of_the_last_five_batches_get_their_original_offset() {
        let mut r = Replica::default();
        for i in 0..6 {
            let b = wire(i, 10, (i * 10) as i32, 0);
            assert_eq!(r.check_sequence(&b), SequenceCheck::Append);
            r.append(b, 0);
        }
        // Batch 1 (seq 10..19, offset 10) is among the last five: a duplicate.
        assert_eq!(
            r.check_sequence(&wire(1, 10, 10, 0)),
            SequenceCheck::Duplicate { base_offset: 10 }
        );
        // Batch 0 fell out of the window: no longer recognised.
        assert_eq!(
            r.check_sequence(&wire(0, 10, 0, 0)),
            SequenceCheck::OutOfOrder { expected: 60 }
        );
        // A gap.
        assert_eq!(
            r.check_sequence(&wire(9, 10, 70, 0)),
            SequenceCheck::OutOfOrder { expected: 60 }
        );
        // A new epoch must start at 0; an old one is fenced.
        assert_eq!(r.check_sequence(&wire(9, 1, 0, 1)), SequenceCheck::Append);
        assert_eq!(
            r.check_sequence(&wire(9, 1, 5, 1)),
            SequenceCheck::OutOfOrder { expected: 0 }
        );
        r.append(wire(10, 1, 0, 1), 0);
        assert_eq!(
            r.check_sequence(&wire(11, 1, 60, 0)),
            SequenceCheck::InvalidEpoch
        );
    }

    #[test]
    fn truncation_removes_the_suffix_and_rebuilds_producer_state() {
        let mut r = Replica::default();
        r.append(wire(0, 5, 0, 0), 0);
        r.append(wire(1, 5, 5, 0), 1);
        r.append(wire(2, 5, 10, 0), 1);
        assert_eq!(r.end_offset_for_epoch(0), Some((0, 5)));
        assert_eq!(r.end_offset_for_epoch(1), Some((1, 15)));
        assert_eq!(r.truncate_to(5), 10);
        assert_eq!(r.log_end_offset, 5);
        assert_eq!(r.epochs, vec![(0, 0)]);
        // Sequence 5 is expected again: the truncated batches are forgotten.
        assert_eq!(r.check_sequence(&wire(1, 5, 5, 0)), SequenceCheck::Append);
        let read = r.read_from(0, 1);
        assert_eq!(read.len(), 1, "at least one batch even above max bytes");
        assert_eq!(read[0].wire.records, r.log[0].wire.records);
    }
}
