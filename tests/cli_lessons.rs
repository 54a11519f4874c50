//! The course on the command line: listing, checking, and the errors of a broken lesson.

use std::process::Command;

fn kf(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kafka-flow"))
        .args(args)
        .env(
            "XDG_DATA_HOME",
            std::env::temp_dir().join("kf-cli-lessons-data"),
        )
        .output()
        .expect("the binary runs")
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kf-lessons-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const GOOD: &str = r#"
id = "tiny"
number = 1
title = { en = "Tiny", zh = "小" }
summary = { en = "s", zh = "概要" }
notes = "004_b0714076a0a3cce6.txt: linger.ms"
closing = { en = "c", zh = "结语" }
[setup]
records = 1000
rate = 1000.0
until = "3s"
settings = { "linger.ms" = "0", "consumers" = "0" }
[[steps]]
text = { en = "t", zh = "文字" }
key = { en = "The key sentence.", zh = "要点。" }
knobs = ["linger.ms"]
[[steps.goals]]
metric = "producer.records_per_batch"
op = ">="
value = 5
text = { en = "5 per batch", zh = "每批 5 条" }
[steps.solution]
settings = { "linger.ms" = "LINGER" }
"#;

#[test]
fn the_built_in_course_passes_its_own_check() {
    let out = kf(&["lesson", "check", "--all"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("20 passed, 0 failed"), "{stdout}");
}

#[test]
fn a_lesson_whose_solution_misses_its_goal_fails_the_check() {
    let ok = temp_file("ok.toml", &GOOD.replace("LINGER", "50"));
    let out = kf(&["lesson", "check", ok.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let bad = temp_file("bad.toml", &GOOD.replace("LINGER", "0"));
    let out = kf(&["lesson", "check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("not met by the solution") && stdout.contains("0 passed, 1 failed"),
        "{stdout}"
    );
}

#[test]
fn a_broken_lesson_file_names_file_line_and_column() {
    let bad = temp_file(
        "typo.toml",
        &GOOD
            .replace("LINGER", "50")
            .replace("knobs = [", "knbos = ["),
    );
    let out = kf(&["lesson", "check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("typo.toml:16:1:") && stdout.contains("knbos"),
        "{stdout}"
    );
}

/// A fresh directory for one test.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kf-lessons-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_directory_with_a_broken_file_lists_the_others_and_fails() {
    let dir = temp_dir("broken");
    std::fs::write(dir.join("01-tiny.toml"), GOOD.replace("LINGER", "50")).unwrap();
    std::fs::write(dir.join("02-broken.toml"), "id = [").unwrap();
    let out = kf(&["lessons", "--dir", dir.to_str().unwrap()]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stdout.contains("tiny") && !stdout.contains("broken"),
        "{stdout}"
    );
    let broken = dir.join("02-broken.toml");
    assert!(
        stderr.starts_with(&format!("kafka-flow: {}:1:", broken.display())),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn a_missing_or_empty_lesson_directory_is_an_error() {
    let out = kf(&["lessons", "--dir", "/nonexistent/kf-lessons"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr.trim_end(),
        "kafka-flow: /nonexistent/kf-lessons: cannot read the lesson directory: No such file or directory (os error 2)"
    );
    let empty = temp_dir("empty");
    for args in [
        &["lessons", "--dir", empty.to_str().unwrap()][..],
        &["lesson", "check", "--all", "--dir", empty.to_str().unwrap()],
        &["lesson", "1", "--dir", empty.to_str().unwrap()],
    ] {
        let out = kf(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("no lesson files (*.toml) in this directory"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn ten_lessons_with_one_id_are_load_errors_naming_both_files() {
    let dir = temp_dir("dups");
    for n in 0..10 {
        let lesson = GOOD
            .replace("LINGER", "50")
            .replace("id = \"tiny\"", "id = \"batching\"")
            .replace("number = 1", &format!("number = {}", n + 1));
        std::fs::write(dir.join(format!("{n:02}.toml")), lesson).unwrap();
    }
    let first = dir.join("00.toml").display().to_string();
    let out = kf(&["lessons", "--dir", dir.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let line = format!(
        "kafka-flow: {}:2:6: id 'batching' is already the id of {first} (ids must be unique)",
        dir.join("01.toml").display()
    );
    assert!(stderr.lines().any(|l| l == line), "{stderr}");
    assert!(
        stderr.ends_with("kafka-flow: 9 lesson files did not load\n"),
        "{stderr}"
    );
    let out = kf(&["lesson", "check", "--all", "--dir", dir.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("1 passed, 9 failed"), "{stdout}");
    assert!(
        stdout.contains(&format!("already the id of {first}")),
        "{stdout}"
    );
}

#[test]
fn duplicate_numbers_are_load_errors_too() {
    let dir = temp_dir("dup-numbers");
    std::fs::write(dir.join("a.toml"), GOOD.replace("LINGER", "50")).unwrap();
    std::fs::write(
        dir.join("b.toml"),
        GOOD.replace("LINGER", "50")
            .replace("id = \"tiny\"", "id = \"other\""),
    )
    .unwrap();
    let out = kf(&["lessons", "--dir", dir.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "kafka-flow: {}:3:10: number 1 is already the number of {} (numbers must be unique)",
            dir.join("b.toml").display(),
            dir.join("a.toml").display()
        )
    );
}

const QUESTION: &str = r#"[steps.question]
prompt = { en = "How many per batch?", zh = "每批几条？" }
reveal = { en = "What happened.", zh = "发生了什么。" }
[[steps.question.choices]]
text = { en = "one", zh = "一条" }
metric = "producer.records_per_batch"
op = "<"
value = 2
[[steps.question.choices]]
text = { en = "many", zh = "很多" }
metric = "CHOICE"
op = ">="
value = 2
"#;

#[test]
fn unknown_metrics_are_load_errors_with_their_place_and_key() {
    let dir = temp_dir("metrics");
    // A question choice: `lesson check` used to pass it (the choice was simply never right).
    let choice = format!("{}{QUESTION}", GOOD.replace("LINGER", "50"))
        .replace("CHOICE", "producer.records_per_bach");
    let file = dir.join("01-choice.toml");
    std::fs::write(&file, choice).unwrap();
    let out = kf(&["lesson", "check", file.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    let expected = format!(
        "FAIL {}:34:10: step 1, question choice 2, key 'metric': unknown metric 'producer.records_per_bach': 'producer' has no 'records_per_bach' (did you mean 'producer.records_per_batch'?)",
        file.display()
    );
    assert!(stdout.lines().any(|l| l == expected), "{stdout}");
    // The same error from `lessons` and `lesson N`, before anything runs.
    let out = kf(&["lessons", "--dir", dir.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}:34:10: step 1, question choice 2, key 'metric'",
            file.display()
        )),
        "{stderr}"
    );
    let out = kf(&["lesson", "1", "--dir", dir.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no lesson '1'") && stderr.contains(&format!("{}:34:10:", file.display())),
        "{stderr}"
    );

    // A goal: the same, with its line, and an index past the topology.
    std::fs::remove_file(&file).unwrap();
    let goal = GOOD
        .replace("LINGER", "50")
        .replace("producer.records_per_batch", "partitions.3.leader");
    let file = dir.join("02-goal.toml");
    std::fs::write(&file, goal).unwrap();
    let out = kf(&["lessons", "--dir", dir.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "kafka-flow: {}:18:10: step 1, goal 1, key 'metric': unknown metric 'partitions.3.leader': 'partitions' has 3 items in this lesson's setup (indexes 0 to 2)",
            file.display()
        )
    );
}

#[test]
fn a_damaged_progress_file_is_a_warning_and_its_good_marks_show() {
    let data = temp_dir("progress-data");
    std::fs::create_dir_all(data.join("kafka-flow")).unwrap();
    let progress = data.join("kafka-flow").join("progress.toml");
    std::fs::write(
        &progress,
        "[lessons.two-threads]\nstep = 0\ndone = true\n\n[lessons.batching]\nstep = -1\ndone = false\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kafka-flow"))
        .arg("lessons")
        .env("XDG_DATA_HOME", &data)
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.lines().any(|l| l.starts_with("✓  1  two-threads")),
        "{stdout}"
    );
    assert_eq!(
        stderr.trim_end(),
        format!(
            "kafka-flow: warning: progress file: {}:5: lesson 'batching': step = -1 is not a step number; skipped (the readable marks are shown; the file is backed up before the next save)",
            progress.display()
        )
    );
    // Listing reads only: the file is as it was.
    assert!(
        std::fs::read_to_string(&progress)
            .unwrap()
            .contains("step = -1")
    );
}

#[test]
fn an_unknown_lesson_is_an_error() {
    let out = kf(&["lesson", "99"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no lesson '99'"));
}
