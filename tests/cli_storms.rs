//! The robustness campaign's reproductions, run with the real binary and a fixed seed:
//! settings that once made the simulation hang or spend unbounded work per simulated
//! millisecond now end, with a bounded number of events (the `events` of the `--json`
//! summary against its `sim_time_ms`), or are refused naming the setting. No wall clock.

mod common;
use common::cli::kafka_flow;

use serde_json::Value;

/// `kafka-flow run --seed 1 --json ARGS`: the summary.
fn run_json(args: &[&str]) -> Value {
    let mut all = vec!["run", "--seed", "1", "--json"];
    all.extend_from_slice(args);
    let out = kafka_flow(&all);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "kafka-flow {all:?}: {err}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{all:?}: not JSON ({e})"))
}

fn events(v: &Value) -> u64 {
    v["events"].as_u64().expect("events")
}

fn sim_time_ms(v: &Value) -> f64 {
    v["sim_time_ms"].as_f64().expect("sim_time_ms")
}

fn stopped(v: &Value) -> &str {
    v["stopped"]["reason"].as_str().expect("stopped.reason")
}

/// auto.commit.interval.ms=0 (`ConsumerCoordinator.maybeAutoCommitOffsetsAsync` with a
/// timer of 0): a commit at every turn of poll(). It used to turn every microsecond until
/// the 120 s settle limit (351 M events for 10 records); the spinning loop now turns once
/// per millisecond, and the run ends once the positions are committed.
#[test]
fn auto_commit_interval_zero_commits_every_poll_and_ends() {
    let v = run_json(&["--records", "10", "--set", "auto.commit.interval.ms=0"]);
    assert_eq!(stopped(&v), "settled");
    // The group forms at 3 s (group.initial.rebalance.delay.ms); a few ms later all is committed.
    assert!(sim_time_ms(&v) < 4_000.0, "{}", sim_time_ms(&v));
    // At most a few events per simulated ms (commit, its answer, the next turn) plus the records' own.
    assert!(events(&v) < 2_000, "{} events", events(&v));
    let commits = &v["consumer"]["commits"];
    assert!(commits["sent"].as_u64().unwrap() >= 2, "{commits}");
    assert_eq!(v["consumer"]["processed"], 10);
}

/// request.timeout.ms=0 is legal (`ProducerConfig`: atLeast(0)); every request then times
/// out before its answer can come (`NetworkClient.handleTimedOutRequests`), the connection
/// closes, the batch is retried after the reconnect backoff, and the records fail when
/// delivery.timeout.ms (120 s) runs out. With broker 0, the only replica of partition 0,
/// killed, the producer used to ask for metadata once per round trip all that time; it now
/// backs off as `Metadata.timeToAllowUpdate` says.
#[test]
fn request_timeout_zero_with_a_dead_only_replica_ends() {
    let v = run_json(&[
        "--records",
        "10",
        "--set",
        "request.timeout.ms=0",
        "--set",
        "replication.factor=1",
        "--fault",
        "10ms:kill-broker:0",
    ]);
    // The run ends once delivery.timeout.ms has failed the last records.
    assert!(sim_time_ms(&v) < 130_000.0, "{}", sim_time_ms(&v));
    assert_eq!(v["producer"]["failed"], 10);
    // About one metadata request per second (retry.backoff.max.ms) and the group's timers:
    // well under one event per simulated ms (it was 205,721 events).
    assert!(
        (events(&v) as f64) < sim_time_ms(&v) / 4.0,
        "{} events in {} ms",
        events(&v),
        sim_time_ms(&v)
    );
}

/// A hop that takes no time is refused, naming the setting: with it, a consumer polling an
/// empty log with fetch.max.wait.ms=0 fetched again at the very same instant.
#[test]
fn zero_network_latency_is_refused() {
    let out = kafka_flow(&[
        "run",
        "--records",
        "10",
        "--set",
        "network.latency.ms=0",
        "--set",
        "fetch.max.wait.ms=0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("network.latency.ms"), "{err}");
    assert!(err.contains("0.01"), "{err}");
}

/// fetch.max.wait.ms=0 on an idle log: the broker answers at once (`ReplicaManager`
/// answers when maxWaitMs <= 0) and the consumer fetches again as soon as the empty answer
/// arrives (`AbstractFetch` has no backoff for that), so the loop turns once per round trip.
/// On the fastest network allowed (10 µs one way) that is at most 50 fetches per ms to
/// each of the 3 leaders, two events each: 300 events per simulated ms, plus the records'.
#[test]
fn fetch_max_wait_zero_on_the_fastest_network_turns_once_per_round_trip() {
    let v = run_json(&[
        "--records",
        "10",
        "--set",
        "network.latency.ms=0.01",
        "--set",
        "fetch.max.wait.ms=0",
        "--until",
        "4s",
    ]);
    assert_eq!(stopped(&v), "until");
    let ms = sim_time_ms(&v);
    assert!(
        (events(&v) as f64) < 300.0 * ms + 10_000.0,
        "{} events in {ms} ms",
        events(&v)
    );
}

/// No records at all, a 1 ms auto-commit interval or a commit in the loop: the positions
/// (0 everywhere) get committed and the run ends, instead of waiting for the 120 s settle
/// limit with a commit always on its way (117,009 commits). A manual mode commits them
/// after the notes' `poll(Duration.ofSeconds(10))` returns empty, as the Java loop does.
#[test]
fn no_records_settles_in_every_commit_mode() {
    for mode in ["auto", "sync", "async", "sync-before", "async-before"] {
        let v = run_json(&[
            "--records",
            "0",
            "--set",
            &format!("commit.mode={mode}"),
            "--set",
            "auto.commit.interval.ms=1",
        ]);
        assert_eq!(stopped(&v), "settled", "{mode}: {}", v["stopped"]);
        let limit = if mode == "auto" { 4_000.0 } else { 14_000.0 };
        assert!(sim_time_ms(&v) < limit, "{mode}: {}", sim_time_ms(&v));
        assert!(events(&v) < 2_000, "{mode}: {} events", events(&v));
        let committed = &v["consumer"]["committed_offsets"];
        assert_eq!(
            committed.as_object().map(serde_json::Map::len),
            Some(3),
            "{mode}: {committed}"
        );
    }
}

/// consumer.process.ms=0 with max.poll.records=1: each poll's record is processed at once
/// and the loop polls again from inside the same call. A backlog of 200,000 records used to
/// overflow the stack; now the turns run one after the other.
#[test]
fn instant_processing_of_a_large_backlog_one_record_per_poll() {
    let v = run_json(&[
        "--records",
        "200000",
        "--set",
        "consumer.process.ms=0",
        "--set",
        "max.poll.records=1",
    ]);
    assert_eq!(stopped(&v), "settled");
    assert_eq!(v["consumer"]["processed"], 200_000);
}
