use super::*;
use std::collections::BTreeSet;

const SESSION: u64 = 10_000;
const REBALANCE: u64 = 30_000;

fn proto(name: &str, meta: &[u8]) -> Protocol {
    Protocol {
        name: name.to_string(),
        metadata: meta.to_vec(),
    }
}

fn req_with(member: &str, client: &str, protocols: Vec<Protocol>) -> JoinRequest {
    JoinRequest {
        group: "g".to_string(),
        member_id: member.to_string(),
        client_id: client.to_string(),
        session_timeout_ms: SESSION,
        rebalance_timeout_ms: REBALANCE,
        protocol_type: "consumer".to_string(),
        protocols,
        require_known_member_id: false,
    }
}

fn req(member: &str, client: &str) -> JoinRequest {
    req_with(member, client, vec![proto("range", client.as_bytes())])
}

fn joins(done: &[Done]) -> Vec<(Waiter, JoinResult)> {
    done.iter()
        .filter_map(|d| {
            if let Done::Join(w, r) = d {
                Some((*w, r.clone()))
            } else {
                None
            }
        })
        .collect()
}

fn syncs(done: &[Done]) -> Vec<(Waiter, SyncResult)> {
    done.iter()
        .filter_map(|d| {
            if let Done::Sync(w, r) = d {
                Some((*w, r.clone()))
            } else {
                None
            }
        })
        .collect()
}

fn only_join(done: &[Done], waiter: Waiter) -> JoinResult {
    let j = joins(done);
    assert_eq!(j.len(), 1, "{done:?}");
    assert_eq!(j[0].0, waiter);
    j[0].1.clone()
}

fn only_sync(done: &[Done], waiter: Waiter) -> SyncResult {
    let s = syncs(done);
    assert_eq!(s.len(), 1, "{done:?}");
    assert_eq!(s[0].0, waiter);
    s[0].1.clone()
}

fn view(groups: &Groups) -> GroupView {
    groups
        .describe()
        .into_iter()
        .find(|v| v.group == "g")
        .expect("group g exists")
}

/// One member "a", joined and synced: generation 1, Stable. Returns its member id.
fn stable_one(groups: &mut Groups) -> String {
    let a = only_join(&groups.join(0, 1, req("", "a")), 1);
    assert_eq!((a.error, a.generation), (GroupError::None, 1));
    let s = only_sync(
        &groups.sync(
            0,
            2,
            "g",
            &a.member_id,
            1,
            vec![(a.member_id.clone(), b"pa".to_vec())],
        ),
        2,
    );
    assert_eq!(s.assignment, b"pa");
    a.member_id
}

/// Members a and b at generation 2, Stable (b joined a Stable group, a rejoined).
fn stable_two(groups: &mut Groups) -> (String, String) {
    let a = stable_one(groups);
    assert!(
        groups.join(100, 3, req("", "b")).is_empty(),
        "b waits for a to rejoin"
    );
    let done = groups.join(200, 4, req(&a, "a"));
    let j = joins(&done);
    assert_eq!(j.len(), 2);
    let b = j
        .iter()
        .find(|(w, _)| *w == 3)
        .expect("b answered")
        .1
        .member_id
        .clone();
    let s = groups.sync(
        200,
        5,
        "g",
        &a,
        2,
        vec![(a.clone(), b"pa".to_vec()), (b.clone(), b"pb".to_vec())],
    );
    assert_eq!(only_sync(&s, 5).assignment, b"pa");
    assert_eq!(
        only_sync(&groups.sync(200, 6, "g", &b, 2, vec![]), 6).assignment,
        b"pb"
    );
    groups.drain_events();
    (a, b)
}

