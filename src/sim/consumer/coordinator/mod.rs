//! The group coordinator (classic protocol): members, eager rebalances with the
//! RangeAssignor, heartbeats and session expiry, and the group's committed offsets.
//! It lives on a broker; the simulation routes its messages there.

use crate::sim::kernel::{AssignedPartition, Core, Event, Message};
use crate::sim::network::Node;
use crate::sim::queue::EventId;
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::trace::{BrokerId, KafkaError, TraceEvent};
use std::collections::BTreeMap;

mod clients;
pub use clients::{ClientGroupReply, GroupRefusal, SharedMember};

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

/// Who a member is: one of the simulated consumers (an incarnation of it: a crash starts
/// a new one), or a real client's consumer on `kafka-flow serve` (`clients.rs`), known
/// only by its member id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberKind {
    Simulated { consumer: u32, incarnation: u32 },
    Client,
}

#[derive(Clone, Debug)]
pub struct Member {
    pub(crate) kind: MemberKind,
    pub member_id: String,
    pub(crate) last_heartbeat: SimTime,
    pub(crate) joined: bool,
    /// This membership's number: a member that leaves and joins again gets a new one.
    serial: u64,
    /// Its pending session check, cancelled when the membership ends otherwise (a member
    /// leaving and joining again once per round trip would pile up 45 s checks).
    session_check: Option<EventId>,
    /// Its session.timeout.ms: the consumers' setting for a simulated member, the one its
    /// JoinGroup carried for a real client's.
    session: SimDuration,
    /// Its rebalance timeout (max.poll.interval.ms); the group waits for the longest.
    rebalance: SimDuration,
}

