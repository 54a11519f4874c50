//! The ledger: every record's life, kept as a few bytes per record and updated as
//! things happen (an append on a leader, a leader change, a record processed), and
//! the verdicts of design §3 with a cause in plain words for every anomaly.
//!
//! "The log" is the current leader's log of each partition (`official`): a follower
//! only ever copies a prefix of its leader, so when a new leader is elected the
//! official log is cut back to the new leader's log end offset, and whatever was
//! cut is gone unless a retry writes it again.
//!
//! "Committed" is the part of the official log below the highest high watermark any
//! leader of the partition reached (`committed_to`). It only moves back when the log
//! itself is cut (an unclean election): a partition whose leader is dead (offline), or
//! a new leader whose own high watermark has not caught up yet, does not un-commit
//! anything (`Partition.makeLeader` keeps the committed prefix; a clean election only
//! picks ISR members, which all hold it).

mod clients;
mod failure;
mod offsets;
mod report;
mod settle;
#[cfg(test)]
mod tests;

pub use clients::{ClientExample, ClientVerdicts};
pub use report::{Example, LedgerReport, Verdict};
pub use settle::{Floors, SettledCallback};

use super::producer::RecordState;
use super::reason::{Cause, ElectionCause};
use super::record_ids::RecordIds;
use super::trace::{BatchId, KafkaError, RecordId};
use offsets::{OffsetCounts, OffsetLog};
use std::collections::{BTreeMap, VecDeque};

const REORDERED: u8 = 1;

/// Why a partition's consumer started reading where it did (crash recovery, rebalance).
#[derive(Clone, Debug)]
pub struct Resume {
    pub partition: u32,
    pub offset: i64,
    pub cause: u32,
}

/// A record whose producer side or log copies may still change (the window from `base`).
/// Eight bytes: records in the accumulator (up to buffer.memory's worth) each have one.
#[derive(Clone, Copy, Debug)]
struct Life {
    /// Its lowest offset in the official log, `NO_OFFSET` when it has no copy. Further
    /// copies are in `Ledger::more_offsets`. An offset fits in 32 bits: a partition never
    /// holds more records than there are record ids.
    first: u32,
    copies: u8,
    flags: u8,
}

const NO_OFFSET: u32 = u32::MAX;

impl Life {
    /// Its lowest offset, -1 when it has no copy.
    fn first_offset(self) -> i64 {
        if self.first == NO_OFFSET {
            -1
        } else {
            i64::from(self.first)
        }
    }

    fn set_first_offset(&mut self, offset: i64) {
        self.first = u32::try_from(offset).unwrap_or(NO_OFFSET);
    }
}

impl Default for Life {
    fn default() -> Self {
        Life {
            first: NO_OFFSET,
            copies: 0,
            flags: 0,
        }
    }
}

/// A record whose producer side and copies are final, but that is not the usual case
/// (acknowledged, one copy, in order): failed yet written, reordered, written twice, or
/// unsent yet written. Kept until consumers are done with its offsets.
#[derive(Clone, Copy, Debug)]
struct Exception {
    partition: u32,
    state: RecordState,
    flags: u8,
    copies: u8,
    first_offset: i64,
    /// Copies whose offsets consumers are done with.
    final_copies: u8,
}

/// What decides a record's verdict (see `report::verdict`).
#[derive(Clone, Copy, Debug)]
pub(super) struct Facts {
    pub state: RecordState,
    pub partition: u32,
    /// Copies in the official log.
    pub copies: u8,
    /// Copies in its committed part.
    pub committed: u8,
    /// The first committed offset, -1 if none.
    pub offset: i64,
    pub processed: u8,
    pub reordered: bool,
}

impl Ledger {
    /// The facts of an unusual record waiting for consumers (its copies are all committed).
    fn exception_facts(&self, r: RecordId, ex: &Exception) -> Facts {
        Facts {
            state: ex.state,
            partition: ex.partition,
            copies: ex.copies,
            committed: ex.copies,
            offset: ex.first_offset,
            processed: self.processed_count(ex.partition, r, ex.first_offset),
            reordered: ex.flags & REORDERED != 0,
        }
    }

    /// The facts of the usual record (acknowledged, one committed copy, in order) at
    /// `offset` of partition `p`.
    fn usual_facts(&self, p: usize, offset: i64) -> Facts {
        Facts {
            state: RecordState::Acked,
            partition: p as u32,
            copies: 1,
            committed: 1,
            offset,
            processed: self.processed[p].get(offset),
            reordered: false,
        }
    }
}

