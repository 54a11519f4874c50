//! `poll()` on the application thread. The notes' consumers call
//! `kafkaConsumer.poll(Duration.ofSeconds(10))` in a `while (true)` loop: a call returns as
//! soon as it has records, and an empty batch once its 10 s are up; after either, the loop
//! commits as its commit.mode says (`commitSync()` / `commitAsync()` run after every poll,
//! even an empty one) and calls `poll()` again.
//!
//! Inside one call Kafka loops (`ClassicKafkaConsumer.poll`: `coordinator.poll` with the
//! auto-commit, then `pollForFetches`, until the call's timer runs out). Each turn of that
//! loop is a call of `ConsumerGroup::poll` here; a turn happens when something can change
//! what it sees: a fetch answer, a rebalance notice, the auto-commit timer, the call's end.

use super::commit::CommitSend;
use super::{ClusterView, ConsumerGroup, Phase, Then};
use crate::sim::config::CommitMode;
use crate::sim::kernel::Core;
use crate::sim::reason::CommitKind;
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::trace::TraceEvent;

/// The notes' `poll(Duration.ofSeconds(10))`.
const POLL_TIMEOUT: SimDuration = SimDuration(10_000_000);

/// With auto.commit.interval.ms=0, `ConsumerCoordinator.timeToNextPoll` is 0 right after each
/// auto-commit (the timer was reset to 0), so `pollForFetches` does not wait and the Java loop
/// spins as fast as the CPU allows, one async commit per turn. The simulation has no CPU time:
/// it turns such a loop once per millisecond, the resolution of the consumer's clock
/// (`Time.milliseconds()`; every `Timer` counts whole milliseconds).
const SPIN_TURN: SimDuration = SimDuration(1_000);

impl ConsumerGroup {
    /// The application's loop calls `poll()` (after processing or committing): a new call,
    /// so its 10 s start now.
    pub(super) fn app_poll(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
        self.consumers[c as usize].poll_called = core.now;
        self.poll(core, c, view);
    }

    /// A turn of `poll()`. With consumer.process.ms=0 a turn that hands out records
    /// processes them and comes back to `poll()` at once, from inside this call: that next
    /// turn runs in this loop instead of one level deeper, so a backlog of a million records
    /// polled one at a time (max.poll.records=1) cannot overflow the stack.
    pub(super) fn poll(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
        let con = &mut self.consumers[c as usize];
        if con.in_poll {
            con.poll_again = true;
            return;
        }
        con.in_poll = true;
        loop {
            self.poll_turn(core, c, view);
            let con = &mut self.consumers[c as usize];
            if !std::mem::take(&mut con.poll_again) {
                break;
            }
        }
        self.consumers[c as usize].in_poll = false;
    }

    /// One turn: auto-commit first (covering what earlier polls returned), then hand out
    /// up to max.poll.records buffered records, fetching more in the background.
    fn poll_turn(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
        let mode = core.cfg.consumer.commit_mode;
        self.note_poll(core, c);
        if self.consumers[c as usize].rejoin_needed {
            self.prepare_rejoin(core, c, view);
            return;
        }
        let mut auto_commit = false;
        let con = &mut self.consumers[c as usize];
        if mode == CommitMode::Auto && con.generation > 0 && core.now >= con.next_auto_commit {
            con.next_auto_commit =
                core.now + SimDuration::from_millis(core.cfg.consumer.auto_commit_interval_ms);
            auto_commit = true;
            self.send_commit(core, c, false, CommitKind::AutoInsidePoll, view);
        }
        let con = &mut self.consumers[c as usize];
        let max = core.cfg.consumer.max_poll_records as usize;
        let mut records: Vec<(u32, i64)> = Vec::new();
        let n = con.assignment.len();
        for step in 0..n {
            if records.len() >= max {
                break;
            }
            let p = con.assignment[(con.rr + step) % n];
            let Some(buf) = con.buffers.get_mut(&p) else {
                continue;
            };
            while records.len() < max {
                let Some((off, _)) = buf.pop_front() else {
                    break;
                };
                records.push((p, off));
                con.positions.insert(p, off + 1);
            }
        }
        if n > 0 {
            con.rr = (con.rr + 1) % n;
        }
        self.send_fetches(core, c, view);
        if records.is_empty() {
            self.nothing_to_return(core, c, view);
            return;
        }
        self.stats.polls += 1;
        core.emit(TraceEvent::Polled {
            consumer: c,
            records: records.len() as u32,
            auto_commit,
            ranges: ranges_of(&records),
        });
        let con = &mut self.consumers[c as usize];
        con.in_hand = records;
        Self::arm_poll_timer(core, con);
        if mode.before_processing() {
            let sync = mode.is_sync();
            let sent = self.send_commit(
                core,
                c,
                sync,
                if sync {
                    CommitKind::SyncBeforeProcessing
                } else {
                    CommitKind::AsyncBeforeProcessing
                },
                view,
            );
            if sync && sent == CommitSend::Sent {
                self.block_on_commit(core, c, Then::Process);
                return;
            }
        }
        self.start_processing(core, c, view);
    }

