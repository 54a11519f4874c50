//! Real members in the simulated consumers' group. In virtual time (no sockets): the one
//! coordinator hands out partitions to both, a real leader's assignment rules the simulated
//! members, and real members are removed when they stop syncing or heartbeating. Over the
//! wire, against `serve`: one real member's whole life in the group.

mod common;

use common::kafka_client::Client;
use common::serve::{Out, start_with};
use kafka_flow::headless;
use kafka_flow::scenario::{WorkloadSpec, WorldOptions};
use kafka_flow::sim::client_group::{ClientGroupReply, GroupRefusal};
use kafka_flow::sim::{Sim, SimTime};
use kafka_protocol::messages::ApiKey;
use kafka_protocol::protocol::StrBytes;
use std::time::Duration;

fn world(consumers: u32) -> Sim {
    let world = WorldOptions {
        set: vec![format!("consumers={consumers}")],
        ..WorldOptions::default()
    };
    let workload = WorkloadSpec {
        records: 0,
        rate: 100.0,
        ..WorkloadSpec::notes_loop()
    };
    headless::scenario(&world, &workload, &[])
        .unwrap()
        .build()
        .unwrap()
}

fn at(sim: &mut Sim, ms: u64) {
    sim.advance_to(SimTime(ms * 1000));
}

/// Each simulated consumer's partitions.
fn simulated(sim: &Sim) -> Vec<Vec<u32>> {
    let view = sim.view();
    let group = view.consumer_group();
    group
        .consumers
        .iter()
        .map(|c| c.assignment.clone())
        .collect()
}

fn joined(member: &str, generation: u32, leader: &str, members: &[&str]) -> ClientGroupReply {
    ClientGroupReply::Joined {
        member: member.to_string(),
        generation,
        leader: leader.to_string(),
        members: members.iter().map(|m| (*m).to_string()).collect(),
    }
}

fn assigned(member: &str, partitions: &[u32]) -> ClientGroupReply {
    ClientGroupReply::Assigned {
        member: member.to_string(),
        partitions: partitions.to_vec(),
    }
}

const C0: &str = "consumer-testAPI-1-1";

#[test]
fn a_real_member_joins_a_stable_group_and_gets_its_range_share() {
    let mut sim = world(2);
    at(&mut sim, 5_000);
    assert_eq!(simulated(&sim), vec![vec![0, 1], vec![2]]);
    assert!(sim.take_client_group_replies().is_empty());

    // Sorted after the simulated members' ids, it gets the last range: partition 2.
    sim.client_group_join("zz-real", 10_000, 60_000);
    assert!(
        sim.take_client_group_replies().is_empty(),
        "the simulated members must rejoin first"
    );
    assert_eq!(
        sim.client_group_heartbeat("zz-real", 1),
        Err(GroupRefusal::RebalanceInProgress)
    );
    at(&mut sim, 6_000);
    assert_eq!(
        sim.take_client_group_replies(),
        vec![joined("zz-real", 2, C0, &[])]
    );
    assert_eq!(sim.client_group_sync("zz-real", 2, Vec::new()), Ok(()));
    assert_eq!(
        sim.take_client_group_replies(),
        vec![assigned("zz-real", &[2])]
    );
    at(&mut sim, 6_100);
    assert_eq!(simulated(&sim), vec![vec![0], vec![1]]);
    let g = sim.shared_group();
    assert_eq!(g.generation, 2);
    assert_eq!(g.leader.as_deref(), Some(C0));
    assert_eq!(g.members.len(), 3);

    // Heartbeats and commits are checked like Kafka's.
    assert_eq!(sim.client_group_heartbeat("zz-real", 2), Ok(()));
    assert_eq!(
        sim.client_group_heartbeat("zz-real", 1),
        Err(GroupRefusal::IllegalGeneration)
    );
    assert_eq!(
        sim.client_group_heartbeat("nobody", 2),
        Err(GroupRefusal::UnknownMemberId)
    );
    assert_eq!(sim.client_group_commit("zz-real", 2, &[(2, 7)]), Ok(()));
    assert_eq!(sim.client_group_committed(2), Some(7));
    let view = sim.view();
    assert!(
        view.consumer_group().committed.contains(&(2, 7)),
        "one group's offsets"
    );

    // It leaves: the simulated members rebalance and take partition 2 back.
    assert_eq!(sim.client_group_leave("zz-real"), Ok(()));
    assert_eq!(
        sim.client_group_leave("zz-real"),
        Err(GroupRefusal::UnknownMemberId)
    );
    at(&mut sim, 7_000);
    assert_eq!(simulated(&sim), vec![vec![0, 1], vec![2]]);
    assert_eq!(sim.shared_group().generation, 3);
}

