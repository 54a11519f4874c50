//! What the screen may show of the real clients: read-only copies, so the UI never reads
//! the server's insides (as `sim::view` is for the simulation).

use super::group::{GroupState, GroupView, MemberView, Owner};
use super::world::World;
use crate::sim::Sim;
use crate::sim::SimTime;
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;

/// How many recent real batches the view keeps.
const RECENT: usize = 32;

/// A real producer's batch as it arrived at a broker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenBatch {
    pub t: SimTime,
    /// The simulation's ids of the batch and of its first record (the others follow),
    /// as the flow view prints them (`i18n::ids`).
    pub batch: crate::sim::trace::BatchId,
    pub first_record: crate::sim::trace::RecordId,
    pub broker: u32,
    pub partition: u32,
    pub records: u32,
    pub producer_id: i64,
    /// -1 when the producer is not idempotent.
    pub base_sequence: i32,
    pub acks: i16,
}

/// One real producer (by producer id; -1 for a non-idempotent one).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProducerView {
    pub batches: u64,
    pub records: u64,
}

/// The clients at a glance.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientsView {
    /// Each broker's listener address.
    pub addrs: Vec<SocketAddr>,
    /// Open connections: (broker, peer).
    pub connections: Vec<(u32, SocketAddr)>,
    pub producers: BTreeMap<i64, ProducerView>,
    /// The latest real batches, oldest first.
    pub recent: Vec<SeenBatch>,
    pub groups: Vec<GroupView>,
    /// Per partition: the furthest offset a real consumer fetched from.
    pub positions: BTreeMap<u32, i64>,
}

/// What the world records for the view as requests pass.
#[derive(Default)]
pub(super) struct Seen {
    pub recent: VecDeque<SeenBatch>,
    pub producers: BTreeMap<i64, ProducerView>,
    pub positions: BTreeMap<u32, i64>,
}

impl Seen {
    pub fn batch(&mut self, b: SeenBatch) {
        let p = self.producers.entry(b.producer_id).or_default();
        p.batches += 1;
        p.records += u64::from(b.records);
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(b);
    }

    pub fn fetched(&mut self, partition: u32, offset: i64) {
        let at = self.positions.entry(partition).or_insert(offset);
        *at = (*at).max(offset);
    }
}

impl World {
    pub fn view(&self, sim: &Sim) -> ClientsView {
        let mut groups = self.groups.describe();
        if let Some(shared) = self.shared_view(sim) {
            let at = groups.partition_point(|g| g.group < shared.group);
            groups.insert(at, shared);
        }
        ClientsView {
            addrs: self.addrs.clone(),
            connections: self
                .connections
                .values()
                .map(|c| (c.broker, c.peer))
                .collect(),
            producers: self.seen.producers.clone(),
            recent: self.seen.recent.iter().cloned().collect(),
            groups,
            positions: self.seen.positions.clone(),
        }
    }
}

impl World {
    /// The group shared with the simulated consumers, once a real client used it (joined or
    /// committed): its members real and simulated, and who reads each partition.
    fn shared_view(&self, sim: &Sim) -> Option<GroupView> {
        let g = sim.shared_group();
        let real = g.members.iter().any(|m| m.consumer.is_none());
        if !real && !self.shared.used {
            return None;
        }
        let state = match (g.members.is_empty(), g.rebalancing) {
            (true, _) => GroupState::Empty,
            (false, true) => GroupState::PreparingRebalance,
            (false, false) => GroupState::Stable,
        };
        let client_id = |m: &crate::sim::client_group::SharedMember| match m.consumer {
            Some(c) => format!("consumer-{}-{}", g.group, c + 1),
            None => self
                .shared
                .client_ids
                .get(&m.member_id)
                .cloned()
                .unwrap_or_default(),
        };
        let mut owners = BTreeMap::new();
        for m in &g.members {
            for &p in &m.partitions {
                let owner = match m.consumer {
                    Some(c) => Owner::Simulated(c),
                    None => Owner::Client(client_id(m)),
                };
                owners.insert(p, owner);
            }
        }
        let topic = self.topic.clone().unwrap_or_default();
        Some(GroupView {
            group: g.group.clone(),
            state,
            generation: i32::try_from(g.generation).unwrap_or(i32::MAX),
            protocol_type: (!g.members.is_empty()).then(|| "consumer".to_string()),
            protocol: (!g.members.is_empty()).then(|| super::shared_group::RANGE.to_string()),
            leader: g.leader.clone(),
            members: g
                .members
                .iter()
                .map(|m| MemberView {
                    member_id: m.member_id.clone(),
                    client_id: client_id(m),
                })
                .collect(),
            offsets: g
                .committed
                .iter()
                .map(|&(p, o)| (topic.clone(), p as i32, o, None))
                .collect(),
            owners,
            shared: true,
        })
    }
}
