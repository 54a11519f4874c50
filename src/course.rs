//! The course on the command line: `kafka-flow lessons` and `kafka-flow lesson check`.

use crate::headless::CliError;
use crate::lesson::Lesson;
use crate::lesson::check::check_lesson;
use crate::lesson::load::{load_all, load_file};
use crate::lesson::progress::{Progress, default_path};
use crate::ui::i18n::Lang;
use std::io::Write;
use std::path::Path;

fn io(e: &std::io::Error) -> CliError {
    CliError::Io(e.to_string())
}

/// `kafka-flow lessons`: number, title, progress mark; broken files are listed with their error.
pub fn list(dir: Option<&Path>, lang: Lang, out: &mut dyn Write) -> Result<(), CliError> {
    let (lessons, errors) = load_all(dir);
    let progress = default_path()
        .map(|p| Progress::load(&p))
        .unwrap_or_default();
    for l in &lessons {
        let mark = match progress.lessons.get(&l.id) {
            Some(p) if p.done => "✓",
            Some(_) => "…",
            None => " ",
        };
        writeln!(
            out,
            "{mark} {:>2}  {:<28} {}",
            l.number,
            l.id,
            l.title.get(lang)
        )
        .map_err(|e| io(&e))?;
    }
    for e in &errors {
        writeln!(out, "✗     {e}").map_err(|e| io(&e))?;
    }
    Ok(())
}

/// Finds a lesson by number or id.
pub fn find(what: &str, dir: Option<&Path>) -> Result<Lesson, CliError> {
    let (lessons, errors) = load_all(dir);
    let found = lessons
        .into_iter()
        .find(|l| l.id == what || what.parse::<u32>().is_ok_and(|n| n == l.number));
    found.ok_or_else(|| {
        let broken = errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        CliError::BadInput(if broken.is_empty() {
            format!("there is no lesson '{what}' (see `kafka-flow lessons`)")
        } else {
            format!(
                "there is no lesson '{what}' (see `kafka-flow lessons`; broken files: {broken})"
            )
        })
    })
}

/// `kafka-flow lesson check`: every step with its setup and with its solution.
pub fn check(
    file: Option<&Path>,
    all: bool,
    dir: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let (lessons, load_errors) = match (file, all) {
        (Some(f), false) => match load_file(f) {
            Ok(l) => (vec![l], Vec::new()),
            Err(e) => (Vec::new(), vec![e]),
        },
        (None, true) => load_all(dir),
        _ => {
            return Err(CliError::BadInput(
                "lesson check needs either --all or one FILE".to_string(),
            ));
        }
    };
    let mut failed = load_errors.len();
    for e in &load_errors {
        writeln!(out, "FAIL {e}").map_err(|e| io(&e))?;
    }
    for l in &lessons {
        let problems = check_lesson(l);
        if problems.is_empty() {
            writeln!(out, "ok   {} ({} steps)", l.source, l.steps.len()).map_err(|e| io(&e))?;
        } else {
            failed += 1;
            for p in problems {
                writeln!(out, "FAIL {}: {p}", l.source).map_err(|e| io(&e))?;
            }
        }
    }
    let passed = lessons.len() + load_errors.len() - failed;
    writeln!(out, "{passed} passed, {failed} failed").map_err(|e| io(&e))?;
    if failed > 0 {
        return Err(CliError::BadInput(format!(
            "{failed} lesson(s) failed the check"
        )));
    }
    Ok(())
}
