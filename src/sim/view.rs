//! The read-only view of the simulation: what the screen, the app, lessons and tests may
//! know about the actors, in Kafka's words, without reaching into them.
//!
//! `Sim::view()` is a borrow, free to take; each part (`application`, `accumulator`,
//! `network_client`, `wire`, `brokers`, `partitions`, `consumer_group`, `verdicts`) is built
//! only when asked for, as small plain structs (a frame asks for each part once). The actors'
//! own fields stay private to `sim`: a change inside the core changes this module, not the
//! screen.

use super::Sim;
use super::time::{SimDuration, SimTime};
use super::trace::BrokerId;

pub use super::consumer::{ConsumerStats, Phase};
pub use super::kernel::FlightKind;
pub use super::ledger::{LedgerReport, Verdict};
pub use super::network::Node;
pub use super::producer::{AppState, RecordMeta, RecordState};
pub use super::record_log::RecordLog;
pub use super::sender::ConnState;
pub use super::stats::ProducerStats;
pub use super::trace::{BatchId, RecordId, RequestId};

/// A borrow of the simulation that hands out read-only parts.
#[derive(Clone, Copy)]
pub struct View<'a> {
    sim: &'a Sim,
}

impl Sim {
    /// The read-only view (`sim::view`): the only way code above the core reads the actors.
    pub fn view(&self) -> View<'_> {
        View { sim: self }
    }
}

/// The application thread and the `KafkaProducer` around it.
pub struct Application<'a> {
    /// What the thread calling `send()` is doing (sending, blocked on buffer.memory, …).
    pub state: AppState,
    /// `send()` is blocked: buffer.memory is exhausted (`BufferPool.allocate` waits up to
    /// max.block.ms).
    pub blocked: bool,
    /// The producer's counters (`send()` calls, acked, failed, requests, retries…).
    pub stats: &'a ProducerStats,
    /// `ProducerInterceptor.onSend` calls.
    pub interceptor_on_send: u64,
    /// `ProducerInterceptor.onAcknowledgement` calls (acked and failed records).
    pub interceptor_on_ack: u64,
    /// buffer.memory: bytes held by batches (`BufferPool`), and the pool's size.
    pub buffer_used: u64,
    pub buffer_total: u64,
    /// `RecordAccumulator.incomplete`: batches created and not yet completed.
    pub incomplete_batches: usize,
}

/// What a batch's head-of-deque timer waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// linger.ms since the first record (a full batch does not wait).
    Linger,
    /// retry.backoff.ms (with jitter) since the last failed attempt.
    Backoff,
}

/// One `ProducerBatch` in a partition's deque.
#[derive(Clone, Copy, Debug)]
pub struct Batch {
    /// The batch's id in the trace and the ledger.
    pub id: BatchId,
    pub partition: u32,
    /// Records appended (`recordCount`).
    pub records: u32,
    /// `estimatedSizeInBytes` (61-byte header + records), to compare with batch.size.
    pub bytes: usize,
    /// batch.size (the effective one): a batch this full is sent without lingering.
    pub batch_size: usize,
    /// `createdMs`.
    pub created: SimTime,
    /// When it may be sent without being full: `last attempt + linger.ms` for a new batch,
    /// `last attempt + backoff` for a retried one.
    pub deadline: SimTime,
    pub waiting: Wait,
    /// Sends so far (0: never sent; a retry adds one).
    pub attempts: u32,
}

/// One partition's deque in the RecordAccumulator.
#[derive(Clone, Debug)]
pub struct Lane {
    /// Oldest first: the head is the next one drained.
    pub batches: Vec<Batch>,
    /// max.in.flight.requests.per.connection=1 (`guaranteeMessageOrder`): the partition has a
    /// batch in flight, so nothing more is drained from it until that one completes.
    pub muted: bool,
}

