//! The consumer's heartbeat thread (classic protocol, `AbstractCoordinator.HeartbeatThread`):
//! a heartbeat every heartbeat.interval.ms, and the poll timer of `max.poll.interval.ms`
//! (`Heartbeat.pollTimer`). When the application has not called `poll()` for that long, the
//! thread sends LeaveGroup and forgets the member's generation: the coordinator rebalances the
//! others, the member's next commit fails with CommitFailedException, and its next `poll()`
//! joins again.
//!
//! The real thread looks at its timers at least every retry.backoff.ms (it `wait`s that long
//! when no heartbeat is due), so it leaves up to 100 ms after the deadline; here it wakes
//! exactly at the deadline. The wake-up is scheduled once per `poll()` that hands records out,
//! and only when the deadline comes before the next heartbeat: no work per record.

use super::membership::Departure;
use super::{ClusterView, Consumer, ConsumerGroup, Phase, REQUEST_TIMEOUT};
use crate::sim::kernel::{Core, Event, Message};
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::trace::{KafkaError, TraceEvent};

impl ConsumerGroup {
    /// Schedules the heartbeat thread's next wake-up. `fresh` supersedes the pending one
    /// (a new token; the superseded event is cancelled, or a poll timer armed once per
    /// rebalance would leave a heartbeat event behind each time); otherwise the chain goes
    /// on with the token of the wake-up being handled.
    pub(super) fn wake_heartbeat_thread(
        core: &mut Core,
        con: &mut Consumer,
        at: SimTime,
        fresh: bool,
    ) {
        if fresh {
            if let Some(id) = con.hb_event.take() {
                core.cancel(id);
            }
            con.hb_token = core.token();
        }
        con.hb_wake_at = at;
        con.hb_event = Some(core.timer_at(
            at,
            Event::ConsumerHeartbeat {
                consumer: con.index,
                incarnation: con.incarnation,
                token: con.hb_token,
            },
        ));
    }

    /// When the poll timer runs out, if it is running: the member has a generation and the
    /// application thread is outside `poll()` (processing, or blocked in commitSync). Inside
    /// `poll()` the timer is reset all the time (`ConsumerCoordinator.poll` → `pollHeartbeat`);
    /// before a member has joined, the heartbeat thread is disabled (`hasNotJoinedGroup`).
    fn poll_deadline(core: &Core, con: &Consumer) -> Option<SimTime> {
        if con.generation == 0 || matches!(con.phase, Phase::Dead | Phase::Joining | Phase::Polling)
        {
            return None;
        }
        Some(con.last_poll + SimDuration::from_millis(core.cfg.consumer.max_poll_interval_ms))
    }

    /// The application thread is in `poll()` (`pollHeartbeat` → `Heartbeat.poll` resets the poll
    /// timer). The first poll() after a leave tells how long the application really took.
    pub(super) fn note_poll(&mut self, core: &Core, c: u32) {
        let last = self.consumers[c as usize].last_poll;
        self.update_poll_timeout(c, |gap, _| {
            gap.get_or_insert(core.now.since(last));
        });
        self.consumers[c as usize].last_poll = core.now;
    }

    /// `poll()` handed records out: the poll timer now runs. Wake the heartbeat thread at its
    /// deadline if that comes before its next wake-up.
    pub(super) fn arm_poll_timer(core: &mut Core, con: &mut Consumer) {
        let deadline =
            con.last_poll + SimDuration::from_millis(core.cfg.consumer.max_poll_interval_ms);
        if deadline < con.hb_wake_at {
            Self::wake_heartbeat_thread(core, con, deadline, true);
        }
    }

