//! Loading lessons: from the files built into the binary (`lessons/*.toml`, embedded by
//! build.rs), from a directory, or from one file. A broken file gives file:line:column, the
//! field and what was expected; it is skipped and the rest of the course still loads.

use super::goals::{Condition, Op};
use super::metric::Metric;
use super::raw;
use super::{Choice, Goal, Lesson, Part, Question, Setup, Solution, Step};
use crate::scenario::{RATE, Scenario, WorkloadSpec};
use crate::sim::command::Fault;
use crate::sim::time::parse_duration;
use crate::sim::{Command, Config, KafkaVersion, SimTime};
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

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

/// Where the values that later checks complain about sit in the file: the id and the number
/// (duplicates) and every goal's and choice's metric. Read with a second, lenient pass over
/// the same text, so the public `Lesson` type stays plain.
#[derive(Debug, Default, Deserialize)]
struct Located {
    id: Option<Spanned<toml::Value>>,
    number: Option<Spanned<toml::Value>>,
    #[serde(default)]
    steps: Vec<LocatedStep>,
}

#[derive(Debug, Default, Deserialize)]
struct LocatedStep {
    #[serde(default)]
    goals: Vec<LocatedMetric>,
    #[serde(default)]
    show: Vec<Spanned<toml::Value>>,
    speed: Option<Spanned<toml::Value>>,
    #[serde(default)]
    question: Option<LocatedQuestion>,
}

#[derive(Debug, Default, Deserialize)]
struct LocatedQuestion {
    #[serde(default)]
    choices: Vec<LocatedMetric>,
    hold: Option<Spanned<toml::Value>>,
    reveal_speed: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Default, Deserialize)]
struct LocatedMetric {
    metric: Option<Spanned<toml::Value>>,
}

/// A lesson with where its id and number are written, for the duplicate check.
struct Loaded {
    lesson: Lesson,
    id_at: (Option<usize>, Option<usize>),
    number_at: (Option<usize>, Option<usize>),
}

fn position(text: &str, span: Option<std::ops::Range<usize>>) -> (Option<usize>, Option<usize>) {
    span.map_or((None, None), |s| {
        let (l, c) = line_col(text, s.start);
        (Some(l), Some(c))
    })
}

/// Parses and validates one lesson's text.
pub fn parse(text: &str, file: &str) -> Result<Lesson, LessonError> {
    parse_located(text, file).map(|l| l.lesson)
}

fn parse_located(text: &str, file: &str) -> Result<Loaded, LessonError> {
    let lesson: raw::Lesson = toml::from_str(text).map_err(|e| {
        let (line, column) = position(text, e.span());
        LessonError {
            file: file.to_string(),
            line,
            column,
            message: e.message().trim().replace('\n', " "),
        }
    })?;
    let at = |(line, column): (Option<usize>, Option<usize>), message: String| LessonError {
        file: file.to_string(),
        line,
        column,
        message,
    };
    validate(&lesson).map_err(|message| {
        // Point at the offending text where it can be found.
        let found = message
            .split('\'')
            .nth(1)
            .and_then(|needle| text.find(needle))
            .map(|o| line_col(text, o));
        at((found.map(|f| f.0), found.map(|f| f.1)), message)
    })?;
    // The text parsed as a lesson just above, so it parses as this looser shape too.
    let located: Located = toml::from_str(text).unwrap_or_default();
    let lesson = typed(lesson, file, &located)
        .map_err(|(span, message)| at(position(text, span), message))?;
    Ok(Loaded {
        lesson,
        id_at: position(text, located.id.as_ref().map(Spanned::span)),
        number_at: position(text, located.number.as_ref().map(Spanned::span)),
    })
}

/// A result whose error may know where in the file it is.
type Placed<T> = Result<T, (Option<std::ops::Range<usize>>, String)>;

