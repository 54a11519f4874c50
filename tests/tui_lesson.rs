//! A lesson in the app: the panel beside the animation, goals checked live, hints, steps,
//! the predict-then-reveal question, and locked knobs.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kafka_flow::app::App;
use kafka_flow::app::lesson::LessonState;
use kafka_flow::i18n::Lang;
use kafka_flow::lesson::load::parse;
use kafka_flow::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;

const LESSON: &str = r#"
id = "linger-demo"
number = 2
title = { en = "batch.size and linger.ms", zh = "batch.size 与 linger.ms" }
summary = { en = "Fill batches.", zh = "把批次装满。" }
notes = "004_b0714076a0a3cce6.txt: linger.ms"
closing = { en = "Batches fill when records wait.", zh = "记录多等一会儿，批次就满了。" }
[setup]
records = 100000
rate = 1000.0
until = "5s"
settings = { "linger.ms" = "0", "consumers" = "0" }
[[steps]]
text = { en = "Each record leaves alone. Raise linger.ms until batches hold 10 records.", zh = "现在每条记录单独发出。调大 linger.ms，让每批至少装 10 条。" }
key = { en = "The key sentence.", zh = "要点。" }
knobs = ["linger.ms"]
hints = [{ en = "Look at why batches leave.", zh = "看看批次为什么被发出。" }, { en = "Set linger.ms to 50.", zh = "把 linger.ms 设为 50。" }]
[[steps.goals]]
metric = "producer.records_per_batch"
op = ">="
value = 10
text = { en = "at least 10 records per batch", zh = "每批至少 10 条记录" }
[steps.question]
prompt = { en = "With linger.ms=0 and 1000 records/s, how many records per batch?", zh = "linger.ms=0、每秒 1000 条时，每批几条？" }
reveal = { en = "What happened.", zh = "发生了什么。" }
[[steps.question.choices]]
text = { en = "about one", zh = "大约 1 条" }
metric = "producer.records_per_batch"
op = "<"
value = 2
[[steps.question.choices]]
text = { en = "many", zh = "很多" }
metric = "producer.records_per_batch"
op = ">="
value = 2
[steps.solution]
settings = { "linger.ms" = "50" }
[[steps]]
text = { en = "Now change batch.size.", zh = "现在调 batch.size。" }
key = { en = "The key sentence.", zh = "要点。" }
knobs = ["batch.size"]
[[steps.goals]]
metric = "producer.avg_batch_bytes"
op = ">="
value = 100000
text = { en = "batches of 100 KB", zh = "每批 100 KB" }
[steps.solution]
settings = { "batch.size" = "1048576", "linger.ms" = "1000" }
"#;

fn app(lang: Lang) -> App {
    let lesson = parse(LESSON, "demo.toml").unwrap();
    let config = kafka_flow::lesson::load::setup_config(&lesson).unwrap();
    let workload = kafka_flow::lesson::check::setup_workload(&lesson).unwrap();
    let mut app = App::with(config, workload, 42, lang, Theme::dark()).unwrap();
    app.start_lesson(LessonState::new(lesson, None));
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn run(app: &mut App, wall_ms: u64) {
    assert!(app.set_speed(1.0));
    for _ in 0..wall_ms / 100 {
        app.on_tick(Duration::from_millis(100));
    }
}

fn screen(app: &App, w: u16, h: u16) -> TestBackend {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| kafka_flow::ui::draw(f, app)).unwrap();
    t.backend().clone()
}

#[test]
fn only_the_steps_knobs_are_offered_and_goals_turn_green() {
    let mut a = app(Lang::En);
    assert_eq!(
        a.knobs.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(),
        ["linger.ms"]
    );
    // The question holds the world at 0 until it is answered.
    run(&mut a, 2_000);
    assert_eq!(a.sim.now(), kafka_flow::sim::SimTime::ZERO);
    key(&mut a, KeyCode::Char('1'));
    run(&mut a, 2_000);
    assert_eq!(a.lesson.as_ref().unwrap().goals_met, [false]);
    // → steps linger.ms 0 → 1 → 5 → 10 → 50.
    for _ in 0..4 {
        key(&mut a, KeyCode::Right);
    }
    assert_eq!(a.sim.config().producer.linger_ms, 50);
    run(&mut a, 3_000);
    // The checklist is live, but the step is done only once the run reaches `until` (5 s).
    let st = a.lesson.as_ref().unwrap();
    assert_eq!(st.goals_met, [true]);
    assert!(!st.step_done);
    run(&mut a, 2_500);
    let st = a.lesson.as_ref().unwrap();
    assert!(st.step_done, "goals {:?}", st.goals_met);
    // n moves on: a fresh world and the next step's knob only.
    key(&mut a, KeyCode::Char('n'));
    assert_eq!(a.lesson.as_ref().unwrap().step, 1);
    assert_eq!(
        a.knobs.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(),
        ["batch.size"]
    );
    assert_eq!(
        a.sim.config().producer.linger_ms,
        0,
        "each step starts from the setup"
    );
    key(&mut a, KeyCode::Char('p'));
    assert_eq!(a.lesson.as_ref().unwrap().step, 0);
}

