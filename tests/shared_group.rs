//! Real members in the simulated consumers' group, in virtual time (no sockets): the one
//! coordinator hands out partitions to both, a real leader's assignment rules the simulated
//! members, and real members are removed when they stop syncing or heartbeating.

use kafka_flow::headless;
use kafka_flow::scenario::{WorkloadSpec, WorldOptions};
use kafka_flow::sim::client_group::{ClientGroupReply, GroupRefusal};
use kafka_flow::sim::{Sim, SimTime};

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
