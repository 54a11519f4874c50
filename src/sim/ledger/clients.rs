//! Real producers' records in the ledger (`kafka-flow serve`). Their `send()` is in another
//! process, so the ledger meets them at the broker: appended by a leader (the same
//! `on_leader_append` as the simulated producer's), cut by a leader change (with the same
//! cause), acknowledged when the server answers the producer (`on_client_acked`). A retry
//! carries the ids of its first attempt (the server recognises it), so a record written
//! twice is one record with two copies, as for the simulated producer.
//!
//! Kept per record until the session ends: real clients send thousands, not millions.

use super::Ledger;
use crate::sim::reason::Cause;
use crate::sim::trace::{BatchId, RecordId};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub(super) struct ClientRecords {
    lives: BTreeMap<RecordId, ClientLife>,
}

#[derive(Clone, Debug, Default)]
struct ClientLife {
    partition: u32,
    /// Its offsets in the current leader's log, oldest first.
    offsets: Vec<i64>,
    /// The acks of the request the producer was answered for (none: not acknowledged).
    acked: Option<i16>,
    /// Why it was lost or written twice.
    cause: Option<u32>,
}

/// Real producers' records, judged now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ClientVerdicts {
    /// Acknowledged to a real producer (acks=1 or all).
    pub acked: u64,
    /// Acknowledged and in the committed log (below the high watermark).
    pub committed: u64,
    /// Acknowledged, and no longer in the log: a leader change cut it.
    pub lost: u64,
    /// In the committed log twice: a retry without idempotence.
    pub duplicated: u64,
}

/// A real record lost or written twice, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClientExample {
    pub record: RecordId,
    pub partition: u32,
    /// Lost (else written twice).
    pub lost: bool,
    pub cause: Option<Cause>,
}

impl ClientRecords {
    pub(super) fn len(&self) -> usize {
        self.lives.len()
    }
}

impl Ledger {
    /// A leader appended real record `r` at `offset` of partition `p`, in `batch`.
    pub(super) fn client_appended(&mut self, r: RecordId, p: u32, offset: i64, batch: BatchId) {
        let life = self.clients.lives.entry(r).or_default();
        life.partition = p;
        life.offsets.push(offset);
        if life.offsets.len() == 2 && life.cause.is_none() {
            let first_offset = life.offsets[0];
            let c = self.cause(Cause::ClientDuplicate {
                batch,
                first_offset,
                offset,
            });
            if let Some(life) = self.clients.lives.get_mut(&r) {
                life.cause = Some(c);
            }
        }
    }

    /// A leader change cut real record `r`'s copies at `keep` and above; `cause` says why
    /// when it loses its last.
    pub(super) fn client_cut(&mut self, r: RecordId, keep: i64, cause: Option<u32>) {
        let Some(life) = self.clients.lives.get_mut(&r) else {
            return;
        };
        life.offsets.retain(|&o| o < keep);
        if life.offsets.is_empty() {
            if let Some(c) = cause {
                life.cause = Some(c);
            }
        }
    }

    /// The server answered a real producer: records `first..first+len` are acknowledged,
    /// sent with `acks`.
    pub fn on_client_acked(&mut self, first: RecordId, len: u32, acks: i16) {
        for r in first..first.saturating_add(len) {
            if let Some(life) = self.clients.lives.get_mut(&r) {
                life.acked = Some(acks);
            }
        }
    }

    /// Every real record judged against the logs as they are now, and the latest lost and
    /// written-twice ones (at most `examples`), newest first.
    pub fn client_verdicts(&self, examples: usize) -> (ClientVerdicts, Vec<ClientExample>) {
        let mut v = ClientVerdicts::default();
        let mut shown = Vec::new();
        for (&r, life) in self.clients.lives.iter().rev() {
            let committed_to = self.committed_to[life.partition as usize];
            let committed = life.offsets.iter().filter(|&&o| o < committed_to).count();
            let lost = life.acked.is_some() && life.offsets.is_empty();
            if life.acked.is_some() {
                v.acked += 1;
                v.committed += u64::from(committed > 0);
                v.lost += u64::from(lost);
            }
            let twice = committed > 1;
            v.duplicated += u64::from(twice);
            if (lost || twice) && shown.len() < examples {
                shown.push(ClientExample {
                    record: r,
                    partition: life.partition,
                    lost,
                    cause: life.cause.map(|c| self.client_cause(c, life.acked)),
                });
            }
        }
        (v, shown)
    }

    /// A cause as it applies to a real record: a leader cut quotes the real request's acks,
    /// not the simulated producer's.
    fn client_cause(&self, c: u32, acked: Option<i16>) -> Cause {
        let mut cause = self.causes[c as usize].clone();
        if let (Cause::LeaderCut { acks, .. }, Some(a)) = (&mut cause, acked) {
            *acks = if a == -1 {
                "all".to_string()
            } else {
                a.to_string()
            };
        }
        cause
    }
}
