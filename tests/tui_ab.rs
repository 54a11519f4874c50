//! A/B in the TUI (`b`): side B is side A's world with some settings of its own, on the same
//! seed, workload and commands. The same settings give identical sides; a fault by key, a
//! rewind and a restart act on both; a knob B fixes turns A's only; a scenario's `[b]`
//! opens split and a saved A/B session keeps its B side; the screen at 160×48, 120×36 and
//! 80×24 in English and Chinese.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kafka_flow::app::keys::Action;
use kafka_flow::app::{App, AppOptions, Mode};
use kafka_flow::i18n::Lang;
use kafka_flow::report::summary_json;
use kafka_flow::scenario::WorldOptions;
use kafka_flow::scenarios::{ScenarioFile, find};
use kafka_flow::sim::command::Fault;
use kafka_flow::sim::summary::Summary;
use kafka_flow::sim::{Command, Config, KafkaVersion, SimTime};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;

fn settings(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
        .collect()
}

/// The notes' loop at 1000 records/s with acks=1 and no idempotence: a leader crash loses
/// what only the leader had.
fn sandbox(lang: Lang) -> App {
    let mut cfg = Config::defaults(KafkaVersion::V4);
    for (k, v) in [
        ("auto.offset.reset", "earliest"),
        ("group.initial.rebalance.delay.ms", "0"),
        ("acks", "1"),
        ("enable.idempotence", "false"),
        ("network.latency.ms", "2"),
    ] {
        cfg.set(k, v).unwrap();
    }
    common::tui::keyed_app(cfg, 1_000_000, 1000.0, lang)
}

/// Runs at 1× in ticks of 5 ms to virtual time `ms`, or until the app pauses (a beat).
fn run_to(app: &mut App, ms: u64) {
    let t = SimTime::from_millis(ms);
    while app.sim.now() < t && !app.paused {
        let step = 5_000.min(t.0 - app.sim.now().0);
        app.on_tick(Duration::from_micros(step));
    }
}

fn json(app: &App) -> serde_json::Value {
    let mut v = summary_json(&Summary::of(&app.sim)).unwrap();
    // The settings the summary names are B's own: they may differ by design.
    for k in ["acks", "idempotence", "linger_ms", "batch_size"] {
        v["producer"][k] = serde_json::Value::Null;
    }
    // How many events it took depends on where runs stopped (the producer sends inline up to
    // the caller's horizon, `Producer::run_app`): a replay counts differently, to the same world.
    v["events"] = serde_json::Value::Null;
    v
}

