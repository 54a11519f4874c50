//! Loading lessons: from the files built into the binary (`lessons/*.toml`, embedded by
//! build.rs), from a directory, or from one file. A broken file gives file:line:column, the
//! field and what was expected; it is skipped and the rest of the course still loads.

use super::{Lesson, Scripted};
use crate::sim::command::Fault;
use crate::sim::time::parse_duration;
use crate::sim::{Config, KafkaVersion};
use std::fmt;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/embedded_lessons.rs"));

#[derive(Clone, Debug, PartialEq)]
pub struct LessonError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Parses and validates one lesson's text.
pub fn parse(text: &str, file: &str) -> Result<Lesson, LessonError> {
    let mut lesson: Lesson = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((None, None), |s| {
            let (l, c) = line_col(text, s.start);
            (Some(l), Some(c))
        });
        LessonError {
            file: file.to_string(),
            line,
            column,
            message: e.message().trim().replace('\n', " "),
        }
    })?;
    lesson.source = file.to_string();
    validate(&lesson).map_err(|message| {
        // Point at the offending text where it can be found.
        let found = message
            .split('\'')
            .nth(1)
            .and_then(|needle| text.find(needle))
            .map(|o| line_col(text, o));
        LessonError {
            file: file.to_string(),
            line: found.map(|f| f.0),
            column: found.map(|f| f.1),
            message,
        }
    })?;
    Ok(lesson)
}

pub fn load_file(path: &Path) -> Result<Lesson, LessonError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LessonError {
        file: file.clone(),
        line: None,
        column: None,
        message: format!("cannot read it: {e}"),
    })?;
    parse(&text, &file)
}

/// Every lesson of a directory (or the built-in course), in course order, and the errors of
/// the files that did not load.
pub fn load_all(dir: Option<&Path>) -> (Vec<Lesson>, Vec<LessonError>) {
    let mut lessons = Vec::new();
    let mut errors = Vec::new();
    match dir {
        None => {
            for (name, text) in EMBEDDED {
                match parse(text, &format!("lessons/{name}")) {
                    Ok(l) => lessons.push(l),
                    Err(e) => errors.push(e),
                }
            }
        }
        Some(dir) => {
            let mut paths: Vec<_> = std::fs::read_dir(dir)
                .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            paths.retain(|p| p.extension().is_some_and(|x| x == "toml"));
            paths.sort();
            for p in paths {
                match load_file(&p) {
                    Ok(l) => lessons.push(l),
                    Err(e) => errors.push(e),
                }
            }
        }
    }
    lessons.sort_by_key(|l| l.number);
    (lessons, errors)
}

fn validate_scripted(s: &Scripted, config: &Config) -> Result<(), String> {
    parse_duration(&s.at).map_err(|e| format!("command at '{}': {e}", s.at))?;
    match (&s.fault, &s.set) {
        (Some(f), None) => {
            Fault::parse(
                f,
                config.topology.brokers,
                config.topology.partitions,
                config.consumer.consumers,
            )
            .map_err(|e| format!("command '{f}': {e}"))?;
        }
        (None, Some(kv)) => {
            let (k, v) = crate::sim::config::parse_assignment(kv)
                .map_err(|e| format!("command '{kv}': {e}"))?;
            config
                .clone()
                .set(k, v)
                .map_err(|e| format!("command '{kv}': {e}"))?;
        }
        _ => {
            return Err(format!(
                "command at '{}' needs exactly one of fault or set",
                s.at
            ));
        }
    }
    Ok(())
}

/// The configuration the lesson's setup describes.
pub fn setup_config(lesson: &Lesson) -> Result<Config, String> {
    let version = match &lesson.setup.kafka_version {
        Some(v) => KafkaVersion::parse(v)?,
        None => KafkaVersion::default(),
    };
    let mut config = Config::defaults(version);
    for (k, v) in &lesson.setup.settings {
        config
            .set(k, v)
            .map_err(|e| format!("setup setting '{k}': {e}"))?;
    }
    config.validate().map_err(|e| format!("setup: {e}"))?;
    Ok(config)
}

