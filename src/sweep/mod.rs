//! `kafka-flow sweep NAME=V1,V2,… [NAME2=W1,W2,…]`: one headless run per value (or per pair
//! of values: a grid), run in parallel over the cores, reported as one table with the columns
//! of Kafka's `kafka-producer-perf-test` plus batching figures, a chart, JSON, CSV or an SVG.
//!
//! Each run is exactly `kafka-flow run --set NAME=V [--set NAME2=W]` with the same workload and
//! world options: the sweep adds the swept assignments after the user's own `--set`s, so a
//! sweep row and the single run give the same figures.

mod output;

pub use output::{COLUMNS, cells, chart, csv, json_rows, svg, table};

use crate::headless::{CliError, output_error, scenario, until_time};
use crate::scenario::{Scenario, WorkloadSpec, WorldOptions};
use crate::sim::SimTime;
use crate::sim::summary::Summary;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// More runs than this need `--yes`: a typo in a grid (`0..1000` of two settings) should not
/// quietly cost minutes.
pub const MAX_RUNS_WITHOUT_YES: usize = 300;

/// How the results are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// The table and the chart.
    #[default]
    Table,
    Json,
    Csv,
}

/// What `sweep` does besides the world and the workload.
#[derive(Clone, Debug, Default)]
pub struct SweepOptions {
    /// `NAME=V1,V2,…`, one or two.
    pub axes: Vec<String>,
    pub faults: Vec<String>,
    pub until: Option<String>,
    pub format: Format,
    /// Draw the chart as SVG here.
    pub plot: Option<PathBuf>,
    /// Run more than [`MAX_RUNS_WITHOUT_YES`] runs.
    pub yes: bool,
}

/// One swept setting and its values, in the order given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Axis {
    pub name: String,
    pub values: Vec<String>,
}

fn bad(m: impl Into<String>) -> CliError {
    CliError::BadInput(m.into())
}

/// `NAME=V1,V2,…`, values trimmed. The setting and values are checked later, against the
/// configuration (`Config::set`), as `--set` checks them.
pub fn parse_axis(text: &str) -> Result<Axis, CliError> {
    let Some((name, list)) = text.split_once('=') else {
        return Err(bad(format!(
            "sweep '{text}': expected NAME=V1,V2,… (e.g. linger.ms=0,5,10)"
        )));
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(bad(format!("sweep '{text}': the setting name is missing")));
    }
    if list.trim().is_empty() {
        return Err(bad(format!(
            "sweep {name}=: the list of values is empty (e.g. {name}=0,5,10)"
        )));
    }
    let values: Vec<String> = list.split(',').map(|v| v.trim().to_string()).collect();
    if values.iter().any(String::is_empty) {
        return Err(bad(format!(
            "sweep {name}={list}: an empty value in the list"
        )));
    }
    Ok(Axis {
        name: name.to_string(),
        values,
    })
}

/// One run of the sweep: its swept assignments (`(name, value)`, in axis order) and its world.
pub struct Planned {
    pub point: Vec<(String, String)>,
    pub scenario: Scenario,
}