/// The RecordAccumulator: one lane per partition.
#[derive(Clone, Debug)]
pub struct Accumulator {
    pub lanes: Vec<Lane>,
    /// linger.ms as the accumulator applies it now.
    pub linger: SimDuration,
    /// batch.size (the effective one).
    pub batch_size: usize,
}

impl Accumulator {
    /// Batches waiting in all deques.
    pub fn queued_batches(&self) -> usize {
        self.lanes.iter().map(|l| l.batches.len()).sum()
    }
}

/// One connection of the Sender's `NetworkClient`, to one broker.
#[derive(Clone, Debug)]
pub struct Connection {
    pub broker: BrokerId,
    pub state: ConnState,
    /// Requests sent on it and not yet answered (`InFlightRequests`), oldest first.
    pub in_flight: Vec<RequestId>,
}

/// A produce request in flight.
#[derive(Clone, Debug)]
pub struct Request {
    pub id: RequestId,
    pub broker: BrokerId,
    /// The batches it carries, and their partitions (same order).
    pub batches: Vec<BatchId>,
    pub partitions: Vec<u32>,
    /// Records in those batches (batches already completed count 0).
    pub records: u32,
    /// When the Sender wrote it to the connection.
    pub sent: SimTime,
    /// When it reaches the broker, if it is still on the wire (only while flights are
    /// tracked, as the TUI does); `None` once it arrived or when it will never arrive.
    pub arrives: Option<SimTime>,
}

/// The idempotent producer's state (KIP-98).
#[derive(Clone, Debug)]
pub struct Idempotence {
    /// enable.idempotence as in effect for the running producer.
    pub enabled: bool,
    /// The producer id from InitProducerId (-1 before the answer) and its epoch.
    pub producer_id: i64,
    pub epoch: i16,
    /// Per partition: (next sequence number to assign, last acknowledged one or -1).
    pub sequences: Vec<(i32, i32)>,
}

/// The Sender thread: its connections, requests in flight, idempotence.
#[derive(Clone, Debug)]
pub struct NetworkClient {
    pub connections: Vec<Connection>,
    pub requests: Vec<Request>,
    /// max.in.flight.requests.per.connection.
    pub max_in_flight: usize,
    pub idempotence: Idempotence,
}

/// A message on the wire, for drawing it where it is.
#[derive(Clone, Copy, Debug)]
pub struct Flight {
    pub from: Node,
    pub to: Node,
    pub kind: FlightKind,
    pub depart: SimTime,
    pub arrive: SimTime,
    /// How far it travelled, 0.0 (just left) to 1.0 (arriving).
    pub progress: f64,
    /// It will never arrive (a cut-off host): drawn fading out.
    pub lost: bool,
}

/// A broker as the controller sees it.
#[derive(Clone, Copy, Debug)]
pub struct Broker {
    pub id: BrokerId,
    /// The process runs (not killed).
    pub alive: bool,
    /// The controller fenced it (missed heartbeats): it leads nothing and is in no ISR.
    pub fenced: bool,
    /// Cut off from the network (a fault).
    pub isolated: bool,
}

/// One replica of a partition, on one broker.
#[derive(Clone, Copy, Debug)]
pub struct Replica {
    pub broker: BrokerId,
    /// LEO: the offset its next record gets.
    pub log_end_offset: i64,
    /// Its log starts here (older records were removed).
    pub log_start_offset: i64,
    /// Its own high watermark (a follower learns the leader's with each fetch).
    pub high_watermark: i64,
    /// Record batches held in its log (from the log start).
    pub log_batches: usize,
    pub leader: bool,
    /// In the in-sync replica set.
    pub in_isr: bool,
}

/// A topic partition.
#[derive(Clone, Debug)]
pub struct Partition {
    pub id: u32,
    /// None: offline (no replica can lead).
    pub leader: Option<BrokerId>,
    pub leader_epoch: u32,
    /// The in-sync replicas, as the controller records them.
    pub isr: Vec<BrokerId>,
    /// The leader's high watermark: consumers read below it (0 when offline).
    pub high_watermark: i64,
    /// The leader's log end offset (0 when offline).
    pub log_end_offset: i64,
    /// Every assigned replica, the preferred leader first.
    pub replicas: Vec<Replica>,
}

