//! Verdicts (design §3), counted and explained.

use super::Ledger;
use super::settle::Examples;
use super::{Facts, REORDERED};
use crate::sim::producer::RecordState;
use crate::sim::reason::Explanation;
use crate::sim::record_log::RecordLog;
use crate::sim::trace::RecordId;
use serde::Serialize;
use std::collections::BTreeMap;

/// What finally happened to a record. Names follow Jepsen's where they exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// In the committed log once, processed once.
    Delivered,
    /// Acknowledged as written (or sent with acks=0) but absent from the committed log.
    LostBroker,
    /// In the committed log, never processed, while later records of its partition were.
    LostConsumer,
    /// At two or more offsets of the log.
    DuplicatedLog,
    /// Processed two or more times.
    DuplicatedProcessing,
    /// Landed in the log after records the producer sent later to the same partition.
    Reordered,
    /// The producer's callback got an exception and the record is not in the log:
    /// not lost, the application knows.
    FailedNotWritten,
    /// The producer's callback got an exception, yet the broker had appended the record
    /// and it is committed: an application that sends it again writes it twice. Jepsen's
    /// "indeterminate" (`:info`) outcome for Kafka, resolved by looking at the log.
    FailedWritten,
    /// Still in the producer when it crashed or was force-closed.
    Unsent,
    /// Not decided yet: in flight, above the high watermark, or not consumed so far.
    InProgress,
}

