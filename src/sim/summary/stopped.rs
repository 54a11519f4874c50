//! Why the run stopped, and how far behind the consumers were when it did.

use crate::sim::config::CommitMode;
use crate::sim::consumer::Phase;
use crate::sim::{RunEnd, Sim};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize)]
pub struct StopSummary {
    /// `settled`, `settle_limit`, `until`, `time_limit` or `idle` (see `RunEnd`).
    pub reason: RunEnd,
    /// What had not settled: `producer`, `replication`, `consumers`, `commits`.
    pub waiting_for: Vec<&'static str>,
    /// Per partition, records the group has not consumed yet: high watermark − position
    /// (the consumer's `records-lag` metric). Only partitions that are behind.
    pub lag: BTreeMap<u32, i64>,
    /// Per partition, high watermark − committed offset (the LAG column of
    /// `kafka-consumer-groups.sh --describe`): what a consumer starting from the committed
    /// offsets would read. Only partitions that are behind; empty with `commit.mode=none`.
    pub committed_lag: BTreeMap<u32, i64>,
}

impl StopSummary {
    /// `None` unless the simulation was stopped by `run` and nothing happened since.
    pub fn of(sim: &Sim) -> Option<StopSummary> {
        let reason = sim.stopped()?;
        let mut lag = BTreeMap::new();
        let mut committed_lag = BTreeMap::new();
        let cfg = sim.config();
        if cfg.consumer.consumers > 0 {
            let g = sim.group();
            let committing = !matches!(cfg.consumer.commit_mode, CommitMode::None);
            for (p, part) in sim.cluster().partitions.iter().enumerate() {
                let p = p as u32;
                // An offline partition's last known HW: what its consumer still has to read.
                let hw = part.last_known_high_watermark();
                let committed = g.coordinator.committed.get(&p).copied();
                // The live owner's position; without one, the next owner starts at the
                // committed offset (auto.offset.reset=earliest: 0 when there is none).
                let position = g
                    .consumers
                    .iter()
                    .filter(|c| c.phase != Phase::Dead && c.assignment.contains(&p))
                    .find_map(|c| c.positions.get(&p).copied())
                    .or(committed)
                    .unwrap_or(0);
                if hw > position {
                    lag.insert(p, hw - position);
                }
                let committed = committed.unwrap_or(0);
                if committing && hw > committed {
                    committed_lag.insert(p, hw - committed);
                }
            }
        }
        Some(StopSummary {
            reason,
            waiting_for: sim.unsettled(),
            lag,
            committed_lag,
        })
    }
}
