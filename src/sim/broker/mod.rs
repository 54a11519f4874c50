//! The embedded Kafka cluster: brokers, partitions with replicas, leaders,
//! ISR, high watermark, leader election (the KRaft controller's rules) and
//! truncation. Produce handling lives in `produce.rs`, replication in `fetch.rs`.

mod consumer_fetch;
mod fetch;
mod produce;
pub mod replica;

use super::kernel::{Core, Event};
use super::network::Node;
use super::queue::EventId;
use super::reason::{ElectionCause, IsrReason};
use super::time::{SimDuration, SimTime};
use super::trace::{BrokerId, TraceEvent};
use produce::{BrokerQueue, DelayedProduce};
use replica::Replica;
use std::collections::BTreeMap;

/// What the leader knows about one follower (`Replica.scala`'s fetch state).
#[derive(Clone, Copy, Debug)]
pub struct FollowerState {
    /// -1 until the follower fetched from this leader.
    pub(crate) log_end_offset: i64,
    pub(crate) last_caught_up: SimTime,
    pub(crate) last_fetch_time: SimTime,
    pub(crate) last_fetch_leader_leo: i64,
}

#[derive(Clone, Debug)]
pub struct PartitionState {
    /// Assignment order: the preferred leader first.
    pub(crate) replicas: Vec<BrokerId>,
    pub(crate) leader: Option<BrokerId>,
    /// The broker that led it last: while the partition is offline, its log and its
    /// checkpointed high watermark are still on that broker's disk.
    pub(crate) last_leader: BrokerId,
    pub(crate) leader_epoch: u32,
    pub(crate) isr: Vec<BrokerId>,
    /// Indexed by broker id; `None` where the broker holds no replica.
    pub(crate) logs: Vec<Option<Replica>>,
    pub(crate) followers: Vec<FollowerState>,
    /// Offset where the current leader's epoch started (ISR expansion needs it).
    pub(crate) leader_epoch_start: i64,
}

impl PartitionState {
    pub fn replica(&self, b: BrokerId) -> &Replica {
        self.logs[b as usize].as_ref().expect("replica on broker")
    }
    pub fn replica_mut(&mut self, b: BrokerId) -> &mut Replica {
        self.logs[b as usize].as_mut().expect("replica on broker")
    }
    /// The leader's high watermark (what consumers may read), 0 when offline.
    pub fn high_watermark(&self) -> i64 {
        self.leader.map_or(0, |l| self.replica(l).high_watermark)
    }
    pub fn log_end_offset(&self) -> i64 {
        self.leader.map_or(0, |l| self.replica(l).log_end_offset)
    }
    /// No leader: nobody can read or write it until a replica can lead again.
    pub fn is_offline(&self) -> bool {
        self.leader.is_none()
    }
    /// The leader's high watermark, or an offline partition's last leader's: what it was
    /// when it went offline (for reports; consumers read `high_watermark`).
    pub fn last_known_high_watermark(&self) -> i64 {
        self.replica(self.leader.unwrap_or(self.last_leader))
            .high_watermark
    }
    /// The leader's log end offset, or an offline partition's last leader's.
    pub fn last_known_log_end_offset(&self) -> i64 {
        self.replica(self.leader.unwrap_or(self.last_leader))
            .log_end_offset
    }
}

#[derive(Clone, Debug, Default)]
pub struct BrokerState {
    pub(crate) alive: bool,
    /// The controller has fenced it (missed heartbeats): it leads nothing and is out of every ISR.
    pub(crate) fenced: bool,
    pub(crate) incarnation: u32,
    /// When the broker last died.
    pub(crate) killed_at: SimTime,
    /// Cut off from the network: the controller stops hearing its heartbeats.
    pub(crate) isolated: bool,
    /// Produce responses to drop on the way out (fault).
    pub(crate) drop_responses: u32,
    /// The producer connection whose responses vanish: TCP delivers in order, so once one
    /// response is lost nothing after it on that connection arrives either.
    pub(crate) broken_conn: Option<u32>,
    /// Produce batches to refuse with NOT_ENOUGH_REPLICAS (fault: a transient error).
    pub(crate) reject_produce: u32,
}

