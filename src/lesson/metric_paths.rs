//! Which dotted paths a goal or a question may name, known when a lesson loads, before
//! anything runs.
//!
//! The namespace is the run summary's own JSON (see `goals.rs`), so the list of metrics
//! cannot drift from it: the shape is the summary of the lesson's world at virtual time 0
//! (its arrays are already as long as the topology makes them), with the two lists that only
//! fill as a run goes on (`producer.callbacks`, `ledger.examples`) taken from a small run,
//! and the count maps that list only what happened completed with every key they can have.

use crate::sim::ledger::Verdict;
use crate::sim::summary::Summary;
use crate::sim::trace::SendReason;
use crate::sim::{Config, KafkaVersion, Sim, Workload};
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// Lists that are empty at time 0 whatever the setup, and grow as records complete.
const RUN_FILLED: &[&[&str]] = &[&["producer", "callbacks"], &["ledger", "examples"]];

/// The places a goal can point at in one lesson's run summary.
pub struct MetricSpace {
    shape: Value,
}

impl MetricSpace {
    /// The metrics of a world with `config`'s topology. Building it creates the simulation
    /// but runs nothing (the small sample run behind the run-filled lists happens once per
    /// process).
    pub fn of(config: &Config) -> Result<MetricSpace, String> {
        let sim =
            Sim::new(config.clone(), Workload::notes_loop(1), 0).map_err(|e| e.to_string())?;
        let mut shape = serde_json::to_value(Summary::of(&sim)).map_err(|e| e.to_string())?;
        for path in RUN_FILLED {
            if let (Some(slot), Some(filled)) = (at_mut(&mut shape, path), at(sample(), path)) {
                *slot = filled.clone();
            }
        }
        complete_count_maps(&mut shape, config.topology.partitions);
        Ok(MetricSpace { shape })
    }

    /// Whether `path` names a number (or a flag) of the summary; the error says which part of
    /// the path is wrong and what was there instead.
    pub fn check(&self, path: &str) -> Result<(), String> {
        let mut cur = &self.shape;
        let mut walked = String::new();
        for part in path.split('.') {
            let here = if walked.is_empty() {
                "the summary".to_string()
            } else {
                format!("'{walked}'")
            };
            cur = match cur {
                Value::Object(map) => map.get(part).ok_or_else(|| {
                    let full = |k: &str| join(&walked, k);
                    match closest(part, map.keys().map(String::as_str)) {
                        Some(k) => format!(
                            "unknown metric '{path}': {here} has no '{part}' (did you mean '{}'?)",
                            full(k)
                        ),
                        None => format!(
                            "unknown metric '{path}': {here} has no '{part}' (it has: {})",
                            keys(map)
                        ),
                    }
                })?,
                Value::Array(items) => {
                    let i = part.parse::<usize>().map_err(|_| {
                        format!(
                            "unknown metric '{path}': {here} is a list; '{part}' is not an index"
                        )
                    })?;
                    items.get(i).ok_or_else(|| match items.len() {
                        0 => format!(
                            "unknown metric '{path}': {here} is empty in this lesson's setup"
                        ),
                        n => format!(
                            "unknown metric '{path}': {here} has {n} items in this lesson's setup (indexes 0 to {})",
                            n - 1
                        ),
                    })?
                }
                _ => {
                    return Err(format!(
                        "unknown metric '{path}': {here} is a single value, it has no '{part}'"
                    ));
                }
            };
            walked = join(&walked, part);
        }
        match cur {
            Value::Number(_) | Value::Bool(_) | Value::Null => Ok(()),
            Value::String(_) => Err(format!(
                "metric '{path}' is text, not a number a goal can compare"
            )),
            Value::Object(map) => Err(format!(
                "metric '{path}' is a group, not a number: name one of {}",
                keys(map)
            )),
            Value::Array(_) => Err(format!(
                "metric '{path}' is a list, not a number: add an index ('{path}.0')"
            )),
        }
    }

    /// Every number the summary has, as dotted paths (for documentation and tests).
    pub fn paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect(&self.shape, String::new(), &mut out);
        out
    }
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn keys(map: &Map<String, Value>) -> String {
    map.keys().cloned().collect::<Vec<_>>().join(", ")
}

fn collect(v: &Value, prefix: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                collect(v, join(&prefix, k), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect(v, join(&prefix, &i.to_string()), out);
            }
        }
        Value::String(_) => {}
        _ => out.push(prefix),
    }
}

/// The key nearest to `wanted`, if it is near enough to be a typo of it.
fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (wanted.chars().count() / 4).clamp(1, 3);
    candidates
        .map(|c| (crate::sim::config::edit_distance(wanted, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(v, |cur, k| cur.get(k))
}

fn at_mut<'v>(v: &'v mut Value, path: &[&str]) -> Option<&'v mut Value> {
    path.iter().try_fold(v, |cur, k| cur.get_mut(k))
}