#[test]
fn a_real_leader_decides_the_simulated_members_partitions() {
    let mut sim = world(1);
    // Before the simulated consumer's JoinGroup arrives: the real member is the first
    // member, so it leads.
    sim.client_group_join("a-real", 10_000, 60_000);
    at(&mut sim, 2_000);
    assert!(
        sim.take_client_group_replies().is_empty(),
        "the initial delay"
    );
    at(&mut sim, 3_500);
    assert_eq!(
        sim.take_client_group_replies(),
        vec![joined("a-real", 1, "a-real", &["a-real", C0])]
    );
    assert_eq!(
        simulated(&sim),
        vec![Vec::<u32>::new()],
        "waits for the leader"
    );
    assert!(sim.shared_group().rebalancing);
    // CompletingRebalance: heartbeats are fine, commits wait.
    assert_eq!(sim.client_group_heartbeat("a-real", 1), Ok(()));
    assert_eq!(
        sim.client_group_commit("a-real", 1, &[(0, 1)]),
        Err(GroupRefusal::RebalanceInProgress)
    );

    // Not a range assignment: everything to the simulated consumer.
    let plan = vec![
        (C0.to_string(), vec![0, 1, 2]),
        ("a-real".to_string(), vec![]),
    ];
    assert_eq!(sim.client_group_sync("a-real", 1, plan), Ok(()));
    assert_eq!(
        sim.take_client_group_replies(),
        vec![assigned("a-real", &[])]
    );
    at(&mut sim, 3_600);
    assert_eq!(simulated(&sim), vec![vec![0, 1, 2]]);
    assert!(!sim.shared_group().rebalancing);
}

#[test]
fn a_real_leader_that_never_syncs_is_removed_after_the_rebalance_timeout() {
    let mut sim = world(1);
    sim.client_group_join("a-real", 10_000, 60_000);
    at(&mut sim, 3_500);
    assert_eq!(sim.take_client_group_replies().len(), 1);
    // Kept alive by heartbeats, it still never sends SyncGroup. The group's rebalance
    // timeout is its longest member's: the simulated consumer's max.poll.interval.ms.
    for s in 1..=299 {
        at(&mut sim, 3_500 + s * 1_000);
        let _ = sim.client_group_heartbeat("a-real", 1);
    }
    assert_eq!(
        simulated(&sim),
        vec![Vec::<u32>::new()],
        "still waiting at 302.5 s"
    );
    at(&mut sim, 305_000);
    assert_eq!(
        sim.take_client_group_replies(),
        vec![ClientGroupReply::Removed {
            member: "a-real".to_string()
        }]
    );
    at(&mut sim, 305_100);
    assert_eq!(simulated(&sim), vec![vec![0, 1, 2]]);
    assert_eq!(sim.shared_group().leader.as_deref(), Some(C0));
}

#[test]
fn a_silent_real_member_expires_after_its_session_timeout() {
    let mut sim = world(1);
    at(&mut sim, 5_000);
    sim.client_group_join("zz-real", 10_000, 60_000);
    at(&mut sim, 6_000);
    assert_eq!(sim.take_client_group_replies().len(), 1);
    assert_eq!(sim.client_group_sync("zz-real", 2, Vec::new()), Ok(()));
    assert_eq!(
        sim.take_client_group_replies(),
        vec![assigned("zz-real", &[2])]
    );
    at(&mut sim, 6_100);
    assert_eq!(simulated(&sim), vec![vec![0, 1]]);
    // Its last word was the sync at 6 s: at 16 s its 10 s session is over.
    at(&mut sim, 15_900);
    assert!(sim.take_client_group_replies().is_empty());
    at(&mut sim, 16_100);
    assert_eq!(
        sim.take_client_group_replies(),
        vec![ClientGroupReply::Removed {
            member: "zz-real".to_string()
        }]
    );
    at(&mut sim, 17_000);
    assert_eq!(simulated(&sim), vec![vec![0, 1, 2]]);
}