#[derive(Clone)]
pub struct Cluster {
    pub(crate) brokers: Vec<BrokerState>,
    pub(crate) partitions: Vec<PartitionState>,
    pub(crate) queues: Vec<BrokerQueue>,
    pub(crate) delayed: Vec<BTreeMap<u64, DelayedProduce>>,
    /// Per (leader, follower): a follower fetch parked until data arrives.
    pub(crate) parked_fetches: BTreeMap<(BrokerId, BrokerId), fetch::ParkedFetch>,
    /// Per (follower, leader): a fetch is on its way or parked: its token and its timeout.
    pub(crate) fetch_in_flight: BTreeMap<(BrokerId, BrokerId), (u64, EventId)>,
    /// The next producer id InitProducerId hands out (every producer instance gets a new one).
    next_producer_id: i64,
    /// Consumer fetches waiting for fetch.min.bytes, by token.
    pub(crate) consumer_parked: BTreeMap<u64, consumer_fetch::ParkedConsumerFetch>,
}

impl Cluster {
    /// Kafka's rack-unaware assignment with start index 0: partition p's replicas are
    /// brokers p, p+1, … (mod n), so leaders spread evenly (the notes' hadoop102–104).
    pub fn new(brokers: u32, partitions: u32, replication_factor: u32, now: SimTime) -> Self {
        let n = brokers as usize;
        let parts = (0..partitions)
            .map(|p| {
                let replicas: Vec<BrokerId> =
                    (0..replication_factor).map(|j| (p + j) % brokers).collect();
                let mut logs = vec![None; n];
                for &r in &replicas {
                    let mut rep = Replica::default();
                    rep.epochs.push((0, 0));
                    logs[r as usize] = Some(rep);
                }
                PartitionState {
                    leader: Some(replicas[0]),
                    last_leader: replicas[0],
                    leader_epoch: 0,
                    isr: replicas.clone(),
                    replicas,
                    logs,
                    followers: vec![
                        FollowerState {
                            log_end_offset: -1,
                            last_caught_up: now,
                            last_fetch_time: now,
                            last_fetch_leader_leo: 0,
                        };
                        n
                    ],
                    leader_epoch_start: 0,
                }
            })
            .collect();
        Cluster {
            brokers: vec![
                BrokerState {
                    alive: true,
                    ..BrokerState::default()
                };
                n
            ],
            partitions: parts,
            queues: (0..n).map(|_| BrokerQueue::default()).collect(),
            delayed: vec![BTreeMap::new(); n],
            parked_fetches: BTreeMap::new(),
            fetch_in_flight: BTreeMap::new(),
            consumer_parked: BTreeMap::new(),
            next_producer_id: 1000,
        }
    }

    pub fn next_producer_id(&mut self) -> i64 {
        self.next_producer_id += 1;
        self.next_producer_id - 1
    }

    /// Starts replication and the periodic ISR check.
    pub fn start(&mut self, core: &mut Core) {
        for f in 0..self.brokers.len() as BrokerId {
            self.start_fetchers(core, f);
        }
        let half = SimDuration::from_millis(core.cfg.topology.replica_lag_time_max_ms / 2);
        core.after(half.max(SimDuration::from_millis(1)), Event::IsrCheck);
    }

    /// The metadata a client would get: each partition's leader and epoch.
    pub fn metadata(&self) -> Vec<Option<(BrokerId, u32)>> {
        self.partitions
            .iter()
            .map(|p| p.leader.map(|l| (l, p.leader_epoch)))
            .collect()
    }

    pub fn is_up(&self, b: BrokerId) -> bool {
        self.brokers[b as usize].alive
    }

    fn effective_min_isr(core: &Core) -> usize {
        core.cfg
            .topology
            .min_insync_replicas
            .min(core.cfg.topology.replication_factor) as usize
    }

    /// The min ISR the acks=all checks use: `effectiveMinIsr` from 3.7, the raw setting before.
    pub(crate) fn min_isr(core: &Core) -> usize {
        if core.cfg.version.hw_waits_for_min_isr() {
            Self::effective_min_isr(core)
        } else {
            core.cfg.topology.min_insync_replicas as usize
        }
    }

    /// `maybeIncrementLeaderHW`: the minimum LEO over the ISR; never backwards.
    pub(crate) fn maybe_advance_hw(&mut self, core: &mut Core, p: u32) {
        let part = &self.partitions[p as usize];
        let Some(leader) = part.leader else { return };
        if core.cfg.version.hw_waits_for_min_isr() && part.isr.len() < Self::effective_min_isr(core)
        {
            return;
        }
        let mut hw = part.replica(leader).log_end_offset;
        for &r in &part.isr {
            if r != leader {
                hw = hw.min(part.followers[r as usize].log_end_offset);
            }
        }
        let rep = self.partitions[p as usize].replica_mut(leader);
        if hw > rep.high_watermark {
            rep.high_watermark = hw;
            core.ledger.on_high_watermark(p, hw);
            core.emit(TraceEvent::HighWatermark {
                partition: p,
                high_watermark: hw,
            });
            self.complete_delayed(core, leader);
            self.wake_consumer_fetches(core, p);
        }
    }

