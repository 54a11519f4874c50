//! Snapshots of the main screen at fixed virtual times, in English and Chinese, at
//! 80×24 and 160×48 (TestBackend + insta). Everything on screen comes from the
//! simulation, which is deterministic, so the screens are too.

mod common;

use kafka_flow::app::App;
use kafka_flow::i18n::Lang;
use kafka_flow::sim::{Config, KafkaVersion};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;

/// The built-in scenario, advanced to about `virtual_ms` of virtual time.
fn scene(lang: Lang, virtual_ms: u64) -> App {
    let mut cfg = Config::defaults(KafkaVersion::V4);
    cfg.set("linger.ms", "20").unwrap();
    cfg.set("auto.offset.reset", "earliest").unwrap();
    // 1× speed: each 100 ms tick is 100 ms of virtual time.
    let mut app = common::tui::keyed_app(cfg, 1_000_000, 2_000.0, lang);
    for _ in 0..virtual_ms / 100 {
        app.on_tick(Duration::from_millis(100));
    }
    app
}

fn screen(app: &App, w: u16, h: u16) -> TestBackend {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| kafka_flow::ui::draw(f, app)).unwrap();
    t.backend().clone()
}

#[test]
fn main_screen_160x48_en() {
    insta::assert_snapshot!(screen(&scene(Lang::En, 6_000), 160, 48));
}

#[test]
fn main_screen_160x48_zh() {
    insta::assert_snapshot!(screen(&scene(Lang::Zh, 6_000), 160, 48));
}

#[test]
fn main_screen_80x24_en() {
    insta::assert_snapshot!(screen(&scene(Lang::En, 6_000), 80, 24));
}

#[test]
fn main_screen_80x24_zh() {
    insta::assert_snapshot!(screen(&scene(Lang::Zh, 6_000), 80, 24));
}

#[test]
fn after_a_leader_crash_160x48() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = scene(Lang::En, 2_000);
    app.on_key(KeyEvent::new(KeyCode::Char('k'), KeyModifiers::NONE));
    for _ in 0..120 {
        app.on_tick(Duration::from_millis(100));
    }
    insta::assert_snapshot!(screen(&app, 160, 48));
}

#[test]
fn help_overlay_and_fault_menu_80x24() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = scene(Lang::En, 1_000);
    app.on_key(KeyEvent::new(KeyCode::Char('f'), KeyModifiers::NONE));
    insta::assert_snapshot!("fault_menu_80x24", screen(&app, 80, 24));
    app.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    app.on_key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE));
    insta::assert_snapshot!("help_80x24", screen(&app, 80, 24));
}

#[test]
fn too_small_terminal_gets_a_message_not_a_panic() {
    let app = scene(Lang::En, 100);
    for (w, h) in [(79, 24), (80, 23), (20, 5), (1, 1)] {
        let b = screen(&app, w, h);
        let text: String = b
            .buffer()
            .content()
            .iter()
            .map(ratatui::buffer::Cell::symbol)
            .collect();
        if w >= 20 {
            assert!(
                text.contains("80") && text.contains("24"),
                "{w}x{h}: {text}"
            );
        }
    }
}

#[test]
fn zoomed_accumulator_uses_the_whole_screen() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = scene(Lang::En, 3_000);
    app.on_key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE));
    app.on_key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE));
    let b = screen(&app, 120, 40);
    let text: String = b
        .buffer()
        .content()
        .iter()
        .map(ratatui::buffer::Cell::symbol)
        .collect();
    assert!(
        text.contains("RecordAccumulator") && !text.contains("Brokers"),
        "zoom shows one panel"
    );
}

#[test]
fn a_consumer_that_left_on_a_poll_timeout_says_so_in_en_and_zh() {
    // 500 records × 2 ms per poll against max.poll.interval.ms=500: the heartbeat thread
    // leaves the group at about 3.5 s while the application is still processing (until 4 s).
    for (lang, marker, narration) in [
        (
            Lang::En,
            "left: poll timeout",
            "consumer 0 leaves the group",
        ),
        (Lang::Zh, "已离组", "离开消费者组"),
    ] {
        let mut cfg = Config::defaults(KafkaVersion::V4);
        for (k, v) in [
            ("auto.offset.reset", "earliest"),
            ("commit.mode", "sync"),
            ("consumer.process.ms", "2"),
            ("max.poll.interval.ms", "500"),
        ] {
            cfg.set(k, v).unwrap();
        }
        let mut app = common::tui::keyed_app(cfg, 3_000, 1_000.0, lang);
        for _ in 0..37 {
            app.on_tick(Duration::from_millis(100));
        }
        let text = screen(&app, 160, 48).to_string();
        let consumer_line = text
            .lines()
            .find(|l| l.trim_start_matches('"').trim_start().starts_with("c0 "))
            .unwrap_or_else(|| panic!("{lang:?}: no consumer line\n{text}"));
        assert!(consumer_line.contains(marker), "{lang:?}: {consumer_line}");
        assert!(text.contains(narration), "{lang:?}:\n{text}");
    }
}