impl Member {
    /// The simulated consumer (and its incarnation) this member is, if it is one.
    pub fn simulated(&self) -> Option<(u32, u32)> {
        match self.kind {
            MemberKind::Simulated {
                consumer,
                incarnation,
            } => Some((consumer, incarnation)),
            MemberKind::Client => None,
        }
    }
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
    /// The simulated consumers' partitions, by consumer.
    pub(crate) assignment: Vec<(u32, Vec<u32>)>,
    next_serial: u64,
    /// Real clients' part of the group (`clients.rs`): empty in a run without them.
    pub(crate) clients: clients::ClientPart,
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
        let kind = MemberKind::Simulated {
            consumer,
            incarnation,
        };
        self.members
            .iter()
            .find(|(_, m)| m.kind == kind)
            .map(|(id, _)| id)
    }

    /// A new member of the group, with its session check (`GroupMetadataManager`
    /// `addMemberAndRebalance`, `rescheduleClassicGroupMemberHeartbeat`). The first member
    /// of a group without a leader leads it.
    fn add_member(
        &mut self,
        core: &mut Core,
        id: &str,
        kind: MemberKind,
        session: SimDuration,
        rebalance: SimDuration,
    ) {
        self.next_serial += 1;
        let serial = self.next_serial;
        let check = core.timer_at(core.now + session, Event::MemberSessionCheck { serial });
        self.members.insert(
            id.to_string(),
            Member {
                kind,
                member_id: id.to_string(),
                last_heartbeat: core.now,
                joined: false,
                serial,
                session_check: Some(check),
                session,
                rebalance,
            },
        );
        if self.clients.leader.is_none() {
            self.clients.leader = Some(id.to_string());
        }
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
            let kind = MemberKind::Simulated {
                consumer,
                incarnation,
            };
            let session = SimDuration::from_millis(core.cfg.consumer.session_timeout_ms);
            self.add_member(core, &id, kind, session, rebalance_timeout(core));
            id
        };
        let known_and_joined = self.members.get(&id).is_some_and(|m| m.joined);
        if known_and_joined && self.clients.completing {
            // It is waiting for the real leader's assignment already: nothing changes.
            return;
        }
        let known_and_stable = !self.rebalancing && self.generation > 0 && known_and_joined;
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
        self.begin_rebalance(core, host, Some(&id));
        self.try_complete(core, host, partitions);
    }

    /// A rebalance begins, or begins again: a group completing a rebalance (waiting for a
    /// real leader's assignment) goes back to preparing one, as Kafka's does when a member
    /// joins or leaves then (`GroupMetadataManager.prepareRebalance`).
    fn begin_rebalance(&mut self, core: &mut Core, host: BrokerId, joiner: Option<&str>) {
        if self.clients.completing {
            self.clients.completing = false;
            self.fail_parked_syncs();
            self.start_rebalance(core, host, joiner);
        } else if !self.rebalancing {
            self.start_rebalance(core, host, joiner);
        }
    }

    /// Every other member learns that it must rejoin: a simulated consumer from the
    /// coordinator's notice, a real client from its next heartbeat's REBALANCE_IN_PROGRESS.
    /// Simulated members still waiting for an assignment (the previous round never
    /// completed) stay joined: their JoinGroup is still the coordinator's.
    fn start_rebalance(&mut self, core: &mut Core, host: BrokerId, joiner: Option<&str>) {
        let restarting = self.rebalancing;
        self.rebalancing = true;
        self.round += 1;
        for m in self.members.values_mut() {
            if !m.joined || joiner == Some(m.member_id.as_str()) || self.generation == 0 {
                continue;
            }
            match m.kind {
                MemberKind::Simulated { .. } if restarting => {}
                MemberKind::Simulated {
                    consumer,
                    incarnation,
                } => {
                    m.joined = false;
                    core.send(
                        Node::Broker(host),
                        Node::Consumer(consumer),
                        Message::RebalanceNotice { incarnation },
                    );
                }
                MemberKind::Client => m.joined = false,
            }
        }
        let wait = if self.initial_wait_over {
            self.rebalance_wait(core)
        } else {
            SimDuration::from_millis(core.cfg.consumer.group_initial_rebalance_delay_ms)
        };
        self.rebalance_deadline = Some((core.now + wait, !self.initial_wait_over));
        core.after(wait, Event::RebalanceDeadline { round: self.round });
    }

    /// The group's rebalance timeout: the longest of its members' (`ClassicGroup
    /// .rebalanceTimeoutMs`), the consumers' max.poll.interval.ms when all are simulated.
    fn rebalance_wait(&self, core: &Core) -> SimDuration {
        self.members
            .values()
            .map(|m| m.rebalance)
            .fold(rebalance_timeout(core), SimDuration::max)
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
        if self.clients.completing {
            // The real leader never sent its assignment within the rebalance timeout: the
            // real members that did not sync are removed (`expirePendingSync`).
            self.clients.completing = false;
            self.drop_unsynced(core);
            self.after_removal(core, host, partitions);
            return;
        }
        if self.initial_wait_over {
            // Members that never rejoined within the rebalance timeout are dropped.
            let dropped: Vec<String> = self
                .members
                .values()
                .filter(|m| !m.joined)
                .map(|m| m.member_id.clone())
                .collect();
            for id in dropped {
                let gone = self.remove(core, &id);
                // A real member is told (its server logs it and forgets it).
                if gone.is_some_and(|m| m.kind == MemberKind::Client) {
                    self.clients.expired(id);
                }
            }
        }
        self.initial_wait_over = true;
        self.try_complete(core, host, partitions);
    }

    /// Removes a member: its session check is cancelled, and a leader leaving leaves the
    /// group without one until the next join completes. A real member is told.
    fn remove(&mut self, core: &mut Core, id: &str) -> Option<Member> {
        let m = self.members.remove(id)?;
        if let Some(check) = m.session_check {
            core.cancel(check);
        }
        if self.clients.leader.as_deref() == Some(id) {
            self.clients.leader = None;
        }
        if m.kind == MemberKind::Client {
            self.clients.forget(id);
        }
        Some(m)
    }

    /// Completes the join phase once every member has rejoined, with a new generation. A
    /// simulated leader's RangeAssignor assignment goes out at once, with the committed
    /// offsets of each partition; a real leader is sent the members and the group waits
    /// for its SyncGroup (`clients.rs`).
    fn try_complete(&mut self, core: &mut Core, host: BrokerId, partitions: &[(u32, i64)]) {
        if !self.rebalancing
            || self.clients.completing
            || !self.initial_wait_over
            || self.members.values().any(|m| !m.joined)
        {
            return;
        }
        self.generation += 1;
        self.elect_leader();
        if self.leader_is_client() {
            self.await_client_leader(core);
            return;
        }
        self.answer_joins(core.now);
        let n = self.members.len() as u32;
        let total = partitions.len() as u32;
        let mut ranges = Vec::with_capacity(self.members.len());
        let mut next = 0u32;
        for (i, m) in self.members.values().enumerate() {
            // RangeAssignor: members in member id order, P / C each, the first P mod C one more.
            let count = total / n + u32::from((i as u32) < total % n);
            ranges.push((m.member_id.clone(), (next..next + count).collect()));
            next += count;
        }
        self.apply_assignment(core, host, ranges, partitions);
    }

    /// The new generation's assignment, by member id: the simulated members are sent
    /// theirs, the real members' wait for their SyncGroup.
    fn apply_assignment(
        &mut self,
        core: &mut Core,
        host: BrokerId,
        by_member: Vec<(String, Vec<u32>)>,
        partitions: &[(u32, i64)],
    ) {
        self.rebalancing = false;
        self.rebalance_deadline = None;
        self.assignment.clear();
        self.clients.assignment.clear();
        for (id, mine) in by_member {
            match self.members.get(&id).map(|m| m.kind) {
                Some(MemberKind::Simulated { consumer, .. }) => {
                    self.assignment.push((consumer, mine));
                }
                Some(MemberKind::Client) => {
                    self.clients.assignment.insert(id, mine);
                }
                None => {}
            }
        }
        let members: Vec<(u32, u32)> = self
            .members
            .values()
            .filter_map(Member::simulated)
            .collect();
        for (consumer, incarnation) in members {
            self.send_assignment(core, host, consumer, incarnation, partitions);
        }
        self.answer_parked_syncs(core.now);
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
                // This member has not rejoined: tell it again (its notice may have been lost).
                core.send(
                    Node::Broker(host),
                    Node::Consumer(consumer),
                    Message::RebalanceNotice { incarnation },
                );
            }
        }
    }

    /// A member whose heartbeats stopped for its session.timeout.ms leaves the group.
    /// `serial` names the membership, whoever it is.
    pub fn on_session_check(
        &mut self,
        core: &mut Core,
        host: BrokerId,
        serial: u64,
        partitions: &[(u32, i64)],
    ) {
        let (rebalancing, completing) = (self.rebalancing, self.clients.completing);
        let Some(member) = self.members.values_mut().find(|m| m.serial == serial) else {
            return;
        };
        member.session_check = None; // this is it, firing
        // A member whose JoinGroup or SyncGroup the coordinator holds is kept alive
        // (`ClassicGroupMember.hasSatisfiedHeartbeat`: awaiting join or sync). A simulated
        // member's JoinGroup is held only while a real leader's assignment is awaited: in a
        // group of simulated members alone the rebalance completes as it always did.
        let held =
            member.joined && rebalancing && (completing || member.kind == MemberKind::Client);
        let last = if held {
            core.now
        } else {
            member.last_heartbeat
        };
        if core.now.since(last) < member.session {
            member.session_check =
                Some(core.timer_at(last + member.session, Event::MemberSessionCheck { serial }));
            return;
        }
        let id = member.member_id.clone();
        let Some(gone) = self.remove(core, &id) else {
            return;
        };
        match gone.kind {
            MemberKind::Simulated { consumer, .. } => core.emit(TraceEvent::MemberExpired {
                consumer,
                member: id,
            }),
            MemberKind::Client => self.clients.expired(id),
        }
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
        self.remove(core, &id);
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
            self.clients.completing = false;
            self.assignment.clear();
            self.clients.assignment.clear();
            self.generation += 1;
            self.initial_wait_over = false;
            return;
        }
        self.begin_rebalance(core, host, None);
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
