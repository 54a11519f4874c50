//! `kafka-flow lesson check`: every step runs headless twice, with its setup (no goal may
//! be met yet, guards aside) and with its `solution` (every goal must be met); a question
//! must have exactly one right answer by the simulation's own numbers.

use super::goals::Condition;
use super::{Lesson, Step};
use crate::scenario::RATE;
use crate::sim::summary::Summary;
use crate::sim::workload::Workload;
use crate::sim::{Command, Sim, SimTime};
use std::collections::BTreeMap;

/// The workload a lesson's setup describes.
pub fn setup_workload(lesson: &Lesson) -> Result<Workload, String> {
    Ok(lesson.setup.scenario.workload.clone())
}

/// The step's world, with or without its solution applied.
pub fn step_sim(lesson: &Lesson, step: &Step, with_solution: bool) -> Result<Sim, String> {
    let none = BTreeMap::new();
    let (settings, extra): (_, &[(SimTime, Command)]) = if with_solution {
        (&step.solution.settings, &step.solution.commands)
    } else {
        (&none, &[])
    };
    step_sim_with(lesson, step, settings, extra)
}

/// The step's world with `settings` applied from the start (the learner's knobs, or the
/// solution) and `extra` commands besides the step's own.
pub fn step_sim_with(
    lesson: &Lesson,
    step: &Step,
    settings: &BTreeMap<String, String>,
    extra: &[(SimTime, Command)],
) -> Result<Sim, String> {
    let mut scenario = lesson.setup.scenario.clone();
    for (k, v) in settings {
        if k == RATE {
            continue;
        }
        scenario.config.set(k, v).map_err(|e| e.to_string())?;
    }
    scenario.config.validate().map_err(|e| e.to_string())?;
    if let Some(rate) = settings.get(RATE) {
        scenario.workload.rate = rate
            .parse()
            .map_err(|_| format!("rate '{rate}' is not a number"))?;
        scenario.workload.validate()?;
    }
    scenario
        .commands
        .extend(step.commands.iter().chain(extra).cloned());
    let mut sim = scenario.build()?;
    sim.set_trace_enabled(false);
    Ok(sim)
}

