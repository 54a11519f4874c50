//! The group coordinator (classic protocol): members, eager rebalances with the
//! RangeAssignor, heartbeats and session expiry, and the group's committed offsets.
//! It lives on a broker; the simulation routes its messages there.

use crate::sim::kernel::{AssignedPartition, Core, Event, Message};
use crate::sim::network::Node;
use crate::sim::queue::EventId;
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::trace::{BrokerId, KafkaError, TraceEvent};
use std::collections::BTreeMap;

/// `offsets.topic.num.partitions`: the group's coordinator leads partition
/// `abs(groupId.hashCode()) % 50` of `__consumer_offsets`.
const OFFSETS_TOPIC_PARTITIONS: i32 = 50;

/// The classic rebalance timeout: the consumer's `max.poll.interval.ms`
/// (`GroupRebalanceConfig` reads it as `rebalanceTimeoutMs`; every member here has the same).
fn rebalance_timeout(core: &Core) -> SimDuration {
    SimDuration::from_millis(core.cfg.consumer.max_poll_interval_ms)
}

/// A member's id as the simulation writes it: the client id (`consumer-<group>-<n>`) and the
/// process incarnation (Kafka appends a UUID instead; a number keeps the RangeAssignor's
/// member order, and so the run, deterministic).
pub fn member_id(group: &str, consumer: u32, incarnation: u32) -> String {
    format!("consumer-{group}-{}-{incarnation}", consumer + 1)
}

#[derive(Clone, Debug)]
pub struct Member {
    pub(crate) consumer: u32,
    pub(crate) incarnation: u32,
    pub member_id: String,
    pub(crate) last_heartbeat: SimTime,
    pub(crate) joined: bool,
    /// This membership's number: a member that leaves and joins again gets a new one.
    serial: u64,
    /// Its pending session check, cancelled when the membership ends otherwise (a member
    /// leaving and joining again once per round trip would pile up 45 s checks).
    session_check: Option<EventId>,
}

#[derive(Clone, Default)]
pub struct Coordinator {
    /// By member id: the RangeAssignor orders members this way.
    pub(crate) members: BTreeMap<String, Member>,
    pub(crate) generation: u32,
    pub(crate) rebalancing: bool,
    round: u64,
    /// The first rebalance waits group.initial.rebalance.delay.ms for more members.
    initial_wait_over: bool,
    /// When the pending rebalance stops waiting for members, and whether that wait is
    /// group.initial.rebalance.delay.ms (the group's first) rather than the rebalance
    /// timeout: shown as a countdown.
    pub(crate) rebalance_deadline: Option<(SimTime, bool)>,
    pub(crate) committed: BTreeMap<u32, i64>,
    pub(crate) assignment: Vec<(u32, Vec<u32>)>,
    next_serial: u64,
}

/// Java's `String.hashCode`.
fn java_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

impl Coordinator {
    /// The broker that hosts the group: the leader of its `__consumer_offsets` partition
    /// (partition k is led by broker k mod n, as our topics are), or the next live one.
    pub fn host(group: &str, brokers: u32, up: &[bool]) -> Option<BrokerId> {
        // `Utils.abs` (0 for Integer.MIN_VALUE), not the partitioner's bit mask.
        let h = java_hash(group);
        let abs = if h == i32::MIN { 0 } else { h.abs() };
        let preferred = (abs % OFFSETS_TOPIC_PARTITIONS) as u32 % brokers;
        (0..brokers)
            .map(|i| (preferred + i) % brokers)
            .find(|b| up[*b as usize])
    }

    fn member_of(&self, consumer: u32, incarnation: u32) -> Option<&String> {
        self.members
            .iter()
            .find(|(_, m)| m.consumer == consumer && m.incarnation == incarnation)
            .map(|(id, _)| id)
    }

    pub fn on_join(
        &mut self,
        core: &mut Core,
        host: BrokerId,
        consumer: u32,
        incarnation: u32,
        partitions: &[(u32, i64)],
    ) {
        let id = if let Some(id) = self.member_of(consumer, incarnation) {
            id.clone()
        } else {
            let id = member_id(&core.cfg.consumer.group_id, consumer, incarnation);
            self.next_serial += 1;
            let serial = self.next_serial;
            self.members.insert(
                id.clone(),
                Member {
                    consumer,
                    incarnation,
                    member_id: id.clone(),
                    last_heartbeat: core.now,
                    joined: false,
                    serial,
                    session_check: None,
                },
            );
            let timeout = SimDuration::from_millis(core.cfg.consumer.session_timeout_ms);
            let check = core.timer_at(
                core.now + timeout,
                Event::MemberSessionCheck {
                    consumer,
                    incarnation,
                    serial,
                },
            );
            if let Some(m) = self.members.get_mut(&id) {
                m.session_check = Some(check);
            }
            id
        };
        let known_and_stable = !self.rebalancing
            && self.generation > 0
            && self.members.get(&id).is_some_and(|m| m.joined);
        if let Some(m) = self.members.get_mut(&id) {
            m.joined = true;
            m.last_heartbeat = core.now;
        }
        if known_and_stable {
            // A JoinGroup from a member of the stable group (a retry): answer with its
            // current assignment instead of starting another rebalance.
            self.send_assignment(core, host, consumer, incarnation, partitions);
            return;
        }
        if !self.rebalancing {
            self.start_rebalance(core, host, Some(&id));
        }
        self.try_complete(core, host, partitions);
    }

