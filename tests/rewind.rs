//! Rewinding: the screen at virtual time t after going back is the screen the straight run
//! showed at t (property test over random sessions: seeds, rates, keys pressed at random
//! times), and a key pressed after a rewind starts a new future.

use kafka_flow::app::App;
use kafka_flow::app::keys::Action;
use kafka_flow::i18n::Lang;
use kafka_flow::sim::workload::{Template, Workload};
use kafka_flow::sim::{Config, KafkaVersion, SimTime};
use kafka_flow::ui::theme::Theme;
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;

/// Keys a session may press (faults and knob turns).
const KEYS: &[Action] = &[
    Action::KillLeader,
    Action::DropAcks,
    Action::CrashConsumer,
    Action::KnobUp,
    Action::KnobDown,
    Action::NextKnob,
];

/// The screen as text, without the rows that are about the session rather than the world
/// at t: the timeline bar (it shows how far this future was watched) and the status line
/// and footer (they say what the last key did).
fn screen(app: &App) -> Vec<String> {
    let mut term = Terminal::new(TestBackend::new(120, 36)).expect("a terminal");
    term.draw(|f| kafka_flow::ui::draw(f, app)).expect("drawn");
    let buf = term.backend().buffer().clone();
    let rows: Vec<String> = (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect()
        })
        .collect();
    let n = rows.len();
    rows.into_iter()
        .enumerate()
        .filter(|(i, _)| *i != 1 && *i < n - 2)
        .map(|(_, r)| r)
        .collect()
}

/// Runs the app (at 1×) to virtual time `t` in ticks of at most `chunk_us`.
fn run_to(app: &mut App, t: u64, chunk_us: u64) {
    while app.sim.now().0 < t {
        let step = chunk_us.min(t - app.sim.now().0);
        app.on_tick(Duration::from_micros(step));
    }
}

fn session_app(seed: u64, rate: f64, v28: bool) -> App {
    let version = if v28 {
        KafkaVersion::V2_8
    } else {
        KafkaVersion::V4
    };
    let mut cfg = Config::defaults(version);
    cfg.set("consumers", "1").expect("a setting");
    cfg.set("group.initial.rebalance.delay.ms", "0")
        .expect("a setting");
    let w = Workload {
        rate,
        key: Some(Template::parse("hello{i}").expect("a template")),
        ..Workload::notes_loop(100_000)
    };
    let mut app = App::with(cfg, w, seed, Lang::En, Theme::dark()).expect("the app starts");
    assert!(app.set_speed(1.0));
    app
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn rewinding_to_t_shows_what_the_straight_run_showed(
        seed in 0u64..1_000,
        rate in prop::sample::select(vec![200.0, 2_000.0, 20_000.0]),
        every in prop::sample::select(vec![0u64, 300, 3_000]),
        v28 in any::<bool>(),
        keys in prop::collection::vec((1u64..250_000, 0..KEYS.len()), 0..4),
        t1 in 1u64..250_000,
        extra in 1u64..250_000,
        chunk in 500u64..40_000,
    ) {
        let mut keys = keys;
        keys.sort_unstable();
        let mut app = session_app(seed, rate, v28);
        app.timeline.set_checkpoint_every(every);
        let mut pressed = keys.iter().peekable();
        while let Some(&&(at, k)) = pressed.peek() {
            if at > t1 {
                break;
            }
            run_to(&mut app, at, chunk);
            app.update(KEYS[k]);
            pressed.next();
        }
        run_to(&mut app, t1, chunk);
        app.update(Action::TogglePause);
        let straight = screen(&app);
        let t = app.sim.now();
        app.update(Action::TogglePause);
        for &(at, k) in pressed {
            run_to(&mut app, at, chunk);
            app.update(KEYS[k]);
        }
        run_to(&mut app, t1 + extra, chunk);
        app.seek(t);
        prop_assert_eq!(app.sim.now(), t);
        prop_assert!(app.paused);
        let rewound = screen(&app);
        for (i, (a, b)) in straight.iter().zip(&rewound).enumerate() {
            prop_assert_eq!(a, b, "row {} differs at {}", i, t);
        }
    }
}

/// A jump lands where it was asked to, so a key pressed there is logged at that time. The
/// application thread runs its sends inline between events for speed; it must not run them
/// past the target (it once did: the clock stood at the next send, up to 5 ms late at 200
/// records/s, with that instant half processed).
#[test]
fn advancing_stops_the_clock_at_the_target_at_every_rate() {
    for rate in [200.0, 20_000.0, 0.0] {
        let w = Workload {
            rate,
            ..Workload::notes_loop(1_000_000)
        };
        let mut sim = kafka_flow::sim::Sim::new(Config::defaults(KafkaVersion::V4), w, 1)
            .expect("a simulation");
        for t in [17_004, 17_005, 40_000, 123_457] {
            sim.advance_to(SimTime(t));
            assert_eq!(sim.now(), SimTime(t), "rate {rate}");
            assert!(sim.last_event_time() <= SimTime(t), "rate {rate}");
            assert!(sim.next_event_time().is_none_or(|n| n > SimTime(t)));
        }
    }
}

#[test]
fn a_key_after_a_rewind_starts_a_new_future() {
    let mut app = session_app(42, 2_000.0, false);
    run_to(&mut app, 50_000, 5_000);
    app.update(Action::KillLeader);
    run_to(&mut app, 200_000, 5_000);
    assert_eq!(app.timeline.commands.len(), 1);
    app.seek(SimTime(20_000));
    // Forward again: the kill is replayed at its time.
    app.seek(SimTime(100_000));
    assert_eq!(app.timeline.next, 1);
    app.seek(SimTime(20_000));
    assert_eq!(app.timeline.next, 0);
    app.update(Action::DropAcks);
    // The old future's kill is gone; the drop is the only command, at 20 ms.
    assert_eq!(app.timeline.commands.len(), 1);
    assert_eq!(app.timeline.commands[0].t, SimTime(20_000));
    assert_eq!(app.timeline.horizon, SimTime(20_000));
    let status = app
        .status
        .as_ref()
        .map(|(_, s)| s.get(Lang::En).to_string());
    assert!(
        status.as_deref().is_some_and(|s| s.contains("new future")),
        "{status:?}"
    );
}

#[test]
fn stepping_back_returns_to_the_instant_stepping_forward_left() {
    let mut app = session_app(42, 2_000.0, false);
    run_to(&mut app, 30_000, 3_000);
    app.update(Action::Step);
    let first = app.sim.now();
    let screen_first = screen(&app);
    app.update(Action::Step);
    let second = app.sim.now();
    assert!(second > first);
    app.update(Action::StepBack);
    assert_eq!(app.sim.now(), first);
    assert_eq!(screen(&app), screen_first);
}
