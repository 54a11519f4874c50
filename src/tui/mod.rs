//! The terminal: set up, run the event loop, and always give the terminal back.
//!
//! ```text
//! run(app)
//!  ├─ color_eyre::install()        error/panic reports (before ratatui's hook wraps it)
//!  ├─ current-thread runtime, SIGTERM/SIGINT/SIGHUP registered   (terminal untouched yet)
//!  ├─ ratatui::try_init()          raw mode + alternate screen + panic hook that restores
//!  ├─ block_on(select!{ run_loop(..) , signal → token.cancel() })   frames in mode 2026
//!  └─ ratatui::restore()           on every return path; a panic restores in the hook
//! ```

mod event_loop;

pub use event_loop::{
    Exit, FPS, Flow, Input, MAX_TICK, Model, PUMP_PERIOD, Screen, frame_period, run_loop,
};

use crate::app::App;
use crossterm::event::EventStream;
use tokio_util::sync::CancellationToken;

/// Runs the TUI until the user quits or a signal asks us to stop.
pub fn run(mut app: App) -> color_eyre::Result<()> {
    color_eyre::install()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Register the handlers before touching the terminal: if this fails there is nothing
    // to restore, and once the screen is up a SIGTERM must not kill us mid-frame.
    let mut signals = {
        let _context = runtime.enter();
        Signals::register()?
    };
    let terminal = match ratatui::try_init() {
        Ok(terminal) => terminal,
        Err(e) => {
            // Raw mode may already be on when entering the alternate screen failed.
            ratatui::restore();
            return Err(e.into());
        }
    };
    let mut screen = Screen::new(terminal).synchronized();
    let token = CancellationToken::new();
    let result = runtime.block_on(async {
        let forward_signal = async {
            signals.recv().await;
            token.cancel();
            // Let the loop notice the token and finish its iteration.
            std::future::pending::<()>().await;
        };
        tokio::select! {
            result = run_loop(&mut screen, &mut app, EventStream::new(), &token, frame_period(FPS)) => result,
            () = forward_signal => unreachable!("forward_signal never completes"),
        }
    });
    // Dropping the terminal shows the cursor again (ratatui hides it while drawing).
    drop(screen);
    ratatui::restore();
    result.map(|_exit| ())
}

/// The signals that end the TUI cleanly. In raw mode Ctrl-C is a key (the App handles
/// it), so SIGINT only comes from `kill -INT`; SIGHUP comes from a closed SSH session
/// or `tmux kill-session`.
#[cfg(unix)]
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn register() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    async fn recv(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
            _ = self.hup.recv() => {}
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    #[allow(clippy::unnecessary_wraps)]
    fn register() -> std::io::Result<Self> {
        Ok(Signals)
    }

    async fn recv(&mut self) {
        // If the handler cannot be installed, never report a signal.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
