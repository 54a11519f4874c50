//! Lesson files as written: the TOML shape, every value still text. `load.rs` validates it
//! and turns it into the typed `Lesson` once; nothing else reads these.

use super::Text;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    pub id: String,
    pub number: u32,
    pub title: Text,
    pub summary: Text,
    /// The part of the course notes it teaches: "FILE: section" (the notes are the
    /// Chinese course notes the course follows).
    pub notes: String,
    /// Where the misconception the lesson addresses is discussed in public, e.g.
    /// "apache/kafka#11160" (optional: not every lesson is about a misconception).
    #[serde(default)]
    pub thread: Option<String>,
    pub setup: Setup,
    pub steps: Vec<Step>,
    pub closing: Text,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    #[serde(default)]
    pub kafka_version: Option<String>,
    #[serde(default)]
    pub seed: Option<u64>,
    pub records: u64,
    #[serde(default)]
    pub rate: f64,
    #[serde(default = "default_template")]
    pub key: String,
    #[serde(default = "default_template")]
    pub value: String,
    #[serde(default)]
    pub value_bytes: Option<usize>,
    #[serde(default)]
    pub sync: bool,
    /// `close()` after the last record (the notes' `producer.close()`); false exits without.
    #[serde(default = "yes")]
    pub close: bool,
    /// `flush()` after every this many records (0 = never).
    #[serde(default)]
    pub flush_every: u64,
    /// How long a headless check runs, e.g. "20s".
    pub until: String,
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}

fn default_template() -> String {
    "hello{i}".to_string()
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub text: Text,
    /// The step's key sentence: what presenter mode shows the room.
    pub key: Text,
    /// The parts of the flow view the step shows (empty: all of them).
    #[serde(default)]
    pub show: Vec<String>,
    /// How fast the step plays (virtual seconds per wall second); default from the rate.
    #[serde(default)]
    pub speed: Option<f64>,
    #[serde(default)]
    pub knobs: Vec<String>,
    #[serde(default)]
    pub commands: Vec<Scripted>,
    #[serde(default)]
    pub goals: Vec<Goal>,
    #[serde(default)]
    pub hints: Vec<Text>,
    #[serde(default)]
    pub question: Option<Question>,
    #[serde(default)]
    pub solution: Solution,
}

/// A command at a virtual time: a fault (`--fault` syntax) or a setting (`name=value`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scripted {
    pub at: String,
    #[serde(default)]
    pub fault: Option<String>,
    #[serde(default)]
    pub set: Option<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    pub metric: String,
    pub op: String,
    pub value: f64,
    pub text: Text,
    /// A guard: it must hold with the setup too (e.g. "nothing lost").
    #[serde(default)]
    pub keep: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub prompt: Text,
    pub choices: Vec<Choice>,
    /// Where the world is held until the learner answers, e.g. "1400ms" (default: at 0).
    #[serde(default)]
    pub hold: Option<String>,
    /// What the lesson panel explains once the learner has answered.
    pub reveal: Text,
    /// How fast the decisive moment plays after the answer (default: the step's speed).
    #[serde(default)]
    pub reveal_speed: Option<f64>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub text: Text,
    pub metric: String,
    pub op: String,
    pub value: f64,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Solution {
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    #[serde(default)]
    pub commands: Vec<Scripted>,
}