#[test]
fn hints_come_one_at_a_time_and_the_simulation_reveals_the_answer() {
    let mut a = app(Lang::En);
    key(&mut a, KeyCode::Char('h'));
    assert_eq!(a.lesson.as_ref().unwrap().hints_shown, 1);
    key(&mut a, KeyCode::Char('h'));
    key(&mut a, KeyCode::Char('h'));
    assert_eq!(a.lesson.as_ref().unwrap().hints_shown, 2);
    // Digits answer a pending question instead of focusing panels.
    key(&mut a, KeyCode::Char('2'));
    let st = a.lesson.as_ref().unwrap();
    assert_eq!(st.answer, Some(1));
    assert_eq!(st.right, Some(0), "one record per batch at linger.ms=0");
}

#[test]
fn lesson_screen_en_and_zh() {
    for (lang, name) in [
        (Lang::En, "lesson_160x48_en"),
        (Lang::Zh, "lesson_160x48_zh"),
    ] {
        let mut a = app(lang);
        run(&mut a, 1_000);
        key(&mut a, KeyCode::Char('h'));
        insta::assert_snapshot!(name, screen(&a, 160, 48));
    }
    let mut a = app(Lang::Zh);
    run(&mut a, 1_000);
    insta::assert_snapshot!("lesson_80x24_zh", screen(&a, 80, 24));
}

/// A fresh directory under the temp dir for one test.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("kf-tui-progress-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn with_progress(lang: Lang, path: std::path::PathBuf) -> App {
    let lesson = parse(LESSON, "demo.toml").unwrap();
    let config = kafka_flow::lesson::load::setup_config(&lesson).unwrap();
    let workload = kafka_flow::lesson::check::setup_workload(&lesson).unwrap();
    let mut app = App::with(config, workload, 42, lang, Theme::dark()).unwrap();
    app.start_lesson(LessonState::new(lesson, Some(path)));
    app
}

fn screen_text(app: &App) -> String {
    screen(app, 160, 48)
        .buffer()
        .content()
        .iter()
        .map(ratatui::buffer::Cell::symbol)
        .collect()
}

#[test]
fn the_status_line_says_when_progress_cannot_be_saved() {
    let dir = temp_dir("ro");
    let original = std::fs::metadata(&dir).unwrap().permissions();
    let mut perms = original.clone();
    perms.set_readonly(true);
    std::fs::set_permissions(&dir, perms).unwrap();
    let path = dir.join("progress.toml");

    let mut a = with_progress(Lang::En, path.clone());
    let (level, said) = a.status.clone().expect("a status message");
    assert_eq!(level, kafka_flow::app::narrate::Level::Bad);
    assert_eq!(
        said.get(Lang::En),
        format!("progress not saved: {} is read-only", dir.display())
    );
    assert!(screen_text(&a).contains("progress not saved:"), "on screen");
    // Finishing the step still says it, after the good news.
    key(&mut a, KeyCode::Char('1'));
    for _ in 0..4 {
        key(&mut a, KeyCode::Right);
    }
    run(&mut a, 6_000);
    let text = a.status.clone().unwrap().1.get(Lang::En).to_string();
    assert!(
        text.starts_with("step done!") && text.contains("progress not saved"),
        "{text}"
    );

    let a = with_progress(Lang::Zh, path.clone());
    let text = a.status.clone().unwrap().1.get(a.lang).to_string();
    assert!(
        text.starts_with("学习进度未保存：") && text.ends_with("是只读的"),
        "{text}"
    );
    assert!(!path.exists());

    std::fs::set_permissions(&dir, original).unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_damaged_progress_file_is_set_aside_and_the_learner_told() {
    let dir = temp_dir("damaged");
    let path = dir.join("progress.toml");
    let original = "[lessons.linger-demo]\nstep = 1\ndone = false\n\n[lessons.acks]\nstep = -1\ndone = true\n\n[lessons.retries]\nstep = 2\ndone = true\n";
    std::fs::write(&path, original).unwrap();
    let a = with_progress(Lang::En, path.clone());
    assert_eq!(
        a.lesson.as_ref().unwrap().step,
        1,
        "resumed where it stopped"
    );
    let backup = dir.join("progress.toml.bak-1");
    let text = a.status.clone().unwrap().1.get(a.lang).to_string();
    assert_eq!(
        text,
        format!(
            "{} had unreadable entries: kept the readable ones, the original is now {}",
            path.display(),
            backup.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), original);
    let now = kafka_flow::lesson::progress::Progress::read(&path);
    assert!(now.is_complete(), "{:?}", now.problems);
    let ids: Vec<&str> = now.progress.lessons.keys().map(String::as_str).collect();
    assert_eq!(ids, ["linger-demo", "retries"]);
    let _ = std::fs::remove_dir_all(dir);
}
