//! `kafka-flow compare`: two configurations on one seed, one workload and the same timed
//! commands, shown side by side with their differences.
//!
//! Each side is exactly the world `kafka-flow run` builds from the same options with the
//! side's settings added after the shared `--set`s, so each column equals that single run's
//! `--json` summary. The figures are compared through that JSON: every numeric leaf has a
//! dotted path, so a figure added to the summary is compared without a change here.

use crate::headless::{CliError, RunOptions, add_faults, output_error, until};
use crate::scenario::{Scenario, WorkloadSpec, WorldOptions};
use crate::scenarios::ScenarioFile;
use crate::sim::config::{SetError, parse_assignment, shown};
use crate::sim::summary::Summary;
use crate::sim::{Config, KafkaVersion, SimTime};
use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::io::Write;

/// Each side's settings, `NAME=VALUE` by Kafka's names (`--a`, `--b`).
#[derive(Clone, Debug, Default)]
pub struct Sides {
    pub a: Vec<String>,
    pub b: Vec<String>,
}

/// Parts of the summary that are samples of single records (the first callbacks, a few
/// ledger examples), not figures: subtracting one record's offset from another's means
/// nothing, so the delta leaves them out.
const SAMPLES: &[&str] = &["callbacks", "examples"];

/// Lists of broker or partition ids (a partition's replicas and ISR, a member's partitions):
/// subtracting ids item by item means nothing either. The summaries show them whole.
const ID_LISTS: &[&str] = &["replicas", "isr", "partitions", "waiting_for"];

/// A list of ids: numbers, not objects (the summary's top-level `partitions` holds objects).
fn is_id_list(key: &str, v: Option<&Value>) -> bool {
    ID_LISTS.contains(&key)
        && matches!(v, Some(Value::Array(items)) if !items.iter().any(Value::is_object))
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Side {
    A,
    B,
}

impl Side {
    fn flag(self) -> &'static str {
        match self {
            Side::A => "--a",
            Side::B => "--b",
        }
    }
}

fn bad(m: impl Into<String>) -> CliError {
    CliError::BadInput(m.into())
}

/// One side's run: its settings (name → value, the last of a name winning as with `--set`)
/// and its summary as `run --json` prints it.
#[derive(Clone, Debug, PartialEq)]
pub struct SideRun {
    pub settings: Vec<(String, String)>,
    pub summary: Value,
}

/// Both sides run and their numeric differences, B − A by dotted path.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub a: SideRun,
    pub b: SideRun,
    pub delta: Map<String, Value>,
}

/// `kafka-flow compare`: builds and runs both sides, prints them side by side (or as JSON).
pub fn compare(
    world: &WorldOptions,
    scenario: Option<&str>,
    workload: &WorkloadSpec,
    sides: &Sides,
    run: &RunOptions,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let file = match scenario {
        Some(name) => Some(crate::scenarios::find(name).map_err(CliError::BadInput)?),
        None => None,
    };
    let c = comparison(world, file.as_ref(), workload, sides, run)?;
    let text = if run.json {
        serde_json::to_string_pretty(&to_json(&c)).map_err(|e| CliError::Io(e.to_string()))? + "\n"
    } else {
        text(&c, world, run)
    };
    out.write_all(text.as_bytes()).map_err(|e| output_error(&e))
}

