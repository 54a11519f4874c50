//! What the screen may show of the real clients: read-only copies, so the UI never reads
//! the server's insides (as `sim::view` is for the simulation).

use super::group::GroupView;
use super::world::World;
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
    pub fn view(&self) -> ClientsView {
        ClientsView {
            addrs: self.addrs.clone(),
            connections: self
                .connections
                .values()
                .map(|c| (c.broker, c.peer))
                .collect(),
            producers: self.seen.producers.clone(),
            recent: self.seen.recent.iter().cloned().collect(),
            groups: self.groups.describe(),
            positions: self.seen.positions.clone(),
        }
    }
}
