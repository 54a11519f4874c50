//! The event loop, kept apart from the real terminal so tests can drive it.
//!
//! Two layers:
//! - [`Screen::handle`] applies one [`Input`] (a terminal event or a frame tick) to the
//!   [`Model`] and draws when, and only when, something changed. It is synchronous and
//!   generic over the ratatui `Backend`, so tests run it on a `TestBackend` with scripted
//!   inputs (as gitui and bandwhich do).
//! - [`run_loop`] is the one `tokio::select!` over the cancellation token, the frame
//!   interval and the terminal's event stream. The stream is a parameter, so a test can
//!   pass a scripted one instead of crossterm's `EventStream`.
//!
//! Drawing happens on frame ticks only: keys and resizes just mark the screen dirty.
//! This bounds what we write to the terminal at `fps` frames per second however fast
//! input arrives (key repeat, a paste, a window being dragged), which matters over SSH,
//! and costs at most one frame period of latency.
//!
//! When the model is idle (paused, nothing fading) and the screen is clean, the frame
//! interval is left out of the `select!`: a paused app wakes for keys and signals only,
//! and writes nothing. Each drawn frame is bracketed by synchronized-update marks (mode
//! 2026) so a terminal that knows them shows it whole, never half-painted.

use crate::app::App;
use crossterm::event::{Event, KeyEvent, KeyEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::{Stream, StreamExt};
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::{Frame, Terminal};
use std::io::Write;
use std::time::Duration;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

/// Frames per second of the TUI.
///
/// 20, not 30: the budget is 30 KB/s written to the terminal while animating at 120×36
/// (an SSH link, a slow terminal). What costs bytes is text that moves every frame (the
/// event log scrolls by a line per event and is repainted whole), so bytes grow with the
/// frame rate once something changes every frame. Measured with scripts/budgets.sh,
/// 30 → 20 fps: 0.05× 52 → 38 KB/s, 1× 53 → 34, 10× 67 → 37; the calm speeds, where
/// changes come less than once a frame, hardly move (0.005× 4.2 → 4.0, 0.02× 23 → 20).
/// 20 fps is still smooth for dots that move a cell at a time, and a key is drawn within
/// 50 ms, under the ~100 ms at which a reaction stops feeling immediate.
/// `app::FLASH_FRAMES` counts frames at this rate.
pub const FPS: f64 = 20.0;

/// The longest wall time one tick reports. A process that was stopped (SIGSTOP, a
/// suspended laptop, a stalled SSH link) would otherwise wake up and ask the simulation
/// to catch up on minutes of wall time in one frame; the lesson should resume where it
/// was instead.
pub const MAX_TICK: Duration = Duration::from_secs(1);

/// How often a live model (`--listen`) is pumped between frames: a real client's request
/// waits at most this long for the world to take it, instead of a frame period (50 ms,
/// which a producer with linger.ms=5 or a consumer's fetch would feel). The pump draws
/// nothing; it only marks the screen dirty for the next frame.
pub const PUMP_PERIOD: Duration = Duration::from_millis(3);

/// The frame period for `fps` frames per second (1 / fps seconds).
pub fn frame_period(fps: f64) -> Duration {
    Duration::from_secs_f64(1.0 / fps)
}

/// What the loop drives: the App, or a scripted stand-in in tests.
pub trait Model {
    /// A key was pressed. Returns whether the screen needs redrawing.
    fn on_key(&mut self, key: KeyEvent) -> bool;
    /// `wall` time passed since the last tick. Returns whether the screen needs redrawing.
    fn on_tick(&mut self, wall: Duration) -> bool;
    /// Whether ticks would change nothing until the next key (paused, no highlight left
    /// to fade). The loop then stops its frame clock instead of waking every frame.
    fn idle(&self) -> bool;
    fn quit_requested(&self) -> bool;
    fn request_quit(&mut self);
    fn draw(&self, frame: &mut Frame);
    /// Whether the model talks to the outside between frames (`pump`).
    fn live(&self) -> bool {
        false
    }
    /// Between frames: answers the outside (real clients). Returns whether the screen
    /// needs redrawing.
    fn pump(&mut self) -> bool {
        false
    }
}

impl Model for App {
    fn on_key(&mut self, key: KeyEvent) -> bool {
        App::on_key(self, key)
    }
    fn on_tick(&mut self, wall: Duration) -> bool {
        App::on_tick(self, wall)
    }
    fn idle(&self) -> bool {
        App::idle(self)
    }
    fn quit_requested(&self) -> bool {
        App::quit_requested(self)
    }
    fn request_quit(&mut self) {
        App::request_quit(self);
    }
    fn draw(&self, frame: &mut Frame) {
        crate::ui::draw(frame, self);
    }
    fn live(&self) -> bool {
        App::is_live(self)
    }
    fn pump(&mut self) -> bool {
        App::pump_live(self)
    }
}

/// One thing that happened, as the loop sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// Something from the terminal (key, resize, focus, mouse, paste).
    Event(Event),
    /// A frame tick, with the wall time since the previous one.
    Tick(Duration),
    /// Between frames, for a live model: talk to the outside, draw nothing.
    Pump,
}