fn b(app: &App) -> &App {
    &app.ab.as_ref().expect("A/B is open").b
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| kafka_flow::ui::draw(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut s = String::new();
    for y in 0..h {
        for x in 0..w {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

#[test]
fn the_same_settings_give_identical_sides_and_the_same_screen() {
    let mut app = sandbox(Lang::En);
    // acks=1 is A's own value: B is A.
    app.open_ab(settings(&[("acks", "1")])).unwrap();
    run_to(&mut app, 300);
    app.update(Action::KillLeader);
    run_to(&mut app, 900);
    assert_eq!(b(&app).sim.now(), app.sim.now());
    assert_eq!(json(b(&app)), json(&app));
    // Side by side, the two halves of the screen are the same but for their titles.
    let text = screen(&app, 160, 48);
    let rows: Vec<&str> = text.lines().collect();
    let mut compared = 0;
    for row in &rows[3..40] {
        let cells: Vec<char> = row.chars().collect();
        let (left, right): (String, String) = (
            cells[..80].iter().collect(),
            cells[80..160].iter().collect(),
        );
        assert_eq!(left, right, "\n{text}");
        compared += 1;
    }
    assert!(compared > 30);
}

#[test]
fn sides_differ_where_the_settings_differ_and_a_fault_by_key_hits_both() {
    let mut app = sandbox(Lang::En);
    app.open_ab(settings(&[("acks", "all")])).unwrap();
    // Only acks differs between the two worlds' configurations.
    let (a_cfg, b_cfg) = (app.sim.config().clone(), b(&app).sim.config().clone());
    for s in kafka_flow::sim::config::SETTINGS {
        if s.name != "acks" {
            assert_eq!(a_cfg.get(s.name), b_cfg.get(s.name), "{}", s.name);
        }
    }
    assert_ne!(a_cfg.get("acks"), b_cfg.get("acks"));
    run_to(&mut app, 400);
    app.update(Action::KillLeader);
    let at = app.sim.now();
    let fault = Command::Fault {
        fault: Fault::KillLeader { partition: 0 },
    };
    for side in [&app, b(&app)] {
        let last = side.timeline.commands.last().expect("the fault is logged");
        assert_eq!((last.t, &last.command), (at, &fault));
    }
    run_to(&mut app, 2_000);
    let (a, bb) = (Summary::of(&app.sim), Summary::of(&b(&app).sim));
    // The same records were sent; acks=all waits for the followers, so it has fewer
    // acknowledged at any moment, and loses nothing of what it acknowledged.
    assert_eq!(a.producer.sent, bb.producer.sent);
    assert_eq!(bb.ledger.lost.broker, 0);
    assert_ne!(json(&app), json(b(&app)));
    // The difference panel reads both sides' figures.
    let (fa, fb) = app.ab.as_ref().unwrap().figures.as_ref().unwrap();
    assert_eq!(fa.producer.sent, a.producer.sent);
    assert_eq!(fb.ledger.lost.broker, 0);
}

#[test]
fn a_rewind_rewinds_both_and_playing_again_gives_the_same_b() {
    let mut app = sandbox(Lang::En);
    app.open_ab(settings(&[("linger.ms", "20")])).unwrap();
    run_to(&mut app, 300);
    app.update(Action::DropAcks);
    run_to(&mut app, 1_000);
    let before = json(b(&app));
    app.seek(SimTime::from_millis(200));
    assert_eq!(b(&app).sim.now(), SimTime::from_millis(200));
    assert!(b(&app).paused && app.paused);
    // Forward again: B replays the same command at the same instant.
    app.seek(SimTime::from_millis(1_000));
    assert_eq!(json(b(&app)), before);
    // A step back and a step forward keep B at A's instant.
    app.update(Action::StepBack);
    assert_eq!(b(&app).sim.now(), app.sim.now());
    app.update(Action::Step);
    assert_eq!(b(&app).sim.now(), app.sim.now());
}

#[test]
fn a_knob_b_fixes_turns_only_a_other_knobs_turn_both() {
    let mut app = sandbox(Lang::En);
    app.open_ab(settings(&[("acks", "all")])).unwrap();
    run_to(&mut app, 100);
    // The second knob is linger.ms: both sides get it.
    assert_eq!(app.knobs[app.knob].name, "linger.ms");
    app.update(Action::KnobUp);
    let linger = app.sim.config().get("linger.ms");
    assert_eq!(b(&app).sim.config().get("linger.ms"), linger);
    // acks is B's own: a key turns A's only, and the status line says so.
    while app.knobs[app.knob].name != "acks" {
        app.update(Action::NextKnob);
    }
    app.update(Action::KnobDown);
    assert_eq!(app.sim.config().get("acks").as_deref(), Some("0"));
    assert_eq!(b(&app).sim.config().get("acks").as_deref(), Some("all"));
    let status = app.status.as_ref().unwrap().1.get(Lang::En).to_string();
    assert!(status.contains("side B keeps its own acks"), "{status}");
}

#[test]
fn restart_restarts_both_sides_with_b_still_open() {
    let mut app = sandbox(Lang::En);
    app.open_ab(settings(&[("linger.ms", "50")])).unwrap();
    run_to(&mut app, 500);
    app.update(Action::Reset);
    assert_eq!(app.sim.now(), SimTime::ZERO);
    assert_eq!(b(&app).sim.now(), SimTime::ZERO);
    assert_eq!(b(&app).sim.config().get("linger.ms").as_deref(), Some("50"));
}

#[test]
fn the_prompt_opens_changes_and_closes_the_comparison() {
    let mut app = sandbox(Lang::En);
    key(&mut app, KeyCode::Char('b'));
    // It starts from the selected knob's name.
    assert_eq!(app.mode, Mode::Compare("linger.ms=".to_string()));
    type_text(&mut app, "abc");
    key(&mut app, KeyCode::Enter);
    // A bad value keeps the prompt open and says what is wrong, naming side B.
    assert!(matches!(app.mode, Mode::Compare(_)));
    assert!(app.ab.is_none());
    let status = app.status.as_ref().unwrap().1.get(Lang::En).to_string();
    assert!(status.starts_with("side B: linger.ms"), "{status}");
    app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    assert_eq!(app.mode, Mode::Compare(String::new()));
    type_text(&mut app, "acks=all  linger.ms=10");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(
        app.ab.as_ref().unwrap().settings,
        settings(&[("acks", "all"), ("linger.ms", "10")])
    );
    // Again: it shows B's settings; an empty line closes A/B.
    key(&mut app, KeyCode::Char('b'));
    assert_eq!(app.mode, Mode::Compare("acks=all linger.ms=10".to_string()));
    app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    key(&mut app, KeyCode::Enter);
    assert!(app.ab.is_none());
    // Settings that clash as a whole are refused with Kafka's reason.
    let e = app
        .open_ab(settings(&[("enable.idempotence", "true")]))
        .unwrap_err();
    assert!(
        e.get(Lang::En).starts_with("side B: "),
        "{}",
        e.get(Lang::En)
    );
    assert!(app.ab.is_none());
}

#[test]
fn a_lesson_has_no_ab() {
    let lesson = kafka_flow::lesson::load::load_all(None)
        .unwrap()
        .0
        .remove(0);
    let mut app = App::for_lesson(lesson, Lang::En).unwrap();
    app.update(Action::OpenCompare);
    assert_eq!(app.mode, Mode::Normal);
    assert!(app.open_ab(settings(&[("acks", "1")])).is_err());
}

#[test]
fn a_scenario_with_a_b_side_opens_split_and_an_ab_session_saves_it() {
    let file = find("acks-one-vs-all").unwrap();
    let mut app = App::for_scenario(&file, &WorldOptions::default(), Lang::En).unwrap();
    assert!(app.set_speed(1.0));
    assert_eq!(
        app.ab.as_ref().unwrap().settings,
        settings(&[("acks", "all")])
    );
    // The story's beats pause both; the scripted faults hit both.
    run_to(&mut app, 25_000);
    while app.sim.now() < SimTime::from_millis(25_000) {
        app.update(Action::TogglePause);
        run_to(&mut app, 25_000);
    }
    let (a, bb) = (Summary::of(&app.sim), Summary::of(&b(&app).sim));
    assert!(a.ledger.lost.broker > 0);
    assert_eq!(bb.ledger.lost.broker, 0);
    // The same as `compare --scenario` (each side as its headless run).
    let headless = |set: &[&str]| {
        let world = WorldOptions {
            set: set.iter().map(ToString::to_string).collect(),
            ..WorldOptions::default()
        };
        let mut sim = file.scenario(&world).unwrap().build().unwrap();
        sim.set_trace_enabled(false);
        sim.run(file.until);
        Summary::of(&sim)
    };
    assert_eq!(
        headless(&[]).ledger.lost.broker,
        a.ledger.lost.broker,
        "side A is the scenario's own run"
    );
    assert_eq!(headless(&["acks=all"]).producer.acked, bb.producer.acked);

    // Saved, the session opens split again.
    let dir = std::env::temp_dir().join(format!("kafka-flow-ab-save-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut sandbox = App::new(&AppOptions {
        lang: Some(Lang::En),
        ..AppOptions::default()
    })
    .unwrap();
    sandbox.save_dir = Some(dir.clone());
    sandbox.open_ab(settings(&[("linger.ms", "20")])).unwrap();
    sandbox.update(Action::Save);
    let saved = ScenarioFile::load(sandbox.saved.as_ref().unwrap()).unwrap();
    assert_eq!(saved.b.unwrap().settings, settings(&[("linger.ms", "20")]));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn following_a_record_follows_it_on_both_sides() {
    let mut app = sandbox(Lang::En);
    app.open_ab(settings(&[("linger.ms", "20")])).unwrap();
    run_to(&mut app, 200);
    app.update(Action::FollowNext);
    run_to(&mut app, 230);
    let r = app.follow_target().expect("A follows the next record");
    assert_eq!(b(&app).follow_target(), Some(r));
    app.update(Action::Cancel);
    assert_eq!(b(&app).follow_target(), None);
}

/// The acks scenario held at its second beat (the leader just died on both sides).
fn at_the_crash(lang: Lang) -> App {
    let file = find("acks-one-vs-all").unwrap();
    let mut app = App::for_scenario(&file, &WorldOptions::default(), lang).unwrap();
    assert!(app.set_speed(1.0));
    run_to(&mut app, 2_000);
    app.update(Action::TogglePause);
    run_to(&mut app, 2_000);
    assert_eq!(app.sim.now(), SimTime::from_millis(1_500));
    // The beat paused the story: the difference panel is of this instant on both sides.
    let (fa, fb) = app.ab.as_ref().unwrap().figures.as_ref().unwrap();
    assert_eq!((fa.sim_time_ms, fb.sim_time_ms), (1500.0, 1500.0));
    app
}

#[test]
fn the_ab_screen_at_each_size_in_both_languages() {
    for lang in [Lang::En, Lang::Zh] {
        let app = at_the_crash(lang);
        for (w, h) in [(160, 48), (120, 36), (80, 24)] {
            let text = screen(&app, w, h);
            let name = format!("ab_{}_{w}x{h}", if lang == Lang::En { "en" } else { "zh" });
            insta::assert_snapshot!(name, text);
            // Both sides' figures and B − A, whatever the size.
            assert!(
                text.contains("B − A") && text.contains("acks=all"),
                "{text}"
            );
            assert!(text.contains("A acks=1"), "{text}");
            let both_flows = text.matches("RecordAccumulator").count() == 2;
            assert_eq!(both_flows, w >= 120, "{w}x{h}\n{text}");
        }
    }
}
