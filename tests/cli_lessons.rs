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
closing = { en = "c", zh = "结语" }
[setup]
records = 1000
rate = 1000.0
until = "3s"
settings = { "linger.ms" = "0", "consumers" = "0" }
[[steps]]
text = { en = "t", zh = "文字" }
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
    assert!(stdout.contains("12 passed, 0 failed"), "{stdout}");
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
        stdout.contains("typo.toml:14:1:") && stdout.contains("knbos"),
        "{stdout}"
    );
}

#[test]
fn a_directory_with_a_broken_file_still_lists_the_others() {
    let dir = std::env::temp_dir().join(format!("kf-lessons-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("01-tiny.toml"), GOOD.replace("LINGER", "50")).unwrap();
    std::fs::write(dir.join("02-broken.toml"), "id = [").unwrap();
    let out = kf(&["lessons", "--dir", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout.contains("tiny") && stdout.contains("02-broken.toml:1:"),
        "{stdout}"
    );
}

#[test]
fn an_unknown_lesson_is_an_error() {
    let out = kf(&["lesson", "99"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no lesson '99'"));
}
