//! `App`: the simulation plus everything the screen needs (clock, focus, knobs, the
//! fault menu, the event log, metrics, the ledger snapshot). Keys become `Action`s
//! (`keys.rs`); `update` applies them; `on_tick` turns wall time into virtual time.
//! Rendering (`ui`) only reads `&App`.

pub mod ab;
mod actions;
mod follow;
pub mod journey;
pub mod keys;
pub mod knobs;
pub mod lesson;
pub mod live;
pub mod memory;
pub mod metrics;
pub mod narrate;
mod pacing;
mod scenario;
pub mod timeline;

pub use pacing::{DEFAULT_SPEED, SPEEDS, TUI_RATE, nearest_speed, speed_for_rate, speed_index};

use crate::headless::CliError;
use crate::i18n::{Lang, tr, trf};
use crate::scenario::{Scenario, WorkloadSpec, WorldOptions};
use crate::sim::command::Fault;
use crate::sim::view::{LedgerReport, Phase};
use crate::sim::{Command, Config, Sim, SimDuration, SimTime, TraceEvent, Workload};
use crate::ui::glyphs::Glyphs;
use crate::ui::theme::Theme;
use crossterm::event::KeyEvent;
use journey::{Journey, Sends};
use knobs::LiveKnob;
use lesson::LessonState;
use metrics::Metrics;
use narrate::{Level, LogEntry};
use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

/// From this speed on, every other frame is drawn.
const FAST_SPEED: f64 = 0.1;
/// Most events one frame may process; beyond that the clock falls behind (and says so).
const EVENT_BUDGET: u64 = 200_000;
const LOG_LINES: usize = 400;
/// Wall time between two ledger recomputations and throughput samples.
const REFRESH: Duration = Duration::from_millis(250);
/// Frames a changed ledger counter stays highlighted: 1.5 s at the TUI's 20 frames a
/// second (`tui::FPS`, a layer above, so the number is repeated here).
const FLASH_FRAMES: u64 = 30;

/// What the user chose on the command line for the TUI.
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    pub world: WorldOptions,
    /// `--lang`; `None` = from `LANG`.
    pub lang: Option<Lang>,
}

/// A panel that can take focus and be zoomed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Panel {
    Producer,
    Accumulator,
    Sender,
    Brokers,
    Consumer,
    Ledger,
    Log,
    Metrics,
}

impl Panel {
    pub const ALL: [Panel; 8] = [
        Panel::Producer,
        Panel::Accumulator,
        Panel::Sender,
        Panel::Brokers,
        Panel::Consumer,
        Panel::Ledger,
        Panel::Log,
        Panel::Metrics,
    ];
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing a value for the selected knob.
    Editing(String),
    /// The fault menu is open at this entry.
    Faults(usize),
    /// The home screen (lessons and the sandbox) is open at this entry.
    Home(usize),
    /// Typing side B's settings for an A/B comparison (`b`).
    Compare(String),
}

/// One entry of the fault menu.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultEntry {
    pub fault: Fault,
    pub label: String,
}

