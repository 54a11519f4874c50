//! The simulation core must stay pure: no async runtime, no terminal, no wall clock,
//! no thread or environment, no unseeded randomness, and no hash-ordered collections
//! (their iteration order differs between runs). This test reads every `.rs` file
//! under `src/sim/` and fails naming `file:line` for each offending use.

use std::path::{Path, PathBuf};

/// Substrings that must not appear in code (comments are ignored).
const FORBIDDEN: &[&str] = &[
    "tokio",
    "ratatui",
    "crossterm",
    "std::time::Instant",
    "Instant::now",
    "SystemTime",
    "thread_rng",
    "rand::rng(",
    "HashMap",
    "HashSet",
    "std::thread",
    "std::env::var",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code part of one line: everything before a `//` comment that is not inside a
/// string literal. `in_string` carries a multi-line string literal over to the next line.
fn code_part(line: &str, in_string: &mut bool) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut code = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if *in_string {
            if c == '\\' {
                code.push(c);
                if let Some(&n) = chars.get(i + 1) {
                    code.push(n);
                }
                i += 2;
                continue;
            }
            if c == '"' {
                *in_string = false;
            }
            code.push(c);
            i += 1;
            continue;
        }
        match c {
            '/' if chars.get(i + 1) == Some(&'/') => break,
            '"' => *in_string = true,
            // A char literal such as '"' or '\'' must not open a string.
            '\'' => {
                let lit_len = match (chars.get(i + 1), chars.get(i + 2), chars.get(i + 3)) {
                    (Some('\\'), Some(_), _) => chars[i + 3..]
                        .iter()
                        .position(|&c| c == '\'')
                        .map(|p| p + 4),
                    (Some(_), Some('\''), _) => Some(3),
                    _ => None, // a lifetime
                };
                if let Some(len) = lit_len {
                    code.extend(&chars[i..(i + len).min(chars.len())]);
                    i += len;
                    continue;
                }
            }
            _ => {}
        }
        code.push(c);
        i += 1;
    }
    code
}

/// Every `file:line: pattern` violation in `text`.
fn violations(file: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_string = false;
    for (n, line) in text.lines().enumerate() {
        let code = code_part(line, &mut in_string);
        for pattern in FORBIDDEN {
            if code.contains(pattern) {
                found.push(format!(
                    "{file}:{}: uses `{pattern}`: {}",
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    found
}

#[test]
fn the_simulation_core_is_pure() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join("sim");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    assert!(
        files.len() > 10,
        "found only {} .rs files under {}: the scan would pass vacuously",
        files.len(),
        root.display()
    );
    let mut all = Vec::new();
    let mut lines = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("source is UTF-8");
        lines += text.lines().count();
        let shown = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(path)
            .display()
            .to_string();
        all.extend(violations(&shown, &text));
    }
    assert!(lines > 1000, "only {lines} lines scanned");
    assert!(
        all.is_empty(),
        "src/sim must stay deterministic and free of I/O runtimes:\n{}",
        all.join("\n")
    );
}

#[test]
fn the_scanner_sees_code_and_skips_comments() {
    let src = "\
use std::collections::HashMap;
// a HashMap in a comment is fine
/// so is tokio in a doc comment
let url = \"http://example\"; let t = std::time::Instant::now();
let s = \"// not a comment\"; let r = rand::thread_rng();
let q = '\"'; let e = '\\''; let m: HashSet<u32> = HashSet::new(); // HashMap
fn f<'a>(x: &'a str) { std::thread::spawn(|| ()); }
let multi = \"first line
// still inside the string\"; let v = std::env::var(\"X\");
let ok = BTreeMap::new(); // tokio, SystemTime
";
    let found = violations("x.rs", src);
    let lines: Vec<&str> = found
        .iter()
        .map(|v| v.split(": uses").next().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "x.rs:1", // HashMap
            "x.rs:4", // std::time::Instant
            "x.rs:4", // Instant::now
            "x.rs:5", // thread_rng
            "x.rs:6", // HashSet
            "x.rs:7", // std::thread
            "x.rs:9", // std::env::var
        ],
        "{found:#?}"
    );
    assert!(found[0].contains("`HashMap`"), "{}", found[0]);
}
