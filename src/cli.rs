//! Command-line interface: `kafka-flow` (the TUI on the built-in scenario) and `kafka-flow run`
//! (a headless simulation with a summary). Clap reports its own usage errors with
//! exit code 2; everything we validate ourselves uses 2 as well.

use crate::headless::RunOptions;
use crate::i18n::Lang;
use crate::scenario::{WorkloadSpec, WorldOptions};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "kafka-flow",
    version,
    about = "Watch how Apache Kafka's producer and brokers really move messages",
    long_about = "kafka-flow simulates Kafka's Java producer (send → interceptors → serializer → \
partitioner → RecordAccumulator → Sender) and an in-memory cluster (leaders, followers, ISR, \
high watermark, acks) in deterministic virtual time.\n\nWith no subcommand it opens the terminal \
UI on the built-in scenario: the course notes' CustomProducer (topic first, 3 brokers, 3 \
partitions, keys and values hello{i}, acks=all, batch.size=16384, linger.ms=1). When stdout is \
not a terminal it prints that scenario's headless summary instead."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub sim: SimArgs,
    /// Language of the terminal UI: en or zh (default: from LANG).
    #[arg(long, value_name = "en|zh", global = true, value_parser = Lang::parse)]
    pub lang: Option<Lang>,
    /// Open the terminal UI with listeners for real Kafka clients: broker 0 at HOST:PORT,
    /// the others on the next ports (port 0 picks free ones). Live time: the clock follows
    /// the wall clock at 1×; no simulated producer, and no simulated consumer unless
    /// --set consumers=N.
    #[arg(long, value_name = "HOST:PORT")]
    pub listen: Option<String>,
    /// With --listen: the topic's name (without it, the first topic a client asks for).
    #[arg(long, value_name = "NAME", requires = "listen")]
    pub topic: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a simulation headless and print a summary (or JSON with --json).
    Run(RunArgs),
    /// List every setting kafka-flow understands, with its current default.
    Settings {
        #[arg(long, value_name = "4|3|2.8", default_value = "4")]
        kafka_version: String,
    },
    /// List the lessons of the course.
    Lessons {
        /// Read lessons from this directory instead of the built-in course.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Open a lesson in the terminal UI (`kafka-flow lesson 2`), or check lessons headless
    /// (`kafka-flow lesson check --all`, `kafka-flow lesson check FILE`).
    Lesson(LessonArgs),
    /// List the built-in scenarios (the course notes' demos) for `--scenario ID`.
    Scenarios,
    /// Run two configurations on the same seed, workload and faults; print them side by side.
    Compare(CompareArgs),
    /// One run per value of a setting (or per pair of two: a grid), in parallel; a table with
    /// kafka-producer-perf-test's columns, a chart, --json, --csv or --plot FILE.svg.
    Sweep(SweepArgs),
    /// Real Kafka clients on the embedded brokers: one loopback listener per broker
    /// (127.0.0.1:9092, 9093, 9094), the Kafka protocol, live time. Logs one line per
    /// notable event; reads faults (kill-broker:1), `stats` and `quit` on standard input.
    Serve(ServeArgs),
}

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Broker 0's address; the other brokers take the next ports. Port 0 picks free ports.
    /// Only a loopback address unless another is given here.
    #[arg(long, value_name = "HOST:PORT", default_value = crate::serve::DEFAULT_LISTEN)]
    pub listen: String,
    /// The topic's name. Without it, the first topic a client asks for is created.
    #[arg(long, value_name = "NAME")]
    pub topic: Option<String>,
    /// Records the simulated producer sends beside the real clients (none by default).
    #[arg(long, default_value_t = 0)]
    pub records: u64,
    /// The simulated producer's records per second (live time).
    #[arg(long, default_value_t = 100.0)]
    pub rate: f64,
    /// The simulated producer's key template ({i} is the record's index), or `none`.
    #[arg(long, default_value = "hello{i}")]
    pub key: String,
    /// The simulated producer's value template.
    #[arg(long, default_value = "hello{i}")]
    pub value: String,
    /// A fault at a time since the start, `AT:ACTION[:ARG]` (e.g. `30s:kill-broker:1`).
    #[arg(long, value_name = "AT:ACTION[:ARG]")]
    pub fault: Vec<String>,
}

#[derive(Debug, Args, Clone)]
pub struct LessonArgs {
    /// A lesson number or id, or `check`.
    #[arg(value_name = "N|ID|check")]
    pub what: String,
    /// With `check`: a lesson file to check.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// With `check`: check every lesson.
    #[arg(long)]
    pub all: bool,
    /// Read lessons from this directory instead of the built-in course.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Not for lessons (refused with a reason): a lesson's clock is its own.
    #[arg(long, value_name = "HOST:PORT", hide = true)]
    pub listen: Option<String>,
}

/// Options shared by every way of starting a simulation.
#[derive(Debug, Args, Clone, Default)]
pub struct SimArgs {
    /// A Kafka .properties file (producer and topic settings by Kafka's names).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Set one setting by its Kafka name, e.g. --set linger.ms=1 (repeatable; wins over --config).
    #[arg(long = "set", value_name = "NAME=VALUE", global = true)]
    pub set: Vec<String>,
    /// Seed of the simulation's random numbers: the same seed gives the same run.
    #[arg(long, global = true)]
    pub seed: Option<u64>,
    /// Whose defaults to use: 4 (linger.ms=5), 3 (linger.ms=0), 2.8 (acks=1, no idempotence).
    #[arg(long, value_name = "4|3|2.8", global = true)]
    pub kafka_version: Option<String>,
    /// A scenario file, or the id of a built-in one (`kafka-flow scenarios` lists them): its
    /// world, application, commands and story. `--set`, `--seed` and `--kafka-version` apply
    /// on top; with `run`, the workload flags are ignored and `--until` defaults to the file's.
    #[arg(long, value_name = "FILE|ID", global = true)]
    pub scenario: Option<String>,
}

