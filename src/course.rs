//! The course on the command line: `kafka-flow lessons` and `kafka-flow lesson check`.

use crate::headless::CliError;
use crate::i18n::Lang;
use crate::lesson::Lesson;
use crate::lesson::check::check_lesson;
use crate::lesson::load::{LessonError, load_all, load_file};
use crate::lesson::progress::{Progress, default_path};
use std::io::Write;
use std::path::Path;

fn io(e: &std::io::Error) -> CliError {
    crate::headless::output_error(e)
}

fn bad(e: &LessonError) -> CliError {
    CliError::BadInput(e.to_string())
}

/// `kafka-flow lessons`: number, title, progress mark. Files that did not load are listed on
/// `err` with file:line:column and make the command fail (exit 2) after the good ones are
/// listed; a damaged progress file is a warning on `err` (its readable marks are shown).
pub fn list(
    dir: Option<&Path>,
    lang: Lang,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), CliError> {
    let (lessons, errors) = load_all(dir).map_err(|e| bad(&e))?;
    let progress = default_path()
        .map(|p| Progress::read(&p))
        .unwrap_or_default();
    for problem in &progress.problems {
        // stderr failing too leaves nowhere to say it: the listing itself still counts.
        let _ = writeln!(
            err,
            "kafka-flow: warning: progress file: {problem} (the readable marks are shown; the file is backed up before the next save)"
        );
    }
    // The ids' column is as wide as the longest id, so every title starts in one column.
    let id_width = lessons.iter().map(|l| l.id.len()).max().unwrap_or(0);
    for l in &lessons {
        let mark = match progress.progress.lessons.get(&l.id) {
            Some(p) if p.done => "✓",
            Some(_) => "…",
            None => " ",
        };
        writeln!(
            out,
            "{mark} {:>2}  {:<id_width$}  {}",
            l.number,
            l.id,
            l.title.get(lang)
        )
        .map_err(|e| io(&e))?;
    }
    broken_files(&errors, err)
}

/// Reports every file that did not load, one line each, and fails if there was one.
fn broken_files(errors: &[LessonError], err: &mut dyn Write) -> Result<(), CliError> {
    match errors {
        [] => Ok(()),
        [one] => Err(bad(one)),
        many => {
            for e in many {
                let _ = writeln!(err, "kafka-flow: {e}");
            }
            Err(CliError::BadInput(format!(
                "{} lesson files did not load",
                many.len()
            )))
        }
    }
}

/// Finds a lesson by number or id. A lesson that loads opens even when other files of the
/// directory are broken; those are reported on `err`.
pub fn find(what: &str, dir: Option<&Path>, err: &mut dyn Write) -> Result<Lesson, CliError> {
    let (lessons, errors) = load_all(dir).map_err(|e| bad(&e))?;
    let found = lessons
        .into_iter()
        .find(|l| l.id == what || what.parse::<u32>().is_ok_and(|n| n == l.number));
    let Some(lesson) = found else {
        let broken = errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(CliError::BadInput(if broken.is_empty() {
            format!("there is no lesson '{what}' (see `kafka-flow lessons`)")
        } else {
            format!(
                "there is no lesson '{what}' (see `kafka-flow lessons`; files that did not load: {broken})"
            )
        }));
    };
    for e in &errors {
        let _ = writeln!(err, "kafka-flow: warning: {e}");
    }
    Ok(lesson)
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
        (None, true) => load_all(dir).map_err(|e| bad(&e))?,
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
