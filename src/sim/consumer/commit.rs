//! Committing offsets: commitSync (blocks, retries retriable errors until
//! default.api.timeout.ms), commitAsync (no retry; answers arrive in order), and the
//! synchronous commit before a rebalance.

use super::{ClusterView, ConsumerGroup, Phase, REQUEST_TIMEOUT, RETRY_BACKOFF, Then};
use crate::sim::kernel::{Core, Message};
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::trace::{KafkaError, TraceEvent};

impl ConsumerGroup {
    pub(super) fn block_on_commit(&mut self, core: &mut Core, c: u32, then: Then) {
        let deadline =
            core.now + SimDuration::from_millis(core.cfg.consumer.default_api_timeout_ms);
        let con = &mut self.consumers[c as usize];
        if let Some((id, _, _)) = con.sync_commit {
            con.sync_commit = Some((id, deadline, then));
        }
        con.phase = Phase::CommitSync;
        let at = core.now + REQUEST_TIMEOUT;
        Self::wake(core, con, at);
    }

    /// Commits the current positions of every assigned partition (`allConsumed`).
    pub(super) fn send_commit(
        &mut self,
        core: &mut Core,
        c: u32,
        sync: bool,
        kind: &str,
        view: &ClusterView,
    ) {
        let con = &mut self.consumers[c as usize];
        let offsets: Vec<(u32, i64)> = con.positions.iter().map(|(p, o)| (*p, *o)).collect();
        if offsets.is_empty() {
            return;
        }
        let id = self.next_commit;
        self.next_commit += 1;
        if sync {
            con.sync_commit = Some((id, SimTime::MAX, Then::Poll));
        }
        let msg = Message::OffsetCommit {
            consumer: c,
            incarnation: con.incarnation,
            generation: con.generation,
            id,
            offsets: offsets.clone(),
        };
        self.commits.insert(id, (c, core.now, offsets.clone()));
        self.stats.commits_sent += 1;
        core.emit(TraceEvent::CommitSent {
            consumer: c,
            offsets,
            kind: kind.to_string(),
        });
        Self::to_coordinator(core, c, view, msg);
    }

    pub(super) fn resend_sync_commit(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
        let Some((old, deadline, then)) = self.consumers[c as usize].sync_commit else {
            return;
        };
        self.commits.remove(&old);
        self.send_commit(core, c, true, "commitSync (retry)", view);
        let con = &mut self.consumers[c as usize];
        if let Some((id, _, _)) = con.sync_commit {
            con.sync_commit = Some((id, deadline, then));
        }
        let at = core.now + REQUEST_TIMEOUT;
        Self::wake(core, con, at);
    }

    pub fn on_commit_response(
        &mut self,
        core: &mut Core,
        c: u32,
        incarnation: u32,
        id: u64,
        error: Option<KafkaError>,
        view: &ClusterView,
    ) {
        let Some((_, _, offsets)) = self.commits.remove(&id) else {
            return;
        };
        let con = &self.consumers[c as usize];
        if con.incarnation != incarnation {
            return;
        }
        match error {
            None => {
                self.stats.commits_ok += 1;
                core.emit(TraceEvent::Committed {
                    consumer: c,
                    offsets,
                });
            }
            Some(e) => {
                self.stats.commits_failed += 1;
                let is_sync = con.sync_commit.is_some_and(|(sid, _, _)| sid == id);
                let retrying = is_sync && e.is_retriable();
                core.emit(TraceEvent::CommitFailed {
                    consumer: c,
                    error: e,
                    retrying,
                });
                if retrying {
                    let con = &mut self.consumers[c as usize];
                    let at = core.now + RETRY_BACKOFF;
                    Self::wake(core, con, at);
                    return;
                }
            }
        }
        let con = &self.consumers[c as usize];
        if let Some((sid, _, then)) = con.sync_commit {
            if sid == id && con.phase == Phase::CommitSync {
                self.consumers[c as usize].sync_commit = None;
                self.after_sync_commit(core, c, then, view);
            }
        }
    }

    pub(super) fn sync_commit_failed(
        &mut self,
        core: &mut Core,
        c: u32,
        error: KafkaError,
        then: Then,
        view: &ClusterView,
    ) {
        self.stats.commits_failed += 1;
        core.emit(TraceEvent::CommitFailed {
            consumer: c,
            error,
            retrying: false,
        });
        self.consumers[c as usize].sync_commit = None;
        self.after_sync_commit(core, c, then, view);
    }

    pub(super) fn after_sync_commit(
        &mut self,
        core: &mut Core,
        c: u32,
        then: Then,
        view: &ClusterView,
    ) {
        match then {
            Then::Process => self.start_processing(core, c, view),
            Then::Poll => self.poll(core, c, view),
            Then::Rejoin => self.rejoin(core, c, view),
        }
    }
}
