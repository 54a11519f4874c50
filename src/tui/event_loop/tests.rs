//! The loop driven by a fake model and a scripted event stream.

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

/// Runs the loop on an idle model with these timed keys (the last one quits).
fn run_idle(keys: Vec<(u64, Event)>, period: Duration) -> (Screen<TestBackend>, Fake) {
    let (mut s, mut m) = (screen(), Fake::default());
    m.idle = true;
    let token = CancellationToken::new();
    let exit = rt()
        .block_on(run_loop(&mut s, &mut m, timed(keys), &token, period))
        .expect("loop");
    assert_eq!(exit, Exit::Quit);
    (s, m)
}

#[test]
fn an_idle_model_consumes_no_ticks() {
    // 10 ms frames: 300 ms of ticking would be about 30 ticks.
    let (s, m) = run_idle(
        vec![(300, press('z')), (300, press('q'))],
        frame_period(100.0),
    );
    // The first frame's tick, then nothing: `z` changes nothing, so it does not wake
    // the clock either.
    assert_eq!(m.ticks, [Duration::ZERO]);
    assert_eq!(m.ticks_at_keys, [1, 1]);
    assert_eq!(s.frames(), 1);
}

#[test]
fn a_key_that_changes_an_idle_screen_gets_one_tick_to_draw_it() {
    let (s, m) = run_idle(
        vec![(200, press('?')), (300, press('q'))],
        frame_period(100.0),
    );
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
    let period = frame_period(50.0);
    // Idle for 400 ms, then `p` resumes for 200 ms (about 10 ticks).
    let (_, m) = run_idle(vec![(400, press('p')), (200, press('q'))], period);
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
