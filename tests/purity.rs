//! The simulation core must stay pure: no async runtime, no terminal, no wall clock,
//! no thread or environment, no unseeded randomness, and no hash-ordered collections
//! (their iteration order differs between runs). This test reads every `.rs` file
//! under `src/sim/` and fails naming `file:line` for each offending use.

#[path = "common/source.rs"]
mod source;

use std::path::Path;

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

/// Every `file:line: pattern` violation in `text`.
fn violations(file: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_string = false;
    for (n, line) in text.lines().enumerate() {
        let code = source::code_part(line, &mut in_string);
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
    let mut files = source::rust_files(&root);
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
