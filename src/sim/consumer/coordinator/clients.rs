//! Real clients' consumers in the simulated consumers' group (`kafka-flow serve`): they
//! join, sync, heartbeat, commit and leave through the same coordinator, so one group
//! hands out the partitions to simulated and real members alike.
//!
//! The simulated consumers' join and sync are one step here: their leader's RangeAssignor
//! runs in the coordinator when the join phase completes. A real member speaks the classic
//! protocol in full (`GroupMetadataManager.classicGroupJoin`, `classicGroupSync`,
//! `classicGroupHeartbeat`, `classicGroupLeave`): its JoinGroup is answered when the join
//! phase completes, with the member ids if it leads; its SyncGroup gets its partitions.
//! When a real member leads (it was the first to join, as Kafka's `ClassicGroup.add`
//! picks), the group waits in CompletingRebalance for its SyncGroup, and its assignment
//! is what the simulated members are sent.
//!
//! Answers that wait are queued as [`ClientGroupReply`] for the server to send.

use super::{Coordinator, MemberKind};
use crate::sim::kernel::{Core, Event};
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::trace::BrokerId;
use std::collections::{BTreeMap, BTreeSet};

/// Why the coordinator refuses a real member's request (Kafka's error of the same name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupRefusal {
    UnknownMemberId,
    IllegalGeneration,
    RebalanceInProgress,
}

/// An answer for a real member, queued for the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientGroupReply {
    /// Its JoinGroup: the generation and its leader; the leader also gets every member id.
    Joined {
        member: String,
        generation: u32,
        leader: String,
        members: Vec<String>,
    },
    /// Its SyncGroup: its partitions.
    Assigned {
        member: String,
        partitions: Vec<u32>,
    },
    /// Its parked SyncGroup fails: a new rebalance began before the leader's assignment.
    SyncFailed { member: String, error: GroupRefusal },
    /// It was removed: its session expired, or it did not sync in time.
    Removed { member: String },
}

/// The real members' share of the coordinator's state.
#[derive(Clone, Debug, Default)]
pub struct ClientPart {
    /// The group's leader (`ClassicGroup.leaderId`), simulated or real.
    pub(crate) leader: Option<String>,
    /// The join phase completed with a real leader: CompletingRebalance, waiting for its
    /// SyncGroup.
    pub(crate) completing: bool,
    /// The real members' partitions in the current generation.
    pub(crate) assignment: BTreeMap<String, Vec<u32>>,
    /// SyncGroups that wait for the leader's assignment.
    parked_sync: BTreeSet<String>,
    /// The real members that sent SyncGroup in this CompletingRebalance.
    synced: BTreeSet<String>,
    pub(crate) replies: Vec<ClientGroupReply>,
}

impl ClientPart {
    pub(super) fn forget(&mut self, id: &str) {
        self.parked_sync.remove(id);
        self.synced.remove(id);
        self.assignment.remove(id);
    }

    pub(super) fn expired(&mut self, id: String) {
        self.replies.push(ClientGroupReply::Removed { member: id });
    }
}

impl Coordinator {
    /// Keeps the leader while it is a member; else the member that joined first.
    pub(super) fn elect_leader(&mut self) {
        let current = self.clients.leader.as_ref();
        if current.is_some_and(|l| self.members.contains_key(l)) {
            return;
        }
        self.clients.leader = self
            .members
            .values()
            .min_by_key(|m| m.serial)
            .map(|m| m.member_id.clone());
    }

    pub(super) fn leader_is_client(&self) -> bool {
        let leader = self.clients.leader.as_ref();
        leader
            .and_then(|l| self.members.get(l))
            .is_some_and(|m| m.kind == MemberKind::Client)
    }

    /// The join phase completed with a real leader: every real member gets its JoinGroup
    /// answer, and the group waits for the leader's SyncGroup within the rebalance timeout.
    pub(super) fn await_client_leader(&mut self, core: &mut Core) {
        self.clients.completing = true;
        self.clients.synced.clear();
        self.clients.parked_sync.clear();
        self.answer_joins(core.now);
        self.round += 1;
        let wait = self.rebalance_wait(core);
        self.rebalance_deadline = Some((core.now + wait, false));
        core.after(wait, Event::RebalanceDeadline { round: self.round });
    }