/// Maps of counts list only what happened (a reason no batch was sent for is absent, and
/// `goals::lookup_or_zero` reads it as 0): give them every key they can have.
fn complete_count_maps(shape: &mut Value, partitions: u32) {
    let fill = |map: Option<&mut Value>, keys: &mut dyn Iterator<Item = String>| {
        if let Some(Value::Object(m)) = map {
            for k in keys {
                m.entry(k).or_insert(Value::from(0));
            }
        }
    };
    fill(
        at_mut(shape, &["producer", "batch_send_reasons"]),
        &mut SendReason::ALL.iter().map(|r| r.name().to_string()),
    );
    fill(
        at_mut(shape, &["ledger", "counts"]),
        &mut Verdict::ALL.iter().map(|v| v.name().to_string()),
    );
    fill(
        at_mut(shape, &["consumer", "committed_offsets"]),
        &mut (0..partitions).map(|p| p.to_string()),
    );
    if let Some(Value::Array(members)) = at_mut(shape, &["consumer", "members"]) {
        for m in members {
            fill(
                m.get_mut("positions"),
                &mut (0..partitions).map(|p| p.to_string()),
            );
        }
    }
}

/// The summary of a small run of the defaults to its end, once per process: it has the
/// callbacks and ledger examples that a world at time 0 has not produced yet.
fn sample() -> &'static Value {
    static SAMPLE: OnceLock<Value> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let Ok(mut sim) = Sim::new(
            Config::defaults(KafkaVersion::default()),
            Workload::notes_loop(20),
            0,
        ) else {
            return Value::Null;
        };
        sim.set_trace_enabled(false);
        sim.run(None);
        serde_json::to_value(Summary::of(&sim)).unwrap_or(Value::Null)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> MetricSpace {
        MetricSpace::of(&Config::defaults(KafkaVersion::default())).unwrap()
    }

    #[test]
    fn numbers_of_the_summary_resolve() {
        let s = space();
        for ok in [
            "producer.acked",
            "producer.records_per_batch",
            "producer.batch_send_reasons.linger",
            "producer.latency_ms.p99",
            "producer.idempotence",
            "producer.callbacks.0.offset",
            "producer.records_per_partition.2",
            "partitions.2.high_watermark",
            "partitions.0.leader",
            "consumer.committed_offsets.2",
            "consumer.members.0.positions.1",
            "ledger.counts.lost_broker",
            "ledger.lost.consumer",
            "ledger.examples.0.offset",
            "sim_time_ms",
        ] {
            assert_eq!(s.check(ok), Ok(()), "{ok}");
        }
        assert!(s.paths().contains(&"producer.acked".to_string()));
    }

    #[test]
    fn wrong_paths_say_what_is_wrong() {
        let s = space();
        let e = s.check("producer.ackd").unwrap_err();
        assert!(e.contains("did you mean 'producer.acked'"), "{e}");
        let e = s.check("producr.acked").unwrap_err();
        assert!(e.contains("did you mean 'producer'"), "{e}");
        let e = s.check("partitions.3.leader").unwrap_err();
        assert!(e.contains("has 3 items") && e.contains("0 to 2"), "{e}");
        let e = s.check("producer.batch_send_reasons.fulll").unwrap_err();
        assert!(
            e.contains("did you mean 'producer.batch_send_reasons.full'"),
            "{e}"
        );
        let e = s.check("producer.acks").unwrap_err();
        assert!(e.contains("is text"), "{e}");
        let e = s.check("producer.latency_ms").unwrap_err();
        assert!(e.contains("a group") && e.contains("p50"), "{e}");
        let e = s.check("partitions.x").unwrap_err();
        assert!(e.contains("not an index"), "{e}");
        let e = s.check("producer.acked.x").unwrap_err();
        assert!(e.contains("single value"), "{e}");
    }

    #[test]
    fn the_topology_sets_the_lists() {
        let mut cfg = Config::defaults(KafkaVersion::default());
        cfg.set("partitions", "5").unwrap();
        cfg.set("consumers", "0").unwrap();
        let s = MetricSpace::of(&cfg).unwrap();
        assert_eq!(s.check("partitions.4.leader"), Ok(()));
        assert_eq!(s.check("consumer.committed_offsets.4"), Ok(()));
        let e = s.check("consumer.members.0.phase").unwrap_err();
        assert!(e.contains("empty in this lesson's setup"), "{e}");
    }

    #[test]
    fn the_completed_maps_and_lists_exist_in_the_summary() {
        // If the summary renames one of them, the completion above silently does nothing;
        // this catches it.
        let v = sample();
        for path in RUN_FILLED {
            assert!(
                at(v, path)
                    .and_then(Value::as_array)
                    .is_some_and(|a| !a.is_empty()),
                "{path:?}"
            );
        }
        for path in [
            &["producer", "batch_send_reasons"][..],
            &["ledger", "counts"],
            &["consumer", "committed_offsets"],
            &["consumer", "members"],
        ] {
            assert!(at(v, path).is_some(), "{path:?}");
        }
    }
}
