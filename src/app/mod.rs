//! `App`: the simulation plus everything the screen needs (clock, panels, knobs,
//! the event log, metrics, the ledger snapshot). Keys become `Action`s; `update`
//! applies them; `tick` turns wall time into virtual time. Rendering (`ui`) only
//! reads `&App`.

use crate::cli::SimArgs;
use crate::headless::CliError;
use crate::sim::Sim;
use crate::ui::glyphs::Glyphs;
use crate::ui::i18n::Lang;
use crate::ui::theme::Theme;
use crossterm::event::KeyEvent;
use std::time::Duration;

/// What the user chose on the command line for the TUI.
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    pub sim: SimArgs,
    /// `--lang`; `None` = from `LANG`.
    pub lang: Option<Lang>,
}

pub struct App {
    pub sim: Sim,
    pub lang: Lang,
    pub theme: Theme,
    pub glyphs: Glyphs,
    pub show_help: bool,
    quit: bool,
}

impl App {
    pub fn new(opts: &AppOptions) -> Result<App, CliError> {
        let sim = crate::headless::build_sim(
            &crate::headless::builtin_sim_args(&opts.sim),
            &crate::cli::RunArgs::builtin(),
        )?;
        Ok(App {
            sim,
            lang: opts.lang.unwrap_or_else(Lang::from_env),
            theme: Theme::from_env(),
            glyphs: Glyphs::unicode(),
            show_help: false,
            quit: false,
        })
    }

    /// A key was pressed. Returns whether anything on screen changed.
    pub fn on_key(&mut self, key: KeyEvent) -> bool {
        use crossterm::event::{KeyCode, KeyModifiers};
        match key.code {
            KeyCode::Char('q') => self.quit = true,
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => self.quit = true,
            KeyCode::Char('?') => self.show_help = !self.show_help,
            _ => return false,
        }
        true
    }

    /// Wall time passed. Returns whether anything on screen changed.
    pub fn on_tick(&mut self, _wall: Duration) -> bool {
        false
    }

    pub fn quit_requested(&self) -> bool {
        self.quit
    }

    /// Asks the app to quit (SIGTERM, Ctrl-C).
    pub fn request_quit(&mut self) {
        self.quit = true;
    }
}
