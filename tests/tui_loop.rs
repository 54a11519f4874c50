//! The TUI's event loop with the real `App` and `ui::draw`, on ratatui's `TestBackend`:
//! what the loop promises whatever the panels look like (the first frame, no frames
//! while paused, a redraw on resize, the ways out).

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use kafka_flow::app::{App, AppOptions};
use kafka_flow::tui::{Exit, FPS, Flow, Input, Screen, frame_period, run_loop};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio_util::sync::CancellationToken;

fn app() -> App {
    App::new(&AppOptions::default()).expect("the built-in scenario builds")
}

fn screen(width: u16, height: u16) -> Screen<TestBackend> {
    Screen::new(Terminal::new(TestBackend::new(width, height)).expect("test terminal"))
}

fn key(code: KeyCode) -> Input {
    Input::Event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn tick() -> Input {
    Input::Tick(frame_period(FPS))
}

fn handle(s: &mut Screen<TestBackend>, app: &mut App, input: &Input) -> Flow {
    match s.handle(app, input) {
        Ok(flow) => flow,
        Err(never) => match never {},
    }
}

fn text(s: &Screen<TestBackend>) -> String {
    let buffer = s.terminal().backend().buffer();
    buffer
        .content()
        .chunks(usize::from(buffer.area.width))
        .map(|row| {
            row.iter()
                .map(ratatui::buffer::Cell::symbol)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_first_tick_draws_the_app() {
    let (mut s, mut a) = (screen(160, 48), app());
    assert_eq!(handle(&mut s, &mut a, &tick()), Flow::Continue);
    assert_eq!(s.frames(), 1);
    assert!(text(&s).contains("kafka-flow"), "{}", text(&s));
}

#[test]
fn a_paused_app_draws_nothing() {
    let (mut s, mut a) = (screen(160, 48), app());
    handle(&mut s, &mut a, &key(KeyCode::Char(' ')));
    handle(&mut s, &mut a, &tick());
    let frames = s.frames();
    // Two seconds of frames: a paused lesson costs no drawing and no terminal output.
    for _ in 0..60 {
        handle(&mut s, &mut a, &tick());
    }
    assert_eq!(s.frames(), frames);
    // A key that changes something is drawn on the next tick.
    handle(&mut s, &mut a, &key(KeyCode::Char('?')));
    handle(&mut s, &mut a, &tick());
    assert_eq!(s.frames(), frames + 1);
}

#[test]
fn a_resize_redraws_at_the_new_size() {
    let (mut s, mut a) = (screen(160, 48), app());
    handle(&mut s, &mut a, &key(KeyCode::Char(' ')));
    handle(&mut s, &mut a, &tick());
    let frames = s.frames();
    s.terminal_mut().backend_mut().resize(80, 24);
    handle(&mut s, &mut a, &Input::Event(Event::Resize(80, 24)));
    handle(&mut s, &mut a, &tick());
    assert_eq!(s.frames(), frames + 1);
    assert_eq!(s.terminal().backend().buffer().area.width, 80);
}

#[test]
fn q_and_ctrl_c_end_the_loop() {
    for ev in [
        KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
    ] {
        let (mut s, mut a) = (screen(80, 24), app());
        handle(&mut s, &mut a, &tick());
        assert_eq!(
            handle(&mut s, &mut a, &Input::Event(Event::Key(ev))),
            Flow::Quit,
            "{ev:?}"
        );
        assert!(a.quit_requested());
    }
}

#[test]
fn a_cancelled_token_ends_the_loop_and_asks_the_app_to_quit() {
    let (mut s, mut a) = (screen(80, 24), app());
    let token = CancellationToken::new();
    token.cancel();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let exit = runtime
        .block_on(run_loop(
            &mut s,
            &mut a,
            futures::stream::pending(),
            &token,
            frame_period(FPS),
        ))
        .expect("loop");
    assert_eq!(exit, Exit::Cancelled);
    assert!(a.quit_requested());
}

#[test]
fn the_sandbox_producer_never_runs_out_of_records() {
    // No hidden cap: the built-in scenario sends until the 32-bit record ids run out, which at
    // the top speed takes far longer than an evening (memory stays flat: sim::compaction).
    let a = App::new(&AppOptions::default()).expect("the built-in scenario builds");
    assert_eq!(
        a.sim.workload().records,
        kafka_flow::sim::Workload::MAX_RECORDS
    );
    assert_eq!(kafka_flow::sim::Workload::MAX_RECORDS, u64::from(u32::MAX));
}