#[test]
fn one_member_joins_syncs_heartbeats_and_commits() {
    let mut groups = Groups::new().with_initial_delay(0);
    let a = only_join(&groups.join(0, 1, req("", "a")), 1);
    assert_eq!(a.generation, 1);
    assert_eq!(a.leader, a.member_id);
    assert!(a.member_id.starts_with("a-"));
    assert_eq!(a.protocol_name.as_deref(), Some("range"));
    assert_eq!(
        a.members,
        vec![(a.member_id.clone(), b"a".to_vec())],
        "the leader gets every member's metadata"
    );
    assert_eq!(view(&groups).state, GroupState::CompletingRebalance);
    let s = only_sync(
        &groups.sync(
            10,
            2,
            "g",
            &a.member_id,
            1,
            vec![(a.member_id.clone(), b"p0".to_vec())],
        ),
        2,
    );
    assert_eq!(
        (s.error, s.assignment.as_slice(), s.protocol_name.as_deref()),
        (GroupError::None, &b"p0"[..], Some("range"))
    );
    assert_eq!(view(&groups).state, GroupState::Stable);
    assert_eq!(groups.heartbeat(20, "g", &a.member_id, 1), GroupError::None);
    let offsets = [("t".to_string(), 0, 42, Some("m".to_string()))];
    assert_eq!(
        groups.commit(30, "g", &a.member_id, 1, &offsets),
        GroupError::None
    );
    assert_eq!(
        groups.committed("g", "t", 0),
        Some((42, Some("m".to_string())))
    );
    assert_eq!(groups.committed("g", "t", 1), None);
    assert_eq!(groups.committed("other", "t", 0), None);
    let v = view(&groups);
    assert_eq!((v.generation, v.members.len(), v.offsets.len()), (1, 1, 1));
    assert_eq!(v.members[0].client_id, "a");
    let events = groups.drain_events();
    assert!(matches!(&events[0], GroupEvent::MemberJoined { client_id, .. } if client_id == "a"));
    assert!(events.iter().any(|e| matches!(
        e,
        GroupEvent::RebalanceCompleted {
            generation: 1,
            members: 1,
            ..
        }
    )));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, GroupEvent::Stable { generation: 1, .. }))
    );
    assert!(groups.drain_events().is_empty(), "drained");
}

#[test]
fn initial_delay_waits_and_extends_for_late_joiners() {
    let mut groups = Groups::new();
    assert!(groups.join(0, 1, req("", "a")).is_empty());
    assert_eq!(groups.next_deadline(), Some(3_000));
    assert!(
        groups.join(1_000, 2, req("", "b")).is_empty(),
        "an initial rebalance never completes early"
    );
    assert!(groups.tick(2_999).is_empty());
    assert!(
        groups.tick(3_000).is_empty(),
        "b joined during the delay: wait one more delay"
    );
    assert_eq!(groups.next_deadline(), Some(6_000));
    let j = joins(&groups.tick(6_000));
    assert_eq!(j.len(), 2);
    assert!(
        j.iter()
            .all(|(_, r)| r.generation == 1 && r.error == GroupError::None)
    );
    let leader = &j.iter().find(|(w, _)| *w == 1).expect("a").1;
    assert_eq!(
        leader.leader, leader.member_id,
        "the first member to join leads"
    );
    assert_eq!(leader.members.len(), 2);
    assert!(
        j.iter()
            .find(|(w, _)| *w == 2)
            .expect("b")
            .1
            .members
            .is_empty(),
        "followers get no member list"
    );
}

#[test]
fn the_initial_delay_never_outlasts_the_rebalance_timeout() {
    let mut groups = Groups::new();
    let short = |client: &str| JoinRequest {
        rebalance_timeout_ms: 5_000,
        ..req("", client)
    };
    assert!(groups.join(0, 1, short("a")).is_empty());
    assert!(groups.join(1_000, 2, short("b")).is_empty());
    assert!(groups.tick(3_000).is_empty());
    assert_eq!(
        groups.next_deadline(),
        Some(5_000),
        "extended by what is left of 5000 ms"
    );
    assert!(groups.join(4_000, 3, short("c")).is_empty());
    assert_eq!(
        joins(&groups.tick(5_000)).len(),
        3,
        "no time left to extend again"
    );
}

