//! The documentation's examples are true: in `docs/*.md` and the README, every line of a
//! shell example that starts with `#   ` (a hash and three spaces) quotes the output of the
//! next `kafka-flow` command in that block, and must appear in it verbatim.

use std::path::Path;
use std::process::Command;

/// (expected output lines, command words) of every quoted example in `text`.
fn examples(text: &str) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut in_shell = false;
    let mut expected: Vec<String> = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("```") {
            in_shell = line.trim() == "```sh" && !in_shell;
            expected.clear();
            continue;
        }
        if !in_shell {
            continue;
        }
        if let Some(q) = line.strip_prefix("#   ") {
            expected.push(q.trim_end().to_string());
        } else if line.starts_with("kafka-flow ") {
            let mut cmd = line.to_string();
            while cmd.ends_with('\\') {
                cmd.pop();
                cmd.push(' ');
                cmd.push_str(lines.next().unwrap_or("").trim());
            }
            if !expected.is_empty() {
                out.push((std::mem::take(&mut expected), cmd));
            }
        } else if line.trim().is_empty() {
            expected.clear();
        }
    }
    out
}

/// Splits a command line the way a shell would for these examples (single quotes only).
fn words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in cmd.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            _ => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn every_quoted_output_is_what_the_command_prints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    for e in std::fs::read_dir(root.join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            files.push(p);
        }
    }
    files.sort();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (expected, cmd) in examples(&text) {
            let args = words(&cmd);
            let output = Command::new(env!("CARGO_BIN_EXE_kafka-flow"))
                .args(&args[1..])
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            let lines: Vec<&str> = stdout.lines().map(str::trim_end).collect();
            for e in &expected {
                checked += 1;
                if !lines.iter().any(|l| l.trim_start() == e.trim_start()) {
                    wrong.push(format!(
                        "{}: `{cmd}` does not print\n    {e}\n  it prints:\n{}",
                        f.display(),
                        stdout
                            .lines()
                            .filter(|l| l.starts_with("ledger")
                                || l.contains("latency")
                                || l.starts_with("  lost"))
                            .map(|l| format!("    {l}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    ));
                }
            }
        }
    }
    assert!(checked >= 10, "only {checked} quoted lines found");
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn the_example_parser_reads_quotes_and_continued_commands() {
    let text = "```sh\n# a comment\n#   ledger  delivered 5\nkafka-flow run --records 5 \\\n    --key 'a b'\n```\n";
    let ex = examples(text);
    assert_eq!(ex.len(), 1);
    assert_eq!(ex[0].0, vec!["ledger  delivered 5"]);
    assert_eq!(
        words(&ex[0].1),
        vec!["kafka-flow", "run", "--records", "5", "--key", "a b"]
    );
}