/// Whether the loop goes on after an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

/// The terminal plus the dirty flag that decides whether the next tick draws.
pub struct Screen<B: Backend> {
    terminal: Terminal<B>,
    dirty: bool,
    frames: u64,
    /// Writes a synchronized-update mark through the backend; `None`: no marks.
    sync: Option<MarkWriter<B>>,
}

/// Writes one [`Mark`] through a backend.
type MarkWriter<B> = fn(&mut B, Mark) -> Result<(), <B as Backend>::Error>;

/// The two ends of a synchronized update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    Begin,
    End,
}

/// Writes `mark` into the crossterm backend's own writer, so it reaches the terminal in
/// order with the frame. Begin is only queued: it leaves in the frame's first write.
fn crossterm_mark<W: Write>(backend: &mut CrosstermBackend<W>, mark: Mark) -> std::io::Result<()> {
    // The backend is itself a `Write` over its writer.
    match mark {
        Mark::Begin => crossterm::queue!(backend, BeginSynchronizedUpdate),
        Mark::End => crossterm::execute!(backend, EndSynchronizedUpdate),
    }
}

impl<W: Write> Screen<CrosstermBackend<W>> {
    /// Brackets every drawn frame with Begin/EndSynchronizedUpdate (`CSI ?2026h` /
    /// `CSI ?2026l`). The terminal then paints the frame at once instead of as the bytes
    /// arrive (ratatui flushes more than once per frame: after hiding the cursor, after a
    /// clear on resize), so moving dots do not tear; terminals without mode 2026 ignore
    /// the marks (setting an unknown private mode does nothing).
    #[must_use]
    pub fn synchronized(mut self) -> Self {
        self.sync = Some(crossterm_mark::<W>);
        self
    }
}

impl<B: Backend> Screen<B> {
    /// A new screen is dirty: the first tick draws the first frame.
    pub fn new(terminal: Terminal<B>) -> Self {
        Screen {
            terminal,
            dirty: true,
            frames: 0,
            sync: None,
        }
    }

    pub fn terminal(&self) -> &Terminal<B> {
        &self.terminal
    }

    /// Tests use it to resize a `TestBackend` before sending `Event::Resize`.
    pub fn terminal_mut(&mut self) -> &mut Terminal<B> {
        &mut self.terminal
    }