#[test]
fn a_new_member_rebalances_a_stable_group() {
    let mut groups = Groups::new().with_initial_delay(0);
    let a = stable_one(&mut groups);
    assert!(groups.join(100, 3, req("", "b")).is_empty());
    assert_eq!(view(&groups).state, GroupState::PreparingRebalance);
    assert_eq!(
        groups.heartbeat(150, "g", &a, 1),
        GroupError::RebalanceInProgress
    );
    assert_eq!(
        groups.commit(150, "g", &a, 1, &[]),
        GroupError::None,
        "commits of the old generation are fine before rejoining"
    );
    let j = joins(&groups.join(200, 4, req(&a, "a")));
    assert_eq!(j.len(), 2);
    assert!(j.iter().all(|(_, r)| r.generation == 2 && r.leader == a));
    let b = j
        .iter()
        .find(|(w, _)| *w == 3)
        .expect("b")
        .1
        .member_id
        .clone();
    // The follower's sync parks until the leader's arrives.
    assert!(groups.sync(210, 5, "g", &b, 2, vec![]).is_empty());
    assert_eq!(
        groups.heartbeat(215, "g", &b, 2),
        GroupError::None,
        "heartbeats are fine while awaiting sync"
    );
    let s = syncs(&groups.sync(
        220,
        6,
        "g",
        &a,
        2,
        vec![(a.clone(), b"pa".to_vec()), (b.clone(), b"pb".to_vec())],
    ));
    assert_eq!(s.len(), 2);
    assert_eq!(
        s.iter().find(|(w, _)| *w == 5).expect("b").1.assignment,
        b"pb"
    );
    assert_eq!(
        s.iter().find(|(w, _)| *w == 6).expect("a").1.assignment,
        b"pa"
    );
    assert_eq!(view(&groups).state, GroupState::Stable);
    // A late re-sync in Stable gets the stored assignment at once.
    assert_eq!(
        only_sync(&groups.sync(230, 7, "g", &b, 2, vec![]), 7).assignment,
        b"pb"
    );
}

#[test]
fn member_id_required_then_rejoin() {
    let mut groups = Groups::new().with_initial_delay(0);
    let first = JoinRequest {
        require_known_member_id: true,
        ..req("", "cli")
    };
    let r = only_join(&groups.join(0, 1, first.clone()), 1);
    assert_eq!(r.error, GroupError::MemberIdRequired);
    assert_eq!(r.error.code(), 79);
    assert!(r.member_id.starts_with("cli-"));
    assert!(
        view(&groups).members.is_empty(),
        "a pending member is not a member yet"
    );
    assert_eq!(
        groups.heartbeat(1, "g", &r.member_id, 0),
        GroupError::UnknownMemberId
    );
    let j = only_join(
        &groups.join(
            5,
            2,
            JoinRequest {
                member_id: r.member_id.clone(),
                ..first.clone()
            },
        ),
        2,
    );
    assert_eq!(
        (j.error, j.generation, j.member_id.as_str()),
        (GroupError::None, 1, r.member_id.as_str())
    );
    assert_eq!(
        only_join(&groups.join(6, 5, req(&r.member_id, "cli")), 5).generation,
        1,
        "a repeated join while awaiting sync is answered at once"
    );
    groups.sync(7, 6, "g", &r.member_id, 1, vec![]);
    // A pending member blocks the join phase until it comes back or expires.
    let ghost = only_join(&groups.join(10, 3, first), 3);
    assert_ne!(ghost.member_id, r.member_id, "generated ids are unique");
    assert!(
        groups.join(20, 4, req(&r.member_id, "cli")).is_empty(),
        "the leader rejoining a Stable group rebalances; it waits for the pending member"
    );
    assert!(groups.tick(10 + SESSION - 1).is_empty());
    let j = only_join(&groups.tick(10 + SESSION), 4);
    assert_eq!(j.generation, 2);
    assert_eq!(
        groups.leave(0, "g", &[ghost.member_id]).0,
        vec![GroupError::UnknownMemberId],
        "the pending id expired"
    );
}

#[test]
fn session_expiry_removes_a_silent_member() {
    let mut groups = Groups::new().with_initial_delay(0);
    let (a, b) = stable_two(&mut groups);
    assert_eq!(groups.next_deadline(), Some(200 + SESSION));
    assert_eq!(groups.heartbeat(5_000, "g", &a, 2), GroupError::None);
    assert_eq!(
        groups.next_deadline(),
        Some(200 + SESSION),
        "b is still the earliest"
    );
    assert!(groups.tick(200 + SESSION - 1).is_empty());
    assert!(groups.tick(200 + SESSION).is_empty());
    let events = groups.drain_events();
    assert!(events.contains(&GroupEvent::MemberLeft {
        group: "g".into(),
        member: b.clone(),
        why: LeaveReason::SessionExpired
    }));
    assert!(events.iter().any(|e| matches!(
        e,
        GroupEvent::RebalanceStarted {
            why: RebalanceReason::MemberLeft(LeaveReason::SessionExpired),
            ..
        }
    )));
    assert_eq!(
        groups.heartbeat(10_300, "g", &a, 2),
        GroupError::RebalanceInProgress
    );
    assert_eq!(
        groups.heartbeat(10_300, "g", &b, 2),
        GroupError::UnknownMemberId
    );
    let j = only_join(&groups.join(10_400, 9, req(&a, "a")), 9);
    assert_eq!(
        (j.generation, j.members.len()),
        (3, 1),
        "completes as soon as every remaining member rejoined"
    );
}

