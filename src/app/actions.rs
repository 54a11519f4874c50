//! What each key's action does to the app (`App::update`), and opening a lesson or the
//! sandbox from the home screen.

use super::keys::Action;
use super::lesson::LessonState;
use super::{App, Level, Mode, SPEEDS, ab, knobs, nearest_speed, speed_for_rate, timeline};
use crate::i18n::tr;
use crate::sim::SimDuration;
use crate::sim::command::Fault;
use crate::sim::view::Phase;

impl App {
    /// Applies a key's action; then side B of an A/B comparison catches up with it.
    pub fn update(&mut self, action: Action) {
        self.act(action);
        if self.ab.is_some() {
            self.sync_ab();
            if self.paused {
                // Paused, nothing refreshes the figures: a step or a jump must.
                self.refresh_ledger();
            }
        }
    }

    fn act(&mut self, action: Action) {
        if self.refuse_live(&action) {
            return;
        }
        match action {
            Action::Quit => self.quit = true,
            Action::TogglePause if self.held_for_question() => {
                self.say(Level::Warn, |lang| tr(lang, "course.answer_first").into());
            }
            Action::TogglePause => {
                self.paused = !self.paused;
                if self.paused {
                    self.settle_screen();
                } else {
                    self.beat_caption = None;
                }
            }
            Action::Step => {
                self.paused = true;
                if let Some(t) = self.sim.next_event_time() {
                    self.advance_world(t, None);
                    self.settle_screen();
                }
            }
            Action::StepBack => self.step_back(),
            Action::Skip { back, long } => {
                // One second (ten) of what the screen plays at this speed.
                let wall = if long { 10.0 } else { 1.0 };
                let us = (wall * self.speed_factor() * 1e6).round().max(1.0) as u64;
                self.skip(SimDuration(us), back);
            }
            Action::Marker { forward } => self.jump_marker(forward),
            Action::Save => self.save_session(),
            Action::Faster => self.speed = (self.speed + 1).min(SPEEDS.len() - 1),
            Action::Slower => self.speed = self.speed.saturating_sub(1),
            Action::Reset if self.lesson.is_some() => self.restart_step(),
            Action::Reset => {
                let versus = self.ab.as_ref().map(|ab| ab.settings.clone());
                let (config, workload, seed) = self.base.clone();
                if let Ok(sim) = Self::build(&config, &workload, seed) {
                    // A scenario starts its story again: its commands, beats and title stay.
                    let (script, beats) = self.timeline.script();
                    let span = self.timeline.span;
                    let title = self.scenario_title.take();
                    self.replace_sim(sim);
                    self.scenario_title = title;
                    let mut tl = timeline::Timeline::new(&script, &beats);
                    tl.span = span;
                    self.start_timeline(tl);
                    // Both sides start again: B from its own settings, on the same story.
                    if let Some(settings) = versus {
                        if let Err(said) = self.open_ab(settings) {
                            self.status = Some((Level::Bad, said));
                            return;
                        }
                    }
                    self.say(Level::Info, |lang| {
                        tr(lang, "status.reset_same_seed").into()
                    });
                }
            }
            Action::NextKnob if !self.knobs.is_empty() => {
                self.knob = (self.knob + 1) % self.knobs.len();
            }
            Action::PrevKnob if !self.knobs.is_empty() => {
                self.knob = (self.knob + self.knobs.len() - 1) % self.knobs.len();
            }
            Action::StartEdit if !self.knobs.is_empty() => self.mode = Mode::Editing(String::new()),
            Action::NextKnob | Action::PrevKnob | Action::StartEdit => {}
            Action::KnobUp | Action::KnobDown => {
                let Some(knob) = self.knobs.get(self.knob).cloned() else {
                    return;
                };
                let current = self.knob_value(self.knob);
                if let Some(next) = knobs::step_live(&knob, &current, action == Action::KnobUp) {
                    if next != current {
                        self.set_knob(&knob.name, next);
                    }
                }
            }
            Action::EditChar(c) => match &mut self.mode {
                Mode::Editing(s) if s.len() < 24 => s.push(c),
                Mode::Compare(s) if s.len() < ab::PROMPT_MAX => s.push(c),
                _ => {}
            },
            Action::EditBackspace => {
                if let Mode::Editing(s) | Mode::Compare(s) = &mut self.mode {
                    s.pop();
                }
            }
            Action::EditClear => {
                if let Mode::Editing(s) | Mode::Compare(s) = &mut self.mode {
                    s.clear();
                }
            }
            Action::OpenCompare if self.lesson.is_some() => {
                self.say(Level::Warn, |lang| tr(lang, "ab.not_in_lesson").into());
            }
            Action::OpenCompare => {
                self.mode = Mode::Compare(self.ab_prompt_start());
                self.status = None;
            }
            Action::EditCommit if matches!(self.mode, Mode::Compare(_)) => {
                if let Mode::Compare(text) = &self.mode {
                    let text = text.clone();
                    if self.commit_ab_prompt(&text) {
                        self.mode = Mode::Normal;
                    }
                }
            }
            Action::EditCommit => {
                if let Mode::Editing(s) = std::mem::replace(&mut self.mode, Mode::Normal) {
                    if let Some(k) = self.knobs.get(self.knob) {
                        let name = k.name.clone();
                        self.set_knob(&name, s.trim());
                    }
                }
            }
            Action::Cancel => {
                // Esc closes what is open first; with nothing open it stops following.
                let nothing_open =
                    self.mode == Mode::Normal && !self.show_help && self.follow_entry.is_none();
                self.mode = Mode::Normal;
                self.show_help = false;
                if self.follow_entry.take().is_some() {
                    // The prompt on the status line goes with the entry.
                    self.status = None;
                }
                if nothing_open && (self.follow.is_some() || self.follow_armed) {
                    self.follow = None;
                    self.follow_cause = None;
                    self.follow_armed = false;
                    self.say(Level::Info, |lang| {
                        tr(lang, "journey.status.stopped").into()
                    });
                }
            }
            Action::FollowNext
            | Action::FollowById
            | Action::FollowDigit(_)
            | Action::FollowBackspace
            | Action::FollowCommit
            | Action::FollowAnomaly => self.follow_action(action),
            Action::OpenFaults => self.mode = Mode::Faults(0),
            Action::MenuUp => {
                if let Mode::Faults(i) = self.mode {
                    self.mode = Mode::Faults(i.saturating_sub(1));
                }
            }
            Action::MenuDown => {
                if let Mode::Faults(i) = self.mode {
                    let n = self.fault_menu().len();
                    self.mode = Mode::Faults((i + 1).min(n.saturating_sub(1)));
                }
            }
            Action::MenuPick(i) => {
                let menu = self.fault_menu();
                if let Some(entry) = menu.get(i) {
                    self.mode = Mode::Normal;
                    self.inject(entry.fault.clone());
                }
            }
            Action::MenuChoose => {
                if let Mode::Faults(i) = self.mode {
                    self.update(Action::MenuPick(i));
                }
            }
            Action::KillLeader => self.inject(Fault::KillLeader { partition: 0 }),
            Action::DropAcks => self.inject(Fault::DropResponses {
                broker: None,
                count: 1,
            }),
            Action::CrashConsumer => {
                let group = self.sim.view().consumer_group();
                let dead = group
                    .consumers
                    .first()
                    .is_some_and(|c| c.phase == Phase::Dead);
                if group.consumers.is_empty() {
                    self.say(Level::Warn, |lang| tr(lang, "status.no_consumer").into());
                } else if dead {
                    self.inject(Fault::RestartConsumer { consumer: 0 });
                } else {
                    self.inject(Fault::CrashConsumer { consumer: 0 });
                }
            }
            Action::ToggleHelp => self.show_help = !self.show_help,
            Action::ToggleLang => {
                self.lang = self.lang.toggle();
                self.live_lang();
            }
            Action::NextTheme => self.theme = self.theme.next(),
            Action::ToggleGlyphs => self.glyphs = self.glyphs.toggle(),
            Action::ToggleZoom => self.zoom = !self.zoom,
            Action::Focus(p) => self.focus = p,
            Action::OpenHome => {
                // The built-in course: no directory to fail on, broken files fail its tests.
                self.course = crate::lesson::load::load_all(None)
                    .map(|(lessons, _)| lessons)
                    .unwrap_or_default();
                self.progress = crate::lesson::progress::default_path()
                    .map(|p| crate::lesson::progress::Progress::load(&p))
                    .unwrap_or_default();
                self.scenarios = crate::scenarios::builtin::builtin();
                self.mode = Mode::Home(0);
            }
            Action::HomeUp => {
                if let Mode::Home(i) = self.mode {
                    self.mode = Mode::Home(i.saturating_sub(1));
                }
            }
            Action::HomeDown => {
                if let Mode::Home(i) = self.mode {
                    let last = self.course.len() + self.scenarios.len();
                    self.mode = Mode::Home((i + 1).min(last));
                }
            }
            Action::HomeChoose => {
                if let Mode::Home(i) = self.mode {
                    self.mode = Mode::Normal;
                    let scenario = i
                        .checked_sub(self.course.len())
                        .and_then(|j| self.scenarios.get(j))
                        .cloned();
                    match (self.course.get(i).cloned(), scenario) {
                        (Some(lesson), _) => self.open_lesson(lesson),
                        (None, Some(file)) => self.open_scenario(&file),
                        (None, None) => self.open_sandbox(),
                    }
                }
            }
            Action::Hint => {
                if let Some(st) = &mut self.lesson {
                    st.hints_shown = (st.hints_shown + 1).min(st.current().hints.len());
                }
            }
            Action::NextStep | Action::PrevStep => {
                let Some(st) = &mut self.lesson else { return };
                let n = st.lesson.steps.len();
                let next = if action == Action::NextStep {
                    (st.step + 1).min(n - 1)
                } else {
                    st.step.saturating_sub(1)
                };
                if next != st.step {
                    st.step = next;
                    self.enter_step();
                }
            }
            Action::Answer(i) => {
                if let Some(st) = &mut self.lesson {
                    st.answer(i);
                }
                self.play_reveal();
            }
            Action::Reveal => {
                if let Some(st) = &mut self.lesson {
                    st.reveal();
                }
                self.play_reveal();
            }
            Action::TogglePresenter => {
                if let Some(st) = &mut self.lesson {
                    st.presenter = !st.presenter;
                }
            }
            Action::ScrollLesson { down } => {
                if let Some(st) = &mut self.lesson {
                    st.scroll = if down {
                        st.scroll.saturating_add(1)
                    } else {
                        st.scroll.saturating_sub(1)
                    };
                }
            }
        }
    }