pub struct App {
    pub sim: Sim,
    base: (Config, Workload, u64),
    pub speed: usize,
    pub paused: bool,
    /// The last frame ran out of event budget: virtual time runs slower than asked.
    pub lagging: bool,
    pub lang: Lang,
    pub theme: Theme,
    pub glyphs: Glyphs,
    pub show_help: bool,
    pub focus: Panel,
    pub zoom: bool,
    pub knob: usize,
    pub mode: Mode,
    pub status: Option<(Level, Said)>,
    pub log: VecDeque<LogEntry>,
    pub metrics: Metrics,
    pub ledger: LedgerReport,
    /// Ledger counters that changed recently: name → frame of the change.
    pub flashes: BTreeMap<&'static str, u64>,
    pub frame: u64,
    /// The knobs the keyboard can turn (all in the sandbox, the step's in a lesson).
    pub knobs: Vec<LiveKnob>,
    /// The lesson being followed, if any.
    pub lesson: Option<LessonState>,
    /// The command-line options the sandbox was (or will be) built with.
    sandbox_args: WorldOptions,
    /// The course and the learner's progress, for the home screen (read when it opens,
    /// not per frame).
    pub course: Vec<crate::lesson::Lesson>,
    pub progress: crate::lesson::progress::Progress,
    /// The built-in scenarios, for the home screen's picker (read when it opens).
    pub scenarios: Vec<crate::scenarios::ScenarioFile>,
    /// The latest record `send()` handled: (index, partition, how the partition was chosen).
    pub last_send: Option<(u32, u32, crate::sim::trace::PartitionChoice, SimTime)>,
    /// What the flow view remembers from the trace (last drains, truncations, dropped answers).
    pub memory: memory::FlowMemory,
    /// The narration line: the latest event that matters, held long enough to read.
    pub narration: memory::Narration,
    /// The record being followed (`F`, `#`, `a`), fed with every trace event.
    pub follow: Option<Journey>,
    /// Why the followed record is an anomaly (after `a`), in both languages.
    pub follow_cause: Option<Said>,
    /// `F` was pressed: the next record `send()` handles becomes [`App::follow`].
    pub follow_armed: bool,
    /// `#` was pressed: the record id typed so far (shown on the status line).
    pub follow_entry: Option<String>,
    /// Recent sends: a followed record's batch and its place in it.
    sends: Sends,
    /// The session's commands, checkpoints and markers (rewind, the timeline bar, save).
    pub timeline: timeline::Timeline,
    /// Moments seen since the last frame, for the scenario's beats.
    seen_moments: Vec<crate::scenarios::Moment>,
    /// Where `s` saves sessions (`None`: `KAFKA_FLOW_SAVE_DIR`, else the working directory).
    pub save_dir: Option<std::path::PathBuf>,
    /// The file the last `s` wrote.
    pub saved: Option<std::path::PathBuf>,
    /// The caption of the beat the story paused at (shown until it plays on).
    pub beat_caption: Option<crate::lesson::Text>,
    /// The scenario file's title, when one is open.
    pub scenario_title: Option<crate::lesson::Text>,
    /// A command after a rewind dropped the old future (said once, on the status line).
    future_discarded: bool,
    /// The A/B comparison, when one is open: side B and both sides' figures.
    pub ab: Option<ab::Versus>,
    /// Listeners for real Kafka clients (`--listen`): live time, the clients' view.
    pub live: Option<live::Live>,
    since_refresh: Duration,
    quit: bool,
}

/// A status-line message, kept in both languages so that `l` switches it like the rest of
/// the screen (messages are rare: making both costs nothing).
#[derive(Clone, Debug, PartialEq)]
pub struct Said {
    en: String,
    zh: String,
}

impl Said {
    /// The message in each language, from the same words.
    pub fn new(words: impl Fn(Lang) -> String) -> Said {
        Said {
            en: words(Lang::En),
            zh: words(Lang::Zh),
        }
    }