#[test]
fn rebalance_timeout_drops_the_laggard() {
    let mut groups = Groups::new().with_initial_delay(0);
    let (a, b) = stable_two(&mut groups);
    assert!(groups.join(1_000, 10, req("", "c")).is_empty());
    assert!(groups.join(1_100, 11, req(&a, "a")).is_empty());
    // b keeps heartbeating (so its session lives) but never rejoins.
    for t in (2_000..=31_000).step_by(3_000) {
        assert_eq!(
            groups.heartbeat(t, "g", &b, 2),
            GroupError::RebalanceInProgress
        );
        assert!(groups.tick(t).is_empty());
    }
    assert_eq!(groups.next_deadline(), Some(1_000 + REBALANCE));
    let j = joins(&groups.tick(1_000 + REBALANCE));
    assert_eq!(j.len(), 2);
    assert!(j.iter().all(|(_, r)| r.generation == 3 && r.leader == a));
    assert_eq!(
        j.iter().find(|(w, _)| *w == 11).expect("a").1.members.len(),
        2
    );
    assert_eq!(
        groups.heartbeat(31_001, "g", &b, 3),
        GroupError::UnknownMemberId
    );
    assert!(groups.drain_events().contains(&GroupEvent::MemberLeft {
        group: "g".into(),
        member: b,
        why: LeaveReason::NotRejoined
    }));
}

#[test]
fn leave_rebalances_and_the_last_leave_empties_the_group() {
    let mut groups = Groups::new().with_initial_delay(0);
    let (a, b) = stable_two(&mut groups);
    assert_eq!(
        groups.commit(300, "g", &a, 2, &[("t".into(), 0, 7, None)]),
        GroupError::None
    );
    // c and a wait in the join phase; b's leave lets it complete.
    assert!(groups.join(400, 20, req("", "c")).is_empty());
    assert!(groups.join(410, 21, req(&a, "a")).is_empty());
    let (errors, done) = groups.leave(420, "g", &[b.clone(), "nobody".to_string()]);
    assert_eq!(errors, vec![GroupError::None, GroupError::UnknownMemberId]);
    let rejoined = joins(&done);
    assert_eq!(rejoined.len(), 2);
    assert!(rejoined.iter().all(|(_, r)| r.generation == 3));
    let c = rejoined
        .iter()
        .find(|(w, _)| *w == 20)
        .expect("c")
        .1
        .member_id
        .clone();
    // A member leaving while parked gets UNKNOWN_MEMBER_ID for its join.
    assert!(
        groups
            .join(500, 22, req_with(&c, "c", vec![proto("range", b"new")]))
            .is_empty(),
        "changed metadata rebalances"
    );
    let (errors, done) = groups.leave(510, "g", std::slice::from_ref(&c));
    assert_eq!(errors, vec![GroupError::None]);
    assert_eq!(only_join(&done, 22).error, GroupError::UnknownMemberId);
    let (errors, _) = groups.leave(520, "g", std::slice::from_ref(&a));
    assert_eq!(errors, vec![GroupError::None]);
    let v = view(&groups);
    assert_eq!(
        (v.state, v.members.len(), v.leader),
        (GroupState::Empty, 0, None)
    );
    assert!(v.generation >= 4);
    assert_eq!(
        groups.committed("g", "t", 0),
        Some((7, None)),
        "offsets outlive the members"
    );
    assert_eq!(
        groups.leave(0, "none", std::slice::from_ref(&a)).0,
        vec![GroupError::UnknownMemberId]
    );
    assert_eq!(groups.next_deadline(), None);
}