/// Runs the step headless to the setup's `until` and returns the run's summary.
pub fn run_step(lesson: &Lesson, step: &Step, with_solution: bool) -> Result<Summary, String> {
    let mut sim = step_sim(lesson, step, with_solution)?;
    sim.run(Some(lesson.setup.until));
    Ok(Summary::of(&sim))
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
        let c = &g.condition;
        let b = c.holds(&before);
        let a = c.holds(&after);
        let (b, a) = match (b, a) {
            (Ok(b), Ok(a)) => (b, a),
            (Err(e), _) | (_, Err(e)) => {
                report.problems.push(format!("goal '{}': {e}", g.text.en));
                continue;
            }
        };
        let shown = |s: &Summary| shown(c, s);
        if g.keep && !b {
            report.problems.push(format!(
                "guard '{}' ({c}) does not hold with the setup ({} = {})",
                g.text.en,
                c.metric,
                shown(&before)
            ));
        } else if !g.keep && b {
            report.problems.push(format!(
                "goal '{}' ({c}) is already met before the learner acts ({} = {})",
                g.text.en,
                c.metric,
                shown(&before)
            ));
        }
        if !a {
            report.problems.push(format!(
                "goal '{}' ({c}) is not met by the solution ({} = {})",
                g.text.en,
                c.metric,
                shown(&after)
            ));
        }
    }
    if let Some(q) = &step.question {
        let mut right = Vec::new();
        for (i, c) in q.choices.iter().enumerate() {
            match c.condition.holds(&before) {
                Ok(true) => right.push(i),
                Ok(false) => {}
                Err(e) => report
                    .problems
                    .push(format!("the question, choice {}: {e}", i + 1)),
            }
        }
        report.problems.extend(honesty(lesson, step, &before));
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

/// What makes a question honest, as far as a program can tell:
/// - the world is held before every event that decides it: at the hold, no metric a choice
///   reads has moved from its value at time 0 (so neither the ledger nor any figure on screen
///   shows the outcome), and the hold comes before the step's last scripted fault (the
///   decisive moment);
/// - nothing the learner can read before answering (the text, the prompt, the choices, the
///   hints, the goals) contains the number that answers it.
fn honesty(lesson: &Lesson, step: &Step, outcome: &Summary) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(q) = &step.question else {
        return problems;
    };
    let (start, held) = match step_sim(lesson, step, false) {
        Ok(start) => {
            let mut held = start.clone();
            held.run(Some(q.hold));
            (Summary::of(&start), Summary::of(&held))
        }
        Err(e) => return vec![format!("the setup does not run: {e}")],
    };
    for c in &q.choices {
        let (a, b) = (
            c.condition.metric.read(&start),
            c.condition.metric.read(&held),
        );
        if a != b {
            problems.push(format!(
                "the question is held at {} but {} has already moved there ({} at 0 s, {} at the hold):                  the screen would give the answer away; hold it earlier",
                q.hold,
                c.condition.metric,
                a.map_or("none".to_string(), |x| x.to_string()),
                b.map_or("none".to_string(), |x| x.to_string()),
            ));
        }
    }
    let last_fault = step
        .commands
        .iter()
        .filter(|(_, c)| matches!(c, Command::Fault { .. }))
        .map(|(t, _)| *t)
        .max();
    if let Some(t) = last_fault.filter(|t| q.hold >= *t) {
        problems.push(format!(
            "the question is held at {} but the step's decisive fault happens at {t}: hold it before",
            q.hold
        ));
    }
    let mut readable: Vec<&super::Text> = vec![&step.text, &q.prompt];
    readable.extend(q.choices.iter().map(|c| &c.text));
    readable.extend(step.hints.iter());
    readable.extend(step.goals.iter().map(|g| &g.text));
    for c in &q.choices {
        let Some(x) = c.condition.metric.read(outcome) else {
            continue;
        };
        if let Some(text) = readable
            .iter()
            .flat_map(|t| [t.en.as_str(), t.zh.as_str()])
            .find(|t| mentions(t, x))
        {
            let start: String = text.chars().take(60).collect();
            problems.push(format!(
                "the answer's number {x} ({}) is written where the learner reads it before answering: \"{start}…\"",
                c.condition.metric
            ));
        }
    }
    problems
}

/// Whether `text` contains the number `x` as a number of its own (not inside a longer one).
/// Small whole numbers (under 10) are too common in prose to tell anything.
fn mentions(text: &str, x: f64) -> bool {
    if x.fract() == 0.0 && x.abs() < 10.0 {
        return false;
    }
    let mut numbers = Vec::new();
    let mut current = String::new();
    for ch in text.chars().chain(std::iter::once(' ')) {
        if ch.is_ascii_digit() || (ch == '.' && !current.is_empty()) {
            current.push(ch);
        } else if ch == ',' && !current.is_empty() {
            // 1,000 is one number.
        } else if !current.is_empty() {
            numbers.push(std::mem::take(&mut current));
        }
    }
    numbers.iter().any(|n| {
        n.trim_end_matches('.')
            .parse::<f64>()
            .is_ok_and(|v| (v - x).abs() < 1e-9 || (x.fract() != 0.0 && (v - x).abs() < 0.05))
    })
}

