//! The state of one classic group and its transitions (Kafka's ClassicGroup and the
//! classic-group half of GroupMetadataManager). `Groups` in the parent module routes
//! requests here; everything in this file is pure and deterministic.

use std::collections::BTreeMap;

use super::{
    Done, GroupError, GroupEvent, GroupState, JoinRequest, JoinResult, LeaveReason, Protocol,
    RebalanceReason, SyncResult, Waiter,
};

#[derive(Clone, Debug)]
pub(super) struct Member {
    pub(super) client_id: String,
    pub(super) protocols: Vec<Protocol>,
    pub(super) session_timeout_ms: u64,
    pub(super) rebalance_timeout_ms: u64,
    /// Join order: the leader's member list and the next leader follow it.
    pub(super) seq: u64,
    /// A JoinGroup is parked (it counts even if its connection closed, as in Kafka).
    pub(super) awaiting_join: bool,
    pub(super) join_waiter: Option<Waiter>,
    pub(super) awaiting_sync: bool,
    pub(super) sync_waiter: Option<Waiter>,
    /// ClassicGroup.pendingSyncMembers: joined this generation but has not synced yet.
    pub(super) pending_sync: bool,
    pub(super) last_seen: u64,
    pub(super) assignment: Vec<u8>,
}

impl Member {
    /// MemberMetadata.shouldKeepAlive: a member waiting on the coordinator is not expired
    /// by its session; the rebalance and pending-sync timeouts bound those waits instead.
    pub(super) fn keep_alive(&self) -> bool {
        self.awaiting_join || self.awaiting_sync
    }
    pub(super) fn session_deadline(&self) -> u64 {
        self.last_seen.saturating_add(self.session_timeout_ms)
    }
}

#[derive(Clone, Debug)]
pub(super) struct Group {
    pub(super) name: String,
    pub(super) state: GroupState,
    pub(super) previous: GroupState,
    pub(super) generation: i32,
    pub(super) protocol_type: Option<String>,
    pub(super) protocol: Option<String>,
    pub(super) leader: Option<String>,
    pub(super) members: BTreeMap<String, Member>,
    /// ClassicGroup.pendingJoinMembers: ids handed out with MEMBER_ID_REQUIRED -> expiry.
    pub(super) pending: BTreeMap<String, u64>,
    pub(super) join_deadline: u64,
    /// InitialDelayedJoin: (remaining ms it may still extend by, the current delay, a new
    /// member joined meanwhile).
    pub(super) initial: Option<(u64, u64, bool)>,
    pub(super) sync_deadline: Option<u64>,
    pub(super) offsets: BTreeMap<(String, i32), (i64, Option<String>)>,
    pub(super) next_seq: u64,
}

pub(super) struct Out<'a> {
    pub(super) done: &'a mut Vec<Done>,
    pub(super) events: &'a mut Vec<GroupEvent>,
    pub(super) initial_delay_ms: u64,
}