/// The axes, checked, and every run they describe: the first setting outermost, so the output
/// reads like nested loops in the order the command line gives them.
pub fn plan(
    world: &WorldOptions,
    workload: &WorkloadSpec,
    opts: &SweepOptions,
) -> Result<(Vec<Axis>, Vec<Planned>), CliError> {
    if opts.axes.is_empty() {
        return Err(bad(
            "sweep: give a setting and its values, e.g. linger.ms=0,5,10",
        ));
    }
    if opts.axes.len() > 2 {
        return Err(bad(format!(
            "sweep takes one or two settings, got {}: {}",
            opts.axes.len(),
            opts.axes.join(" ")
        )));
    }
    let axes = opts
        .axes
        .iter()
        .map(|a| parse_axis(a))
        .collect::<Result<Vec<_>, _>>()?;
    if axes.len() == 2 && axes[0].name == axes[1].name {
        return Err(bad(format!(
            "sweep: {} is given twice; a grid needs two different settings",
            axes[0].name
        )));
    }
    let runs = axes.iter().map(|a| a.values.len()).product::<usize>();
    if runs > MAX_RUNS_WITHOUT_YES && !opts.yes {
        return Err(bad(format!(
            "sweep of {runs} runs (more than {MAX_RUNS_WITHOUT_YES}): add --yes to run them all"
        )));
    }
    // The user's own world first: a bad --set or --config is reported as `run` reports it.
    let base = world.config().map_err(bad)?;
    for a in &axes {
        for v in &a.values {
            base.clone()
                .set(&a.name, v)
                .map_err(|e| bad(format!("sweep {}={v}: {e}", a.name)))?;
        }
    }
    let points: Vec<Vec<(String, String)>> = match axes.as_slice() {
        [a] => a
            .values
            .iter()
            .map(|v| vec![(a.name.clone(), v.clone())])
            .collect(),
        [a, b] => a
            .values
            .iter()
            .flat_map(|v| {
                b.values
                    .iter()
                    .map(|w| vec![(a.name.clone(), v.clone()), (b.name.clone(), w.clone())])
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut planned = Vec::with_capacity(points.len());
    for point in points {
        let mut w = world.clone();
        w.set.extend(point.iter().map(|(n, v)| format!("{n}={v}")));
        let scenario = scenario(&w, workload, &opts.faults).map_err(|e| match e {
            CliError::BadInput(m) => bad(format!("sweep {}: {m}", assignments(&point))),
            other @ CliError::Io(_) => other,
        })?;
        planned.push(Planned { point, scenario });
    }
    Ok((axes, planned))
}

fn assignments(point: &[(String, String)]) -> String {
    point
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One run: what `kafka-flow run` does without a trace.
fn run_one(scenario: &Scenario, until: Option<SimTime>) -> Result<Summary, String> {
    let mut sim = scenario.build()?;
    sim.set_trace_enabled(false);
    sim.run(until);
    Ok(Summary::of(&sim))
}

/// Runs every planned world, in parallel over the cores, and returns the summaries in plan
/// order (the output does not depend on which thread finished first). `progress` is called
/// from this thread with (done, total) while the runs go, at most every 100 ms.
pub fn run_all(
    planned: &[Planned],
    until: Option<SimTime>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Summary>, CliError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(planned.len().max(1));
    let done = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Summary, String>>> = Vec::new();
    results.resize_with(planned.len(), || None);
    let waiter = std::thread::current();
    std::thread::scope(|s| {
        // Run i goes to thread i % threads: neighbouring runs (say linger.ms=0 and 1, the
        // slowest ones) land on different cores.
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let done = &done;
                let waiter = waiter.clone();
                s.spawn(move || {
                    planned
                        .iter()
                        .enumerate()
                        .skip(t)
                        .step_by(threads)
                        .map(|(i, p)| {
                            let r = run_one(&p.scenario, until);
                            done.fetch_add(1, Ordering::Relaxed);
                            waiter.unpark();
                            (i, r)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // Counted runs end the wait as soon as the last one is done; finished threads end it
        // too if a run panicked (and was never counted).
        while done.load(Ordering::Relaxed) < planned.len()
            && !handles
                .iter()
                .all(std::thread::ScopedJoinHandle::is_finished)
        {
            progress(done.load(Ordering::Relaxed), planned.len());
            // Woken by every finished run, so a short sweep does not wait out a tick.
            std::thread::park_timeout(Duration::from_millis(100));
        }
        for h in handles {
            // A panicking run is a bug; carry its panic to the caller rather than hide it.
            let part = h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            for (i, r) in part {
                results[i] = Some(r);
            }
        }
    });
    progress(planned.len(), planned.len());
    results
        .into_iter()
        .zip(planned)
        .map(|(r, p)| match r {
            Some(Ok(s)) => Ok(s),
            Some(Err(e)) => Err(bad(format!("sweep {}: {e}", assignments(&p.point)))),
            None => Err(CliError::Io("sweep: a run did not report".to_string())),
        })
        .collect()
}

/// The figures of one run, as the table, the CSV and the JSON show them.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    /// Acknowledged records per second of the producer's active virtual time (first send()
    /// to last acknowledgement); `None` when nothing was acknowledged.
    pub records_per_sec: Option<f64>,
    /// Acknowledged batch bytes per second of the same span, in MB of 1024 × 1024 bytes as
    /// Kafka's `ProducerPerformance.Stats.printTotal` counts them.
    pub mb_per_sec: Option<f64>,
    pub avg_ms: Option<f64>,
    pub max_ms: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub p99_9_ms: Option<f64>,
    pub records_per_batch: f64,
    pub requests: u64,
    /// Why batches left (`batch_send_reasons`), in the summary's order.
    pub reasons: BTreeMap<&'static str, u64>,
    /// Lost by a broker plus lost by the consumer (the ledger's verdicts).
    pub lost: u64,
    /// Duplicated in the log plus processed twice.
    pub duplicated: u64,
}

impl Figures {
    pub fn of(s: &Summary) -> Figures {
        let p = &s.producer;
        let secs = p.active_ms / 1000.0;
        let per_sec = |n: f64| (p.acked > 0 && secs > 0.0).then(|| n / secs);
        let l = &p.latency_ms;
        Figures {
            records_per_sec: per_sec(p.acked as f64),
            mb_per_sec: per_sec(p.acked_bytes as f64 / (1024.0 * 1024.0)),
            avg_ms: l.avg,
            max_ms: l.max,
            p50_ms: l.p50,
            p95_ms: l.p95,
            p99_ms: l.p99,
            p99_9_ms: l.p99_9,
            records_per_batch: p.records_per_batch,
            requests: p.requests,
            reasons: p.batch_send_reasons.clone(),
            lost: s.ledger.lost.broker + s.ledger.lost.consumer,
            duplicated: s.ledger.duplicated.log + s.ledger.duplicated.processing,
        }
    }

    /// `linger:12 full:3`: compact enough for a table cell.
    pub fn reasons_text(&self) -> String {
        if self.reasons.is_empty() {
            return "-".to_string();
        }
        self.reasons
            .iter()
            .map(|(r, n)| format!("{r}:{n}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A progress bar on stderr, only when stderr is a terminal and the sweep has taken longer
/// than half a second (a quick sweep should not flash one).
struct Progress {
    start: Instant,
    tty: bool,
    shown: bool,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            start: Instant::now(),
            tty: std::io::stderr().is_terminal(),
            shown: false,
        }
    }

    fn update(&mut self, done: usize, total: usize) {
        const WIDTH: usize = 30;
        if !self.tty || self.start.elapsed() < Duration::from_millis(500) {
            return;
        }
        let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH);
        // Best effort: a progress bar that cannot be drawn is no reason to stop the sweep.
        let _ = write!(
            std::io::stderr(),
            "\rsweep [{}{}] {done}/{total} runs",
            "#".repeat(filled),
            "-".repeat(WIDTH - filled)
        );
        self.shown = true;
    }

    fn finish(&self) {
        if self.shown {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

/// The whole command: plan, run, print (and plot).
pub fn sweep(
    world: &WorldOptions,
    workload: &WorkloadSpec,
    opts: &SweepOptions,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let until = until_time(opts.until.as_deref())?;
    let (axes, planned) = plan(world, workload, opts)?;
    let mut progress = Progress::new();
    let summaries = run_all(&planned, until, &mut |d, t| progress.update(d, t));
    progress.finish();
    let rows: Vec<(Vec<(String, String)>, Figures)> = planned
        .into_iter()
        .zip(summaries?)
        .map(|(p, s)| (p.point, Figures::of(&s)))
        .collect();
    if let Some(path) = &opts.plot {
        let text = svg(&axes, &rows).map_err(|e| CliError::Io(format!("--plot: {e}")))?;
        std::fs::write(path, text)
            .map_err(|e| bad(format!("cannot write plot file '{}': {e}", path.display())))?;
    }
    let text = match opts.format {
        Format::Table => format!("{}\n{}", table(&axes, &rows), chart(&rows)),
        Format::Csv => csv(&axes, &rows),
        Format::Json => {
            serde_json::to_string_pretty(&json_rows(&rows))
                .map_err(|e| CliError::Io(e.to_string()))?
                + "\n"
        }
    };
    out.write_all(text.as_bytes()).map_err(|e| output_error(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_axis_is_a_name_and_its_values_in_order() {
        assert_eq!(
            parse_axis("linger.ms= 0, 5,10").ok(),
            Some(Axis {
                name: "linger.ms".into(),
                values: vec!["0".into(), "5".into(), "10".into()]
            })
        );
        for bad_axis in ["linger.ms=", "linger.ms", "=1,2", "linger.ms=1,,2"] {
            assert!(parse_axis(bad_axis).is_err(), "{bad_axis}");
        }
    }

    #[test]
    fn a_grid_is_the_first_setting_outermost() {
        let opts = SweepOptions {
            axes: vec!["linger.ms=0,5".into(), "batch.size=1024,16384".into()],
            ..SweepOptions::default()
        };
        let spec = WorkloadSpec {
            records: 10,
            ..WorkloadSpec::notes_loop()
        };
        let (_, planned) = plan(&WorldOptions::default(), &spec, &opts).expect("valid");
        let points: Vec<String> = planned.iter().map(|p| assignments(&p.point)).collect();
        assert_eq!(
            points,
            [
                "linger.ms=0 batch.size=1024",
                "linger.ms=0 batch.size=16384",
                "linger.ms=5 batch.size=1024",
                "linger.ms=5 batch.size=16384"
            ]
        );
        assert_eq!(planned[3].scenario.config.producer.linger_ms, 5);
        assert_eq!(planned[3].scenario.config.producer.batch_size, 16384);
    }

    #[test]
    fn the_chart_fits_80_columns_and_scales_to_the_largest() {
        let f = |p99: f64, rpb: f64| Figures {
            records_per_sec: Some(1.0),
            mb_per_sec: Some(1.0),
            avg_ms: Some(1.0),
            max_ms: Some(1.0),
            p50_ms: Some(1.0),
            p95_ms: Some(1.0),
            p99_ms: Some(p99),
            p99_9_ms: Some(1.0),
            records_per_batch: rpb,
            requests: 1,
            reasons: BTreeMap::new(),
            lost: 0,
            duplicated: 0,
        };
        let rows = vec![
            (vec![("linger.ms".into(), "0".into())], f(10.0, 1.0)),
            (
                vec![("compression.type".into(), "a-very-long-value-indeed".into())],
                f(100.0, 500.0),
            ),
        ];
        let text = chart(&rows);
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "{line}");
        }
        let bars: Vec<usize> = text
            .lines()
            .skip(1)
            .map(|l| l.chars().filter(|c| *c == '█').count())
            .collect();
        // p99 10 of 100 → 2 of 20 cells, records/batch 1 of 500 → 0; then two full bars.
        assert_eq!(bars, [2, 40]);
    }
}
