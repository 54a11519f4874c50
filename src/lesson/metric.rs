//! The numbers a goal or a question may compare: named by dotted paths in lesson files
//! (`producer.records_per_batch`, `ledger.lost.broker`, `partitions.0.high_watermark`),
//! parsed when the lesson loads into a `Metric` that reads the typed run summary. Each path
//! is tied to a summary field by an accessor below, so renaming a field of the summary
//! fails to compile here instead of silently breaking a lesson.

use crate::sim::Config;
use crate::sim::ledger::Verdict;
use crate::sim::summary::Summary;
use crate::sim::trace::SendReason;
use std::fmt;

/// A number of the run summary.
#[derive(Clone, Copy, Debug)]
pub enum Metric {
    Scalar(&'static Scalar),
    /// One item of a list (`partitions.2.leader`).
    Item(&'static Family, usize),
    BatchSendReason(SendReason),
    LedgerCount(Verdict),
}

/// A number at a fixed path.
#[derive(Debug)]
pub struct Scalar {
    pub path: &'static str,
    read: fn(&Summary) -> f64,
}

/// A number in each item of a list: `{prefix}.{index}{suffix}`.
#[derive(Debug)]
pub struct Family {
    prefix: &'static str,
    suffix: &'static str,
    /// How many items the list can have in a world with this configuration.
    len: fn(&Config) -> usize,
    /// `None`: the run has no such item (yet).
    read: fn(&Summary, usize) -> Option<f64>,
}

impl PartialEq for Metric {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

fn flag(b: bool) -> f64 {
    f64::from(u8::from(b))
}

fn count(n: u64) -> f64 {
    n as f64
}

/// A latency nothing was measured for reads as 0, as the JSON's null did.
fn or_zero(x: Option<f64>) -> f64 {
    x.unwrap_or(0.0)
}

macro_rules! scalar {
    ($path:literal, |$s:ident| $e:expr) => {
        Scalar {
            path: $path,
            read: |$s| $e,
        }
    };
}

static SCALARS: &[Scalar] = &[
    scalar!("sim_time_ms", |s| s.sim_time_ms),
    scalar!("events", |s| count(s.events)),
    scalar!("producer.records_requested", |s| count(
        s.producer.records_requested
    )),
    scalar!("producer.sent", |s| count(s.producer.sent)),
    scalar!("producer.acked", |s| count(s.producer.acked)),
    scalar!("producer.failed", |s| count(s.producer.failed)),
    scalar!("producer.unsent", |s| count(s.producer.unsent)),
    scalar!("producer.pending", |s| count(s.producer.pending)),
    scalar!("producer.batches", |s| count(s.producer.batches)),
    scalar!("producer.requests", |s| count(s.producer.requests)),
    scalar!("producer.retries", |s| count(s.producer.retries)),
    scalar!("producer.records_per_batch", |s| s
        .producer
        .records_per_batch),
    scalar!("producer.avg_batch_bytes", |s| s.producer.avg_batch_bytes),
    scalar!("producer.blocked_ms", |s| s.producer.blocked_ms),
    scalar!("producer.metadata_wait_ms", |s| s.producer.metadata_wait_ms),
    scalar!("producer.idempotence", |s| flag(s.producer.idempotence)),
    scalar!("producer.linger_ms", |s| count(s.producer.linger_ms)),
    scalar!("producer.batch_size", |s| f64::from(s.producer.batch_size)),
    scalar!("producer.latency_ms.p50", |s| or_zero(
        s.producer.latency_ms.p50
    )),
    scalar!("producer.latency_ms.p99", |s| or_zero(
        s.producer.latency_ms.p99
    )),
    scalar!("producer.latency_ms.max", |s| or_zero(
        s.producer.latency_ms.max
    )),
    scalar!("producer.interceptor.on_send", |s| count(
        s.producer.interceptor.on_send
    )),
    scalar!("producer.interceptor.on_acknowledgement", |s| count(
        s.producer.interceptor.on_acknowledgement
    )),
    scalar!("consumer.consumers", |s| f64::from(s.consumer.consumers)),
    scalar!("consumer.processed", |s| count(s.consumer.processed)),
    scalar!("consumer.polls", |s| count(s.consumer.polls)),
    scalar!("consumer.rebalances", |s| count(s.consumer.rebalances)),
    scalar!("consumer.crashes", |s| count(s.consumer.crashes)),
    scalar!("consumer.poll_timeouts", |s| count(
        s.consumer.poll_timeouts
    )),
    scalar!("consumer.generation", |s| f64::from(s.consumer.generation)),
    scalar!("consumer.commits.sent", |s| count(s.consumer.commits.sent)),
    scalar!("consumer.commits.succeeded", |s| count(
        s.consumer.commits.succeeded
    )),
    scalar!("consumer.commits.failed", |s| count(
        s.consumer.commits.failed
    )),
    scalar!("ledger.lost.broker", |s| count(s.ledger.lost.broker)),
    scalar!("ledger.lost.consumer", |s| count(s.ledger.lost.consumer)),
    scalar!("ledger.duplicated.log", |s| count(s.ledger.duplicated.log)),
    scalar!("ledger.duplicated.processing", |s| count(
        s.ledger.duplicated.processing
    )),
    scalar!("ledger.reordered", |s| count(s.ledger.reordered)),
];

fn partitions(c: &Config) -> usize {
    c.topology.partitions as usize
}

fn brokers(c: &Config) -> usize {
    c.topology.brokers as usize
}

/// The summary lists the first five callbacks (the notes print each one).
fn callbacks(_: &Config) -> usize {
    5
}

static FAMILIES: &[Family] = &[
    Family {
        prefix: "producer.records_per_partition",
        suffix: "",
        len: partitions,
        read: |s, i| s.producer.records_per_partition.get(i).map(|n| count(*n)),
    },
    Family {
        prefix: "producer.callbacks",
        suffix: ".partition",
        len: callbacks,
        read: |s, i| s.producer.callbacks.get(i).map(|c| f64::from(c.partition)),
    },
    Family {
        prefix: "producer.callbacks",
        suffix: ".offset",
        len: callbacks,
        read: |s, i| s.producer.callbacks.get(i).map(|c| c.offset as f64),
    },
    Family {
        prefix: "producer.callbacks",
        suffix: ".record",
        len: callbacks,
        read: |s, i| s.producer.callbacks.get(i).map(|c| f64::from(c.record)),
    },
    Family {
        prefix: "producer.callbacks",
        suffix: ".timestamp",
        len: callbacks,
        read: |s, i| s.producer.callbacks.get(i).map(|c| count(c.timestamp)),
    },
    Family {
        prefix: "partitions",
        suffix: ".high_watermark",
        len: partitions,
        read: |s, i| s.partitions.get(i).map(|p| p.high_watermark as f64),
    },
    Family {
        prefix: "partitions",
        suffix: ".log_end_offset",
        len: partitions,
        read: |s, i| s.partitions.get(i).map(|p| p.log_end_offset as f64),
    },
    Family {
        prefix: "partitions",
        suffix: ".leader",
        len: partitions,
        // No leader reads as 0, as the JSON's null did: `offline` says which it is.
        read: |s, i| s.partitions.get(i).map(|p| p.leader.map_or(0.0, f64::from)),
    },
    Family {
        prefix: "partitions",
        suffix: ".offline",
        len: partitions,
        read: |s, i| s.partitions.get(i).map(|p| flag(p.offline)),
    },
    Family {
        prefix: "partitions",
        suffix: ".last_leader",
        len: partitions,
        read: |s, i| s.partitions.get(i).map(|p| f64::from(p.last_leader)),
    },
    Family {
        prefix: "partitions",
        suffix: ".leader_epoch",
        len: partitions,
        read: |s, i| s.partitions.get(i).map(|p| f64::from(p.leader_epoch)),
    },
    Family {
        prefix: "brokers",
        suffix: ".alive",
        len: brokers,
        read: |s, i| s.brokers.get(i).map(|b| flag(b.alive)),
    },
    Family {
        prefix: "consumer.committed_offsets",
        suffix: "",
        len: partitions,
        // A partition nobody committed for has no entry: nothing committed, 0.
        read: |s, i| {
            let p = u32::try_from(i).ok()?;
            Some(
                s.consumer
                    .committed_offsets
                    .get(&p)
                    .map_or(0.0, |o| *o as f64),
            )
        },
    },
];

const BATCH_SEND_REASONS: &str = "producer.batch_send_reasons";
const LEDGER_COUNTS: &str = "ledger.counts";

impl Metric {
    /// The number in `summary`; `None` when the run has no such item (a callback that has
    /// not happened yet).
    pub fn read(&self, summary: &Summary) -> Option<f64> {
        match self {
            Metric::Scalar(s) => Some((s.read)(summary)),
            Metric::Item(f, i) => (f.read)(summary, *i),
            Metric::BatchSendReason(r) => Some(count(
                summary
                    .producer
                    .batch_send_reasons
                    .get(r.name())
                    .copied()
                    .unwrap_or(0),
            )),
            Metric::LedgerCount(v) => Some(count(
                summary.ledger.counts.get(v.name()).copied().unwrap_or(0),
            )),
        }
    }

    /// The metric `path` names in a world with `config`'s topology; the error says what is
    /// wrong and, for a typo, what was meant.
    pub fn parse(path: &str, config: &Config) -> Result<Metric, String> {
        if let Some(s) = SCALARS.iter().find(|s| s.path == path) {
            return Ok(Metric::Scalar(s));
        }
        if let Some(name) = child(path, BATCH_SEND_REASONS) {
            if let Some(r) = SendReason::ALL.iter().find(|r| r.name() == name) {
                return Ok(Metric::BatchSendReason(*r));
            }
        }
        if let Some(name) = child(path, LEDGER_COUNTS) {
            if let Some(v) = Verdict::ALL.iter().find(|v| v.name() == name) {
                return Ok(Metric::LedgerCount(*v));
            }
        }
        for f in FAMILIES {
            let Some(index) = child(path, f.prefix).and_then(|rest| rest.strip_suffix(f.suffix))
            else {
                continue;
            };
            if index.contains('.') {
                continue;
            }
            let here = format!("unknown metric '{path}': '{}'", f.prefix);
            let i = index
                .parse::<usize>()
                .map_err(|_| format!("{here} is a list; '{index}' is not an index"))?;
            return match (f.len)(config) {
                n if i < n => Ok(Metric::Item(f, i)),
                0 => Err(format!("{here} is empty in this lesson's setup")),
                n => Err(format!(
                    "{here} has {n} items in this lesson's setup (indexes 0 to {})",
                    n - 1
                )),
            };
        }
        Err(unknown(path, config))
    }

    /// Every metric of a world with `config`'s topology, as paths (documentation, tests and
    /// suggestions).
    pub fn paths(config: &Config) -> Vec<String> {
        let mut out: Vec<String> = SCALARS.iter().map(|s| s.path.to_string()).collect();
        out.extend(
            SendReason::ALL
                .iter()
                .map(|r| format!("{BATCH_SEND_REASONS}.{}", r.name())),
        );
        out.extend(
            Verdict::ALL
                .iter()
                .map(|v| format!("{LEDGER_COUNTS}.{}", v.name())),
        );
        for f in FAMILIES {
            out.extend((0..(f.len)(config)).map(|i| format!("{}.{i}{}", f.prefix, f.suffix)));
        }
        out
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Metric::Scalar(s) => f.write_str(s.path),
            Metric::Item(fam, i) => write!(f, "{}.{i}{}", fam.prefix, fam.suffix),
            Metric::BatchSendReason(r) => write!(f, "{BATCH_SEND_REASONS}.{}", r.name()),
            Metric::LedgerCount(v) => write!(f, "{LEDGER_COUNTS}.{}", v.name()),
        }
    }
}

/// `path` below `parent` (`a.b.c` below `a.b` is `c`).
fn child<'a>(path: &'a str, parent: &str) -> Option<&'a str> {
    path.strip_prefix(parent)?.strip_prefix('.')
}

