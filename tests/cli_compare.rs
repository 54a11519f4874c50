//! `kafka-flow compare` as a user meets it: both sides on one seed, workload and set of
//! faults; each side equal to the single `run` with its settings; bad side settings are one
//! line naming the side, the setting and the value, with exit code 2.

mod common;
use common::cli::{kafka_flow, ok, ok_json};

/// Lesson 6, step 1: Kafka 2.8 (acks=1 by default), a follower of partition 0 lags, then
/// partition 0's leader dies; the ZooKeeper session expiry elects a follower without the
/// records acks=1 acknowledged.
const ACKS_WORLD: &[&str] = &[
    "--kafka-version",
    "2.8",
    "--records",
    "5000",
    "--rate",
    "1000",
    "--set",
    "consumers=0",
    "--set",
    "replica.lag.time.max.ms=1000",
    "--set",
    "unclean.leader.election.enable=true",
    "--fault",
    "1s:slow-follower:0:400",
    "--fault",
    "1500ms:kill-leader:0",
    "--until",
    "25s",
];

fn args<'a>(head: &[&'a str], world: &[&'a str], tail: &[&'a str]) -> Vec<&'a str> {
    head.iter().chain(world).chain(tail).copied().collect()
}

#[test]
fn acks_1_loses_acknowledged_records_that_acks_all_keeps() {
    let c = ok_json(&args(
        &["compare"],
        ACKS_WORLD,
        &["--a", "acks=1", "--b", "acks=all", "--json"],
    ));
    let lost = |side: &str| {
        c[side]["summary"]["ledger"]["lost"]["broker"]
            .as_u64()
            .unwrap()
    };
    assert!(
        lost("a") > 0,
        "acks=1 lost nothing: {}",
        c["a"]["summary"]["ledger"]
    );
    assert_eq!(lost("b"), 0);
    assert_eq!(c["a"]["settings"], serde_json::json!({"acks": "1"}));
    assert_eq!(c["b"]["settings"], serde_json::json!({"acks": "all"}));
    let lost_delta = c["delta"]["ledger.lost.broker"].as_i64().unwrap();
    assert_eq!(lost_delta, -i64::try_from(lost("a")).unwrap());
    // The seed is shared: the same records were asked for on both sides.
    assert!(c["delta"].get("producer.records_requested").is_none());

    // Each side is exactly the single run with the side's settings added.
    for (side, acks) in [("a", "acks=1"), ("b", "acks=all")] {
        let single = ok_json(&args(&["run"], ACKS_WORLD, &["--set", acks, "--json"]));
        assert_eq!(
            c[side]["summary"], single,
            "side {side} differs from run --set {acks}"
        );
    }

    let text = ok(&args(
        &["compare"],
        ACKS_WORLD,
        &["--a", "acks=1", "--b", "acks=all"],
    ));
    assert!(text.contains("  A       acks=1\n"), "{text}");
    assert!(text.contains("  B       acks=all\n"), "{text}");
    let row = text
        .lines()
        .find(|l| l.contains("lost in broker"))
        .expect("a lost-in-broker row");
    assert!(row.starts_with('*'), "the row differs: {row}");
    assert!(row.contains(&format!(" {} ", lost("a"))), "{row}");
    assert!(row.contains("-100.0%"), "{row}");
}

#[test]
fn the_same_settings_on_one_seed_give_identical_sides() {
    let c = ok_json(&args(
        &["compare"],
        ACKS_WORLD,
        &["--a", "acks=1", "--b", "acks=1", "--json"],
    ));
    assert_eq!(c["a"]["summary"], c["b"]["summary"]);
    assert_eq!(c["delta"], serde_json::json!({}));
    // A side without settings is the shared configuration, which is what `run` gives.
    let c = ok_json(&[
        "compare",
        "--records",
        "800",
        "--b",
        "linger.ms=0",
        "--json",
    ]);
    assert_eq!(c["a"]["settings"], serde_json::json!({}));
    assert_eq!(
        c["a"]["summary"],
        ok_json(&["run", "--records", "800", "--json"])
    );
    let text = ok(&["compare", "--records", "300", "--seed", "7"]);
    assert!(text.contains("The two sides are identical."), "{text}");
    // The sides run on two threads; the report is the same every time.
    assert_eq!(text, ok(&["compare", "--records", "300", "--seed", "7"]));
    assert!(text.contains("(the shared configuration)"), "{text}");
}

#[test]
fn a_scenario_and_its_commands_are_shared() {
    let c = ok_json(&[
        "compare",
        "--scenario",
        "acks-leader-crash",
        "--a",
        "acks=1",
        "--b",
        "acks=all",
        "--json",
    ]);
    for (side, acks) in [("a", "acks=1"), ("b", "acks=all")] {
        let single = ok_json(&[
            "run",
            "--scenario",
            "acks-leader-crash",
            "--set",
            acks,
            "--json",
        ]);
        assert_eq!(c[side]["summary"], single, "side {side}");
    }
}

#[test]
fn bad_side_settings_are_one_line_naming_side_setting_and_value() {
    for (argv, expected) in [
        (
            &["compare", "--a", "acks"][..],
            "kafka-flow: --a acks: expected name=value",
        ),
        (
            &["compare", "--b", "acks=2"],
            "kafka-flow: --b acks: '2' is not accepted",
        ),
        (
            &["compare", "--a", "acks=1", "--b", "lingr.ms=5"],
            "kafka-flow: --b lingr.ms=5: unknown setting 'lingr.ms' (did you mean 'linger.ms'?)",
        ),
        (
            &["compare", "--a", "enable.idempotence=true", "acks=0"],
            "kafka-flow: --a enable.idempotence=true acks=0: acks:",
        ),
    ] {
        let out = kafka_flow(argv);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{argv:?}: {err}");
        assert!(out.stdout.is_empty(), "{argv:?} printed a report");
        assert_eq!(err.lines().count(), 1, "{argv:?}: {err}");
        assert!(err.starts_with(expected), "{argv:?}: {err}");
    }
}
