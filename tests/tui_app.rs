//! The app driven by key events, without a terminal: what each key changes, and that
//! knob changes and faults reach the simulation at the virtual time they were made.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kafka_flow::app::{App, Mode, SPEEDS};
use kafka_flow::i18n::Lang;
use kafka_flow::sim::{Command, Config, KafkaVersion};
use std::time::Duration;

fn app() -> App {
    let mut cfg = Config::defaults(KafkaVersion::V4);
    cfg.set("linger.ms", "1").unwrap();
    cfg.set("auto.offset.reset", "earliest").unwrap();
    let mut app = common::tui::keyed_app(cfg, 1_000_000, 200.0, Lang::En);
    // The speed the sandbox opens at for this rate, as a user sees it.
    app.speed = kafka_flow::app::speed_for_rate(200.0);
    app
}

fn press(app: &mut App, code: KeyCode) -> bool {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn tick(app: &mut App, n: usize) {
    for _ in 0..n {
        app.on_tick(Duration::from_millis(33));
    }
}

#[test]
fn space_pauses_and_a_paused_clock_does_not_move() {
    let mut a = app();
    tick(&mut a, 10);
    let t = a.sim.now();
    assert!(t.as_micros() > 0);
    assert!(press(&mut a, KeyCode::Char(' ')));
    assert!(a.paused);
    assert!(
        !a.on_tick(Duration::from_millis(33)),
        "nothing to redraw while paused"
    );
    tick(&mut a, 30);
    assert_eq!(a.sim.now(), t);
    press(&mut a, KeyCode::Char(' '));
    tick(&mut a, 1);
    assert!(a.sim.now() > t);
}

#[test]
fn plus_and_minus_change_how_fast_virtual_time_runs() {
    let mut a = app();
    let s = a.speed;
    press(&mut a, KeyCode::Char('+'));
    assert_eq!(a.speed, s + 1);
    let t0 = a.sim.now();
    a.on_tick(Duration::from_secs(1));
    let advanced = a.sim.now().since(t0).as_micros() as f64 / 1e6;
    assert!((advanced - SPEEDS[s + 1]).abs() < 1e-6, "{advanced}");
    press(&mut a, KeyCode::Char('-'));
    press(&mut a, KeyCode::Char('-'));
    assert_eq!(a.speed, s - 1);
}

#[test]
fn step_runs_exactly_the_next_event_and_pauses() {
    let mut a = app();
    tick(&mut a, 5);
    let next = a.sim.next_event_time().unwrap();
    press(&mut a, KeyCode::Char('.'));
    assert!(a.paused);
    assert_eq!(a.sim.now(), next);
}

#[test]
fn a_knob_change_reaches_the_simulation_at_that_virtual_time() {
    let mut a = app();
    tick(&mut a, 20);
    let linger = a.knobs.iter().position(|k| k.name == "linger.ms").unwrap();
    while a.knob != linger {
        press(&mut a, KeyCode::Tab);
    }
    let t = a.sim.now();
    press(&mut a, KeyCode::Right);
    assert_eq!(a.sim.config().producer.linger_ms, 5);
    assert_eq!(a.sim.commands().last().map(|c| c.0), Some(t));
    assert!(
        matches!(&a.sim.commands().last().unwrap().1, Command::Set { name, value } if name == "linger.ms" && value == "5")
    );
    // Typing a value: Enter, digits, Enter.
    press(&mut a, KeyCode::Enter);
    assert!(matches!(a.mode, Mode::Editing(_)));
    for c in "250".chars() {
        press(&mut a, KeyCode::Char(c));
    }
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.sim.config().producer.linger_ms, 250);
    // A bad value is refused with the reason and changes nothing.
    press(&mut a, KeyCode::Enter);
    for c in "abc".chars() {
        press(&mut a, KeyCode::Char(c));
    }
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.sim.config().producer.linger_ms, 250);
    let text = a.status.clone().unwrap().1.get(a.lang).to_string();
    assert!(
        text.starts_with("refused") && text.contains("linger.ms"),
        "{text}"
    );
    // `l` switches the status line with the rest of the screen.
    press(&mut a, KeyCode::Char('l'));
    let text = a.status.clone().unwrap().1.get(a.lang).to_string();
    assert!(
        text.starts_with("已拒绝") && text.contains("linger.ms"),
        "{text}"
    );
}

