//! The consumer group: the notes' CustomConsumer loop (`poll` → process each record →
//! commit) on one or more consumers, with the five commit styles of `commit.mode`,
//! crash and restart, and rebalances through the coordinator (`coordinator.rs`).
//!
//! Kafka facts followed (kafka-semantics §6): the position moves only when `poll()`
//! returns records; commits store the position (last returned + 1); auto-commit runs
//! at the start of `poll()`, so it covers earlier polls; commitSync retries, commitAsync
//! does not; a restarted member resumes from the committed offset, else auto.offset.reset.

mod commit;
pub mod coordinator;
mod fetch;

use super::config::{CommitMode, OffsetReset};
use super::kernel::{AssignedPartition, Core, Event, Message};
use super::network::Node;
use super::time::{SimDuration, SimTime};
use super::trace::{BrokerId, KafkaError, RecordId, TraceEvent};
use coordinator::Coordinator;
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

pub struct Consumer {
    pub index: u32,
    pub incarnation: u32,
    pub phase: Phase,
    pub generation: u32,
    pub assignment: Vec<u32>,
    /// Next offset `poll()` returns, per assigned partition.
    pub positions: BTreeMap<u32, i64>,
    fetch_offsets: BTreeMap<u32, i64>,
    buffers: BTreeMap<u32, VecDeque<(i64, RecordId)>>,
    fetch_in_flight: BTreeMap<BrokerId, SimTime>,
    next_auto_commit: SimTime,
    /// Records returned by the last poll and being processed: (partition, offset).
    pub in_hand: Vec<(u32, i64)>,
    pub processing_since: SimTime,
    wake_token: u64,
    sync_commit: Option<(u64, SimTime, Then)>,
    rejoin_needed: bool,
    rr: usize,
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
}

/// A commit on its way: (consumer, sent at, offsets).
type PendingCommit = (u32, SimTime, Vec<(u32, i64)>);