#[test]
fn commit_errors() {
    let mut groups = Groups::new().with_initial_delay(0);
    let off = [("t".to_string(), 3, 9, None)];
    assert_eq!(
        groups.commit(0, "", "", -1, &off),
        GroupError::InvalidGroupId
    );
    assert_eq!(
        groups.commit(0, "nogroup", "m", 4, &off),
        GroupError::IllegalGeneration
    );
    assert_eq!(
        groups.commit(0, "simple", "", -1, &off),
        GroupError::None,
        "a standalone commit creates the group"
    );
    assert_eq!(groups.committed("simple", "t", 3), Some((9, None)));
    let a = only_join(&groups.join(0, 1, req("", "a")), 1).member_id;
    assert_eq!(
        groups.commit(1, "g", &a, 1, &off),
        GroupError::RebalanceInProgress,
        "rejected while awaiting sync"
    );
    assert_eq!(GroupError::RebalanceInProgress.code(), 27);
    groups.sync(2, 2, "g", &a, 1, vec![]);
    assert_eq!(
        groups.commit(3, "g", &a, 0, &off),
        GroupError::IllegalGeneration
    );
    assert_eq!(
        groups.commit(3, "g", "stranger", 1, &off),
        GroupError::UnknownMemberId
    );
    assert_eq!(
        groups.commit(3, "g", "", -1, &off),
        GroupError::UnknownMemberId,
        "a group with members takes no standalone commits"
    );
    assert_eq!(groups.committed("g", "t", 3), None);
    assert_eq!(groups.commit(3, "g", &a, 1, &off), GroupError::None);
    assert_eq!(groups.committed("g", "t", 3), Some((9, None)));
    // A commit counts as a heartbeat.
    assert_eq!(groups.commit(9_000, "g", &a, 1, &off), GroupError::None);
    assert!(groups.tick(SESSION + 1).is_empty());
    assert_eq!(groups.heartbeat(SESSION + 2, "g", &a, 1), GroupError::None);
}

#[test]
fn sync_and_heartbeat_errors() {
    let mut groups = Groups::new().with_initial_delay(0);
    let a = stable_one(&mut groups);
    assert_eq!(
        only_sync(&groups.sync(1, 3, "nope", &a, 1, vec![]), 3).error,
        GroupError::UnknownMemberId
    );
    assert_eq!(
        only_sync(&groups.sync(1, 4, "g", "who", 1, vec![]), 4).error,
        GroupError::UnknownMemberId
    );
    assert_eq!(
        only_sync(&groups.sync(1, 5, "g", &a, 7, vec![]), 5).error,
        GroupError::IllegalGeneration
    );
    assert_eq!(
        groups.heartbeat(1, "nope", &a, 1),
        GroupError::UnknownMemberId
    );
    assert_eq!(
        groups.heartbeat(1, "g", &a, 0),
        GroupError::IllegalGeneration
    );
    assert!(groups.join(2, 6, req("", "b")).is_empty());
    assert_eq!(
        only_sync(&groups.sync(3, 7, "g", &a, 1, vec![]), 7).error,
        GroupError::RebalanceInProgress
    );
    assert_eq!(
        only_join(&groups.join(3, 8, req("unknown-id", "x")), 8).error,
        GroupError::UnknownMemberId
    );
    let elsewhere = JoinRequest {
        group: "fresh".into(),
        ..req("m", "x")
    };
    assert_eq!(
        only_join(&groups.join(3, 9, elsewhere), 9).error,
        GroupError::UnknownMemberId,
        "a known id for an unknown group"
    );
    assert!(
        groups.describe().iter().all(|v| v.group != "fresh"),
        "a refused join creates no group"
    );
    let empty = JoinRequest {
        group: String::new(),
        ..req("", "x")
    };
    assert_eq!(
        only_join(&groups.join(3, 10, empty), 10).error,
        GroupError::InvalidGroupId
    );
    let short = JoinRequest {
        session_timeout_ms: 10,
        ..req("", "x")
    };
    assert_eq!(
        only_join(&groups.join(3, 11, short), 11).error,
        GroupError::InvalidSessionTimeout
    );
    let mut lax = Groups::new()
        .with_initial_delay(0)
        .with_session_bounds(1, u64::MAX);
    let short = JoinRequest {
        session_timeout_ms: 10,
        ..req("", "x")
    };
    assert_eq!(only_join(&lax.join(3, 1, short), 1).error, GroupError::None);
}