#[test]
fn a_start_up_only_setting_restarts_the_producer_and_says_so() {
    let mut a = app();
    tick(&mut a, 20);
    let idem = a
        .knobs
        .iter()
        .position(|k| k.name == "enable.idempotence")
        .unwrap();
    while a.knob != idem {
        press(&mut a, KeyCode::Tab);
    }
    press(&mut a, KeyCode::Left);
    assert!(!a.sim.effective().idempotence);
    let text = a.status.clone().unwrap().1.get(a.lang).to_string();
    assert!(text.contains("restarts"), "{text}");
    tick(&mut a, 60);
    assert!(
        a.log
            .iter()
            .any(|l| l.text(a.lang).contains("producer restarted"))
    );
}

#[test]
fn fault_keys_reach_the_simulation() {
    let mut a = app();
    tick(&mut a, 20);
    press(&mut a, KeyCode::Char('k'));
    assert!(
        !a.sim.view().broker_up(0),
        "k kills the leader of partition 0 (broker 0)"
    );
    press(&mut a, KeyCode::Char('c'));
    assert!(a.sim.view().consumer_group().consumers[0].phase == kafka_flow::sim::view::Phase::Dead);
    press(&mut a, KeyCode::Char('c'));
    assert!(
        a.sim.view().consumer_group().consumers[0].phase != kafka_flow::sim::view::Phase::Dead,
        "c again restarts it"
    );
    // The fault menu: open, move down, choose.
    press(&mut a, KeyCode::Char('f'));
    assert_eq!(a.mode, Mode::Faults(0));
    let menu = a.fault_menu();
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.mode, Mode::Normal);
    let applied = a.sim.commands().last().unwrap();
    assert!(matches!(&applied.1, Command::Fault { fault } if *fault == menu[1].fault));
    tick(&mut a, 3);
    assert!(a.log.iter().any(|l| l.text(a.lang).starts_with("fault:")));
}

#[test]
fn language_theme_glyphs_help_zoom_and_quit() {
    let mut a = app();
    press(&mut a, KeyCode::Char('l'));
    assert_eq!(a.lang, Lang::Zh);
    let before = a.theme.name();
    press(&mut a, KeyCode::Char('t'));
    assert_ne!(a.theme.name(), before);
    press(&mut a, KeyCode::Char('g'));
    assert!(a.glyphs.is_ascii());
    press(&mut a, KeyCode::Char('?'));
    assert!(a.show_help);
    press(&mut a, KeyCode::Esc);
    assert!(!a.show_help);
    press(&mut a, KeyCode::Char('4'));
    press(&mut a, KeyCode::Char('z'));
    assert!(a.zoom);
    assert!(!a.quit_requested());
    press(&mut a, KeyCode::Char('q'));
    assert!(a.quit_requested());
}

#[test]
fn a_defaulted_idempotence_that_kafka_turns_off_says_so() {
    let mut a = app();
    let acks = a.knobs.iter().position(|k| k.name == "acks").unwrap();
    let idem = a
        .knobs
        .iter()
        .position(|k| k.name == "enable.idempotence")
        .unwrap();
    assert_eq!(a.knob_display(idem), "true");
    while a.knob != acks {
        press(&mut a, KeyCode::Tab);
    }
    press(&mut a, KeyCode::Left);
    assert_eq!(a.sim.config().producer.acks.to_string(), "1");
    assert_eq!(a.knob_display(idem), "true (in effect: off)");
}

