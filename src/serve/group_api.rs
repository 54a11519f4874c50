//! The group requests of a real consumer, between the wire (`kafka-protocol` messages)
//! and the coordinator (`group.rs`). Group requests go to the coordinator's broker, as
//! FindCoordinator said; another broker answers NOT_COORDINATOR.

use super::group::{Done, GroupError, JoinRequest, Protocol};
use super::wire::code;
use super::world::{Answer, Asker, World};
use crate::sim::Sim;
use bytes::Bytes;
use kafka_protocol::messages::join_group_response::JoinGroupResponseMember;
use kafka_protocol::messages::leave_group_response::MemberResponse;
use kafka_protocol::messages::offset_commit_response::{
    OffsetCommitResponsePartition, OffsetCommitResponseTopic,
};
use kafka_protocol::messages::offset_fetch_response::{
    OffsetFetchResponsePartition, OffsetFetchResponseTopic,
};
use kafka_protocol::messages::{
    HeartbeatRequest, HeartbeatResponse, JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest,
    LeaveGroupResponse, OffsetCommitRequest, OffsetCommitResponse, OffsetFetchRequest,
    OffsetFetchResponse, ResponseKind, SyncGroupRequest, SyncGroupResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;

fn s(b: &StrBytes) -> String {
    b.as_str().to_string()
}

fn sb(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

/// Whether the shared group can keep an offset of `topic`'s `partition`: the simulated topic's.
fn shared_partition(world: &World, sim: &Sim, topic: &str, partition: i32) -> bool {
    world.topic.as_deref() == Some(topic)
        && u32::try_from(partition).is_ok_and(|p| p < sim.config().topology.partitions)
}

/// Whether this broker hosts `group`'s coordinator.
fn is_coordinator(sim: &Sim, broker: u32, group: &str) -> bool {
    sim.coordinator_for(group) == Some(broker)
}

pub(super) fn join(
    world: &mut World,
    sim: &mut Sim,
    broker: u32,
    asker: &Asker,
    req: &JoinGroupRequest,
) -> Answer {
    let group = s(&req.group_id.0);
    if !is_coordinator(sim, broker, &group) {
        let mut r = JoinGroupResponse::default();
        r.error_code = code::NOT_COORDINATOR;
        r.generation_id = -1;
        return Answer::now(ResponseKind::JoinGroup(r));
    }
    let waiter = world.waiter(asker.clone());
    // Kafka's default rebalance timeout before JoinGroup v1 carried one: the session timeout.
    let rebalance = if asker.version >= 1 {
        req.rebalance_timeout_ms
    } else {
        req.session_timeout_ms
    };
    let join = JoinRequest {
        group,
        member_id: s(&req.member_id),
        client_id: asker.client_id.clone(),
        session_timeout_ms: req.session_timeout_ms.max(0) as u64,
        rebalance_timeout_ms: rebalance.max(0) as u64,
        protocol_type: s(&req.protocol_type),
        protocols: req
            .protocols
            .iter()
            .map(|p| Protocol {
                name: s(&p.name),
                metadata: p.metadata.to_vec(),
            })
            .collect(),
        // JoinGroup v4 on: a new member first gets its id (KIP-394).
        require_known_member_id: asker.version >= 4,
    };
    // The simulated consumers' group is the simulation's coordinator's, for real members too.
    if sim.is_shared_group(&join.group) {
        world.shared_join(sim, waiter, &join);
        return Answer::Later;
    }
    let now = world.now_ms();
    let done = world.groups.join(now, waiter, join);
    world.finish_groups(done);
    Answer::Later
}

pub(super) fn sync(
    world: &mut World,
    sim: &mut Sim,
    broker: u32,
    asker: &Asker,
    req: &SyncGroupRequest,
) -> Answer {
    let group = s(&req.group_id.0);
    if !is_coordinator(sim, broker, &group) {
        let mut r = SyncGroupResponse::default();
        r.error_code = code::NOT_COORDINATOR;
        return Answer::now(ResponseKind::SyncGroup(r));
    }
    let waiter = world.waiter(asker.clone());
    let assignments = req
        .assignments
        .iter()
        .map(|a| (s(&a.member_id), a.assignment.to_vec()))
        .collect();
    if sim.is_shared_group(&group) {
        let member = s(&req.member_id);
        world.shared_sync(sim, waiter, &member, req.generation_id, assignments);
        return Answer::Later;
    }
    let now = world.now_ms();
    let done = world.groups.sync(
        now,
        waiter,
        &group,
        req.member_id.as_str(),
        req.generation_id,
        assignments,
    );
    world.finish_groups(done);
    Answer::Later
}

/// The wire answer for a completed join or sync, and the waiter it goes to.
pub(super) fn response(_world: &World, done: Done) -> (u64, ResponseKind) {
    match done {
        Done::Join(w, j) => {
            let mut r = JoinGroupResponse::default();
            r.error_code = j.error.code();
            r.generation_id = j.generation;
            r.protocol_type = Some(sb("consumer"));
            r.protocol_name = j.protocol_name.as_deref().map(sb);
            r.leader = sb(&j.leader);
            r.member_id = sb(&j.member_id);
            r.members = j
                .members
                .iter()
                .map(|(id, meta)| {
                    let mut m = JoinGroupResponseMember::default();
                    m.member_id = sb(id);
                    m.metadata = Bytes::from(meta.clone());
                    m
                })
                .collect();
            (w, ResponseKind::JoinGroup(r))
        }
        Done::Sync(w, sr) => {
            let mut r = SyncGroupResponse::default();
            r.error_code = sr.error.code();
            r.protocol_type = Some(sb("consumer"));
            r.protocol_name = sr.protocol_name.as_deref().map(sb);
            r.assignment = Bytes::from(sr.assignment);
            (w, ResponseKind::SyncGroup(r))
        }
    }
}

pub(super) fn heartbeat(
    world: &mut World,
    sim: &mut Sim,
    broker: u32,
    req: &HeartbeatRequest,
) -> Answer {
    let group = s(&req.group_id.0);
    let mut r = HeartbeatResponse::default();
    r.error_code = if !is_coordinator(sim, broker, &group) {
        code::NOT_COORDINATOR
    } else if sim.is_shared_group(&group) {
        // The simulated consumers' group: its coordinator is the simulation's.
        let member = req.member_id.as_str();
        match sim.client_group_heartbeat(member, req.generation_id) {
            Ok(()) => code::NONE,
            Err(e) => super::shared_group::refusal(e).code(),
        }
    } else {
        let now = world.now_ms();
        world
            .groups
            .heartbeat(now, &group, req.member_id.as_str(), req.generation_id)
            .code()
    };
    Answer::now(ResponseKind::Heartbeat(r))
}

pub(super) fn leave(
    world: &mut World,
    sim: &mut Sim,
    broker: u32,
    asker: &Asker,
    req: &LeaveGroupRequest,
) -> Answer {
    let group = s(&req.group_id.0);
    let mut r = LeaveGroupResponse::default();
    if !is_coordinator(sim, broker, &group) {
        r.error_code = code::NOT_COORDINATOR;
        return Answer::now(ResponseKind::LeaveGroup(r));
    }
    // v0–2 name one member; v3 on a list of them (KIP-345).
    let ids: Vec<String> = if asker.version >= 3 {
        req.members.iter().map(|m| s(&m.member_id)).collect()
    } else {
        vec![s(&req.member_id)]
    };
    let (errors, done) = if sim.is_shared_group(&group) {
        let errors = ids
            .iter()
            .map(|id| world.shared_leave(sim, &group, id))
            .collect();
        (errors, Vec::new())
    } else {
        let now = world.now_ms();
        world.groups.leave(now, &group, &ids)
    };
    if asker.version >= 3 {
        r.members = ids
            .iter()
            .zip(&errors)
            .map(|(id, e)| {
                let mut m = MemberResponse::default();
                m.member_id = sb(id);
                m.error_code = e.code();
                m
            })
            .collect();
    } else {
        r.error_code = errors.first().map_or(code::NONE, |e| e.code());
    }
    world.finish_groups(done);
    Answer::now(ResponseKind::LeaveGroup(r))
}

pub(super) fn commit(
    world: &mut World,
    sim: &mut Sim,
    broker: u32,
    req: &OffsetCommitRequest,
) -> Answer {
    let group = s(&req.group_id.0);
    let error = if is_coordinator(sim, broker, &group) {
        let offsets: Vec<(String, i32, i64, Option<String>)> = req
            .topics
            .iter()
            .flat_map(|t| {
                t.partitions.iter().map(|p| {
                    (
                        s(&t.name.0),
                        p.partition_index,
                        p.committed_offset,
                        p.committed_metadata.as_ref().map(s),
                    )
                })
            })
            .collect();
        let e = if sim.is_shared_group(&group) {
            // The simulation keeps one topic's offsets; another topic's are refused below.
            let ours: Vec<(u32, i64)> = offsets
                .iter()
                .filter(|(t, p, _, _)| shared_partition(world, sim, t, *p))
                .map(|&(_, p, o, _)| (p as u32, o))
                .collect();
            let member = req.member_id.as_str();
            world.shared_commit(sim, member, req.generation_id_or_member_epoch, &ours)
        } else {
            let now = world.now_ms();
            world.groups.commit(
                now,
                &group,
                req.member_id.as_str(),
                req.generation_id_or_member_epoch,
                &offsets,
            )
        };
        if e == GroupError::None {
            world.log.committed(world.now, &group, &offsets);
        }
        e.code()
    } else {
        code::NOT_COORDINATOR
    };
    let shared = sim.is_shared_group(&group);
    let mut r = OffsetCommitResponse::default();
    r.topics = req
        .topics
        .iter()
        .map(|t| {
            let mut tr = OffsetCommitResponseTopic::default();
            tr.name = t.name.clone();
            tr.partitions = t
                .partitions
                .iter()
                .map(|p| {
                    let mut pr = OffsetCommitResponsePartition::default();
                    pr.partition_index = p.partition_index;
                    pr.error_code =
                        if shared && !shared_partition(world, sim, &t.name.0, p.partition_index) {
                            code::UNKNOWN_TOPIC_OR_PARTITION
                        } else {
                            error
                        };
                    pr
                })
                .collect();
            tr
        })
        .collect();
    Answer::now(ResponseKind::OffsetCommit(r))
}

pub(super) fn fetch_offsets(
    world: &World,
    sim: &Sim,
    broker: u32,
    req: &OffsetFetchRequest,
) -> Answer {
    let group = s(&req.group_id.0);
    let mut r = OffsetFetchResponse::default();
    if !is_coordinator(sim, broker, &group) {
        r.error_code = code::NOT_COORDINATOR;
        return Answer::now(ResponseKind::OffsetFetch(r));
    }
    // A null topic list (v2 on) asks for every partition the group committed.
    let wanted: Vec<(TopicName, Vec<i32>)> = match &req.topics {
        Some(ts) => ts
            .iter()
            .map(|t| (t.name.clone(), t.partition_indexes.clone()))
            .collect(),
        None => world
            .topic
            .iter()
            .map(|name| {
                let n = sim.config().topology.partitions as i32;
                (TopicName(sb(name)), (0..n).collect())
            })
            .collect(),
    };
    r.topics = wanted
        .into_iter()
        .map(|(name, parts)| {
            let mut t = OffsetFetchResponseTopic::default();
            t.partitions = parts
                .into_iter()
                .map(|p| {
                    let mut pr = OffsetFetchResponsePartition::default();
                    pr.partition_index = p;
                    let (offset, meta) = if sim.is_shared_group(&group) {
                        let ours = shared_partition(world, sim, name.0.as_str(), p);
                        let at = ours.then(|| sim.client_group_committed(p as u32)).flatten();
                        (at.unwrap_or(-1), None)
                    } else {
                        world
                            .groups
                            .committed(&group, name.0.as_str(), p)
                            .unwrap_or((-1, None))
                    };
                    pr.committed_offset = offset;
                    pr.committed_leader_epoch = -1;
                    pr.metadata = Some(sb(meta.as_deref().unwrap_or("")));
                    pr
                })
                .collect();
            t.name = name;
            t
        })
        .collect();
    Answer::now(ResponseKind::OffsetFetch(r))
}
