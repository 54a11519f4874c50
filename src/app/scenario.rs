//! Scenario files in the TUI: opening one (`--scenario`, the home screen's picker) and
//! saving the session as one (`s`).

use super::timeline::Timeline;
use super::{App, Level};
use crate::headless::CliError;
use crate::i18n::{Lang, trf};
use crate::lesson::Text;
use crate::scenario::WorldOptions;
use crate::scenarios::ScenarioFile;
use crate::sim::{Command, SimTime};
use crate::ui::theme::Theme;
use std::path::{Path, PathBuf};

/// Saved sessions go here (the working directory unless `KAFKA_FLOW_SAVE_DIR` is set).
const SAVE_DIR_ENV: &str = "KAFKA_FLOW_SAVE_DIR";

impl App {
    /// A scenario file's world and story, with the command line's settings on top.
    pub fn for_scenario(
        file: &ScenarioFile,
        world: &WorldOptions,
        lang: Lang,
    ) -> Result<App, CliError> {
        let mut app = App::with_parts(file, world, lang).map_err(CliError::BadInput)?;
        app.sandbox_args = world.clone();
        Ok(app)
    }

    fn with_parts(file: &ScenarioFile, world: &WorldOptions, lang: Lang) -> Result<App, String> {
        let s = file.scenario(world)?;
        let mut app = App::with(s.config, s.workload, s.seed, lang, Theme::from_env())?;
        app.open_story(file, &s.commands);
        if let Some(b) = &file.b {
            app.open_ab(b.settings.clone())
                .map_err(|said| format!("{}: [b]: {}", file.source, said.get(Lang::En)))?;
        }
        Ok(app)
    }

    /// The story of a scenario (its commands at their times, its beats) on the world just built.
    fn open_story(&mut self, file: &ScenarioFile, commands: &[(SimTime, Command)]) {
        self.scenario_title = Some(file.title.clone());
        let mut timeline = Timeline::new(commands, &file.beats);
        let last = commands.iter().map(|(t, _)| *t).max();
        timeline.span = file.until.or(last).unwrap_or_default();
        self.start_timeline(timeline);
    }

    /// Opens a scenario from the home screen's picker.
    pub(super) fn open_scenario(&mut self, file: &ScenarioFile) {
        let world = WorldOptions::default();
        match file.scenario(&world).and_then(|s| {
            let sim = Self::build(&s.config, &s.workload, s.seed)?;
            Ok((s, sim))
        }) {
            Ok((s, sim)) => {
                self.lesson = None;
                self.knobs = super::knobs::sandbox();
                self.knob = 1;
                self.speed = super::speed_for_rate(s.workload.rate);
                self.base = (s.config, s.workload, s.seed);
                self.replace_sim(sim);
                self.open_story(file, &s.commands);
                self.paused = false;
                if let Some(b) = &file.b {
                    if let Err(said) = self.open_ab(b.settings.clone()) {
                        self.status = Some((Level::Bad, said));
                    }
                }
            }
            Err(e) => self.say_text(Level::Bad, e),
        }
    }

    /// Writes the session (its world, and every command with its virtual time) as a
    /// scenario file that `kafka-flow --scenario` / `run --scenario` replays.
    pub(super) fn save_session(&mut self) {
        if self.lesson.is_some() {
            self.say(Level::Warn, |lang| {
                crate::i18n::tr(lang, "time.save_in_lesson").to_string()
            });
            return;
        }
        let t = self.sim.now().to_string();
        let title = Text {
            en: trf(Lang::En, "time.session_title", &[("t", &t)]),
            zh: trf(Lang::Zh, "time.session_title", &[("t", &t)]),
        };
        let (config, workload, seed) = &self.base;
        let commands: Vec<(SimTime, Command)> = self
            .timeline
            .commands
            .iter()
            .map(|c| (c.t, c.command.clone()))
            .collect();
        let mut file = ScenarioFile::of_session(config, workload, *seed, &commands, title);
        file.beats = self.timeline.script().1;
        // An A/B session saves its B side: the file opens split again.
        file.b = self.ab.as_ref().map(|ab| crate::scenarios::SideB {
            settings: ab.settings.clone(),
            expect: Vec::new(),
        });
        let dir = self.save_dir.clone().unwrap_or_else(|| {
            std::env::var_os(SAVE_DIR_ENV).map_or_else(|| PathBuf::from("."), PathBuf::from)
        });
        match write_new(&dir, &file.to_toml()) {
            Ok(path) => {
                self.saved = Some(path.clone());
                let path = path.display().to_string();
                self.say(Level::Good, |lang| {
                    trf(lang, "time.saved", &[("path", &path)])
                });
            }
            Err(e) => {
                let e = e.to_string();
                self.say(Level::Bad, |lang| {
                    trf(lang, "time.save_failed", &[("error", &e)])
                });
            }
        }
    }
}

/// Writes `text` to the first free `kafka-flow-session-N.toml` in `dir`, never over a file.
fn write_new(dir: &Path, text: &str) -> std::io::Result<PathBuf> {
    use std::io::Write as _;
    for n in 1..10_000 {
        let path = dir.join(format!("kafka-flow-session-{n}.toml"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                f.write_all(text.as_bytes())?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free file name"))
}
