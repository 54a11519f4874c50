//! What a sweep prints: the table with kafka-producer-perf-test's columns, the terminal
//! chart, JSON, CSV and the SVG chart (plotters).

use super::{Axis, Figures};
use serde_json::{Map, Value, json};
use std::fmt::Write as _;

/// The column headers after the swept settings, in the table's order.
pub const COLUMNS: [&str; 13] = [
    "records/s",
    "MB/s",
    "avg ms",
    "max ms",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "p99.9 ms",
    "rec/batch",
    "requests",
    "batches left by",
    "lost",
    "dup",
];

fn opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.decimals$}"))
}

/// The table's cells of one run (also what the tests compare CSV and JSON against).
pub fn cells(f: &Figures) -> Vec<String> {
    vec![
        opt(f.records_per_sec, 0),
        opt(f.mb_per_sec, 2),
        opt(f.avg_ms, 2),
        opt(f.max_ms, 2),
        opt(f.p50_ms, 2),
        opt(f.p95_ms, 2),
        opt(f.p99_ms, 2),
        opt(f.p99_9_ms, 2),
        format!("{:.1}", f.records_per_batch),
        f.requests.to_string(),
        f.reasons_text(),
        f.lost.to_string(),
        f.duplicated.to_string(),
    ]
}

/// The table: one row per run, columns aligned (numbers to the right).
pub fn table(axes: &[Axis], rows: &[(Vec<(String, String)>, Figures)]) -> String {
    let header: Vec<String> = axes
        .iter()
        .map(|a| a.name.clone())
        .chain(COLUMNS.iter().map(|c| (*c).to_string()))
        .collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|(point, f)| {
            point
                .iter()
                .map(|(_, v)| v.clone())
                .chain(cells(f))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            std::iter::once(&header)
                .chain(&body)
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let reasons_col = axes.len() + 10;
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&body) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                if i == reasons_col {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    out
}

/// The terminal chart: per run, a bar of p99 latency and one of records per batch, each scaled
/// to its largest value. Every line fits 80 columns.
pub fn chart(rows: &[(Vec<(String, String)>, Figures)]) -> String {
    const LABEL: usize = 18;
    const BAR: usize = 20;
    let max_p99 = rows
        .iter()
        .filter_map(|(_, f)| f.p99_ms)
        .fold(0.0_f64, f64::max);
    let max_rpb = rows
        .iter()
        .map(|(_, f)| f.records_per_batch)
        .fold(0.0_f64, f64::max);
    let bar = |v: f64, max: f64| {
        let n = if max > 0.0 {
            ((v / max) * BAR as f64).round() as usize
        } else {
            0
        };
        format!("{:<BAR$}", "█".repeat(n.min(BAR)))
    };
    let mut out = String::new();
    let names: String = rows
        .first()
        .map(|(point, _)| {
            point
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let head = format!(
        "{:<LABEL$} {:<w1$}  {}",
        names.chars().take(LABEL).collect::<String>(),
        "p99 latency (ms)",
        "records per batch",
        w1 = BAR + 8
    );
    let _ = writeln!(out, "{}", head.trim_end());
    for (point, f) in rows {
        let label: String = point
            .iter()
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let label: String = if label.chars().count() > LABEL {
            label.chars().take(LABEL - 1).chain(['…']).collect()
        } else {
            label
        };
        let _ = writeln!(
            out,
            "{label:<LABEL$} {}{:>8}  {}{:>8}",
            bar(f.p99_ms.unwrap_or(0.0), max_p99),
            opt(f.p99_ms, 2),
            bar(f.records_per_batch, max_rpb),
            format!("{:.1}", f.records_per_batch),
        );
    }
    out
}

fn num(v: Option<f64>) -> Value {
    v.map_or(Value::Null, |x| json!(x))
}

/// One JSON object per run: the swept values (as given, strings) and the figures.
pub fn json_rows(rows: &[(Vec<(String, String)>, Figures)]) -> Value {
    Value::Array(
        rows.iter()
            .map(|(point, f)| {
                let mut o = Map::new();
                for (n, v) in point {
                    o.insert(n.clone(), Value::String(v.clone()));
                }
                o.insert("records_per_sec".into(), num(f.records_per_sec));
                o.insert("mb_per_sec".into(), num(f.mb_per_sec));
                o.insert("latency_avg_ms".into(), num(f.avg_ms));
                o.insert("latency_max_ms".into(), num(f.max_ms));
                o.insert("latency_p50_ms".into(), num(f.p50_ms));
                o.insert("latency_p95_ms".into(), num(f.p95_ms));
                o.insert("latency_p99_ms".into(), num(f.p99_ms));
                o.insert("latency_p99_9_ms".into(), num(f.p99_9_ms));
                o.insert("records_per_batch".into(), json!(f.records_per_batch));
                o.insert("requests".into(), json!(f.requests));
                o.insert("batch_send_reasons".into(), json!(f.reasons));
                o.insert("lost".into(), json!(f.lost));
                o.insert("duplicated".into(), json!(f.duplicated));
                Value::Object(o)
            })
            .collect(),
    )
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A header and one row per run; figures at full precision, empty when there is none.
pub fn csv(axes: &[Axis], rows: &[(Vec<(String, String)>, Figures)]) -> String {
    let mut out = String::new();
    let header: Vec<String> = axes
        .iter()
        .map(|a| csv_field(&a.name))
        .chain(
            [
                "records_per_sec",
                "mb_per_sec",
                "latency_avg_ms",
                "latency_max_ms",
                "latency_p50_ms",
                "latency_p95_ms",
                "latency_p99_ms",
                "latency_p99_9_ms",
                "records_per_batch",
                "requests",
                "batch_send_reasons",
                "lost",
                "duplicated",
            ]
            .map(String::from),
        )
        .collect();
    let _ = writeln!(out, "{}", header.join(","));
    let f64s = |v: Option<f64>| v.map_or_else(String::new, |x| x.to_string());
    for (point, f) in rows {
        let mut row: Vec<String> = point.iter().map(|(_, v)| csv_field(v)).collect();
        row.extend([
            f64s(f.records_per_sec),
            f64s(f.mb_per_sec),
            f64s(f.avg_ms),
            f64s(f.max_ms),
            f64s(f.p50_ms),
            f64s(f.p95_ms),
            f64s(f.p99_ms),
            f64s(f.p99_9_ms),
            f.records_per_batch.to_string(),
            f.requests.to_string(),
            csv_field(&f.reasons_text()),
            f.lost.to_string(),
            f.duplicated.to_string(),
        ]);
        let _ = writeln!(out, "{}", row.join(","));
    }
    out
}

/// How a panel reads its figure from a run.
type Figure = fn(&Figures) -> f64;

/// The chart as an SVG: two panels over the first setting's values (evenly spaced, labelled
/// as given, so `acks=1,all` works as well as numbers): p99 latency and records per batch,
/// one line per value of the second setting.
pub fn svg(axes: &[Axis], rows: &[(Vec<(String, String)>, Figures)]) -> Result<String, String> {
    use plotters::prelude::*;
    let Some(x_axis) = axes.first() else {
        return Err("nothing to plot".to_string());
    };
    let xs = &x_axis.values;
    let series: Vec<(String, Vec<&Figures>)> = match axes.get(1) {
        None => vec![(String::new(), rows.iter().map(|(_, f)| f).collect())],
        Some(b) => b
            .values
            .iter()
            .map(|w| {
                (
                    format!("{}={w}", b.name),
                    rows.iter()
                        .filter(|(p, _)| p.get(1).is_some_and(|(_, v)| v == w))
                        .map(|(_, f)| f)
                        .collect(),
                )
            })
            .collect(),
    };
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (800, 640)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let panels = root.split_evenly((2, 1));
        let figures: [(&str, Figure); 2] = [
            ("p99 latency (ms)", |f| f.p99_ms.unwrap_or(0.0)),
            ("records per batch", |f| f.records_per_batch),
        ];
        for (area, (y_name, y_of)) in panels.iter().zip(figures) {
            let y_max = series
                .iter()
                .flat_map(|(_, fs)| fs.iter().map(|f| y_of(f)))
                .fold(0.0_f64, f64::max);
            let y_top = if y_max > 0.0 { y_max * 1.1 } else { 1.0 };
            let n = xs.len() as i32;
            let mut chart = ChartBuilder::on(area)
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(60)
                .caption(format!("{y_name} by {}", x_axis.name), ("sans-serif", 18))
                .build_cartesian_2d(-1..n, 0.0..y_top)
                .map_err(|e| e.to_string())?;
            chart
                .configure_mesh()
                .x_desc(x_axis.name.as_str())
                .y_desc(y_name)
                .x_labels(xs.len() + 2)
                .x_label_formatter(&|i| {
                    usize::try_from(*i)
                        .ok()
                        .and_then(|i| xs.get(i))
                        .cloned()
                        .unwrap_or_default()
                })
                .draw()
                .map_err(|e| e.to_string())?;
            for (k, (label, fs)) in series.iter().enumerate() {
                let color = Palette99::pick(k).to_rgba();
                let drawn = chart
                    .draw_series(LineSeries::new(
                        fs.iter().enumerate().map(|(i, f)| (i as i32, y_of(f))),
                        color.stroke_width(2),
                    ))
                    .map_err(|e| e.to_string())?;
                if !label.is_empty() {
                    drawn.label(label.as_str()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                    });
                }
            }
            if series.len() > 1 {
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.8))
                    .border_style(BLACK)
                    .draw()
                    .map_err(|e| e.to_string())?;
            }
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(text)
}