/// Both sides, built from the same options and run.
pub fn comparison(
    world: &WorldOptions,
    file: Option<&ScenarioFile>,
    workload: &WorkloadSpec,
    sides: &Sides,
    run: &RunOptions,
) -> Result<Comparison, CliError> {
    // A scenario's own B side, unless the command line gives one.
    let from_file;
    let sides = match file.and_then(|f| f.b.as_ref()) {
        Some(b) if sides.b.is_empty() => {
            from_file = Sides {
                a: sides.a.clone(),
                b: b.settings.iter().map(|(n, v)| format!("{n}={v}")).collect(),
            };
            &from_file
        }
        _ => sides,
    };
    // `run --scenario` stops at the file's `until` unless `--until` says otherwise.
    let until = until(run)?.or(file.and_then(|f| f.until));
    // The shared world first: a mistake in it is reported as `run` reports it, once, not
    // as a mistake of side A.
    build(world, file, workload, &run.faults)?;
    check_settings(world, Side::A, &sides.a)?;
    check_settings(world, Side::B, &sides.b)?;
    // The sides share nothing while they run: one thread each uses two cores. Each side is
    // deterministic on its own, so which finishes first changes nothing.
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| side(world, file, workload, run, Side::A, &sides.a, until));
        let b = side(world, file, workload, run, Side::B, &sides.b, until);
        (a.join(), b)
    });
    // A panic is a bug in the simulation: let it end the program as it would in `run`.
    let a = a.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    let b = b?;
    let mut delta = Map::new();
    walk(
        String::new(),
        Some(&a.summary),
        Some(&b.summary),
        &mut delta,
    );
    Ok(Comparison { a, b, delta })
}

/// The world `run` would build from these options.
fn build(
    world: &WorldOptions,
    file: Option<&ScenarioFile>,
    workload: &WorkloadSpec,
    faults: &[String],
) -> Result<Scenario, CliError> {
    match file {
        Some(f) => {
            let mut s = f.scenario(world).map_err(bad)?;
            add_faults(&mut s, faults)?;
            Ok(s)
        }
        None => crate::headless::scenario(world, workload, faults),
    }
}

/// Each setting of a side, checked alone as `--set` checks it (name=value, a known name, a
/// value the setting accepts), so that the message names the side, the setting and the value.
fn check_settings(world: &WorldOptions, side: Side, settings: &[String]) -> Result<(), CliError> {
    let version = match &world.kafka_version {
        Some(v) => KafkaVersion::parse(v).map_err(|e| bad(format!("--kafka-version: {e}")))?,
        None => KafkaVersion::default(),
    };
    let mut cfg = Config::defaults(version);
    let flag = side.flag();
    for s in settings {
        let (name, value) =
            parse_assignment(s).map_err(|e| bad(format!("{flag} {}: {e}", shown(s))))?;
        cfg.set(name, value).map_err(|e| match e {
            SetError::Unknown { .. } => bad(format!("{flag} {}: {e}", shown(s))),
            SetError::BadValue { .. } => bad(format!("{flag} {e}")),
        })?;
    }
    Ok(())
}

/// One side: the shared world with the side's settings after the shared ones, run to the end.
fn side(
    world: &WorldOptions,
    file: Option<&ScenarioFile>,
    workload: &WorkloadSpec,
    run: &RunOptions,
    side: Side,
    settings: &[String],
    until: Option<SimTime>,
) -> Result<SideRun, CliError> {
    let mut w = world.clone();
    w.set.extend(settings.iter().cloned());
    // Settings valid alone may still clash with the shared ones (validate() checks the whole
    // configuration): say which side's settings made the clash.
    let scenario = build(&w, file, workload, &run.faults).map_err(|e| match e {
        CliError::BadInput(m) => bad(format!("{} {}: {m}", side.flag(), settings.join(" "))),
        io @ CliError::Io(_) => io,
    })?;
    let mut sim = scenario.build().map_err(bad)?;
    sim.set_trace_enabled(false);
    sim.run(until);
    let summary =
        crate::report::summary_json(&Summary::of(&sim)).map_err(|e| CliError::Io(e.to_string()))?;
    let mut named: Vec<(String, String)> = Vec::new();
    for s in settings {
        // Checked by `check_settings` already.
        if let Ok((name, value)) = parse_assignment(s) {
            named.retain(|(n, _)| n != name);
            named.push((name.to_string(), value.to_string()));
        }
    }
    Ok(SideRun {
        settings: named,
        summary,
    })
}

