//! `kafka-flow lesson check`: every step runs headless twice, with its setup (no goal may
//! be met yet, guards aside) and with its `solution` (every goal must be met); a question
//! must have exactly one right answer by the simulation's own numbers.

use super::goals::{holds, metrics};
use super::load::setup_config;
use super::{Lesson, Scripted, Step};
use crate::scenario::{RATE, Scenario, WorkloadSpec};
use crate::sim::command::Fault;
use crate::sim::time::parse_duration;
use crate::sim::workload::Workload;
use crate::sim::{Command, Config, Sim, SimTime};
use serde_json::Value;

/// The workload a lesson's setup describes (the same rules as `kafka-flow run`'s flags).
pub fn setup_workload(lesson: &Lesson) -> Result<Workload, String> {
    let s = &lesson.setup;
    WorkloadSpec {
        records: s.records,
        rate: s.rate,
        key: s.key.clone(),
        value: s.value.clone(),
        value_bytes: s.value_bytes,
        sync: s.sync,
        ..WorkloadSpec::notes_loop()
    }
    .build()
}

/// A scripted command as a simulation command and its time.
pub fn scripted(s: &Scripted, config: &Config) -> Result<(SimTime, Command), String> {
    let at = SimTime::ZERO + parse_duration(&s.at)?;
    let cmd = match (&s.fault, &s.set) {
        (Some(f), None) => Command::Fault {
            fault: Fault::parse(
                f,
                config.topology.brokers,
                config.topology.partitions,
                config.consumer.consumers,
            )
            .map_err(|e| format!("fault '{f}': {e}"))?,
        },
        (None, Some(kv)) => {
            let (k, v) = crate::sim::config::parse_assignment(kv)?;
            Command::Set {
                name: k.to_string(),
                value: v.to_string(),
            }
        }
        _ => return Err("a command needs exactly one of fault or set".to_string()),
    };
    Ok((at, cmd))
}

/// The step's world, with or without its solution applied.
pub fn step_sim(lesson: &Lesson, step: &Step, with_solution: bool) -> Result<Sim, String> {
    let none = std::collections::BTreeMap::new();
    let settings = if with_solution {
        &step.solution.settings
    } else {
        &none
    };
    let extra: &[Scripted] = if with_solution {
        &step.solution.commands
    } else {
        &[]
    };
    step_sim_with(lesson, step, settings, extra)
}

/// The step's world with `settings` applied from the start (the learner's knobs, or the
/// solution) and `extra` commands besides the step's own.
pub fn step_sim_with(
    lesson: &Lesson,
    step: &Step,
    settings: &std::collections::BTreeMap<String, String>,
    extra: &[Scripted],
) -> Result<Sim, String> {
    let mut config = setup_config(lesson)?;
    for (k, v) in settings {
        if k == RATE {
            continue;
        }
        config.set(k, v).map_err(|e| e.to_string())?;
    }
    config.validate().map_err(|e| e.to_string())?;
    let mut workload = setup_workload(lesson)?;
    if let Some(rate) = settings.get(RATE) {
        workload.rate = rate
            .parse()
            .map_err(|_| format!("rate '{rate}' is not a number"))?;
        workload.validate()?;
    }
    let mut scenario = Scenario::new(config, workload, lesson.setup.seed.unwrap_or(42));
    for s in step.commands.iter().chain(extra) {
        let command = scripted(s, &scenario.config)?;
        scenario.commands.push(command);
    }
    let mut sim = scenario.build()?;
    sim.set_trace_enabled(false);
    Ok(sim)
}

/// Runs the step headless to the setup's `until` and returns the summary's metrics.
pub fn run_step(lesson: &Lesson, step: &Step, with_solution: bool) -> Result<Value, String> {
    let mut sim = step_sim(lesson, step, with_solution)?;
    let until = SimTime::ZERO + parse_duration(&lesson.setup.until)?;
    sim.run(Some(until));
    Ok(metrics(&sim))
}

/// What the check found for one step.
#[derive(Clone, Debug, Default)]
pub struct StepReport {
    pub problems: Vec<String>,
    /// The index of the right answer to the step's question.
    pub answer: Option<usize>,
}