#[test]
fn a_real_member_that_does_not_rejoin_is_dropped_at_the_rebalance_timeout() {
    let mut sim = world(1);
    at(&mut sim, 5_000);
    sim.client_group_join("zz-a", 10_000, 60_000);
    at(&mut sim, 6_000);
    assert_eq!(sim.take_client_group_replies().len(), 1);
    assert_eq!(sim.client_group_sync("zz-a", 2, Vec::new()), Ok(()));
    assert_eq!(
        sim.take_client_group_replies(),
        vec![assigned("zz-a", &[2])]
    );
    // A second real member starts a rebalance; the first keeps heartbeating (told to
    // rejoin each time) but never rejoins.
    sim.client_group_join("zz-b", 10_000, 60_000);
    for s in 1..=299 {
        at(&mut sim, 6_000 + s * 1_000);
        assert_eq!(
            sim.client_group_heartbeat("zz-a", 2),
            Err(GroupRefusal::RebalanceInProgress)
        );
    }
    assert!(sim.take_client_group_replies().is_empty());
    // The group's rebalance timeout (the simulated consumer's max.poll.interval.ms, 300 s).
    at(&mut sim, 307_000);
    let replies = sim.take_client_group_replies();
    assert_eq!(
        replies,
        vec![
            ClientGroupReply::Removed {
                member: "zz-a".to_string()
            },
            joined("zz-b", 3, C0, &[]),
        ]
    );
    assert_eq!(
        sim.client_group_heartbeat("zz-a", 3),
        Err(GroupRefusal::UnknownMemberId)
    );
}

#[test]
fn a_follower_waits_for_the_real_leader_and_a_new_member_restarts_the_round() {
    let mut sim = world(0);
    sim.client_group_join("a", 10_000, 30_000);
    sim.client_group_join("b", 10_000, 30_000);
    assert_eq!(
        sim.client_group_sync("b", 0, Vec::new()),
        Err(GroupRefusal::RebalanceInProgress),
        "no generation yet"
    );
    at(&mut sim, 3_500);
    assert_eq!(
        sim.take_client_group_replies(),
        vec![joined("a", 1, "a", &["a", "b"]), joined("b", 1, "a", &[])]
    );
    // b's SyncGroup waits; a third member arrives: b must rejoin.
    assert_eq!(sim.client_group_sync("b", 1, Vec::new()), Ok(()));
    assert!(sim.take_client_group_replies().is_empty());
    sim.client_group_join("c", 10_000, 30_000);
    assert_eq!(
        sim.take_client_group_replies(),
        vec![ClientGroupReply::SyncFailed {
            member: "b".to_string(),
            error: GroupRefusal::RebalanceInProgress
        }]
    );
    sim.client_group_join("a", 10_000, 30_000);
    sim.client_group_join("b", 10_000, 30_000);
    assert_eq!(
        sim.take_client_group_replies(),
        vec![
            joined("a", 2, "a", &["a", "b", "c"]),
            joined("b", 2, "a", &[]),
            joined("c", 2, "a", &[]),
        ]
    );
    assert_eq!(sim.client_group_sync("b", 2, Vec::new()), Ok(()));
    assert_eq!(sim.client_group_sync("c", 2, Vec::new()), Ok(()));
    let plan = vec![
        ("a".to_string(), vec![0]),
        ("b".to_string(), vec![1]),
        ("c".to_string(), vec![2]),
    ];
    assert_eq!(sim.client_group_sync("a", 2, plan), Ok(()));
    let mut replies = sim.take_client_group_replies();
    replies.sort_by_key(|r| format!("{r:?}"));
    assert_eq!(
        replies,
        vec![
            assigned("a", &[0]),
            assigned("b", &[1]),
            assigned("c", &[2])
        ]
    );
    // A simple commit (no member, no generation) is refused while the group has members.
    assert_eq!(
        sim.client_group_commit("", -1, &[(0, 3)]),
        Err(GroupRefusal::UnknownMemberId)
    );
}