/// The records one `poll()` returned, being processed: per partition, the offsets.
#[derive(Clone, Debug, Default)]
pub struct Poll {
    /// (partition, first offset, last offset, records), in the order returned.
    pub ranges: Vec<(u32, i64, i64, u32)>,
    /// When processing began.
    pub since: SimTime,
}

impl Poll {
    /// Records in hand.
    pub fn records(&self) -> usize {
        self.ranges.iter().map(|r| r.3 as usize).sum()
    }
}

/// One consumer of the group.
#[derive(Clone, Debug)]
pub struct Consumer {
    pub index: u32,
    /// What its application thread is doing; `Phase::Dead` after a crash.
    pub phase: Phase,
    pub alive: bool,
    /// It has a member id in the group's current generation.
    pub member: bool,
    /// The heartbeat thread left the group (max.poll.interval.ms) and `poll()` was not called
    /// since: its commits would fail.
    pub left_group: bool,
    /// Its assigned partitions.
    pub assignment: Vec<u32>,
    /// Per assigned partition: (partition, position = the next offset `poll()` returns).
    pub positions: Vec<(u32, i64)>,
    /// The last poll's records, while they are processed.
    pub poll: Option<Poll>,
}

impl Consumer {
    pub fn position(&self, partition: u32) -> Option<i64> {
        self.positions
            .iter()
            .find(|(p, _)| *p == partition)
            .map(|(_, o)| *o)
    }
}

/// The consumer group and its coordinator.
#[derive(Clone, Debug)]
pub struct ConsumerGroup<'a> {
    pub consumers: Vec<Consumer>,
    /// The coordinator's committed offsets: (partition, offset).
    pub committed: Vec<(u32, i64)>,
    /// The group's generation (a rebalance increments it).
    pub generation: u32,
    pub rebalancing: bool,
    /// Polls, records processed, commits sent / ok / failed, rebalances…
    pub stats: &'a ConsumerStats,
}

impl ConsumerGroup<'_> {
    /// The committed offset of `partition`, if any.
    pub fn committed(&self, partition: u32) -> Option<i64> {
        self.committed
            .iter()
            .find(|(p, _)| *p == partition)
            .map(|(_, o)| *o)
    }
}

impl<'a> View<'a> {
    pub fn now(&self) -> SimTime {
        self.sim.core.now
    }

