//! Scenario files: the built-in demos load and show what they claim (their `[[expect]]`
//! conditions hold in a headless run), broken files are refused with one
//! `FILE:LINE:COLUMN: key '…'` line, and `kafka-flow run --scenario` and `kafka-flow
//! scenarios` behave on the command line.

mod common;
use common::cli::kafka_flow;

use kafka_flow::lesson::goals::Condition;
use kafka_flow::scenario::WorldOptions;
use kafka_flow::scenarios::builtin::load_all;
use kafka_flow::scenarios::{BeatWhen, ScenarioFile, builtin, find};
use kafka_flow::sim::summary::Summary;
use kafka_flow::sim::{Command, SimTime};

const IDS: [&str; 7] = [
    "notes-producer-consumer",
    "batch-size-vs-linger",
    "acks-leader-crash",
    "acks-one-vs-all",
    "retries-reordering",
    "commit-before-processing",
    "slow-consumer",
];

fn summary_of(file: &ScenarioFile) -> Summary {
    summary_with(file, &WorldOptions::default())
}

fn summary_with(file: &ScenarioFile, world: &WorldOptions) -> Summary {
    let scenario = file.scenario(world).unwrap();
    let mut sim = scenario.build().unwrap();
    sim.set_trace_enabled(false);
    sim.run(file.until);
    Summary::of(&sim)
}

fn failed(conditions: &[Condition], summary: &Summary) -> Vec<String> {
    conditions
        .iter()
        .filter(|c| c.holds(summary) != Ok(true))
        .map(|c| format!("{c} (measured {:?})", c.metric.read(summary)))
        .collect()
}

#[test]
fn every_builtin_loads_and_tells_its_story_in_both_languages() {
    let (files, errors) = load_all();
    assert!(errors.is_empty(), "{errors:#?}");
    let ids: Vec<&str> = files.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, IDS);
    for f in &files {
        let id = &f.id;
        assert_eq!(f.source, format!("builtin:{id}"));
        assert!(!f.title.zh.is_empty(), "{id}: title needs zh");
        let summary = f.summary.as_ref().expect("a summary");
        assert!(!summary.en.is_empty() && !summary.zh.is_empty(), "{id}");
        assert!((2..=4).contains(&f.beats.len()), "{id}: 2 to 4 beats");
        for b in &f.beats {
            assert!(!b.caption.zh.is_empty(), "{id}: a caption without zh");
            // A timed beat within the run, or it is never reached headless or in the TUI.
            if let (BeatWhen::At(t), Some(until)) = (b.when, f.until) {
                assert!(t <= until, "{id}: a beat after until");
            }
        }
        assert!(f.notes.is_some(), "{id}: which part of the notes");
        assert!(!f.expect.is_empty(), "{id}: what it proves");
        assert!(f.until.is_some(), "{id}: run --scenario needs a stop");
    }
}

#[test]
fn every_builtin_shows_what_it_claims() {
    for f in builtin() {
        let summary = summary_of(&f);
        let failed = failed(&f.expect, &summary);
        assert!(failed.is_empty(), "{}: {failed:?}", f.id);
        // Side B: the same world with its settings on top, as `compare` and the TUI run it.
        if let Some(b) = &f.b {
            let world = WorldOptions {
                set: b.settings.iter().map(|(n, v)| format!("{n}={v}")).collect(),
                ..WorldOptions::default()
            };
            let failed_b = self::failed(&b.expect, &summary_with(&f, &world));
            assert!(failed_b.is_empty(), "{} side B: {failed_b:?}", f.id);
            assert!(!b.expect.is_empty(), "{}: what side B proves", f.id);
        }
    }
}

