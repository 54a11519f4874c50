//! Every question of the built-in course, asked honestly in the TUI: the world is held before
//! the moment that decides it, nothing on screen gives the answer away, and answering plays
//! the moment and reveals what the simulation says.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kafka_flow::app::App;
use kafka_flow::app::lesson::LessonState;
use kafka_flow::i18n::Lang;
use kafka_flow::lesson::Lesson;
use kafka_flow::lesson::load::load_all;
use kafka_flow::sim::SimTime;
use kafka_flow::sim::summary::Summary;
use kafka_flow::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn course() -> Vec<Lesson> {
    let (lessons, errors) = load_all(None).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    lessons
}

fn app_at(lesson: &Lesson, step: usize, lang: Lang) -> App {
    let config = kafka_flow::lesson::load::setup_config(lesson).unwrap();
    let workload = kafka_flow::lesson::check::setup_workload(lesson).unwrap();
    let mut app = App::with(
        config,
        workload,
        lesson.setup.scenario.seed,
        lang,
        Theme::dark(),
    )
    .unwrap();
    app.start_lesson(LessonState::new(lesson.clone(), None));
    for _ in 0..step {
        key(&mut app, KeyCode::PageDown);
    }
    assert_eq!(app.lesson.as_ref().unwrap().step, step);
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn screen_text(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| kafka_flow::ui::draw(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first few words of `text` (they sit on one line of the panel).
fn opening(text: &str) -> String {
    words(text, 3)
}

fn words(text: &str, n: usize) -> String {
    text.split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn every_question_is_held_before_its_answer_and_revealed_after() {
    let mut asked = 0;
    for lesson in course() {
        for (i, step) in lesson.steps.iter().enumerate() {
            let Some(q) = &step.question else { continue };
            asked += 1;
            let name = format!("lesson {} step {}", lesson.number, i + 1);
            let mut a = app_at(&lesson, i, Lang::En);
            let fresh = Summary::of(&a.sim);
            // Play far past the hold: the world stops there.
            a.seek(q.hold + kafka_flow::sim::SimDuration::from_secs(30));
            assert_eq!(a.sim.now(), q.hold, "{name}: held at its hold");
            assert!(a.paused && a.held_for_question(), "{name}");
            key(&mut a, KeyCode::Char(' '));
            assert!(a.paused, "{name}: Space does not play past the question");
            key(&mut a, KeyCode::Char('.'));
            assert_eq!(a.sim.now(), q.hold, "{name}: nor does a step");

            // Nothing on screen gives the answer away.
            let held = Summary::of(&a.sim);
            for c in &q.choices {
                assert_eq!(
                    c.condition.metric.read(&held),
                    c.condition.metric.read(&fresh),
                    "{name}: {} has moved before the answer",
                    c.condition.metric
                );
            }
            for (w, h) in [(80, 24), (120, 36), (160, 48)] {
                let s = screen_text(&a, w, h);
                assert!(!s.contains("simulation says so"), "{name} {w}x{h}\n{s}");
                assert!(!s.contains("What happened"), "{name} {w}x{h}\n{s}");
                // Six words: a reveal may open with its right choice's words.
                let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(
                    !flat.contains(&words(&q.reveal.en, 6)),
                    "{name} {w}x{h}: the reveal shows\n{s}"
                );
                for g in &step.goals {
                    // A goal is drawn as "✗ its text" (or ✓).
                    let drawn = |mark: &str| format!("{mark} {}", opening(&g.text.en));
                    assert!(
                        !s.contains(&drawn("✗")) && !s.contains(&drawn("✓")),
                        "{name} {w}x{h}: goal '{}' shows before the answer\n{s}",
                        g.text.en
                    );
                }
                // The question itself is whole: its prompt and every choice are on screen.
                assert!(
                    flat.contains(&opening(&q.prompt.en)),
                    "{name} {w}x{h}: the prompt is cut\n{s}"
                );
                for c in &q.choices {
                    assert!(
                        flat.contains(&opening(&c.text.en)),
                        "{name} {w}x{h}: choice '{}' is cut\n{s}",
                        c.text.en
                    );
                }
            }

            // Answering plays the moment at the reveal speed and says what happened.
            key(&mut a, KeyCode::Char('1'));
            let st = a.lesson.as_ref().unwrap();
            assert!(st.revealed && st.right.is_some(), "{name}");
            assert!(!a.paused, "{name}: the moment plays after the answer");
            if let Some(speed) = q.reveal_speed {
                let want = kafka_flow::app::SPEEDS[kafka_flow::app::nearest_speed(speed)];
                assert!((a.speed_factor() - want).abs() < 1e-12, "{name}");
            }
            let s = screen_text(&a, 160, 48);
            assert!(s.contains("What happened"), "{name}\n{s}");
            // "✓ the simulation says so" marks the right choice (its line may wrap).
            assert!(s.contains("simulation"), "{name}\n{s}");
            assert!(
                !s.contains("Answer the question first"),
                "{name}: the status line no longer asks\n{s}"
            );

            // Played to the end, the TUI's own world agrees with the checker's answer.
            a.seek(lesson.setup.until);
            let end = Summary::of(&a.sim);
            let right = st_right(&a);
            assert_eq!(
                q.choices[right].condition.holds(&end),
                Ok(true),
                "{name}: the revealed answer holds in the world the learner watched"
            );
        }
    }
    assert!(asked >= 18, "only {asked} questions in the course");
}

/// The screen's text without any spaces, and the first `n` characters of `text` likewise:
/// Chinese lines wrap anywhere and wide characters leave blank cells behind them.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn head(text: &str, n: usize) -> String {
    squeeze(text).chars().take(n).collect()
}

#[test]
fn every_chinese_question_is_whole_and_held_at_three_sizes() {
    for lesson in course() {
        for (i, step) in lesson.steps.iter().enumerate() {
            let Some(q) = &step.question else { continue };
            let name = format!("lesson {} step {}", lesson.number, i + 1);
            let mut a = app_at(&lesson, i, Lang::Zh);
            a.seek(q.hold + kafka_flow::sim::SimDuration::from_secs(30));
            assert!(a.held_for_question(), "{name}");
            for (w, h) in [(80, 24), (120, 36), (160, 48)] {
                let s = squeeze(&screen_text(&a, w, h));
                assert!(
                    s.contains(&head(&q.prompt.zh, 6)),
                    "{name} {w}x{h}: prompt cut\n{s}"
                );
                for c in &q.choices {
                    assert!(
                        s.contains(&head(&c.text.zh, 6)),
                        "{name} {w}x{h}: choice cut"
                    );
                }
                // 24 characters: a reveal may open with its right choice's words.
                assert!(
                    !s.contains(&head(&q.reveal.zh, 24)),
                    "{name} {w}x{h}: reveal shows"
                );
                assert!(
                    !s.contains("仿真结果"),
                    "{name} {w}x{h}: the answer is marked"
                );
            }
        }
    }
}

fn st_right(a: &App) -> usize {
    a.lesson.as_ref().unwrap().right.unwrap()
}

#[test]
fn r_reveals_without_an_answer_and_page_keys_move_between_steps() {
    let lesson = course()
        .into_iter()
        .find(|l| l.steps.len() > 1 && l.steps[0].question.is_some())
        .expect("a lesson whose first step asks");
    let mut a = app_at(&lesson, 0, Lang::En);
    key(&mut a, KeyCode::Char('r'));
    let st = a.lesson.as_ref().unwrap();
    assert!(st.revealed && st.answer.is_none() && st.right.is_some());
    key(&mut a, KeyCode::PageDown);
    assert_eq!(a.lesson.as_ref().unwrap().step, 1);
    assert!(
        !a.lesson.as_ref().unwrap().revealed,
        "a new step asks again"
    );
    assert_eq!(a.sim.now(), SimTime::ZERO);
    key(&mut a, KeyCode::PageUp);
    assert_eq!(a.lesson.as_ref().unwrap().step, 0);
}

#[test]
fn presenter_mode_shows_the_key_sentence_and_hides_hints() {
    let lesson = course()
        .into_iter()
        .find(|l| l.steps[0].question.is_some() && !l.steps[0].hints.is_empty())
        .unwrap();
    let step = &lesson.steps[0];
    let mut a = app_at(&lesson, 0, Lang::En);
    key(&mut a, KeyCode::Char('h'));
    let s = screen_text(&a, 120, 36);
    assert!(s.contains("Hint 1"), "{s}");
    key(&mut a, KeyCode::Char('P'));
    let s = screen_text(&a, 120, 36);
    assert!(
        !s.contains("Hint 1"),
        "hints are hidden in presenter mode\n{s}"
    );
    assert!(
        !s.contains(&opening(&step.key.en)),
        "the key sentence would answer the question: it waits for the reveal\n{s}"
    );
    key(&mut a, KeyCode::Char('r'));
    let s = screen_text(&a, 120, 36);
    assert!(s.contains(&opening(&step.key.en)), "{s}");
    assert!(
        !s.contains(&opening(&step.text.en)),
        "the step's long text gives way to its key sentence\n{s}"
    );
    assert!(s.contains("PgDn next"), "{s}");
}

fn snapshot_screen(app: &App, w: u16, h: u16) -> TestBackend {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| kafka_flow::ui::draw(f, app)).unwrap();
    t.backend().clone()
}

/// Lesson 6, step 1, held at its question: the screen a class sees before it predicts.
fn held_acks_lesson(lang: Lang) -> App {
    let lesson = course()
        .into_iter()
        .find(|l| l.id == "acks-and-isr")
        .unwrap();
    let mut a = app_at(&lesson, 0, lang);
    let hold = lesson.steps[0].question.as_ref().unwrap().hold;
    a.seek(hold + kafka_flow::sim::SimDuration::from_secs(1));
    assert!(a.held_for_question());
    a
}

#[test]
fn lesson_screens_at_three_sizes_in_both_languages() {
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let a = held_acks_lesson(lang);
        for (w, h) in [(80, 24), (120, 36), (160, 48)] {
            insta::assert_snapshot!(
                format!("question_held_{w}x{h}_{tag}"),
                snapshot_screen(&a, w, h)
            );
        }
        let mut a = a;
        key(&mut a, KeyCode::Char('P'));
        insta::assert_snapshot!(
            format!("presenter_120x36_{tag}"),
            snapshot_screen(&a, 120, 36)
        );
        key(&mut a, KeyCode::Char('r'));
        insta::assert_snapshot!(
            format!("presenter_revealed_160x48_{tag}"),
            snapshot_screen(&a, 160, 48)
        );
    }
}
