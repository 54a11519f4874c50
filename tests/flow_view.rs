//! The flow view at fixed virtual times (TestBackend + insta), in English and Chinese, at
//! 80×24, 120×36 and 160×48: a busy producer with several batches per deque and requests
//! in flight, then a leader crash with acks=1 (records lost), a dropped answer without
//! idempotence (a record written twice) and the old leader's return (its log truncated).

mod common;

use kafka_flow::app::App;
use kafka_flow::i18n::Lang;
use kafka_flow::sim::command::Fault;
use kafka_flow::sim::{Command, Config, KafkaVersion, SimTime};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;

/// Virtual time one tick advances (the app runs at 1×, ticks of 1 ms).
const TICK_MS: u64 = 1;

/// A busy producer: small batches, a slow network, acks=1 and no idempotence.
fn busy_config() -> Config {
    config(&[
        ("acks", "1"),
        ("enable.idempotence", "false"),
        ("linger.ms", "5"),
        ("batch.size", "1024"),
        ("network.latency.ms", "10"),
    ])
}

/// A slow one, so that a whole partition fits on a tape: the controller notices a dead
/// broker after 1 s.
fn faults_config() -> Config {
    config(&[
        ("acks", "1"),
        ("enable.idempotence", "false"),
        ("linger.ms", "5"),
        ("network.latency.ms", "2"),
        ("request.timeout.ms", "300"),
        ("broker.session.timeout.ms", "1000"),
    ])
}

fn config(settings: &[(&str, &str)]) -> Config {
    let mut cfg = Config::defaults(KafkaVersion::V4);
    cfg.set("auto.offset.reset", "earliest").unwrap();
    cfg.set("group.initial.rebalance.delay.ms", "0").unwrap();
    for (k, v) in settings {
        cfg.set(k, v).unwrap();
    }
    cfg
}

fn app(lang: Lang, cfg: Config, rate: f64, faults: &[(u64, Fault)]) -> App {
    let mut app = common::tui::keyed_app(cfg, 1_000_000, rate, lang);
    for (ms, f) in faults {
        app.sim.schedule(
            SimTime::from_millis(*ms),
            Command::Fault { fault: f.clone() },
        );
    }
    app
}

fn run_to(app: &mut App, virtual_ms: u64) {
    while app.sim.now() < SimTime::from_millis(virtual_ms) {
        app.on_tick(Duration::from_millis(TICK_MS));
    }
}

fn screen(app: &App, w: u16, h: u16) -> TestBackend {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| kafka_flow::ui::draw(f, app)).unwrap();
    t.backend().clone()
}

fn text(b: &TestBackend) -> String {
    let buf = b.buffer();
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

/// A dropped answer (the retry writes its records twice), the leader of p1 killed with
/// acks=1 (what it acknowledged alone is lost), and its return (its log truncated).
fn faults() -> Vec<(u64, Fault)> {
    vec![
        (
            300,
            Fault::DropResponses {
                broker: Some(0),
                count: 1,
            },
        ),
        (
            400,
            Fault::SlowFollower {
                broker: 2,
                extra_ms: 300,
            },
        ),
        (
            400,
            Fault::SlowFollower {
                broker: 0,
                extra_ms: 300,
            },
        ),
        (600, Fault::KillLeader { partition: 1 }),
        (2_000, Fault::RestartBroker { broker: 1 }),
    ]
}

fn busy(lang: Lang) -> App {
    let mut a = app(lang, busy_config(), 40_000.0, &[]);
    run_to(&mut a, 250);
    a
}

fn after_faults(lang: Lang) -> App {
    let mut a = app(lang, faults_config(), 100.0, &faults());
    run_to(&mut a, 3_000);
    a
}

macro_rules! snapshots {
    ($($name:ident: $scene:ident, $lang:expr, $w:expr, $h:expr;)*) => {$(
        #[test]
        fn $name() {
            insta::assert_snapshot!(screen(&$scene($lang), $w, $h));
        }
    )*};
}

snapshots! {
    busy_80x24_en: busy, Lang::En, 80, 24;
    busy_120x36_en: busy, Lang::En, 120, 36;
    busy_120x36_zh: busy, Lang::Zh, 120, 36;
    busy_160x48_en: busy, Lang::En, 160, 48;
    busy_160x48_zh: busy, Lang::Zh, 160, 48;
    faults_80x24_en: after_faults, Lang::En, 80, 24;
    faults_80x24_zh: after_faults, Lang::Zh, 80, 24;
    faults_120x36_en: after_faults, Lang::En, 120, 36;
    faults_120x36_zh: after_faults, Lang::Zh, 120, 36;
    faults_160x48_en: after_faults, Lang::En, 160, 48;
}

/// The busy scene draws what it is for: several batches in one deque, five requests in
/// flight on one connection, every one of them labelled on its wire.
#[test]
fn busy_scene_draws_deques_and_every_request_in_flight() {
    let a = busy(Lang::En);
    let view = a.sim.view();
    assert!(
        view.accumulator()
            .lanes
            .iter()
            .any(|l| l.batches.len() >= 3)
    );
    let nc = view.network_client();
    assert!(nc.connections.iter().any(|c| c.in_flight.len() == 5));
    let shown = text(&screen(&a, 160, 48));
    for r in nc.requests.iter().filter(|r| r.arrives.is_some()) {
        assert!(
            shown.contains(&format!("#{} p", r.id)),
            "request #{} not drawn",
            r.id
        );
    }
}

/// After the faults, the ledger's anomalies are on the tapes: ✗ where p1 lost what its
/// old leader acknowledged, ² for the records the dropped answer made the producer write
/// twice, ╳ for the cells the old leader's truncation removed.
#[test]
fn faults_scene_marks_lost_duplicated_and_truncated_cells() {
    let a = after_faults(Lang::En);
    let l = &a.ledger;
    assert!(l.lost.broker > 0 && l.duplicated.log > 0, "{:?}", l.counts);
    let shown = text(&screen(&a, 120, 36));
    let f = &a.glyphs.flow;
    let tapes: Vec<&str> = shown.lines().filter(|l| l.contains(" b")).collect();
    for mark in [f.lost, f.duplicate, f.struck] {
        assert!(
            tapes.iter().any(|l| l.contains(mark)),
            "no {mark} on the tapes:\n{shown}"
        );
    }
}

/// Where the followed record is drawn on one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Drawn {
    InBatch,
    InRequest,
    OnTape,
    InPoll,
    Committed,
}

