//! One frame's render time in a busy scene: the built-in scenario at 20,000 records/s
//! after a leader crash (batches queued, requests and acks on the wire, retries in the
//! log), drawn at 160×48 into ratatui's TestBackend. `cargo bench --bench render`.

use criterion::{Criterion, criterion_group, criterion_main};
use kafka_flow::app::App;
use kafka_flow::i18n::Lang;
use kafka_flow::sim::workload::{Template, Workload};
use kafka_flow::sim::{Config, KafkaVersion};
use kafka_flow::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::time::Duration;

fn busy_scene(lang: Lang) -> App {
    let mut cfg = Config::defaults(KafkaVersion::V4);
    cfg.set("auto.offset.reset", "earliest").expect("valid");
    let w = Workload {
        records: 10_000_000,
        rate: 20_000.0,
        key: Some(Template::parse("hello{i}").expect("valid")),
        ..Workload::notes_loop(10_000_000)
    };
    let mut app = App::with(cfg, w, 42, lang, Theme::dark()).expect("valid scene");
    assert!(app.set_speed(1.0));
    for _ in 0..30 {
        app.on_tick(Duration::from_millis(100));
    }
    app.update(kafka_flow::app::keys::Action::KillLeader);
    for _ in 0..20 {
        app.on_tick(Duration::from_millis(100));
    }
    app
}

fn render(c: &mut Criterion) {
    let mut g = c.benchmark_group("render");
    g.sample_size(50).measurement_time(Duration::from_secs(3));
    for (name, lang) in [("busy_160x48_en", Lang::En), ("busy_160x48_zh", Lang::Zh)] {
        let app = busy_scene(lang);
        let mut term = Terminal::new(TestBackend::new(160, 48)).expect("test backend");
        g.bench_function(name, |b| {
            b.iter(|| {
                term.draw(|f| kafka_flow::ui::draw(f, black_box(&app)))
                    .expect("draw");
            });
        });
    }
    g.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