    /// The world is held at a question that has not been answered.
    pub fn held_for_question(&self) -> bool {
        self.lesson
            .as_ref()
            .and_then(LessonState::hold)
            .is_some_and(|h| self.sim.now() >= h)
    }

    /// After the answer the decisive moment plays, at the question's reveal speed.
    fn play_reveal(&mut self) {
        let Some(st) = &self.lesson else { return };
        if !st.revealed {
            return;
        }
        if let Some(speed) = st.current().question.as_ref().and_then(|q| q.reveal_speed) {
            self.speed = nearest_speed(speed);
        }
        self.beat_caption = None;
        self.status = None;
        self.paused = false;
    }

    fn open_lesson(&mut self, lesson: crate::lesson::Lesson) {
        match (
            crate::lesson::load::setup_config(&lesson),
            crate::lesson::check::setup_workload(&lesson),
        ) {
            (Ok(config), Ok(workload)) => {
                self.speed = speed_for_rate(workload.rate);
                self.base = (config, workload, lesson.setup.scenario.seed);
                self.start_lesson(LessonState::new(
                    lesson,
                    crate::lesson::progress::default_path(),
                ));
            }
            (Err(e), _) | (_, Err(e)) => self.say_text(Level::Bad, e),
        }
    }

    /// Back to the built-in scenario with every knob.
    fn open_sandbox(&mut self) {
        self.lesson = None;
        self.knobs = knobs::sandbox();
        self.knob = 1;
        let world = Self::sandbox_world(&self.sandbox_args).map_err(|e| e.to_string());
        match world.and_then(|(config, workload, seed)| {
            let sim = Self::build(&config, &workload, seed)?;
            Ok(((config, workload, seed), sim))
        }) {
            Ok((base, sim)) => {
                self.speed = speed_for_rate(base.1.rate);
                self.base = base;
                self.replace_sim(sim);
            }
            Err(e) => self.say_text(Level::Bad, e),
        }
    }
}
