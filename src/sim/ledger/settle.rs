//! Settling: once nothing can change a record's verdict any more, the ledger counts it
//! for good and forgets its details, so memory follows the records still in play and
//! a run of a hundred million records costs what a run of a hundred thousand does.
//!
//! A record's verdict is final when
//! - the producer is done with it (acknowledged, failed or unsent) and no batch or request
//!   that could still write it exists (`Floors::write`);
//! - every copy of it in the log sits below its partition's floor (`Floors::partitions`):
//!   committed, held by every replica that could still become leader (so no election cuts
//!   it), and below what any consumer may still process (so it is never processed again).
//!
//! Records settle in id order, so one record stuck in play holds back the ones after it.

use super::report::{EXAMPLES_PER_VERDICT, Example, Verdict};
use super::{Ledger, Life};
use crate::sim::producer::RecordMeta;
use crate::sim::record_log::RecordLog;
use crate::sim::trace::{KafkaError, RecordId};
use std::collections::BTreeMap;

/// What the rest of the simulation guarantees will not move any more.
#[derive(Clone, Debug)]
pub struct Floors {
    /// Per partition: offsets below it keep their record and are never processed again.
    pub partitions: Vec<i64>,
    /// No record below it can be written again (no batch or request holds it).
    pub write: RecordId,
}

/// One of the first records to complete, kept for the summary's callback lines.
#[derive(Clone, Debug)]
pub struct SettledCallback {
    pub record: RecordId,
    pub meta: RecordMeta,
    pub error: Option<KafkaError>,
}

/// The summary keeps the callbacks of this many records.
pub const CALLBACKS_KEPT: usize = 5;

/// The verdicts of the records settled so far.
#[derive(Clone, Debug, Default)]
pub(super) struct Settled {
    pub counts: BTreeMap<Verdict, u64>,
    /// The first examples of each verdict, in record order.
    pub examples: Vec<Example>,
    pub callbacks: Vec<SettledCallback>,
}

impl Ledger {
    /// Counts for good every record whose verdict is final, in id order, and drops what
    /// only they needed. `records` is the producer's record log (the caller trims it to
    /// `base()` afterwards); `consuming` and `group_committed` are as for `report`.
    pub fn settle(
        &mut self,
        floors: &Floors,
        records: &RecordLog,
        consuming: bool,
        group_committed: &BTreeMap<u32, i64>,
    ) {
        self.scan_to(&floors.partitions);
        while let Some(&life) = self.lives.front() {
            let r = self.base;
            let Some(meta) = records.get(r) else { break };
            let final_state = meta.state != crate::sim::producer::RecordState::Pending;
            if !final_state || r >= floors.write || life.scanned != life.copies {
                break;
            }
            let skipped_below = group_committed.get(&meta.partition).copied().unwrap_or(0);
            let v = self.verdict(
                r,
                meta,
                life.scanned,
                life.first_offset,
                consuming,
                skipped_below,
            );
            *self.settled.counts.entry(v).or_insert(0) += 1;
            let shown = self
                .settled
                .examples
                .iter()
                .filter(|e| e.verdict == v)
                .count();
            if shown < EXAMPLES_PER_VERDICT && v.has_example() {
                let cause = self.explain(r, v, meta, life.first_offset);
                self.settled.examples.push(Example {
                    record: r,
                    verdict: v,
                    partition: meta.partition,
                    offset: (life.first_offset >= 0).then_some(life.first_offset),
                    cause,
                });
            }
            if self.settled.callbacks.len() < CALLBACKS_KEPT {
                self.settled.callbacks.push(SettledCallback {
                    record: r,
                    meta: *meta,
                    error: self.failure(r),
                });
            }
            self.record_cause.remove(&r);
            self.failed.remove(&r);
            self.lives.pop_front();
            self.base += 1;
        }
        self.drop_scanned_offsets();
    }

    /// Counts the copies at offsets that became final into their records' lives.
    fn scan_to(&mut self, floors: &[i64]) {
        for (p, &floor) in floors.iter().enumerate() {
            let target = floor.min(self.committed_to[p]).min(self.official_end(p));
            let from = self.scanned_to[p].max(self.official_base[p]);
            for off in from..target {
                let r = self.official[p][(off - self.official_base[p]) as usize];
                if let Some(life) = self.life_mut(r) {
                    life.scanned = life.scanned.saturating_add(1);
                    if life.first_offset < 0 {
                        life.first_offset = off;
                    }
                }
            }
            self.scanned_to[p] = self.scanned_to[p].max(target);
        }
    }

    /// Offsets below the scanned point are final and counted: their records need no
    /// lookup by offset any more.
    fn drop_scanned_offsets(&mut self) {
        for p in 0..self.official.len() {
            let n = (self.scanned_to[p] - self.official_base[p]).max(0) as usize;
            let n = n.min(self.official[p].len());
            if n == 0 {
                continue;
            }
            let dropped = self.official[p].drain(..n).max();
            self.dropped_max[p] = self.dropped_max[p].max(dropped);
            self.official_base[p] += n as i64;
        }
    }

    /// Per partition: where final offsets end (for the broker's own log compaction).
    pub fn scanned_to(&self) -> &[i64] {
        &self.scanned_to
    }

    /// The first records that completed, for the summary's callback lines.
    pub fn settled_callbacks(&self) -> &[SettledCallback] {
        &self.settled.callbacks
    }

    /// The life of a record still in play (for the report).
    pub(super) fn window(&self) -> impl Iterator<Item = (RecordId, &Life)> {
        self.lives
            .iter()
            .enumerate()
            .map(|(i, l)| (self.base + i as RecordId, l))
    }
}
