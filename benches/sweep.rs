//! `kafka-flow sweep linger.ms=0,1,2,5,10,20,50,100 --records 100000`: the target is
//! under 2 s of wall time on 2 cores. Planning (parsing and validating the settings) is timed
//! too, as the command does it; printing is not.
//!
//! Run it alone: `cargo bench --bench sweep -- --sample-size 10`.

use criterion::{Criterion, criterion_group, criterion_main};
use kafka_flow::scenario::{WorkloadSpec, WorldOptions};
use kafka_flow::sweep::{SweepOptions, plan, run_all};
use std::hint::black_box;
use std::time::Duration;

fn linger_sweep(c: &mut Criterion) {
    let workload = WorkloadSpec {
        records: 100_000,
        ..WorkloadSpec::notes_loop()
    };
    let opts = SweepOptions {
        axes: vec!["linger.ms=0,1,2,5,10,20,50,100".to_string()],
        ..SweepOptions::default()
    };
    let mut group = c.benchmark_group("sweep");
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("linger_ms_8_values_100k", |b| {
        b.iter(|| {
            let (_, planned) =
                plan(&WorldOptions::default(), &workload, &opts).expect("valid sweep");
            black_box(run_all(&planned, None, &mut |_, _| {}).expect("runs complete"))
        });
    });
    group.finish();
}

criterion_group!(benches, linger_sweep);
criterion_main!(benches);