/// Every record's life, kept in three forms as it ages (see `settle.rs`): per record while
/// the producer or a leader change may still touch it (`lives`, from `base`); by offset
/// once only consumers can (the usual case needs no per-record state at all); and counted
/// for good (`settled`) once nothing can.
#[derive(Clone, Default)]
pub struct Ledger {
    /// Per partition: record ids at each offset of the current leader's log.
    official: Vec<OffsetLog>,
    /// Per partition: how many times consumers processed each offset.
    processed: Vec<OffsetCounts>,
    /// Per partition: the end of the committed part of `official` (see the module doc).
    committed_to: Vec<i64>,
    /// Per partition: offsets below it keep their record for good.
    log_final_to: Vec<i64>,
    /// Per partition: offsets below it are counted in `settled` (or belong to records
    /// still in `lives`, which count when they leave it).
    consumer_settled_to: Vec<i64>,
    /// Per partition: the highest record id appended so far (send order).
    max_appended: Vec<Option<RecordId>>,
    /// Per record from `base` on.
    lives: VecDeque<Life>,
    base: RecordId,
    /// Offsets of second and later copies (records written more than once).
    more_offsets: BTreeMap<RecordId, Vec<i64>>,
    exceptions: BTreeMap<RecordId, Exception>,
    /// The verdicts of records counted for good.
    settled: settle::Settled,
    /// Per partition: the highest offset processed.
    max_processed: Vec<i64>,
    /// Causes, shared by the records they explain.
    causes: Vec<Cause>,
    /// The cause of each anomaly (a record lost, duplicated or reordered).
    record_cause: BTreeMap<RecordId, u32>,
    /// Per batch in retry: the error that made the producer send it again.
    retry_error: BTreeMap<BatchId, (KafkaError, u32)>,
    failed: BTreeMap<RecordId, KafkaError>,
    resumes: Vec<Resume>,
    /// Per partition: the cause of the latest resume, for duplicates it produces.
    last_resume: Vec<Option<u32>>,
    unsent_cause: Option<u32>,
    /// Settings that causes mention, captured when the producer started.
    pub(crate) context: Context,
    /// Real producers' records (`clients.rs`).
    clients: clients::ClientRecords,
}

/// Settings the cause texts quote.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub acks: String,
    pub idempotence: bool,
    pub max_in_flight: u32,
    pub delivery_timeout_ms: u64,
    pub request_timeout_ms: u64,
    pub min_insync_replicas: u32,
}

impl Context {
    pub fn of(cfg: &super::config::Config, eff: &super::config::Effective) -> Context {
        Context {
            acks: eff.acks.to_string(),
            idempotence: eff.idempotence,
            max_in_flight: cfg.producer.max_in_flight_requests_per_connection,
            delivery_timeout_ms: eff.delivery_timeout_ms,
            request_timeout_ms: cfg.producer.request_timeout_ms,
            min_insync_replicas: cfg.topology.min_insync_replicas,
        }
    }
}

impl Ledger {
    pub fn new(partitions: u32, context: Context) -> Self {
        let n = partitions as usize;
        Ledger {
            official: vec![OffsetLog::default(); n],
            processed: vec![OffsetCounts::default(); n],
            committed_to: vec![0; n],
            log_final_to: vec![0; n],
            consumer_settled_to: vec![0; n],
            max_appended: vec![None; n],
            max_processed: vec![-1; n],
            last_resume: vec![None; n],
            context,
            ..Ledger::default()
        }
    }

    /// The life of record `r`, growing the window to it. `None` once `r` left the window.
    fn life_mut(&mut self, r: RecordId) -> Option<&mut Life> {
        // A real client's record (`kafka-flow serve`): its producer judges it, not the ledger.
        if super::clients::is_client_record(r) {
            return None;
        }
        let i = r.checked_sub(self.base)? as usize;
        if self.lives.len() <= i {
            self.lives.resize(i + 1, Life::default());
        }
        self.lives.get_mut(i)
    }

    fn life(&self, r: RecordId) -> Option<&Life> {
        r.checked_sub(self.base)
            .and_then(|i| self.lives.get(i as usize))
    }

    /// The first record still followed one by one (the producer's record log keeps the
    /// same records).
    /// Entries the ledger holds one by one (what a copy of it costs grows with this).
    pub fn retained(&self) -> u64 {
        let logs: u64 = self.official.iter().map(OffsetLog::retained).sum();
        let counts: u64 = self.processed.iter().map(OffsetCounts::retained).sum();
        logs + counts
            + (self.lives.len()
                + self.more_offsets.len()
                + self.exceptions.len()
                + self.causes.len()
                + self.record_cause.len()
                + self.retry_error.len()
                + self.failed.len()
                + self.resumes.len()
                + self.clients.len()) as u64
    }

