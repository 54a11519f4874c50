//! Settling: the ledger forgets what can no longer change, so memory follows the records
//! still in play and a run of a hundred million records costs what a run of a hundred
//! thousand does. A record goes through three forms:
//!
//! 1. **In the window** (`lives`, per record) while the producer may still write it or a
//!    leader change may still cut it.
//! 2. **By offset** once the producer is done with it (acknowledged, failed or unsent, and no
//!    batch or request holds it: `Floors::write`) and every copy sits below its partition's
//!    log floor (committed, and held by every replica that could still become leader:
//!    `Floors::log`). From then on only consumers can change its verdict, and they work by
//!    offset: the usual record (acknowledged, one copy, in order) needs nothing of its own;
//!    the unusual ones keep a small `Exception`.
//! 3. **Counted** once consumers are done with its offsets (`Floors::consumer`: below the
//!    group's committed offset and every live member's position and records in hand).
//!
//! Records leave the window in id order, so one record stuck in play holds back the ones
//! after it (but not their consumption).

use super::report::{Example, Verdict};
use super::{Exception, Facts, Ledger, REORDERED};
use crate::sim::producer::{RecordMeta, RecordState};
use crate::sim::record_log::RecordLog;
use crate::sim::trace::{KafkaError, RecordId};
use std::collections::BTreeMap;

/// What the rest of the simulation guarantees will not move any more.
#[derive(Clone, Debug)]
pub struct Floors {
    /// Per partition: offsets below it keep their record for good.
    pub log: Vec<i64>,
    /// Per partition: offsets below it are never processed again.
    pub consumer: Vec<i64>,
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

/// The verdicts of the records counted for good.
#[derive(Clone, Debug, Default)]
pub(super) struct Settled {
    pub counts: BTreeMap<Verdict, u64>,
    /// The examples with the smallest record ids, per verdict.
    pub examples: Examples,
    pub callbacks: Vec<SettledCallback>,
}

/// Up to `EXAMPLES_PER_VERDICT` examples per verdict, those of the smallest record ids.
#[derive(Clone, Debug, Default)]
pub(super) struct Examples {
    by_verdict: BTreeMap<Verdict, Vec<Example>>,
}

impl Examples {
    /// Whether an example for record `r` with verdict `v` would be kept.
    pub fn wants(&self, r: RecordId, v: Verdict) -> bool {
        v.has_example()
            && self.by_verdict.get(&v).is_none_or(|list| {
                list.len() < super::report::EXAMPLES_PER_VERDICT
                    || list.last().is_some_and(|e| e.record > r)
            })
    }

    pub fn offer(&mut self, e: Example) {
        if !self.wants(e.record, e.verdict) {
            return;
        }
        let list = self.by_verdict.entry(e.verdict).or_default();
        let at = list.partition_point(|x| x.record < e.record);
        list.insert(at, e);
        list.truncate(super::report::EXAMPLES_PER_VERDICT);
    }

    /// In verdict order, then record order.
    pub fn into_vec(self) -> Vec<Example> {
        self.by_verdict.into_values().flatten().collect()
    }

    pub fn merge(&mut self, other: &Examples) {
        for e in other.by_verdict.values().flatten() {
            self.offer(e.clone());
        }
    }
}

impl Ledger {
    /// Moves every record as far along its three forms as `floors` allow, then forgets
    /// the offsets nobody can ask about any more. `records` is the producer's record log
    /// (the caller trims it to `base()` afterwards).
    pub fn settle(
        &mut self,
        floors: &Floors,
        records: &RecordLog,
        consuming: bool,
        group_committed: &BTreeMap<u32, i64>,
    ) {
        for p in 0..self.official.len() {
            let log = floors.log[p]
                .min(self.committed_to[p])
                .min(self.official[p].end());
            self.log_final_to[p] = self.log_final_to[p].max(log);
        }
        self.leave_window(floors.write, records, consuming, group_committed);
        self.count_consumed(&floors.consumer, consuming, group_committed);
        self.forget(records);
    }

