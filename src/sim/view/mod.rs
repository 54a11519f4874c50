//! The read-only view of the simulation: what the screen, the app, lessons and tests may
//! know about the actors, in Kafka's words, without reaching into them.
//!
//! `Sim::view()` is a borrow, free to take; each part (`application`, `accumulator`,
//! `network_client`, `wire`, `brokers`, `partitions`, `consumer_group`, `verdicts`) is built
//! only when asked for, as small plain structs (a frame asks for each part once). The actors'
//! own fields stay private to `sim`: a change inside the core changes this module, not the
//! screen.

mod parts;
#[cfg(test)]
mod tests;

pub use parts::*;

use super::Sim;
use super::trace::BrokerId;
use std::collections::BTreeMap;

pub use super::consumer::{ConsumerStats, Phase};
pub use super::kernel::FlightKind;
pub use super::ledger::{LedgerReport, Verdict};
pub use super::network::Node;
pub use super::producer::{AppState, RecordMeta, RecordState};
pub use super::record_log::RecordLog;
pub use super::sender::ConnState;
pub use super::stats::ProducerStats;
pub use super::time::{SimDuration, SimTime};
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
                held: self.hold(p),
            })
            .collect();
        Accumulator {
            lanes,
            linger: acc.linger,
            batch_size,
        }
    }

    /// What keeps partition `p`'s ready batches in their deque (see [`Hold`]), in the order the
    /// Sender checks: the mute, the producer's metadata, then the leader's connection
    /// (`NetworkClient.ready`: established, fewer than max.in.flight requests in flight).
    fn hold(self, p: usize) -> Option<Hold> {
        let producer = &self.sim.producer;
        if producer.acc.muted.get(p).copied().unwrap_or(false) {
            return Some(Hold::Muted);
        }
        let Some(Some((leader, _))) = producer.metadata.get(p) else {
            return Some(Hold::NoLeader);
        };
        let conn = producer.sender.conns.get(*leader as usize)?;
        let max = self
            .sim
            .core
            .cfg
            .producer
            .max_in_flight_requests_per_connection as usize;
        match conn.state {
            ConnState::Ready if conn.in_flight.len() >= max => Some(Hold::InFlightFull),
            ConnState::Ready => None,
            ConnState::Connecting | ConnState::Disconnected => Some(Hold::NotConnected),
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
        // Produce requests and answers on the wire, by correlation id: one pass over the
        // flights, not one per request.
        let mut on_wire: BTreeMap<RequestId, (Option<SimTime>, Option<Answer>)> = BTreeMap::new();
        for f in self.sim.core.flights.iter().filter(|f| f.arrive > now) {
            match f.kind {
                FlightKind::Produce { request, .. } if !f.lost => {
                    on_wire.entry(request).or_default().0 = Some(f.arrive);
                }
                FlightKind::ProduceResponse { request, ok } => {
                    on_wire.entry(request).or_default().1 = Some(Answer {
                        depart: f.depart,
                        arrive: f.arrive,
                        ok,
                        lost: f.lost,
                    });
                }
                _ => {}
            }
        }
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
                let (arrives, response) = on_wire.get(&id).copied().unwrap_or_default();
                Request {
                    id,
                    broker: r.broker,
                    batches: r.batches.iter().map(|s| s.id).collect(),
                    partitions: r.batches.iter().map(|s| s.partition).collect(),
                    records,
                    sent: r.sent_at,
                    arrives,
                    response,
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
        self.log_window(partition, broker, i64::MIN, i64::MAX)
    }

    /// (offset, record) in `broker`'s replica of `partition` for offsets in `from..to`, in
    /// offset order. Walks the log from its end, so a window near the end costs its size,
    /// not the log's.
    pub fn log_window(
        &self,
        partition: u32,
        broker: BrokerId,
        from: i64,
        to: i64,
    ) -> Vec<(i64, RecordId)> {
        let part = &self.sim.cluster.partitions[partition as usize];
        let Some(Some(rep)) = part.logs.get(broker as usize) else {
            return Vec::new();
        };
        // The batches that reach into the window, found from the end.
        let first = rep
            .log
            .iter()
            .rev()
            .position(|b| b.base_offset + b.wire.records.len() as i64 <= from)
            .map_or(0, |from_end| rep.log.len() - from_end);
        rep.log
            .range(first..)
            .take_while(|b| b.base_offset < to)
            .flat_map(|b| {
                b.wire
                    .records
                    .iter()
                    .enumerate()
                    .map(move |(i, r)| (b.base_offset + i as i64, r))
            })
            .filter(|&(o, _)| o >= from && o < to)
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
                            .any(|m| m.simulated() == Some((c.index, c.incarnation))),
                    left_group: c.has_left_group(),
                    // A crashed consumer stays a member until the coordinator has heard no
                    // heartbeat for session.timeout.ms (`GroupCoordinator` session expiry).
                    session_expires: (!alive)
                        .then(|| {
                            g.coordinator
                                .members
                                .values()
                                // The dead instance's (a crash starts a new incarnation).
                                .filter(|m| m.simulated().is_some_and(|(i, _)| i == c.index))
                                .map(|m| m.last_heartbeat)
                                .max()
                                .map(|last| {
                                    last + SimDuration::from_millis(
                                        self.sim.core.cfg.consumer.session_timeout_ms,
                                    )
                                })
                        })
                        .flatten(),
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
            rebalance_deadline: g
                .coordinator
                .rebalance_deadline
                .filter(|_| g.coordinator.rebalancing),
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