fn validate(lesson: &Lesson) -> Result<(), String> {
    if lesson.id.is_empty()
        || !lesson
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(format!(
            "id '{}' must be lowercase letters, digits and -",
            lesson.id
        ));
    }
    for t in [&lesson.title, &lesson.summary, &lesson.closing] {
        if t.en.trim().is_empty() || t.zh.trim().is_empty() {
            return Err("every text needs both en and zh".to_string());
        }
    }
    if lesson.steps.is_empty() {
        return Err("a lesson needs at least one step".to_string());
    }
    parse_duration(&lesson.setup.until)
        .map_err(|e| format!("until '{}': {e}", lesson.setup.until))?;
    let config = setup_config(lesson)?;
    super::check::setup_workload(lesson).map_err(|e| format!("setup: {e}"))?;
    for (i, step) in lesson.steps.iter().enumerate() {
        let n = i + 1;
        if step.text.en.trim().is_empty() || step.text.zh.trim().is_empty() {
            return Err(format!("step {n}: its text needs both en and zh"));
        }
        if step.goals.iter().all(|g| g.keep) {
            return Err(format!(
                "step {n}: needs at least one goal that is not `keep`"
            ));
        }
        for g in &step.goals {
            super::goals::compare(0.0, &g.op, 0.0)
                .map_err(|e| format!("step {n}: goal '{}': {e}", g.metric))?;
        }
        for k in &step.knobs {
            if k != crate::app::knobs::RATE && crate::sim::config::find_setting(k).is_none() {
                return Err(format!(
                    "step {n}: knob '{k}' is not a setting (see `kafka-flow settings`)"
                ));
            }
        }
        for s in step.commands.iter().chain(&step.solution.commands) {
            validate_scripted(s, &config).map_err(|e| format!("step {n}: {e}"))?;
        }
        for (k, v) in &step.solution.settings {
            config
                .clone()
                .set(k, v)
                .map_err(|e| format!("step {n}: solution setting '{k}': {e}"))?;
        }
        if let Some(q) = &step.question {
            if q.choices.len() < 2 {
                return Err(format!("step {n}: a question needs at least two choices"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "demo"
number = 99
title = { en = "Demo", zh = "演示" }
summary = { en = "s", zh = "概要" }
closing = { en = "c", zh = "结语" }
[setup]
records = 100
until = "2s"
[[steps]]
text = { en = "t", zh = "文字" }
knobs = ["linger.ms"]
[[steps.goals]]
metric = "producer.acked"
op = ">="
value = 1
text = { en = "g", zh = "目标" }
"#;

    #[test]
    fn a_good_lesson_loads() {
        let l = parse(GOOD, "demo.toml").unwrap();
        assert_eq!(l.id, "demo");
        assert_eq!(l.steps[0].goals[0].metric, "producer.acked");
    }

    #[test]
    fn an_unknown_field_names_file_line_and_column() {
        let bad = GOOD.replace("knobs = [", "knobz = [");
        let e = parse(&bad, "demo.toml").unwrap_err();
        assert_eq!(e.file, "demo.toml");
        assert_eq!(e.line, Some(12), "{e}");
        assert!(
            e.message.contains("knobz") && e.message.contains("knobs"),
            "{e}"
        );
        assert!(e.to_string().starts_with("demo.toml:12:"), "{e}");
    }

    #[test]
    fn semantic_errors_point_at_the_text() {
        let e = parse(
            &GOOD.replace("\"linger.ms\"]", "\"linger.mss\"]"),
            "demo.toml",
        )
        .unwrap_err();
        assert!(e.message.contains("knob 'linger.mss'"), "{e}");
        assert_eq!(e.line, Some(12));
        let e = parse(&GOOD.replace("op = \">=\"", "op = \"=>\""), "demo.toml").unwrap_err();
        assert!(e.message.contains("unknown op"), "{e}");
        let e = parse(&GOOD.replace("zh = \"演示\"", "zh = \"\""), "demo.toml").unwrap_err();
        assert!(e.message.contains("both en and zh"), "{e}");
        let e = parse(
            &GOOD.replace("until = \"2s\"", "until = \"soon\""),
            "demo.toml",
        )
        .unwrap_err();
        assert!(e.message.contains("until"), "{e}");
    }

    #[test]
    fn the_built_in_course_loads_without_errors() {
        let (lessons, errors) = load_all(None);
        assert!(errors.is_empty(), "{errors:?}");
        let mut ids: Vec<&str> = lessons.iter().map(|l| l.id.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), lessons.len(), "duplicate ids");
    }
}