/// The application and the run's end, as `run`, `compare` and `sweep` all take them.
#[derive(Debug, Args, Clone)]
pub struct WorkloadArgs {
    /// How many records the application sends.
    #[arg(long, default_value_t = 50_000)]
    pub records: u64,
    /// Records per second (0 = as fast as send() returns).
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
    /// Key template ({i} = record index), or `none` for null keys (sticky partitioner).
    #[arg(long, default_value = "hello{i}")]
    pub key: String,
    /// Value template ({i} = record index).
    #[arg(long, default_value = "hello{i}")]
    pub value: String,
    /// Make every value exactly this many bytes.
    #[arg(long, value_name = "B")]
    pub value_bytes: Option<usize>,
    /// Synchronous send: wait for each record's acknowledgement (future.get()).
    #[arg(long)]
    pub sync: bool,
    /// Call flush() after every N records (0 = never): batches go at once, send() waits.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub flush_every: u64,
    /// Do not call close() after the last record.
    #[arg(long)]
    pub no_close: bool,
    /// A fault at a virtual time, AT:ACTION[:ARG], e.g. 500ms:kill-leader:0 (repeatable; in
    /// `compare` and `sweep` every run gets it).
    #[arg(long, value_name = "AT:ACTION[:ARG]")]
    pub fault: Vec<String>,
    /// Stop at this virtual time (e.g. 2s) instead of when the producer has finished.
    #[arg(long, value_name = "DURATION")]
    pub until: Option<String>,
}

impl WorkloadArgs {
    /// The faults and the end these flags give, with how to report.
    pub fn options(&self, json: bool, trace: Option<PathBuf>) -> RunOptions {
        RunOptions {
            faults: self.fault.clone(),
            until: self.until.clone(),
            json,
            trace,
        }
    }

    /// The producing application these flags describe.
    pub fn workload(&self) -> WorkloadSpec {
        WorkloadSpec {
            records: self.records,
            rate: self.rate,
            key: self.key.clone(),
            value: self.value.clone(),
            value_bytes: self.value_bytes,
            sync: self.sync,
            close_when_done: !self.no_close,
            flush_every: self.flush_every,
        }
    }
}

#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Write every trace event to FILE as JSON lines.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
}

impl RunArgs {
    pub fn workload(&self) -> WorkloadSpec {
        self.workload.workload()
    }

    /// When to stop and how to report.
    pub fn options(&self) -> RunOptions {
        self.workload.options(self.json, self.trace.clone())
    }
}

/// `kafka-flow compare`: the workload options of `run` (shared by both sides) and each
/// side's settings. The global --set/--config/--seed/--kafka-version/--scenario apply to both.
#[derive(Debug, Args, Clone)]
pub struct CompareArgs {
    /// Side A's settings by Kafka's names, on top of the shared ones (e.g. --a acks=1).
    #[arg(long = "a", value_name = "NAME=VALUE", num_args = 1.., action = clap::ArgAction::Append)]
    pub a: Vec<String>,
    /// Side B's settings by Kafka's names, on top of the shared ones (e.g. --b acks=all).
    #[arg(long = "b", value_name = "NAME=VALUE", num_args = 1.., action = clap::ArgAction::Append)]
    pub b: Vec<String>,
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// Print {"a", "b", "delta"} as one JSON object.
    #[arg(long)]
    pub json: bool,
}

impl CompareArgs {
    pub fn workload(&self) -> WorkloadSpec {
        self.workload.workload()
    }

    /// When to stop and how to report, shared by both sides.
    pub fn options(&self) -> RunOptions {
        self.workload.options(self.json, None)
    }
}

/// `kafka-flow sweep NAME=V1,V2,… [NAME2=W1,W2,…]`: the workload options of `run`, the
/// global --set/--config/--seed/--kafka-version for every run.
#[derive(Debug, Args, Clone)]
pub struct SweepArgs {
    /// A setting by its Kafka name and its values, e.g. linger.ms=0,5,10; a second one makes a grid.
    #[arg(value_name = "NAME=V1,V2,…", required = true)]
    pub axes: Vec<String>,
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// Print one JSON array: per run, the swept values and the figures.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV: a header and one row per run.
    #[arg(long)]
    pub csv: bool,
    /// Also draw the chart as an SVG file.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// Run a sweep of more than 300 runs.
    #[arg(long)]
    pub yes: bool,
}

impl SweepArgs {
    pub fn workload(&self) -> WorkloadSpec {
        self.workload.workload()
    }

    pub fn options(&self) -> crate::sweep::SweepOptions {
        use crate::sweep::Format;
        crate::sweep::SweepOptions {
            axes: self.axes.clone(),
            faults: self.workload.fault.clone(),
            until: self.workload.until.clone(),
            format: if self.json {
                Format::Json
            } else if self.csv {
                Format::Csv
            } else {
                Format::Table
            },
            plot: self.plot.clone(),
            yes: self.yes,
        }
    }
}

impl SimArgs {
    /// The world these options describe.
    pub fn world(&self) -> WorldOptions {
        WorldOptions {
            kafka_version: self.kafka_version.clone(),
            properties: self.config.clone(),
            set: self.set.clone(),
            seed: self.seed,
        }
    }
}