#[test]
fn a_side_b_is_read_checked_and_written_back() {
    let f = find("acks-one-vs-all").unwrap();
    let b = f.b.as_ref().expect("the A/B scenario declares its B side");
    assert_eq!(b.settings, vec![("acks".to_string(), "all".to_string())]);
    let back = ScenarioFile::parse(&f.to_toml(), &f.source).unwrap();
    assert_eq!(back, f);
    let base = "title = { en = \"t\" }\n";
    for (text, key, says) in [
        ("[b]\n", "'b.settings'", "missing"),
        ("[b.settings]\n", "'b.settings'", "at least one setting"),
        (
            "[b.settings]\n\"linger.mss\" = 5\n",
            "'b.settings.linger.mss'",
            "unknown",
        ),
        ("[b.settings]\nacks = \"2\"\n", "'b.settings.acks'", "2"),
        ("[b]\nsetting = 1\n", "'b.setting'", "unknown key"),
        (
            "[b.settings]\nacks = \"all\"\n[[b.expect]]\nmetric = \"ledger.lots\"\nop = \">\"\nvalue = 0\n",
            "'b.expect[1].metric'",
            "",
        ),
    ] {
        let text = format!("{base}{text}");
        let e = ScenarioFile::parse(&text, "x.toml").expect_err(&text);
        assert!(
            e.starts_with("x.toml:") && e.contains(key) && e.contains(says),
            "{text}\n→ {e}"
        );
    }
    // A clash across settings is reported at side B's setting that makes it.
    let text = format!(
        "{base}[settings]\nacks = \"all\"\n[b.settings]\nacks = \"1\"\n\"enable.idempotence\" = true\n"
    );
    let e = ScenarioFile::parse(&text, "x.toml").expect_err(&text);
    assert!(e.contains("b.settings"), "{e}");
}

#[test]
fn idempotence_keeps_the_later_faults_in_order() {
    let f = find("retries-reordering").unwrap();
    let fault_at = |t: u64| {
        move |(at, c): &(SimTime, Command)| *at == SimTime(t) && matches!(c, Command::Fault { .. })
    };
    // Only the fault after enable.idempotence=true: nothing is reordered.
    let mut later = f.clone();
    later.commands.retain(|c| !fault_at(100_000)(c));
    assert_eq!(later.commands.len(), 2);
    let s = summary_of(&later);
    assert_eq!(s.ledger.reordered, 0);
    assert_eq!(s.producer.acked, 5000);
    // The same fault without idempotence does reorder: the setting is what protects them.
    let mut unprotected = later.clone();
    unprotected
        .commands
        .retain(|(_, c)| !matches!(c, Command::Set { .. }));
    assert!(summary_of(&unprotected).ledger.reordered > 0);
}

