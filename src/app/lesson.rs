//! A lesson in the app: which step, its goals checked live against the running
//! simulation, hints on demand, the predict-then-reveal question, and the progress file.

use crate::i18n::{Lang, trf};
use crate::lesson::Lesson;
use crate::lesson::check::check_step;
use crate::lesson::progress::{Progress, SaveError};
use crate::sim::SimTime;
use crate::sim::summary::Summary;
use std::path::PathBuf;

/// What the learner should hear about their progress file.
#[derive(Clone, Debug, PartialEq)]
pub enum ProgressNote {
    /// Nothing was saved (read-only, disk full...): the lesson goes on, unrecorded.
    NotSaved(SaveError),
    /// The file had unreadable entries: it was set aside as `backup` and rewritten with the
    /// readable ones.
    BackedUp { file: PathBuf, backup: PathBuf },
}

impl ProgressNote {
    /// Not saving loses the learner's place; a backup lost nothing readable.
    pub fn level(&self) -> crate::app::narrate::Level {
        match self {
            ProgressNote::NotSaved(_) => crate::app::narrate::Level::Bad,
            ProgressNote::BackedUp { .. } => crate::app::narrate::Level::Warn,
        }
    }

    pub fn text(&self, lang: Lang) -> String {
        match self {
            ProgressNote::NotSaved(e) => {
                let path = e.path().display().to_string();
                let reason = match e {
                    SaveError::ReadOnly { .. } => {
                        trf(lang, "progress.read_only", &[("path", &path)])
                    }
                    SaveError::Backup { error, .. } => trf(
                        lang,
                        "progress.cannot_back_up",
                        &[("path", &path), ("error", error)],
                    ),
                    SaveError::Write { error, .. } => trf(
                        lang,
                        "progress.cannot_write",
                        &[("path", &path), ("error", error)],
                    ),
                };
                trf(lang, "progress.not_saved", &[("reason", &reason)])
            }
            ProgressNote::BackedUp { file, backup } => trf(
                lang,
                "progress.backed_up",
                &[
                    ("file", &file.display().to_string()),
                    ("backup", &backup.display().to_string()),
                ],
            ),
        }
    }
}

pub struct LessonState {
    pub lesson: Lesson,
    pub step: usize,
    /// How many of the step's hints are shown.
    pub hints_shown: usize,
    /// The learner's answer to the step's question, and the right one once revealed.
    pub answer: Option<usize>,
    pub right: Option<usize>,
    /// The question's answer is shown (after an answer, or on `r` in front of a room).
    pub revealed: bool,
    /// Presenter mode: the step's key sentence large, the question for the room, no hints.
    pub presenter: bool,
    /// How far the step's text is scrolled (rows), where the panel is too short for it.
    pub scroll: u16,
    /// Per goal of the step: met in the running simulation.
    pub goals_met: Vec<bool>,
    /// Every goal of the step has been met at least once (it stays done).
    pub step_done: bool,
    /// The learner's settings for this step: the step's world restarts with them, so goals
    /// measure what the settings do from the start (as the checker does).
    pub overrides: std::collections::BTreeMap<String, String>,
    progress_path: Option<PathBuf>,
}

impl LessonState {
    pub fn new(lesson: Lesson, progress_path: Option<PathBuf>) -> Self {
        // Resume where the learner stopped.
        let step = progress_path
            .as_ref()
            .map(|p| Progress::load(p))
            .and_then(|p| p.lessons.get(&lesson.id).cloned())
            .map_or(0, |p| p.step.min(lesson.steps.len().saturating_sub(1)));
        let mut s = LessonState {
            lesson,
            step,
            hints_shown: 0,
            answer: None,
            right: None,
            revealed: false,
            presenter: false,
            scroll: 0,
            goals_met: Vec::new(),
            step_done: false,
            overrides: std::collections::BTreeMap::new(),
            progress_path,
        };
        s.reset_step();
        s
    }

    pub fn current(&self) -> &crate::lesson::Step {
        &self.lesson.steps[self.step]
    }

    pub fn reset_step(&mut self) {
        self.hints_shown = 0;
        self.answer = None;
        self.right = None;
        self.revealed = false;
        self.scroll = 0;
        self.goals_met = vec![false; self.current().goals.len()];
        self.step_done = false;
        self.overrides.clear();
    }

    pub fn is_last(&self) -> bool {
        self.step + 1 >= self.lesson.steps.len()
    }

    /// Checks the goals against the running simulation's summary (the live checklist); the
    /// step is done only when they all hold once the run is `finished` (settled or past the
    /// setup's `until`), as the checker judges it. True when the step just became done; then
    /// the progress is saved, and what the learner should hear about it is in `note`.
    pub fn evaluate(
        &mut self,
        summary: &Summary,
        finished: bool,
        note: &mut Option<ProgressNote>,
    ) -> bool {
        let goals = &self.lesson.steps[self.step].goals;
        self.goals_met = goals
            .iter()
            .map(|g| g.condition.holds(summary).unwrap_or(false))
            .collect();
        if finished
            && !self.step_done
            && !self.goals_met.is_empty()
            && self.goals_met.iter().all(|m| *m)
        {
            self.step_done = true;
            *note = self.save();
            return true;
        }
        false
    }

    /// The learner answers: the simulation decides which choice was right.
    pub fn answer(&mut self, choice: usize) {
        let Some(q) = &self.current().question else {
            return;
        };
        if choice >= q.choices.len() || self.answer.is_some() {
            return;
        }
        self.answer = Some(choice);
        self.reveal();
    }

    /// Shows the answer without a choice (a teacher in front of a room that answered aloud).
    pub fn reveal(&mut self) {
        if self.current().question.is_none() || self.revealed {
            return;
        }
        self.revealed = true;
        self.right = check_step(&self.lesson, self.step).answer;
    }

    pub fn question_pending(&self) -> bool {
        self.current().question.is_some() && !self.revealed
    }

    /// Where the world is held until the question is answered.
    pub fn hold(&self) -> Option<SimTime> {
        if !self.question_pending() {
            return None;
        }
        self.current().question.as_ref().map(|q| q.hold)
    }

    /// The goals are shown once nothing is left to predict: they would say what to expect.
    pub fn goals_visible(&self) -> bool {
        !self.question_pending()
    }

    /// Records the step (and whether the lesson is done). Failing to write must not
    /// interrupt the lesson, but the learner is told: the note is for the status line.
    pub fn save(&self) -> Option<ProgressNote> {
        let path = self.progress_path.as_ref()?;
        let done = self.step_done && self.is_last();
        match Progress::record(path, &self.lesson.id, self.step, done) {
            Ok(saved) => saved.backup.map(|backup| ProgressNote::BackedUp {
                file: path.clone(),
                backup,
            }),
            Err(e) => Some(ProgressNote::NotSaved(e)),
        }
    }
}