/// `--json`: {"a": {settings, summary}, "b": {…}, "delta": {path: b − a}}.
pub fn to_json(c: &Comparison) -> Value {
    let side = |s: &SideRun| {
        let settings: Map<String, Value> = s
            .settings
            .iter()
            .map(|(n, v)| (n.clone(), Value::String(v.clone())))
            .collect();
        serde_json::json!({ "settings": settings, "summary": s.summary })
    };
    serde_json::json!({ "a": side(&c.a), "b": side(&c.b), "delta": c.delta })
}

/// Every numeric leaf that differs, B − A, by dotted path (array items by index). A number
/// absent on one side counts as 0: the count maps (why batches left, the ledger's counts)
/// leave zeros out. An object only one side has (a partition, a group member) is not
/// compared: its ids and offsets have nothing to be subtracted from.
fn walk(path: String, a: Option<&Value>, b: Option<&Value>, out: &mut Map<String, Value>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let extra = y.keys().filter(|k| !x.contains_key(*k));
            for k in x.keys().chain(extra) {
                let ids = is_id_list(k, x.get(k)) || is_id_list(k, y.get(k));
                if !SAMPLES.contains(&k.as_str()) && !ids {
                    walk(join(k), x.get(k), y.get(k), out);
                }
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            for i in 0..x.len().max(y.len()) {
                walk(join(&i.to_string()), x.get(i), y.get(i), out);
            }
        }
        _ => {
            if let Some(d) = delta(a, b) {
                out.insert(path, d);
            }
        }
    }
}

/// B − A when both are numbers (an absent one counting as 0) and they differ; integers stay
/// integers, fractions are rounded to the summary's microsecond precision and a bit below.
fn delta(a: Option<&Value>, b: Option<&Value>) -> Option<Value> {
    if a.is_none() && b.is_none() {
        return None;
    }
    let int = |v: Option<&Value>| match v {
        None => Some(0i128),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from)),
        _ => None,
    };
    if let (Some(from), Some(to)) = (int(a), int(b)) {
        if from == to {
            return None;
        }
        return i64::try_from(to - from).ok().map(Value::from);
    }
    let float = |v: Option<&Value>| match v {
        None => Some(0.0),
        Some(Value::Number(n)) => n.as_f64(),
        _ => None,
    };
    let (from, to) = (float(a)?, float(b)?);
    // 1.2 − 1.1 is 0.09999999999999987 in f64: the summary has at most three decimals.
    let diff = ((to - from) * 1e6).round() / 1e6;
    // Exactly equal figures (the same run) give exactly 0.
    if diff == 0.0 {
        return None;
    }
    serde_json::Number::from_f64(diff).map(Value::Number)
}

/// A row of the side-by-side table: a figure by its keys in the summary JSON.
struct Row {
    label: String,
    keys: Vec<String>,
    /// Absent means 0 (a count map leaves zeros out).
    zero: bool,
    /// A percentage of the change means something (not for a leader's broker id).
    percent: bool,
}

enum Line {
    Section(&'static str),
    Figure(Row),
}

fn at<'v>(v: &'v Value, keys: &[String]) -> Option<&'v Value> {
    keys.iter().try_fold(v, |v, k| match v {
        Value::Object(m) => m.get(k),
        Value::Array(a) => a.get(k.parse::<usize>().ok()?),
        _ => None,
    })
}

/// The keys of an object in A, then those only B has.
fn keys_of(a: &Value, b: &Value, keys: &[&str]) -> Vec<String> {
    let keys: Vec<String> = keys.iter().map(|k| (*k).to_string()).collect();
    let mut out: Vec<String> = Vec::new();
    for v in [a, b] {
        if let Some(Value::Object(m)) = at(v, &keys) {
            for k in m.keys() {
                if !out.contains(k) {
                    out.push(k.clone());
                }
            }
        }
    }
    out
}

fn figure(label: &str, keys: &[&str]) -> Line {
    Line::Figure(Row {
        label: label.to_string(),
        keys: keys.iter().map(|k| (*k).to_string()).collect(),
        zero: false,
        percent: true,
    })
}