    /// Every other member learns (on its next heartbeat) that it must rejoin.
    fn start_rebalance(&mut self, core: &mut Core, host: BrokerId, joiner: Option<&str>) {
        self.rebalancing = true;
        self.round += 1;
        for m in self.members.values_mut() {
            if !m.joined || joiner == Some(m.member_id.as_str()) {
                continue;
            }
            if self.generation > 0 {
                m.joined = false;
                core.send(
                    Node::Broker(host),
                    Node::Consumer(m.consumer),
                    Message::RebalanceNotice {
                        incarnation: m.incarnation,
                    },
                );
            }
        }
        let wait = if self.initial_wait_over {
            rebalance_timeout(core)
        } else {
            SimDuration::from_millis(core.cfg.consumer.group_initial_rebalance_delay_ms)
        };
        self.rebalance_deadline = Some((core.now + wait, !self.initial_wait_over));
        core.after(wait, Event::RebalanceDeadline { round: self.round });
    }

    pub fn on_rebalance_deadline(
        &mut self,
        core: &mut Core,
        host: BrokerId,
        round: u64,
        partitions: &[(u32, i64)],
    ) {
        if round != self.round || !self.rebalancing {
            return;
        }
        self.rebalance_deadline = None;
        if self.initial_wait_over {
            // Members that never rejoined within the rebalance timeout are dropped.
            self.members.retain(|_, m| {
                if !m.joined {
                    if let Some(check) = m.session_check.take() {
                        core.cancel(check);
                    }
                }
                m.joined
            });
        }
        self.initial_wait_over = true;
        self.try_complete(core, host, partitions);
    }

    /// Completes the rebalance once every member has rejoined: a new generation and a
    /// RangeAssignor assignment, sent with the committed offsets of each partition.
    fn try_complete(&mut self, core: &mut Core, host: BrokerId, partitions: &[(u32, i64)]) {
        if !self.rebalancing || !self.initial_wait_over || self.members.values().any(|m| !m.joined)
        {
            return;
        }
        self.rebalancing = false;
        self.generation += 1;
        let n = self.members.len() as u32;
        let total = partitions.len() as u32;
        self.assignment.clear();
        let mut next = 0u32;
        for (i, m) in self.members.values().enumerate() {
            // RangeAssignor: P / C each, the first P mod C members one more.
            let count = total / n + u32::from((i as u32) < total % n);
            let mine: Vec<u32> = (next..next + count).collect();
            next += count;
            self.assignment.push((m.consumer, mine));
        }
        let members: Vec<(u32, u32)> = self
            .members
            .values()
            .map(|m| (m.consumer, m.incarnation))
            .collect();
        for (consumer, incarnation) in members {
            self.send_assignment(core, host, consumer, incarnation, partitions);
        }
        core.emit(TraceEvent::Rebalanced {
            generation: self.generation,
            assignment: self.assignment.clone(),
        });
    }

    /// SyncGroup's answer: the member's partitions with their committed offsets.
    fn send_assignment(
        &self,
        core: &mut Core,
        host: BrokerId,
        consumer: u32,
        incarnation: u32,
        partitions: &[(u32, i64)],
    ) {
        let mine = self
            .assignment
            .iter()
            .find(|(c, _)| *c == consumer)
            .map(|(_, ps)| ps.clone())
            .unwrap_or_default();
        let assigned = mine
            .iter()
            .map(|&p| AssignedPartition {
                partition: p,
                committed: self.committed.get(&p).copied(),
                high_watermark: partitions[p as usize].1,
            })
            .collect();
        core.send(
            Node::Broker(host),
            Node::Consumer(consumer),
            Message::Assignment {
                incarnation,
                generation: self.generation,
                partitions: assigned,
            },
        );
    }