#[test]
fn a_rebalance_answers_parked_syncs_with_rebalance_in_progress() {
    let mut groups = Groups::new().with_initial_delay(0);
    let a = stable_one(&mut groups);
    groups.join(10, 3, req("", "b"));
    let done = groups.join(20, 4, req(&a, "a"));
    let b = joins(&done)
        .into_iter()
        .find(|(w, _)| *w == 3)
        .expect("b")
        .1
        .member_id;
    assert!(groups.sync(30, 5, "g", &b, 2, vec![]).is_empty());
    let (_, done) = groups.leave(40, "g", std::slice::from_ref(&a));
    assert_eq!(only_sync(&done, 5).error, GroupError::RebalanceInProgress);
    let j = only_join(&groups.join(50, 6, req(&b, "b")), 6);
    assert_eq!(
        (j.generation, j.leader.as_str()),
        (3, b.as_str()),
        "the remaining member leads"
    );
}

#[test]
fn a_leader_that_never_syncs_is_removed() {
    let mut groups = Groups::new().with_initial_delay(0);
    let a = stable_one(&mut groups);
    groups.join(10, 3, req("", "b"));
    let done = groups.join(20, 4, req(&a, "a"));
    let b = joins(&done)
        .into_iter()
        .find(|(w, _)| *w == 3)
        .expect("b")
        .1
        .member_id;
    assert!(groups.sync(30, 5, "g", &b, 2, vec![]).is_empty());
    assert_eq!(
        groups.next_deadline(),
        Some(20 + SESSION),
        "a's session; b is parked, so it does not expire"
    );
    // a heartbeats (so its session lives) but never sends its assignment.
    for t in (5_000..REBALANCE).step_by(5_000) {
        assert_eq!(groups.heartbeat(t, "g", &a, 2), GroupError::None);
        assert!(groups.tick(t).is_empty());
    }
    assert_eq!(
        groups.next_deadline(),
        Some(20 + REBALANCE),
        "the pending-sync timer"
    );
    let done = groups.tick(20 + REBALANCE);
    assert_eq!(only_sync(&done, 5).error, GroupError::RebalanceInProgress);
    assert!(groups.drain_events().contains(&GroupEvent::MemberLeft {
        group: "g".into(),
        member: a,
        why: LeaveReason::NotSynced
    }));
    assert_eq!(view(&groups).state, GroupState::PreparingRebalance);
}

#[test]
fn protocol_vote_and_inconsistent_protocols() {
    let mut groups = Groups::new();
    let p = |names: &[&str]| {
        names
            .iter()
            .map(|n| proto(n, n.as_bytes()))
            .collect::<Vec<_>>()
    };
    groups.join(0, 1, req_with("", "a", p(&["range", "roundrobin"])));
    groups.join(0, 2, req_with("", "b", p(&["roundrobin", "range"])));
    groups.join(
        0,
        3,
        req_with("", "c", p(&["roundrobin", "range", "sticky"])),
    );
    let other_type = JoinRequest {
        protocol_type: "connect".into(),
        ..req_with("", "d", p(&["range"]))
    };
    assert_eq!(
        only_join(&groups.join(0, 4, other_type), 4).error,
        GroupError::InconsistentGroupProtocol
    );
    assert_eq!(
        only_join(&groups.join(0, 5, req_with("", "e", p(&["sticky"]))), 5).error,
        GroupError::InconsistentGroupProtocol
    );
    assert_eq!(
        only_join(&groups.join(0, 6, req_with("", "e", vec![])), 6).error,
        GroupError::InconsistentGroupProtocol
    );
    assert!(
        groups.tick(3_000).is_empty(),
        "b and c joined during the initial delay"
    );
    let j = joins(&groups.tick(6_000));
    assert_eq!(j.len(), 3);
    assert!(
        j.iter()
            .all(|(_, r)| r.protocol_name.as_deref() == Some("roundrobin")),
        "two votes beat one"
    );
    let leader = &j.iter().find(|(w, _)| *w == 1).expect("a").1;
    assert!(
        leader.members.iter().all(|(_, meta)| meta == b"roundrobin"),
        "metadata of the chosen protocol"
    );

    let mut tie = Groups::new();
    tie.join(0, 1, req_with("", "a", p(&["range", "roundrobin"])));
    tie.join(0, 2, req_with("", "b", p(&["roundrobin", "range"])));
    let j = joins(&tie.tick(6_000));
    assert!(
        j.iter()
            .all(|(_, r)| r.protocol_name.as_deref() == Some("range")),
        "a tie goes to the leader's preference"
    );
    assert_eq!(
        only_join(
            &Groups::new().join(
                0,
                1,
                JoinRequest {
                    protocol_type: String::new(),
                    ..req("", "a")
                }
            ),
            1
        )
        .error,
        GroupError::InconsistentGroupProtocol
    );
}

