//! Lessons: a bilingual course, one TOML file per lesson (format in `lessons/README.md`),
//! with goals the program checks against the simulation's own numbers.

pub mod check;
#[cfg(test)]
mod glossary_test;
pub mod goals;
pub mod load;
pub mod metric;
pub mod progress;
mod raw;

use crate::i18n::Lang;
use crate::scenario::Scenario;
use crate::sim::{Command, SimTime};
use goals::Condition;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A text in both languages.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh if !self.zh.is_empty() => &self.zh,
            _ => &self.en,
        }
    }
}

/// A lesson, checked and parsed: its world, its steps with their commands and goals.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    pub id: String,
    pub number: u32,
    pub title: Text,
    pub summary: Text,
    /// The part of the course notes it teaches ("FILE: section").
    pub notes: String,
    /// The public thread where the misconception it addresses is discussed, if any.
    pub thread: Option<String>,
    pub setup: Setup,
    pub steps: Vec<Step>,
    pub closing: Text,
    /// The file it came from.
    pub source: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    /// The world every step starts from (no commands: those belong to the steps).
    pub scenario: Scenario,
    /// When a headless check stops, and when the TUI judges the step.
    pub until: SimTime,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub text: Text,
    /// The key sentence presenter mode shows the room.
    pub key: Text,
    /// The parts of the flow view the step shows, in travel order (all of them by default).
    pub show: Vec<Part>,
    /// Virtual seconds per wall second while the step plays (None: from the rate).
    pub speed: Option<f64>,
    /// Setting names (or `scenario::RATE`) the learner may turn.
    pub knobs: Vec<String>,
    pub commands: Vec<(SimTime, Command)>,
    pub goals: Vec<Goal>,
    pub hints: Vec<Text>,
    pub question: Option<Question>,
    pub solution: Solution,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Goal {
    pub condition: Condition,
    pub text: Text,
    /// A guard: it must hold with the setup too (e.g. "nothing lost").
    pub keep: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    pub prompt: Text,
    pub choices: Vec<Choice>,
    /// The world is held here until the learner answers: before every event that decides
    /// the question (`lesson check` verifies it).
    pub hold: SimTime,
    /// What the lesson panel explains once the learner has answered.
    pub reveal: Text,
    /// How fast the decisive moment plays after the answer (None: the step's speed).
    pub reveal_speed: Option<f64>,
}

/// The parts of the flow view a step can show, by the names the screen gives them. A step's
/// text names only parts it shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    /// The application thread: `send()`, interceptors, serializer, partitioner.
    Application,
    /// The RecordAccumulator's deques of batches.
    Accumulator,
    /// The Sender thread and its requests in flight per broker.
    Sender,
    /// The requests and responses travelling between producer and brokers.
    Requests,
    /// The partition logs: every replica's tape, LEO, high watermark, ISR.
    Logs,
    /// The consumer group: each consumer's phase, position and committed offset.
    Consumer,
    /// The ledger's counts: delivered, lost, duplicated, reordered, failed.
    Ledger,
    /// The producer's figures: records per batch, requests, latency.
    Figures,
    /// The event log (on tall screens).
    Events,
}

impl Part {
    pub const ALL: [Part; 9] = [
        Part::Application,
        Part::Accumulator,
        Part::Sender,
        Part::Requests,
        Part::Logs,
        Part::Consumer,
        Part::Ledger,
        Part::Figures,
        Part::Events,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Part::Application => "application",
            Part::Accumulator => "accumulator",
            Part::Sender => "sender",
            Part::Requests => "requests",
            Part::Logs => "logs",
            Part::Consumer => "consumer",
            Part::Ledger => "ledger",
            Part::Figures => "figures",
            Part::Events => "events",
        }
    }

    pub fn parse(name: &str) -> Result<Part, String> {
        Part::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Part::ALL.iter().map(|p| p.name()).collect();
                format!(
                    "'{name}' is not a part of the flow view ({})",
                    names.join(", ")
                )
            })
    }
}

impl Step {
    /// Whether the step shows `part` of the flow view.
    pub fn shows(&self, part: Part) -> bool {
        self.show.contains(&part)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub text: Text,
    pub condition: Condition,
}

/// What the checker applies to show that a step's goals can be met: settings from the start
/// (each already accepted by the setup's configuration) and extra commands.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Solution {
    pub settings: BTreeMap<String, String>,
    pub commands: Vec<(SimTime, Command)>,
}