fn count(label: String, keys: Vec<String>) -> Line {
    Line::Figure(Row {
        label,
        keys,
        zero: true,
        percent: true,
    })
}

/// The ledger's own figures, shown by name; its count map repeats them under these keys.
const LEDGER_FIGURES: &[&str] = &[
    "lost_broker",
    "lost_consumer",
    "duplicated_log",
    "duplicated_processing",
    "reordered",
];

/// The figures of the run summary that matter, in the order `run` prints them.
fn lines(a: &Value, b: &Value) -> Vec<Line> {
    let mut out = vec![Line::Section("producer")];
    for (label, key) in [
        ("sent", "sent"),
        ("acked", "acked"),
        ("failed", "failed"),
        ("unsent", "unsent"),
        ("batches acked", "batches"),
        ("records per batch", "records_per_batch"),
        ("bytes per batch", "avg_batch_bytes"),
        ("requests", "requests"),
        ("retries", "retries"),
    ] {
        out.push(figure(label, &["producer", key]));
    }
    for k in keys_of(a, b, &["producer", "latency_ms"]) {
        out.push(figure(
            &format!("latency {k} (ms)"),
            &["producer", "latency_ms", &k],
        ));
    }
    out.push(figure("send() blocked (ms)", &["producer", "blocked_ms"]));
    for k in keys_of(a, b, &["producer", "batch_send_reasons"]) {
        let keys = ["producer", "batch_send_reasons", &k]
            .map(String::from)
            .to_vec();
        out.push(count(format!("batches sent: {k}"), keys));
    }
    out.push(Line::Section("partitions"));
    let partitions = |v: &Value| v["partitions"].as_array().map_or(0, Vec::len);
    for i in 0..partitions(a).max(partitions(b)) {
        let i = i.to_string();
        out.push(Line::Figure(Row {
            label: format!("p{i} leader"),
            keys: vec!["partitions".to_string(), i.clone(), "leader".to_string()],
            zero: false,
            percent: false,
        }));
        out.push(figure(
            &format!("p{i} high watermark"),
            &["partitions", &i, "high_watermark"],
        ));
    }
    out.push(Line::Section("consumer"));
    for (label, keys) in [
        ("processed", &["consumer", "processed"][..]),
        ("commits sent", &["consumer", "commits", "sent"]),
        ("commits succeeded", &["consumer", "commits", "succeeded"]),
        ("commits failed", &["consumer", "commits", "failed"]),
        ("rebalances", &["consumer", "rebalances"]),
    ] {
        out.push(figure(label, keys));
    }
    out.push(Line::Section("ledger"));
    for k in keys_of(a, b, &["ledger", "counts"]) {
        if !LEDGER_FIGURES.contains(&k.as_str()) {
            let keys = ["ledger", "counts", &k].map(String::from).to_vec();
            out.push(count(k.replace('_', " "), keys));
        }
    }
    for (label, keys) in [
        ("lost in broker", &["ledger", "lost", "broker"][..]),
        ("lost in consumer", &["ledger", "lost", "consumer"]),
        ("duplicated in log", &["ledger", "duplicated", "log"]),
        (
            "duplicated in processing",
            &["ledger", "duplicated", "processing"],
        ),
        ("reordered", &["ledger", "reordered"]),
    ] {
        out.push(figure(label, keys));
    }
    out.push(Line::Section("run"));
    out.push(figure("virtual time (ms)", &["sim_time_ms"]));
    out.push(figure("events", &["events"]));
    out.push(figure("stopped because", &["stopped", "reason"]));
    out
}

fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "-".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.as_f64().map_or_else(|| n.to_string(), number),
        Some(other) => other.to_string(),
    }
}