#[test]
fn resent_join_and_forgotten_waiters() {
    let mut groups = Groups::new().with_initial_delay(0);
    let (a, b) = stable_two(&mut groups);
    // A follower repeating an unchanged join in Stable just gets the current generation.
    let r = only_join(&groups.join(300, 30, req(&b, "b")), 30);
    assert_eq!((r.generation, r.members.len()), (2, 0));
    assert_eq!(view(&groups).state, GroupState::Stable);
    // The leader rejoining starts a rebalance; a connection that closed is never answered,
    // yet its member still counts as rejoined.
    assert!(groups.join(310, 31, req(&a, "a")).is_empty());
    groups.forget_waiter(31);
    let j = joins(&groups.join(320, 32, req(&b, "b")));
    assert_eq!(j.len(), 1);
    assert_eq!((j[0].0, j[0].1.generation), (32, 3));
    // A second join from the same member answers the first one.
    groups.sync(330, 33, "g", &a, 3, vec![]);
    assert!(
        groups
            .join(340, 34, req_with(&b, "b", vec![proto("range", b"changed")]))
            .is_empty()
    );
    let done = groups.join(350, 35, req_with(&b, "b", vec![proto("range", b"changed")]));
    assert_eq!(only_join(&done, 34).error, GroupError::RebalanceInProgress);
}