/// The validated file as typed values: its world, its commands at their times, its goals'
/// conditions. Every goal's and question choice's metric must name a number of the run
/// summary, so a typo is found when the lesson loads (`kafka-flow lessons`, `kafka-flow
/// lesson N`), not as a goal that silently never holds.
fn typed(lesson: raw::Lesson, file: &str, located: &Located) -> Placed<Lesson> {
    let unplaced = |e: String| (None, e);
    let config = setup_config_of(&lesson.setup).map_err(unplaced)?;
    let workload = setup_workload_of(&lesson.setup).map_err(|e| unplaced(format!("setup: {e}")))?;
    let seed = lesson.setup.seed.unwrap_or(crate::sim::DEFAULT_SEED);
    let until = SimTime::ZERO + parse_duration(&lesson.setup.until).map_err(unplaced)?;
    let steps = lesson
        .steps
        .into_iter()
        .enumerate()
        .map(|(i, step)| typed_step(i, step, located.steps.get(i), &config))
        .collect::<Placed<Vec<_>>>()?;
    Ok(Lesson {
        id: lesson.id,
        number: lesson.number,
        title: lesson.title,
        summary: lesson.summary,
        notes: lesson.notes,
        thread: lesson.thread,
        setup: Setup {
            scenario: Scenario::new(config, workload, seed),
            until,
        },
        steps,
        closing: lesson.closing,
        source: file.to_string(),
    })
}

fn typed_step(
    i: usize,
    step: raw::Step,
    at: Option<&LocatedStep>,
    config: &Config,
) -> Placed<Step> {
    let n = i + 1;
    let condition = |what: String, metric: &str, op: &str, value: f64, span| -> Placed<_> {
        let metric = Metric::parse(metric, config)
            .map_err(|e| (span, format!("step {n}, {what}, key 'metric': {e}")))?;
        let op = Op::parse(op).map_err(|e| (None, format!("step {n}: {e}")))?;
        Ok(Condition { metric, op, value })
    };
    let mut goals = Vec::new();
    for (j, g) in step.goals.into_iter().enumerate() {
        let span = at
            .and_then(|s| s.goals.get(j))
            .and_then(|g| g.metric.as_ref())
            .map(Spanned::span);
        goals.push(Goal {
            condition: condition(format!("goal {}", j + 1), &g.metric, &g.op, g.value, span)?,
            text: g.text,
            keep: g.keep,
        });
    }
    let question = match step.question {
        None => None,
        Some(q) => {
            let mut choices = Vec::new();
            for (j, c) in q.choices.into_iter().enumerate() {
                let span = at
                    .and_then(|s| s.question.as_ref())
                    .and_then(|q| q.choices.get(j))
                    .and_then(|c| c.metric.as_ref())
                    .map(Spanned::span);
                let what = format!("question choice {}", j + 1);
                choices.push(Choice {
                    condition: condition(what, &c.metric, &c.op, c.value, span)?,
                    text: c.text,
                });
            }
            let located = at.and_then(|s| s.question.as_ref());
            let hold = match &q.hold {
                None => SimTime::ZERO,
                Some(h) => parse_duration(h)
                    .map_err(|e| {
                        let span = located.and_then(|q| q.hold.as_ref()).map(Spanned::span);
                        (span, format!("step {n}, key 'question.hold': {e}"))
                    })
                    .map(|d| SimTime::ZERO + d)?,
            };
            let reveal_span = located
                .and_then(|q| q.reveal_speed.as_ref())
                .map(Spanned::span);
            Some(Question {
                prompt: q.prompt,
                choices,
                hold,
                reveal: q.reveal,
                reveal_speed: checked_speed(
                    q.reveal_speed,
                    reveal_span,
                    n,
                    "question.reveal_speed",
                )?,
            })
        }
    };
    let commands = |list: &[raw::Scripted]| -> Placed<Vec<_>> {
        list.iter()
            .map(|s| scripted(s, config).map_err(|e| (None, format!("step {n}: {e}"))))
            .collect()
    };
    let mut show = Vec::new();
    for (j, name) in step.show.iter().enumerate() {
        let span = at.and_then(|s| s.show.get(j)).map(Spanned::span);
        let part =
            Part::parse(name).map_err(|e| (span.clone(), format!("step {n}, key 'show': {e}")))?;
        if show.contains(&part) {
            return Err((
                span,
                format!("step {n}, key 'show': '{name}' is listed twice"),
            ));
        }
        show.push(part);
    }
    if show.is_empty() {
        show = Part::ALL.to_vec();
    }
    show.sort();
    let speed_span = at.and_then(|s| s.speed.as_ref()).map(Spanned::span);
    Ok(Step {
        key: step.key,
        show,
        speed: checked_speed(step.speed, speed_span, n, "speed")?,
        commands: commands(&step.commands)?,
        solution: Solution {
            commands: commands(&step.solution.commands)?,
            settings: step.solution.settings,
        },
        text: step.text,
        knobs: step.knobs,
        goals,
        hints: step.hints,
        question,
    })
}