    /// A message that exists in one language only (an error naming a file and a key).
    pub fn text(text: String) -> Said {
        Said {
            zh: text.clone(),
            en: text,
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

impl App {
    /// The built-in scenario (the notes' CustomProducer and CustomConsumer) with the
    /// user's --set / --config / --seed / --kafka-version, at a watchable rate.
    pub fn new(opts: &AppOptions) -> Result<App, CliError> {
        let (config, workload, seed) = Self::sandbox_world(&opts.world)?;
        let lang = opts.lang.unwrap_or_else(Lang::from_env);
        let mut app = App::with(config, workload, seed, lang, Theme::from_env())
            .map_err(CliError::BadInput)?;
        app.sandbox_args = opts.world.clone();
        Ok(app)
    }

    /// The built-in scenario's configuration, workload and seed, with the user's options.
    fn sandbox_world(world: &WorldOptions) -> Result<(Config, Workload, u64), CliError> {
        // The sandbox runs as long as the learner watches: an evening at full speed stays
        // far below the 32-bit record ids, and memory stays flat (`sim::compaction`).
        let workload = WorkloadSpec {
            records: Workload::MAX_RECORDS,
            rate: TUI_RATE,
            ..WorkloadSpec::notes_loop()
        };
        // The broker as Kafka's own config/server.properties ships it for development:
        // group.initial.rebalance.delay.ms=0, so the consumer joins in milliseconds instead of
        // after 3 s (an hour and a half at the opening speed). The user's --set still wins.
        let mut world = world.clone();
        world
            .set
            .insert(0, "group.initial.rebalance.delay.ms=0".to_string());
        let s = Scenario::builtin(&world, &workload).map_err(CliError::BadInput)?;
        Ok((s.config, s.workload, s.seed))
    }

    /// A lesson: its setup, its first unfinished step, the lesson panel.
    pub fn for_lesson(lesson: crate::lesson::Lesson, lang: Lang) -> Result<App, CliError> {
        let config = crate::lesson::load::setup_config(&lesson).map_err(CliError::BadInput)?;
        let workload = crate::lesson::check::setup_workload(&lesson).map_err(CliError::BadInput)?;
        let seed = lesson.setup.scenario.seed;
        let mut app = App::with(config, workload, seed, lang, Theme::from_env())
            .map_err(CliError::BadInput)?;
        app.start_lesson(LessonState::new(
            lesson,
            crate::lesson::progress::default_path(),
        ));
        Ok(app)
    }

    /// Follows `state`: the step's world (setup + scripted commands), its knobs.
    pub fn start_lesson(&mut self, state: LessonState) {
        self.lesson = Some(state);
        self.enter_step();
    }

    fn enter_step(&mut self) {
        if let Some(st) = &mut self.lesson {
            st.reset_step();
        }
        self.restart_step();
        self.knob = 0;
    }

    /// Rebuilds the step's world with the learner's settings from the start.
    fn restart_step(&mut self) {
        let Some(st) = &mut self.lesson else { return };
        st.goals_met = vec![false; st.current().goals.len()];
        let step = st.current().clone();
        match crate::lesson::check::step_sim_with(&st.lesson, &step, &st.overrides, &[]) {
            Ok(mut sim) => {
                sim.set_trace_enabled(true);
                sim.set_track_flights(true);
                let note = st.save();
                self.knobs = knobs::unlocked(&step.knobs);
                self.paused = false;
                if let Some(speed) = step.speed {
                    self.speed = nearest_speed(speed);
                }
                self.replace_sim(sim);
                if let Some(note) = note {
                    self.tell_progress(&note);
                }
            }
            Err(e) => self.status = Some((Level::Bad, Said::text(e))),
        }
    }

    /// An app over any configuration (tests build fixed scenes this way).
    pub fn with(
        config: Config,
        workload: Workload,
        seed: u64,
        lang: Lang,
        theme: Theme,
    ) -> Result<App, String> {
        let sim = Self::build(&config, &workload, seed)?;
        let speed = speed_for_rate(workload.rate);
        let mut app = App {
            sim,
            base: (config, workload, seed),
            speed,
            paused: false,
            lagging: false,
            lang,
            theme,
            glyphs: Glyphs::unicode(),
            show_help: false,
            focus: Panel::Accumulator,
            zoom: false,
            knob: 1,
            mode: Mode::Normal,
            status: None,
            log: VecDeque::new(),
            metrics: Metrics::default(),
            ledger: LedgerReport::default(),
            flashes: BTreeMap::new(),
            frame: 0,
            last_send: None,
            memory: memory::FlowMemory::default(),
            narration: memory::Narration::default(),
            follow: None,
            follow_cause: None,
            follow_armed: false,
            follow_entry: None,
            sends: Sends::default(),
            timeline: timeline::Timeline::default(),
            seen_moments: Vec::new(),
            future_discarded: false,
            ab: None,
            live: None,
            scenario_title: None,
            beat_caption: None,
            save_dir: None,
            saved: None,
            knobs: knobs::sandbox(),
            lesson: None,
            sandbox_args: WorldOptions::default(),
            course: Vec::new(),
            progress: crate::lesson::progress::Progress::default(),
            scenarios: Vec::new(),
            since_refresh: Duration::ZERO,
            quit: false,
        };
        app.absorb_trace();
        app.start_timeline(timeline::Timeline::default());
        Ok(app)
    }

    fn build(config: &Config, workload: &Workload, seed: u64) -> Result<Sim, String> {
        let mut sim = Scenario::new(config.clone(), workload.clone(), seed).build()?;
        sim.set_track_flights(true);
        Ok(sim)
    }

    /// Runs at `factor` virtual seconds per wall second, if that is one of the presets.
    pub fn set_speed(&mut self, factor: f64) -> bool {
        speed_index(factor).map(|i| self.speed = i).is_some()
    }

    pub fn speed_factor(&self) -> f64 {
        SPEEDS[self.speed]
    }

    pub fn quit_requested(&self) -> bool {
        self.quit
    }

    /// Asks the app to quit (SIGTERM, Ctrl-C).
    pub fn request_quit(&mut self) {
        self.quit = true;
    }

    /// A key was pressed. Returns whether anything on screen changed.
    pub fn on_key(&mut self, key: KeyEvent) -> bool {
        if self.follow_entry.is_some() && self.mode == Mode::Normal {
            return match keys::follow_entry_action(key) {
                Some(a) => {
                    self.update(a);
                    true
                }
                None => false,
            };
        }
        let lesson_key = match (&self.mode, &self.lesson) {
            (Mode::Normal, Some(st)) => keys::lesson_action(st.question_pending(), key),
            _ => None,
        };
        match lesson_key.or_else(|| keys::action(&self.mode, key)) {
            Some(a) => {
                self.update(a);
                true
            }
            None => false,
        }
    }

    /// Wall time passed. Returns whether anything on screen changed.
    pub fn on_tick(&mut self, wall: Duration) -> bool {
        self.frame += 1;
        if self.paused || self.quit {
            // Paused, the only change a frame brings is a highlight going out (the first
            // frame past FLASH_FRAMES, which `flashing` no longer reports).
            return self
                .flashes
                .values()
                .any(|f| self.frame == f + FLASH_FRAMES + 1);
        }
        let target = if self.live.is_some() {
            // Live time: 1× whatever the speed says (`live.rs`).
            self.live_target(wall)
        } else {
            let dt = SimDuration((wall.as_secs_f64() * self.speed_factor() * 1e6).round() as u64);
            self.sim.now() + dt
        };
        let target = target.max(self.sim.now());
        self.lagging = !self.advance_world(target, Some(EVENT_BUDGET));
        self.exchange_live();
        self.sync_ab();
        if self.paused && self.ab.is_some() {
            // A beat paused the story this frame, before B caught up: the panel must say
            // what both sides are now.
            self.refresh_ledger();
        }
        if !self.memory.dropped.is_empty() {
            let requests = self.sim.view().network_client().requests;
            self.memory.prune(|id| requests.iter().any(|r| r.id == id));
        }
        self.since_refresh += wall;
        if self.since_refresh >= REFRESH {
            self.since_refresh = Duration::ZERO;
            self.metrics.sample(self.sim.now());
            self.refresh_ledger();
        }
        // From 0.1× on every record, packet and cell changes on every frame and nobody follows
        // one by eye: half the frames are enough, and they halve what a busy screen writes to
        // the terminal (about 40 KB/s at 1×, over the 30 KB/s budget, with every frame).
        self.speed_factor() < FAST_SPEED || self.frame % 2 == 0
    }

    /// Whether ticks would change nothing until a key: paused (or quitting) with no
    /// highlight left to go out. The event loop stops its frame clock then.
    pub fn idle(&self) -> bool {
        (self.paused || self.quit) && self.flashes.values().all(|f| self.frame > f + FLASH_FRAMES)
    }

    /// Reads new trace events into the log, the metrics and the producer panel.
    fn absorb_trace(&mut self) {
        let detailed = self.speed_factor() <= 0.05;
        for r in self.sim.drain_trace() {
            self.on_moment(r.t, &r.event);
            self.metrics.observe(&r.event);
            self.memory.observe(r.t, &r.event);
            let sent = self.sends.observe(&r.event);
            match (sent, &mut self.follow) {
                (Some(s), _) if self.follow_armed => {
                    self.follow_armed = false;
                    self.follow = Some(Journey::sent(r.t, s));
                    self.follow_cause = None;
                    self.say(Level::Info, |lang| {
                        trf(
                            lang,
                            "journey.status.following",
                            &[("r", &crate::i18n::ids::record(s.record))],
                        )
                    });
                }
                (_, Some(j)) => j.observe(r.t, &r.event),
                _ => {}
            }
            if let TraceEvent::RecordAppended {
                record,
                partition,
                choice,
                ..
            } = r.event
            {
                self.last_send = Some((record, partition, choice, r.t));
            }
            if let Some(entry) = LogEntry::of(r.t, &r.event, detailed) {
                if self.log.len() == LOG_LINES {
                    self.log.pop_front();
                }
                self.log.push_back(entry);
            }
        }
        self.narration.update(&self.log, self.frame, self.paused);
    }

    fn refresh_ledger(&mut self) {
        // In a lesson the summary serves both the goals and the ledger panel: one ledger pass.
        let new = if let Some(st) = &mut self.lesson {
            let summary = crate::sim::summary::Summary::of(&self.sim);
            let finished = self.sim.is_settled() || self.sim.now() >= st.lesson.setup.until;
            let mut note = None;
            if st.evaluate(&summary, finished, &mut note) {
                let key = if st.is_last() {
                    "status.lesson_complete"
                } else {
                    "status.step_done"
                };
                // A progress problem is said after the good news, on the same line.
                self.status = Some(match note {
                    Some(n) => (
                        n.level(),
                        Said::new(|lang| format!("{} · {}", tr(lang, key), n.text(lang))),
                    ),
                    None => (Level::Good, Said::new(|lang| tr(lang, key).to_string())),
                });
            }
            summary.ledger
        } else if self.ab.is_some() {
            // The difference panel's pass over both sides gives A's ledger too.
            self.refresh_ab()
        } else {
            self.sim.view().verdicts()
        };
        self.take_ledger(new);
    }

    /// A new ledger on screen: counters that changed light up, and the first loss or
    /// duplicate marks the timeline.
    fn take_ledger(&mut self, new: LedgerReport) {
        for (name, count) in &new.counts {
            if self.ledger.counts.get(name) != Some(count)
                && *name != "delivered"
                && *name != "in_progress"
            {
                self.flashes.insert(name, self.frame);
            }
        }
        self.ledger = new;
        self.on_ledger();
    }

    /// Whether a ledger counter changed within the last second or so.
    pub fn flashing(&self, name: &str) -> bool {
        self.flashes
            .get(name)
            .is_some_and(|f| self.frame <= f + FLASH_FRAMES)
    }

    /// A status message, made in both languages so that `l` switches it too.
    fn say(&mut self, level: Level, words: impl Fn(Lang) -> String) {
        self.status = Some((level, Said::new(words)));
    }

    /// A status message that has one language only (an error naming a file, in English).
    fn say_text(&mut self, level: Level, text: String) {
        self.status = Some((level, Said::text(text)));
    }

    /// After a command: if it started a new future, the status line says so too.
    fn tell_new_future(&mut self) {
        if !std::mem::take(&mut self.future_discarded) {
            return;
        }
        let t = self.sim.now().to_string();
        let before = self.status.take();
        let level = before.as_ref().map_or(Level::Warn, |(l, _)| *l);
        self.status = Some((
            level,
            Said::new(|lang| {
                let new = trf(lang, "time.new_future", &[("t", &t)]);
                match &before {
                    Some((_, said)) => format!("{} · {new}", said.get(lang)),
                    None => new,
                }
            }),
        ));
    }

    /// What the progress file did, on the status line.
    fn tell_progress(&mut self, note: &lesson::ProgressNote) {
        self.say(note.level(), |lang| note.text(lang));
    }

    /// A new world on screen: what was shown of the old one goes.
    fn replace_sim(&mut self, sim: Sim) {
        self.sim = sim;
        if self.live.is_some() {
            // Real consumers read the replicas' logs (`serve`).
            self.sim.keep_replica_logs();
        }
        self.log.clear();
        self.metrics = Metrics::default();
        self.ledger = LedgerReport::default();
        self.flashes.clear();
        self.last_send = None;
        self.memory = memory::FlowMemory::default();
        self.narration = memory::Narration::default();
        // The followed record belonged to the old world.
        self.follow = None;
        self.follow_cause = None;
        self.follow_armed = false;
        self.follow_entry = None;
        self.sends = Sends::default();
        self.seen_moments.clear();
        self.future_discarded = false;
        self.scenario_title = None;
        self.beat_caption = None;
        self.timeline = timeline::Timeline::default();
        // Side B belonged to the old world too.
        self.ab = None;
        self.absorb_trace();
        self.start_timeline(timeline::Timeline::default());
    }

    fn inject(&mut self, fault: Fault) {
        let t = self.sim.now().to_string();
        let said = Said::new(|lang| {
            let text = crate::i18n::describe::fault(lang, &fault);
            crate::i18n::trf(
                lang,
                "status.fault_injected",
                &[("t", &t), ("fault", &text)],
            )
        });
        let command = Command::Fault { fault };
        match self.apply_command(command.clone()) {
            Ok(_) => {
                self.status = Some((Level::Bad, said));
                self.mirror_command(&command);
            }
            Err(e) => self.say_text(Level::Bad, e),
        }
        self.tell_new_future();
    }

    /// The fault menu for the current topology.
    pub fn fault_menu(&self) -> Vec<FaultEntry> {
        let cfg = self.sim.config();
        let lang = self.lang;
        let mut out = Vec::new();
        let mut add = |fault: Fault| {
            let label = crate::i18n::describe::fault(lang, &fault);
            out.push(FaultEntry { fault, label });
        };
        for p in 0..cfg.topology.partitions.min(3) {
            add(Fault::KillLeader { partition: p });
        }
        add(Fault::DropResponses {
            broker: None,
            count: 1,
        });
        add(Fault::RejectProduce {
            broker: None,
            count: 1,
        });
        let brokers = self.sim.view().brokers();
        for b in &brokers {
            if b.alive {
                add(Fault::KillBroker { broker: b.id });
            } else {
                add(Fault::RestartBroker { broker: b.id });
            }
        }
        for b in &brokers {
            if b.isolated {
                add(Fault::HealBroker { broker: b.id });
            } else {
                add(Fault::IsolateBroker { broker: b.id });
            }
        }
        add(Fault::SlowFollower {
            broker: 0,
            extra_ms: 50,
        });
        let group = self.sim.view().consumer_group();
        for c in 0..cfg.consumer.consumers {
            let dead = group
                .consumers
                .get(c as usize)
                .is_some_and(|x| x.phase == Phase::Dead);
            add(if dead {
                Fault::RestartConsumer { consumer: c }
            } else {
                Fault::CrashConsumer { consumer: c }
            });
        }
        add(Fault::CrashProducer);
        out
    }
}