/// A tiny deterministic generator for the random-operation test.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Runs random operations; checks invariants as it goes; returns a transcript.
fn random_run(seed: u64, steps: usize) -> Vec<String> {
    let mut rng = Lcg(seed);
    let mut groups = Groups::new()
        .with_initial_delay(rng.next(2) * 500)
        .with_session_bounds(0, u64::MAX);
    let mut log: Vec<String> = Vec::new();
    let mut now = 0u64;
    let mut waiter = 0u64;
    let mut ids: Vec<String> = vec![String::new(), "bogus".into()];
    let mut parked: BTreeSet<Waiter> = BTreeSet::new();
    let mut generations: BTreeMap<String, i32> = BTreeMap::new();
    let names = ["g", "h", ""];
    let settle = |done: Vec<Done>,
                  parked: &mut BTreeSet<Waiter>,
                  ids: &mut Vec<String>,
                  log: &mut Vec<String>| {
        for d in done {
            let w = match &d {
                Done::Join(w, r) => {
                    if !r.member_id.is_empty() && !ids.contains(&r.member_id) {
                        ids.push(r.member_id.clone());
                    }
                    *w
                }
                Done::Sync(w, _) => *w,
            };
            assert!(
                parked.remove(&w),
                "waiter {w} answered twice or never issued: {d:?}"
            );
            log.push(format!("{d:?}"));
        }
    };
    for _ in 0..steps {
        now = now.saturating_add(rng.next(400));
        let group = names[rng.next(3) as usize].to_string();
        // Mostly well-formed requests (a real member, the current generation), so the run
        // reaches Stable groups and rebalances, with some strays mixed in.
        let current = groups.describe().into_iter().find(|v| v.group == group);
        let real = current
            .as_ref()
            .map(|v| v.members.clone())
            .unwrap_or_default();
        let member = if !real.is_empty() && rng.next(4) > 0 {
            real[rng.next(real.len() as u64) as usize].member_id.clone()
        } else {
            ids[rng.next(ids.len() as u64) as usize].clone()
        };
        let generation = match &current {
            Some(v) if rng.next(4) > 0 => v.generation,
            _ => rng.next(5) as i32 - 1,
        };
        waiter += 1;
        match rng.next(24) {
            0..=5 => {
                parked.insert(waiter);
                // A member told MEMBER_ID_REQUIRED comes back with its new id.
                let member = if rng.next(3) == 0 {
                    ids.last().cloned().unwrap_or_default()
                } else {
                    member
                };
                let protocols = match rng.next(8) {
                    0..=2 => vec![proto("range", b"r")],
                    3..=5 => vec![proto("roundrobin", b"o"), proto("range", b"r")],
                    6 => vec![],
                    _ => vec![proto("sticky", b"s")],
                };
                let r = JoinRequest {
                    group,
                    member_id: member,
                    client_id: format!("c{}", rng.next(3)),
                    session_timeout_ms: [0, 6_000, 10_000, 10_000, 30_000, u64::MAX]
                        [rng.next(6) as usize],
                    rebalance_timeout_ms: [0, 8_000, 20_000, 20_000, 60_000, u64::MAX]
                        [rng.next(6) as usize],
                    protocol_type: if rng.next(16) == 0 {
                        "connect".into()
                    } else {
                        "consumer".into()
                    },
                    protocols,
                    require_known_member_id: rng.next(2) == 0,
                };
                settle(groups.join(now, waiter, r), &mut parked, &mut ids, &mut log);
            }
            6..=9 => {
                parked.insert(waiter);
                let assignment = vec![(member.clone(), vec![1]), ("stray".into(), vec![2])];
                settle(
                    groups.sync(now, waiter, &group, &member, generation, assignment),
                    &mut parked,
                    &mut ids,
                    &mut log,
                );
            }
            10..=16 => log.push(format!(
                "hb {:?}",
                groups.heartbeat(now, &group, &member, generation)
            )),
            17 => {
                let (errors, done) = groups.leave(now, &group, &[member, "x".into()]);
                log.push(format!("leave {errors:?}"));
                settle(done, &mut parked, &mut ids, &mut log);
            }
            18 | 19 => log.push(format!(
                "commit {:?}",
                groups.commit(
                    now,
                    &group,
                    &member,
                    generation,
                    &[("t".into(), 0, now as i64, None)]
                )
            )),
            20 => {
                let w = rng.next(waiter);
                groups.forget_waiter(w);
                parked.remove(&w);
            }
            _ => {
                if let Some(d) = groups.next_deadline() {
                    now = now.max(d);
                }
                settle(groups.tick(now), &mut parked, &mut ids, &mut log);
                assert!(
                    groups.next_deadline().is_none_or(|d| d > now),
                    "tick leaves nothing due"
                );
            }
        }
        for v in groups.describe() {
            let before = generations
                .insert(v.group.clone(), v.generation)
                .unwrap_or(0);
            assert!(v.generation >= before, "generation went back: {v:?}");
            let member_ids: Vec<&str> = v.members.iter().map(|m| m.member_id.as_str()).collect();
            match v.state {
                GroupState::Empty => assert!(member_ids.is_empty() && v.leader.is_none(), "{v:?}"),
                GroupState::CompletingRebalance | GroupState::Stable => {
                    assert!(v.protocol.is_some(), "{v:?}");
                    assert!(
                        v.leader.as_deref().is_some_and(|l| member_ids.contains(&l)),
                        "{v:?}"
                    );
                }
                GroupState::PreparingRebalance => {
                    assert!(
                        v.leader.as_deref().is_none_or(|l| member_ids.contains(&l)),
                        "{v:?}"
                    );
                }
            }
        }
        log.push(format!("{:?}", groups.drain_events()));
    }
    // Liveness: with enough time every parked request is answered.
    for _ in 0..20 {
        let Some(d) = groups.next_deadline() else {
            break;
        };
        now = now.max(d);
        settle(groups.tick(now), &mut parked, &mut ids, &mut log);
    }
    assert!(parked.is_empty(), "never answered: {parked:?}");
    log
}

#[test]
fn random_operations_keep_invariants_and_are_deterministic() {
    for seed in 0..60 {
        let first = random_run(seed, 300);
        assert_eq!(
            first,
            random_run(seed, 300),
            "seed {seed} is not deterministic"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn random_operations_never_panic(seed in proptest::prelude::any::<u64>()) {
        random_run(seed, 200);
    }
}
