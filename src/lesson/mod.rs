//! Lessons: a bilingual course, one TOML file per lesson (format in `lessons/README.md`),
//! with goals the program checks against the simulation's own numbers.

pub mod check;
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
