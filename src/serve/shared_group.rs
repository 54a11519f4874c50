//! The group real consumers share with the simulated ones: requests for the simulated
//! consumers' `group.id` go to the simulation's own coordinator (`sim::client_group`), so
//! one group hands out the partitions to both. Here: member ids (KIP-394), the range
//! protocol check, the consumer protocol's bytes, and the parked JoinGroup and SyncGroup
//! answers. Every other group is `group::Groups`'.

use super::consumer_protocol;
use super::group::{
    Done, GroupError, GroupEvent, JoinRequest, JoinResult, LeaveReason, SyncResult,
};
use super::world::World;
use crate::sim::Sim;
use crate::sim::client_group::{ClientGroupReply, GroupRefusal};
use std::collections::BTreeMap;

/// The assignor the simulated consumers run (`partition.assignment.strategy`'s
/// RangeAssignor): a real member must offer it to share their group.
pub const RANGE: &str = "range";

/// At most this many member ids handed out and not yet used (a client that asks for ids
/// and never joins cannot grow the map without bound).
const MAX_PENDING: usize = 1024;

/// The server's side of the shared group.
#[derive(Default)]
pub struct Shared {
    /// Member ids handed out with MEMBER_ID_REQUIRED, and until when they are valid.
    pending: BTreeMap<String, u64>,
    /// Parked JoinGroup and SyncGroup requests, by member id.
    joins: BTreeMap<String, u64>,
    syncs: BTreeMap<String, u64>,
    /// Each real member's subscription bytes for the range protocol (its leader reads them).
    metadata: BTreeMap<String, Vec<u8>>,
    /// Each real member's client id, for the view.
    pub(super) client_ids: BTreeMap<String, String>,
    /// A real client joined or committed: the view shows the group from then on.
    pub(super) used: bool,
}

pub(super) fn refusal(e: GroupRefusal) -> GroupError {
    match e {
        GroupRefusal::UnknownMemberId => GroupError::UnknownMemberId,
        GroupRefusal::IllegalGeneration => GroupError::IllegalGeneration,
        GroupRefusal::RebalanceInProgress => GroupError::RebalanceInProgress,
    }
}

impl World {
    /// A real member's JoinGroup for the shared group. Failures answer at once; a join is
    /// answered when the simulation's coordinator completes the join phase.
    pub(super) fn shared_join(&mut self, sim: &mut Sim, waiter: u64, req: &JoinRequest) {
        let fail = |e: GroupError, id: &str| Done::Join(waiter, JoinResult::failed(e, id));
        // group.min.session.timeout.ms and group.max.session.timeout.ms, as for other groups.
        let (min, max) = self.groups.session_bounds();
        if !(min..=max).contains(&req.session_timeout_ms) {
            let d = fail(GroupError::InvalidSessionTimeout, &req.member_id);
            return self.finish_groups(vec![d]);
        }
        let range = req.protocols.iter().find(|p| p.name == RANGE);
        let Some(range) = range.filter(|_| req.protocol_type == "consumer") else {
            self.log.no_range(self.now, &req.group);
            let d = fail(GroupError::InconsistentGroupProtocol, &req.member_id);
            return self.finish_groups(vec![d]);
        };
        let metadata = range.metadata.clone();
        let now = self.now_ms();
        self.shared.pending.retain(|_, until| *until > now);
        let id = if req.member_id.is_empty() {
            let id = self.groups.new_member_id(&req.client_id);
            if req.require_known_member_id {
                // KIP-394: hand out the id, and wait for the member to come back with it.
                if self.shared.pending.len() < MAX_PENDING {
                    let until = now.saturating_add(req.session_timeout_ms);
                    self.shared.pending.insert(id.clone(), until);
                }
                return self.finish_groups(vec![fail(GroupError::MemberIdRequired, &id)]);
            }
            id
        } else {
            req.member_id.clone()
        };
        let known = sim.client_group_member(&id);
        let pending = self.shared.pending.remove(&id).is_some();
        if !known && !pending && !req.member_id.is_empty() {
            let d = fail(GroupError::UnknownMemberId, &id);
            return self.finish_groups(vec![d]);
        }
        if !known {
            self.log.group(
                self.now,
                &GroupEvent::MemberJoined {
                    group: req.group.clone(),
                    member: id.clone(),
                    client_id: req.client_id.clone(),
                },
            );
        }
        self.shared.used = true;
        self.shared.metadata.insert(id.clone(), metadata);
        self.shared
            .client_ids
            .insert(id.clone(), req.client_id.clone());
        self.shared.joins.insert(id.clone(), waiter);
        sim.client_group_join(&id, req.session_timeout_ms, req.rebalance_timeout_ms);
        self.shared_replies(sim);
    }