/// Why `path` names no metric: which part is unknown, and the nearest metric (a typo) or
/// what the group it names holds.
fn unknown(path: &str, config: &Config) -> String {
    let paths = Metric::paths(config);
    let below: Vec<&str> = paths.iter().filter_map(|p| child(p, path)).collect();
    if !below.is_empty() {
        return format!(
            "metric '{path}' is a group, not a number: name one of {}",
            below.join(", ")
        );
    }
    // The longest part of the path that is a group of metrics, and the name after it.
    let parts: Vec<&str> = path.split('.').collect();
    let known = (1..parts.len())
        .rev()
        .find(|&k| {
            let group = parts[..k].join(".");
            paths.iter().any(|p| child(p, &group).is_some())
        })
        .unwrap_or(0);
    let here = match known {
        0 => "the summary".to_string(),
        k => format!("'{}'", parts[..k].join(".")),
    };
    let what = format!(
        "unknown metric '{path}': {here} has no '{}'",
        parts.get(known).copied().unwrap_or(path)
    );
    let limit = (path.chars().count() / 4).clamp(1, 3);
    let nearest = paths
        .iter()
        .map(|p| (crate::sim::config::edit_distance(path, p), p))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d);
    match nearest {
        Some((_, p)) => format!("{what} (did you mean '{p}'?)"),
        None => format!("{what} (lessons/README.md lists the metrics)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{KafkaVersion, Sim, Workload};

    fn config() -> Config {
        Config::defaults(KafkaVersion::default())
    }

    #[test]
    fn paths_parse_and_print_back() {
        let c = config();
        for p in Metric::paths(&c) {
            let m = Metric::parse(&p, &c).unwrap();
            assert_eq!(m.to_string(), p);
        }
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
            "ledger.counts.lost_broker",
            "ledger.lost.consumer",
            "sim_time_ms",
        ] {
            assert!(Metric::parse(ok, &c).is_ok(), "{ok}");
        }
    }

    #[test]
    fn wrong_paths_say_what_is_wrong() {
        let c = config();
        let e = |p| Metric::parse(p, &c).unwrap_err();
        assert!(e("producer.ackd").contains("did you mean 'producer.acked'"));
        assert!(e("producr.acked").contains("did you mean 'producer.acked'"));
        let m = e("partitions.3.leader");
        assert!(m.contains("has 3 items") && m.contains("0 to 2"), "{m}");
        assert!(
            e("producer.batch_send_reasons.fulll")
                .contains("did you mean 'producer.batch_send_reasons.full'")
        );
        let m = e("producer.latency_ms");
        assert!(m.contains("a group") && m.contains("p50"), "{m}");
        assert!(e("partitions.x.leader").contains("not an index"));
        assert!(e("nothing.like.it").contains("unknown metric"));
    }

    #[test]
    fn the_topology_sets_the_lists() {
        let mut c = config();
        c.set("partitions", "5").unwrap();
        assert!(Metric::parse("partitions.4.leader", &c).is_ok());
        assert!(Metric::parse("consumer.committed_offsets.4", &c).is_ok());
    }

    #[test]
    fn metrics_read_the_summary_as_its_json_says() {
        let mut sim = Sim::new(config(), Workload::notes_loop(50), 0).unwrap();
        sim.set_trace_enabled(false);
        sim.run(None);
        let summary = Summary::of(&sim);
        let json = serde_json::to_value(&summary).unwrap();
        let c = config();
        for p in Metric::paths(&c) {
            let mut cur = &json;
            for part in p.split('.') {
                cur = match cur {
                    serde_json::Value::Array(a) => &a[part.parse::<usize>().unwrap()],
                    v => v.get(part).unwrap_or(&serde_json::Value::Null),
                };
            }
            let expected = match cur {
                serde_json::Value::Bool(b) => flag(*b),
                v => v.as_f64().unwrap_or(0.0),
            };
            let got = Metric::parse(&p, &c).unwrap().read(&summary);
            assert_eq!(got, Some(expected), "{p}");
        }
    }
}