/// "+3 (+12.5%)": the change with its sign, and its share of A where A is not 0.
fn change(a: Option<&Value>, b: Option<&Value>, percent: bool) -> String {
    // A figure one side does not have (a partition only B has) has no change to show.
    if a.is_none() || b.is_none() {
        return String::new();
    }
    let Some(diff) = delta(a, b).and_then(|v| v.as_f64()) else {
        return String::new();
    };
    let sign = if diff > 0.0 { "+" } else { "" };
    let mut out = format!("{sign}{}", number(diff));
    if let Some(base) = a.and_then(Value::as_f64).filter(|x| percent && *x != 0.0) {
        let share = diff / base * 100.0;
        let sign = if share > 0.0 { "+" } else { "" };
        let _ = write!(out, " ({sign}{share:.1}%)");
    }
    out
}

fn named(s: &SideRun) -> String {
    if s.settings.is_empty() {
        "(the shared configuration)".to_string()
    } else {
        s.settings
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The side-by-side report.
pub fn text(c: &Comparison, world: &WorldOptions, run: &RunOptions) -> String {
    let mut out = String::new();
    let (sa, sb) = (&c.a.summary, &c.b.summary);
    let _ = writeln!(
        out,
        "kafka-flow compare · Kafka {} profile · seed {} · the same workload and timed commands on both sides",
        cell(sa.get("kafka_version")),
        cell(sa.get("seed")),
    );
    let mut shared: Vec<String> = world.set.iter().map(|s| format!("--set {s}")).collect();
    shared.extend(run.faults.iter().map(|f| format!("--fault {f}")));
    if let Some(u) = &run.until {
        shared.push(format!("--until {u}"));
    }
    if !shared.is_empty() {
        let _ = writeln!(out, "  shared  {}", shared.join(" "));
    }
    let _ = writeln!(out, "  A       {}", named(&c.a));
    let _ = writeln!(out, "  B       {}", named(&c.b));
    let _ = writeln!(out);
    let _ = writeln!(out, "  {:<28} {:>12} {:>12}  Δ (B−A)", "", "A", "B");
    let mut shown_paths = 0usize;
    let mut differ = 0usize;
    for line in lines(sa, sb) {
        match line {
            Line::Section(name) => {
                let _ = writeln!(out, "{name}");
            }
            Line::Figure(row) => {
                let get = |v: &Value| {
                    at(v, &row.keys)
                        .cloned()
                        .or_else(|| row.zero.then(|| Value::from(0)))
                };
                let (va, vb) = (get(sa), get(sb));
                let mark = if va == vb { ' ' } else { '*' };
                if va != vb {
                    differ += 1;
                }
                if c.delta.contains_key(&row.keys.join(".")) {
                    shown_paths += 1;
                }
                let line = format!(
                    "{mark}   {:<26} {:>12} {:>12}  {}",
                    row.label,
                    cell(va.as_ref()),
                    cell(vb.as_ref()),
                    change(va.as_ref(), vb.as_ref(), row.percent)
                );
                let _ = writeln!(out, "{}", line.trim_end());
            }
        }
    }
    let _ = writeln!(out);
    if differ == 0 && c.delta.is_empty() {
        let _ = writeln!(out, "The two sides are identical.");
    } else {
        let _ = writeln!(out, "* = differs: {differ} of the figures above.");
        let more = c.delta.len().saturating_sub(shown_paths);
        if more > 0 {
            let _ = writeln!(
                out,
                "{more} more numbers of the summary differ; `--json` lists every difference under \"delta\"."
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_delta_is_b_minus_a_for_numbers_that_differ() {
        let a = json!({"p": {"sent": 10, "lat": {"p50": 1.1}, "why": {"full": 2}, "acks": "1"},
                       "parts": [{"hw": 5, "isr": [0, 1, 2]}, {"hw": 7}], "callbacks": [{"offset": 1}]});
        let b = json!({"p": {"sent": 10, "lat": {"p50": 1.2}, "why": {"linger": 3}, "acks": "all"},
                       "parts": [{"hw": 5, "isr": [1, 2]}, {"hw": 4}, {"hw": 9}], "callbacks": [{"offset": 9}]});
        let mut d = Map::new();
        walk(String::new(), Some(&a), Some(&b), &mut d);
        assert_eq!(
            Value::Object(d),
            json!({"p.lat.p50": 0.1, "p.why.full": -2, "p.why.linger": 3, "parts.1.hw": -3})
        );
        let mut none = Map::new();
        walk(String::new(), Some(&a), Some(&a), &mut none);
        assert!(none.is_empty());
    }

    #[test]
    fn a_change_has_its_sign_and_share() {
        let (a, b) = (json!(200), json!(150));
        assert_eq!(change(Some(&a), Some(&b), true), "-50 (-25.0%)");
        assert_eq!(change(Some(&b), Some(&a), false), "+50");
        assert_eq!(change(Some(&json!(0)), Some(&json!(3)), true), "+3");
        assert_eq!(change(Some(&a), Some(&a), true), "");
        assert_eq!(change(None, Some(&json!(null)), true), "");
        assert_eq!(number(8.768), "8.768");
        assert_eq!(number(500.0), "500");
    }

    fn options(faults: &[&str], until: &str) -> RunOptions {
        RunOptions {
            faults: faults.iter().map(|f| (*f).to_string()).collect(),
            until: Some(until.to_string()),
            ..RunOptions::default()
        }
    }

    fn workload(records: u64) -> WorkloadSpec {
        WorkloadSpec {
            records,
            ..WorkloadSpec::notes_loop()
        }
    }

    #[test]
    fn the_same_settings_give_identical_sides() {
        let sides = Sides {
            a: vec!["linger.ms=20".to_string()],
            b: vec!["linger.ms=20".to_string()],
        };
        let c = comparison(
            &WorldOptions::default(),
            None,
            &workload(500),
            &sides,
            &options(&["300ms:kill-leader:1"], "5s"),
        )
        .unwrap();
        assert_eq!(c.a, c.b);
        assert!(c.delta.is_empty());
        let t = text(&c, &WorldOptions::default(), &RunOptions::default());
        assert!(t.contains("The two sides are identical."), "{t}");
        assert!(!t.lines().any(|l| l.starts_with('*')), "{t}");
    }

    #[test]
    fn sides_differ_where_their_settings_do() {
        let sides = Sides {
            a: vec!["linger.ms=0".to_string()],
            b: vec!["linger.ms=50".to_string(), "batch.size=65536".to_string()],
        };
        let c = comparison(
            &WorldOptions::default(),
            None,
            &workload(2000),
            &sides,
            &RunOptions::default(),
        )
        .unwrap();
        let requests = c.delta["producer.requests"].as_i64().unwrap();
        assert!(requests < 0, "bigger, later batches need fewer requests");
        assert_eq!(c.a.summary["producer"]["linger_ms"], json!(0));
        assert_eq!(c.b.summary["producer"]["linger_ms"], json!(50));
        let t = text(&c, &WorldOptions::default(), &RunOptions::default());
        assert!(t.contains("B       linger.ms=50 batch.size=65536"), "{t}");
        let row = t
            .lines()
            .find(|l| l.contains("requests"))
            .expect("a requests row");
        assert!(row.starts_with('*'), "{row}");
    }

    #[test]
    fn bad_settings_name_the_side_the_setting_and_the_value() {
        let err = |a: &[&str], b: &[&str]| {
            let sides = Sides {
                a: a.iter().map(|s| (*s).to_string()).collect(),
                b: b.iter().map(|s| (*s).to_string()).collect(),
            };
            let e = comparison(
                &WorldOptions::default(),
                None,
                &workload(10),
                &sides,
                &RunOptions::default(),
            )
            .unwrap_err();
            assert_eq!(e.exit_code(), 2);
            e.to_string()
        };
        let e = err(&["acks=2"], &[]);
        assert!(e.starts_with("--a acks: '2'"), "{e}");
        let e = err(&[], &["ack=1"]);
        assert!(e.starts_with("--b ack=1: unknown setting 'ack'"), "{e}");
        assert!(e.contains("acks"), "{e}");
        let e = err(&[], &["linger.ms"]);
        assert!(e.starts_with("--b ") && e.contains("linger.ms"), "{e}");
    }
}
