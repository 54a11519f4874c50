//! Committing offsets: commitSync (blocks, retries retriable errors until
//! default.api.timeout.ms), commitAsync (no retry; answers arrive in order), and the
//! synchronous commit before a rebalance. A member that left the group cannot commit at all.

use super::{
    ClusterView, ConsumerGroup, PendingCommit, Phase, REQUEST_TIMEOUT, RETRY_BACKOFF, Then,
};
use crate::sim::kernel::{Core, Message};
use crate::sim::reason::CommitKind;
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::trace::{KafkaError, TraceEvent};

/// What became of a commit call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CommitSend {
    /// An OffsetCommit request is on its way.
    Sent,
    /// No assigned partition has a position: nothing to commit.
    Nothing,
    /// The member has no generation (it left the group): CommitFailedException, no request.
    NotInGroup,
}

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
        // Blocked in commitSync the application is not in poll(): the poll timer runs.
        Self::arm_poll_timer(core, con);
    }

    /// Commits the current positions of every assigned partition (`allConsumed`).
    pub(super) fn send_commit(
        &mut self,
        core: &mut Core,
        c: u32,
        sync: bool,
        kind: CommitKind,
        view: &ClusterView,
    ) -> CommitSend {
        let con = &mut self.consumers[c as usize];
        let offsets: Vec<(u32, i64)> = con.positions.iter().map(|(p, o)| (*p, *o)).collect();
        if offsets.is_empty() {
            return CommitSend::Nothing;
        }
        if con.generation == 0 {
            // `ConsumerCoordinator.sendOffsetCommitRequest`: `generationIfStable()` is null and
            // no rebalance is in progress (the member is UNJOINED after leaving), so the future
            // fails at once with CommitFailedException, which is not retriable: commitSync
            // throws it, commitAsync hands it to the callback, auto-commit logs it.
            self.stats.commits_failed += 1;
            self.update_poll_timeout(c, |_, failed| *failed = true);
            core.emit(TraceEvent::CommitFailedNotInGroup {
                consumer: c,
                offsets,
                kind,
            });
            return CommitSend::NotInGroup;
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
        let committed = &self.coordinator.committed;
        let redundant = offsets
            .iter()
            .all(|(p, o)| committed.get(p).is_some_and(|k| k == o));
        if !redundant {
            self.commits_that_matter += 1;
        }
        self.commits.insert(
            id,
            PendingCommit {
                consumer: c,
                sent_at: core.now,
                offsets: offsets.clone(),
                redundant,
            },
        );
        self.stats.commits_sent += 1;
        core.emit(TraceEvent::CommitSent {
            consumer: c,
            offsets,
            kind,
        });
        Self::to_coordinator(core, c, view, msg);
        CommitSend::Sent
    }

    /// Forgets a commit on its way (answered, retried or given up).
    pub(super) fn take_commit(&mut self, id: u64) -> Option<PendingCommit> {
        let pc = self.commits.remove(&id)?;
        if !pc.redundant {
            self.commits_that_matter -= 1;
        }
        Some(pc)
    }

    pub(super) fn resend_sync_commit(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
        let Some((old, deadline, then)) = self.consumers[c as usize].sync_commit else {
            return;
        };
        self.take_commit(old);
        if self.send_commit(core, c, true, CommitKind::SyncRetry, view) != CommitSend::Sent {
            // It left the group while retrying: commitSync throws, the application moves on.
            self.consumers[c as usize].sync_commit = None;
            self.after_sync_commit(core, c, then, view);
            return;
        }
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
        let Some(PendingCommit { offsets, .. }) = self.take_commit(id) else {
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
            Then::Poll => self.app_poll(core, c, view),
            Then::Rejoin => self.rejoin(core, c, view),
        }
    }
}
