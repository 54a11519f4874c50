//! Real clients' consumers in the simulated consumers' group (`kafka-flow serve`): the
//! server's door to the coordinator's `clients.rs`. A group named as the simulated
//! consumers' (`group.id`) is theirs and the real members', one group; any other group
//! belongs to the real clients alone (`serve::group`).

use super::Sim;
pub use super::consumer::coordinator::{ClientGroupReply, GroupRefusal, SharedMember};
use super::time::SimDuration;

/// The shared group at a glance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SharedGroup {
    pub group: String,
    pub generation: u32,
    /// Preparing or completing a rebalance.
    pub rebalancing: bool,
    pub leader: Option<String>,
    pub members: Vec<SharedMember>,
    /// Committed offsets by partition.
    pub committed: Vec<(u32, i64)>,
}

impl Sim {
    /// Whether `group` is the simulated consumers' group (`group.id`).
    pub fn is_shared_group(&self, group: &str) -> bool {
        group == self.core.cfg.consumer.group_id
    }

    /// Runs `f` on the coordinator where it lives; `None` while no broker can host it.
    fn at_coordinator<R>(
        &mut self,
        f: impl FnOnce(
            &mut super::consumer::coordinator::Coordinator,
            &mut super::kernel::Core,
            super::trace::BrokerId,
            &[(u32, i64)],
        ) -> R,
    ) -> Option<R> {
        let hws = self.partition_hws();
        let host = self.with_view(|_, _, view| view.coordinator)?;
        Some(f(&mut self.group.coordinator, &mut self.core, host, &hws))
    }

    /// A real member's JoinGroup; its answer comes through `take_client_group_replies`.
    pub fn client_group_join(&mut self, member: &str, session_ms: u64, rebalance_ms: u64) {
        let session = SimDuration::from_millis(session_ms);
        let rebalance = SimDuration::from_millis(rebalance_ms);
        self.at_coordinator(|c, core, host, hws| {
            c.client_join(core, host, member, session, rebalance, hws);
        });
    }

    /// A real member's SyncGroup (with the assignment if it leads), answered through the
    /// replies unless refused.
    pub fn client_group_sync(
        &mut self,
        member: &str,
        generation: i32,
        assignment: Vec<(String, Vec<u32>)>,
    ) -> Result<(), GroupRefusal> {
        self.at_coordinator(|c, core, host, hws| {
            c.client_sync(core, host, member, generation, assignment, hws)
        })
        .unwrap_or(Err(GroupRefusal::RebalanceInProgress))
    }

    pub fn client_group_heartbeat(
        &mut self,
        member: &str,
        generation: i32,
    ) -> Result<(), GroupRefusal> {
        let core = &mut self.core;
        self.group
            .coordinator
            .client_heartbeat(core, member, generation)
    }

    pub fn client_group_commit(
        &mut self,
        member: &str,
        generation: i32,
        offsets: &[(u32, i64)],
    ) -> Result<(), GroupRefusal> {
        let core = &mut self.core;
        self.group
            .coordinator
            .client_commit(core, member, generation, offsets)
    }

    pub fn client_group_leave(&mut self, member: &str) -> Result<(), GroupRefusal> {
        self.at_coordinator(|c, core, host, hws| c.client_leave(core, host, member, hws))
            .unwrap_or(Err(GroupRefusal::UnknownMemberId))
    }

    /// Whether `member` is a member of the shared group now.
    pub fn client_group_member(&self, member: &str) -> bool {
        self.group.coordinator.members.contains_key(member)
    }

    /// The shared group's committed offset of partition `p`.
    pub fn client_group_committed(&self, p: u32) -> Option<i64> {
        self.group.coordinator.committed.get(&p).copied()
    }

    pub fn take_client_group_replies(&mut self) -> Vec<ClientGroupReply> {
        self.group.coordinator.take_client_replies()
    }

    pub fn shared_group(&self) -> SharedGroup {
        let c = &self.group.coordinator;
        SharedGroup {
            group: self.core.cfg.consumer.group_id.clone(),
            generation: c.generation,
            rebalancing: c.rebalancing,
            leader: c.clients.leader.clone(),
            members: c.shared_members(),
            committed: c.committed.iter().map(|(&p, &o)| (p, o)).collect(),
        }
    }
}