    /// The periodic `maybeShrinkIsr` on every leader.
    pub fn isr_check(&mut self, core: &mut Core) {
        let lag = SimDuration::from_millis(core.cfg.topology.replica_lag_time_max_ms);
        for p in 0..self.partitions.len() as u32 {
            let part = &self.partitions[p as usize];
            let Some(leader) = part.leader else { continue };
            // A dead leader checks nothing; an isolated one cannot reach the controller
            // with its AlterPartition, so its ISR stays as the controller knows it.
            let st = &self.brokers[leader as usize];
            if !st.alive || st.isolated {
                continue;
            }
            let leo = part.replica(leader).log_end_offset;
            let out: Vec<BrokerId> = part
                .isr
                .iter()
                .copied()
                .filter(|&r| {
                    let f = part.followers[r as usize];
                    r != leader && f.log_end_offset != leo && core.now.since(f.last_caught_up) > lag
                })
                .collect();
            if !out.is_empty() {
                let part = &mut self.partitions[p as usize];
                part.isr.retain(|r| !out.contains(r));
                let isr = part.isr.clone();
                core.emit(TraceEvent::IsrChanged {
                    partition: p,
                    isr,
                    reason: IsrReason::FellBehind {
                        brokers: out.clone(),
                        lag_ms: lag.as_millis(),
                    },
                });
                self.maybe_advance_hw(core, p);
                self.complete_delayed(core, leader);
            }
        }
        let half = SimDuration(lag.0 / 2).max(SimDuration::from_millis(1));
        core.after(half, Event::IsrCheck);
    }

    /// The broker process dies: its sockets close, in-memory state is gone, the log stays on disk.
    pub fn kill(&mut self, core: &mut Core, b: BrokerId) {
        let st = &mut self.brokers[b as usize];
        if !st.alive {
            return;
        }
        st.alive = false;
        st.incarnation += 1;
        st.killed_at = core.now;
        let inc = st.incarnation;
        core.emit(TraceEvent::BrokerDown { broker: b });
        self.queues[b as usize] = BrokerQueue::default();
        self.consumer_parked.retain(|_, f| f.broker != b);
        self.delayed[b as usize].clear();
        self.parked_fetches.retain(|(l, f), _| *l != b && *f != b);
        self.fetch_in_flight.retain(|(f, l), _| *l != b && *f != b);
        // The controller only notices when the heartbeats stop for broker.session.timeout.ms
        // (KRaft), or when the broker's ZooKeeper session expires (2.8).
        core.after(
            SimDuration::from_millis(core.cfg.fencing_timeout().1),
            Event::SessionExpired {
                broker: b,
                incarnation: inc,
            },
        );
    }

    /// The controller fences a broker whose session expired, then re-elects.
    pub fn session_expired(&mut self, core: &mut Core, b: BrokerId, incarnation: u32) {
        let st = &mut self.brokers[b as usize];
        if (st.alive && !st.isolated) || st.incarnation != incarnation || st.fenced {
            return;
        }
        st.fenced = true;
        let killed_at = st.killed_at;
        core.emit(TraceEvent::BrokerFenced { broker: b });
        for p in 0..self.partitions.len() as u32 {
            let part = &mut self.partitions[p as usize];
            if !part.replicas.contains(&b) {
                continue;
            }
            // The last ISR member stays in the ISR, so a clean election is possible when it returns.
            if part.isr.contains(&b) && part.isr.len() > 1 {
                part.isr.retain(|r| *r != b);
                let isr = part.isr.clone();
                core.emit(TraceEvent::IsrChanged {
                    partition: p,
                    isr,
                    reason: IsrReason::Fenced { broker: b },
                });
            }
            if part.leader == Some(b) {
                let (setting, timeout_ms) = core.cfg.fencing_timeout();
                self.elect(
                    core,
                    p,
                    ElectionCause::LeaderFenced {
                        leader: b,
                        crashed_at: killed_at,
                        setting,
                        timeout_ms,
                    },
                );
            } else if part.leader.is_some() {
                self.maybe_advance_hw(core, p);
            }
        }
    }

