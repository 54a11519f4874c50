//! Scenario files: a whole world and its story in one TOML file (format in
//! `scenarios/README.md`): Kafka version, seed, settings by Kafka's names, the producing
//! application, commands at virtual times (faults, setting changes, the send rate) and
//! *beats* (pause at a time or at the first moment of a kind, with a caption in en and zh).
//! `kafka-flow --scenario FILE` opens one in the TUI, `kafka-flow run --scenario FILE` runs
//! it headless, and the TUI saves a session as one (`save.rs`). The built-in ones, the
//! course notes' demos, live in `scenarios/*.toml` and are compiled in (`builtin.rs`).
//!
//! A scenario's commands run as a key pressed at that virtual time would: once everything
//! due at that instant has happened (`Sim::schedule`), so a saved session replays exactly.

pub mod builtin;
pub mod file;
pub mod save;

pub use builtin::{builtin, find};

use crate::lesson::Text;
use crate::lesson::goals::Condition;
use crate::scenario::WorkloadSpec;
use crate::sim::reason::IsrReason;
use crate::sim::{Command, SimTime, TraceEvent};

/// A scenario as loaded: everything typed and validated.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioFile {
    /// A short name (`acks-leader-crash`): the file's `id`, or its stem.
    pub id: String,
    pub title: Text,
    pub summary: Option<Text>,
    /// Which part of the course notes it shows (free text, e.g. a file and a heading).
    pub notes: Option<String>,
    /// `4`, `3` or `2.8` (`KafkaVersion::parse`); `None` = the default profile.
    pub kafka_version: Option<String>,
    pub seed: u64,
    /// Settings by Kafka's names, in the file's order, applied over the version's defaults.
    pub settings: Vec<(String, String)>,
    pub workload: WorkloadSpec,
    /// Commands at virtual times, sorted by time (stable: the file's order within a time).
    pub commands: Vec<(SimTime, Command)>,
    pub beats: Vec<Beat>,
    /// Where a headless run stops (`run --scenario` without `--until`); `None` = when it settles.
    pub until: Option<SimTime>,
    /// What the scenario is meant to show, checked by the tests (`ledger.lost.broker > 0`).
    pub expect: Vec<Condition>,
    /// `[b]`: side B of an A/B comparison (the TUI opens split, `compare` runs both).
    pub b: Option<SideB>,
    /// Where it came from: a path, or `builtin:ID`.
    pub source: String,
}

/// Side B of a scenario: the same world with these settings on top.
#[derive(Clone, Debug, PartialEq)]
pub struct SideB {
    /// Settings by Kafka's names, in the file's order.
    pub settings: Vec<(String, String)>,
    /// What side B is meant to show, checked by the tests as `expect` is for side A.
    pub expect: Vec<Condition>,
}

/// A pause in the story, with what to look at.
#[derive(Clone, Debug, PartialEq)]
pub struct Beat {
    pub when: BeatWhen,
    pub caption: Text,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BeatWhen {
    /// At this virtual time.
    At(SimTime),
    /// At the first moment of this kind.
    First(Moment),
}

/// Notable moments, for the timeline's markers and for beats (`first = "leader-elected"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Moment {
    LeaderElected,
    IsrShrink,
    IsrExpand,
    /// The first record the ledger counts as lost.
    FirstLoss,
    /// The first record the ledger counts as duplicated.
    FirstDuplicate,
    Rebalance,
    ConsumerCrash,
}

impl Moment {
    pub const ALL: [Moment; 7] = [
        Moment::LeaderElected,
        Moment::IsrShrink,
        Moment::IsrExpand,
        Moment::FirstLoss,
        Moment::FirstDuplicate,
        Moment::Rebalance,
        Moment::ConsumerCrash,
    ];

    /// The name scenario files use.
    pub fn name(self) -> &'static str {
        match self {
            Moment::LeaderElected => "leader-elected",
            Moment::IsrShrink => "isr-shrink",
            Moment::IsrExpand => "isr-expand",
            Moment::FirstLoss => "first-loss",
            Moment::FirstDuplicate => "first-duplicate",
            Moment::Rebalance => "rebalance",
            Moment::ConsumerCrash => "consumer-crash",
        }
    }

    pub fn parse(name: &str) -> Option<Moment> {
        Moment::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The moment a trace event is, if any. Losses and duplicates are not single events:
    /// the ledger decides them (the app watches its counts).
    pub fn of(event: &TraceEvent) -> Option<Moment> {
        match event {
            TraceEvent::LeaderElected {
                leader: Some(_), ..
            } => Some(Moment::LeaderElected),
            TraceEvent::IsrChanged { reason, .. } => Some(match reason {
                IsrReason::CaughtUp { .. } => Moment::IsrExpand,
                IsrReason::FellBehind { .. } | IsrReason::Fenced { .. } => Moment::IsrShrink,
            }),
            TraceEvent::Rebalanced { .. } => Some(Moment::Rebalance),
            TraceEvent::ConsumerCrashed { .. } => Some(Moment::ConsumerCrash),
            _ => None,
        }
    }
}
