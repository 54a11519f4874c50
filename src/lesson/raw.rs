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
    /// How long a headless check runs, e.g. "20s".
    pub until: String,
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
}

fn default_template() -> String {
    "hello{i}".to_string()
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub text: Text,
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
