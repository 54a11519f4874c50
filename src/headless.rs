//! `kafka-flow run`: build a simulation from the command line, run it, report.

use crate::i18n::Lang;
use crate::scenario::{Scenario, WorkloadSpec, WorldOptions};
use crate::scenarios::ScenarioFile;
use crate::sim::config::SETTINGS;
use crate::sim::summary::Summary;
use crate::sim::time::parse_duration;
use crate::sim::{Command, Config, KafkaVersion, SimTime, command::parse_timed_fault};
use std::fmt;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

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

/// What `kafka-flow run` does besides building the world: when to stop, how to report.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// A fault at a virtual time each, `AT:ACTION[:ARG]` (`--fault`).
    pub faults: Vec<String>,
    /// Stop at this virtual time instead of when the run settles (`--until`).
    pub until: Option<String>,
    pub json: bool,
    /// Write every trace event here as JSON lines (`--trace`).
    pub trace: Option<PathBuf>,
}

/// The scenario: the world the options describe, with the `--fault`s scheduled.
pub fn scenario(
    world: &WorldOptions,
    workload: &WorkloadSpec,
    faults: &[String],
) -> Result<Scenario, CliError> {
    let config = world.config().map_err(bad)?;
    let workload = workload.build().map_err(bad)?;
    let mut scenario = Scenario::new(config, workload, world.seed());
    add_faults(&mut scenario, faults)?;
    Ok(scenario)
}

/// Schedules the `--fault`s, checked against the scenario's topology. They come after the
/// scenario's own commands of the same instant.
pub fn add_faults(scenario: &mut Scenario, faults: &[String]) -> Result<(), CliError> {
    let (brokers, partitions, consumers) = (
        scenario.config.topology.brokers,
        scenario.config.topology.partitions,
        scenario.config.consumer.consumers,
    );
    for f in faults {
        let (at, fault) = parse_timed_fault(f, brokers, partitions, consumers)
            .map_err(|e| bad(format!("--fault '{f}': {e}")))?;
        scenario
            .commands
            .push((SimTime::ZERO + at, Command::Fault { fault }));
    }
    Ok(())
}

pub fn run(
    world: &WorldOptions,
    workload: &WorkloadSpec,
    run: &RunOptions,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let until = until(run)?;
    let scenario = scenario(world, workload, &run.faults)?;
    run_and_report(&scenario, until, run, out)
}

/// `kafka-flow run --scenario FILE|ID`: the file's world with the command line's settings,
/// seed and version on top, its commands and the `--fault`s scheduled, run to `--until` or
/// else the file's `until`, with the same summary as `run`.
pub fn run_scenario(
    file: &ScenarioFile,
    world: &WorldOptions,
    run: &RunOptions,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let until = until(run)?.or(file.until);
    let mut scenario = file.scenario(world).map_err(bad)?;
    add_faults(&mut scenario, &run.faults)?;
    run_and_report(&scenario, until, run, out)
}

/// `--until`, parsed.
pub fn until(run: &RunOptions) -> Result<Option<SimTime>, CliError> {
    until_time(run.until.as_deref())
}

/// An `--until` duration as a virtual time (`run` and `sweep` share it).
pub fn until_time(until: Option<&str>) -> Result<Option<SimTime>, CliError> {
    match until {
        Some(u) => Ok(Some(
            SimTime::ZERO + parse_duration(u).map_err(|e| bad(format!("--until: {e}")))?,
        )),
        None => Ok(None),
    }
}

/// Builds the simulation, runs it (writing the trace if asked) and prints the summary.
fn run_and_report(
    scenario: &Scenario,
    until: Option<SimTime>,
    run: &RunOptions,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut sim = scenario.build().map_err(bad)?;
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

/// `kafka-flow scenarios`: the built-in scenarios, one line each (id and title).
pub fn list_scenarios(lang: Lang, out: &mut dyn Write) -> Result<(), CliError> {
    let mut text = String::new();
    for f in crate::scenarios::builtin() {
        let _ = writeln!(text, "{:<26} {}", f.id, f.title.get(lang));
    }
    out.write_all(text.as_bytes()).map_err(|e| output_error(&e))
}

/// `kafka-flow settings`: every setting, its default, how a change takes effect and what it does.
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
        let _ = writeln!(
            text,
            "  {:<44} {:<12} {:<8} {}",
            s.name,
            value,
            s.effect.name(),
            s.doc
        );
    }
    // What the third column means, once.
    let _ = writeln!(
        text,
        "\n(A change in the TUI: live = at once; restart = a new producer instance reads it; at start = fixed when the simulation starts.)"
    );
    let _ = writeln!(
        text,
        "(`kafka-flow run` starts from these with auto.offset.reset=earliest, as the notes' CustomConsumer does.)"
    );
    out.write_all(text.trim_start().as_bytes())
        .map_err(|e| output_error(&e))
}