    /// One turn of `HeartbeatThread.run`: the poll timer is checked before the heartbeat
    /// (`heartbeat.pollTimeoutExpired(now)` → `handlePollTimeoutExpiry`); a heartbeat goes out
    /// when `heartbeat.interval.ms` has passed.
    pub fn heartbeat(
        &mut self,
        core: &mut Core,
        c: u32,
        incarnation: u32,
        token: u64,
        view: &ClusterView,
    ) {
        let con = &mut self.consumers[c as usize];
        if con.hb_token == token {
            con.hb_event = None; // this is it, firing
        }
        if con.incarnation == incarnation && con.hb_token != token {
            return; // superseded: the poll timer asked for an earlier wake-up
        }
        let con = &self.consumers[c as usize];
        let live = con.incarnation == incarnation && con.phase != Phase::Dead;
        let due = !live || core.now >= con.next_heartbeat;
        if due {
            self.expire_async_commits(core, c);
        }
        if !live {
            return;
        }
        let con = &self.consumers[c as usize];
        if Self::poll_deadline(core, con).is_some_and(|d| core.now >= d) {
            self.leave_on_poll_timeout(core, c, view);
        } else if due {
            // A JoinGroup lost on the way (the coordinator moving) is sent again. A member that
            // left has no generation: its heartbeat thread is disabled until it joins again.
            let msg = match (con.phase, con.generation) {
                (Phase::Joining, _) => Some(Message::JoinGroup {
                    consumer: c,
                    incarnation,
                }),
                (_, 0) => None,
                _ => Some(Message::Heartbeat {
                    consumer: c,
                    incarnation,
                }),
            };
            if let Some(msg) = msg {
                Self::to_coordinator(core, c, view, msg);
            }
        }
        let hb = SimDuration::from_millis(core.cfg.consumer.heartbeat_interval_ms);
        let con = &mut self.consumers[c as usize];
        if due {
            con.next_heartbeat = core.now + hb;
        }
        let next = match Self::poll_deadline(core, con) {
            Some(d) if d > core.now => con.next_heartbeat.min(d),
            _ => con.next_heartbeat,
        };
        Self::wake_heartbeat_thread(core, con, next, false);
    }

    /// commitAsync answers that never came: request.timeout.ms fails them (no retry).
    fn expire_async_commits(&mut self, core: &mut Core, c: u32) {
        let now = core.now;
        let expired: Vec<u64> = self
            .commits
            .iter()
            .filter(|(_, pc)| pc.consumer == c && now.since(pc.sent_at) >= REQUEST_TIMEOUT)
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            self.take_commit(id);
            self.stats.commits_failed += 1;
            core.emit(TraceEvent::CommitFailed {
                consumer: c,
                error: KafkaError::RequestTimedOut,
                retrying: false,
            });
        }
    }

    /// `handlePollTimeoutExpiry` → `maybeLeaveGroup`: a dynamic member sends LeaveGroup (once,
    /// no retry), then `resetGenerationOnLeaveGroup` drops its generation and member id and
    /// asks for a rejoin. The application thread knows nothing yet: it goes on processing.
    fn leave_on_poll_timeout(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
        let interval_ms = core.cfg.consumer.max_poll_interval_ms;
        let unprocessed = self.unprocessed(core, c);
        let con = &mut self.consumers[c as usize];
        let since_poll = core.now.since(con.last_poll);
        con.generation = 0;
        con.rejoin_needed = true;
        let incarnation = con.incarnation;
        con.left_at = Some(core.now);
        self.stats.poll_timeouts += 1;
        self.record_departure(
            c,
            Departure::PollTimeout {
                consumer: c,
                at: core.now,
                interval_ms,
                gap: None,
                commit_failed: false,
            },
        );
        core.emit(TraceEvent::LeftGroupPollTimeout {
            consumer: c,
            member: super::coordinator::member_id(&core.cfg.consumer.group_id, c, incarnation),
            since_poll_us: since_poll.as_micros(),
            max_poll_interval_ms: interval_ms,
            unprocessed,
        });
        Self::to_coordinator(
            core,
            c,
            view,
            Message::LeaveGroup {
                consumer: c,
                incarnation,
            },
        );
    }
}