pub struct ConsumerGroup {
    pub consumers: Vec<Consumer>,
    pub coordinator: Coordinator,
    pub stats: ConsumerStats,
    next_commit: u64,
    /// The commits sent and not yet answered, by id.
    commits: BTreeMap<u64, PendingCommit>,
    last_crash: Option<(u32, SimTime)>,
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
                    fetch_offsets: BTreeMap::new(),
                    buffers: BTreeMap::new(),
                    fetch_in_flight: BTreeMap::new(),
                    next_auto_commit: SimTime::ZERO,
                    in_hand: Vec::new(),
                    processing_since: SimTime::ZERO,
                    wake_token: 0,
                    sync_commit: None,
                    rejoin_needed: false,
                    rr: 0,
                })
                .collect(),
            coordinator: Coordinator::default(),
            stats: ConsumerStats::default(),
            next_commit: 0,
            commits: BTreeMap::new(),
            last_crash: None,
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
        con.fetch_offsets.clear();
        con.buffers.clear();
        con.fetch_in_flight.clear();
        con.in_hand.clear();
        con.sync_commit = None;
        con.rejoin_needed = false;
        let inc = con.incarnation;
        core.emit(TraceEvent::ConsumerStarted {
            consumer: c,
            member: format!("consumer-{}-{}-{inc}", core.cfg.consumer.group_id, c + 1),
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
        core.after(
            hb,
            Event::ConsumerHeartbeat {
                consumer: c,
                incarnation: inc,
            },
        );
    }

    fn to_coordinator(core: &mut Core, c: u32, view: &ClusterView, msg: Message) {
        if let Some(host) = view.coordinator {
            core.send(Node::Consumer(c), Node::Broker(host), msg);
        }
    }

    pub fn heartbeat(&mut self, core: &mut Core, c: u32, incarnation: u32, view: &ClusterView) {
        // commitAsync answers that never came: request.timeout.ms fails them (no retry).
        let now = core.now;
        let expired: Vec<u64> = self
            .commits
            .iter()
            .filter(|(_, (who, sent, _))| *who == c && now.since(*sent) >= REQUEST_TIMEOUT)
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            self.commits.remove(&id);
            self.stats.commits_failed += 1;
            core.emit(TraceEvent::CommitFailed {
                consumer: c,
                error: KafkaError::RequestTimedOut,
                retrying: false,
            });
        }
        let con = &self.consumers[c as usize];
        if con.incarnation != incarnation || con.phase == Phase::Dead {
            return;
        }
        // A JoinGroup lost on the way (the coordinator moving) is sent again.
        let msg = if con.phase == Phase::Joining {
            Message::JoinGroup {
                consumer: c,
                incarnation,
            }
        } else {
            Message::Heartbeat {
                consumer: c,
                incarnation,
            }
        };
        Self::to_coordinator(core, c, view, msg);
        let hb = SimDuration::from_millis(core.cfg.consumer.heartbeat_interval_ms);
        core.after(
            hb,
            Event::ConsumerHeartbeat {
                consumer: c,
                incarnation,
            },
        );
    }

    /// The process dies: whatever it was processing stops halfway; nothing is committed.
    pub fn crash(&mut self, core: &mut Core, c: u32) {
        let con = &mut self.consumers[c as usize];
        if con.phase == Phase::Dead {
            return;
        }
        let done = if con.phase == Phase::Processing {
            let per = core.cfg.consumer.process_us.max(1);
            (core.now.since(con.processing_since).as_micros() / per) as usize
        } else {
            0
        };
        let done = done.min(con.in_hand.len());
        let finished: Vec<(u32, i64)> = con.in_hand[..done].to_vec();
        let unprocessed = (con.in_hand.len() - done) as u32;
        con.in_hand.clear();
        con.phase = Phase::Dead;
        con.incarnation += 1;
        self.mark_processed(core, c, &finished);
        self.stats.crashes += 1;
        self.last_crash = Some((c, core.now));
        core.emit(TraceEvent::ConsumerCrashed {
            consumer: c,
            unprocessed,
        });
    }

    fn wake(core: &mut Core, con: &mut Consumer, at: SimTime) {
        con.wake_token = core.token();
        core.at(
            at,
            Event::ConsumerWake {
                consumer: con.index,
                incarnation: con.incarnation,
                token: con.wake_token,
            },
        );
    }

    pub fn on_wake(
        &mut self,
        core: &mut Core,
        c: u32,
        incarnation: u32,
        token: u64,
        view: &ClusterView,
    ) {
        let con = &self.consumers[c as usize];
        if con.incarnation != incarnation || con.wake_token != token {
            return;
        }
        match con.phase {
            Phase::Processing if core.now >= self.processing_end(core, c) => {
                self.finish_processing(core, c, view);
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

    /// `poll()`: auto-commit first (covering what earlier polls returned), then hand out
    /// up to max.poll.records buffered records, fetching more in the background.
    fn poll(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
        let mode = core.cfg.consumer.commit_mode;
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
            self.send_commit(core, c, false, "auto (async, inside poll)", view);
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
        let con = &mut self.consumers[c as usize];
        if records.is_empty() {
            con.phase = Phase::Polling;
            if mode == CommitMode::Auto {
                // poll() wakes itself for the next auto-commit even with nothing to return.
                let at = con.next_auto_commit.max(core.now + SimDuration(1));
                Self::wake(core, con, at);
            }
            return;
        }
        self.stats.polls += 1;
        core.emit(TraceEvent::Polled {
            consumer: c,
            records: records.len() as u32,
            auto_commit,
        });
        let con = &mut self.consumers[c as usize];
        con.in_hand = records;
        if mode.before_processing() {
            let sync = mode.is_sync();
            self.send_commit(
                core,
                c,
                sync,
                if sync {
                    "commitSync before processing"
                } else {
                    "commitAsync before processing"
                },
                view,
            );
            if sync {
                self.block_on_commit(core, c, Then::Process);
                return;
            }
        }
        self.start_processing(core, c, view);
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
            core.ledger.on_processed(p, from, to);
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
                self.send_commit(core, c, true, "commitSync after processing", view);
                self.block_on_commit(core, c, Then::Poll);
            }
            CommitMode::Async => {
                self.send_commit(core, c, false, "commitAsync after processing", view);
                self.poll(core, c, view);
            }
            _ => self.poll(core, c, view),
        }
    }

    /// `onJoinPrepare`: with auto-commit, commit synchronously before giving partitions up.
    fn prepare_rejoin(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
        self.consumers[c as usize].rejoin_needed = false;
        if core.cfg.consumer.commit_mode == CommitMode::Auto
            && !self.consumers[c as usize].positions.is_empty()
        {
            self.send_commit(core, c, true, "auto (sync, before the rebalance)", view);
            self.block_on_commit(core, c, Then::Rejoin);
        } else {
            self.rejoin(core, c, view);
        }
    }

    /// Eager protocol: revoke everything, then JoinGroup again.
    fn rejoin(&mut self, core: &mut Core, c: u32, view: &ClusterView) {
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
        self.stats.rebalances += 1;
        let reset = core.cfg.consumer.auto_offset_reset;
        let mode = core.cfg.consumer.commit_mode;
        let interval = core.cfg.consumer.auto_commit_interval_ms;
        let crash = self.last_crash;
        let con = &mut self.consumers[c as usize];
        con.generation = generation;
        con.assignment = parts.iter().map(|a| a.partition).collect();
        con.positions.clear();
        con.fetch_offsets.clear();
        con.buffers.clear();
        for a in parts {
            let (offset, reason) = match (a.committed, reset) {
                (Some(o), _) => (o, format!("the group's committed offset {o}")),
                (None, OffsetReset::Earliest) => (0, "no committed offset; auto.offset.reset=earliest".to_string()),
                (None, OffsetReset::Latest) => (
                    a.high_watermark,
                    format!("no committed offset; auto.offset.reset=latest skips the {} records already there", a.high_watermark),
                ),
                (None, OffsetReset::None) => (0, "no committed offset and auto.offset.reset=none: Kafka would throw NoOffsetForPartitionException; reading from 0".to_string()),
            };
            con.positions.insert(a.partition, offset);
            con.fetch_offsets.insert(a.partition, offset);
            let after = match crash {
                Some((who, at)) => format!("after consumer {who} crashed at {at}, "),
                None => String::new(),
            };
            let commit = match mode {
                CommitMode::Auto => format!(
                    "commit.mode=auto commits every auto.commit.interval.ms={interval} inside poll()"
                ),
                CommitMode::SyncBefore | CommitMode::AsyncBefore => {
                    format!("commit.mode={} commits before processing", mode.name())
                }
                CommitMode::None => "commit.mode=none never commits".to_string(),
                _ => format!("commit.mode={} commits after processing", mode.name()),
            };
            core.ledger.on_resume(
                a.partition,
                offset,
                format!("{after}consumer {c} resumed partition {} at offset {offset} ({reason}); {commit}", a.partition),
            );
            core.emit(TraceEvent::PositionSet {
                consumer: c,
                partition: a.partition,
                offset,
                reason,
            });
        }
        con.next_auto_commit = core.now + SimDuration::from_millis(interval);
        con.phase = Phase::Polling;
        self.poll(core, c, view);
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
    pub fn commits_settled(&self, mode: CommitMode) -> bool {
        if matches!(mode, CommitMode::None) {
            return true;
        }
        if !self.commits.is_empty() {
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
