//! `kafka-flow --listen`: the TUI with listeners. A real Produce request over TCP (the
//! small client in tests/common/kafka_client.rs) lands in the partition log the flow view
//! draws; the real clients' panel shows the batch; live time refuses what would stop the
//! clock or send it back. The clock here moves with frame ticks only (`listen(.., false)`),
//! so the screens are exact: the request enters at virtual time 0, whatever the wall clock.

mod common;

use common::kafka_client::Client;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kafka_flow::app::{App, AppOptions};
use kafka_flow::i18n::Lang;
use kafka_flow::serve::ServeOptions;
use kafka_flow::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The longest a test waits (wall time) for the sockets' threads.
const PATIENCE: Duration = Duration::from_secs(10);

fn listening(lang: Lang) -> App {
    listening_with(lang, &[])
}

fn listening_with(lang: Lang, set: &[&str]) -> App {
    let opts = AppOptions {
        world: kafka_flow::scenario::WorldOptions {
            set: set.iter().map(|s| (*s).to_string()).collect(),
            ..kafka_flow::scenario::WorldOptions::default()
        },
        lang: Some(lang),
    };
    let mut app = App::for_listening(&opts).expect("the app starts");
    app.theme = Theme::dark();
    let serve = ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        topic: Some("first".to_string()),
        lang,
    };
    app.listen(&serve, false).expect("listeners bound");
    app
}

fn addrs(app: &App) -> Vec<SocketAddr> {
    app.live.as_ref().expect("listening").view.addrs.clone()
}

fn key(app: &mut App, c: char) {
    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
}

/// The app after a real producer sent one idempotent batch of 5 records to p0 (led by
/// broker 0) and 500 ms of virtual time passed: (app, the client's answer, producer id,
/// the still open connection).
fn after_one_batch(lang: Lang) -> (App, (i16, i64), i64, Client) {
    let mut app = listening(lang);
    let leader = app
        .sim
        .client_metadata()
        .into_iter()
        .find(|p| p.partition == 0)
        .and_then(|p| p.leader)
        .expect("p0 has a leader");
    let addr = addrs(&app)[leader as usize];
    let client = std::thread::spawn(move || {
        let mut c = Client::connect(addr);
        let pid = c.init_producer_id();
        let answer = c.produce("first", 0, pid.0, 0, 5);
        // The connection goes back open: a close would reach the world at a wall-clock
        // moment, and the screens must not depend on one.
        (answer, pid.0, c)
    });
    let start = Instant::now();
    while app.live.as_ref().is_some_and(|l| l.view.recent.is_empty()) {
        assert!(!client.is_finished(), "the client stopped before its batch");
        assert!(start.elapsed() < PATIENCE, "waited too long for the batch");
        app.pump_live();
        std::thread::sleep(Duration::from_millis(1));
    }
    for _ in 0..50 {
        app.on_tick(Duration::from_millis(10));
    }
    let start = Instant::now();
    while !client.is_finished() {
        assert!(start.elapsed() < PATIENCE, "no answer reached the client");
        app.pump_live();
        std::thread::sleep(Duration::from_millis(1));
    }
    let (answer, pid, connection) = client.join().expect("the client ran");
    (app, answer, pid, connection)
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| kafka_flow::ui::draw(f, app)).unwrap();
    let mut text = String::new();
    let buf = t.backend().buffer();
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let symbol = buf[(x, y)].symbol();
            text.push_str(symbol);
            // A wide character covers the next cell too.
            x += unicode_width::UnicodeWidthStr::width(symbol).max(1) as u16;
        }
        text.push('\n');
    }
    text
}

