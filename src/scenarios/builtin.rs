//! The built-in scenarios: the course notes' demos, `scenarios/*.toml` compiled into the
//! binary. `kafka-flow run --scenario ID` and `kafka-flow --scenario ID` find them by id.

use super::ScenarioFile;
use std::path::Path;

/// (file name, text), in the order `kafka-flow scenarios` lists them.
const FILES: &[(&str, &str)] = &[
    (
        "notes-producer-consumer.toml",
        include_str!("../../scenarios/notes-producer-consumer.toml"),
    ),
    (
        "batch-size-vs-linger.toml",
        include_str!("../../scenarios/batch-size-vs-linger.toml"),
    ),
    (
        "acks-leader-crash.toml",
        include_str!("../../scenarios/acks-leader-crash.toml"),
    ),
    (
        "acks-one-vs-all.toml",
        include_str!("../../scenarios/acks-one-vs-all.toml"),
    ),
    (
        "retries-reordering.toml",
        include_str!("../../scenarios/retries-reordering.toml"),
    ),
    (
        "commit-before-processing.toml",
        include_str!("../../scenarios/commit-before-processing.toml"),
    ),
    (
        "slow-consumer.toml",
        include_str!("../../scenarios/slow-consumer.toml"),
    ),
];

/// Every built-in scenario and, for the tests, the error of each one that does not load.
pub fn load_all() -> (Vec<ScenarioFile>, Vec<String>) {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for (name, text) in FILES {
        match ScenarioFile::parse(text, &format!("scenarios/{name}")) {
            Ok(mut f) => {
                f.source = format!("builtin:{}", f.id);
                ok.push(f);
            }
            Err(e) => errors.push(e),
        }
    }
    (ok, errors)
}

/// The built-in scenarios that load (a broken one is a test failure, not a panic here).
pub fn builtin() -> Vec<ScenarioFile> {
    load_all().0
}

/// A built-in scenario by id, or else a scenario file by path.
pub fn find(name: &str) -> Result<ScenarioFile, String> {
    let all = builtin();
    if let Some(f) = all.iter().find(|f| f.id == name) {
        return Ok(f.clone());
    }
    let path = Path::new(name);
    if path.exists() {
        return ScenarioFile::load(path);
    }
    let ids: Vec<&str> = all.iter().map(|f| f.id.as_str()).collect();
    Err(format!(
        "{name}: no such scenario file, and no built-in scenario has that id (built-in: {})",
        ids.join(", ")
    ))
}