    /// The application thread and the producer's counters.
    pub fn application(&self) -> Application<'a> {
        let p = &self.sim.producer;
        Application {
            state: p.app,
            blocked: matches!(p.app, AppState::Blocked { .. }),
            stats: &p.stats,
            interceptor_on_send: p.interceptor_on_send,
            interceptor_on_ack: p.interceptor_on_ack,
            buffer_used: p.acc.pool.used(),
            buffer_total: p.acc.pool.total,
            incomplete_batches: p.acc.incomplete,
        }
    }

    /// The accumulator's deques, every queued batch with its fill and timer.
    pub fn accumulator(&self) -> Accumulator {
        let acc = &self.sim.producer.acc;
        let batch_size = self.sim.core.eff.batch_size as usize;
        let lanes = acc
            .deques
            .iter()
            .enumerate()
            .map(|(p, deque)| Lane {
                batches: deque
                    .iter()
                    .map(|&key| {
                        let b = acc.batch(key);
                        let (waiting, wait) = if b.attempts > 0 {
                            (Wait::Backoff, b.backoff)
                        } else {
                            (Wait::Linger, acc.linger)
                        };
                        Batch {
                            id: b.id,
                            partition: b.partition,
                            records: b.record_count(),
                            bytes: b.bytes,
                            batch_size,
                            created: b.created,
                            deadline: b.last_attempt + wait,
                            waiting,
                            attempts: b.attempts,
                        }
                    })
                    .collect(),
                muted: acc.muted.get(p).copied().unwrap_or(false),
            })
            .collect();
        Accumulator {
            lanes,
            linger: acc.linger,
            batch_size,
        }
    }

    /// The Sender: connections, produce requests in flight, idempotent producer state.
    pub fn network_client(&self) -> NetworkClient {
        let p = &self.sim.producer;
        let connections = p
            .sender
            .conns
            .iter()
            .enumerate()
            .map(|(b, c)| Connection {
                broker: b as BrokerId,
                state: c.state,
                in_flight: c.in_flight.iter().copied().collect(),
            })
            .collect();
        let now = self.now();
        let requests = p
            .sender
            .in_flight
            .iter()
            .map(|(&id, r)| {
                let records = r
                    .batches
                    .iter()
                    .filter_map(|s| p.acc.get(s.key).filter(|b| b.id == s.id))
                    .map(super::accumulator::ProducerBatch::record_count)
                    .sum();
                // The request's own flight left the producer when it was sent.
                let arrives = self
                    .sim
                    .core
                    .flights
                    .iter()
                    .find(|f| {
                        f.to == Node::Broker(r.broker)
                            && f.depart == r.sent_at
                            && matches!(f.kind, FlightKind::Produce { .. })
                            && !f.lost
                            && f.arrive > now
                    })
                    .map(|f| f.arrive);
                Request {
                    id,
                    broker: r.broker,
                    batches: r.batches.iter().map(|s| s.id).collect(),
                    partitions: r.batches.iter().map(|s| s.partition).collect(),
                    records,
                    sent: r.sent_at,
                    arrives,
                }
            })
            .collect();
        NetworkClient {
            connections,
            requests,
            max_in_flight: self
                .sim
                .core
                .cfg
                .producer
                .max_in_flight_requests_per_connection as usize,
            idempotence: Idempotence {
                enabled: p.idem.enabled,
                producer_id: p.idem.producer_id,
                epoch: p.idem.epoch,
                sequences: p.idem.sequences().collect(),
            },
        }
    }

    /// Messages on the wire right now (only while flights are tracked, as the TUI does).
    pub fn wire(&self) -> impl Iterator<Item = Flight> + 'a {
        let now = self.sim.core.now;
        self.sim.flights().map(move |f| {
            let span = f.arrive.since(f.depart).as_micros().max(1) as f64;
            Flight {
                from: f.from,
                to: f.to,
                kind: f.kind,
                depart: f.depart,
                arrive: f.arrive,
                progress: (now.since(f.depart).as_micros() as f64 / span).clamp(0.0, 1.0),
                lost: f.lost,
            }
        })
    }

    /// Every broker, by id.
    pub fn brokers(&self) -> Vec<Broker> {
        self.sim
            .cluster
            .brokers
            .iter()
            .enumerate()
            .map(|(b, s)| Broker {
                id: b as BrokerId,
                alive: s.alive,
                fenced: s.fenced,
                isolated: s.isolated,
            })
            .collect()
    }

    /// Broker `b` is alive (not killed).
    pub fn broker_up(&self, b: BrokerId) -> bool {
        self.sim
            .cluster
            .brokers
            .get(b as usize)
            .is_some_and(|s| s.alive)
    }

    /// Every partition with its replicas.
    pub fn partitions(&self) -> Vec<Partition> {
        (0..self.sim.cluster.partitions.len() as u32)
            .map(|p| self.partition(p))
            .collect()
    }

    /// One partition with its replicas. Panics on a partition that does not exist.
    pub fn partition(&self, p: u32) -> Partition {
        let part = &self.sim.cluster.partitions[p as usize];
        Partition {
            id: p,
            leader: part.leader,
            leader_epoch: part.leader_epoch,
            isr: part.isr.clone(),
            high_watermark: part.high_watermark(),
            log_end_offset: part.log_end_offset(),
            replicas: part
                .replicas
                .iter()
                .map(|&r| {
                    let rep = part.replica(r);
                    Replica {
                        broker: r,
                        log_end_offset: rep.log_end_offset,
                        log_start_offset: rep.log_start_offset,
                        high_watermark: rep.high_watermark,
                        log_batches: rep.log.len(),
                        leader: part.leader == Some(r),
                        in_isr: part.isr.contains(&r),
                    }
                })
                .collect(),
        }
    }

    /// Every partition's high watermark (0 while offline).
    pub fn high_watermarks(&self) -> Vec<i64> {
        self.sim.high_watermarks()
    }

    /// (offset, record) in `broker`'s replica of `partition`, in offset order, from its log
    /// start; empty where the broker holds no replica.
    pub fn log(&self, partition: u32, broker: BrokerId) -> Vec<(i64, RecordId)> {
        let part = &self.sim.cluster.partitions[partition as usize];
        let Some(Some(rep)) = part.logs.get(broker as usize) else {
            return Vec::new();
        };
        rep.log
            .iter()
            .flat_map(|b| {
                b.wire
                    .records
                    .iter()
                    .enumerate()
                    .map(move |(i, r)| (b.base_offset + i as i64, r))
            })
            .collect()
    }

    /// The consumer group: members, positions, committed offsets, the poll in hand.
    pub fn consumer_group(&self) -> ConsumerGroup<'a> {
        let g = &self.sim.group;
        let consumers = g
            .consumers
            .iter()
            .map(|c| {
                let alive = c.phase != Phase::Dead;
                let poll = (c.phase == Phase::Processing).then(|| Poll {
                    ranges: poll_ranges(&c.in_hand),
                    since: c.processing_since,
                });
                Consumer {
                    index: c.index,
                    phase: c.phase,
                    alive,
                    member: alive
                        && g.coordinator
                            .members
                            .values()
                            .any(|m| m.consumer == c.index && m.incarnation == c.incarnation),
                    left_group: c.has_left_group(),
                    assignment: c.assignment.clone(),
                    positions: c
                        .assignment
                        .iter()
                        .map(|&p| (p, c.positions.get(&p).copied().unwrap_or(0)))
                        .collect(),
                    poll,
                }
            })
            .collect();
        ConsumerGroup {
            consumers,
            committed: g
                .coordinator
                .committed
                .iter()
                .map(|(&p, &o)| (p, o))
                .collect(),
            generation: g.coordinator.generation,
            rebalancing: g.coordinator.rebalancing,
            stats: &g.stats,
        }
    }

    /// The ledger's verdict counts and latest examples (a pass over every live record:
    /// the app refreshes it a few times a second, not every frame).
    pub fn verdicts(&self) -> LedgerReport {
        self.sim.ledger_report()
    }

    /// Every record given to `send()`: partition, state, offset (settled ones are dropped
    /// from the front once the ledger no longer needs them).
    pub fn records(&self) -> &'a RecordLog {
        &self.sim.producer.records
    }

    /// How many times record `r` was processed by a consumer.
    pub fn processed(&self, r: RecordId) -> u8 {
        self.sim.core.ledger.processed(r)
    }
}