/// The metric's value in `summary`, as problem messages quote it.
fn shown(c: &Condition, summary: &Summary) -> String {
    c.metric
        .read(summary)
        .map_or("?".to_string(), |x| format!("{x}"))
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
notes = "004_b0714076a0a3cce6.txt: linger.ms"
closing = { en = "c", zh = "结语" }
[setup]
records = 2000
rate = 1000.0
until = "5s"
settings = { "linger.ms" = "0", "consumers" = "0" }
[[steps]]
text = { en = "t", zh = "文字" }
key = { en = "The key sentence.", zh = "要点。" }
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

    /// LESSON with a question on how many records are acknowledged, held at `hold`, with
    /// `text` as the step's text and a kill of partition 0's leader at `kill`.
    fn asking(hold: &str, text: &str, kill: &str) -> Lesson {
        let lesson = LESSON
            .replace("SOLUTION", "50")
            .replace("text = { en = \"t\"", &format!("text = {{ en = \"{text}\""))
            .replace(
                "knobs = [\"linger.ms\"]",
                &format!("knobs = [\"linger.ms\"]\ncommands = [{{ at = \"{kill}\", fault = \"kill-leader:0\" }}]"),
            );
        let q = format!(
            "[steps.question]\nprompt = {{ en = \"p\", zh = \"问\" }}\nhold = \"{hold}\"\n\
             reveal = {{ en = \"r\", zh = \"揭晓\" }}\n\
             [[steps.question.choices]]\ntext = {{ en = \"a\", zh = \"甲\" }}\nmetric = \"producer.acked\"\nop = \">=\"\nvalue = 1000\n\
             [[steps.question.choices]]\ntext = {{ en = \"b\", zh = \"乙\" }}\nmetric = \"producer.acked\"\nop = \"<\"\nvalue = 1000\n"
        );
        parse(&format!("{lesson}{q}"), "q.toml").unwrap()
    }

    fn honesty_problems(l: &Lesson) -> Vec<String> {
        check_lesson(l)
            .into_iter()
            .filter(|p| p.contains("held") || p.contains("answer's number"))
            .collect()
    }

    #[test]
    fn a_question_held_at_zero_before_its_fault_is_honest() {
        let l = asking("0s", "t", "2s");
        assert_eq!(honesty_problems(&l), Vec::<String>::new());
    }

    #[test]
    fn a_question_held_after_its_metric_moved_gives_the_answer_away() {
        let p = honesty_problems(&asking("1s", "t", "2s"));
        assert!(
            p.iter()
                .any(|p| p.contains("producer.acked has already moved")),
            "{p:?}"
        );
    }

    #[test]
    fn a_question_held_after_its_decisive_fault_is_too_late() {
        let p = honesty_problems(&asking("0s", "t", "0s"));
        assert!(p.iter().any(|p| p.contains("decisive fault")), "{p:?}");
    }

    #[test]
    fn a_text_that_writes_the_answer_is_caught() {
        let acked = run_step(
            &asking("0s", "t", "2s"),
            &asking("0s", "t", "2s").steps[0],
            false,
        )
        .unwrap()
        .producer
        .acked;
        let p = honesty_problems(&asking(
            "0s",
            &format!("Expect {acked} acknowledgements."),
            "2s",
        ));
        assert!(p.iter().any(|p| p.contains("answer's number")), "{p:?}");
    }

    #[test]
    fn a_number_counts_only_as_a_number_of_its_own() {
        assert!(mentions("the log holds 17 copies", 17.0));
        assert!(mentions("1,000 records", 1000.0));
        assert!(mentions("about 4.97 per batch", 4.97));
        assert!(!mentions("offset 170", 17.0));
        assert!(!mentions("3 replicas", 3.0), "small numbers are prose");
        assert!(!mentions("batch.size 16384", 1638.0));
    }

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
        assert_eq!((e.line, e.column), (Some(18), Some(10)), "{e}");
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
    fn a_choice_whose_metric_has_no_value_in_the_run_is_a_problem() {
        // A callback that never happens (nothing acknowledged in a world that sends
        // nothing) cannot be compared: a clear problem rather than a choice that is
        // silently never right.
        let l = parse(
            &format!(
                "{}[steps.question]\nprompt = {{ en = \"p\", zh = \"问\" }}\nreveal = {{ en = \"r\", zh = \"揭晓\" }}\n\
                 [[steps.question.choices]]\ntext = {{ en = \"a\", zh = \"甲\" }}\nmetric = \"producer.records_per_batch\"\nop = \"<\"\nvalue = 2\n\
                 [[steps.question.choices]]\ntext = {{ en = \"b\", zh = \"乙\" }}\nmetric = \"producer.callbacks.4.offset\"\nop = \">=\"\nvalue = 0\n",
                LESSON.replace("SOLUTION", "50").replace("records = 2000", "records = 3")
            ),
            "l.toml",
        )
        .unwrap();
        let problems = check_lesson(&l);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("choice 2") && p.contains("producer.callbacks.4.offset")),
            "{problems:?}"
        );
    }
}