    /// Every real member's JoinGroup answer for the generation that just formed.
    pub(super) fn answer_joins(&mut self, now: SimTime) {
        let ids: Vec<String> = self
            .members
            .values()
            .filter(|m| m.kind == MemberKind::Client)
            .map(|m| m.member_id.clone())
            .collect();
        for id in ids {
            self.answer_join(&id, now);
        }
    }

    /// A real member's JoinGroup answer; its session starts again from the answer
    /// (`completeAndScheduleNextHeartbeatExpiration`), not from its last heartbeat before
    /// the coordinator held its request.
    fn answer_join(&mut self, member: &str, now: SimTime) {
        if let Some(m) = self.members.get_mut(member) {
            m.last_heartbeat = now;
        }
        let leader = self.clients.leader.clone().unwrap_or_default();
        let members = if leader == member {
            self.members.keys().cloned().collect()
        } else {
            Vec::new()
        };
        self.clients.replies.push(ClientGroupReply::Joined {
            member: member.to_string(),
            generation: self.generation,
            leader,
            members,
        });
    }

    /// The SyncGroups that waited for the leader get their partitions (and their sessions
    /// start again).
    pub(super) fn answer_parked_syncs(&mut self, now: SimTime) {
        for member in std::mem::take(&mut self.clients.parked_sync) {
            if let Some(m) = self.members.get_mut(&member) {
                m.last_heartbeat = now;
            }
            let partitions = self
                .clients
                .assignment
                .get(&member)
                .cloned()
                .unwrap_or_default();
            self.clients
                .replies
                .push(ClientGroupReply::Assigned { member, partitions });
        }
        self.clients.synced.clear();
    }

    pub(super) fn fail_parked_syncs(&mut self) {
        for member in std::mem::take(&mut self.clients.parked_sync) {
            self.clients.replies.push(ClientGroupReply::SyncFailed {
                member,
                error: GroupRefusal::RebalanceInProgress,
            });
        }
        self.clients.synced.clear();
    }

    /// The rebalance timeout ran out in CompletingRebalance: the real members that never
    /// sent SyncGroup are removed (`GroupMetadataManager.expirePendingSync`).
    pub(super) fn drop_unsynced(&mut self, core: &mut Core) {
        let gone: Vec<String> = self
            .members
            .values()
            .filter(|m| m.kind == MemberKind::Client && !self.clients.synced.contains(&m.member_id))
            .map(|m| m.member_id.clone())
            .collect();
        self.fail_parked_syncs();
        for id in gone {
            self.remove(core, &id);
            self.clients.expired(id);
        }
    }

    /// A real member's JoinGroup, with its id (the server handed it out). Answered later
    /// through the replies, when the join phase completes; at once when nothing changes.
    pub fn client_join(
        &mut self,
        core: &mut Core,
        host: BrokerId,
        member: &str,
        session: SimDuration,
        rebalance: SimDuration,
        partitions: &[(u32, i64)],
    ) {
        let joined = self.members.get(member).map(|m| m.joined);
        let leads = self.clients.leader.as_deref() == Some(member);
        match joined {
            // Its JoinGroup answer was lost: the same answer again
            // (`classicGroupJoinExistingMember`); a leader rejoining a stable group rebalances.
            Some(true) if self.clients.completing || (!self.rebalancing && !leads) => {
                self.answer_join(member, core.now);
                return;
            }
            Some(_) => {}
            None => self.add_member(core, member, MemberKind::Client, session, rebalance),
        }
        if let Some(m) = self.members.get_mut(member) {
            m.joined = true;
            m.last_heartbeat = core.now;
            m.session = session;
            m.rebalance = rebalance;
        }
        self.begin_rebalance(core, host, Some(member));
        self.try_complete(core, host, partitions);
    }

