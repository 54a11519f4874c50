//! The group coordinator of `kafka-flow serve`: Kafka's classic consumer-group protocol
//! (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit/OffsetFetch) as a pure,
//! deterministic state machine. No clock, threads or I/O: time comes in as `now_ms`, and
//! requests that must wait (a JoinGroup until the rebalance completes, a follower's
//! SyncGroup until the leader's assignment arrives) are parked under the caller's
//! [`Waiter`] token and handed back as [`Done`] when they complete.
//!
//! It follows Kafka's GroupMetadataManager (classicGroupJoin, classicGroupSync,
//! classicGroupHeartbeat, classicGroupLeave) and ClassicGroup; the states are Kafka's
//! Empty, PreparingRebalance, CompletingRebalance and Stable (Dead is never entered: groups
//! are not deleted here).

use std::collections::BTreeMap;

mod classic;
use classic::{Group, Out};

/// The caller's token for a parked request.
pub type Waiter = u64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Protocol {
    pub name: String,
    pub metadata: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinRequest {
    pub group: String,
    /// "" on a member's first join.
    pub member_id: String,
    pub client_id: String,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    pub protocol_type: String,
    pub protocols: Vec<Protocol>,
    /// JoinGroup v4+: a member without an id first gets MEMBER_ID_REQUIRED and a new id.
    pub require_known_member_id: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinResult {
    pub error: GroupError,
    pub generation: i32,
    pub protocol_name: Option<String>,
    pub leader: String,
    pub member_id: String,
    /// Every member's metadata for the chosen protocol; only the leader gets it.
    pub members: Vec<(String, Vec<u8>)>,
}

impl JoinResult {
    pub(crate) fn failed(error: GroupError, member_id: &str) -> Self {
        // Kafka answers a failed join with generation -1 (JoinGroupRequest.UNKNOWN_GENERATION_ID).
        Self {
            error,
            generation: -1,
            protocol_name: None,
            leader: String::new(),
            member_id: member_id.to_string(),
            members: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncResult {
    pub error: GroupError,
    pub protocol_name: Option<String>,
    pub assignment: Vec<u8>,
}

impl SyncResult {
    pub(crate) fn failed(error: GroupError) -> Self {
        Self {
            error,
            protocol_name: None,
            assignment: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupError {
    None,
    CoordinatorNotAvailable,
    IllegalGeneration,
    InconsistentGroupProtocol,
    InvalidGroupId,
    UnknownMemberId,
    InvalidSessionTimeout,
    RebalanceInProgress,
    MemberIdRequired,
}

impl GroupError {
    /// Kafka's wire codes (org.apache.kafka.common.protocol.Errors).
    pub fn code(self) -> i16 {
        match self {
            Self::None => 0,
            Self::CoordinatorNotAvailable => 15,
            Self::IllegalGeneration => 22,
            Self::InconsistentGroupProtocol => 23,
            Self::InvalidGroupId => 24,
            Self::UnknownMemberId => 25,
            Self::InvalidSessionTimeout => 26,
            Self::RebalanceInProgress => 27,
            Self::MemberIdRequired => 79,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Done {
    Join(Waiter, JoinResult),
    Sync(Waiter, SyncResult),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
}

impl GroupState {
    /// The names DescribeGroups reports (ClassicGroupState.toString).
    pub fn name(self) -> &'static str {
        match self {
            Self::Empty => "Empty",
            Self::PreparingRebalance => "PreparingRebalance",
            Self::CompletingRebalance => "CompletingRebalance",
            Self::Stable => "Stable",
        }
    }
}

/// Why a member left the group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaveReason {
    /// It sent LeaveGroup.
    Left,
    /// No heartbeat, join, sync or commit within its session timeout.
    SessionExpired,
    /// It did not rejoin before the rebalance timeout.
    NotRejoined,
    /// It did not send SyncGroup within the rebalance timeout after the join completed.
    NotSynced,
}

/// What started a rebalance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RebalanceReason {
    MemberJoined,
    /// The leader rejoined, or a member rejoined with different protocols.
    MemberRejoined,
    MemberLeft(LeaveReason),
}

/// Things worth one log line each (commits are not events).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupEvent {
    MemberJoined {
        group: String,
        member: String,
        client_id: String,
    },
    MemberLeft {
        group: String,
        member: String,
        why: LeaveReason,
    },
    RebalanceStarted {
        group: String,
        generation: i32,
        why: RebalanceReason,
    },
    /// The join phase ended: `generation` is the new one (an empty group gets one too).
    RebalanceCompleted {
        group: String,
        generation: i32,
        leader: Option<String>,
        protocol: Option<String>,
        members: usize,
    },
    /// The leader's assignment arrived: the group is Stable.
    Stable { group: String, generation: i32 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberView {
    pub member_id: String,
    pub client_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupView {
    pub group: String,
    pub state: GroupState,
    pub generation: i32,
    pub protocol_type: Option<String>,
    pub protocol: Option<String>,
    pub leader: Option<String>,
    /// In join order.
    pub members: Vec<MemberView>,
    /// (topic, partition, offset, metadata), sorted by topic then partition.
    pub offsets: Vec<(String, i32, i64, Option<String>)>,
    /// Who reads each partition, when the coordinator knows it (the group shared with the
    /// simulated consumers; other groups' assignments are the leader's bytes, not read).
    pub owners: BTreeMap<u32, Owner>,
    /// The simulated consumers' group: its offsets are the simulation's, drawn as theirs.
    pub shared: bool,
}

/// A partition's reader in the shared group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// Simulated consumer number N.
    Simulated(u32),
    /// A real client, by client id.
    Client(String),
}

/// Kafka's defaults for group.min.session.timeout.ms and group.max.session.timeout.ms.
const MIN_SESSION_MS: u64 = 6_000;
const MAX_SESSION_MS: u64 = 1_800_000;

/// Every consumer group of the embedded cluster.
#[derive(Clone, Debug)]
pub struct Groups {
    by_name: BTreeMap<String, Group>,
    initial_delay_ms: u64,
    min_session_ms: u64,
    max_session_ms: u64,
    next_member: u64,
    events: Vec<GroupEvent>,
}

impl Default for Groups {
    fn default() -> Self {
        Self::new()
    }
}

impl Groups {
    /// Kafka's defaults: a 3000 ms initial rebalance delay, sessions of 6 s to 30 min.
    pub fn new() -> Self {
        Self {
            by_name: BTreeMap::new(),
            initial_delay_ms: 3_000,
            min_session_ms: MIN_SESSION_MS,
            max_session_ms: MAX_SESSION_MS,
            next_member: 0,
            events: Vec::new(),
        }
    }

    /// group.initial.rebalance.delay.ms.
    #[must_use]
    pub fn with_initial_delay(mut self, ms: u64) -> Self {
        self.initial_delay_ms = ms;
        self
    }

    /// group.min.session.timeout.ms / group.max.session.timeout.ms: a JoinGroup outside
    /// them gets INVALID_SESSION_TIMEOUT.
    #[must_use]
    pub fn with_session_bounds(mut self, min_ms: u64, max_ms: u64) -> Self {
        self.min_session_ms = min_ms;
        self.max_session_ms = max_ms;
        self
    }

    /// The session timeouts a JoinGroup may ask for, (min, max) in ms.
    pub(crate) fn session_bounds(&self) -> (u64, u64) {
        (self.min_session_ms, self.max_session_ms)
    }

    pub(crate) fn new_member_id(&mut self, client_id: &str) -> String {
        // Kafka: clientId + "-" + a random UUID. A counter keeps it deterministic; the
        // fixed-width suffix keeps ids from different client ids distinct.
        let n = self.next_member;
        self.next_member = self.next_member.saturating_add(1);
        format!("{client_id}-00000000-0000-4000-8000-{n:012x}")
    }

    /// JoinGroup (GroupMetadataManager.classicGroupJoin).
    pub fn join(&mut self, now_ms: u64, waiter: Waiter, req: JoinRequest) -> Vec<Done> {
        let mut done = Vec::new();
        let fail = |e: GroupError, id: &str| vec![Done::Join(waiter, JoinResult::failed(e, id))];
        if req.group.is_empty() {
            return fail(GroupError::InvalidGroupId, &req.member_id);
        }
        if req.session_timeout_ms < self.min_session_ms
            || req.session_timeout_ms > self.max_session_ms
        {
            return fail(GroupError::InvalidSessionTimeout, &req.member_id);
        }
        let known = !req.member_id.is_empty();
        if known && !self.by_name.contains_key(&req.group) {
            return fail(GroupError::UnknownMemberId, &req.member_id);
        }
        // Checked before the group is created, so a refused join leaves no empty group behind.
        let supported = match self.by_name.get(&req.group) {
            Some(g) => g.supports(&req.protocol_type, &req.protocols),
            None => !req.protocol_type.is_empty() && !req.protocols.is_empty(),
        };
        if !supported {
            return fail(GroupError::InconsistentGroupProtocol, &req.member_id);
        }
        let new_id = if known {
            None
        } else {
            Some(self.new_member_id(&req.client_id))
        };
        let Self {
            by_name: groups,
            events,
            initial_delay_ms,
            ..
        } = self;
        let g = groups
            .entry(req.group.clone())
            .or_insert_with(|| Group::new(&req.group));
        let mut out = Out {
            done: &mut done,
            events,
            initial_delay_ms: *initial_delay_ms,
        };
        if let Some(id) = new_id {
            if req.require_known_member_id {
                // KIP-394: hand out the id and wait for the member to come back with it.
                g.pending
                    .insert(id.clone(), now_ms.saturating_add(req.session_timeout_ms));
                return fail(GroupError::MemberIdRequired, &id);
            }
            g.add_member(now_ms, waiter, id, req, &mut out);
        } else if g.pending.remove(&req.member_id).is_some() {
            let id = req.member_id.clone();
            g.add_member(now_ms, waiter, id, req, &mut out);
        } else if let Some(m) = g.members.get(&req.member_id) {
            let same = m.protocols == req.protocols;
            let is_leader = g.leader.as_deref() == Some(req.member_id.as_str());
            // classicGroupJoinExistingMember: a member repeating an unchanged join gets the
            // current generation back (its response was lost); the leader rejoining a Stable
            // group or a member changing its protocols starts a rebalance.
            let resend = match g.state {
                GroupState::CompletingRebalance => same,
                GroupState::Stable => same && !is_leader,
                GroupState::PreparingRebalance | GroupState::Empty => false,
            };
            if resend {
                let result = g.join_result(&req.member_id);
                if let Some(m) = g.members.get_mut(&req.member_id) {
                    m.last_seen = now_ms;
                }
                out.done.push(Done::Join(waiter, result));
            } else {
                g.update_member(now_ms, waiter, req, &mut out);
            }
        } else {
            return fail(GroupError::UnknownMemberId, &req.member_id);
        }
        done
    }

    /// SyncGroup (GroupMetadataManager.classicGroupSync). `assignments` matters only from
    /// the leader; members it leaves out get an empty assignment.
    pub fn sync(
        &mut self,
        now_ms: u64,
        waiter: Waiter,
        group: &str,
        member_id: &str,
        generation: i32,
        assignments: Vec<(String, Vec<u8>)>,
    ) -> Vec<Done> {
        let fail = |e: GroupError| vec![Done::Sync(waiter, SyncResult::failed(e))];
        let Some(g) = self.by_name.get_mut(group) else {
            return fail(GroupError::UnknownMemberId);
        };
        let Some(m) = g.members.get_mut(member_id) else {
            return fail(GroupError::UnknownMemberId);
        };
        if generation != g.generation {
            return fail(GroupError::IllegalGeneration);
        }
        m.last_seen = now_ms;
        match g.state {
            GroupState::Empty => fail(GroupError::UnknownMemberId),
            GroupState::PreparingRebalance => fail(GroupError::RebalanceInProgress),
            GroupState::Stable => {
                m.pending_sync = false;
                vec![Done::Sync(
                    waiter,
                    SyncResult {
                        error: GroupError::None,
                        protocol_name: g.protocol.clone(),
                        assignment: m.assignment.clone(),
                    },
                )]
            }
            GroupState::CompletingRebalance => {
                let mut done = Vec::new();
                m.pending_sync = false;
                m.awaiting_sync = true;
                if let Some(old) = m.sync_waiter.replace(waiter) {
                    done.push(Done::Sync(
                        old,
                        SyncResult::failed(GroupError::RebalanceInProgress),
                    ));
                }
                if g.leader.as_deref() == Some(member_id) {
                    // The leader's assignment completes the rebalance: everyone parked gets theirs.
                    let mut given: BTreeMap<String, Vec<u8>> = assignments.into_iter().collect();
                    for (id, m) in &mut g.members {
                        m.assignment = given.remove(id).unwrap_or_default();
                        if m.awaiting_sync {
                            // GroupCoordinator.propagateAssignment: as in prepare_rebalance.
                            m.last_seen = now_ms;
                            m.awaiting_sync = false;
                        }
                        if let Some(w) = m.sync_waiter.take() {
                            done.push(Done::Sync(
                                w,
                                SyncResult {
                                    error: GroupError::None,
                                    protocol_name: g.protocol.clone(),
                                    assignment: m.assignment.clone(),
                                },
                            ));
                        }
                    }
                    g.transition(GroupState::Stable);
                    self.events.push(GroupEvent::Stable {
                        group: g.name.clone(),
                        generation: g.generation,
                    });
                }
                if g.members.values().all(|m| !m.pending_sync) {
                    g.sync_deadline = None;
                }
                done
            }
        }
    }

    /// Heartbeat (GroupMetadataManager.classicGroupHeartbeat); it renews the session.
    pub fn heartbeat(
        &mut self,
        now_ms: u64,
        group: &str,
        member_id: &str,
        generation: i32,
    ) -> GroupError {
        let Some(g) = self.by_name.get_mut(group) else {
            return GroupError::UnknownMemberId;
        };
        let Some(m) = g.members.get_mut(member_id) else {
            return GroupError::UnknownMemberId;
        };
        if generation != g.generation {
            return GroupError::IllegalGeneration;
        }
        m.last_seen = now_ms;
        match g.state {
            GroupState::Empty => GroupError::UnknownMemberId,
            GroupState::PreparingRebalance => GroupError::RebalanceInProgress,
            GroupState::CompletingRebalance | GroupState::Stable => GroupError::None,
        }
    }

    /// LeaveGroup (GroupMetadataManager.classicGroupLeave): one error per member id.
    pub fn leave(
        &mut self,
        now_ms: u64,
        group: &str,
        member_ids: &[String],
    ) -> (Vec<GroupError>, Vec<Done>) {
        let mut done = Vec::new();
        let Self {
            by_name: groups,
            events,
            initial_delay_ms,
            ..
        } = self;
        let Some(g) = groups.get_mut(group) else {
            return (vec![GroupError::UnknownMemberId; member_ids.len()], done);
        };
        let mut out = Out {
            done: &mut done,
            events,
            initial_delay_ms: *initial_delay_ms,
        };
        let errors = member_ids
            .iter()
            .map(|id| {
                if g.pending.remove(id).is_some() {
                    g.maybe_complete_join(now_ms, &mut out);
                    GroupError::None
                } else if g.members.contains_key(id) {
                    g.remove_member_and_update(now_ms, id, LeaveReason::Left, &mut out);
                    GroupError::None
                } else {
                    GroupError::UnknownMemberId
                }
            })
            .collect();
        (errors, done)
    }

    /// OffsetCommit (ClassicGroup.validateOffsetCommit). Generation -1 is a simple
    /// (standalone) commit, accepted when the group is Empty (has no members); such a commit
    /// creates the group. A member's commit renews its session, like a heartbeat.
    pub fn commit(
        &mut self,
        now_ms: u64,
        group: &str,
        member_id: &str,
        generation: i32,
        offsets: &[(String, i32, i64, Option<String>)],
    ) -> GroupError {
        if group.is_empty() {
            return GroupError::InvalidGroupId;
        }
        let g = match self.by_name.get_mut(group) {
            Some(g) => g,
            // Kafka (GroupCoordinator.handleCommitOffsets): an unknown group accepts only
            // commits that do not rely on group management.
            None if generation < 0 => self
                .by_name
                .entry(group.to_string())
                .or_insert_with(|| Group::new(group)),
            None => return GroupError::IllegalGeneration,
        };
        // ClassicGroup.validateOffsetCommit: generation -1 on an Empty group is a standalone
        // commit; otherwise the member and generation must match, and not while awaiting sync.
        if !(generation < 0 && g.state == GroupState::Empty) {
            let Some(m) = g.members.get_mut(member_id) else {
                return GroupError::UnknownMemberId;
            };
            if generation != g.generation {
                return GroupError::IllegalGeneration;
            }
            if g.state == GroupState::CompletingRebalance {
                return GroupError::RebalanceInProgress;
            }
            m.last_seen = now_ms;
        }
        for (topic, partition, offset, meta) in offsets {
            g.offsets
                .insert((topic.clone(), *partition), (*offset, meta.clone()));
        }
        GroupError::None
    }

    /// OffsetFetch: the committed offset and metadata of one partition.
    pub fn committed(
        &self,
        group: &str,
        topic: &str,
        partition: i32,
    ) -> Option<(i64, Option<String>)> {
        self.by_name
            .get(group)?
            .offsets
            .get(&(topic.to_string(), partition))
            .cloned()
    }

    /// Runs every timer due at `now_ms`: pending members and sessions expire, members that
    /// never synced are removed, join phases complete at their deadline.
    pub fn tick(&mut self, now_ms: u64) -> Vec<Done> {
        let mut done = Vec::new();
        let Self {
            by_name: groups,
            events,
            initial_delay_ms,
            ..
        } = self;
        let mut out = Out {
            done: &mut done,
            events,
            initial_delay_ms: *initial_delay_ms,
        };
        // A pass can set a timer that is already due (a zero rebalance timeout); a few
        // passes settle it, and each pass removes members or advances a phase.
        for _ in 0..8 {
            for g in groups.values_mut() {
                g.expire(now_ms, &mut out);
            }
            if groups
                .values()
                .filter_map(Group::next_deadline)
                .all(|d| d > now_ms)
            {
                break;
            }
        }
        done
    }

    /// The connection owning this waiter closed: its parked request is never answered.
    /// The member stays (and still counts as rejoined) until its session expires, as in Kafka.
    pub fn forget_waiter(&mut self, waiter: Waiter) {
        for m in self
            .by_name
            .values_mut()
            .flat_map(|g| g.members.values_mut())
        {
            if m.join_waiter == Some(waiter) {
                m.join_waiter = None;
            }
            if m.sync_waiter == Some(waiter) {
                m.sync_waiter = None;
            }
        }
    }

    /// When `tick` next has something to do, if ever.
    pub fn next_deadline(&self) -> Option<u64> {
        self.by_name.values().filter_map(Group::next_deadline).min()
    }

    pub fn describe(&self) -> Vec<GroupView> {
        self.by_name
            .values()
            .map(|g| GroupView {
                group: g.name.clone(),
                state: g.state,
                generation: g.generation,
                protocol_type: g.protocol_type.clone(),
                protocol: g.protocol.clone(),
                leader: g.leader.clone(),
                members: g
                    .members_in_join_order()
                    .into_iter()
                    .map(|(id, m)| MemberView {
                        member_id: id.clone(),
                        client_id: m.client_id.clone(),
                    })
                    .collect(),
                offsets: g
                    .offsets
                    .iter()
                    .map(|((t, p), (o, meta))| (t.clone(), *p, *o, meta.clone()))
                    .collect(),
                owners: BTreeMap::new(),
                shared: false,
            })
            .collect()
    }

    /// Events since the last call, oldest first.
    pub fn drain_events(&mut self) -> Vec<GroupEvent> {
        std::mem::take(&mut self.events)
    }
}

#[cfg(test)]
mod tests;
