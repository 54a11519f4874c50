//! `kafka-flow` with no subcommand when there is no terminal (as in CI, a pipe or a
//! file), and the `--lang` option. The TUI itself is driven in tmux by .ci/tui-e2e.sh.

mod common;
use common::cli::kafka_flow;

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

#[test]
fn without_a_terminal_the_builtin_summary_is_printed_and_stderr_says_why() {
    let out = kafka_flow(&["--set", "linger.ms=2", "--lang", "zh"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("50000 acked"), "{stdout}");
    assert!(
        stdout.contains("linger.ms=2"),
        "the user's --set wins: {stdout}"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("kafka-flow: ") && lines[0].contains("terminal"),
        "{stderr}"
    );
}

#[test]
fn a_bad_lang_exits_2_and_names_the_value_and_the_choices() {
    for (args, value) in [
        (&["--lang", "fr"][..], "'fr'"),
        (&["--lang", ""], "''"),
        (
            &["run", "--records", "10", "--lang", "klingon"],
            "'klingon'",
        ),
    ] {
        let out = kafka_flow(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        for needle in ["--lang", value, "en", "zh"] {
            assert!(stderr.contains(needle), "{args:?}: no {needle} in {stderr}");
        }
    }
}

#[test]
fn lang_is_accepted_in_any_case_and_anywhere() {
    for args in [
        &["--lang", "EN", "run", "--records", "10"][..],
        &["run", "--records", "10", "--lang", "zh"],
    ] {
        let out = kafka_flow(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn bad_settings_are_reported_without_a_terminal_too() {
    let out = kafka_flow(&["--set", "linger.msx=1"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "one line, no note about the terminal: {stderr}"
    );
    assert!(
        lines[0].starts_with("kafka-flow: ") && lines[0].contains("linger.msx"),
        "{stderr}"
    );
}
