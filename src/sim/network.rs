//! Links between hosts: latency, jitter, bandwidth, FIFO order per direction
//! (TCP never reorders), and faults that cut a host off.

use super::rng::SimRng;
use super::time::{SimDuration, SimTime};
use super::trace::BrokerId;

/// A host in the simulated network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Node {
    Producer,
    Broker(BrokerId),
    Consumer(u32),
}

/// Hosts have fixed slots: the producer, up to 9 brokers, up to 8 consumers (the
/// settings' limits), so a host's index never depends on the topology.
const MAX_BROKERS: usize = 9;
const HOSTS: usize = 1 + MAX_BROKERS + 8;

#[derive(Clone, Copy, Debug, Default)]
struct Link {
    /// The sender's side is busy writing earlier bytes until then (bandwidth).
    busy_until: SimTime,
    /// The last arrival scheduled on this link: later messages never overtake it.
    last_arrival: SimTime,
    /// Extra one-way latency added by a fault.
    extra_latency: SimDuration,
}

#[derive(Clone)]
pub struct Network {
    links: Vec<Link>,
    pub latency: SimDuration,
    pub jitter: SimDuration,
    /// Bytes per microsecond × 8 = megabits per second; 0 = unlimited.
    pub bandwidth_mbps: u64,
    isolated: Vec<bool>,
}

/// When a message leaves and when it arrives.
#[derive(Clone, Copy, Debug)]
pub struct Transit {
    /// The last byte has been written to the socket (acks=0 completes here).
    pub written: SimTime,
    pub arrives: SimTime,
}

impl Network {
    pub fn new(latency: SimDuration, jitter: SimDuration, bandwidth_mbps: u64) -> Self {
        let n = HOSTS;
        Network {
            links: vec![Link::default(); n * n],
            latency,
            jitter,
            bandwidth_mbps,
            isolated: vec![false; n],
        }
    }

    fn index(node: Node) -> usize {
        match node {
            Node::Producer => 0,
            Node::Broker(b) => b as usize + 1,
            Node::Consumer(c) => 1 + MAX_BROKERS + c as usize,
        }
    }

    fn link(&mut self, from: Node, to: Node) -> &mut Link {
        let n = HOSTS;
        let i = Self::index(from) * n + Self::index(to);
        &mut self.links[i]
    }

    pub fn is_isolated(&self, node: Node) -> bool {
        self.isolated[Self::index(node)]
    }

    pub fn set_isolated(&mut self, node: Node, isolated: bool) {
        let i = Self::index(node);
        self.isolated[i] = isolated;
    }

    /// Whether a message from `from` can reach `to` at all right now.
    pub fn reachable(&self, from: Node, to: Node) -> bool {
        !self.is_isolated(from) && !self.is_isolated(to)
    }

    /// Adds latency to both directions between two hosts (a slow link fault).
    pub fn add_latency(&mut self, a: Node, b: Node, extra: SimDuration) {
        self.link(a, b).extra_latency = extra;
        self.link(b, a).extra_latency = extra;
    }

    /// The round trip without jitter or transfer time, for timers such as connection setup.
    pub fn rtt(&self) -> SimDuration {
        SimDuration(self.latency.0 * 2)
    }

    /// Schedules `bytes` from `from` to `to`, leaving at `now`.
    pub fn transit(
        &mut self,
        now: SimTime,
        from: Node,
        to: Node,
        bytes: u64,
        rng: &mut SimRng,
    ) -> Transit {
        let transfer = if self.bandwidth_mbps == 0 {
            SimDuration::ZERO
        } else {
            // bits / (Mbit/s) = µs
            SimDuration((bytes * 8).div_ceil(self.bandwidth_mbps))
        };
        let jitter = if self.jitter.0 > 0 {
            SimDuration(rng.below(self.jitter.0))
        } else {
            SimDuration::ZERO
        };
        let latency = self.latency;
        let link = self.link(from, to);
        let start = now.max(link.busy_until);
        let written = start + transfer;
        link.busy_until = written;
        let arrives = (written + latency + link.extra_latency + jitter).max(link.last_arrival);
        link.last_arrival = arrives;
        Transit { written, arrives }
    }
}