    /// Form 1 → 2 (or 3): the window's first records, while the producer and the log are
    /// done with them.
    fn leave_window(
        &mut self,
        write_floor: RecordId,
        records: &RecordLog,
        consuming: bool,
        group_committed: &BTreeMap<u32, i64>,
    ) {
        while let Some(&life) = self.lives.front() {
            let r = self.base;
            let Some(meta) = records.get(r) else { break };
            if meta.state == RecordState::Pending || r >= write_floor {
                break;
            }
            let p = meta.partition;
            let log_final = self.log_final_to[p as usize];
            if self
                .offsets_of(r, life.first_offset())
                .any(|o| o >= log_final)
            {
                break;
            }
            if self.settled.callbacks.len() < CALLBACKS_KEPT {
                self.settled.callbacks.push(SettledCallback {
                    record: r,
                    meta: *meta,
                    error: self.failure(r),
                });
            }
            let consumed_to = self.consumer_settled_to[p as usize];
            let final_copies = self
                .offsets_of(r, life.first_offset())
                .filter(|&o| o < consumed_to)
                .count() as u8;
            let usual =
                meta.state == RecordState::Acked && life.copies == 1 && life.flags & REORDERED == 0;
            if final_copies == life.copies {
                // Consumers are done with it too (or it is not in the log at all).
                let facts = Facts {
                    state: meta.state,
                    partition: p,
                    copies: life.copies,
                    committed: life.copies,
                    offset: life.first_offset(),
                    processed: self.processed_count(p, r, life.first_offset()),
                    reordered: life.flags & REORDERED != 0,
                };
                self.count(r, &facts, consuming, group_committed);
                self.more_offsets.remove(&r);
            } else if !usual {
                self.exceptions.insert(
                    r,
                    Exception {
                        partition: p,
                        state: meta.state,
                        flags: life.flags,
                        copies: life.copies,
                        first_offset: life.first_offset(),
                        final_copies,
                    },
                );
            }
            self.lives.pop_front();
            self.base += 1;
        }
    }

    /// Form 2 → 3: offsets consumers are done with.
    fn count_consumed(
        &mut self,
        consumer_floors: &[i64],
        consuming: bool,
        group_committed: &BTreeMap<u32, i64>,
    ) {
        for (p, &floor) in consumer_floors.iter().enumerate() {
            let from = self.consumer_settled_to[p];
            let to = floor.min(self.log_final_to[p]);
            if to <= from {
                continue;
            }
            let offsets: Vec<(i64, RecordId)> = self.official[p].range(from, to).collect();
            for (o, r) in offsets {
                if r >= self.base {
                    continue; // still in the window: counted when it leaves it
                }
                if let Some(ex) = self.exceptions.get_mut(&r) {
                    ex.final_copies += 1;
                    if ex.final_copies >= ex.copies {
                        let ex = *ex;
                        let facts = self.exception_facts(r, &ex);
                        self.count(r, &facts, consuming, group_committed);
                        self.exceptions.remove(&r);
                        self.more_offsets.remove(&r);
                    }
                } else {
                    let facts = self.usual_facts(p, o);
                    self.count(r, &facts, consuming, group_committed);
                }
            }
            self.consumer_settled_to[p] = to;
        }
    }

    /// Counts record `r` for good.
    fn count(
        &mut self,
        r: RecordId,
        facts: &Facts,
        consuming: bool,
        group_committed: &BTreeMap<u32, i64>,
    ) {
        let skipped_below = group_committed.get(&facts.partition).copied().unwrap_or(0);
        let v = self.verdict(facts, consuming, skipped_below);
        *self.settled.counts.entry(v).or_insert(0) += 1;
        if self.settled.examples.wants(r, v) {
            let cause = self.explain(r, v, facts);
            self.settled.examples.offer(Example {
                record: r,
                verdict: v,
                partition: facts.partition,
                offset: (facts.offset >= 0).then_some(facts.offset),
                cause,
            });
        }
        self.record_cause.remove(&r);
        self.failed.remove(&r);
    }

    /// Forgets offsets below what consumers are done with, except those of records still
    /// in the window or kept as exceptions (they need their processing counts).
    fn forget(&mut self, records: &RecordLog) {
        let mut keep_from: Vec<i64> = self.consumer_settled_to.clone();
        for (i, life) in self.lives.iter().enumerate() {
            let r = self.base + i as RecordId;
            if life.first_offset() < 0 {
                continue;
            }
            if let Some(meta) = records.get(r) {
                let k = &mut keep_from[meta.partition as usize];
                *k = (*k).min(self.offsets_of(r, life.first_offset()).min().unwrap_or(*k));
            }
        }
        for (&r, ex) in &self.exceptions {
            let k = &mut keep_from[ex.partition as usize];
            *k = (*k).min(self.offsets_of(r, ex.first_offset).min().unwrap_or(*k));
        }
        for (p, &to) in keep_from.iter().enumerate() {
            self.official[p].drop_below(to);
            self.processed[p].drop_below(to);
        }
    }

    /// Per partition: where offsets whose record is final end (the brokers may drop their
    /// batches below it, and below every live replica's log end).
    pub fn settled_offsets(&self) -> Vec<i64> {
        self.official
            .iter()
            .map(super::offsets::OffsetLog::base)
            .collect()
    }

    /// (offsets kept in the official logs, exceptions kept).
    pub fn footprint(&self) -> (usize, usize) {
        let offsets = self
            .official
            .iter()
            .map(|l| (l.end() - l.base()) as usize)
            .sum();
        (offsets, self.exceptions.len())
    }

    /// The first records that completed, for the summary's callback lines.
    pub fn settled_callbacks(&self) -> &[SettledCallback] {
        &self.settled.callbacks
    }
}
