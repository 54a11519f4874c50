//! The coordinator's events (`group::GroupEvent`) as log lines.

use super::group::{GroupEvent, LeaveReason};
use super::log::Log;
use crate::sim::SimTime;

pub(super) fn line(log: &mut Log, t: SimTime, e: &GroupEvent) {
    match e {
        GroupEvent::MemberJoined { group, member, .. } => {
            log.group_line(
                t,
                "serve.group.joined",
                &[("group", group), ("member", member)],
            );
        }
        GroupEvent::MemberLeft { group, member, why } => {
            let key = match why {
                LeaveReason::Left => "serve.group.left",
                _ => "serve.group.expired",
            };
            log.group_line(t, key, &[("group", group), ("member", member)]);
        }
        GroupEvent::RebalanceStarted { group, .. } => {
            log.group_line(t, "serve.group.rebalance", &[("group", group)]);
        }
        GroupEvent::RebalanceCompleted {
            group,
            generation,
            leader,
            members,
            ..
        } => {
            log.group_line(
                t,
                "serve.group.stable",
                &[
                    ("group", group),
                    ("generation", &generation.to_string()),
                    ("members", &members.to_string()),
                    ("leader", leader.as_deref().unwrap_or("-")),
                ],
            );
        }
        GroupEvent::Stable { .. } => {}
    }
}