fn drawn_at(app: &App, b: &TestBackend) -> Vec<Drawn> {
    let buf = b.buffer();
    let selected = app.theme.selected;
    let id = app.follow.as_ref().expect("following").record();
    let f = &app.glyphs.flow;
    let mut out = Vec::new();
    let mut acc_rows = 0..0;
    let mut wire_rows = Vec::new();
    for y in 0..buf.area.height {
        let row: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        if row.contains("RecordAccumulator") {
            acc_rows = y + 1..y + 4;
        }
        if row.starts_with(" b") && row.contains(f.wire) {
            wire_rows.push(y);
        }
        if row.contains(f.followed) && !row.contains(&format!("{}#{id}", f.followed)) {
            out.push(Drawn::OnTape);
        }
        if row.contains(&format!("{}#{id}", f.followed)) {
            out.push(Drawn::InPoll);
        }
        // The journey's last stage, `committed 57 (c0)` (the legend says `▽committed`).
        if row.contains(" committed ") && row.contains("(c0)") {
            out.push(Drawn::Committed);
        }
    }
    let highlighted = |y: u16, sym: &str| {
        (0..buf.area.width).any(|x| {
            let c = &buf[(x, y)];
            c.symbol() == sym && c.bg == selected.bg.unwrap_or_default()
        })
    };
    if acc_rows.clone().any(|y| highlighted(y, f.cell)) {
        out.push(Drawn::InBatch);
    }
    if wire_rows.iter().any(|&y| highlighted(y, "#")) {
        out.push(Drawn::InRequest);
    }
    out.sort();
    out.dedup();
    out
}

/// `F` follows the next record sent; frame by frame it is drawn in its batch, then in its
/// request on the wire, then on the tapes, then in the consumer's poll, and its journey
/// ends committed.
#[test]
fn a_followed_record_is_drawn_at_every_stage_in_order() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut cfg = config(&[("linger.ms", "5"), ("network.latency.ms", "2")]);
    cfg.set("commit.mode", "sync").unwrap();
    let mut a = app(Lang::En, cfg, 200.0, &[]);
    run_to(&mut a, 300);
    a.on_key(KeyEvent::new(KeyCode::Char('F'), KeyModifiers::SHIFT));
    let mut first_seen: Vec<(Drawn, u64)> = Vec::new();
    for step in 0..40_000u64 {
        // A tenth of a millisecond of virtual time per frame; once it is processed, the
        // commit is waited for without drawing every frame.
        a.on_tick(Duration::from_micros(100));
        let Some(j) = a.follow.as_ref() else {
            continue;
        };
        let processed = first_seen.iter().any(|(s, _)| *s == Drawn::InPoll);
        if processed && !j.committed() {
            continue;
        }
        for d in drawn_at(&a, &screen(&a, 120, 36)) {
            if !first_seen.iter().any(|(s, _)| *s == d) {
                first_seen.push((d, step));
            }
        }
        if first_seen.iter().any(|(s, _)| *s == Drawn::Committed) {
            break;
        }
    }
    let order: Vec<Drawn> = first_seen.iter().map(|(d, _)| *d).collect();
    assert_eq!(
        order,
        vec![
            Drawn::InBatch,
            Drawn::InRequest,
            Drawn::OnTape,
            Drawn::InPoll,
            Drawn::Committed
        ],
        "{first_seen:?}"
    );
}