    pub fn base(&self) -> RecordId {
        self.base
    }

    /// Every offset of `r` in the official log, given its first one.
    fn offsets_of(&self, r: RecordId, first: i64) -> impl Iterator<Item = i64> + '_ {
        (first >= 0)
            .then_some(first)
            .into_iter()
            .chain(self.more_offsets.get(&r).into_iter().flatten().copied())
    }

    /// Times consumers processed `r`, over its copies.
    fn processed_count(&self, p: u32, r: RecordId, first: i64) -> u8 {
        self.offsets_of(r, first)
            .map(|o| self.processed[p as usize].get(o))
            .fold(0u8, u8::saturating_add)
    }

    pub fn cause(&mut self, cause: Cause) -> u32 {
        self.causes.push(cause);
        (self.causes.len() - 1) as u32
    }

    /// A record came to life in `send()`.
    pub fn on_send(&mut self, r: RecordId) {
        self.life_mut(r);
    }

    pub fn on_retry(&mut self, batch: BatchId, error: KafkaError, attempt: u32) {
        self.retry_error.insert(batch, (error, attempt));
    }

    pub fn on_batch_done(&mut self, batch: BatchId) {
        self.retry_error.remove(&batch);
    }

    pub fn on_failed(&mut self, records: &[RecordId], error: KafkaError) {
        for &r in records {
            self.failed.insert(r, error);
        }
    }

    pub fn on_unsent(&mut self, why: Cause) {
        let c = self.cause(why);
        self.unsent_cause = Some(c);
    }

    /// The leader of `p` appended a batch at `base_offset`.
    pub fn on_leader_append(
        &mut self,
        p: u32,
        base_offset: i64,
        records: &RecordIds,
        batch: BatchId,
    ) {
        let p_us = p as usize;
        if base_offset != self.official[p_us].end() {
            // The official log and the leader disagree: trust the leader's offsets.
            self.cut(p, base_offset.max(0), None);
            let cut = &mut self.committed_to[p_us];
            *cut = (*cut).min(base_offset.max(0));
        }
        for (i, r) in records.iter().enumerate() {
            let offset = self.official[p_us].end();
            self.official[p_us].push(r);
            debug_assert_eq!(offset, base_offset.max(0) + i as i64);
            if super::clients::is_client_record(r) {
                self.client_appended(r, p, offset, batch);
                continue;
            }
            let max_appended = self.max_appended[p_us];
            let Some(life) = self.life_mut(r) else {
                continue;
            };
            life.copies = life.copies.saturating_add(1);
            let copies = life.copies;
            if life.first_offset() < 0 {
                life.set_first_offset(offset);
            } else {
                self.more_offsets.entry(r).or_default().push(offset);
            }
            let life = self.life_mut(r).expect("in the window");
            let newly_reordered = match max_appended {
                Some(m) if r < m && life.flags & REORDERED == 0 && copies == 1 => {
                    life.flags |= REORDERED;
                    Some(m)
                }
                _ => None,
            };
            if copies > 1 && !self.record_cause.contains_key(&r) {
                let cause = Cause::Duplicate {
                    batch,
                    retry: self.retry_error.get(&batch).copied(),
                    idempotent: self.context.idempotence,
                    offset: base_offset,
                };
                let c = self.cause(cause);
                self.record_cause.insert(r, c);
            }
            if let Some(m) = newly_reordered {
                let cause = Cause::Reordered {
                    batch,
                    retry_error: self.retry_error.get(&batch).map(|&(e, _)| e),
                    overtaken_by: m,
                    max_in_flight: self.context.max_in_flight,
                    idempotent: self.context.idempotence,
                };
                let c = self.cause(cause);
                self.record_cause.entry(r).or_insert(c);
            }
            if max_appended.is_none_or(|m| r >= m) {
                self.max_appended[p_us] = Some(r);
            }
        }
    }

    /// Removes offsets at or above `keep` of partition `p` from the official log; records
    /// that lose their last copy get `cause`. Processing counts there go too: the offsets
    /// will hold other records.
    fn cut(&mut self, p: u32, keep: i64, cause: Option<u32>) {
        let p_us = p as usize;
        let removed = self.official[p_us].truncate(keep);
        self.processed[p_us].truncate_from(keep);
        for r in removed {
            if super::clients::is_client_record(r) {
                self.client_cut(r, keep, cause);
                continue;
            }
            let Some(life) = self.life_mut(r) else {
                continue;
            };
            life.copies = life.copies.saturating_sub(1);
            let first = life.first_offset();
            let gone = if life.copies == 0 { Some(r) } else { None };
            // Keep the offsets below the cut.
            let mut offsets: Vec<i64> = self.offsets_of(r, first).filter(|&o| o < keep).collect();
            offsets.sort_unstable();
            let life = self.life_mut(r).expect("in the window");
            life.set_first_offset(offsets.first().copied().unwrap_or(-1));
            if offsets.len() > 1 {
                self.more_offsets.insert(r, offsets[1..].to_vec());
            } else {
                self.more_offsets.remove(&r);
            }
            if let (Some(r), Some(c)) = (gone, cause) {
                self.record_cause.insert(r, c);
            }
        }
        self.max_appended[p_us] = self.official[p_us].max_below(super::clients::CLIENT_RECORD_BASE);
    }

    /// A new leader took over partition `p` with `log_end_offset`: what the official
    /// log held beyond it is gone.
    /// `why` started the election; broker `new_leader` (chosen `unclean`ly or not) won it.
    pub fn on_leader_change(
        &mut self,
        p: u32,
        log_end_offset: i64,
        why: ElectionCause,
        new_leader: u32,
        unclean: bool,
    ) {
        let p_us = p as usize;
        let keep = log_end_offset.max(0);
        if self.official[p_us].end() <= keep {
            return;
        }
        // Only a cut log un-commits: an unclean election can take back what was below the HW.
        self.committed_to[p_us] = self.committed_to[p_us].min(keep);
        let c = self.cause(Cause::LeaderCut {
            acks: self.context.acks.clone(),
            election: why,
            new_leader,
            unclean,
            log_end: keep,
        });
        self.cut(p, keep, Some(c));
    }

    /// The leader of `p` advanced its high watermark (`Partition.maybeIncrementLeaderHW`):
    /// everything below it is committed until a leader change cuts the log.
    pub fn on_high_watermark(&mut self, p: u32, hw: i64) {
        let p_us = p as usize;
        let end = hw.min(self.official[p_us].end());
        self.committed_to[p_us] = self.committed_to[p_us].max(end);
    }

    /// Per partition: where the committed part of the log ends.
    pub fn committed_to(&self) -> &[i64] {
        &self.committed_to
    }

    /// The exception a failed record's callback got, if the ledger saw it.
    pub fn failure(&self, r: RecordId) -> Option<KafkaError> {
        self.failed.get(&r).copied()
    }

    /// A consumer finished processing offsets `from..to` of partition `p`. `resumed` is the
    /// cause of the resume it read them from (`on_resume`): a record processed a second time
    /// is explained by why *this* consumer started where it did. Without one, the partition's
    /// latest resume is used.
    pub fn on_processed(&mut self, p: u32, from: i64, to: i64, resumed: Option<u32>) {
        let p_us = p as usize;
        let cause = resumed.or(self.last_resume[p_us]);
        let from = from.max(self.official[p_us].base());
        let to = to.min(self.official[p_us].end());
        let twice = self.processed[p_us].add(from, to);
        if let Some(c) = cause {
            for (a, b) in twice {
                let records: Vec<RecordId> =
                    self.official[p_us].range(a, b).map(|(_, r)| r).collect();
                for r in records {
                    self.record_cause.entry(r).or_insert(c);
                }
            }
        }
        if to > 0 {
            self.max_processed[p_us] = self.max_processed[p_us].max(to - 1);
        }
    }

    /// A consumer (re)starts reading partition `p` at `offset`, for the reason given.
    /// Returns the cause, for the duplicates this resume will produce.
    pub fn on_resume(&mut self, p: u32, offset: i64, why: Cause) -> u32 {
        let c = self.cause(why);
        self.resumes.push(Resume {
            partition: p,
            offset,
            cause: c,
        });
        self.last_resume[p as usize] = Some(c);
        c
    }

    /// Times consumers processed record `r` (0 once it is counted for good).
    pub fn processed(&self, r: RecordId) -> u8 {
        if let Some(ex) = self.exceptions.get(&r) {
            return self.processed_count(ex.partition, r, ex.first_offset);
        }
        let Some(life) = self.life(r) else { return 0 };
        if life.first_offset() < 0 {
            return 0;
        }
        (0..self.official.len() as u32)
            .find(|&p| self.official[p as usize].get(life.first_offset()) == Some(r))
            .map_or(0, |p| self.processed_count(p, r, life.first_offset()))
    }
}
