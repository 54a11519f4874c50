//! Scenarios in the TUI: a session saved with `s` (knobs turned and faults injected by key,
//! at their virtual times) replays headless to the same ledger; a scenario's beats pause the
//! story with their caption; the home screen opens a built-in scenario.

use kafka_flow::app::keys::Action;
use kafka_flow::app::{App, AppOptions, Mode};
use kafka_flow::i18n::Lang;
use kafka_flow::report::summary_json;
use kafka_flow::scenario::WorldOptions;
use kafka_flow::scenarios::{ScenarioFile, builtin, find};
use kafka_flow::sim::SimTime;
use kafka_flow::sim::summary::Summary;
use std::path::PathBuf;
use std::time::Duration;

/// Runs the app (at 1×) to virtual time `t`, in ticks of 7 ms, or until it pauses.
fn run_to(app: &mut App, t: u64) {
    while app.sim.now().0 < t && !app.paused {
        let step = 7_000.min(t - app.sim.now().0);
        app.on_tick(Duration::from_micros(step));
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kafka-flow-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

fn section(summary: &Summary, name: &str) -> serde_json::Value {
    summary_json(summary).expect("a summary")[name].clone()
}

#[test]
fn a_saved_session_replays_headless_to_the_same_ledger() {
    let mut app = App::new(&AppOptions {
        world: WorldOptions {
            set: vec![
                "acks=1".into(),
                "enable.idempotence=false".into(),
                "request.timeout.ms=100".into(),
            ],
            ..WorldOptions::default()
        },
        lang: Some(Lang::En),
    })
    .expect("the sandbox starts");
    assert!(app.set_speed(1.0));
    app.save_dir = Some(scratch_dir("save"));
    run_to(&mut app, 40_000);
    app.update(Action::DropAcks);
    run_to(&mut app, 90_000);
    // A knob turned by key: linger.ms (the second knob) one step up.
    app.update(Action::KnobUp);
    run_to(&mut app, 120_000);
    app.update(Action::KillLeader);
    // The command is logged at the virtual time it took effect: where the tick left the clock.
    let killed_at = app.sim.now();
    assert_eq!(killed_at, SimTime(120_000));
    run_to(&mut app, 800_000);
    // Rewind past the kill, watch it again: the saved file has it at its time.
    app.seek(SimTime(100_000));
    app.seek(SimTime(800_000));
    app.update(Action::Save);
    let path = app.saved.clone().expect("saved");
    let file = ScenarioFile::load(&path).expect("the saved file loads");
    assert_eq!(file.commands.len(), 3, "{:?}", file.commands);
    assert_eq!(file.commands[2].0, killed_at);
    let mut sim = file
        .scenario(&WorldOptions::default())
        .and_then(|s| s.build())
        .expect("it builds");
    sim.run(Some(SimTime(800_000)));
    let headless = Summary::of(&sim);
    let tui = Summary::of(&app.sim);
    // The faults did something: retries after the dropped answer, a partition led elsewhere.
    assert!(tui.producer.retries > 0);
    assert!(tui.ledger.counts.get("in_progress").is_some_and(|n| *n > 0));
    for part in ["ledger", "producer", "partitions", "consumer"] {
        assert_eq!(section(&headless, part), section(&tui, part), "{part}");
    }
    let _ = std::fs::remove_dir_all(path.parent().expect("a directory"));
}

#[test]
fn beats_pause_the_story_with_their_caption_and_play_again_after_a_rewind() {
    let file = find("acks-leader-crash").expect("built in");
    let mut app = App::for_scenario(&file, &WorldOptions::default(), Lang::En).expect("it opens");
    assert!(app.set_speed(1.0));
    run_to(&mut app, 1_200_000);
    assert!(app.paused, "the beat at 1 s pauses");
    assert_eq!(app.sim.now(), SimTime(1_000_000));
    let caption = app.beat_caption.clone().expect("a caption");
    assert!(caption.en.contains("replicates slowly"), "{}", caption.en);
    assert!(!caption.zh.is_empty());
    // The slow follower (scripted at 1 s) was applied before the pause.
    assert_eq!(app.timeline.next, 1);
    app.update(Action::TogglePause);
    assert!(app.beat_caption.is_none());
    run_to(&mut app, 1_600_000);
    assert_eq!(app.sim.now(), SimTime(1_500_000), "the beat at 1.5 s");
    app.seek(SimTime(500_000));
    app.update(Action::TogglePause);
    run_to(&mut app, 1_200_000);
    assert_eq!(app.sim.now(), SimTime(1_000_000), "the first beat again");
}

#[test]
fn the_home_screen_opens_a_built_in_scenario() {
    let mut app = App::new(&AppOptions {
        world: WorldOptions::default(),
        lang: Some(Lang::En),
    })
    .expect("the sandbox starts");
    app.update(Action::OpenHome);
    let lessons = app.course.len();
    assert_eq!(app.scenarios.len(), builtin().len());
    for _ in 0..lessons + 2 {
        app.update(Action::HomeDown);
    }
    assert_eq!(app.mode, Mode::Home(lessons + 2));
    app.update(Action::HomeChoose);
    let want = &builtin()[2];
    assert_eq!(
        app.scenario_title.as_ref().map(|t| t.en.clone()),
        Some(want.title.en.clone())
    );
    assert_eq!(app.timeline.commands.len(), want.commands.len());
    assert!(app.lesson.is_none());
}

#[test]
fn restarting_a_scenario_keeps_its_story() {
    let file = find("retries-reordering").expect("built in");
    let mut app = App::for_scenario(&file, &WorldOptions::default(), Lang::En).expect("it opens");
    assert!(app.set_speed(1.0));
    run_to(&mut app, 200_000);
    app.update(Action::DropAcks);
    app.update(Action::Reset);
    assert_eq!(app.sim.now(), SimTime::ZERO);
    assert_eq!(app.timeline.commands.len(), file.commands.len());
    assert!(app.timeline.commands.iter().all(|c| c.scripted));
    assert_eq!(app.scenario_title.as_ref(), Some(&file.title));
    assert_eq!(app.timeline.span, file.until.expect("an until"));
}

fn screen(app: &App, w: u16, h: u16) -> ratatui::backend::TestBackend {
    let mut t =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("a terminal");
    t.draw(|f| kafka_flow::ui::draw(f, app)).expect("drawn");
    t.backend().clone()
}

fn home(lang: Lang) -> App {
    let mut app = App::new(&AppOptions {
        world: WorldOptions::default(),
        lang: Some(lang),
    })
    .expect("the sandbox starts");
    app.update(Action::OpenHome);
    // The learner's own progress file must not show in a snapshot.
    app.progress = kafka_flow::lesson::progress::Progress::default();
    for _ in 0..app.course.len() + 2 {
        app.update(Action::HomeDown);
    }
    app
}

#[test]
fn home_screen_lists_the_scenarios_beside_the_lessons() {
    insta::assert_snapshot!("home_80x24_en", screen(&home(Lang::En), 80, 24));
    insta::assert_snapshot!("home_120x36_zh", screen(&home(Lang::Zh), 120, 36));
}

#[test]
fn a_beat_speaks_in_the_narration_in_en_and_zh() {
    for (lang, name) in [(Lang::En, "beat_120x36_en"), (Lang::Zh, "beat_120x36_zh")] {
        let file = find("acks-leader-crash").expect("built in");
        let mut app = App::for_scenario(&file, &WorldOptions::default(), lang).expect("it opens");
        assert!(app.set_speed(1.0));
        run_to(&mut app, 1_200_000);
        assert!(app.paused);
        insta::assert_snapshot!(name, screen(&app, 120, 36));
    }
}

#[test]
fn a_rewound_screen_shows_the_watched_future_dotted() {
    let mut cfg = kafka_flow::sim::Config::defaults(kafka_flow::sim::KafkaVersion::V4);
    cfg.set("auto.offset.reset", "earliest").expect("a setting");
    cfg.set("group.initial.rebalance.delay.ms", "0")
        .expect("a setting");
    let w = kafka_flow::sim::workload::Workload {
        rate: 2_000.0,
        ..kafka_flow::sim::workload::Workload::notes_loop(1_000_000)
    };
    let mut app = App::with(cfg, w, 42, Lang::En, kafka_flow::ui::theme::Theme::dark())
        .expect("the app starts");
    assert!(app.set_speed(1.0));
    run_to(&mut app, 300_000);
    app.update(Action::KillLeader);
    run_to(&mut app, 600_000);
    // At 0.2×, `{` goes back ten seconds of screen time: 2 s of virtual time, to the start;
    // then forward to just before the kill.
    assert!(app.set_speed(0.2));
    app.update(Action::Skip {
        back: true,
        long: true,
    });
    assert_eq!(app.sim.now(), SimTime::ZERO);
    app.seek(SimTime(250_000));
    assert!(app.paused);
    insta::assert_snapshot!("rewound_120x36_en", screen(&app, 120, 36));
}