#[test]
fn find_takes_an_id_or_a_path() {
    assert_eq!(find("slow-consumer").unwrap().id, "slow-consumer");
    let e = find("no-such-scenario").unwrap_err();
    assert!(
        e.contains("no-such-scenario") && e.contains("acks-leader-crash"),
        "{e}"
    );
    let dir = std::env::temp_dir().join(format!("kf-scen-find-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mine.toml");
    std::fs::write(&path, "title = { en = \"Mine\" }\n").unwrap();
    let f = find(path.to_str().unwrap()).unwrap();
    assert_eq!(f.id, "mine");
    assert_eq!(f.title.zh, "");
    let _ = std::fs::remove_dir_all(&dir);
}

const T: &str = "title = { en = \"t\" }\n";

/// (file text, line, column, key, a fragment of the message).
fn broken() -> Vec<(String, usize, usize, &'static str, &'static str)> {
    let t = |rest: &str| format!("{T}{rest}");
    let mut many = String::from(T);
    many.push_str("commands = [\n");
    for _ in 0..=10_000 {
        many.push_str("  { at = \"1s\", rate = 1 },\n");
    }
    many.push_str("]\n");
    vec![
        ("seed = 1\n".into(), 1, 1, "title", "missing"),
        (t("titel = 1\n"), 2, 1, "titel", "unknown key"),
        (t("id = \"Bad Id\"\n"), 2, 6, "id", "lowercase"),
        (t("seed = -1\n"), 2, 8, "seed", "whole number"),
        (t("until = \"3h\"\n"), 2, 9, "until", "unknown unit"),
        (
            t("kafka_version = \"5\"\n"),
            2,
            17,
            "kafka_version",
            "unknown Kafka version",
        ),
        (t("notes = \"open\n"), 2, 14, "notes", "invalid TOML"),
        (
            t("[settings]\n\"linger.msx\" = 5\n"),
            3,
            1,
            "settings.linger.msx",
            "did you mean 'linger.ms'",
        ),
        (
            t("[settings]\nacks = \"2\"\n"),
            3,
            8,
            "settings.acks",
            "'2' is not accepted",
        ),
        (
            t("acks = \"1\"\n"),
            2,
            1,
            "acks",
            "settings go under [settings]",
        ),
        (
            t(
                "[settings]\nacks = \"all\"\n\"enable.idempotence\" = true\n\"max.in.flight.requests.per.connection\" = 9\n",
            ),
            5,
            43,
            "settings.max.in.flight.requests.per.connection",
            "at most 5",
        ),
        (
            t("[workload]\nrecordz = 5\n"),
            3,
            1,
            "workload.recordz",
            "accepted: records",
        ),
        (
            t("[workload]\nkey = \"{\"\n"),
            3,
            7,
            "workload.key",
            "--key",
        ),
        (
            t("[workload]\nsync = \"yes\"\n"),
            3,
            8,
            "workload.sync",
            "true or false",
        ),
        (
            t("[[commands]]\nat = \"soon\"\nfault = \"kill-leader:0\"\n"),
            3,
            6,
            "commands[1].at",
            "not a duration",
        ),
        (
            t("[[commands]]\nat = \"1s\"\nfault = \"explode\"\n"),
            4,
            9,
            "commands[1].fault",
            "unknown fault 'explode'",
        ),
        (
            t("[[commands]]\nat = \"1s\"\nfault = \"kill-broker:5\"\n"),
            4,
            9,
            "commands[1].fault",
            "no broker 5",
        ),
        (
            t("[[commands]]\nat = \"1s\"\nfault = \"kill-leader:0\"\nset = \"acks=1\"\n"),
            5,
            7,
            "commands[1].set",
            "exactly one of fault, set or rate",
        ),
        (
            t("[[commands]]\nat = \"1s\"\nset = \"partitions=6\"\n"),
            4,
            7,
            "commands[1].set",
            "fixed when the simulation starts",
        ),
        (
            t("[[commands]]\nat = \"1s\"\nset = \"lingerms=6\"\n"),
            4,
            7,
            "commands[1].set",
            "unknown setting",
        ),
        (
            t("[[commands]]\nat = \"1s\"\nrate = -5\n"),
            4,
            8,
            "commands[1].rate",
            "out of range",
        ),
        (many, 10_003, 3, "commands", "more than 10000"),
        (
            t("[[beats]]\nfirst = \"leader-elect\"\ncaption = { en = \"x\" }\n"),
            3,
            9,
            "beats[1].first",
            "unknown moment 'leader-elect'",
        ),
        (
            t("[[beats]]\nat = \"1s\"\ncaption = { zh = \"只有中文\" }\n"),
            4,
            11,
            "beats[1].caption.en",
            "missing",
        ),
        (
            t("[[beats]]\nat = \"1s\"\nfirst = \"rebalance\"\ncaption = { en = \"x\" }\n"),
            4,
            9,
            "beats[1].first",
            "exactly one of at or first",
        ),
        (
            t("[[expect]]\nmetric = \"ledger.lost.brokr\"\nop = \">\"\nvalue = 0\n"),
            3,
            10,
            "expect[1].metric",
            "ledger.lost.broker",
        ),
        (
            t("[[expect]]\nmetric = \"ledger.lost.broker\"\nop = \"=>\"\nvalue = 0\n"),
            4,
            6,
            "expect[1].op",
            "unknown op",
        ),
    ]
}

#[test]
fn a_broken_file_is_one_line_naming_file_line_column_and_key() {
    for (text, line, col, key, fragment) in broken() {
        let e = ScenarioFile::parse(&text, "dir/x.toml").expect_err(&text[..text.len().min(200)]);
        let want = format!("dir/x.toml:{line}:{col}: key '{key}': ");
        assert!(e.starts_with(&want), "want {want}… got {e}");
        assert!(e.contains(fragment), "{e} lacks {fragment}");
        assert!(!e.contains('\n'), "{e}");
    }
}

#[test]
fn an_unreadable_file_names_its_path() {
    let e = ScenarioFile::load(std::path::Path::new("/no/such/dir/s.toml")).unwrap_err();
    assert!(
        e.starts_with("/no/such/dir/s.toml: cannot read the scenario file"),
        "{e}"
    );
}

#[test]
fn run_scenario_prints_what_run_prints_for_the_same_world() {
    let dir = std::env::temp_dir().join(format!("kf-scen-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("same.toml");
    std::fs::write(
        &path,
        "title = { en = \"same\" }\nuntil = \"4s\"\n\n[settings]\n\"linger.ms\" = 3\nacks = \"all\"\n\n\
         [workload]\nrecords = 2000\nrate = 800\n\n[[commands]]\nat = \"500ms\"\nfault = \"kill-leader:0\"\n",
    )
    .unwrap();
    let file = path.to_str().unwrap();
    let by_file = kafka_flow(&["run", "--scenario", file, "--json", "--seed", "9"]);
    let by_flags = kafka_flow(&[
        "run",
        "--set",
        "linger.ms=3",
        "--set",
        "acks=all",
        "--records",
        "2000",
        "--rate",
        "800",
        "--fault",
        "500ms:kill-leader:0",
        "--until",
        "4s",
        "--json",
        "--seed",
        "9",
    ]);
    assert!(by_file.status.success(), "{by_file:?}");
    assert!(by_flags.status.success(), "{by_flags:?}");
    assert_eq!(
        String::from_utf8_lossy(&by_file.stdout),
        String::from_utf8_lossy(&by_flags.stdout)
    );
    // `--until` wins over the file's, and `--set` applies on top of the file's settings.
    let short = kafka_flow(&[
        "run",
        "--scenario",
        file,
        "--json",
        "--until",
        "1s",
        "--set",
        "linger.ms=9",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&short.stdout).unwrap();
    assert_eq!(v["sim_time_ms"].as_f64(), Some(1000.0), "{v}");
    assert_eq!(v["producer"]["linger_ms"].as_u64(), Some(9), "{v}");

    // A broken file: exit 2, one line on stderr naming file:line:column.
    std::fs::write(
        &path,
        "title = { en = \"x\" }\n[[commands]]\nat = \"1s\"\nfault = \"boom\"\n",
    )
    .unwrap();
    let out = kafka_flow(&["run", "--scenario", file]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("{file}:4:9: key 'commands[1].fault'")),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_scenario_by_id_and_the_list() {
    let out = kafka_flow(&["run", "--scenario", "acks-leader-crash", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["ledger"]["lost"]["broker"].as_u64().unwrap() > 0, "{v}");

    let out = kafka_flow(&["run", "--scenario", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);

    let out = kafka_flow(&["scenarios"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), IDS.len(), "{text}");
    for (line, id) in lines.iter().zip(IDS) {
        assert!(line.starts_with(id), "{line}");
    }
    assert!(lines[2].contains("acks=1 and a leader crash"), "{text}");
    let zh = kafka_flow(&["scenarios", "--lang", "zh"]);
    assert!(String::from_utf8_lossy(&zh.stdout).contains("漏消费"));
}