    /// The turn had nothing to return. When the call's 10 s are up it returns an empty batch
    /// and the notes' loop commits anyway: `commitSync()` / `commitAsync()` commit
    /// `SubscriptionState.allConsumed()`, the unchanged positions, and
    /// `ConsumerCoordinator.commitOffsetsSync` / `commitOffsetsAsync` send an OffsetCommit
    /// whenever that map is not empty (nothing compares it with what was committed before).
    /// So an idle consumer commits the same offsets once per 10 s, as the Java one does.
    /// Otherwise the thread waits for the next turn (turns driven by fetch answers leave
    /// nothing behind in the event queue: see `wake`).
    fn nothing_to_return(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
        let mode = core.cfg.consumer.commit_mode;
        let commits_in_loop = !matches!(mode, CommitMode::Auto | CommitMode::None);
        let con = &mut self.consumers[c as usize];
        con.phase = Phase::Polling;
        if commits_in_loop && core.now >= con.poll_called + POLL_TIMEOUT {
            con.poll_called = core.now;
            let sync = mode.is_sync();
            let kind = if sync {
                CommitKind::SyncAfterEmptyPoll
            } else {
                CommitKind::AsyncAfterEmptyPoll
            };
            if self.send_commit(core, c, sync, kind, view) == CommitSend::Sent && sync {
                self.block_on_commit(core, c, Then::Poll);
                return;
            }
        }
        let con = &mut self.consumers[c as usize];
        let at = match mode {
            CommitMode::None => None,
            // poll() wakes itself for the next auto-commit even with nothing to return.
            CommitMode::Auto if con.generation == 0 => None,
            CommitMode::Auto if con.next_auto_commit > core.now => Some(con.next_auto_commit),
            CommitMode::Auto => Some(core.now + SPIN_TURN),
            _ => Some(con.poll_called + POLL_TIMEOUT),
        };
        if let Some(at) = at {
            Self::wake(core, con, at);
        }
    }

    /// The assignment arrives inside a `poll()` call that began before the join. Calls that
    /// ran out while the member had no partitions returned empty batches with nothing to
    /// commit (`allConsumed()` is empty), so the call going on now began at the last
    /// multiple of 10 s after the first one.
    pub(super) fn poll_call_after_join(con_poll_called: SimTime, now: SimTime) -> SimTime {
        let waited = now.since(con_poll_called).as_micros();
        let calls = waited / POLL_TIMEOUT.as_micros();
        con_poll_called + SimDuration(calls * POLL_TIMEOUT.as_micros())
    }
}

/// (partition, first, last) per run of one partition in what `poll()` hands out. Records of
/// one partition come out of its fetch buffer in offset order, so a run covers its offsets.
fn ranges_of(records: &[(u32, i64)]) -> Vec<(u32, i64, i64)> {
    let mut out: Vec<(u32, i64, i64)> = Vec::new();
    for &(p, o) in records {
        match out.last_mut() {
            Some(last) if last.0 == p => last.2 = o,
            _ => out.push((p, o, o)),
        }
    }
    out
}
