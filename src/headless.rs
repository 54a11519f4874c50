//! `kafka-flow run`: build a simulation from the command line, run it, report.

use crate::cli::{RunArgs, SimArgs};
use crate::sim::config::{OffsetReset, SETTINGS, load_properties_file, parse_assignment};
use crate::sim::summary::Summary;
use crate::sim::time::parse_duration;
use crate::sim::workload::{SendMode, Template, Workload};
use crate::sim::{Command, Config, KafkaVersion, Sim, SimTime, command::parse_timed_fault};
use std::fmt;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};

/// A failure to report to the user: bad input exits with 2, anything else with 1.
#[derive(Debug)]
pub enum CliError {
    BadInput(String),
    Io(String),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::BadInput(_) => 2,
            CliError::Io(_) => 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::BadInput(m) | CliError::Io(m) => f.write_str(m),
        }
    }
}

/// A failed write of what a command prints (a full disk, a pipe whose reader is gone): the
/// commands write to standard output, so the message says so.
pub fn output_error(e: &std::io::Error) -> CliError {
    CliError::Io(format!("cannot write to standard output: {e}"))
}

fn bad(m: impl Into<String>) -> CliError {
    CliError::BadInput(m.into())
}

/// The built-in scenario: the notes' CustomProducer sets linger.ms=1 (acks=all and
/// batch.size=16384 are the defaults anyway); the user's own --set still wins.
pub fn builtin_sim_args(args: &SimArgs) -> SimArgs {
    let mut out = args.clone();
    out.set.insert(0, "linger.ms=1".to_string());
    out
}

/// The configuration from `--kafka-version`, `--config` and `--set`, in that order.
pub fn build_config(args: &SimArgs) -> Result<Config, CliError> {
    let version = match &args.kafka_version {
        Some(v) => KafkaVersion::parse(v).map_err(|e| bad(format!("--kafka-version: {e}")))?,
        None => KafkaVersion::default(),
    };
    let mut cfg = Config::defaults(version);
    // The notes' CustomConsumer reads from the beginning (Kafka's own default is latest,
    // which would skip what the producer wrote before the group formed).
    cfg.consumer.auto_offset_reset = OffsetReset::Earliest;
    if let Some(path) = &args.config {
        load_properties_file(&mut cfg, path).map_err(|e| bad(e.to_string()))?;
    }
    for s in &args.set {
        let (name, value) = parse_assignment(s).map_err(|e| bad(format!("--set {s}: {e}")))?;
        cfg.set(name, value)
            .map_err(|e| bad(format!("--set {e}")))?;
    }
    cfg.validate().map_err(|e| bad(e.to_string()))?;
    Ok(cfg)
}

pub fn build_workload(run: &RunArgs) -> Result<Workload, CliError> {
    let key = if run.key == "none" {
        None
    } else {
        Some(Template::parse(&run.key).map_err(|e| bad(format!("--key: {e}")))?)
    };
    let w = Workload {
        records: run.records,
        rate: run.rate,
        key,
        value: Template::parse(&run.value).map_err(|e| bad(format!("--value: {e}")))?,
        value_bytes: run.value_bytes,
        send_mode: if run.sync {
            SendMode::Sync
        } else {
            SendMode::Async
        },
        close_when_done: !run.no_close,
        flush_every: run.flush_every,
    };
    w.validate().map_err(bad)?;
    Ok(w)
}

/// Builds the simulation with its scheduled faults.
pub fn build_sim(sim_args: &SimArgs, run: &RunArgs) -> Result<Sim, CliError> {
    let cfg = build_config(sim_args)?;
    let workload = build_workload(run)?;
    let (brokers, partitions, consumers) = (
        cfg.topology.brokers,
        cfg.topology.partitions,
        cfg.consumer.consumers,
    );
    let faults = run
        .fault
        .iter()
        .map(|f| {
            parse_timed_fault(f, brokers, partitions, consumers)
                .map_err(|e| bad(format!("--fault '{f}': {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let seed = sim_args.seed.unwrap_or(crate::sim::DEFAULT_SEED);
    let mut sim = Sim::new(cfg, workload, seed).map_err(|e| bad(e.to_string()))?;
    for (at, fault) in faults {
        sim.schedule(SimTime::ZERO + at, Command::Fault { fault });
    }
    Ok(sim)
}

pub fn run(sim_args: &SimArgs, run: &RunArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let until = match &run.until {
        Some(u) => {
            Some(SimTime::ZERO + parse_duration(u).map_err(|e| bad(format!("--until: {e}")))?)
        }
        None => None,
    };
    let mut sim = build_sim(sim_args, run)?;
    if let Some(path) = &run.trace {
        {
            let file = std::fs::File::create(path)
                .map_err(|e| bad(format!("cannot write trace file '{}': {e}", path.display())))?;
            let mut w = BufWriter::new(file);
            let mut err = None;
            sim.run_with(until, &mut |batch| {
                if err.is_some() {
                    return;
                }
                for r in batch {
                    if let Err(e) = crate::report::trace_json(&r)
                        .and_then(|v| serde_json::to_writer(&mut w, &v))
                        .map_err(std::io::Error::from)
                        .and_then(|()| w.write_all(b"\n"))
                    {
                        err = Some(e);
                        return;
                    }
                }
            });
            if let Some(e) = err.or_else(|| w.flush().err()) {
                return Err(CliError::Io(format!("writing '{}': {e}", path.display())));
            }
        }
    } else {
        sim.set_trace_enabled(false);
        sim.run(until);
    }
    let summary = Summary::of(&sim);
    let text = if run.json {
        crate::report::summary_json(&summary)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .map_err(|e| CliError::Io(e.to_string()))?
            + "\n"
    } else {
        crate::report::summary_text(&summary)
    };
    out.write_all(text.as_bytes()).map_err(|e| output_error(&e))
}

/// `kafka-flow settings`: every setting, its default and what it does.
pub fn list_settings(version: &str, out: &mut dyn Write) -> Result<(), CliError> {
    let v = KafkaVersion::parse(version).map_err(|e| bad(format!("--kafka-version: {e}")))?;
    let cfg = Config::defaults(v);
    let mut text = String::new();
    let mut group = "";
    for s in SETTINGS {
        if s.group != group {
            group = s.group;
            let _ = write!(text, "\n[{group}]\n");
        }
        let value = cfg.get(s.name).unwrap_or_default();
        let _ = writeln!(text, "  {:<44} {:<12} {}", s.name, value, s.doc);
    }
    let _ = writeln!(
        text,
        "\n(`kafka-flow run` starts from these with auto.offset.reset=earliest, as the notes' CustomConsumer does.)"
    );
    out.write_all(text.trim_start().as_bytes())
        .map_err(|e| output_error(&e))
}
