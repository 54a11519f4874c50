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

mod failure;
mod report;
mod settle;
#[cfg(test)]
mod tests;

pub use report::{Example, LedgerReport, Verdict};
pub use settle::{Floors, SettledCallback};

use super::trace::{BatchId, KafkaError, RecordId};
use std::collections::{BTreeMap, VecDeque};

const REORDERED: u8 = 1;

/// Why a partition's consumer started reading where it did (crash recovery, rebalance).
#[derive(Clone, Debug)]
pub struct Resume {
    pub partition: u32,
    pub offset: i64,
    pub cause: u32,
}

/// One record's life as the ledger follows it (a few bytes per record in flight).
#[derive(Clone, Copy, Debug)]
struct Life {
    /// Copies in the official logs.
    copies: u8,
    /// Times a consumer finished processing it.
    processed: u8,
    flags: u8,
    /// Copies at offsets whose fate is final (below the partition's floor, see `settle`).
    scanned: u8,
    /// Its first offset among the final ones, -1 if none yet.
    first_offset: i64,
}

impl Default for Life {
    fn default() -> Self {
        Life {
            copies: 0,
            processed: 0,
            flags: 0,
            scanned: 0,
            first_offset: -1,
        }
    }
}

#[derive(Default)]
pub struct Ledger {
    /// Per partition: record ids at each offset of the current leader's log, from
    /// `official_base` on (what lies below was settled and dropped).
    official: Vec<VecDeque<RecordId>>,
    official_base: Vec<i64>,
    /// Per partition: the largest record id dropped from the front of `official`.
    dropped_max: Vec<Option<RecordId>>,
    /// Per partition: the end of the committed part of `official` (see the module doc).
    committed_to: Vec<i64>,
    /// Per partition: offsets below it have a final fate and were counted in `Life::scanned`.
    scanned_to: Vec<i64>,
    /// Per partition: the highest record id appended so far (send order).
    max_appended: Vec<Option<RecordId>>,
    /// Per record from `base` on: its life so far. Records below `base` are settled.
    lives: VecDeque<Life>,
    base: RecordId,
    /// The verdicts of settled records.
    settled: settle::Settled,
    /// Per partition: the highest offset processed.
    max_processed: Vec<i64>,
    /// Cause texts, shared by the records they explain.
    causes: Vec<String>,
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
            official: vec![VecDeque::new(); n],
            official_base: vec![0; n],
            dropped_max: vec![None; n],
            scanned_to: vec![0; n],
            committed_to: vec![0; n],
            max_appended: vec![None; n],
            max_processed: vec![-1; n],
            last_resume: vec![None; n],
            context,
            ..Ledger::default()
        }
    }

    /// The life of record `r`, growing the window to it. `None` once `r` is settled.
    fn life_mut(&mut self, r: RecordId) -> Option<&mut Life> {
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

    /// The first record not settled yet.
    pub fn base(&self) -> RecordId {
        self.base
    }

    /// The end of partition `p`'s official log.
    fn official_end(&self, p: usize) -> i64 {
        self.official_base[p] + self.official[p].len() as i64
    }

    pub fn cause(&mut self, text: String) -> u32 {
        self.causes.push(text);
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

    pub fn on_unsent(&mut self, why: String) {
        let c = self.cause(why);
        self.unsent_cause = Some(c);
    }

    /// The leader of `p` appended a batch at `base_offset`.
    pub fn on_leader_append(
        &mut self,
        p: u32,
        base_offset: i64,
        records: &[RecordId],
        batch: BatchId,
    ) {
        let p_us = p as usize;
        if base_offset != self.official_end(p_us) {
            // The official log and the leader disagree: trust the leader's offsets.
            let keep = (base_offset.max(0) - self.official_base[p_us]).max(0) as usize;
            self.official[p_us].truncate(keep);
            let cut = &mut self.committed_to[p_us];
            *cut = (*cut).min(base_offset.max(0));
        }
        for &r in records {
            self.official[p_us].push_back(r);
            let max_appended = self.max_appended[p_us];
            let Some(life) = self.life_mut(r) else {
                continue;
            };
            life.copies = life.copies.saturating_add(1);
            let copies = life.copies;
            let newly_reordered = match max_appended {
                Some(m) if r < m && life.flags & REORDERED == 0 && copies == 1 => {
                    life.flags |= REORDERED;
                    Some(m)
                }
                _ => None,
            };
            if copies > 1 && !self.record_cause.contains_key(&r) {
                let text = self.duplicate_text(batch, base_offset);
                let c = self.cause(text);
                self.record_cause.insert(r, c);
            }
            if let Some(m) = newly_reordered {
                let text = self.reorder_text(batch, m);
                let c = self.cause(text);
                self.record_cause.entry(r).or_insert(c);
            }
            if max_appended.is_none_or(|m| r >= m) {
                self.max_appended[p_us] = Some(r);
            }
        }
    }

    fn duplicate_text(&self, batch: BatchId, base_offset: i64) -> String {
        let why = match self.retry_error.get(&batch) {
            Some((e, attempt)) => format!("its send failed with {e} (attempt {attempt})"),
            None => "it was sent again".to_string(),
        };
        if self.context.idempotence {
            format!(
                "batch {batch} was already written, but {why}; after the failure the idempotent producer bumped its epoch and \
                 resent it with new sequence numbers, which the broker cannot match, so it was written again at offset {base_offset}"
            )
        } else {
            format!(
                "retry without idempotence (enable.idempotence=false): batch {batch} was already written, but {why}, so the retry wrote it again at offset {base_offset}"
            )
        }
    }

    fn reorder_text(&self, batch: BatchId, overtaken_by: RecordId) -> String {
        let why = match self.retry_error.get(&batch) {
            Some((e, _)) => format!("failed with {e} and was retried"),
            None => "was retried".to_string(),
        };
        format!(
            "batch {batch} {why} after later records (up to record {overtaken_by}) were written: max.in.flight.requests.per.connection={} with enable.idempotence={}",
            self.context.max_in_flight, self.context.idempotence
        )
    }

    /// A new leader took over partition `p` with `log_end_offset`: what the official
    /// log held beyond it is gone.
    pub fn on_leader_change(&mut self, p: u32, log_end_offset: i64, why: &str) {
        let p_us = p as usize;
        let keep = log_end_offset.max(0);
        if self.official_end(p_us) <= keep {
            return;
        }
        // Settled offsets are never cut (`settle` keeps below the leaders' log ends).
        let from = (keep - self.official_base[p_us]).max(0) as usize;
        let removed: Vec<RecordId> = self.official[p_us].drain(from..).collect();
        // Only a cut log un-commits: an unclean election can take back what was below the HW.
        self.committed_to[p_us] = self.committed_to[p_us].min(keep);
        let text = format!(
            "acks={}: the leader had written it, but {why} (the new leader's log ends at offset {keep})",
            self.context.acks
        );
        let c = self.cause(text);
        for r in removed {
            if let Some(life) = self.life_mut(r) {
                life.copies = life.copies.saturating_sub(1);
                if life.copies == 0 {
                    self.record_cause.insert(r, c);
                }
            }
        }
        self.max_appended[p_us] = self.official[p_us]
            .iter()
            .copied()
            .max()
            .max(self.dropped_max[p_us]);
    }

    /// The leader of `p` advanced its high watermark (`Partition.maybeIncrementLeaderHW`):
    /// everything below it is committed until a leader change cuts the log.
    pub fn on_high_watermark(&mut self, p: u32, hw: i64) {
        let p_us = p as usize;
        let end = hw.min(self.official_end(p_us));
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
        let base = self.official_base[p_us];
        let end = to.min(self.official_end(p_us));
        for off in from.max(base)..end {
            let r = self.official[p_us][(off - base) as usize];
            let Some(life) = self.life_mut(r) else {
                continue;
            };
            life.processed = life.processed.saturating_add(1);
            if life.processed == 2 {
                if let Some(c) = cause {
                    self.record_cause.entry(r).or_insert(c);
                }
            }
        }
        if to > 0 {
            self.max_processed[p_us] = self.max_processed[p_us].max(to - 1);
        }
    }

    /// A consumer (re)starts reading partition `p` at `offset`, for the reason given.
    /// Returns the cause's id, for `on_processed`.
    pub fn on_resume(&mut self, p: u32, offset: i64, why: String) -> u32 {
        let c = self.cause(why);
        self.resumes.push(Resume {
            partition: p,
            offset,
            cause: c,
        });
        self.last_resume[p as usize] = Some(c);
        c
    }

    pub fn processed(&self, r: RecordId) -> u8 {
        self.life(r).map_or(0, |l| l.processed)
    }
}