    /// The broker is cut off: it keeps running, but the controller stops hearing it and will
    /// fence it after broker.session.timeout.ms (its own ISR changes cannot reach the controller).
    pub fn isolate(&mut self, core: &mut Core, b: BrokerId) {
        let st = &mut self.brokers[b as usize];
        if !st.alive || st.isolated {
            return;
        }
        st.isolated = true;
        st.incarnation += 1;
        st.killed_at = core.now;
        let inc = st.incarnation;
        core.after(
            SimDuration::from_millis(core.cfg.fencing_timeout().1),
            Event::SessionExpired {
                broker: b,
                incarnation: inc,
            },
        );
    }

    /// The network heals: a fenced broker registers again and catches up as a follower.
    pub fn heal(&mut self, core: &mut Core, b: BrokerId) {
        let st = &mut self.brokers[b as usize];
        if !st.isolated {
            return;
        }
        st.isolated = false;
        st.incarnation += 1;
        if st.alive {
            self.rejoin(core, b);
        }
    }

    pub fn restart(&mut self, core: &mut Core, b: BrokerId) {
        let st = &mut self.brokers[b as usize];
        if st.alive {
            return;
        }
        st.alive = true;
        core.emit(TraceEvent::BrokerUp { broker: b });
        if !st.isolated {
            self.rejoin(core, b);
        }
    }

    /// A broker the controller hears again: unfenced, it leads offline partitions it can
    /// lead cleanly, and follows the rest.
    fn rejoin(&mut self, core: &mut Core, b: BrokerId) {
        self.brokers[b as usize].fenced = false;
        for p in 0..self.partitions.len() as u32 {
            let part = &self.partitions[p as usize];
            if part.replicas.contains(&b) && part.leader.is_none_or(|l| l == b) {
                self.elect(core, p, ElectionCause::BrokerBack { broker: b });
            }
        }
        self.start_fetchers(core, b);
    }

    /// `PartitionChangeBuilder.electAnyLeader`: keep a valid leader, else the first alive ISR
    /// replica in assignment order, else (only if enabled) the first alive replica (unclean).
    pub fn elect(&mut self, core: &mut Core, p: u32, why: ElectionCause) {
        let unclean_ok = core.cfg.topology.unclean_leader_election_enable;
        let part = &self.partitions[p as usize];
        let usable =
            |r: &BrokerId| self.brokers[*r as usize].alive && !self.brokers[*r as usize].fenced;
        let clean = part
            .replicas
            .iter()
            .copied()
            .find(|r| part.isr.contains(r) && usable(r));
        let (new_leader, unclean) = match clean {
            Some(l) => (Some(l), false),
            None if unclean_ok => (part.replicas.iter().copied().find(usable), true),
            None => (None, false),
        };
        let old = part.leader;
        // Keep the current leader if it is still valid.
        if old.is_some_and(|o| usable(&o) && part.isr.contains(&o)) {
            return;
        }
        let part = &mut self.partitions[p as usize];
        part.leader = new_leader;
        if let Some(l) = new_leader {
            part.last_leader = l;
            part.leader_epoch += 1;
            let epoch = part.leader_epoch;
            if unclean {
                part.isr = vec![l];
            }
            let now = core.now;
            for f in &mut part.followers {
                *f = FollowerState {
                    log_end_offset: -1,
                    last_caught_up: now,
                    last_fetch_time: now,
                    last_fetch_leader_leo: 0,
                };
            }
            let rep = part.replica_mut(l);
            let leo = rep.log_end_offset;
            rep.epochs.push((epoch, leo));
            part.leader_epoch_start = leo;
            core.ledger.on_leader_change(p, leo, why, l, unclean);
        }
        let epoch = part.leader_epoch;
        core.emit(TraceEvent::LeaderElected {
            partition: p,
            leader: new_leader,
            leader_epoch: epoch,
            unclean,
            reason: why,
        });
        if let Some(old) = old {
            self.fail_delayed_for_partition(core, old, p);
        }
        // Followers of the new leader start fetching from it.
        for f in 0..self.brokers.len() as BrokerId {
            self.start_fetchers(core, f);
        }
    }

    /// Sends a broker-to-producer message unless the broker is down.
    pub(crate) fn reply(core: &mut Core, from: BrokerId, msg: super::kernel::Message) {
        core.send(Node::Broker(from), Node::Producer, msg);
    }
}