/// Groups (partition, offset) pairs into runs of one partition.
fn poll_ranges(in_hand: &[(u32, i64)]) -> Vec<(u32, i64, i64, u32)> {
    let mut out: Vec<(u32, i64, i64, u32)> = Vec::new();
    for &(p, o) in in_hand {
        match out.last_mut() {
            Some(last) if last.0 == p => {
                last.2 = o;
                last.3 += 1;
            }
            _ => out.push((p, o, o, 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Config, KafkaVersion, Workload};

    fn busy_sim() -> Sim {
        let mut cfg = Config::defaults(KafkaVersion::V4);
        cfg.set("consumers", "1").expect("valid");
        cfg.set("auto.offset.reset", "earliest").expect("valid");
        let w = Workload {
            rate: 20_000.0,
            ..Workload::notes_loop(100_000)
        };
        let mut sim = Sim::new(cfg, w, 7).expect("valid");
        sim.set_track_flights(true);
        sim.advance_to(SimTime::ZERO + SimDuration::from_millis(1_500));
        sim
    }

    #[test]
    fn the_view_agrees_with_the_actors() {
        let sim = busy_sim();
        let view = sim.view();
        let acc = view.accumulator();
        assert_eq!(acc.lanes.len(), 3);
        assert_eq!(acc.queued_batches(), sim.producer.acc.queued_batches());
        for lane in &acc.lanes {
            for b in &lane.batches {
                assert!(b.records > 0 && b.bytes > 0 && b.batch_size == 16_384);
                assert!(b.deadline >= b.created);
            }
        }
        let app = view.application();
        assert!(app.stats.send_calls > 0);
        assert!(app.buffer_used <= app.buffer_total);

        let client = view.network_client();
        assert_eq!(client.connections.len(), 3);
        let in_flight: usize = client.connections.iter().map(|c| c.in_flight.len()).sum();
        assert_eq!(in_flight, client.requests.len());
        for r in &client.requests {
            assert_eq!(r.batches.len(), r.partitions.len());
            assert!(r.sent <= view.now());
            assert!(r.arrives.is_none_or(|t| t > view.now()));
        }
        assert!(client.idempotence.enabled && client.idempotence.producer_id >= 0);
        assert_eq!(client.idempotence.sequences.len(), 3);

        let partitions = view.partitions();
        assert_eq!(
            view.high_watermarks(),
            partitions
                .iter()
                .map(|p| p.high_watermark)
                .collect::<Vec<_>>()
        );
        for p in &partitions {
            let leader = p.replicas.iter().filter(|r| r.leader).count();
            assert_eq!(leader, usize::from(p.leader.is_some()));
            assert!(
                p.replicas
                    .iter()
                    .all(|r| r.in_isr == p.isr.contains(&r.broker))
            );
            let log = view.log(p.id, p.leader.expect("a leader"));
            assert_eq!(log.last().map_or(0, |(o, _)| o + 1), p.log_end_offset);
        }
        assert!(
            view.brokers()
                .iter()
                .all(|b| b.alive && !b.fenced && !b.isolated)
        );

        let group = view.consumer_group();
        assert_eq!(group.consumers.len(), 1);
        let c = &group.consumers[0];
        assert!(c.alive);
        for &(p, pos) in &c.positions {
            assert!(pos <= partitions[p as usize].high_watermark);
        }
        if let Some(poll) = &c.poll {
            assert!(poll.records() > 0);
        }
        assert_eq!(view.records().len() as u64, app.stats.send_calls);
    }

    #[test]
    fn poll_ranges_group_runs_of_one_partition() {
        let ranges = poll_ranges(&[(0, 5), (0, 6), (0, 7), (2, 10), (2, 11), (0, 8)]);
        assert_eq!(ranges, vec![(0, 5, 7, 3), (2, 10, 11, 2), (0, 8, 8, 1)]);
    }

    #[test]
    fn a_dead_broker_and_a_crashed_consumer_show() {
        use crate::sim::{Command, Fault};
        let mut sim = busy_sim();
        sim.apply(Command::Fault {
            fault: Fault::KillBroker { broker: 1 },
        })
        .expect("applies");
        sim.apply(Command::Fault {
            fault: Fault::CrashConsumer { consumer: 0 },
        })
        .expect("applies");
        let view = sim.view();
        assert!(!view.broker_up(1) && view.broker_up(0));
        let c = &view.consumer_group().consumers[0];
        assert!(!c.alive && !c.member && c.phase == Phase::Dead);
    }
}
