//! The seam between the simulation and everything above it: code outside `src/sim` reads
//! the actors only through the read-only view (`sim::view`, `Sim::view()`), never their
//! insides, so a change inside the core cannot break the screen.
//!
//! The rule, for every line of code (comments ignored) in the scanned files:
//! - no call of the `Sim` accessors that hand out an actor: `.producer()`, `.cluster()`,
//!   `.group()`, `.ledger()`, `.flights()`, `.ledger_report()`;
//! - no actor field: `.acc`, `.idem`, `.deques`, `.conns`, `.coordinator`, `.in_hand`,
//!   `.logs`, `.followers` (as whole words), `.sender.`;
//! - no path through an actor's module: `accumulator::`, `broker::`, `consumer::`,
//!   `idempotence::`, `kernel::`, `network::`, `producer::`, `record_log::`, `sender::`,
//!   `stats::` (as whole words). Their plain data types (`Phase`, `AppState`, `ConnState`,
//!   `FlightKind`, `Node`, `RecordState`…) are re-exported by `sim::view`.
//!
//! Allowed: `Sim`'s own methods (`now`, `seed`, `config`, `effective`, `workload`, `apply`,
//! `advance_to`, `drain_trace`, `is_settled`, `high_watermarks`…), `sim::trace`,
//! `sim::config`, `sim::command`, `sim::summary`, `sim::ledger` (the report's data types),
//! `sim::time`, `sim::workload`.
//!
//! Scanned: every `.rs` file under `src/`, `tests/` and `benches/` except `src/sim/**` and
//! this file. The same check with grep, from the repository root (it also shows matches in
//! trailing comments, which the test ignores):
//!
//! ```sh
//! grep -rnE '\.(producer|cluster|group|ledger|flights|ledger_report)\(\)|\.(acc|idem|deques|conns|coordinator|in_hand|logs|followers)\b|\.sender\.|\b(accumulator|broker|consumer|idempotence|kernel|network|producer|record_log|sender|stats)::' \
//!     src tests benches --exclude-dir=sim --exclude=seam.rs | grep -vE '^[^:]+:[0-9]+:\s*//'
//! ```

#[path = "common/source.rs"]
mod source;

use std::path::Path;

/// Scanned: every `.rs` file under these, except `EXEMPT`.
const SCANNED: &[&str] = &["src", "tests", "benches"];

/// The core itself, and this file (its examples of what is forbidden are strings).
const EXEMPT: &[&str] = &["src/sim", "tests/seam.rs"];

/// The parts of the crate above the core: each must exist and is scanned like the rest
/// (listed so that a move or a rename cannot silently drop one from the scan).
const ABOVE_THE_CORE: &[&str] = &[
    "src/ui",
    "src/app",
    "src/lesson",
    "src/headless.rs",
    "src/tui",
    "src/cli.rs",
    "src/course.rs",
    "src/i18n",
];

const ACCESSORS: &[&str] = &[
    ".producer()",
    ".cluster()",
    ".group()",
    ".ledger()",
    ".flights()",
    ".ledger_report()",
];
const FIELDS: &[&str] = &[
    "acc",
    "idem",
    "deques",
    "conns",
    "coordinator",
    "in_hand",
    "logs",
    "followers",
];
const MODULES: &[&str] = &[
    "accumulator",
    "broker",
    "consumer",
    "idempotence",
    "kernel",
    "network",
    "producer",
    "record_log",
    "sender",
    "stats",
];

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `word` occurs in `code` at a word start, preceded by `before` (or by a
/// non-identifier character when `before` is empty) and followed by `after`, or by a
/// non-identifier character when `after` is empty.
fn has_word(code: &str, before: &str, word: &str, after: &str) -> bool {
    let needle = format!("{before}{word}{after}");
    code.match_indices(&needle).any(|(i, _)| {
        let start_ok = !before.is_empty() || !code[..i].chars().next_back().is_some_and(is_ident);
        let end = i + needle.len();
        let end_ok = !after.is_empty() || !code[end..].chars().next().is_some_and(is_ident);
        start_ok && end_ok
    })
}

/// What the line reaches into, if anything.
fn offence(code: &str) -> Option<String> {
    if let Some(a) = ACCESSORS.iter().find(|a| code.contains(*a)) {
        return Some(format!("`{a}`"));
    }
    if let Some(f) = FIELDS.iter().find(|f| has_word(code, ".", f, "")) {
        return Some(format!("field `.{f}`"));
    }
    if code.contains(".sender.") {
        return Some("field `.sender`".to_string());
    }
    MODULES
        .iter()
        .find(|m| has_word(code, "", m, "::"))
        .map(|m| format!("module `{m}::`"))
}

fn violations(root: &Path) -> (usize, Vec<String>) {
    let mut found = Vec::new();
    let mut lines = 0;
    for dir in SCANNED {
        for path in source::rust_files(&root.join(dir)) {
            let shown = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            if EXEMPT
                .iter()
                .any(|e| shown == *e || shown.starts_with(&format!("{e}/")))
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source is UTF-8");
            let mut in_string = false;
            for (n, line) in text.lines().enumerate() {
                lines += 1;
                let code = source::code_part(line, &mut in_string);
                if let Some(what) = offence(&code) {
                    found.push(format!("{shown}:{}: {what}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    (lines, found)
}

#[test]
fn nothing_above_the_core_reads_actor_internals() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for part in ABOVE_THE_CORE {
        assert!(
            root.join(part).exists(),
            "{part} is gone: update ABOVE_THE_CORE"
        );
    }
    let (lines, found) = violations(root);
    assert!(
        lines > 10_000,
        "only {lines} lines scanned: the scan would pass vacuously"
    );
    assert!(
        found.is_empty(),
        "code above the core must read the simulation through sim::view (Sim::view()):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_rule_catches_what_it_names() {
    for bad in [
        "let p = app.sim.producer();",
        "for c in &sim.group().consumers {",
        "let q = &p.acc.deques;",
        "p.sender.conns.len()",
        "let i = &p.idem;",
        "use crate::sim::consumer::Phase;",
        "use crate::sim::{sender::ConnState, Sim};",
        "g.coordinator.committed.get(&p)",
    ] {
        assert!(offence(bad).is_some(), "missed: {bad}");
    }
    for good in [
        "let v = app.sim.view();",
        "let lanes = v.accumulator().lanes;",
        "block(cx, \"panel.sender\", PanelId::Sender)",
        "pipeline::sender(frame, area, cx);",
        "cluster::consumer(frame, area, cx);",
        "let accumulator = 1; let idempotence = v.network_client().idempotence;",
        "use crate::sim::view::{AppState, Phase};",
        "let my_consumer::x = 1;",
    ] {
        assert_eq!(offence(good), None, "false alarm: {good}");
    }
}