/// The fastest and slowest speeds the app plays at (virtual seconds per wall second).
pub const SPEED_RANGE: (f64, f64) = (0.0001, 200.0);

fn checked_speed(
    speed: Option<f64>,
    span: Option<std::ops::Range<usize>>,
    n: usize,
    key: &str,
) -> Placed<Option<f64>> {
    match speed {
        Some(s) if !(SPEED_RANGE.0..=SPEED_RANGE.1).contains(&s) => Err((
            span,
            format!(
                "step {n}, key '{key}': {s} is not a speed from {} to {} (virtual seconds per second)",
                SPEED_RANGE.0, SPEED_RANGE.1
            ),
        )),
        s => Ok(s),
    }
}

pub fn load_file(path: &Path) -> Result<Lesson, LessonError> {
    load_file_located(path).map(|l| l.lesson)
}

fn load_file_located(path: &Path) -> Result<Loaded, LessonError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LessonError {
        file: file.clone(),
        line: None,
        column: None,
        message: format!("cannot read it: {e}"),
    })?;
    parse_located(&text, &file)
}

/// The lesson files of a directory, in name order. A directory that cannot be read or holds
/// no lesson is an error: listing nothing would look like an empty course.
fn lesson_files(dir: &Path) -> Result<Vec<PathBuf>, LessonError> {
    let error = |message: String| LessonError {
        file: dir.display().to_string(),
        line: None,
        column: None,
        message,
    };
    let entries = std::fs::read_dir(dir)
        .map_err(|e| error(format!("cannot read the lesson directory: {e}")))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| error(format!("cannot read the lesson directory: {e}")))?;
        let path = entry.path();
        if path.extension().is_some_and(|x| x == "toml") {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(error(
            "no lesson files (*.toml) in this directory".to_string(),
        ));
    }
    paths.sort();
    Ok(paths)
}

/// Every lesson of a directory (or the built-in course), in course order, and the errors of
/// the files that did not load; an error for a directory that cannot be read. Two files with
/// the same id or number are ambiguous (`kafka-flow lesson 2` must mean one lesson): the
/// first in file-name order loads, the later ones are errors naming it.
pub fn load_all(dir: Option<&Path>) -> Result<(Vec<Lesson>, Vec<LessonError>), LessonError> {
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    match dir {
        None => {
            for (name, text) in EMBEDDED {
                match parse_located(text, &format!("lessons/{name}")) {
                    Ok(l) => loaded.push(l),
                    Err(e) => errors.push(e),
                }
            }
        }
        Some(dir) => {
            for p in lesson_files(dir)? {
                match load_file_located(&p) {
                    Ok(l) => loaded.push(l),
                    Err(e) => errors.push(e),
                }
            }
        }
    }
    let mut lessons: Vec<Lesson> = Vec::new();
    for l in loaded {
        let clash = |same: &dyn Fn(&Lesson) -> bool| {
            lessons.iter().find(|o| same(o)).map(|o| o.source.clone())
        };
        let error = |(line, column): (Option<usize>, Option<usize>), message: String| LessonError {
            file: l.lesson.source.clone(),
            line,
            column,
            message,
        };
        if let Some(first) = clash(&|o| o.id == l.lesson.id) {
            errors.push(error(
                l.id_at,
                format!(
                    "id '{}' is already the id of {first} (ids must be unique)",
                    l.lesson.id
                ),
            ));
        } else if let Some(first) = clash(&|o| o.number == l.lesson.number) {
            errors.push(error(
                l.number_at,
                format!(
                    "number {} is already the number of {first} (numbers must be unique)",
                    l.lesson.number
                ),
            ));
        } else {
            lessons.push(l.lesson);
        }
    }
    lessons.sort_by_key(|l| l.number);
    Ok((lessons, errors))
}

