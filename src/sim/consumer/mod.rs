//! The consumer group: the notes' CustomConsumer loop (`poll` → process each record →
//! commit) on one or more consumers, with the five commit styles of `commit.mode`,
//! crash and restart, and rebalances through the coordinator (`coordinator.rs`).
//!
//! Kafka facts followed (kafka-semantics §6): the position moves only when `poll()`
//! returns records; commits store the position (last returned + 1); auto-commit runs
//! at the start of `poll()`, so it covers earlier polls; commitSync retries, commitAsync
//! does not; a restarted member resumes from the committed offset, else auto.offset.reset.
//! A consumer that does not call `poll()` within max.poll.interval.ms leaves the group
//! (`heartbeat.rs`) and rejoins at its next `poll()` (`membership.rs`).

mod commit;
pub mod coordinator;
mod fetch;
mod heartbeat;
mod membership;
mod poll;

use super::config::CommitMode;
use super::kernel::{Core, Event, Message};
use super::network::Node;
use super::queue::EventId;
use super::reason::CommitKind;
use super::time::{SimDuration, SimTime};
use super::trace::{BrokerId, KafkaError, RecordId, TraceEvent};
use commit::CommitSend;
use coordinator::Coordinator;
use membership::Departure;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// The consumer's `request.timeout.ms`: a fetch or commit with no answer is given up.
const REQUEST_TIMEOUT: SimDuration = SimDuration(30_000_000);
/// `retry.backoff.ms` between commitSync attempts.
const RETRY_BACKOFF: SimDuration = SimDuration(100_000);

/// What the application thread is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Dead,
    /// Waiting for an assignment (JoinGroup / SyncGroup).
    Joining,
    /// Inside `poll()`, no records yet.
    Polling,
    /// Processing the records the last poll returned.
    Processing,
    /// Blocked in `commitSync()`.
    CommitSync,
}

/// What comes after a blocking commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Then {
    Process,
    Poll,
    Rejoin,
}

#[derive(Clone)]
pub struct Consumer {
    pub(crate) index: u32,
    pub(crate) incarnation: u32,
    pub(crate) phase: Phase,
    pub(crate) generation: u32,
    pub(crate) assignment: Vec<u32>,
    /// Next offset `poll()` returns, per assigned partition.
    pub(crate) positions: BTreeMap<u32, i64>,
    /// Per assigned partition: the ledger's cause of where this consumer started reading it.
    resumed: BTreeMap<u32, u32>,
    fetch_offsets: BTreeMap<u32, i64>,
    buffers: BTreeMap<u32, VecDeque<(i64, RecordId)>>,
    fetch_in_flight: BTreeMap<BrokerId, SimTime>,
    next_auto_commit: SimTime,
    /// Records returned by the last poll and being processed: (partition, offset).
    pub(crate) in_hand: Vec<(u32, i64)>,
    pub(crate) processing_since: SimTime,
    wake_token: u64,
    /// The queued `ConsumerWake` of `wake_token`, cancelled when a new wake-up replaces it.
    wake_event: Option<EventId>,
    /// When the application's current `poll(Duration.ofSeconds(10))` call began.
    poll_called: SimTime,
    /// A turn of `poll()` is running, and another one was asked for from inside it.
    in_poll: bool,
    poll_again: bool,
    sync_commit: Option<(u64, SimTime, Then)>,
    rejoin_needed: bool,
    rr: usize,
    /// When the application thread last called `poll()` (the poll timer starts there).
    last_poll: SimTime,
    /// When the heartbeat thread left the group, until the next assignment.
    left_at: Option<SimTime>,
    /// When the heartbeat thread sends its next heartbeat (`Heartbeat.heartbeatTimer`).
    next_heartbeat: SimTime,
    /// The heartbeat thread's pending wake-up and its token.
    hb_wake_at: SimTime,
    hb_token: u64,
    /// The queued `ConsumerHeartbeat` of this incarnation, cancelled when an earlier
    /// wake-up replaces it.
    hb_event: Option<EventId>,
}