    /// A real member's SyncGroup: its partitions at once in a stable group; a real leader's
    /// assignment (by member id) completes the rebalance for everyone; a follower waits
    /// for it.
    pub fn client_sync(
        &mut self,
        core: &mut Core,
        host: BrokerId,
        member: &str,
        generation: i32,
        assignment: Vec<(String, Vec<u32>)>,
        partitions: &[(u32, i64)],
    ) -> Result<(), GroupRefusal> {
        self.valid_member(core, member, generation)?;
        if self.rebalancing && !self.clients.completing {
            return Err(GroupRefusal::RebalanceInProgress);
        }
        if !self.clients.completing {
            let partitions = self
                .clients
                .assignment
                .get(member)
                .cloned()
                .unwrap_or_default();
            self.clients.replies.push(ClientGroupReply::Assigned {
                member: member.to_string(),
                partitions,
            });
            return Ok(());
        }
        self.clients.synced.insert(member.to_string());
        self.clients.parked_sync.insert(member.to_string());
        if self.clients.leader.as_deref() == Some(member) {
            self.clients.completing = false;
            // Every member gets an entry, an empty one if the leader gave it nothing.
            let given: BTreeMap<String, Vec<u32>> = assignment.into_iter().collect();
            let full = self
                .members
                .keys()
                .map(|id| (id.clone(), given.get(id).cloned().unwrap_or_default()))
                .collect();
            self.apply_assignment(core, host, full, partitions);
        }
        Ok(())
    }

    /// A real member's Heartbeat: REBALANCE_IN_PROGRESS tells it to rejoin.
    pub fn client_heartbeat(
        &mut self,
        core: &mut Core,
        member: &str,
        generation: i32,
    ) -> Result<(), GroupRefusal> {
        self.valid_member(core, member, generation)?;
        if self.rebalancing && !self.clients.completing {
            return Err(GroupRefusal::RebalanceInProgress);
        }
        Ok(())
    }

    /// A real member's OffsetCommit (`ClassicGroup.validateOffsetCommit`). A commit without
    /// a member or generation is accepted only while the group has no member.
    pub fn client_commit(
        &mut self,
        core: &mut Core,
        member: &str,
        generation: i32,
        offsets: &[(u32, i64)],
    ) -> Result<(), GroupRefusal> {
        let simple = generation < 0 && member.is_empty() && self.members.is_empty();
        if !simple {
            self.valid_member(core, member, generation)?;
            if self.clients.completing {
                return Err(GroupRefusal::RebalanceInProgress);
            }
        }
        for &(p, o) in offsets {
            self.committed.insert(p, o);
        }
        Ok(())
    }

    /// A real member's LeaveGroup: removed at once, and the rest rebalance.
    pub fn client_leave(
        &mut self,
        core: &mut Core,
        host: BrokerId,
        member: &str,
        partitions: &[(u32, i64)],
    ) -> Result<(), GroupRefusal> {
        if self.members.get(member).map(|m| m.kind) != Some(MemberKind::Client) {
            return Err(GroupRefusal::UnknownMemberId);
        }
        self.remove(core, member);
        self.after_removal(core, host, partitions);
        Ok(())
    }

    /// A known real member of this generation; its session starts again.
    fn valid_member(
        &mut self,
        core: &Core,
        member: &str,
        generation: i32,
    ) -> Result<(), GroupRefusal> {
        let Some(m) = self
            .members
            .get_mut(member)
            .filter(|m| m.kind == MemberKind::Client)
        else {
            return Err(GroupRefusal::UnknownMemberId);
        };
        if i64::from(generation) != i64::from(self.generation) {
            return Err(GroupRefusal::IllegalGeneration);
        }
        m.last_heartbeat = core.now;
        Ok(())
    }

    /// The replies waiting for the server.
    pub fn take_client_replies(&mut self) -> Vec<ClientGroupReply> {
        std::mem::take(&mut self.clients.replies)
    }

    /// The real members' view of the group: every member (real or not) with its partitions.
    pub fn shared_members(&self) -> Vec<SharedMember> {
        self.members
            .values()
            .map(|m| {
                let partitions = match m.kind {
                    MemberKind::Simulated { consumer, .. } => self
                        .assignment
                        .iter()
                        .find(|(c, _)| *c == consumer)
                        .map(|(_, ps)| ps.clone()),
                    MemberKind::Client => self.clients.assignment.get(&m.member_id).cloned(),
                };
                SharedMember {
                    member_id: m.member_id.clone(),
                    consumer: m.simulated().map(|(c, _)| c),
                    partitions: partitions.unwrap_or_default(),
                }
            })
            .collect()
    }
}

/// A member of the shared group, as the server shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedMember {
    pub member_id: String,
    /// The simulated consumer's index; `None` for a real client.
    pub consumer: Option<u32>,
    pub partitions: Vec<u32>,
}