impl Group {
    pub(super) fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            state: GroupState::Empty,
            previous: GroupState::Empty,
            generation: 0,
            protocol_type: None,
            protocol: None,
            leader: None,
            members: BTreeMap::new(),
            pending: BTreeMap::new(),
            join_deadline: 0,
            initial: None,
            sync_deadline: None,
            offsets: BTreeMap::new(),
            next_seq: 0,
        }
    }

    pub(super) fn transition(&mut self, to: GroupState) {
        self.previous = self.state;
        self.state = to;
    }

    /// ClassicGroup.rebalanceTimeoutMs: the largest of the members'.
    pub(super) fn rebalance_timeout(&self) -> u64 {
        self.members
            .values()
            .map(|m| m.rebalance_timeout_ms)
            .max()
            .unwrap_or(0)
    }

    /// ClassicGroup.hasAllMembersJoined.
    pub(super) fn all_joined(&self) -> bool {
        self.pending.is_empty() && self.members.values().all(|m| m.awaiting_join)
    }

    /// ClassicGroup.supportsProtocols: an empty group takes any non-empty type and list;
    /// otherwise the type must match and one protocol must be supported by every member.
    pub(super) fn supports(&self, protocol_type: &str, protocols: &[Protocol]) -> bool {
        if self.members.is_empty() {
            return !protocol_type.is_empty() && !protocols.is_empty();
        }
        self.protocol_type.as_deref() == Some(protocol_type)
            && protocols.iter().any(|p| {
                self.members
                    .values()
                    .all(|m| m.protocols.iter().any(|q| q.name == p.name))
            })
    }

    /// ClassicGroup.selectProtocol: candidates are the protocols every member supports;
    /// each member votes for its first candidate; most votes wins. Kafka breaks ties by
    /// map order; here the leader's preference order breaks them, to stay deterministic.
    pub(super) fn select_protocol(&self) -> Option<String> {
        let all = |name: &str| {
            self.members
                .values()
                .all(|m| m.protocols.iter().any(|p| p.name == name))
        };
        let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
        for m in self.members.values() {
            if let Some(p) = m.protocols.iter().find(|p| all(&p.name)) {
                *votes.entry(p.name.as_str()).or_default() += 1;
            }
        }
        let leader = self.leader.as_ref().and_then(|l| self.members.get(l))?;
        let mut best: Option<(&str, usize)> = None;
        for p in &leader.protocols {
            let n = votes.get(p.name.as_str()).copied().unwrap_or(0);
            if n > 0 && best.is_none_or(|(_, b)| n > b) {
                best = Some((p.name.as_str(), n));
            }
        }
        best.map(|(name, _)| name.to_string())
    }

    pub(super) fn members_in_join_order(&self) -> Vec<(&String, &Member)> {
        let mut v: Vec<_> = self.members.iter().collect();
        v.sort_by_key(|(_, m)| m.seq);
        v
    }

    /// The member list the leader gets (ClassicGroup.currentClassicGroupMembers).
    pub(super) fn leader_view(&self, member_id: &str) -> Vec<(String, Vec<u8>)> {
        if self.leader.as_deref() != Some(member_id) {
            return Vec::new();
        }
        let proto = self.protocol.as_deref().unwrap_or_default();
        self.members_in_join_order()
            .into_iter()
            .map(|(id, m)| {
                let meta = m
                    .protocols
                    .iter()
                    .find(|p| p.name == proto)
                    .map(|p| p.metadata.clone())
                    .unwrap_or_default();
                (id.clone(), meta)
            })
            .collect()
    }

    pub(super) fn join_result(&self, member_id: &str) -> JoinResult {
        JoinResult {
            error: GroupError::None,
            generation: self.generation,
            protocol_name: self.protocol.clone(),
            leader: self.leader.clone().unwrap_or_default(),
            member_id: member_id.to_string(),
            members: self.leader_view(member_id),
        }
    }

    /// GroupMetadataManager.prepareRebalance: parked syncs are answered
    /// REBALANCE_IN_PROGRESS (resetAndPropagateAssignmentWithError), pending syncs are
    /// dropped, and the join phase gets its deadline: the initial delay if the group was
    /// Empty (group.initial.rebalance.delay.ms), else the rebalance timeout.
    pub(super) fn prepare_rebalance(&mut self, now: u64, why: RebalanceReason, out: &mut Out) {
        if self.state == GroupState::CompletingRebalance {
            for m in self.members.values_mut().filter(|m| m.awaiting_sync) {
                // GroupCoordinator.propagateAssignment renews the session of every member it
                // answers: its session was not checked while it waited.
                m.last_seen = now;
                m.awaiting_sync = false;
                if let Some(w) = m.sync_waiter.take() {
                    out.done.push(Done::Sync(
                        w,
                        SyncResult::failed(GroupError::RebalanceInProgress),
                    ));
                }
            }
        }
        for m in self.members.values_mut() {
            m.pending_sync = false;
        }
        self.sync_deadline = None;
        let timeout = self.rebalance_timeout();
        if self.state == GroupState::Empty {
            let delay = out.initial_delay_ms;
            self.initial = Some((timeout.saturating_sub(delay), delay, false));
            self.join_deadline = now.saturating_add(delay);
        } else {
            self.initial = None;
            self.join_deadline = now.saturating_add(timeout);
        }
        out.events.push(GroupEvent::RebalanceStarted {
            group: self.name.clone(),
            generation: self.generation,
            why,
        });
        self.transition(GroupState::PreparingRebalance);
    }

    /// GroupMetadataManager.maybeCompleteJoinPhase and the (Initial)DelayedJoin expiry:
    /// complete once every member rejoined (never early for a group that was Empty, so
    /// the initial delay can gather more members) or when the deadline passed.
    pub(super) fn maybe_complete_join(&mut self, now: u64, out: &mut Out) {
        if self.state != GroupState::PreparingRebalance {
            return;
        }
        if self.all_joined() && self.previous != GroupState::Empty {
            self.complete_join(now, out);
            return;
        }
        while now >= self.join_deadline {
            // InitialDelayedJoin.onExpiration: a member joined during the delay, so wait
            // one more delay (at most up to the rebalance timeout).
            // GroupMetadataManager.tryCompleteInitialRebalanceElseSchedule.
            if let Some((remaining, delay, true)) = self.initial
                && remaining > 0
            {
                let next = out.initial_delay_ms.min(remaining);
                self.initial = Some((remaining.saturating_sub(delay), next, false));
                self.join_deadline = self.join_deadline.saturating_add(next);
                continue;
            }
            self.complete_join(now, out);
            return;
        }
    }

    /// GroupMetadataManager.completeClassicGroupJoin: members that did not rejoin are
    /// removed, the generation advances (ClassicGroup.initNextGeneration), and every
    /// parked join is answered; the leader also gets the member list.
    pub(super) fn complete_join(&mut self, now: u64, out: &mut Out) {
        let laggards: Vec<String> = self
            .members
            .iter()
            .filter(|(_, m)| !m.awaiting_join)
            .map(|(id, _)| id.clone())
            .collect();
        for id in laggards {
            self.remove_member(&id, LeaveReason::NotRejoined, out);
        }
        self.generation = self.generation.saturating_add(1);
        self.initial = None;
        if self.members.is_empty() {
            self.protocol = None;
            self.transition(GroupState::Empty);
        } else {
            self.protocol = self.select_protocol();
            self.transition(GroupState::CompletingRebalance);
            self.sync_deadline = Some(now.saturating_add(self.rebalance_timeout()));
            let ids: Vec<String> = self.members.keys().cloned().collect();
            for id in ids {
                let result = self.join_result(&id);
                if let Some(m) = self.members.get_mut(&id) {
                    m.awaiting_join = false;
                    m.pending_sync = true;
                    m.last_seen = now;
                    if let Some(w) = m.join_waiter.take() {
                        out.done.push(Done::Join(w, result));
                    }
                }
            }
        }
        out.events.push(GroupEvent::RebalanceCompleted {
            group: self.name.clone(),
            generation: self.generation,
            leader: self.leader.clone(),
            protocol: self.protocol.clone(),
            members: self.members.len(),
        });
    }

    /// ClassicGroup.remove: a parked join or sync of the removed member is answered
    /// UNKNOWN_MEMBER_ID; a removed leader is replaced by the earliest-joined member.
    pub(super) fn remove_member(&mut self, id: &str, why: LeaveReason, out: &mut Out) {
        let Some(m) = self.members.remove(id) else {
            return;
        };
        if let Some(w) = m.join_waiter {
            out.done.push(Done::Join(
                w,
                JoinResult::failed(GroupError::UnknownMemberId, ""),
            ));
        }
        if let Some(w) = m.sync_waiter {
            out.done.push(Done::Sync(
                w,
                SyncResult::failed(GroupError::UnknownMemberId),
            ));
        }
        if self.leader.as_deref() == Some(id) {
            self.leader = self
                .members_in_join_order()
                .first()
                .map(|(id, _)| (*id).clone());
        }
        out.events.push(GroupEvent::MemberLeft {
            group: self.name.clone(),
            member: id.to_string(),
            why,
        });
        if self.members.is_empty() {
            self.sync_deadline = None;
        }
    }

    /// GroupMetadataManager.removeMemberAndUpdateClassicGroup.
    pub(super) fn remove_member_and_update(
        &mut self,
        now: u64,
        id: &str,
        why: LeaveReason,
        out: &mut Out,
    ) {
        self.remove_member(id, why, out);
        if matches!(
            self.state,
            GroupState::Stable | GroupState::CompletingRebalance
        ) {
            self.prepare_rebalance(now, RebalanceReason::MemberLeft(why), out);
        }
        self.maybe_complete_join(now, out);
    }

    /// GroupMetadataManager.addMemberThenRebalanceOrCompleteJoin.
    pub(super) fn add_member(
        &mut self,
        now: u64,
        waiter: Waiter,
        id: String,
        req: JoinRequest,
        out: &mut Out,
    ) {
        if self.members.is_empty() {
            self.protocol_type = Some(req.protocol_type.clone());
        }
        if self.leader.is_none() {
            self.leader = Some(id.clone());
        }
        out.events.push(GroupEvent::MemberJoined {
            group: self.name.clone(),
            member: id.clone(),
            client_id: req.client_id.clone(),
        });
        let seq = self.next_seq;
        self.next_seq = self.next_seq.saturating_add(1);
        self.members.insert(
            id,
            Member {
                client_id: req.client_id,
                protocols: req.protocols,
                session_timeout_ms: req.session_timeout_ms,
                rebalance_timeout_ms: req.rebalance_timeout_ms,
                seq,
                awaiting_join: true,
                join_waiter: Some(waiter),
                awaiting_sync: false,
                sync_waiter: None,
                pending_sync: false,
                last_seen: now,
                assignment: Vec::new(),
            },
        );
        if self.state == GroupState::PreparingRebalance {
            // ClassicGroup.newMemberAdded: lets InitialDelayedJoin wait once more.
            if let Some((_, _, added)) = self.initial.as_mut() {
                *added = true;
            }
        } else {
            self.prepare_rebalance(now, RebalanceReason::MemberJoined, out);
        }
        self.maybe_complete_join(now, out);
    }

    /// GroupMetadataManager.updateMemberThenRebalanceOrCompleteJoin.
    pub(super) fn update_member(
        &mut self,
        now: u64,
        waiter: Waiter,
        req: JoinRequest,
        out: &mut Out,
    ) {
        let Some(m) = self.members.get_mut(&req.member_id) else {
            return;
        };
        // Kafka overwrites an older parked join of the same member; answering it (so its
        // connection is not stuck forever) is this simulator's choice.
        if let Some(old) = m.join_waiter.replace(waiter) {
            out.done.push(Done::Join(
                old,
                JoinResult::failed(GroupError::RebalanceInProgress, &req.member_id),
            ));
        }
        m.awaiting_join = true;
        m.protocols = req.protocols;
        m.session_timeout_ms = req.session_timeout_ms;
        m.rebalance_timeout_ms = req.rebalance_timeout_ms;
        m.last_seen = now;
        if self.state != GroupState::PreparingRebalance {
            self.prepare_rebalance(now, RebalanceReason::MemberRejoined, out);
        }
        self.maybe_complete_join(now, out);
    }

    /// Runs the timers due at `now`: pending members, sessions, pending syncs, the join phase.
    pub(super) fn expire(&mut self, now: u64, out: &mut Out) {
        let before = self.pending.len();
        self.pending.retain(|_, deadline| *deadline > now);
        if self.pending.len() != before {
            self.maybe_complete_join(now, out);
        }
        // GroupMetadataManager.expireClassicGroupMemberHeartbeat.
        while let Some(id) = self
            .members
            .iter()
            .find(|(_, m)| !m.keep_alive() && m.session_deadline() <= now)
            .map(|(id, _)| id.clone())
        {
            self.remove_member_and_update(now, &id, LeaveReason::SessionExpired, out);
        }
        // GroupMetadataManager.expirePendingSync: members that joined but never synced.
        if let Some(deadline) = self.sync_deadline
            && now >= deadline
        {
            self.sync_deadline = None;
            let late: Vec<String> = self
                .members
                .iter()
                .filter(|(_, m)| m.pending_sync)
                .map(|(id, _)| id.clone())
                .collect();
            if !late.is_empty()
                && matches!(
                    self.state,
                    GroupState::CompletingRebalance | GroupState::Stable
                )
            {
                for id in &late {
                    self.remove_member(id, LeaveReason::NotSynced, out);
                }
                self.prepare_rebalance(
                    now,
                    RebalanceReason::MemberLeft(LeaveReason::NotSynced),
                    out,
                );
            }
        }
        self.maybe_complete_join(now, out);
    }

    pub(super) fn next_deadline(&self) -> Option<u64> {
        let sessions = self
            .members
            .values()
            .filter(|m| !m.keep_alive())
            .map(Member::session_deadline);
        let join = (self.state == GroupState::PreparingRebalance).then_some(self.join_deadline);
        self.pending
            .values()
            .copied()
            .chain(sessions)
            .chain(join)
            .chain(self.sync_deadline)
            .min()
    }
}
