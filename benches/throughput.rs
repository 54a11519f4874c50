//! Headless throughput of the simulation core, in records per second of wall time.
//!
//! `cargo bench` runs every benchmark below in about a minute; criterion prints
//! `thrpt:` lines in elements (records) per second. Building the simulation is not
//! timed (`iter_batched`): only `Sim::run`, i.e. what `kafka-flow run` spends after
//! parsing its flags.
//!
//! * `notes_loop_50k`: the course notes' loop (`hello{i}` keys and values), linger.ms=1,
//!   trace off: what `kafka-flow run --set linger.ms=1` does, the consumer group and the
//!   ledger included.
//! * `notes_loop_50k_producer_only`: the same with `consumers=0` (producer, brokers, ledger).
//! * `keyless_1m`: one million null-key records (the sticky partitioner), trace off: the
//!   design's "a million-record headless run well under a second".
//! * `notes_loop_50k_trace_drained`: as the first, with every trace event collected and
//!   dropped in the chunks `run_with` hands out.
//! * `notes_loop_50k_trace_jsonl`: as the first, with every trace event serialized as a JSON
//!   line into `io::sink()`: what `--trace FILE` costs, minus the disk.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use kafka_flow::sim::{Config, KafkaVersion, Sim, Workload};
use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

const SEED: u64 = 42;

fn config(settings: &[(&str, &str)]) -> Config {
    let mut cfg = Config::defaults(KafkaVersion::V4);
    for (name, value) in [("linger.ms", "1")].iter().chain(settings) {
        cfg.set(name, value)
            .expect("the benchmark's settings are valid");
    }
    cfg
}

fn sim_with(workload: Workload, trace: bool, settings: &[(&str, &str)]) -> Sim {
    let mut sim =
        Sim::new(config(settings), workload, SEED).expect("the benchmark's config is valid");
    sim.set_trace_enabled(trace);
    sim
}

fn sim(workload: Workload, trace: bool) -> Sim {
    sim_with(workload, trace, &[])
}

fn notes_loop(c: &mut Criterion) {
    let mut g = c.benchmark_group("headless");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    g.throughput(Throughput::Elements(50_000));
    g.bench_function("notes_loop_50k", |b| {
        b.iter_batched(
            || sim(Workload::notes_loop(50_000), false),
            |mut s| {
                s.run(None);
                assert_eq!(s.view().application().stats.acked, 50_000);
                s
            },
            BatchSize::PerIteration,
        );
    });

    g.bench_function("notes_loop_50k_producer_only", |b| {
        b.iter_batched(
            || sim_with(Workload::notes_loop(50_000), false, &[("consumers", "0")]),
            |mut s| {
                s.run(None);
                assert_eq!(s.view().application().stats.acked, 50_000);
                s
            },
            BatchSize::PerIteration,
        );
    });

    g.bench_function("notes_loop_50k_trace_drained", |b| {
        b.iter_batched(
            || sim(Workload::notes_loop(50_000), true),
            |mut s| {
                let mut events = 0usize;
                s.run_with(None, &mut |chunk| events += black_box(chunk).len());
                assert!(events > 50_000, "every record is traced at least once");
                s
            },
            BatchSize::PerIteration,
        );
    });

    g.bench_function("notes_loop_50k_trace_jsonl", |b| {
        b.iter_batched(
            || sim(Workload::notes_loop(50_000), true),
            |mut s| {
                let mut out = std::io::BufWriter::new(std::io::sink());
                s.run_with(None, &mut |chunk| {
                    for r in &chunk {
                        serde_json::to_writer(&mut out, r).expect("a trace event serializes");
                        out.write_all(b"\n").expect("the sink accepts everything");
                    }
                });
                s
            },
            BatchSize::PerIteration,
        );
    });

    g.throughput(Throughput::Elements(1_000_000));
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("keyless_1m", |b| {
        b.iter_batched(
            || {
                let mut w = Workload::notes_loop(1_000_000);
                w.key = None;
                sim(w, false)
            },
            |mut s| {
                s.run(None);
                assert_eq!(s.view().application().stats.acked, 1_000_000);
                s
            },
            BatchSize::PerIteration,
        );
    });
    g.finish();
}

criterion_group!(benches, notes_loop);
criterion_main!(benches);
