//! The ledger: every record's life, kept as a few bytes per record and updated as
//! things happen (an append on a leader, a leader change, a record processed), and
//! the verdicts of design §3 with a cause in plain words for every anomaly.
//!
//! "The log" is the current leader's log of each partition (`official`): a follower
//! only ever copies a prefix of its leader, so when a new leader is elected the
//! official log is cut back to the new leader's log end offset, and whatever was
//! cut is gone unless a retry writes it again.

mod report;

pub use report::{Example, LedgerReport, Verdict};

use super::trace::{BatchId, KafkaError, RecordId};
use std::collections::BTreeMap;

const REORDERED: u8 = 1;

/// Why a partition's consumer started reading where it did (crash recovery, rebalance).
#[derive(Clone, Debug)]
pub struct Resume {
    pub partition: u32,
    pub offset: i64,
    pub cause: u32,
}

#[derive(Default)]
pub struct Ledger {
    /// Per partition: record ids at each offset of the current leader's log.
    official: Vec<Vec<RecordId>>,
    /// Per partition: the highest record id appended so far (send order).
    max_appended: Vec<Option<RecordId>>,
    /// Per record: copies in the official logs.
    copies: Vec<u8>,
    /// Per record: times a consumer finished processing it.
    processed: Vec<u8>,
    flags: Vec<u8>,
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
}

impl Context {
    pub fn of(cfg: &super::config::Config, eff: &super::config::Effective) -> Context {
        Context {
            acks: eff.acks.to_string(),
            idempotence: eff.idempotence,
            max_in_flight: cfg.producer.max_in_flight_requests_per_connection,
        }
    }
}

impl Ledger {
    pub fn new(partitions: u32, context: Context) -> Self {
        let n = partitions as usize;
        Ledger {
            official: vec![Vec::new(); n],
            max_appended: vec![None; n],
            max_processed: vec![-1; n],
            last_resume: vec![None; n],
            context,
            ..Ledger::default()
        }
    }

    fn grow(&mut self, r: RecordId) {
        let need = r as usize + 1;
        if self.copies.len() < need {
            self.copies.resize(need, 0);
            self.processed.resize(need, 0);
            self.flags.resize(need, 0);
        }
    }

    pub fn cause(&mut self, text: String) -> u32 {
        self.causes.push(text);
        (self.causes.len() - 1) as u32
    }

    /// A record came to life in `send()`.
    pub fn on_send(&mut self, r: RecordId) {
        self.grow(r);
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
        let log = &mut self.official[p as usize];
        if base_offset as usize != log.len() {
            // The official log and the leader disagree: trust the leader's offsets.
            log.truncate(base_offset.max(0) as usize);
        }
        for &r in records {
            self.grow(r);
            let p_us = p as usize;
            self.official[p_us].push(r);
            self.copies[r as usize] = self.copies[r as usize].saturating_add(1);
            if self.copies[r as usize] > 1 && !self.record_cause.contains_key(&r) {
                let text = self.duplicate_text(batch, base_offset);
                let c = self.cause(text);
                self.record_cause.insert(r, c);
            }
            match self.max_appended[p_us] {
                Some(m) if r < m => {
                    if self.flags[r as usize] & REORDERED == 0 && self.copies[r as usize] == 1 {
                        self.flags[r as usize] |= REORDERED;
                        let text = self.reorder_text(batch, m);
                        let c = self.cause(text);
                        self.record_cause.entry(r).or_insert(c);
                    }
                }
                _ => self.max_appended[p_us] = Some(r),
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
        let keep = log_end_offset.max(0) as usize;
        if self.official[p_us].len() <= keep {
            return;
        }
        let removed: Vec<RecordId> = self.official[p_us].drain(keep..).collect();
        let text = format!(
            "acks={}: the leader had written it, but {why} (the new leader's log ends at offset {keep})",
            self.context.acks
        );
        let c = self.cause(text);
        for r in removed {
            let i = r as usize;
            self.copies[i] = self.copies[i].saturating_sub(1);
            if self.copies[i] == 0 {
                self.record_cause.insert(r, c);
            }
        }
        self.max_appended[p_us] = self.official[p_us].iter().copied().max();
    }

    /// A consumer finished processing offsets `from..to` of partition `p`. `resumed` is the
    /// cause of the resume it read them from (`on_resume`): a record processed a second time
    /// is explained by why *this* consumer started where it did. Without one, the partition's
    /// latest resume is used.
    pub fn on_processed(&mut self, p: u32, from: i64, to: i64, resumed: Option<u32>) {
        let p_us = p as usize;
        let cause = resumed.or(self.last_resume[p_us]);
        let end = (to.max(0) as usize).min(self.official[p_us].len());
        for off in from.max(0) as usize..end {
            let r = self.official[p_us][off];
            let i = r as usize;
            self.processed[i] = self.processed[i].saturating_add(1);
            if self.processed[i] == 2 {
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

    pub fn official_log(&self, p: u32) -> &[RecordId] {
        &self.official[p as usize]
    }

    pub fn processed(&self, r: RecordId) -> u8 {
        self.processed.get(r as usize).copied().unwrap_or(0)
    }
}