impl Consumer {
    /// It left the group (max.poll.interval.ms) and has not called `poll()` since: it has
    /// no generation, so it can no longer commit.
    pub fn has_left_group(&self) -> bool {
        self.generation == 0 && !matches!(self.phase, Phase::Dead | Phase::Joining)
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ConsumerStats {
    pub polls: u64,
    pub processed: u64,
    pub commits_sent: u64,
    pub commits_ok: u64,
    pub commits_failed: u64,
    pub rebalances: u64,
    pub crashes: u64,
    /// Times a consumer left the group because poll() was not called within max.poll.interval.ms.
    pub poll_timeouts: u64,
}

/// A commit on its way.
#[derive(Clone)]
struct PendingCommit {
    consumer: u32,
    sent_at: SimTime,
    offsets: Vec<(u32, i64)>,
    /// When it was sent, the group had these very offsets committed already: whatever its
    /// answer, nothing changes (commits from one member arrive in the order they were sent).
    redundant: bool,
}

#[derive(Clone)]
pub struct ConsumerGroup {
    pub(crate) consumers: Vec<Consumer>,
    pub(crate) coordinator: Coordinator,
    pub(crate) stats: ConsumerStats,
    next_commit: u64,
    /// The commits sent and not yet answered, by id.
    commits: BTreeMap<u64, PendingCommit>,
    /// How many of `commits` are not redundant (settling waits for those).
    commits_that_matter: usize,
    /// Per partition: why its last owner left it in the middle of things (crash, poll timeout).
    departures: BTreeMap<u32, Departure>,
}

/// What the consumer needs to know about the cluster right now.
pub struct ClusterView<'a> {
    pub leaders: &'a [Option<BrokerId>],
    pub coordinator: Option<BrokerId>,
}

impl ConsumerGroup {
    pub fn new(consumers: u32) -> Self {
        ConsumerGroup {
            consumers: (0..consumers)
                .map(|index| Consumer {
                    index,
                    incarnation: 0,
                    phase: Phase::Dead,
                    generation: 0,
                    assignment: Vec::new(),
                    positions: BTreeMap::new(),
                    resumed: BTreeMap::new(),
                    fetch_offsets: BTreeMap::new(),
                    buffers: BTreeMap::new(),
                    fetch_in_flight: BTreeMap::new(),
                    next_auto_commit: SimTime::ZERO,
                    in_hand: Vec::new(),
                    processing_since: SimTime::ZERO,
                    wake_token: 0,
                    wake_event: None,
                    poll_called: SimTime::ZERO,
                    in_poll: false,
                    poll_again: false,
                    sync_commit: None,
                    rejoin_needed: false,
                    rr: 0,
                    last_poll: SimTime::ZERO,
                    left_at: None,
                    next_heartbeat: SimTime::ZERO,
                    hb_wake_at: SimTime::ZERO,
                    hb_token: 0,
                    hb_event: None,
                })
                .collect(),
            coordinator: Coordinator::default(),
            stats: ConsumerStats::default(),
            next_commit: 0,
            commits: BTreeMap::new(),
            commits_that_matter: 0,
            departures: BTreeMap::new(),
        }
    }

    /// A consumer instance starts: `subscribe` then its first `poll()` joins the group.
    pub fn start(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
        let con = &mut self.consumers[c as usize];
        if con.phase != Phase::Dead {
            return;
        }
        con.incarnation += 1;
        con.phase = Phase::Joining;
        con.generation = 0;
        con.assignment.clear();
        con.positions.clear();
        con.resumed.clear();
        con.fetch_offsets.clear();
        con.buffers.clear();
        con.fetch_in_flight.clear();
        con.in_hand.clear();
        con.sync_commit = None;
        con.rejoin_needed = false;
        con.left_at = None;
        // Whatever the dead instance had queued fires and is ignored (another incarnation).
        con.wake_event = None;
        con.hb_event = None;
        // The loop's first poll() call: it joins the group.
        con.poll_called = core.now;
        let inc = con.incarnation;
        core.emit(TraceEvent::ConsumerStarted {
            consumer: c,
            member: coordinator::member_id(&core.cfg.consumer.group_id, c, inc),
        });
        Self::to_coordinator(
            core,
            c,
            view,
            Message::JoinGroup {
                consumer: c,
                incarnation: inc,
            },
        );
        let hb = SimDuration::from_millis(core.cfg.consumer.heartbeat_interval_ms);
        let con = &mut self.consumers[c as usize];
        con.next_heartbeat = core.now + hb;
        let at = con.next_heartbeat;
        Self::wake_heartbeat_thread(core, con, at, true);
    }

