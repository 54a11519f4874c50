//! A Chinese event log and ledger after crash-consumer, kill-leader and slow-follower runs
//! hold no English sentence: Kafka's own names (settings, errors, classes, calls such as
//! poll()) stay, and so do numbers and ids, but no three plain English words in a row.

mod common;

use common::{config, run, workload};
use kafka_flow::app::narrate::narrate;
use kafka_flow::i18n::{Lang, describe};
use kafka_flow::sim::KafkaVersion;

/// The first run of three plain lower-case English words in `text`, if any.
fn english_run(text: &str) -> Option<String> {
    // Chinese characters and full-width punctuation end a run; so does anything in a
    // word that is not a letter (acks=1, poll(), p0, linger.ms).
    let ascii: String = text
        .chars()
        .map(|c| if c.is_ascii() { c } else { '|' })
        .collect();
    for segment in ascii.split('|') {
        let mut run: Vec<&str> = vec![];
        for word in segment.split([' ', ',', ':', ';']) {
            if !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase()) {
                run.push(word);
                if run.len() >= 3 {
                    return Some(run.join(" "));
                }
            } else if !word.is_empty() {
                run.clear();
            }
        }
    }
    None
}

#[test]
fn the_detector_finds_english() {
    assert_eq!(
        english_run("消费者 0 crashed at the end").as_deref(),
        Some("crashed at the")
    );
    assert_eq!(
        english_run("acks=all 而 ISR [0] 小于 min.insync.replicas=2"),
        None
    );
    assert_eq!(
        english_run("broker 1 拒绝分区 0 的批次：NOT_ENOUGH_REPLICAS"),
        None
    );
}

/// Settings and timed faults of one run.
type Scenario = (
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

#[test]
fn a_chinese_log_after_faults_has_no_english_sentence() {
    let scenarios: [Scenario; 4] = [
        (
            &[
                ("consumers", "1"),
                ("acks", "1"),
                ("enable.idempotence", "false"),
            ],
            &[
                "300ms:kill-leader:0",
                "400ms:crash-consumer:0",
                "2s:restart-consumer:0",
            ],
        ),
        (
            &[("consumers", "2")],
            &[
                "100ms:slow-follower:1:3000",
                "200ms:drop-responses:3",
                "300ms:reject-produce:2",
            ],
        ),
        (
            &[("consumers", "1"), ("commit.mode", "sync-before")],
            &[
                "500ms:crash-consumer:0",
                "1s:restart-consumer:0",
                "1200ms:close-producer",
            ],
        ),
        (
            &[
                ("unclean.leader.election.enable", "true"),
                ("acks", "1"),
                ("consumers", "1"),
            ],
            &[
                "100ms:isolate-broker:1",
                "300ms:kill-leader:0",
                "2s:crash-producer",
            ],
        ),
    ];
    let mut lines = 0;
    let mut examples = 0;
    for (sets, faults) in scenarios {
        let r = run(
            config(KafkaVersion::V4, sets),
            workload(3_000, Some("k{i}"), "v{i}", 5_000.0),
            faults,
            7,
        );
        for (t, e) in r.events() {
            if let Some(line) = narrate(t, e, Lang::Zh, true) {
                lines += 1;
                assert!(
                    english_run(&line.text).is_none(),
                    "{faults:?}: English in {:?}",
                    line.text
                );
            }
        }
        for ex in r.sim.view().verdicts().examples {
            let text = describe::explanation(Lang::Zh, &ex.cause);
            examples += 1;
            assert!(
                english_run(&text).is_none(),
                "{faults:?}: English in {text:?}"
            );
        }
    }
    assert!(
        lines > 100 && examples > 0,
        "{lines} lines, {examples} examples"
    );
}

/// The whole Chinese screen, as a learner sees it after pressing `c` (crash the consumer),
/// `k` (kill a leader), picking a slow follower in the fault menu and typing a value the
/// setting refuses: no English sentence anywhere on it — panels, event log, ledger,
/// status line.
#[test]
fn a_chinese_screen_after_faults_and_a_refused_value_has_no_english_sentence() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use kafka_flow::app::App;

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use std::time::Duration;

    let press = |app: &mut App, code: KeyCode| {
        app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    };
    let ticks = |app: &mut App, n: u32| {
        for _ in 0..n {
            app.on_tick(Duration::from_millis(100));
        }
    };
    // The built-in scenario of the screen snapshots (tests/tui_screens.rs): a consumer,
    // 2,000 keyed records a second.
    let mut cfg = kafka_flow::sim::Config::defaults(KafkaVersion::V4);
    cfg.set("linger.ms", "20").expect("a valid value");
    cfg.set("auto.offset.reset", "earliest")
        .expect("a valid value");
    let mut app = common::tui::keyed_app(cfg, 1_000_000, 2_000.0, Lang::Zh);
    let pick = |app: &mut App, wanted: fn(&kafka_flow::sim::Fault) -> bool| {
        let at = app
            .fault_menu()
            .iter()
            .position(|e| wanted(&e.fault))
            .expect("the menu offers it");
        app.on_key(KeyEvent::new(KeyCode::Char('f'), KeyModifiers::NONE));
        for _ in 0..at {
            app.on_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
        }
        app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    };
    // The consumer joins (about 3 s), processes, crashes inside a poll and comes back:
    // it reads again what it processed after its last auto-commit (重复消费, with a cause).
    ticks(&mut app, 60);
    press(&mut app, KeyCode::Char('c'));
    ticks(&mut app, 10);
    pick(&mut app, |f| {
        matches!(f, kafka_flow::sim::Fault::RestartConsumer { .. })
    });
    ticks(&mut app, 60);
    press(&mut app, KeyCode::Char('k'));
    ticks(&mut app, 10);
    pick(&mut app, |f| {
        matches!(f, kafka_flow::sim::Fault::SlowFollower { .. })
    });
    ticks(&mut app, 30);
    // The selected knob (linger.ms) refuses a word.
    press(&mut app, KeyCode::Enter);
    for c in "abc".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);

    let mut t = Terminal::new(TestBackend::new(160, 48)).expect("a test terminal");
    t.draw(|f| kafka_flow::ui::draw(f, &app)).expect("drawn");
    let screen = t.backend().to_string();
    no_english_line(&screen);
    assert!(
        screen.contains("已拒绝"),
        "the refusal is on screen:\n{screen}"
    );
    // The flow view counts anomalies on its ledger line …
    assert!(screen.contains("重复"), "{screen}");
    insta::assert_snapshot!(screen);
    // … and `a` answers in Chinese too (it follows the latest one, or says there is none).
    press(&mut app, KeyCode::Char('a'));
    t.draw(|f| kafka_flow::ui::draw(f, &app)).expect("drawn");
    let screen = t.backend().to_string();
    no_english_line(&screen);
    assert!(screen.contains("异常"), "{screen}");
}

/// Fails on the first line of `screen` with an English run in it.
fn no_english_line(screen: &str) {
    for line in screen.lines() {
        assert_eq!(
            english_run(line),
            None,
            "English on the Chinese screen: {line}"
        );
    }
}