/// A real member of the simulated consumers' group `testAPI`, over the wire: KIP-394 member
/// id, the join answered once the simulated member rejoined, its range share by SyncGroup,
/// heartbeats, commits into the group's one set of offsets, and LeaveGroup.
#[test]
fn a_real_consumer_shares_the_simulated_consumers_group() {
    use bytes::{Buf, Bytes};
    use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
    use kafka_protocol::messages::leave_group_request::MemberIdentity;
    use kafka_protocol::messages::offset_commit_request::{
        OffsetCommitRequestPartition, OffsetCommitRequestTopic,
    };
    use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestTopic;
    use kafka_protocol::messages::{
        ConsumerProtocolAssignment, ConsumerProtocolSubscription, GroupId, HeartbeatRequest,
        HeartbeatResponse, JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest,
        LeaveGroupResponse, OffsetCommitRequest, OffsetCommitResponse, OffsetFetchRequest,
        OffsetFetchResponse, SyncGroupRequest, SyncGroupResponse, TopicName,
    };
    use kafka_protocol::protocol::{Decodable, Encodable};
    let out = Out::default();
    let server = start_with(
        &["consumers=1", "group.initial.rebalance.delay.ms=0"],
        out.clone(),
    );
    // testAPI's coordinator is broker 2 (abs("testAPI".hashCode()) % 50 = 14, 14 % 3 = 2).
    let mut c = Client::connect(server.addrs[2]);
    // The simulated consumer joins within milliseconds of live time: let it be first, so
    // it leads (a real leader is tested in tests/shared_group.rs).
    std::thread::sleep(Duration::from_millis(300));
    let mut sub = ConsumerProtocolSubscription::default();
    sub.topics = vec![StrBytes::from_static_str("first")];
    let mut meta = bytes::BytesMut::new();
    meta.extend_from_slice(&0i16.to_be_bytes());
    sub.encode(&mut meta, 0).unwrap();
    let meta = meta.freeze();
    let join = |c: &mut Client, member: &str, assignor: &'static str| {
        let mut p = JoinGroupRequestProtocol::default();
        p.name = StrBytes::from_static_str(assignor);
        p.metadata = meta.clone();
        let mut req = JoinGroupRequest::default();
        req.group_id = GroupId(StrBytes::from_static_str("testAPI"));
        req.session_timeout_ms = 10_000;
        req.rebalance_timeout_ms = 10_000;
        req.member_id = StrBytes::from_string(member.to_string());
        req.protocol_type = StrBytes::from_static_str("consumer");
        req.protocols = vec![p];
        let r: JoinGroupResponse = c.call(ApiKey::JoinGroup, 5, &req);
        r
    };
    // Without the simulated consumers' assignor it cannot share their group.
    assert_eq!(join(&mut c, "", "roundrobin").error_code, 23);
    // KIP-394: an id first, then the join, answered once the simulated member rejoined.
    let first = join(&mut c, "", "range");
    assert_eq!(first.error_code, 79, "MEMBER_ID_REQUIRED");
    let id = first.member_id.to_string();
    let joined = join(&mut c, &id, "range");
    assert_eq!(joined.error_code, 0);
    assert_eq!(
        joined.leader.as_str(),
        "consumer-testAPI-1-1",
        "the simulated member leads"
    );
    assert_eq!(joined.protocol_name.as_deref(), Some("range"));
    assert!(
        joined.members.is_empty(),
        "a follower is not sent the members"
    );
    let generation = joined.generation_id;
    assert!(
        generation >= 2,
        "the simulated member's own generation came first"
    );

    let mut req = SyncGroupRequest::default();
    req.group_id = GroupId(StrBytes::from_static_str("testAPI"));
    req.generation_id = generation;
    req.member_id = StrBytes::from_string(id.clone());
    let r: SyncGroupResponse = c.call(ApiKey::SyncGroup, 3, &req);
    assert_eq!(r.error_code, 0);
    let mut bytes: Bytes = r.assignment.clone();
    let version = bytes.get_i16();
    let a = ConsumerProtocolAssignment::decode(&mut bytes, version).unwrap();
    assert_eq!(a.assigned_partitions.len(), 1);
    assert_eq!(a.assigned_partitions[0].topic.0.as_str(), "first");
    // RangeAssignor by member id: "consumer-testAPI-1-1" < "kafka-flow-test-…": p0 p1, then p2.
    assert_eq!(a.assigned_partitions[0].partitions, vec![2]);

    let mut req = HeartbeatRequest::default();
    req.group_id = GroupId(StrBytes::from_static_str("testAPI"));
    req.generation_id = generation;
    req.member_id = StrBytes::from_string(id.clone());
    let r: HeartbeatResponse = c.call(ApiKey::Heartbeat, 3, &req);
    assert_eq!(r.error_code, 0);
    req.generation_id = generation - 1;
    let r: HeartbeatResponse = c.call(ApiKey::Heartbeat, 3, &req);
    assert_eq!(r.error_code, 22, "ILLEGAL_GENERATION");

    let mut part = OffsetCommitRequestPartition::default();
    part.partition_index = 2;
    part.committed_offset = 5;
    let mut topic = OffsetCommitRequestTopic::default();
    topic.name = TopicName(StrBytes::from_static_str("first"));
    topic.partitions = vec![part];
    let mut other = topic.clone();
    other.name = TopicName(StrBytes::from_static_str("second"));
    let mut req = OffsetCommitRequest::default();
    req.group_id = GroupId(StrBytes::from_static_str("testAPI"));
    req.generation_id_or_member_epoch = generation;
    req.member_id = StrBytes::from_string(id.clone());
    req.topics = vec![topic, other];
    let r: OffsetCommitResponse = c.call(ApiKey::OffsetCommit, 7, &req);
    assert_eq!(r.topics[0].partitions[0].error_code, 0);
    assert_eq!(
        r.topics[1].partitions[0].error_code, 3,
        "one topic is simulated"
    );

    let mut t = OffsetFetchRequestTopic::default();
    t.name = TopicName(StrBytes::from_static_str("first"));
    t.partition_indexes = vec![0, 2];
    let mut req = OffsetFetchRequest::default();
    req.group_id = GroupId(StrBytes::from_static_str("testAPI"));
    req.topics = Some(vec![t]);
    let r: OffsetFetchResponse = c.call(ApiKey::OffsetFetch, 5, &req);
    let offsets: Vec<(i32, i64)> = r.topics[0]
        .partitions
        .iter()
        .map(|p| (p.partition_index, p.committed_offset))
        .collect();
    // p2 is the real member's commit; p0 whatever the simulated consumer committed.
    assert_eq!(offsets[1], (2, 5));
    assert_eq!(offsets[0].0, 0);

    let mut who = MemberIdentity::default();
    who.member_id = StrBytes::from_string(id.clone());
    let mut req = LeaveGroupRequest::default();
    req.group_id = GroupId(StrBytes::from_static_str("testAPI"));
    req.members = vec![who];
    let r: LeaveGroupResponse = c.call(ApiKey::LeaveGroup, 3, &req);
    assert_eq!(r.members[0].error_code, 0);
    let r: LeaveGroupResponse = c.call(ApiKey::LeaveGroup, 3, &req);
    assert_eq!(r.members[0].error_code, 25, "UNKNOWN_MEMBER_ID: it left");
    server.stop();
    let said = out.text();
    assert_eq!(said.matches("must offer \"range\"").count(), 1, "{said}");
    assert!(said.contains(&format!("member {id} assigned p2")), "{said}");
    assert!(said.contains(&format!("member {id} left")), "{said}");
}