    fn to_coordinator(core: &mut Core, c: u32, view: &ClusterView, msg: Message) {
        if let Some(host) = view.coordinator {
            core.send(Node::Consumer(c), Node::Broker(host), msg);
        }
    }

    /// The process dies: whatever it was processing stops halfway; nothing is committed.
    pub fn crash(&mut self, core: &mut Core, c: u32) {
        if self.consumers[c as usize].phase == Phase::Dead {
            return;
        }
        self.record_departure(
            c,
            Departure::Crash {
                consumer: c,
                at: core.now,
            },
        );
        let done = self.processed_so_far(core, c);
        let con = &mut self.consumers[c as usize];
        let finished: Vec<(u32, i64)> = con.in_hand[..done].to_vec();
        let unprocessed = (con.in_hand.len() - done) as u32;
        con.in_hand.clear();
        con.phase = Phase::Dead;
        con.incarnation += 1;
        self.mark_processed(core, c, &finished);
        self.stats.crashes += 1;
        core.emit(TraceEvent::ConsumerCrashed {
            consumer: c,
            unprocessed,
        });
    }

    /// Records of the current poll already processed (one after the other, process_us each).
    fn processed_so_far(&self, core: &Core, c: u32) -> usize {
        let con = &self.consumers[c as usize];
        if con.phase != Phase::Processing {
            return 0;
        }
        let per = core.cfg.consumer.process_us.max(1);
        let done = (core.now.since(con.processing_since).as_micros() / per) as usize;
        done.min(con.in_hand.len())
    }

    /// Records of the current poll not processed yet.
    fn unprocessed(&self, core: &Core, c: u32) -> u32 {
        let con = &self.consumers[c as usize];
        (con.in_hand.len() - self.processed_so_far(core, c)) as u32
    }

    /// The application thread's next thing to do is at `at`; it replaces whatever was
    /// planned, and the wake-up queued for that is cancelled (a commitSync answered at once
    /// would otherwise leave its 30 s timeout behind, and a poll() turning once per fetch
    /// answer its auto-commit wake-up).
    fn wake(core: &mut Core, con: &mut Consumer, at: SimTime) {
        if let Some(id) = con.wake_event.take() {
            core.cancel(id);
        }
        con.wake_token = core.token();
        con.wake_event = Some(core.timer_at(
            at,
            Event::ConsumerWake {
                consumer: con.index,
                incarnation: con.incarnation,
                token: con.wake_token,
            },
        ));
    }

    pub fn on_wake(
        &mut self,
        core: &mut Core,
        c: u32,
        incarnation: u32,
        token: u64,
        view: &ClusterView,
    ) {
        let con = &mut self.consumers[c as usize];
        if con.wake_token == token {
            con.wake_event = None; // this is it, firing
        }
        if con.incarnation != incarnation || con.wake_token != token {
            return;
        }
        match con.phase {
            Phase::Processing => {
                let end = self.processing_end(core, c);
                if core.now >= end {
                    self.finish_processing(core, c, view);
                } else {
                    // consumer.process.ms was raised while the records were being processed.
                    Self::wake(core, &mut self.consumers[c as usize], end);
                }
            }
            Phase::Polling => self.poll(core, c, view),
            Phase::CommitSync => {
                // No answer in time: retry until default.api.timeout.ms, then give up.
                if let Some((_, deadline, then)) = self.consumers[c as usize].sync_commit {
                    if core.now >= deadline {
                        self.sync_commit_failed(
                            core,
                            c,
                            KafkaError::CoordinatorNotAvailable,
                            then,
                            view,
                        );
                    } else {
                        self.resend_sync_commit(core, c, view);
                    }
                }
            }
            _ => {}
        }
    }

