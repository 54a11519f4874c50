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
}

/// One thing that happened, as the loop sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// Something from the terminal (key, resize, focus, mouse, paste).
    Event(Event),
    /// A frame tick, with the wall time since the previous one.
    Tick(Duration),
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
        };
        if screen.handle(model, &input)? == Flow::Quit {
            return Ok(Exit::Quit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEventState, KeyModifiers};
    use ratatui::backend::TestBackend;
    use ratatui::widgets::Paragraph;

    /// A model whose answers the test scripts.
    #[derive(Default)]
    struct Fake {
        /// What the next `on_tick` returns.
        changes_on_tick: bool,
        /// What `idle` answers; `p` flips it (like Space on a paused App).
        idle: bool,
        keys: Vec<KeyEvent>,
        /// How many ticks had arrived when each key did.
        ticks_at_keys: Vec<usize>,
        ticks: Vec<Duration>,
        quit: bool,
        draws: std::cell::Cell<u32>,
    }

    impl Model for Fake {
        fn on_key(&mut self, key: KeyEvent) -> bool {
            self.keys.push(key);
            self.ticks_at_keys.push(self.ticks.len());
            match key.code {
                KeyCode::Char('q') => {
                    self.quit = true;
                    true
                }
                KeyCode::Char('p') => {
                    self.idle = !self.idle;
                    true
                }
                KeyCode::Char('?') => true,
                _ => false,
            }
        }
        fn on_tick(&mut self, wall: Duration) -> bool {
            self.ticks.push(wall);
            self.changes_on_tick
        }
        fn idle(&self) -> bool {
            self.idle
        }
        fn quit_requested(&self) -> bool {
            self.quit
        }
        fn request_quit(&mut self) {
            self.quit = true;
        }
        fn draw(&self, frame: &mut Frame) {
            self.draws.set(self.draws.get() + 1);
            frame.render_widget(Paragraph::new("fake"), frame.area());
        }
    }

    fn key(c: char) -> Input {
        Input::Event(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )))
    }

    fn tick() -> Input {
        Input::Tick(frame_period(FPS))
    }

    fn screen() -> Screen<TestBackend> {
        Screen::new(Terminal::new(TestBackend::new(20, 4)).expect("test terminal"))
    }

    #[allow(clippy::needless_pass_by_value)] // keeps the test scripts short
    fn handle(s: &mut Screen<TestBackend>, m: &mut Fake, input: Input) -> Flow {
        match s.handle(m, &input) {
            Ok(flow) => flow,
            Err(never) => match never {},
        }
    }

    #[test]
    fn period_is_one_over_fps() {
        assert_eq!(frame_period(30.0), Duration::from_nanos(33_333_333));
        assert_eq!(frame_period(20.0), Duration::from_millis(50));
        assert!((frame_period(FPS).as_secs_f64() * FPS - 1.0).abs() < 1e-6);
    }

    #[test]
    fn first_tick_draws_then_idle_ticks_do_not() {
        let (mut s, mut m) = (screen(), Fake::default());
        assert!(s.is_dirty());
        assert_eq!(handle(&mut s, &mut m, tick()), Flow::Continue);
        assert_eq!(s.frames(), 1);
        for _ in 0..100 {
            handle(&mut s, &mut m, tick());
        }
        assert_eq!(s.frames(), 1, "a paused model must cost no frames");
        assert_eq!(m.draws.get(), 1);
        assert_eq!(m.ticks.len(), 101, "every tick still reaches the model");
    }

    #[test]
    fn a_changing_model_draws_once_per_tick() {
        let (mut s, mut m) = (screen(), Fake::default());
        m.changes_on_tick = true;
        for _ in 0..5 {
            handle(&mut s, &mut m, tick());
        }
        assert_eq!(s.frames(), 5);
    }

    #[test]
    fn keys_mark_dirty_and_the_next_tick_draws_once() {
        let (mut s, mut m) = (screen(), Fake::default());
        handle(&mut s, &mut m, tick());
        // Three changing keys before the tick: one frame, not three.
        for _ in 0..3 {
            handle(&mut s, &mut m, key('?'));
        }
        assert_eq!(s.frames(), 1, "keys do not draw by themselves");
        assert!(s.is_dirty());
        handle(&mut s, &mut m, tick());
        assert_eq!(s.frames(), 2);
        assert!(!s.is_dirty());
    }

    #[test]
    fn a_key_that_changes_nothing_draws_nothing() {
        let (mut s, mut m) = (screen(), Fake::default());
        handle(&mut s, &mut m, tick());
        handle(&mut s, &mut m, key('z'));
        handle(&mut s, &mut m, tick());
        assert_eq!(s.frames(), 1);
        assert_eq!(m.keys.len(), 1);
    }

    #[test]
    fn only_key_presses_reach_the_model() {
        let (mut s, mut m) = (screen(), Fake::default());
        for kind in [KeyEventKind::Release, KeyEventKind::Repeat] {
            let ev = KeyEvent::new_with_kind_and_state(
                KeyCode::Char('q'),
                KeyModifiers::NONE,
                kind,
                KeyEventState::NONE,
            );
            assert_eq!(
                handle(&mut s, &mut m, Input::Event(Event::Key(ev))),
                Flow::Continue
            );
        }
        assert!(m.keys.is_empty());
    }

    #[test]
    fn a_resize_redraws_at_the_new_size() {
        let (mut s, mut m) = (screen(), Fake::default());
        handle(&mut s, &mut m, tick());
        s.terminal_mut().backend_mut().resize(30, 6);
        handle(&mut s, &mut m, Input::Event(Event::Resize(30, 6)));
        assert!(s.is_dirty());
        handle(&mut s, &mut m, tick());
        assert_eq!(s.frames(), 2);
        assert_eq!(s.terminal().backend().buffer().area.width, 30);
    }

    #[test]
    fn other_events_are_ignored() {
        let (mut s, mut m) = (screen(), Fake::default());
        handle(&mut s, &mut m, tick());
        handle(&mut s, &mut m, Input::Event(Event::FocusLost));
        handle(&mut s, &mut m, Input::Event(Event::Paste("q".into())));
        handle(&mut s, &mut m, tick());
        assert_eq!(s.frames(), 1);
        assert!(!m.quit);
    }

    #[test]
    fn quit_stops_before_drawing() {
        let (mut s, mut m) = (screen(), Fake::default());
        assert_eq!(handle(&mut s, &mut m, key('q')), Flow::Quit);
        assert_eq!(s.frames(), 0);
    }

    /// Everything written to it, readable after the writer moved into a backend.
    #[derive(Clone, Default)]
    struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn take(&self) -> String {
            String::from_utf8(std::mem::take(&mut *self.0.borrow_mut())).expect("utf-8")
        }
    }

    const BSU: &str = "\x1b[?2026h";
    const ESU: &str = "\x1b[?2026l";

    #[test]
    fn a_drawn_frame_is_one_synchronized_update_and_a_still_tick_writes_nothing() {
        let out = Shared::default();
        // A fixed viewport: the backend never asks a real terminal for its size.
        let options = ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 20, 4)),
        };
        let terminal =
            Terminal::with_options(CrosstermBackend::new(out.clone()), options).expect("terminal");
        let mut s = Screen::new(terminal).synchronized();
        let mut m = Fake::default();
        let ok = |r: std::io::Result<Flow>| r.expect("in-memory writes do not fail");

        ok(s.handle(&mut m, &tick()));
        let frame = out.take();
        assert!(frame.starts_with(BSU), "{frame:?}");
        assert!(frame.ends_with(ESU), "{frame:?}");
        assert!(
            frame.contains("fake"),
            "the frame is inside the marks: {frame:?}"
        );
        assert_eq!(frame.matches(BSU).count(), 1, "{frame:?}");
        assert_eq!(frame.matches(ESU).count(), 1, "{frame:?}");

        // Nothing changed: no draw, so no marks either (a paused screen stays silent).
        for _ in 0..10 {
            ok(s.handle(&mut m, &tick()));
        }
        assert_eq!(out.take(), "");

        // A change draws again, bracketed again.
        ok(s.handle(&mut m, &key('?')));
        assert_eq!(out.take(), "", "keys do not draw");
        ok(s.handle(&mut m, &tick()));
        let frame = out.take();
        assert!(frame.starts_with(BSU) && frame.ends_with(ESU), "{frame:?}");
    }

    #[test]
    fn a_plain_screen_writes_no_marks() {
        let out = Shared::default();
        let options = ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 20, 4)),
        };
        let terminal =
            Terminal::with_options(CrosstermBackend::new(out.clone()), options).expect("terminal");
        let mut s = Screen::new(terminal);
        s.handle(&mut Fake::default(), &tick()).expect("draw");
        let frame = out.take();
        assert!(
            frame.contains("fake") && !frame.contains("2026"),
            "{frame:?}"
        );
    }

    #[test]
    fn an_idle_model_on_a_clean_screen_is_at_rest() {
        let (mut s, mut m) = (screen(), Fake::default());
        m.idle = true;
        assert!(!s.at_rest(&m), "the first frame is still to draw");
        handle(&mut s, &mut m, tick());
        assert!(s.at_rest(&m));
        handle(&mut s, &mut m, key('?'));
        assert!(!s.at_rest(&m), "a changed screen needs one more tick");
        handle(&mut s, &mut m, tick());
        assert!(s.at_rest(&m));
        m.idle = false;
        assert!(!s.at_rest(&m));
    }

    /// Each `(ms, event)` comes `ms` after the previous one has been taken, then silence.
    fn timed(inputs: Vec<(u64, Event)>) -> impl Stream<Item = std::io::Result<Event>> + Unpin {
        let timed = futures::stream::iter(inputs).then(|(ms, event)| async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(event)
        });
        Box::pin(timed.chain(futures::stream::pending()))
    }

    fn press(c: char) -> Event {
        Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    #[test]
    fn an_idle_model_consumes_no_ticks() {
        let (mut s, mut m) = (screen(), Fake::default());
        m.idle = true;
        let token = CancellationToken::new();
        // 10 ms frames: 300 ms of ticking would be about 30 ticks.
        let exit = rt()
            .block_on(run_loop(
                &mut s,
                &mut m,
                timed(vec![(300, press('z')), (300, press('q'))]),
                &token,
                frame_period(100.0),
            ))
            .expect("loop");
        assert_eq!(exit, Exit::Quit);
        // The first frame's tick, then nothing: `z` changes nothing, so it does not wake
        // the clock either.
        assert_eq!(m.ticks, [Duration::ZERO]);
        assert_eq!(m.ticks_at_keys, [1, 1]);
        assert_eq!(s.frames(), 1);
    }

    #[test]
    fn a_key_that_changes_an_idle_screen_gets_one_tick_to_draw_it() {
        let (mut s, mut m) = (screen(), Fake::default());
        m.idle = true;
        let token = CancellationToken::new();
        let exit = rt()
            .block_on(run_loop(
                &mut s,
                &mut m,
                timed(vec![(200, press('?')), (300, press('q'))]),
                &token,
                frame_period(100.0),
            ))
            .expect("loop");
        assert_eq!(exit, Exit::Quit);
        assert_eq!(s.frames(), 2, "ticks: {:?}", m.ticks);
        assert_eq!(
            m.ticks.len(),
            2,
            "one tick for the first frame, one for `?`"
        );
        assert_eq!(m.ticks_at_keys, [1, 2]);
    }

    #[test]
    fn resuming_reports_one_period_not_the_pause() {
        let (mut s, mut m) = (screen(), Fake::default());
        m.idle = true;
        let period = frame_period(50.0);
        let token = CancellationToken::new();
        let exit = rt()
            .block_on(run_loop(
                &mut s,
                &mut m,
                // Idle for 400 ms, then `p` resumes for 200 ms (about 10 ticks).
                timed(vec![(400, press('p')), (200, press('q'))]),
                &token,
                period,
            ))
            .expect("loop");
        assert_eq!(exit, Exit::Quit);
        assert_eq!(m.ticks_at_keys[0], 1, "no ticks while idle: {:?}", m.ticks);
        assert!(m.ticks.len() >= 4, "ticking again after p: {:?}", m.ticks);
        // The ticks' scheduled instants are used, so a late tick on a loaded machine
        // still reports exactly one period here.
        assert_eq!(
            m.ticks[1], period,
            "first tick after resuming: {:?}",
            m.ticks
        );
        assert!(m.ticks[1..].iter().all(|t| *t < Duration::from_millis(150)));
    }

    fn app() -> App {
        let config = crate::sim::Config::defaults(crate::sim::KafkaVersion::V4);
        let workload = crate::sim::workload::Workload::notes_loop(1_000);
        App::with(
            config,
            workload,
            42,
            crate::i18n::Lang::En,
            crate::ui::theme::Theme::dark(),
        )
        .expect("app")
    }

    #[test]
    fn the_app_is_idle_when_paused_once_a_highlight_has_gone_out() {
        let mut a = app();
        assert!(Model::on_tick(&mut a, frame_period(FPS)));
        assert!(!Model::idle(&a), "running");
        a.update(crate::app::keys::Action::TogglePause);
        assert!(Model::idle(&a), "paused with nothing highlighted");

        // A counter that just changed stays highlighted for 1.5 s of frames; paused, the
        // only frame that changes the screen is the first one without the highlight.
        a.flashes.insert("duplicated", a.frame);
        let mut ticks = 0;
        while !Model::idle(&a) {
            ticks += 1;
            let changed = Model::on_tick(&mut a, frame_period(FPS));
            assert_eq!(changed, !a.flashing("duplicated"), "tick {ticks}");
            assert!(ticks < 1000, "never idle");
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let highlighted = (1.5 * FPS) as usize;
        assert_eq!(
            ticks,
            highlighted + 1,
            "1.5 s at FPS, then the frame that clears it"
        );
    }

    /// `inputs`, each 50 ms after the previous one has been taken, then silence (like a
    /// terminal nobody types into). The gap is longer than the test's frame period, so a
    /// tick always falls between two inputs.
    fn scripted(inputs: Vec<Event>) -> impl Stream<Item = std::io::Result<Event>> + Unpin {
        let timed = futures::stream::iter(inputs).then(|event| async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok(event)
        });
        Box::pin(timed.chain(futures::stream::pending()))
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    }

    #[test]
    fn loop_draws_the_first_frame_redraws_after_a_key_and_ends_on_q() {
        let (mut s, mut m) = (screen(), Fake::default());
        let key = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        let token = CancellationToken::new();
        let exit = rt()
            .block_on(run_loop(
                &mut s,
                &mut m,
                scripted(vec![key('?'), key('q')]),
                &token,
                frame_period(FPS),
            ))
            .expect("loop");
        assert_eq!(exit, Exit::Quit);
        let codes: Vec<KeyCode> = m.keys.iter().map(|k| k.code).collect();
        assert_eq!(codes, [KeyCode::Char('?'), KeyCode::Char('q')]);
        // The first frame, then one for `?`; idle ticks in between draw nothing.
        assert_eq!(s.frames(), 2, "ticks: {:?}", m.ticks);
        assert_eq!(
            m.ticks[0],
            Duration::ZERO,
            "the first tick has no previous one"
        );
        assert!(m.ticks.len() >= 3, "{:?}", m.ticks);
        assert!(m.ticks[1..].iter().all(|t| !t.is_zero() && *t <= MAX_TICK));
    }

    #[test]
    fn loop_ends_when_cancelled_and_tells_the_model() {
        let (mut s, mut m) = (screen(), Fake::default());
        let token = CancellationToken::new();
        let runtime = rt();
        let exit = runtime
            .block_on(async {
                let cancel = async {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    token.cancel();
                    std::future::pending::<()>().await;
                };
                tokio::select! {
                    r = run_loop(&mut s, &mut m, scripted(vec![]), &token, frame_period(200.0)) => r,
                    () = cancel => unreachable!("pending never completes"),
                }
            })
            .expect("loop");
        assert_eq!(exit, Exit::Cancelled);
        assert!(m.quit, "request_quit was called");
        // Ticks kept coming while waiting, each reporting about one period.
        assert!(m.ticks.len() >= 3, "{:?}", m.ticks);
        assert!(m.ticks.iter().all(|t| *t <= MAX_TICK));
    }

    #[test]
    fn loop_ends_when_input_closes() {
        let (mut s, mut m) = (screen(), Fake::default());
        let token = CancellationToken::new();
        let exit = rt()
            .block_on(run_loop(
                &mut s,
                &mut m,
                futures::stream::empty(),
                &token,
                frame_period(FPS),
            ))
            .expect("loop");
        assert_eq!(exit, Exit::InputClosed);
    }

    #[test]
    fn an_input_error_is_returned() {
        let (mut s, mut m) = (screen(), Fake::default());
        let token = CancellationToken::new();
        let events = futures::stream::iter([Err(std::io::Error::other("tty gone"))]);
        let err = rt()
            .block_on(run_loop(&mut s, &mut m, events, &token, frame_period(FPS)))
            .expect_err("the error surfaces");
        assert!(err.to_string().contains("tty gone"), "{err}");
    }
}
