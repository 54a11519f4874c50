//! Leaving and joining the group from the consumer's side: `onJoinPrepare` and the eager
//! rejoin, the coordinator's rebalance notice, the new assignment and where each partition
//! resumes, with the reason the ledger quotes for anything processed again.

use super::{ClusterView, CommitSend, ConsumerGroup, Phase, Then};
use crate::sim::config::{CommitMode, OffsetReset};
use crate::sim::kernel::{AssignedPartition, Core, Message};
pub(super) use crate::sim::reason::Departure;
use crate::sim::reason::{Cause, CommitHabit, CommitKind, PositionReason};
use crate::sim::time::SimDuration;
use crate::sim::trace::TraceEvent;

impl ConsumerGroup {
    /// Consumer `c` leaves its partitions behind. Remember why for each partition it was in
    /// the middle of: records handed to it past the group's committed offset (whoever reads
    /// the partition next processes them again), or records in hand (with a commit before
    /// processing, those it never finishes are lost). A partition it had not touched keeps
    /// the reason of its previous owner.
    pub(super) fn record_departure(&mut self, c: u32, d: Departure) {
        let committed = &self.coordinator.committed;
        let con = &self.consumers[c as usize];
        for (&p, &pos) in &con.positions {
            let ahead = committed.get(&p).is_none_or(|&k| pos > k);
            if ahead || con.in_hand.iter().any(|&(q, _)| q == p) {
                self.departures.insert(p, d);
            }
        }
    }

    /// Learns more about consumer `c`'s latest poll-timeout departure: the time between its
    /// two polls, and whether a commit then failed.
    pub(super) fn update_poll_timeout(
        &mut self,
        c: u32,
        learn: impl Fn(&mut Option<SimDuration>, &mut bool),
    ) {
        let Some(left) = self.consumers[c as usize].left_at else {
            return;
        };
        for d in self.departures.values_mut() {
            if let Departure::PollTimeout {
                consumer,
                at,
                gap,
                commit_failed,
                ..
            } = d
            {
                if *consumer == c && *at == left {
                    learn(gap, commit_failed);
                }
            }
        }
    }

    /// `ConsumerCoordinator.onJoinPrepare`: with auto-commit, commit before giving the
    /// partitions up. A member that left the group has no generation: that commit fails at
    /// once with CommitFailedException, Kafka logs it and joins anyway, and the partitions are
    /// "lost" rather than revoked (`invokePartitionsLost`).
    pub(super) fn prepare_rejoin(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
        self.consumers[c as usize].rejoin_needed = false;
        if core.cfg.consumer.commit_mode == CommitMode::Auto {
            let kind = if self.consumers[c as usize].generation == 0 {
                CommitKind::AutoBeforeRebalance
            } else {
                CommitKind::AutoSyncBeforeRebalance
            };
            if self.send_commit(core, c, true, kind, view) == CommitSend::Sent {
                self.block_on_commit(core, c, Then::Rejoin);
                return;
            }
        }
        self.rejoin(core, c, view);
    }

    /// Eager protocol: revoke everything, then JoinGroup again.
    pub(super) fn rejoin(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
        let con = &mut self.consumers[c as usize];
        con.assignment.clear();
        con.positions.clear();
        con.fetch_offsets.clear();
        con.buffers.clear();
        con.phase = Phase::Joining;
        let inc = con.incarnation;
        Self::to_coordinator(
            core,
            c,
            view,
            Message::JoinGroup {
                consumer: c,
                incarnation: inc,
            },
        );
    }

    pub fn on_rebalance_notice(
        &mut self,
        core: &mut Core,
        c: u32,
        incarnation: u32,
        view: &ClusterView,
    ) {
        let con = &mut self.consumers[c as usize];
        if con.incarnation != incarnation || con.phase == Phase::Dead || con.phase == Phase::Joining
        {
            return;
        }
        // The heartbeat thread only flags it; the application thread acts in its next poll().
        con.rejoin_needed = true;
        if con.phase == Phase::Polling {
            self.poll(core, c, view);
        }
    }

    /// The new assignment: each partition starts at the committed offset, else auto.offset.reset.
    pub fn on_assignment(
        &mut self,
        core: &mut Core,
        c: u32,
        incarnation: u32,
        generation: u32,
        parts: &[AssignedPartition],
        view: &ClusterView,
    ) {
        let con = &self.consumers[c as usize];
        // A second answer for the generation it already has (a retried JoinGroup): keep going.
        if con.generation == generation && con.phase != Phase::Joining {
            return;
        }
        if con.incarnation != incarnation || con.phase == Phase::Dead {
            return;
        }
        // A member that left the group waits for nothing until its next poll() joins again.
        if con.left_at.is_some() && con.phase != Phase::Joining {
            return;
        }
        self.stats.rebalances += 1;
        let interval = core.cfg.consumer.auto_commit_interval_ms;
        let commit = commit_habit(core);
        let departures = &self.departures;
        let con = &mut self.consumers[c as usize];
        con.generation = generation;
        con.left_at = None;
        con.assignment = parts.iter().map(|a| a.partition).collect();
        con.positions.clear();
        con.resumed.clear();
        con.fetch_offsets.clear();
        con.buffers.clear();
        for a in parts {
            let (offset, reason) = start_offset(a, core.cfg.consumer.auto_offset_reset);
            con.positions.insert(a.partition, offset);
            con.fetch_offsets.insert(a.partition, offset);
            let cause = core.ledger.on_resume(
                a.partition,
                offset,
                Cause::Resume {
                    after: departures.get(&a.partition).copied(),
                    consumer: c,
                    partition: a.partition,
                    offset,
                    start: reason,
                    habit: commit,
                },
            );
            con.resumed.insert(a.partition, cause);
            core.emit(TraceEvent::PositionSet {
                consumer: c,
                partition: a.partition,
                offset,
                reason,
            });
        }
        con.next_auto_commit = core.now + SimDuration::from_millis(interval);
        con.poll_called = Self::poll_call_after_join(con.poll_called, core.now);
        con.phase = Phase::Polling;
        self.poll(core, c, view);
    }
}

/// Where a newly assigned partition starts, and why.
fn start_offset(a: &AssignedPartition, reset: OffsetReset) -> (i64, PositionReason) {
    match (a.committed, reset) {
        (Some(o), _) => (o, PositionReason::Committed { offset: o }),
        (None, OffsetReset::Earliest) => (0, PositionReason::ResetEarliest),
        (None, OffsetReset::Latest) => (
            a.high_watermark,
            PositionReason::ResetLatest {
                skipped: a.high_watermark,
            },
        ),
        (None, OffsetReset::None) => (0, PositionReason::ResetNone),
    }
}

/// When the consumer commits, for the resume causes.
fn commit_habit(core: &Core) -> CommitHabit {
    let mode = core.cfg.consumer.commit_mode;
    match mode {
        CommitMode::Auto => CommitHabit::Auto {
            interval_ms: core.cfg.consumer.auto_commit_interval_ms,
        },
        CommitMode::SyncBefore | CommitMode::AsyncBefore => CommitHabit::Before { mode },
        CommitMode::None => CommitHabit::Never,
        _ => CommitHabit::After { mode },
    }
}