    fn processing_end(&self, core: &Core, c: u32) -> SimTime {
        let con = &self.consumers[c as usize];
        con.processing_since + SimDuration(core.cfg.consumer.process_us * con.in_hand.len() as u64)
    }

    fn start_processing(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
        let con = &mut self.consumers[c as usize];
        con.phase = Phase::Processing;
        con.processing_since = core.now;
        if core.cfg.consumer.process_us == 0 {
            self.finish_processing(core, c, view);
        } else {
            let end = self.processing_end(core, c);
            let con = &mut self.consumers[c as usize];
            Self::wake(core, con, end);
        }
    }

    fn mark_processed(&mut self, core: &mut Core, c: u32, records: &[(u32, i64)]) {
        // Contiguous runs per partition, as one trace event each.
        let mut i = 0;
        while i < records.len() {
            let (p, from) = records[i];
            let mut j = i + 1;
            while j < records.len() && records[j].0 == p && records[j].1 == records[j - 1].1 + 1 {
                j += 1;
            }
            let to = records[j - 1].1 + 1;
            let resumed = self.consumers[c as usize].resumed.get(&p).copied();
            core.ledger.on_processed(p, from, to, resumed);
            core.emit(TraceEvent::Processed {
                consumer: c,
                partition: p,
                from_offset: from,
                to_offset: to,
            });
            i = j;
        }
        self.stats.processed += records.len() as u64;
    }

    fn finish_processing(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
        let records = std::mem::take(&mut self.consumers[c as usize].in_hand);
        self.mark_processed(core, c, &records);
        let mode = core.cfg.consumer.commit_mode;
        match mode {
            CommitMode::Sync => {
                // A member that left gets CommitFailedException at once; the application
                // catches it and goes back to poll(), which rejoins.
                if self.send_commit(core, c, true, CommitKind::SyncAfterProcessing, view)
                    == CommitSend::Sent
                {
                    self.block_on_commit(core, c, Then::Poll);
                } else {
                    self.app_poll(core, c, view);
                }
            }
            CommitMode::Async => {
                self.send_commit(core, c, false, CommitKind::AsyncAfterProcessing, view);
                self.app_poll(core, c, view);
            }
            _ => self.app_poll(core, c, view),
        }
    }

    /// Every live consumer has returned and processed everything below each HW.
    pub fn caught_up(&self, high_watermarks: &[i64]) -> bool {
        let live: Vec<&Consumer> = self
            .consumers
            .iter()
            .filter(|c| c.phase != Phase::Dead)
            .collect();
        if live.is_empty() {
            return true;
        }
        let assigned: usize = live.iter().map(|c| c.assignment.len()).sum();
        if assigned < high_watermarks.len() || self.coordinator.rebalancing {
            return false;
        }
        live.iter().all(|c| {
            c.in_hand.is_empty()
                && c.sync_commit.is_none()
                && c.assignment.iter().all(|p| {
                    c.positions.get(p).copied().unwrap_or(0) >= high_watermarks[*p as usize]
                })
        })
    }

    /// Whether the committed offsets have caught up with the positions (for settling).
    /// A commit still on its way keeps the run going unless it repeats what was already
    /// committed when it was sent: with a short auto.commit.interval.ms one nearly always is
    /// on its way, and its answer cannot change anything.
    pub fn commits_settled(&self, mode: CommitMode) -> bool {
        if matches!(mode, CommitMode::None) {
            return true;
        }
        if self.commits_that_matter > 0 {
            return false;
        }
        self.consumers
            .iter()
            .filter(|c| c.phase != Phase::Dead)
            .all(|c| {
                c.positions
                    .iter()
                    .all(|(p, o)| self.coordinator.committed.get(p).is_some_and(|k| k >= o))
            })
    }
}
