//! The documentation's examples are true: in `docs/*.md` and the README, every line of a
//! shell example that starts with `#   ` (a hash and three spaces) quotes the output of the
//! next `kafka-flow` command in that block, and must appear in it verbatim.

use std::fmt::Write;
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

/// The README and every Markdown file in docs/, sorted.
fn doc_files() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    for e in std::fs::read_dir(root.join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            files.push(p);
        }
    }
    files.sort();
    files
}

#[test]
fn every_quoted_output_is_what_the_command_prints() {
    let files = doc_files();
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

/// GitHub's anchor for a heading: lower case, spaces to hyphens, punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Content moves between the README and docs/: every relative link `](path#anchor)` must still
/// reach a file, and its anchor a heading of that file.
#[test]
fn every_relative_link_reaches_a_file_and_a_heading() {
    let files = doc_files();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for link in text.split("](").skip(1) {
            let Some(target) = link.split(')').next() else {
                continue;
            };
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, frag) = target.split_once('#').unwrap_or((target, ""));
            let file = if path.is_empty() {
                f.clone()
            } else {
                f.parent().unwrap().join(path)
            };
            checked += 1;
            let Ok(body) = std::fs::read_to_string(&file) else {
                if !file.exists() {
                    wrong.push(format!("{}: ({target}): no such file", f.display()));
                }
                continue;
            };
            if !frag.is_empty()
                && !body
                    .lines()
                    .filter_map(|l| l.strip_prefix('#'))
                    .any(|h| anchor(h.trim_start_matches('#')) == frag)
            {
                wrong.push(format!("{}: ({target}): no such heading", f.display()));
            }
        }
    }
    assert!(checked >= 10, "only {checked} links found");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The README's lesson table is the lessons' own titles, in order (a lesson renamed or added
/// in lessons/*.toml must be renamed or added there too).
#[test]
fn the_readme_lists_the_lessons_by_their_titles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(root.join("lessons"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let title = |text: &str, lang: &str| -> String {
        let table = text.split("[title]").nth(1).unwrap_or("");
        let line = table
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{lang} =")))
            .unwrap_or("");
        line.split('"').nth(1).unwrap_or("").to_string()
    };
    let mut want = String::from("| # | lesson | 课程 |\n| --- | --- | --- |\n");
    for (i, p) in paths.iter().enumerate() {
        let text = std::fs::read_to_string(p).unwrap();
        writeln!(
            want,
            "| {} | {} | {} |",
            i + 1,
            title(&text, "en"),
            title(&text, "zh")
        )
        .unwrap();
    }
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let table = readme
        .split("<!-- lessons:start -->\n")
        .nth(1)
        .and_then(|s| s.split("<!-- lessons:end -->").next())
        .expect("README has <!-- lessons:start --> … <!-- lessons:end -->");
    assert_eq!(table, want);
}
