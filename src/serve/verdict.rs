//! What became of real producers' acknowledged records: still in the log where the
//! broker said (committed once the high watermark passes them), gone (lost: an acks=1
//! leader died before its followers copied them, and the new leader truncated), or
//! written twice (a retry without idempotence). The simulation's ledger follows its own
//! producer from `send()`; a real producer's `send()` is in another process, so this is
//! judged from what the server saw: the acknowledgements it sent and the logs now.
//! acks=0 batches are never acknowledged, so they are not judged.

use super::records::Payloads;
use super::world::World;
use crate::sim::Sim;
use crate::sim::clients::is_client_record;
use crate::sim::trace::RecordId;
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// An acknowledged batch: where the broker said it was written.
#[derive(Clone, Copy, Debug)]
pub(super) struct AckedBatch {
    pub partition: u32,
    pub base_offset: i64,
    pub first: RecordId,
    pub len: u32,
}

/// Real producers' records, judged now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RealVerdicts {
    /// Acknowledged to a real producer (acks=1 or all).
    pub acked: u64,
    /// Acknowledged and still in the log, below the high watermark.
    pub committed: u64,
    /// Acknowledged, and no longer in the log where the broker said.
    pub lost: u64,
    /// Records in the committed log more than once (same key, value, timestamp, headers).
    pub duplicated: u64,
}

/// A record's content, to recognise the same record sent twice (a retried batch gets new
/// ids on the server, so ids cannot tell).
fn content(payloads: &Payloads, r: RecordId) -> Option<u64> {
    let rec = payloads.get(r)?;
    let mut h = DefaultHasher::new();
    rec.key.hash(&mut h);
    rec.value.hash(&mut h);
    rec.timestamp.hash(&mut h);
    for (k, v) in &rec.headers {
        k.as_str().hash(&mut h);
        v.hash(&mut h);
    }
    Some(h.finish())
}

impl World {
    /// Judges every acknowledged real record against the logs as they are now.
    pub fn verdicts(&self, sim: &Sim) -> RealVerdicts {
        let mut v = RealVerdicts::default();
        for b in &self.acked {
            let to = b.base_offset + i64::from(b.len);
            let (ids, hw) = sim.client_log_ids(b.partition, b.base_offset, to);
            let at: BTreeMap<i64, RecordId> = ids.into_iter().collect();
            for i in 0..b.len {
                let o = b.base_offset + i64::from(i);
                v.acked += 1;
                // A duplicate the broker recognised was acknowledged at the first copy's
                // offset: the log holds that copy's ids, with the same content.
                let want = content(&self.payloads, b.first + i);
                let found = at.get(&o).and_then(|&r| content(&self.payloads, r));
                match (want, found) {
                    (Some(w), Some(f)) if w == f => {
                        if o < hw {
                            v.committed += 1;
                        }
                    }
                    _ => v.lost += 1,
                }
            }
        }
        v.duplicated = self.duplicated(sim);
        v
    }

    /// Real records whose content is in a committed log more than once.
    fn duplicated(&self, sim: &Sim) -> u64 {
        let mut twice = 0;
        for p in sim.client_metadata() {
            let (ids, _) = sim.client_log_ids(p.partition, 0, p.high_watermark);
            let mut seen: BTreeMap<u64, u32> = BTreeMap::new();
            for (_, r) in ids {
                if !is_client_record(r) {
                    continue;
                }
                if let Some(c) = content(&self.payloads, r) {
                    let n = seen.entry(c).or_insert(0);
                    *n += 1;
                    if *n == 2 {
                        twice += 1;
                    }
                }
            }
        }
        twice
    }
}