/// The screen with the ports the system picked (listeners, the client's) made constant.
fn stable(app: &App, text: &str) -> String {
    let mut text = text.to_string();
    // Peers' ports first: they are not known here, but always follow "127.0.0.1:".
    for a in addrs(app) {
        text = text.replace(&format!(":{}", a.port()), ":PORT");
    }
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("127.0.0.1:") {
        out.push_str(&rest[..i + "127.0.0.1:".len()]);
        rest = &rest[i + "127.0.0.1:".len()..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 {
            out.push_str("PEER");
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

/// The screens at 80×24, 120×36 and 160×48, each checked to show `after_one_batch`'s batch:
/// its records, partition and producer.
fn batch_at_every_size(app: &App, pid: i64) -> Vec<String> {
    [(80, 24), (120, 36), (160, 48)]
        .into_iter()
        .map(|(w, h)| {
            let s = screen(app, w, h);
            assert!(s.contains("c0–c4"), "{w}×{h}: the batch's records\n{s}");
            assert!(s.contains("p0×5"), "{w}×{h}: partition and records\n{s}");
            let producer = format!("pid {pid}");
            assert!(s.contains(&producer), "{w}×{h}: the producer\n{s}");
            s
        })
        .collect()
}

#[test]
fn a_real_batch_is_acknowledged_and_shown() {
    let (app, (error, base_offset), pid, _connection) = after_one_batch(Lang::En);
    assert_eq!(error, 0, "acks=all answered without error");
    assert_eq!(base_offset, 0, "the first batch of p0 starts at offset 0");
    let p0 = app
        .sim
        .client_metadata()
        .into_iter()
        .find(|p| p.partition == 0)
        .unwrap();
    assert_eq!(p0.log_end_offset, 5, "p0's log holds the 5 records");
    assert_eq!(p0.high_watermark, 5, "and all replicas have them");
    let live = app.live.as_ref().unwrap();
    assert_eq!(live.view.producers[&pid].records, 5);
    for s in batch_at_every_size(&app, pid) {
        assert!(s.contains("real clients: 1 connected"), "{s}");
    }
    let s = screen(&app, 120, 36);
    // The leader's tape holds five committed cells.
    assert!(s.contains("★b0  ●●●●●"), "p0's tape\n{s}");
}

#[test]
fn live_time_refuses_pause_speed_rewind_restart_ab_and_save() {
    let mut app = listening(Lang::En);
    // Where `s` would write its scenario: nothing must land there.
    let dir = std::env::temp_dir().join(format!("kafka-flow-listen-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    app.save_dir = Some(dir.clone());
    for _ in 0..20 {
        app.on_tick(Duration::from_millis(50));
    }
    let t = app.sim.now();
    let speed = app.speed_factor();
    assert!((speed - 1.0).abs() < f64::EPSILON, "live time is 1×");
    for (c, words) in [
        (' ', "cannot stop"),
        ('.', "cannot stop"),
        ('+', "1×"),
        ('-', "1×"),
        (',', "no rewind"),
        ('[', "no rewind"),
        ('{', "no rewind"),
        ('<', "no rewind"),
        ('0', "no restart"),
        ('b', "no A/B"),
        ('L', "lessons and scenarios"),
        ('s', "no save"),
    ] {
        key(&mut app, c);
        let said = app
            .status
            .as_ref()
            .map(|(_, s)| s.get(Lang::En).to_string());
        assert!(
            said.as_deref().is_some_and(|s| s.contains(words)),
            "key {c:?}: {said:?}"
        );
        assert!(!app.paused, "key {c:?} paused live time");
        assert_eq!(app.mode, kafka_flow::app::Mode::Normal, "key {c:?}");
        assert_eq!(app.sim.now(), t, "key {c:?} moved the clock");
        assert!((app.speed_factor() - 1.0).abs() < f64::EPSILON, "key {c:?}");
        let zh = app
            .status
            .as_ref()
            .map(|(_, s)| s.get(Lang::Zh).to_string());
        assert!(
            zh.is_some_and(|s| s.contains("实时")),
            "key {c:?} in Chinese"
        );
    }
    assert!(app.saved.is_none(), "no scenario saved");
    let written = std::fs::read_dir(&dir).unwrap().count();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(written, 0, "no scenario file written");
    let said = app.status.as_ref().map(|(_, s)| s.clone()).unwrap();
    assert!(
        said.get(Lang::En)
            .contains("a scenario file cannot replay the real clients' traffic")
    );
    assert!(said.get(Lang::Zh).contains("场景文件"));
    // A fault by key still works: it hits the real clients' cluster.
    key(&mut app, 'k');
    assert!(!app.paused);
    app.on_tick(Duration::from_millis(50));
    assert!(app.sim.now() > t, "the clock goes on");
}

#[test]
fn listening_screen_120x36_en() {
    let (app, _, _, _connection) = after_one_batch(Lang::En);
    insta::assert_snapshot!(stable(&app, &screen(&app, 120, 36)));
}

#[test]
fn listening_screen_120x36_zh() {
    let (app, _, _, _connection) = after_one_batch(Lang::Zh);
    insta::assert_snapshot!(stable(&app, &screen(&app, 120, 36)));
}

#[test]
fn listen_is_refused_with_a_lesson_a_scenario_and_without_a_terminal() {
    for args in [
        &["lesson", "2", "--listen", "127.0.0.1:0"][..],
        &["--listen", "127.0.0.1:0", "lesson", "2"],
        &["--listen", "127.0.0.1:0", "--scenario", "acks-one-vs-all"],
        &["--listen", "127.0.0.1:0", "run"],
        // The tests' standard output is a pipe: no TUI, and `serve` is the headless way.
        &["--listen", "127.0.0.1:0"],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kafka-flow"))
            .args(args)
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line\n{err}");
        assert!(err.contains("--listen"), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
}

#[test]
fn every_size_and_language_shows_the_real_batch() {
    let (mut app, _, pid, _connection) = after_one_batch(Lang::Zh);
    batch_at_every_size(&app, pid);
    // Zoomed, panels 1–3 are the real clients' too (not the simulated producer's).
    for panel in ['1', '2', '3'] {
        key(&mut app, panel);
        key(&mut app, 'z');
        let s = screen(&app, 120, 36);
        assert!(s.contains("c0–c4"), "panel {panel} zoomed\n{s}");
        key(&mut app, 'z');
    }
}

/// The TUI's way: the wall clock drives live time, and pumps between frames (no tick at
/// all here) answer a real acks=all produce; a pump draws nothing, the next tick does.
#[test]
fn pumps_alone_answer_a_real_producer_in_wall_clock_time() {
    use kafka_flow::tui::{Input, Screen};
    let opts = AppOptions {
        world: kafka_flow::scenario::WorldOptions::default(),
        lang: Some(Lang::En),
    };
    let mut app = App::for_listening(&opts).expect("the app starts");
    let serve = ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        topic: Some("first".to_string()),
        lang: Lang::En,
    };
    app.listen(&serve, true).expect("listeners bound");
    let mut screen = Screen::new(Terminal::new(TestBackend::new(120, 36)).unwrap());
    screen
        .handle(&mut app, &Input::Tick(Duration::ZERO))
        .unwrap();
    let drawn = screen.frames();
    let addr = addrs(&app)[0];
    let client = std::thread::spawn(move || {
        let mut c = Client::connect(addr);
        let pid = c.init_producer_id();
        c.produce("first", 0, pid.0, 0, 3)
    });
    let start = Instant::now();
    while !client.is_finished() {
        assert!(start.elapsed() < PATIENCE, "no answer reached the client");
        screen.handle(&mut app, &Input::Pump).unwrap();
        std::thread::sleep(kafka_flow::tui::PUMP_PERIOD);
    }
    let (error, base_offset) = client.join().expect("the client ran");
    assert_eq!((error, base_offset), (0, 0));
    assert_eq!(screen.frames(), drawn, "pumps draw nothing");
    assert!(screen.is_dirty(), "but the next frame will");
    assert!(
        app.sim.now() > kafka_flow::sim::SimTime::ZERO,
        "the wall clock moved it"
    );
    screen
        .handle(&mut app, &Input::Tick(Duration::from_millis(50)))
        .unwrap();
    assert_eq!(screen.frames(), drawn + 1);
}

/// A real consumer's group at 80×24: a fetch from p0 at offset 5 and a commit of offset 3
/// (the group's coordinator found by asking each broker), then the screen shows the groups
/// panel with committed against fetched, and the Events panel with at least three lines,
/// beside the real clients and the tapes.
#[test]
fn a_small_screen_shows_the_groups_and_the_events() {
    let (mut app, _, _, connection) = after_one_batch(Lang::En);
    let all = addrs(&app);
    let consumer = std::thread::spawn(move || {
        let mut c = connection;
        assert_eq!(c.fetch("first", 0, 5), 0, "the leader answers the fetch");
        let committed = all.iter().any(|a| {
            let mut c = Client::connect(*a);
            c.commit("testAPI", "first", 0, 3) == 0
        });
        assert!(committed, "one broker is the group's coordinator");
        c
    });
    let start = Instant::now();
    while !consumer.is_finished() {
        assert!(start.elapsed() < PATIENCE, "no answer reached the consumer");
        app.pump_live();
        std::thread::sleep(Duration::from_millis(1));
    }
    let _connection = consumer.join().expect("the consumer ran");
    for _ in 0..60 {
        app.on_tick(Duration::from_millis(10));
    }
    for lang in [Lang::En, Lang::Zh] {
        app.lang = lang;
        let s = screen(&app, 80, 24);
        let (groups, group, offsets, events) = match lang {
            Lang::En => (
                "3 groups",
                "group testAPI: Empty",
                " p0 ▽3 · ▼5 fetched",
                "7 Events",
            ),
            Lang::Zh => (
                "3 消费者组",
                "消费者组 testAPI：Empty",
                " p0 ▽3 · ▼5 已拉取",
                "7 事件",
            ),
        };
        for (what, words) in [
            ("the real clients", "pid "),
            ("the batch", "p0×5"),
            ("the groups' title", groups),
            ("the group", group),
            ("committed against fetched", offsets),
            ("p0's tape", "p0 ★b0"),
            ("the Events title", events),
        ] {
            assert!(s.contains(words), "{lang:?}: {what} ({words})\n{s}");
        }
        // The Events panel's lines: those between its title and its bottom border.
        let rows: Vec<&str> = s.lines().collect();
        let top = rows.iter().position(|r| r.contains(events)).unwrap();
        let inside = rows[top + 1..]
            .iter()
            .take_while(|r| !r.starts_with('╰') && !r.starts_with('┗'))
            .filter(|r| r.chars().any(char::is_alphanumeric))
            .count();
        assert!(inside >= 3, "{lang:?}: {inside} lines of Events\n{s}");
        // testAPI is the simulated consumers' group: its commit is marked once under p0's
        // tapes, not again as a real group's.
        let marks = rows
            .iter()
            .filter(|r| !r.contains("fetched") && !r.contains("已拉取"))
            .map(|r| r.matches("▽3").count())
            .sum::<usize>();
        assert_eq!(marks, 1, "{lang:?}: ▽3 under the tapes once\n{s}");
    }
}

/// With simulated consumers beside the real clients, a small screen still shows every
/// partition's tapes: the consumers' own lines give way (the tapes mark their positions).
#[test]
fn a_small_screen_with_simulated_consumers_shows_every_partition() {
    let mut app = listening_with(Lang::En, &["consumers=2"]);
    for _ in 0..100 {
        app.pump_live();
        std::thread::sleep(Duration::from_millis(1));
    }
    let s = screen(&app, 80, 24);
    for p in ["p0 ★b0", "p1 ★b1", "p2 ★b2"] {
        assert!(s.contains(p), "{p}\n{s}");
    }
    let tall = screen(&app, 120, 36);
    assert!(
        tall.contains("c0 "),
        "a taller screen keeps the consumers' lines\n{tall}"
    );
}