pub fn check_step(lesson: &Lesson, index: usize) -> StepReport {
    let step = &lesson.steps[index];
    let mut report = StepReport::default();
    let before = match run_step(lesson, step, false) {
        Ok(v) => v,
        Err(e) => {
            report.problems.push(format!("the setup does not run: {e}"));
            return report;
        }
    };
    let after = match run_step(lesson, step, true) {
        Ok(v) => v,
        Err(e) => {
            report
                .problems
                .push(format!("the solution does not run: {e}"));
            return report;
        }
    };
    for g in &step.goals {
        let b = holds(&before, &g.metric, &g.op, g.value);
        let a = holds(&after, &g.metric, &g.op, g.value);
        let (b, a) = match (b, a) {
            (Ok(b), Ok(a)) => (b, a),
            (Err(e), _) | (_, Err(e)) => {
                report.problems.push(format!("goal '{}': {e}", g.text.en));
                continue;
            }
        };
        let shown = |v: &Value| {
            super::goals::lookup(v, &g.metric).map_or("?".to_string(), |x| format!("{x}"))
        };
        if g.keep && !b {
            report.problems.push(format!(
                "guard '{}' ({} {} {}) does not hold with the setup ({} = {})",
                g.text.en,
                g.metric,
                g.op,
                g.value,
                g.metric,
                shown(&before)
            ));
        } else if !g.keep && b {
            report.problems.push(format!(
                "goal '{}' ({} {} {}) is already met before the learner acts ({} = {})",
                g.text.en,
                g.metric,
                g.op,
                g.value,
                g.metric,
                shown(&before)
            ));
        }
        if !a {
            report.problems.push(format!(
                "goal '{}' ({} {} {}) is not met by the solution ({} = {})",
                g.text.en,
                g.metric,
                g.op,
                g.value,
                g.metric,
                shown(&after)
            ));
        }
    }
    if let Some(q) = &step.question {
        let mut right = Vec::new();
        for (i, c) in q.choices.iter().enumerate() {
            match holds(&before, &c.metric, &c.op, c.value) {
                Ok(true) => right.push(i),
                Ok(false) => {}
                Err(e) => report
                    .problems
                    .push(format!("the question, choice {}: {e}", i + 1)),
            }
        }
        match right.as_slice() {
            [one] => report.answer = Some(*one),
            [] => report
                .problems
                .push("the question: no choice is right by the simulation".to_string()),
            _ => report
                .problems
                .push(format!("the question: choices {right:?} are all right")),
        }
    }
    report
}

/// Checks every step; returns the problems as lines `step N: ...`.
pub fn check_lesson(lesson: &Lesson) -> Vec<String> {
    (0..lesson.steps.len())
        .flat_map(|i| {
            check_step(lesson, i)
                .problems
                .into_iter()
                .map(move |p| format!("step {}: {p}", i + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::load::parse;

    const LESSON: &str = r#"
id = "linger"
number = 98
title = { en = "Linger", zh = "等待" }
summary = { en = "s", zh = "概要" }
closing = { en = "c", zh = "结语" }
[setup]
records = 2000
rate = 1000.0
until = "5s"
settings = { "linger.ms" = "0", "consumers" = "0" }
[[steps]]
text = { en = "t", zh = "文字" }
knobs = ["linger.ms"]
[[steps.goals]]
metric = "producer.records_per_batch"
op = ">="
value = 5
text = { en = "at least 5 records per batch", zh = "每批至少 5 条" }
[[steps.goals]]
metric = "ledger.lost.broker"
op = "=="
value = 0
keep = true
text = { en = "nothing lost", zh = "不丢" }
[steps.solution]
settings = { "linger.ms" = "SOLUTION" }
"#;

    #[test]
    fn a_solution_that_reaches_the_goal_passes() {
        let l = parse(&LESSON.replace("SOLUTION", "50"), "l.toml").unwrap();
        assert_eq!(check_lesson(&l), Vec::<String>::new());
    }

    #[test]
    fn the_checker_fails_a_solution_that_does_not_meet_its_goal() {
        let l = parse(&LESSON.replace("SOLUTION", "1"), "l.toml").unwrap();
        let problems = check_lesson(&l);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("not met by the solution"),
            "{problems:?}"
        );
    }

    #[test]
    fn the_checker_fails_a_goal_already_met_by_the_setup() {
        let l = parse(
            &LESSON
                .replace("SOLUTION", "50")
                .replace("value = 5\n", "value = 1\n"),
            "l.toml",
        )
        .unwrap();
        let problems = check_lesson(&l);
        assert!(
            problems.iter().any(|p| p.contains("already met")),
            "{problems:?}"
        );
    }

    #[test]
    fn an_unknown_metric_is_a_load_error_with_its_place() {
        let e = parse(
            &LESSON
                .replace("SOLUTION", "50")
                .replace("records_per_batch", "records_per_bach"),
            "l.toml",
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (Some(16), Some(10)), "{e}");
        assert!(
            e.message.contains("step 1, goal 1, key 'metric'")
                && e.message
                    .contains("unknown metric 'producer.records_per_bach'")
                && e.message
                    .contains("did you mean 'producer.records_per_batch'"),
            "{e}"
        );
    }

    #[test]
    fn a_choice_whose_metric_cannot_be_read_is_a_problem() {
        // Loading refuses an unknown metric; a lesson built by hand still gets a clear
        // problem rather than a choice that is silently never right.
        let mut l = parse(&LESSON.replace("SOLUTION", "50"), "l.toml").unwrap();
        let choice = |metric: &str, op: &str| super::super::Choice {
            text: super::super::Text::default(),
            metric: metric.to_string(),
            op: op.to_string(),
            value: 2.0,
        };
        l.steps[0].question = Some(super::super::Question {
            prompt: super::super::Text::default(),
            choices: vec![
                choice("producer.records_per_batch", "<"),
                choice("producer.nope", ">="),
            ],
        });
        let problems = check_lesson(&l);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("choice 2") && p.contains("unknown metric 'producer.nope'")),
            "{problems:?}"
        );
    }
}
