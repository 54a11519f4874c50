//! The real `kafka-flow` binary, as a user or a script meets it: exit codes, the
//! one-line error messages that name the bad input, the JSON summary, `--trace`
//! files and `kafka-flow settings`.

mod common;
use common::cli::{BIN, kafka_flow, ok, ok_json};

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// Bad input: exit code 2, nothing on stdout, and exactly one line on stderr that starts
/// with `kafka-flow:` and contains every one of `names`. Returns that line.
fn bad_input(args: &[&str], names: &[&str]) -> String {
    let out = kafka_flow(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "kafka-flow {args:?}: {err}");
    assert!(
        out.stdout.is_empty(),
        "{args:?} printed on stdout: {}",
        stdout(&out)
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: expected one line, got {err:?}");
    let line = lines[0];
    assert!(line.starts_with("kafka-flow: "), "{args:?}: {line}");
    for name in names {
        assert!(
            line.contains(name),
            "{args:?}: {line:?} does not mention {name:?}"
        );
    }
    line.to_string()
}

/// A file under the temp dir, unique to this process and call, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(suffix: &str, contents: &str) -> TempFile {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "kafka-flow-cli-test-{}-{n}{suffix}",
            std::process::id()
        ));
        std::fs::write(&path, contents).expect("temp file written");
        TempFile(path)
    }

    /// A path in the temp dir that nothing has created.
    fn unused(suffix: &str) -> TempFile {
        let f = TempFile::new(suffix, "");
        std::fs::remove_file(&f.0).expect("temp file removed");
        f
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("temp paths are UTF-8 here")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

// ---- bad input: exit 2, one line naming the input ---------------------------------

#[test]
fn unknown_setting_is_named_with_a_suggestion() {
    bad_input(
        &["run", "--records", "10", "--set", "linger.msx=1"],
        &["linger.msx", "did you mean 'linger.ms'"],
    );
    bad_input(
        &["run", "--records", "10", "--set", "enable.idempotency=true"],
        &["enable.idempotency", "enable.idempotence"],
    );
}

#[test]
fn bad_values_name_the_setting_the_value_and_what_is_accepted() {
    bad_input(
        &["run", "--records", "10", "--set", "linger.ms=abc"],
        &["linger.ms", "'abc'", "accepted: 0 to"],
    );
    bad_input(
        &["run", "--records", "10", "--set", "acks=2"],
        &["acks", "'2'", "all, -1, 1, 0"],
    );
    bad_input(
        &["run", "--records", "10", "--set", "enable.idempotence=yes"],
        &["enable.idempotence", "true, false"],
    );
    // Not an assignment at all.
    bad_input(
        &["run", "--records", "10", "--set", "linger.ms"],
        &["--set", "linger.ms", "name=value"],
    );
}

#[test]
fn settings_that_kafka_refuses_together_are_bad_input() {
    bad_input(
        &[
            "run",
            "--records",
            "10",
            "--set",
            "acks=1",
            "--set",
            "enable.idempotence=true",
        ],
        &["acks", "idempotent"],
    );
    bad_input(
        &["run", "--records", "10", "--set", "replication.factor=4"],
        &["replication.factor", "4", "3 brokers"],
    );
}

#[test]
fn a_malformed_properties_line_is_reported_as_file_and_line() {
    let f = TempFile::new(
        ".properties",
        "# the notes' producer\nacks=all\nlinger.ms=oops\n",
    );
    bad_input(
        &["run", "--records", "10", "--config", f.path()],
        &[&format!("{}:3", f.path()), "linger.ms", "oops"],
    );

    let f = TempFile::new(".properties", "acks=all\n\nbatch.sizee=16384\n");
    bad_input(
        &["run", "--records", "10", "--config", f.path()],
        &[&format!("{}:3", f.path()), "batch.sizee", "batch.size"],
    );

    let f = TempFile::new(".properties", "acks=all\nnoequals\n");
    bad_input(
        &["run", "--records", "10", "--config", f.path()],
        &[&format!("{}:2", f.path()), "noequals"],
    );
}

#[test]
fn a_good_properties_file_is_used_and_set_wins_over_it() {
    let f = TempFile::new(
        ".properties",
        "bootstrap.servers=hadoop102:9092\nacks=1\nlinger.ms=7\n",
    );
    let d = ok_json(&["run", "--records", "100", "--json", "--config", f.path()]);
    assert_eq!(d["producer"]["acks"], "1");
    assert_eq!(d["producer"]["linger_ms"], 7);
    let d = ok_json(&[
        "run",
        "--records",
        "100",
        "--json",
        "--config",
        f.path(),
        "--set",
        "linger.ms=2",
    ]);
    assert_eq!(d["producer"]["linger_ms"], 2);
}

#[test]
fn a_missing_config_file_is_named() {
    let f = TempFile::unused(".properties");
    bad_input(
        &["run", "--records", "10", "--config", f.path()],
        &[f.path()],
    );
}

#[test]
fn absurd_records_are_refused() {
    bad_input(
        &["run", "--records", "999999999999"],
        &["--records", "999999999999", "accepted: 0 to"],
    );
}

#[test]
fn bad_faults_are_named() {
    let line = bad_input(
        &["run", "--records", "10", "--fault", "1s:explode"],
        &["--fault", "explode"],
    );
    // The message lists what is accepted.
    for action in ["kill-leader", "drop-responses", "isolate-broker"] {
        assert!(line.contains(action), "{line}");
    }
    bad_input(
        &["run", "--records", "10", "--fault", "1s:kill-broker:7"],
        &["--fault", "no broker 7", "0 to 2"],
    );
    bad_input(
        &["run", "--records", "10", "--fault", "1s:kill-leader:3"],
        &["--fault", "no partition 3", "0 to 2"],
    );
    bad_input(
        &["run", "--records", "10", "--fault", "soon:kill-broker:1"],
        &["--fault", "'soon'", "not a duration"],
    );
    bad_input(
        &["run", "--records", "10", "--fault", "kill-broker"],
        &["--fault", "AT:ACTION"],
    );
    bad_input(
        &["run", "--records", "10", "--fault", "1s:kill-broker:x"],
        &["--fault", "'x'"],
    );
}

#[test]
fn extra_fault_arguments_are_refused() {
    bad_input(
        &[
            "run",
            "--records",
            "10",
            "--fault",
            "1s:kill-broker:0:extra",
        ],
        &[
            "--fault",
            "kill-broker:0:extra",
            "unexpected 'extra'",
            "takes one argument",
        ],
    );
    bad_input(
        &["run", "--records", "10", "--fault", "1s:crash-producer:5"],
        &[
            "--fault",
            "crash-producer:5",
            "unexpected '5'",
            "takes no argument",
        ],
    );
    bad_input(
        &[
            "run",
            "--records",
            "10",
            "--fault",
            "1s:drop-responses:1:0:9",
        ],
        &["--fault", "unexpected '9'", "drop-responses:N[:B]"],
    );
}

#[test]
fn fault_numbers_are_bounded() {
    bad_input(
        &[
            "run",
            "--records",
            "10",
            "--fault",
            "1s:slow-link:0:18446744073709551615",
        ],
        &["--fault", "18446744073709551615", "accepted: 0 to 3600000"],
    );
    bad_input(
        &[
            "run",
            "--records",
            "10",
            "--fault",
            "1s:slow-follower:1:3600001",
        ],
        &["--fault", "3600001", "accepted: 0 to 3600000"],
    );
    bad_input(
        &[
            "run",
            "--records",
            "10",
            "--fault",
            "1s:drop-responses:5000000",
        ],
        &["--fault", "5000000", "accepted: 1 to 1000000"],
    );
    // The bounds themselves are fine.
    ok(&[
        "run",
        "--records",
        "10",
        "--fault",
        "1ms:slow-follower:1:3600000",
        "--until",
        "1s",
    ]);
}

#[test]
fn fault_targets_are_checked_against_the_configured_topology() {
    // Broker 4 exists once there are 5 brokers.
    let d = ok_json(&[
        "run",
        "--records",
        "100",
        "--json",
        "--set",
        "brokers=5",
        "--fault",
        "0ms:kill-broker:4",
    ]);
    assert_eq!(d["brokers"].as_array().map(Vec::len), Some(5));
    assert_eq!(d["brokers"][4]["alive"], false);
}

#[test]
fn bad_until_is_named() {
    bad_input(
        &["run", "--records", "10", "--until", "soon"],
        &["--until", "'soon'"],
    );
    bad_input(
        &["run", "--records", "10", "--until", "3h"],
        &["--until", "unknown unit 'h'"],
    );
}

#[test]
fn bad_kafka_version_is_named() {
    bad_input(
        &["run", "--records", "10", "--kafka-version", "5"],
        &["--kafka-version", "'5'", "4, 3, 2.8"],
    );
    bad_input(
        &["settings", "--kafka-version", "1.0"],
        &["--kafka-version", "'1.0'"],
    );
}

#[test]
fn bad_templates_are_named() {
    bad_input(
        &["run", "--records", "10", "--key", "x{n}"],
        &["--key", "x{n}", "{i}"],
    );
    bad_input(
        &["run", "--records", "10", "--value", "v{index}"],
        &["--value", "v{index}"],
    );
}

#[test]
fn bad_workload_numbers_are_named() {
    bad_input(&["run", "--records", "10", "--rate", "nan"], &["--rate"]);
    bad_input(
        &["run", "--records", "10", "--value-bytes", "999999999"],
        &["--value-bytes", "999999999"],
    );
}

#[test]
fn a_trace_file_that_cannot_be_created_is_named() {
    let dir = TempFile::unused("-no-such-dir");
    let path = format!("{}/trace.jsonl", dir.path());
    bad_input(
        &["run", "--records", "10", "--trace", &path],
        &[&path, "trace"],
    );
}

#[test]
fn clap_usage_errors_exit_2() {
    for args in [
        &["run", "--bogus"][..],
        &["--bogus"][..],
        &["run", "--records", "-5"][..],
        &["run", "--records", "many"][..],
        &["frobnicate"][..],
    ] {
        let out = kafka_flow(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
    let out = kafka_flow(&["run", "--bogus"]);
    assert!(stderr(&out).contains("--bogus"), "{}", stderr(&out));
}

/// Runs `args` with stdout on /dev/full (every write fails with ENOSPC).
#[cfg(target_os = "linux")]
fn to_full_disk(args: &[&str]) -> Output {
    let full = std::fs::File::create("/dev/full").expect("/dev/full exists on Linux");
    Command::new(BIN)
        .args(args)
        .env(
            "XDG_DATA_HOME",
            std::env::temp_dir().join("kf-cli-full-data"),
        )
        .stdout(full)
        .output()
        .expect("the kafka-flow binary runs")
}

#[cfg(target_os = "linux")]
#[test]
fn output_that_cannot_be_written_is_a_failure_with_a_message() {
    for args in [
        &["--help"][..],
        &["--version"],
        &["run", "--help"],
        &["settings"],
        &["lessons"],
        &["lesson", "check", "lessons/01-two-threads.toml"],
        &["run", "--records", "10", "--json"],
    ] {
        let out = to_full_disk(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(
            err.trim_end(),
            "kafka-flow: cannot write to standard output: No space left on device (os error 28)",
            "{args:?}"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_is_an_io_error_exit_1() {
    let full = std::fs::File::create("/dev/full").expect("/dev/full exists on Linux");
    let out = Command::new(BIN)
        .args(["run", "--records", "10"])
        .stdout(full)
        .output()
        .expect("the kafka-flow binary runs");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("kafka-flow: "), "{}", stderr(&out));

    let out = kafka_flow(&["run", "--records", "10", "--trace", "/dev/full"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("/dev/full"), "{}", stderr(&out));
}

// ---- what a successful run reports -------------------------------------------------

#[test]
fn json_summary_has_the_documented_fields() {
    let d = ok_json(&["run", "--records", "1000", "--set", "linger.ms=1", "--json"]);
    assert_eq!(d["seed"], 42, "the default seed");
    assert_eq!(d["kafka_version"], "4.x");
    let t = d["sim_time_ms"].as_f64().expect("sim_time_ms is a number");
    // The producer is done in milliseconds; the consumer group forms after
    // group.initial.rebalance.delay.ms (3 s) and auto-commits 5 s later.
    assert!(t > 3_000.0 && t < 20_000.0, "{t}");
    let p = &d["producer"];
    for field in [
        "records_requested",
        "sent",
        "acked",
        "failed",
        "unsent",
        "pending",
        "batches",
        "requests",
        "retries",
        "records_per_batch",
        "batch_send_reasons",
        "latency_ms",
        "records_per_partition",
    ] {
        assert!(!p[field].is_null(), "producer.{field} missing: {p}");
    }
    assert_eq!(p["records_requested"], 1000);
    assert_eq!(p["sent"], 1000);
    assert_eq!(p["acked"], 1000);
    assert_eq!(p["failed"], 0);
    assert_eq!(p["acks"], "all");
    assert_eq!(p["idempotence"], true);
    assert_eq!(p["linger_ms"], 1);

    let parts = d["partitions"].as_array().expect("partitions is an array");
    assert_eq!(parts.len(), 3);
    let mut hw_sum = 0;
    for (i, part) in parts.iter().enumerate() {
        assert_eq!(part["partition"], i);
        let hw = part["high_watermark"].as_i64().expect("high_watermark");
        assert_eq!(part["log_end_offset"].as_i64(), Some(hw), "{part}");
        assert_eq!(part["isr"].as_array().map(Vec::len), Some(3), "{part}");
        assert!(!part["leader"].is_null(), "{part}");
        hw_sum += hw;
    }
    assert_eq!(hw_sum, 1000, "every acked record is committed exactly once");
    let per_partition: i64 = p["records_per_partition"]
        .as_array()
        .expect("records_per_partition is an array")
        .iter()
        .map(|v| v.as_i64().expect("a count"))
        .sum();
    assert_eq!(per_partition, 1000);

    // The notes' consumer read everything back (the CLI starts it from earliest).
    let consumer = &d["consumer"];
    assert_eq!(consumer["group_id"], "testAPI");
    assert_eq!(consumer["processed"], 1000);
    let committed: i64 = consumer["committed_offsets"]
        .as_object()
        .expect("committed_offsets is an object")
        .values()
        .map(|v| v.as_i64().expect("an offset"))
        .sum();
    assert_eq!(committed, 1000, "{consumer}");
    assert!(
        consumer["commits"]["succeeded"].as_u64() >= Some(1),
        "{consumer}"
    );

    let ledger = &d["ledger"];
    assert_eq!(ledger["counts"]["delivered"], 1000, "{ledger}");
    assert_eq!(ledger["lost"]["broker"], 0);
    assert_eq!(ledger["lost"]["consumer"], 0);
    assert_eq!(ledger["duplicated"]["log"], 0);
    assert_eq!(ledger["duplicated"]["processing"], 0);
    assert_eq!(ledger["reordered"], 0);
    assert_eq!(ledger["examples"].as_array().map(Vec::len), Some(0));

    // It settled: nothing to wait for, nobody behind.
    let stopped = &d["stopped"];
    assert_eq!(stopped["reason"], "settled", "{stopped}");
    assert_eq!(stopped["waiting_for"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        stopped["lag"].as_object().map(serde_json::Map::len),
        Some(0)
    );
    assert_eq!(
        stopped["committed_lag"]
            .as_object()
            .map(serde_json::Map::len),
        Some(0)
    );
    assert!(parts.iter().all(|p| p["offline"] == false), "{parts:?}");
}

#[test]
fn failed_callbacks_split_into_written_and_not_written_in_the_json() {
    // retries=0: requests behind a lost response time out after their append; batches
    // refused with NOT_ENOUGH_REPLICAS at 1.5 s were never written.
    let d = ok_json(&[
        "run",
        "--records",
        "200",
        "--rate",
        "100",
        "--set",
        "retries=0",
        "--set",
        "request.timeout.ms=1000",
        "--fault",
        "10ms:drop-responses:1:0",
        "--fault",
        "1500ms:reject-produce:3",
        "--json",
    ]);
    let counts = &d["ledger"]["counts"];
    let written = counts["failed_written"].as_u64().expect("failed_written");
    let not_written = counts["failed_not_written"]
        .as_u64()
        .expect("failed_not_written");
    assert!(counts.get("failed").is_none(), "{counts}");
    assert_eq!(
        Some(written + not_written),
        d["producer"]["failed"].as_u64()
    );
    let examples = d["ledger"]["examples"].as_array().expect("examples");
    let fw = examples
        .iter()
        .find(|e| e["verdict"] == "failed_written")
        .expect("a failed_written example");
    let offset = fw["offset"].as_i64().expect("it is in the log");
    let cause = fw["cause"].as_str().unwrap_or_default();
    assert!(
        cause.contains("REQUEST_TIMED_OUT") && cause.contains(&format!("offset {offset}")),
        "{cause}"
    );
    let fnw = examples
        .iter()
        .find(|e| e["verdict"] == "failed_not_written")
        .expect("a failed_not_written example");
    assert!(fnw["offset"].is_null());
    assert!(
        fnw["cause"]
            .as_str()
            .is_some_and(|c| c.contains("NOT_ENOUGH_REPLICAS")),
        "{fnw}"
    );
}

#[test]
fn an_offline_partition_shows_its_last_watermarks_and_keeps_its_delivered_records() {
    let d = ok_json(&[
        "run",
        "--records",
        "400",
        "--rate",
        "20",
        "--set",
        "replication.factor=1",
        "--fault",
        "5s:kill-broker:0",
        "--json",
    ]);
    let p0 = &d["partitions"][0];
    assert!(p0["leader"].is_null() && p0["offline"] == true, "{p0}");
    assert_eq!(p0["last_leader"], 0);
    let committed = &d["consumer"]["committed_offsets"]["0"];
    assert!(committed.as_i64() > Some(0), "{}", d["consumer"]);
    assert_eq!(&p0["high_watermark"], committed, "{p0}");
    assert_eq!(&p0["log_end_offset"], committed, "{p0}");
    let counts = &d["ledger"]["counts"];
    assert_eq!(counts["delivered"], d["consumer"]["processed"], "{counts}");
    assert!(counts.get("in_progress").is_none(), "{counts}");
    let text = ok(&[
        "run",
        "--records",
        "400",
        "--rate",
        "20",
        "--set",
        "replication.factor=1",
        "--fault",
        "5s:kill-broker:0",
    ]);
    assert!(
        text.contains("leader none, OFFLINE (last leader 0)") && text.contains("(last known)"),
        "{text}"
    );
}

#[test]
fn a_run_cut_short_says_why_and_how_far_the_consumer_is_behind() {
    let d = ok_json(&[
        "run",
        "--records",
        "3000",
        "--set",
        "consumer.process.ms=100",
        "--json",
    ]);
    let stopped = &d["stopped"];
    assert_eq!(stopped["reason"], "settle_limit", "{stopped}");
    assert_eq!(stopped["waiting_for"][0], "consumers", "{stopped}");
    let lag: i64 = stopped["lag"]
        .as_object()
        .expect("lag is an object")
        .values()
        .filter_map(Value::as_i64)
        .sum();
    // What the consumer has not read yet is what the ledger cannot decide.
    assert!(lag > 1000, "{stopped}");
    let in_progress = d["ledger"]["counts"]["in_progress"].as_i64().unwrap_or(0);
    assert!(in_progress >= lag, "{}", d["ledger"]["counts"]);
    let until = ok(&["run", "--records", "3000", "--until", "2s"]);
    assert!(
        until.contains("stopped  until: the --until time was reached"),
        "{until}"
    );
}

#[test]
fn anomalies_reach_the_json_ledger_with_causes() {
    // acks=1; broker 0's replication lags 100 ms, and it dies 20 ms in, leading partition 0:
    // its followers never fetched what it acknowledged.
    let d = ok_json(&[
        "run",
        "--records",
        "20000",
        "--set",
        "linger.ms=1",
        "--set",
        "acks=1",
        "--fault",
        "0ms:slow-follower:0:100",
        "--fault",
        "20ms:kill-leader:0",
        "--json",
    ]);
    let lost = d["ledger"]["lost"]["broker"].as_u64().expect("lost.broker");
    assert!(lost > 0, "{}", d["ledger"]);
    assert_eq!(
        d["producer"]["acked"], 20000,
        "acks=1 acknowledged them all"
    );
    let examples = d["ledger"]["examples"].as_array().expect("examples");
    let example = examples
        .iter()
        .find(|e| e["verdict"] == "lost_broker")
        .expect("a lost_broker example");
    assert_eq!(example["partition"], 0);
    let cause = example["cause"].as_str().expect("a cause");
    assert!(cause.contains("acks=1"), "{cause}");
    // The same crash with acks=all loses nothing.
    let d = ok_json(&[
        "run",
        "--records",
        "20000",
        "--set",
        "linger.ms=1",
        "--fault",
        "0ms:slow-follower:0:100",
        "--fault",
        "20ms:kill-leader:0",
        "--json",
    ]);
    assert_eq!(d["ledger"]["counts"]["delivered"], 20000, "{}", d["ledger"]);
}

#[test]
fn no_subcommand_runs_the_builtin_notes_scenario() {
    let text = ok(&[]);
    assert!(text.contains("50000 requested"), "{text}");
    assert!(text.contains("50000 acked"), "{text}");
    assert!(text.contains("seed 42"), "{text}");
}

#[test]
fn shared_options_work_before_and_after_run() {
    let before = ok(&[
        "--set",
        "linger.ms=2",
        "--seed",
        "5",
        "run",
        "--records",
        "100",
    ]);
    let after = ok(&[
        "run",
        "--records",
        "100",
        "--set",
        "linger.ms=2",
        "--seed",
        "5",
    ]);
    assert_eq!(before, after);
    assert!(
        before.contains("linger.ms=2") && before.contains("seed 5"),
        "{before}"
    );
}

#[test]
fn text_summary_names_seed_profile_and_counts() {
    let text = ok(&["run", "--records", "200", "--seed", "7"]);
    assert!(text.contains("Kafka 4.x profile"), "{text}");
    assert!(text.contains("seed 7"), "{text}");
    assert!(text.contains("200 acked"), "{text}");
    assert!(text.contains("linger.ms=5"), "{text}");
}

#[test]
fn seed_and_version_reach_the_summary() {
    let d = ok_json(&[
        "run",
        "--records",
        "100",
        "--json",
        "--seed",
        "123",
        "--kafka-version",
        "2.8",
    ]);
    assert_eq!(d["seed"], 123);
    assert_eq!(d["kafka_version"], "2.8");
    assert_eq!(d["producer"]["acks"], "1");
    assert_eq!(d["producer"]["idempotence"], false);
    assert_eq!(d["producer"]["linger_ms"], 0);
    assert_eq!(d["producer"]["acked"], 100);
}

#[test]
fn keyless_records_go_sticky() {
    // 300 small records fit one batch: the sticky partitioner keeps them on one partition.
    let d = ok_json(&["run", "--records", "300", "--key", "none", "--json"]);
    let counts: Vec<i64> = d["producer"]["records_per_partition"]
        .as_array()
        .expect("records_per_partition")
        .iter()
        .map(|v| v.as_i64().expect("a count"))
        .collect();
    assert_eq!(counts.iter().sum::<i64>(), 300);
    assert_eq!(counts.iter().filter(|&&n| n > 0).count(), 1, "{counts:?}");
}

#[test]
fn sync_send_puts_one_record_in_each_batch() {
    let d = ok_json(&["run", "--records", "20", "--sync", "--json"]);
    assert_eq!(d["producer"]["acked"], 20);
    assert_eq!(d["producer"]["batches"], 20);
    assert_eq!(d["producer"]["records_per_batch"], 1.0);
}

#[test]
fn until_stops_the_run_early() {
    let d = ok_json(&[
        "run",
        "--records",
        "1000",
        "--rate",
        "1000",
        "--until",
        "100ms",
        "--json",
    ]);
    assert_eq!(d["sim_time_ms"], 100.0);
    let sent = d["producer"]["sent"].as_u64().expect("sent");
    assert!(sent > 0 && sent < 1000, "{sent}");
}

/// Reads a trace file and checks every line is `{"t": <µs>, "event": <name>, ...}` in time order.
fn check_trace(path: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("trace file written");
    let mut last = 0;
    let events: Vec<Value> = text
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            let t = v["t"].as_u64().unwrap_or_else(|| panic!("no t: {line}"));
            assert!(v["event"].is_string(), "no event: {line}");
            assert!(t >= last, "time went backwards: {line}");
            last = t;
            v
        })
        .collect();
    assert!(!events.is_empty());
    events
}

#[test]
fn trace_files_are_json_lines_and_byte_identical_for_one_seed() {
    let a = TempFile::unused(".jsonl");
    let b = TempFile::unused(".jsonl");
    let args = |path: &str| {
        vec![
            "run".to_string(),
            "--records".into(),
            "500".into(),
            "--seed".into(),
            "9".into(),
            "--set".into(),
            "network.jitter.ms=0.3".into(),
            "--trace".into(),
            path.to_string(),
        ]
    };
    let run = |path: &str| {
        let args = args(path);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&refs)
    };
    let summary_a = run(a.path());
    let summary_b = run(b.path());
    assert_eq!(summary_a, summary_b);

    let events = check_trace(a.path());
    let appended = events
        .iter()
        .filter(|e| e["event"] == "record_appended")
        .count();
    assert_eq!(appended, 500, "one record_appended per record");
    assert!(events.iter().any(|e| e["event"] == "batch_acked"));
    assert!(events.iter().any(|e| e["event"] == "high_watermark"));

    let bytes_a = std::fs::read(a.path()).expect("trace a");
    let bytes_b = std::fs::read(b.path()).expect("trace b");
    assert!(bytes_a == bytes_b, "same seed, different traces");
}

#[test]
fn the_seed_changes_the_run() {
    // Keyless records: the sticky partitioner's choices come from the seeded RNG.
    let traces: Vec<Vec<u8>> = (1..=4)
        .map(|seed| {
            let f = TempFile::unused(".jsonl");
            let seed = seed.to_string();
            ok(&[
                "run",
                "--records",
                "3000",
                "--key",
                "none",
                "--seed",
                &seed,
                "--trace",
                f.path(),
            ]);
            std::fs::read(f.path()).expect("trace written")
        })
        .collect();
    assert!(
        traces.iter().any(|t| *t != traces[0]),
        "four seeds gave the same trace"
    );
}

// ---- kafka-flow settings ---------------------------------------------------------------

/// The default `kafka-flow settings` shows for `name`.
fn setting_default(listing: &str, name: &str) -> String {
    listing
        .lines()
        .find_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some(name)).then(|| words.next().unwrap_or("").to_string())
        })
        .unwrap_or_else(|| panic!("{name} not listed:\n{listing}"))
}

#[test]
fn settings_lists_linger_ms_per_version() {
    let v4 = ok(&["settings"]);
    assert_eq!(setting_default(&v4, "linger.ms"), "5");
    assert_eq!(
        setting_default(&ok(&["settings", "--kafka-version", "4"]), "linger.ms"),
        "5"
    );
    let v3 = ok(&["settings", "--kafka-version", "3"]);
    assert_eq!(setting_default(&v3, "linger.ms"), "0");
    assert_eq!(setting_default(&v3, "acks"), "all");
    let v28 = ok(&["settings", "--kafka-version", "2.8"]);
    assert_eq!(setting_default(&v28, "linger.ms"), "0");
    assert_eq!(setting_default(&v28, "acks"), "1");
    assert_eq!(setting_default(&v28, "enable.idempotence"), "false");
}

#[test]
fn settings_are_grouped_and_documented() {
    let listing = ok(&["settings"]);
    let groups: Vec<&str> = listing.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(
        groups,
        ["[producer]", "[topology]", "[consumer]", "[simulation]"]
    );
    for name in [
        "acks",
        "batch.size",
        "max.in.flight.requests.per.connection",
        "min.insync.replicas",
        "replication.factor",
        "network.latency.ms",
    ] {
        setting_default(&listing, name);
    }
    // Every setting line has a name, a default and an explanation.
    for l in listing.lines().filter(|l| l.starts_with("  ")) {
        assert!(l.split_whitespace().count() >= 3, "{l}");
    }
}

// ---- max.poll.interval.ms ---------------------------------------------------------------

#[test]
fn max_poll_interval_is_a_consumer_setting_by_kafkas_name() {
    let listing = ok(&["settings"]);
    assert_eq!(setting_default(&listing, "max.poll.interval.ms"), "300000");
    let consumer = listing
        .split("[consumer]")
        .nth(1)
        .and_then(|rest| rest.split("[simulation]").next())
        .expect("a consumer group");
    assert!(consumer.contains("max.poll.interval.ms"), "{consumer}");

    // Accepted with --set, and it does what it says: 500 records × 2 ms is longer than 500 ms.
    let slow = [
        "run",
        "--records",
        "3000",
        "--rate",
        "1000",
        "--set",
        "consumer.process.ms=2",
        "--set",
        "max.poll.interval.ms=500",
        "--set",
        "commit.mode=sync",
    ];
    let json = ok_json(&[&slow[..], &["--json"]].concat());
    assert!(
        json["consumer"]["poll_timeouts"].as_u64().unwrap() > 0,
        "{json}"
    );
    assert!(json["ledger"]["duplicated"]["processing"].as_u64().unwrap() > 0);
    let text = ok(&slow);
    assert!(
        text.contains("left the group (max.poll.interval.ms)"),
        "{text}"
    );
    assert!(text.contains("CommitFailedException"), "{text}");

    // Kafka's range: Type.INT, atLeast(1).
    for bad in ["0", "-5", "2147483648", "5m"] {
        bad_input(
            &[
                "run",
                "--records",
                "10",
                "--set",
                &format!("max.poll.interval.ms={bad}"),
            ],
            &["max.poll.interval.ms", bad, "1 to 2147483647"],
        );
    }
}
