//! Rewinding a classroom session: ten minutes of virtual time at 200 records/s (the notes'
//! producer and consumer, about 1.6 million events), then jumps to times spread over it,
//! back and forth, as a teacher's `[`, `{`, `<` and `>` do. Each jump restores the latest
//! checkpoint before its target and replays the rest. `cargo bench --bench rewind`.

use criterion::{Criterion, criterion_group, criterion_main};
use kafka_flow::app::App;
use kafka_flow::i18n::Lang;
use kafka_flow::sim::workload::{Template, Workload};
use kafka_flow::sim::{Config, KafkaVersion, SimTime};
use kafka_flow::ui::theme::Theme;
use std::time::Duration;

const MINUTES: u64 = 10;

fn classroom_session() -> App {
    let mut cfg = Config::defaults(KafkaVersion::V4);
    cfg.set("auto.offset.reset", "earliest").expect("valid");
    cfg.set("group.initial.rebalance.delay.ms", "0")
        .expect("valid");
    let w = Workload {
        records: 10_000_000,
        rate: 200.0,
        key: Some(Template::parse("hello{i}").expect("valid")),
        ..Workload::notes_loop(10_000_000)
    };
    let mut app = App::with(cfg, w, 42, Lang::En, Theme::dark()).expect("valid scene");
    assert!(app.set_speed(1.0));
    // A leader crash two minutes in, as a lecture would show.
    app.seek(SimTime(120_000_000));
    app.update(kafka_flow::app::keys::Action::KillLeader);
    app.seek(SimTime(MINUTES * 60_000_000));
    app
}

fn rewind(c: &mut Criterion) {
    let mut app = classroom_session();
    println!(
        "session: {} events, {} checkpoints",
        app.sim.events(),
        app.timeline.checkpoints()
    );
    let end = MINUTES * 60_000_000;
    // Targets spread over the session, in a scrambled order (back and forth).
    let targets: Vec<SimTime> = (0..64u64)
        .map(|i| SimTime((i * 37 % 64) * end / 64 + 12_345))
        .collect();
    let mut g = c.benchmark_group("rewind");
    g.sample_size(64).measurement_time(Duration::from_secs(5));
    let mut i = 0;
    g.bench_function("jump_within_10min_at_200rps", |b| {
        b.iter(|| {
            i = (i + 1) % targets.len();
            app.seek(targets[i]);
        });
    });
    // The worst case: just before a checkpoint, the longest replay.
    g.bench_function("back_10min_to_the_start", |b| {
        b.iter(|| {
            app.seek(SimTime(end));
            app.seek(SimTime(1));
        });
    });
    g.finish();
}

criterion_group!(benches, rewind);
criterion_main!(benches);