impl Verdict {
    pub const ALL: [Verdict; 10] = [
        Self::Delivered,
        Self::LostBroker,
        Self::LostConsumer,
        Self::DuplicatedLog,
        Self::DuplicatedProcessing,
        Self::Reordered,
        Self::FailedNotWritten,
        Self::FailedWritten,
        Self::Unsent,
        Self::InProgress,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::LostBroker => "lost_broker",
            Self::LostConsumer => "lost_consumer",
            Self::DuplicatedLog => "duplicated_log",
            Self::DuplicatedProcessing => "duplicated_processing",
            Self::Reordered => "reordered",
            Self::FailedNotWritten => "failed_not_written",
            Self::FailedWritten => "failed_written",
            Self::Unsent => "unsent",
            Self::InProgress => "in_progress",
        }
    }
    /// Whether the report shows examples of it (everything but the unremarkable).
    pub fn has_example(self) -> bool {
        !matches!(self, Self::Delivered | Self::InProgress)
    }
    pub fn is_anomaly(self) -> bool {
        matches!(
            self,
            Self::LostBroker
                | Self::LostConsumer
                | Self::DuplicatedLog
                | Self::DuplicatedProcessing
                | Self::Reordered
        )
    }
    /// The producer's own outcomes: the application was told, or the producer died.
    /// Not anomalies of Kafka, but worth a look (`failed_written` above all).
    pub fn is_producer_outcome(self) -> bool {
        matches!(
            self,
            Self::FailedNotWritten | Self::FailedWritten | Self::Unsent
        )
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Example {
    pub record: RecordId,
    pub verdict: Verdict,
    pub partition: u32,
    /// Its (first) offset in the committed log, if it is there.
    pub offset: Option<i64>,
    pub cause: Explanation,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct LedgerReport {
    pub counts: BTreeMap<&'static str, u64>,
    pub lost: LostCounts,
    pub duplicated: DupCounts,
    pub reordered: u64,
    /// Up to 10 records per verdict (anomalies, failures), each with its cause.
    pub examples: Vec<Example>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct LostCounts {
    pub broker: u64,
    pub consumer: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct DupCounts {
    pub log: u64,
    pub processing: u64,
}

impl LedgerReport {
    fn add(&mut self, v: Verdict, n: u64) {
        *self.counts.entry(v.name()).or_insert(0) += n;
        match v {
            Verdict::LostBroker => self.lost.broker += n,
            Verdict::LostConsumer => self.lost.consumer += n,
            Verdict::DuplicatedLog => self.duplicated.log += n,
            Verdict::DuplicatedProcessing => self.duplicated.processing += n,
            Verdict::Reordered => self.reordered += n,
            _ => {}
        }
    }
}

pub(super) const EXAMPLES_PER_VERDICT: usize = 10;

impl Ledger {
    /// Verdicts for every record sent so far. What counts as committed is the ledger's own
    /// `committed_to` (the highest high watermark, cut back only with the log), so a leader
    /// that is momentarily missing decides nothing. `consuming` says whether a consumer
    /// group exists at all. `group_committed` is the group's committed offset per
    /// partition: a record below it that was never processed was skipped for good
    /// (committed before processing, or auto.offset.reset=latest), even if nothing after it
    /// was processed yet. Examples are those of the smallest record ids, per verdict.
    pub fn report(
        &self,
        records: &RecordLog,
        consuming: bool,
        group_committed: &BTreeMap<u32, i64>,
    ) -> LedgerReport {
        let mut report = LedgerReport::default();
        for (&v, &n) in &self.settled.counts {
            report.add(v, n);
        }
        let mut examples = Examples::default();
        examples.merge(&self.settled.examples);
        let skipped = |p: u32| group_committed.get(&p).copied().unwrap_or(0);
        let mut judge = |r: RecordId, facts: &Facts, report: &mut LedgerReport| {
            let v = self.verdict(facts, consuming, skipped(facts.partition));
            report.add(v, 1);
            if examples.wants(r, v) {
                examples.offer(Example {
                    record: r,
                    verdict: v,
                    partition: facts.partition,
                    offset: (facts.offset >= 0).then_some(facts.offset),
                    cause: self.explain(r, v, facts),
                });
            }
        };
        // The window: one record at a time.
        for (i, life) in self.lives.iter().enumerate() {
            let r = self.base + i as RecordId;
            let Some(meta) = records.get(r) else { continue };
            let p = meta.partition;
            let committed_to = self.committed_to[p as usize];
            let mut committed = 0u8;
            let mut first_committed = -1i64;
            for o in self.offsets_of(r, life.first_offset()) {
                if o < committed_to {
                    committed += 1;
                    if first_committed < 0 || o < first_committed {
                        first_committed = o;
                    }
                }
            }
            let facts = Facts {
                state: meta.state,
                partition: p,
                copies: life.copies,
                committed,
                offset: first_committed,
                processed: self.processed_count(p, r, life.first_offset()),
                reordered: life.flags & REORDERED != 0,
            };
            judge(r, &facts, &mut report);
        }
        // Unusual records whose consumers are not done.
        for (&r, ex) in &self.exceptions {
            let facts = self.exception_facts(r, ex);
            judge(r, &facts, &mut report);
        }
        // The usual records waiting for consumers: by offset.
        for (p, log) in self.official.iter().enumerate() {
            let from = self.consumer_settled_to[p];
            for (o, r) in log.range(from, self.log_final_to[p]) {
                if r >= self.base || self.exceptions.contains_key(&r) {
                    continue;
                }
                let facts = self.usual_facts(p, o);
                judge(r, &facts, &mut report);
            }
        }
        report.examples = examples.into_vec();
        report.examples.sort_by_key(|e| (e.verdict, e.record));
        report
    }

    /// One verdict per record. The log decides first (not committed / once / twice), then
    /// the consumer, then what the producer was told. A failed record that is committed
    /// is `failed_written` where an acknowledged one would be `delivered`: processed once,
    /// or no consumer group at all. So a failed-yet-written record that a consumer
    /// processed is `failed_written`, not `delivered`: the consumer has it, but the
    /// application was told it failed and may send it again. The consumer's anomalies
    /// (processed twice, skipped) and `reordered` still take precedence, as for any
    /// record, and one that is committed but not processed yet stays `in_progress`.
    /// A record in the log but above the committed part (the high watermark) is not
    /// decided, whatever the producer was told: the HW may pass it, or a leader change
    /// may cut it.
    pub(super) fn verdict(&self, f: &Facts, consuming: bool, skipped_below: i64) -> Verdict {
        match f.committed {
            0 if f.copies > 0 => Verdict::InProgress,
            0 => match f.state {
                RecordState::Unsent => Verdict::Unsent,
                RecordState::Failed => Verdict::FailedNotWritten,
                RecordState::Acked => Verdict::LostBroker,
                RecordState::Pending => Verdict::InProgress,
            },
            1 => {
                if f.processed >= 2 {
                    Verdict::DuplicatedProcessing
                } else if f.processed == 0
                    && (f.offset < self.max_processed[f.partition as usize]
                        || f.offset < skipped_below)
                {
                    Verdict::LostConsumer
                } else if f.processed == 0 && consuming {
                    Verdict::InProgress
                } else if f.reordered {
                    Verdict::Reordered
                } else if f.state == RecordState::Failed {
                    Verdict::FailedWritten
                } else {
                    // Processed once, or no consumer group: in the committed log is the end of the road.
                    Verdict::Delivered
                }
            }
            _ => Verdict::DuplicatedLog,
        }
    }

    pub(super) fn explain(&self, r: RecordId, v: Verdict, f: &Facts) -> Explanation {
        let stored = self
            .record_cause
            .get(&r)
            .map(|c| self.causes[*c as usize].clone());
        let offset = f.offset;
        match v {
            Verdict::FailedNotWritten => self.failed_not_written(r, stored),
            Verdict::FailedWritten => self.failed_written(r, offset, f.processed),
            Verdict::Unsent => Explanation::Unsent {
                stopped: self.stopped_cause(),
            },
            Verdict::LostBroker => stored.map_or_else(
                || {
                    if self.context.acks == "0" {
                        Explanation::Acks0NeverWritten
                    } else {
                        Explanation::NoLongerInLog
                    }
                },
                Explanation::Cause,
            ),
            Verdict::LostConsumer => {
                let p = f.partition;
                let resume = self
                    .resumes
                    .iter()
                    .find(|res| res.partition == p && res.offset > offset)
                    .map(|res| self.causes[res.cause as usize].clone());
                match resume {
                    Some(resume) => Explanation::NeverProcessed { offset, resume },
                    None => Explanation::Skipped {
                        offset,
                        partition: p,
                    },
                }
            }
            _ => stored.map_or(Explanation::None, Explanation::Cause),
        }
    }
}
