//! Replication: followers fetch from leaders (`ReplicaFetcherThread`), the leader
//! tracks each follower's LEO and caught-up time, expands the ISR, moves the high
//! watermark, and answers divergent followers so they truncate (KIP-101 / KIP-279).

use super::Cluster;
use crate::sim::kernel::{
    Core, Event, FetchPartition, FetchRequest, FetchResponse, FetchedPartition, Message,
};
use crate::sim::network::Node;
use crate::sim::reason::{IsrReason, TruncateReason};
use crate::sim::time::SimDuration;
use crate::sim::trace::{BrokerId, TraceEvent};

/// `replica.fetch.max.bytes`.
const REPLICA_FETCH_MAX_BYTES: u64 = 1_048_576;
/// `replica.socket.timeout.ms`: a fetch lost on the network is retried after this.
const REPLICA_SOCKET_TIMEOUT_MS: u64 = 30_000;

#[derive(Clone, Debug)]
pub struct ParkedFetch {
    req: FetchRequest,
    token: u64,
}

impl Cluster {
    /// Makes sure follower `f` has a fetch going to every leader it follows.
    pub fn start_fetchers(&mut self, core: &mut Core, f: BrokerId) {
        if !self.brokers[f as usize].alive {
            return;
        }
        let mut leaders: Vec<BrokerId> = self
            .partitions
            .iter()
            .filter(|p| p.replicas.contains(&f))
            .filter_map(|p| p.leader)
            .filter(|&l| l != f)
            .collect();
        leaders.sort_unstable();
        leaders.dedup();
        for l in leaders {
            if !self.fetch_in_flight.contains_key(&(f, l)) {
                self.send_fetch(core, f, l);
            }
        }
    }

    fn send_fetch(&mut self, core: &mut Core, f: BrokerId, l: BrokerId) {
        let partitions: Vec<FetchPartition> = self
            .partitions
            .iter()
            .enumerate()
            .filter(|(_, p)| p.leader == Some(l) && p.replicas.contains(&f))
            .map(|(i, p)| {
                let rep = p.replica(f);
                FetchPartition {
                    partition: i as u32,
                    fetch_offset: rep.log_end_offset,
                    last_fetched_epoch: rep.last_epoch(),
                }
            })
            .collect();
        if partitions.is_empty() {
            return;
        }
        let token = core.token();
        core.send(
            Node::Broker(f),
            Node::Broker(l),
            Message::Fetch(FetchRequest {
                follower: f,
                partitions,
            }),
        );
        // Cancelled when the answer comes: with replica.fetch.wait.max.ms=0 an idle
        // follower fetches once per round trip, and each 30 s timeout left behind would
        // wait in the queue.
        let timeout = core.timer_at(
            core.now
                + SimDuration::from_millis(
                    REPLICA_SOCKET_TIMEOUT_MS + core.cfg.topology.replica_fetch_wait_max_ms,
                ),
            Event::FollowerFetchTimeout {
                follower: f,
                leader: l,
                token,
            },
        );
        self.fetch_in_flight.insert((f, l), (token, timeout));
    }

    pub fn follower_fetch_timeout(
        &mut self,
        core: &mut Core,
        f: BrokerId,
        l: BrokerId,
        token: u64,
    ) {
        if self
            .fetch_in_flight
            .get(&(f, l))
            .is_some_and(|(t, _)| *t == token)
        {
            self.fetch_in_flight.remove(&(f, l));
            self.start_fetchers(core, f);
        }
    }

    /// The leader `l` receives a follower's fetch.
    pub fn on_fetch(&mut self, core: &mut Core, l: BrokerId, req: FetchRequest) {
        if !self.brokers[l as usize].alive {
            return;
        }
        let f = req.follower;
        let now = core.now;
        let mut immediate = false;
        for fp in &req.partitions {
            let p = fp.partition;
            let part = &self.partitions[p as usize];
            if part.leader != Some(l) {
                immediate = true;
                continue;
            }
            let rep = part.replica(l);
            if let Some(epoch) = fp.last_fetched_epoch {
                let diverges = match rep.end_offset_for_epoch(epoch) {
                    Some((e, end)) => e != epoch || end < fp.fetch_offset,
                    None => true,
                };
                if diverges {
                    immediate = true;
                    continue;
                }
            }
            if fp.fetch_offset < rep.log_start_offset {
                immediate = true;
                continue;
            }
            let leader_leo = rep.log_end_offset;
            let hw = rep.high_watermark;
            let part = &mut self.partitions[p as usize];
            let fs = &mut part.followers[f as usize];
            // Replica.updateFetchState: caught up now, or caught up to what the last fetch saw.
            if fp.fetch_offset >= leader_leo {
                fs.last_caught_up = fs.last_caught_up.max(now);
            } else if fp.fetch_offset >= fs.last_fetch_leader_leo {
                fs.last_caught_up = fs.last_caught_up.max(fs.last_fetch_time);
            }
            fs.last_fetch_leader_leo = leader_leo;
            fs.last_fetch_time = now;
            fs.log_end_offset = fp.fetch_offset;
            if !part.isr.contains(&f)
                && fp.fetch_offset >= hw
                && fp.fetch_offset >= part.leader_epoch_start
                && !self.brokers[f as usize].fenced
            {
                part.isr.push(f);
                part.isr.sort_unstable();
                let isr = part.isr.clone();
                core.emit(TraceEvent::IsrChanged {
                    partition: p,
                    isr,
                    reason: IsrReason::CaughtUp {
                        broker: f,
                        high_watermark: hw,
                    },
                });
            }
            self.maybe_advance_hw(core, p);
            if fp.fetch_offset < self.partitions[p as usize].replica(l).log_end_offset {
                immediate = true;
            }
        }
        // `ReplicaManager.fetchMessages` answers at once when maxWaitMs <= 0: nothing is
        // parked in the purgatory (replica.fetch.wait.max.ms=0).
        if immediate || core.cfg.topology.replica_fetch_wait_max_ms == 0 {
            self.respond_fetch(core, l, &req);
        } else {
            let token = core.token();
            self.parked_fetches
                .insert((l, f), ParkedFetch { req, token });
            core.after(
                SimDuration::from_millis(core.cfg.topology.replica_fetch_wait_max_ms),
                Event::FetchWaitExpired {
                    leader: l,
                    follower: f,
                    token,
                },
            );
        }
    }