#[test]
fn a_smaller_batch_size_from_the_keyboard_makes_smaller_batches() {
    // The sandbox at 5,000 records/s with linger.ms 50: batches fill to batch.size.
    let mut cfg = Config::defaults(KafkaVersion::V4);
    cfg.set("linger.ms", "50").unwrap();
    let mut a = common::tui::keyed_app(cfg, 1_000_000, 5_000.0, Lang::En);
    tick(&mut a, 60);
    let knob = a.knobs.iter().position(|k| k.name == "batch.size").unwrap();
    while a.knob != knob {
        press(&mut a, KeyCode::Tab);
    }
    press(&mut a, KeyCode::Enter);
    for c in "1024".chars() {
        press(&mut a, KeyCode::Char(c));
    }
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.sim.effective().batch_size, 1024);
    let changed = a.sim.now();
    tick(&mut a, 120);
    assert!(
        a.sim.now().since(changed).as_millis() > 500,
        "{}",
        a.sim.now()
    );
    // The latest batches (the metrics keep the last 256 drained) are at most batch.size (a
    // record never splits, and these are far smaller than 1024 bytes)...
    let bytes = &a.metrics.batch_bytes;
    let created: Vec<u32> = bytes
        .iter()
        .skip(bytes.len().saturating_sub(50))
        .copied()
        .collect();
    assert_eq!(created.len(), 50);
    assert!(created.iter().all(|&b| b <= 1024), "{created:?}");
    // And they fill it, rather than staying at a handful of bytes.
    assert!(created.iter().filter(|&&b| b > 900).count() > created.len() / 2);
}

/// Every row of the screen as text (a wide character's second cell skipped).
fn rows(app: &App, width: u16, height: u16) -> Vec<String> {
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    term.draw(|f| kafka_flow::ui::draw(f, app)).unwrap();
    let buffer = term.backend().buffer().clone();
    (0..height)
        .map(|y| {
            let mut row = String::new();
            let mut skip = 0;
            for x in 0..width {
                let symbol = buffer[(x, y)].symbol();
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
                row.push_str(symbol);
            }
            row
        })
        .collect()
}

fn select(a: &mut App, name: &str) {
    let i = a.knobs.iter().position(|k| k.name == name).unwrap();
    while a.knob != i {
        press(a, KeyCode::Tab);
    }
}

#[test]
fn the_edit_prompt_names_the_knob() {
    for (lang, prompt) in [
        (Lang::En, "new value for linger.ms: 25_"),
        (Lang::Zh, "linger.ms 的新值： 25_"),
    ] {
        let mut a = app();
        a.lang = lang;
        select(&mut a, "linger.ms");
        press(&mut a, KeyCode::Enter);
        press(&mut a, KeyCode::Char('2'));
        press(&mut a, KeyCode::Char('5'));
        let screen = rows(&a, 120, 36);
        assert!(
            screen.iter().any(|r| r.contains(prompt)),
            "{lang:?}: no {prompt:?} in\n{}",
            screen.join("\n")
        );
        assert!(!screen.iter().any(|r| r.contains("{name}")));
    }
}

#[test]
fn a_bad_rate_is_refused_in_the_knobs_own_words() {
    for (lang, typed, words) in [
        (
            Lang::En,
            "-5",
            "refused: rate = -5: type records per second",
        ),
        (Lang::En, "fast", "refused: rate = fast"),
        (Lang::En, "2e9", "from 0 (no limit) to 1000000000"),
        (Lang::Zh, "-5", "已拒绝：rate = -5：请输入每秒记录数"),
    ] {
        let mut a = app();
        a.lang = lang;
        select(&mut a, "rate");
        press(&mut a, KeyCode::Enter);
        for c in typed.chars() {
            press(&mut a, KeyCode::Char(c));
        }
        press(&mut a, KeyCode::Enter);
        let text = a.status.clone().unwrap().1.get(a.lang).to_string();
        assert!(text.contains(words), "{typed}: {text}");
        assert!(!text.contains("--rate"), "the TUI has no flags: {text}");
        assert!((a.sim.workload().rate - 200.0).abs() < 1e-9, "unchanged");
    }
    // A good one still goes through.
    let mut a = app();
    select(&mut a, "rate");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('7'));
    press(&mut a, KeyCode::Enter);
    assert!((a.sim.workload().rate - 7.0).abs() < 1e-9);
}