/// A scripted command as a simulation command at its time, checked against the setup.
fn scripted(s: &raw::Scripted, config: &Config) -> Result<(SimTime, Command), String> {
    let at = parse_duration(&s.at).map_err(|e| format!("command at '{}': {e}", s.at))?;
    let command = match (&s.fault, &s.set) {
        (Some(f), None) => Command::Fault {
            fault: Fault::parse(
                f,
                config.topology.brokers,
                config.topology.partitions,
                config.consumer.consumers,
            )
            .map_err(|e| format!("command '{f}': {e}"))?,
        },
        (None, Some(kv)) => {
            let (k, v) = crate::sim::config::parse_assignment(kv)
                .map_err(|e| format!("command '{kv}': {e}"))?;
            config
                .clone()
                .set(k, v)
                .map_err(|e| format!("command '{kv}': {e}"))?;
            Command::Set {
                name: k.to_string(),
                value: v.to_string(),
            }
        }
        _ => {
            return Err(format!(
                "command at '{}' needs exactly one of fault or set",
                s.at
            ));
        }
    };
    Ok((SimTime::ZERO + at, command))
}

/// The configuration a lesson's setup describes.
pub fn setup_config(lesson: &Lesson) -> Result<Config, String> {
    Ok(lesson.setup.scenario.config.clone())
}

fn setup_config_of(setup: &raw::Setup) -> Result<Config, String> {
    let version = match &setup.kafka_version {
        Some(v) => KafkaVersion::parse(v)?,
        None => KafkaVersion::default(),
    };
    let mut config = Config::defaults(version);
    for (k, v) in &setup.settings {
        config
            .set(k, v)
            .map_err(|e| format!("setup setting '{k}': {e}"))?;
    }
    config.validate().map_err(|e| format!("setup: {e}"))?;
    Ok(config)
}

/// The producing application a lesson's setup describes (the rules of `kafka-flow run`).
fn setup_workload_of(s: &raw::Setup) -> Result<crate::sim::Workload, String> {
    WorkloadSpec {
        records: s.records,
        rate: s.rate,
        key: s.key.clone(),
        value: s.value.clone(),
        value_bytes: s.value_bytes,
        sync: s.sync,
        close_when_done: s.close,
        flush_every: s.flush_every,
    }
    .build()
}

/// A notes reference is "FILE: section" with a file of the course notes. The notes are not
/// part of this repository (they sit beside it), so only the shape and the file's name are
/// checked here.
fn seed_section_exists(notes: &str) -> bool {
    const NOTES: [&str; 2] = ["000_cfdff7c5f6cd54d5.txt", "004_b0714076a0a3cce6.txt"];
    notes
        .split_once(": ")
        .is_some_and(|(file, section)| NOTES.contains(&file) && !section.trim().is_empty())
}

fn validate(lesson: &raw::Lesson) -> Result<(), String> {
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
    if !seed_section_exists(&lesson.notes) {
        return Err(format!(
            "key 'notes': '{}' should name a file of the course notes and its section, \"FILE: section\" (e.g. \"004_b0714076a0a3cce6.txt: linger.ms\")",
            lesson.notes
        ));
    }
    if lesson.steps.is_empty() {
        return Err("a lesson needs at least one step".to_string());
    }
    parse_duration(&lesson.setup.until)
        .map_err(|e| format!("until '{}': {e}", lesson.setup.until))?;
    let config = setup_config_of(&lesson.setup)?;
    setup_workload_of(&lesson.setup).map_err(|e| format!("setup: {e}"))?;
    for (i, step) in lesson.steps.iter().enumerate() {
        let n = i + 1;
        if step.text.en.trim().is_empty() || step.text.zh.trim().is_empty() {
            return Err(format!("step {n}: its text needs both en and zh"));
        }
        if step.key.en.trim().is_empty() || step.key.zh.trim().is_empty() {
            return Err(format!(
                "step {n}: its key sentence ('key', for presenter mode) needs both en and zh"
            ));
        }
        if let Some(q) = &step.question
            && (q.reveal.en.trim().is_empty() || q.reveal.zh.trim().is_empty())
        {
            return Err(format!(
                "step {n}: the question's 'reveal' (shown after the answer) needs both en and zh"
            ));
        }
        if step.goals.iter().all(|g| g.keep) {
            return Err(format!(
                "step {n}: needs at least one goal that is not `keep`"
            ));
        }
        for g in &step.goals {
            Op::parse(&g.op).map_err(|e| format!("step {n}: goal '{}': {e}", g.metric))?;
        }
        for k in &step.knobs {
            if k != RATE && crate::sim::config::find_setting(k).is_none() {
                return Err(format!(
                    "step {n}: knob '{k}' is not a setting (see `kafka-flow settings`)"
                ));
            }
        }
        for s in step.commands.iter().chain(&step.solution.commands) {
            scripted(s, &config).map_err(|e| format!("step {n}: {e}"))?;
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
mod tests;