    /// A real member's SyncGroup. A leader's assignment is read for the one topic.
    pub(super) fn shared_sync(
        &mut self,
        sim: &mut Sim,
        waiter: u64,
        member: &str,
        generation: i32,
        assignments: Vec<(String, Vec<u8>)>,
    ) {
        let topic = self.topic.clone().unwrap_or_default();
        let mut by_member = Vec::with_capacity(assignments.len());
        for (id, bytes) in assignments {
            match consumer_protocol::assigned_partitions(&bytes, &topic) {
                Ok(ps) => by_member.push((id, ps)),
                Err(why) => self.log.bad_assignment(self.now, &id, why),
            }
        }
        self.shared.syncs.insert(member.to_string(), waiter);
        if let Err(e) = sim.client_group_sync(member, generation, by_member) {
            self.shared.syncs.remove(member);
            let d = Done::Sync(waiter, SyncResult::failed(refusal(e)));
            self.finish_groups(vec![d]);
        }
        self.shared_replies(sim);
    }

    pub(super) fn shared_leave(&mut self, sim: &mut Sim, group: &str, member: &str) -> GroupError {
        let result = sim.client_group_leave(member);
        if result.is_ok() {
            self.forget_shared(member);
            let why = LeaveReason::Left;
            let e = GroupEvent::MemberLeft {
                group: group.to_string(),
                member: member.to_string(),
                why,
            };
            self.log.group(self.now, &e);
        }
        self.shared_replies(sim);
        result.map_or_else(refusal, |()| GroupError::None)
    }

    pub(super) fn shared_commit(
        &mut self,
        sim: &mut Sim,
        member: &str,
        generation: i32,
        offsets: &[(u32, i64)],
    ) -> GroupError {
        self.shared.used = true;
        match sim.client_group_commit(member, generation, offsets) {
            Ok(()) => GroupError::None,
            Err(e) => refusal(e),
        }
    }

    fn forget_shared(&mut self, member: &str) {
        self.shared.metadata.remove(member);
        self.shared.client_ids.remove(member);
        self.shared.joins.remove(member);
        self.shared.syncs.remove(member);
    }

    /// Answers what the simulation's coordinator decided for real members.
    pub(super) fn shared_replies(&mut self, sim: &mut Sim) {
        let replies = sim.take_client_group_replies();
        if replies.is_empty() {
            return;
        }
        let group = sim.config().consumer.group_id.clone();
        let topic = self.topic.clone().unwrap_or_default();
        let mut done = Vec::new();
        for reply in replies {
            match reply {
                ClientGroupReply::Joined {
                    member,
                    generation,
                    leader,
                    members,
                } => {
                    let Some(w) = self.shared.joins.remove(&member) else {
                        continue;
                    };
                    // The leader reads every member's subscription: a real member's own
                    // bytes, a simulated member's subscription to the one topic.
                    let members = members
                        .into_iter()
                        .map(|id| {
                            let meta = self.shared.metadata.get(&id).cloned();
                            let meta =
                                meta.unwrap_or_else(|| consumer_protocol::subscription(&topic));
                            (id, meta)
                        })
                        .collect();
                    let result = JoinResult {
                        error: GroupError::None,
                        generation: i32::try_from(generation).unwrap_or(i32::MAX),
                        protocol_name: Some(RANGE.to_string()),
                        leader,
                        member_id: member,
                        members,
                    };
                    done.push(Done::Join(w, result));
                }
                ClientGroupReply::Assigned { member, partitions } => {
                    let Some(w) = self.shared.syncs.remove(&member) else {
                        continue;
                    };
                    self.log
                        .shared_assigned(self.now, &group, &member, &partitions);
                    let result = SyncResult {
                        error: GroupError::None,
                        protocol_name: Some(RANGE.to_string()),
                        assignment: consumer_protocol::assignment(&topic, &partitions),
                    };
                    done.push(Done::Sync(w, result));
                }
                ClientGroupReply::SyncFailed { member, error } => {
                    if let Some(w) = self.shared.syncs.remove(&member) {
                        done.push(Done::Sync(w, SyncResult::failed(refusal(error))));
                    }
                }
                ClientGroupReply::Removed { member } => {
                    let e = GroupEvent::MemberLeft {
                        group: group.clone(),
                        member: member.clone(),
                        why: LeaveReason::SessionExpired,
                    };
                    self.log.group(self.now, &e);
                    if let Some(w) = self.shared.joins.remove(&member) {
                        let r = JoinResult::failed(GroupError::UnknownMemberId, &member);
                        done.push(Done::Join(w, r));
                    }
                    if let Some(w) = self.shared.syncs.remove(&member) {
                        done.push(Done::Sync(
                            w,
                            SyncResult::failed(GroupError::UnknownMemberId),
                        ));
                    }
                    self.forget_shared(&member);
                }
            }
        }
        self.finish_groups(done);
    }
}