    pub fn on_heartbeat(
        &mut self,
        core: &mut Core,
        host: BrokerId,
        consumer: u32,
        incarnation: u32,
    ) {
        let rebalancing = self.rebalancing;
        let Some(id) = self.member_of(consumer, incarnation).cloned() else {
            return;
        };
        if let Some(m) = self.members.get_mut(&id) {
            m.last_heartbeat = core.now;
            if rebalancing && !m.joined {
                core.send(
                    Node::Broker(host),
                    Node::Consumer(consumer),
                    Message::RebalanceNotice { incarnation },
                );
            }
        }
    }

    /// A member whose heartbeats stopped for session.timeout.ms leaves the group.
    pub fn on_session_check(
        &mut self,
        core: &mut Core,
        host: BrokerId,
        consumer: u32,
        incarnation: u32,
        serial: u64,
        partitions: &[(u32, i64)],
    ) {
        let Some(id) = self.member_of(consumer, incarnation).cloned() else {
            return;
        };
        let Some(member) = self.members.get_mut(&id).filter(|m| m.serial == serial) else {
            return;
        };
        member.session_check = None; // this is it, firing
        let timeout = SimDuration::from_millis(core.cfg.consumer.session_timeout_ms);
        let last = member.last_heartbeat;
        if core.now.since(last) < timeout {
            member.session_check = Some(core.timer_at(
                last + timeout,
                Event::MemberSessionCheck {
                    consumer,
                    incarnation,
                    serial,
                },
            ));
            return;
        }
        self.members.remove(&id);
        core.emit(TraceEvent::MemberExpired {
            consumer,
            member: id,
        });
        self.after_removal(core, host, partitions);
    }

    /// LeaveGroup from a member (`GroupMetadataManager.classicGroupLeaveToClassicGroup`):
    /// it is removed at once and the others rebalance, without waiting for its session.
    pub fn on_leave(
        &mut self,
        core: &mut Core,
        host: BrokerId,
        consumer: u32,
        incarnation: u32,
        partitions: &[(u32, i64)],
    ) {
        let Some(id) = self.member_of(consumer, incarnation).cloned() else {
            return;
        };
        if let Some(check) = self.members.remove(&id).and_then(|m| m.session_check) {
            core.cancel(check);
        }
        core.emit(TraceEvent::MemberLeft {
            consumer,
            member: id,
        });
        self.after_removal(core, host, partitions);
    }

    /// After a member is gone (`maybePrepareRebalanceOrCompleteJoin`, or `maybeCompleteJoinPhase`
    /// during a rebalance): the rest rebalance. A group left with no member becomes Empty with
    /// a new generation (`completeClassicGroupJoin`), and its next rebalance is an initial one
    /// again, waiting group.initial.rebalance.delay.ms (`prepareRebalance`, `isInitialRebalance`).
    fn after_removal(&mut self, core: &mut Core, host: BrokerId, partitions: &[(u32, i64)]) {
        if self.members.is_empty() {
            self.rebalancing = false;
            self.assignment.clear();
            self.generation += 1;
            self.initial_wait_over = false;
            return;
        }
        if !self.rebalancing {
            self.start_rebalance(core, host, None);
        }
        self.try_complete(core, host, partitions);
    }

    /// OffsetCommit: accepted from a member of the current generation.
    pub fn on_commit(
        &mut self,
        consumer: u32,
        incarnation: u32,
        generation: u32,
        offsets: &[(u32, i64)],
    ) -> Option<KafkaError> {
        let known = self.member_of(consumer, incarnation).is_some();
        if !known || generation != self.generation {
            return Some(KafkaError::IllegalGeneration);
        }
        for &(p, o) in offsets {
            self.committed.insert(p, o);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_string_hash_code() {
        assert_eq!(java_hash(""), 0);
        assert_eq!(java_hash("a"), 97);
        assert_eq!(java_hash("testAPI"), -1_422_485_464);
        // abs(hash) % 50 = 14: partition 14 of __consumer_offsets, led by broker 14 % 3 = 2.
        assert_eq!(Coordinator::host("testAPI", 3, &[true; 3]), Some(2));
        // Wraps like Java's int.
        assert_eq!(
            java_hash("a-little-bit-longer-string"),
            "a-little-bit-longer-string"
                .chars()
                .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
        );
    }

    #[test]
    fn the_host_moves_to_a_live_broker() {
        let h = Coordinator::host("testAPI", 3, &[true, true, true]).unwrap();
        let mut up = [true; 3];
        up[h as usize] = false;
        let h2 = Coordinator::host("testAPI", 3, &up).unwrap();
        assert_ne!(h, h2);
        assert_eq!(Coordinator::host("testAPI", 3, &[false; 3]), None);
    }
}