    /// How many frames have been drawn.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Whether the next tick will draw.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Applies one input to `model`; on a tick, draws if anything changed since the
    /// last frame. Returns [`Flow::Quit`] as soon as the model asks to quit (without
    /// drawing: the terminal is about to be restored anyway).
    pub fn handle<M: Model>(&mut self, model: &mut M, input: &Input) -> Result<Flow, B::Error> {
        let tick = match *input {
            // Only presses: with the kitty keyboard protocol (Windows too) a key also
            // reports Release and Repeat, and acting on those would do everything twice.
            Input::Event(Event::Key(key)) if key.kind == KeyEventKind::Press => {
                self.dirty |= model.on_key(key);
                false
            }
            // ratatui resizes its buffers inside `draw` (autoresize) and then repaints
            // everything, so a resize only has to make sure a draw happens.
            Input::Event(Event::Resize(..)) => {
                self.dirty = true;
                false
            }
            Input::Event(_) => false,
            Input::Tick(wall) => {
                self.dirty |= model.on_tick(wall);
                true
            }
            Input::Pump => {
                self.dirty |= model.pump();
                false
            }
        };
        if model.quit_requested() {
            return Ok(Flow::Quit);
        }
        if tick && self.dirty {
            if let Some(mark) = self.sync {
                mark(self.terminal.backend_mut(), Mark::Begin)?;
            }
            let drawn = self.terminal.draw(|frame| model.draw(frame)).map(|_| ());
            if let Some(mark) = self.sync {
                // Even after a failed draw: a terminal left in mode 2026 would stop
                // painting until its own timeout.
                mark(self.terminal.backend_mut(), Mark::End)?;
            }
            drawn?;
            self.dirty = false;
            self.frames += 1;
        }
        Ok(Flow::Continue)
    }

    /// Whether the loop may stop ticking: the model is idle and nothing waits to be drawn.
    fn at_rest<M: Model>(&self, model: &M) -> bool {
        model.idle() && !self.dirty
    }
}

/// Why [`run_loop`] returned normally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The model asked to quit (`q`, Ctrl-C as a key).
    Quit,
    /// The token was cancelled (SIGTERM, SIGINT, SIGHUP).
    Cancelled,
    /// The event stream ended: no input can ever arrive again.
    InputClosed,
}

/// Runs until the model quits, `token` is cancelled or `events` ends.
///
/// One `select!`, biased so that cancellation wins over everything and a frame tick
/// (ready once per period) is never starved by a flood of terminal events. While the
/// model is idle and the screen clean the tick branch is switched off: the process sleeps
/// until a terminal event or the token.
pub async fn run_loop<B, M, S>(
    screen: &mut Screen<B>,
    model: &mut M,
    mut events: S,
    token: &CancellationToken,
    period: Duration,
) -> color_eyre::Result<Exit>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    M: Model,
    S: Stream<Item = std::io::Result<Event>> + Unpin,
{
    let mut interval = tokio::time::interval(period);
    // After a stall, one tick now and then back on the grid: no burst of catch-up
    // frames (the elapsed wall time is passed on instead).
    interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut last_tick: Option<Instant> = None;
    let mut ticking = true;
    let mut pump = tokio::time::interval(PUMP_PERIOD);
    pump.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let live = model.live();
    loop {
        let resting = screen.at_rest(model);
        if ticking && resting {
            ticking = false;
        } else if !ticking && !resting {
            // Back on a fresh grid one period from now, measured from now: the first
            // tick after a pause reports one period, not the pause (which the paused
            // model ignored anyway, but a model that just un-paused would not).
            let now = Instant::now();
            ticking = true;
            interval.reset_at(now + period);
            last_tick = Some(now);
        }
        let input = tokio::select! {
            biased;
            () = token.cancelled() => {
                model.request_quit();
                return Ok(Exit::Cancelled);
            }
            at = interval.tick(), if ticking => {
                // The scheduled instants, not `Instant::now()`: ticks that are on time
                // report exactly one period, so motion is even; the sum still follows
                // the wall clock.
                let wall = last_tick.map_or(Duration::ZERO, |prev| at - prev);
                last_tick = Some(at);
                Input::Tick(wall.min(MAX_TICK))
            }
            event = events.next() => match event {
                Some(Ok(event)) => Input::Event(event),
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(Exit::InputClosed),
            },
            // After keys: a key is never kept waiting by the live pump.
            _ = pump.tick(), if live => Input::Pump,
        };
        if screen.handle(model, &input)? == Flow::Quit {
            return Ok(Exit::Quit);
        }
    }
}

#[cfg(test)]
mod tests;