    fn respond_fetch(&mut self, core: &mut Core, l: BrokerId, req: &FetchRequest) {
        let partitions = req
            .partitions
            .iter()
            .map(|fp| {
                let part = &self.partitions[fp.partition as usize];
                if part.leader != Some(l) {
                    return FetchedPartition {
                        partition: fp.partition,
                        high_watermark: 0,
                        diverging_end_offset: None,
                        batches: Vec::new(),
                        not_leader: true,
                        out_of_range: None,
                    };
                }
                let rep = part.replica(l);
                let diverging =
                    fp.last_fetched_epoch
                        .and_then(|epoch| match rep.end_offset_for_epoch(epoch) {
                            Some((e, end)) if e == epoch && end >= fp.fetch_offset => None,
                            Some((_, end)) => Some(end),
                            None => Some(0),
                        });
                // Below the log start: the follower must start again there.
                let out_of_range = (diverging.is_none() && fp.fetch_offset < rep.log_start_offset)
                    .then_some(rep.log_start_offset);
                FetchedPartition {
                    partition: fp.partition,
                    high_watermark: rep.high_watermark,
                    diverging_end_offset: diverging,
                    batches: if diverging.is_some() || out_of_range.is_some() {
                        Vec::new()
                    } else {
                        rep.read_from(fp.fetch_offset, REPLICA_FETCH_MAX_BYTES)
                    },
                    not_leader: false,
                    out_of_range,
                }
            })
            .collect();
        core.send(
            Node::Broker(l),
            Node::Broker(req.follower),
            Message::FetchResponse(FetchResponse {
                leader: l,
                partitions,
            }),
        );
    }

    /// New data on partition `p` at leader `l` completes parked follower fetches for it.
    pub(crate) fn wake_parked_fetches(&mut self, core: &mut Core, l: BrokerId, p: u32) {
        let keys: Vec<(BrokerId, BrokerId)> = self
            .parked_fetches
            .iter()
            .filter(|((leader, _), pf)| {
                *leader == l && pf.req.partitions.iter().any(|fp| fp.partition == p)
            })
            .map(|(k, _)| *k)
            .collect();
        for k in keys {
            if let Some(pf) = self.parked_fetches.remove(&k) {
                self.respond_fetch(core, l, &pf.req);
            }
        }
    }

    pub fn fetch_wait_expired(&mut self, core: &mut Core, l: BrokerId, f: BrokerId, token: u64) {
        if self
            .parked_fetches
            .get(&(l, f))
            .is_some_and(|pf| pf.token == token)
        {
            if let Some(pf) = self.parked_fetches.remove(&(l, f)) {
                self.respond_fetch(core, l, &pf.req);
            }
        }
    }

    /// The follower `f` gets the leader's answer.
    pub fn on_fetch_response(&mut self, core: &mut Core, f: BrokerId, resp: FetchResponse) {
        if !self.brokers[f as usize].alive {
            return;
        }
        let l = resp.leader;
        if let Some((_, timeout)) = self.fetch_in_flight.remove(&(f, l)) {
            core.cancel(timeout);
        }
        for fp in resp.partitions {
            if fp.not_leader {
                continue;
            }
            let p = fp.partition;
            let rep = self.partitions[p as usize].replica_mut(f);
            if let Some(end) = fp.diverging_end_offset {
                let to = end.min(rep.log_end_offset);
                let removed = rep.truncate_to(to);
                if removed > 0 {
                    core.emit(TraceEvent::Truncated {
                        broker: f,
                        partition: p,
                        to_offset: to,
                        removed_records: removed,
                        reason: TruncateReason::Diverged { leader: l },
                    });
                }
                continue;
            }
            if let Some(start) = fp.out_of_range {
                // AbstractFetcherThread.fetchOffsetAndTruncate: the leader's log starts above
                // this replica's end, so it starts over at the leader's log start.
                if start > rep.log_end_offset {
                    let removed = rep.truncate_fully_and_start_at(start);
                    core.emit(TraceEvent::Truncated {
                        broker: f,
                        partition: p,
                        to_offset: start,
                        removed_records: removed,
                        reason: TruncateReason::BelowLogStart {
                            leader: l,
                            log_start: start,
                        },
                    });
                }
                continue;
            }
            let from = rep.log_end_offset;
            for b in fp.batches {
                if !rep.append_replicated(b) {
                    break;
                }
            }
            let to = rep.log_end_offset;
            rep.high_watermark = fp.high_watermark.min(to).max(rep.high_watermark.min(to));
            if to > from {
                core.emit(TraceEvent::FollowerFetched {
                    broker: f,
                    partition: p,
                    from_offset: from,
                    to_offset: to,
                });
            }
        }
        self.start_fetchers(core, f);
    }
}
