//! `kafka-flow sweep`: the same figures as the single runs, the table, CSV and JSON agree,
//! the SVG names its axes, and bad input is one line with exit code 2.

mod common;
use common::cli::{kafka_flow, ok, ok_json};

fn fails_with_2(args: &[&str]) -> String {
    let out = kafka_flow(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err}");
    err
}

const RECORDS: &str = "3000";

#[test]
fn each_row_equals_the_single_run_with_that_setting() {
    let rows = ok_json(&[
        "sweep",
        "linger.ms=0,5,50",
        "--records",
        RECORDS,
        "--seed",
        "7",
        "--json",
    ]);
    let rows = rows.as_array().expect("an array");
    assert_eq!(rows.len(), 3);
    for (row, linger) in rows.iter().zip(["0", "5", "50"]) {
        assert_eq!(row["linger.ms"], linger);
        let single = ok_json(&[
            "run",
            "--records",
            RECORDS,
            "--seed",
            "7",
            "--set",
            &format!("linger.ms={linger}"),
            "--json",
        ]);
        let p = &single["producer"];
        assert_eq!(row["records_per_batch"], p["records_per_batch"], "{linger}");
        assert_eq!(row["requests"], p["requests"], "{linger}");
        assert_eq!(row["batch_send_reasons"], p["batch_send_reasons"]);
        for (ours, theirs) in [
            ("latency_avg_ms", "avg"),
            ("latency_p50_ms", "p50"),
            ("latency_p95_ms", "p95"),
            ("latency_p99_ms", "p99"),
            ("latency_p99_9_ms", "p99_9"),
            ("latency_max_ms", "max"),
        ] {
            assert_eq!(row[ours], p["latency_ms"][theirs], "{linger} {ours}");
        }
        let rate = p["acked"].as_f64().unwrap() / (p["active_ms"].as_f64().unwrap() / 1000.0);
        assert!((row["records_per_sec"].as_f64().unwrap() - rate).abs() < 1e-6);
    }
    // linger.ms is what batches records: 50 ms fills batches more than 0 ms at full speed.
    assert!(
        rows[2]["records_per_batch"].as_f64() > rows[0]["records_per_batch"].as_f64(),
        "{rows:?}"
    );
}

#[test]
fn a_grid_runs_every_pair_with_the_users_settings_too() {
    let rows = ok_json(&[
        "sweep",
        "linger.ms=0,5",
        "batch.size=1024,16384",
        "--records",
        "1000",
        "--set",
        "acks=1",
        "--json",
    ]);
    let rows = rows.as_array().expect("an array");
    let pairs: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["linger.ms"].as_str().unwrap().to_string(),
                r["batch.size"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [("0", "1024"), ("0", "16384"), ("5", "1024"), ("5", "16384")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let single = ok_json(&[
        "run",
        "--records",
        "1000",
        "--set",
        "acks=1",
        "--set",
        "linger.ms=5",
        "--set",
        "batch.size=1024",
        "--json",
    ]);
    assert_eq!(rows[2]["requests"], single["producer"]["requests"]);
    assert_eq!(
        rows[2]["latency_p99_ms"],
        single["producer"]["latency_ms"]["p99"]
    );
}

#[test]
fn table_csv_and_json_agree() {
    let args = ["sweep", "linger.ms=0,2,20", "--records", "2000"];
    let table = ok(&args);
    let csv = ok(&[&args[..], &["--csv"]].concat());
    let json = ok_json(&[&args[..], &["--json"]].concat());
    let json = json.as_array().unwrap();
    let header = table.lines().next().unwrap();
    assert!(header.starts_with("linger.ms"), "{header}");
    for col in [
        "records/s",
        "MB/s",
        "avg ms",
        "p95 ms",
        "p99.9 ms",
        "rec/batch",
    ] {
        assert!(header.contains(col), "{col} in {header}");
    }
    let csv_lines: Vec<&str> = csv.lines().collect();
    assert_eq!(csv_lines.len(), 4, "{csv}");
    assert!(csv_lines[0].starts_with("linger.ms,records_per_sec,"));
    for (i, row) in json.iter().enumerate() {
        let cells: Vec<&str> = csv_lines[i + 1].split(',').collect();
        assert_eq!(cells[0], row["linger.ms"].as_str().unwrap());
        let p99: f64 = cells[7].parse().unwrap();
        assert_eq!(Some(p99), row["latency_p99_ms"].as_f64());
        assert_eq!(
            cells[9].parse::<f64>().ok(),
            row["records_per_batch"].as_f64()
        );
        assert_eq!(cells[10], row["requests"].to_string());
        // The table rounds: its row shows the same figures to two decimals.
        let line = table.lines().nth(i + 1).unwrap();
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words[0], row["linger.ms"].as_str().unwrap());
        assert_eq!(words[7], format!("{p99:.2}"), "{line}");
        assert_eq!(
            words[9],
            format!("{:.1}", row["records_per_batch"].as_f64().unwrap())
        );
        assert_eq!(words[10], row["requests"].to_string());
    }
    // The chart under the table fits 80 columns.
    let chart: Vec<&str> = table.lines().skip(5).collect();
    assert!(chart.iter().any(|l| l.contains("p99 latency (ms)")));
    for l in chart {
        assert!(l.chars().count() <= 80, "{l}");
    }
}

#[test]
fn the_svg_is_well_formed_and_names_its_axes() {
    let dir = std::env::temp_dir().join(format!("kafka-flow-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sweep.svg");
    ok(&[
        "sweep",
        "linger.ms=0,5,20",
        "batch.size=1024,16384",
        "--records",
        "1000",
        "--plot",
        path.to_str().unwrap(),
    ]);
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
    assert!(svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    for name in [
        "linger.ms",
        "p99 latency (ms)",
        "records per batch",
        "batch.size=1024",
        "batch.size=16384",
    ] {
        assert!(svg.contains(name), "{name} missing from the SVG");
    }
    // One line per value of the second setting in each of the two panels (plus the legend's).
    assert!(svg.matches("<polyline").count() >= 2 * 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_one_line_naming_it_and_exit_2() {
    let err = fails_with_2(&["sweep", "no.such.setting=1,2"]);
    assert!(err.contains("no.such.setting"), "{err}");
    let err = fails_with_2(&["sweep", "linger.ms=0,soon"]);
    assert!(err.contains("linger.ms") && err.contains("soon"), "{err}");
    let err = fails_with_2(&["sweep", "linger.ms="]);
    assert!(err.contains("linger.ms") && err.contains("empty"), "{err}");
    let err = fails_with_2(&["sweep", "linger.ms=1", "acks=1", "batch.size=1"]);
    assert!(err.contains("one or two settings"), "{err}");
}

#[test]
fn more_than_300_runs_needs_yes() {
    let values: Vec<String> = (0..20).map(|i| i.to_string()).collect();
    let list = values.join(",");
    let a = format!("linger.ms={list}");
    let b = format!(
        "batch.size={}",
        (1..=16)
            .map(|i| (i * 1024).to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    let err = fails_with_2(&["sweep", &a, &b, "--records", "1"]);
    assert!(err.contains("320") && err.contains("--yes"), "{err}");
    let out = ok(&["sweep", &a, &b, "--records", "1", "--csv", "--yes"]);
    assert_eq!(out.lines().count(), 321);
}
