//! What became of real producers' acknowledged records, as the ledger judges them
//! (`sim::ledger::clients`): committed (in the log below the high watermark), lost (cut by
//! a leader change: an acks=1 leader died before its followers copied them) or written twice
//! (a retry without idempotence). A record newly lost or doubled gets a log line with its
//! cause. acks=0 batches are never acknowledged, so they are not judged.

use super::world::World;
pub use crate::sim::ledger::{ClientExample, ClientVerdicts as RealVerdicts};
use crate::sim::trace::RecordId;
use crate::sim::{Sim, SimDuration, SimTime};
use std::collections::BTreeSet;

/// How many of the latest lost or doubled records each judgement explains.
const EXAMPLES: usize = 2;

/// Judging reads every real record: twice a second of virtual time at most.
const JUDGE_EVERY: SimDuration = SimDuration(500_000);

/// The latest judgement.
#[derive(Default)]
pub(super) struct Judged {
    at: Option<SimTime>,
    pub verdicts: RealVerdicts,
    /// Records already explained in the log, and whether as lost.
    told: BTreeSet<(RecordId, bool)>,
}

impl World {
    /// Every acknowledged real record, judged against the logs as they are now.
    pub fn verdicts(&self, sim: &Sim) -> RealVerdicts {
        sim.client_verdicts(0).0
    }

    /// The verdicts as last judged (`judge`).
    pub fn last_verdicts(&self) -> RealVerdicts {
        self.judged.verdicts
    }

    /// Judges the real records again if it is time (or `now`), and says why for each newly
    /// lost or doubled one among the latest.
    pub(super) fn judge(&mut self, sim: &Sim, now: bool) {
        let t = sim.now();
        if !now && self.judged.at.is_some_and(|at| t.since(at) < JUDGE_EVERY) {
            return;
        }
        self.judged.at = Some(t);
        let (verdicts, examples) = sim.client_verdicts(EXAMPLES);
        self.judged.verdicts = verdicts;
        for e in examples.iter().rev() {
            if self.judged.told.insert((e.record, e.lost)) {
                self.log.real_record(t, e);
            }
        }
    }
}
