//! Imports point down, never up: `sim` < `i18n`, `scenario` < `lesson` < `headless`, `app` <
//! `ui`, `cli`, `tui`, `course` < `main`. A lower layer that named a higher one would make
//! the core depend on its screen or its command line. This test reads every `.rs` file under
//! `src/` and fails naming `file:line` for each `crate::<higher layer>` it finds.

#[path = "common/source.rs"]
#[allow(dead_code)] // layers.rs reads imports only; code_part is for the other scans
mod source;

use std::path::Path;

/// The layer of each top-level module; a module may use its own layer and those below.
const LAYERS: &[(&str, u8)] = &[
    ("sim", 0),
    ("i18n", 1),
    ("scenario", 1),
    ("lesson", 2),
    ("report", 2),
    ("scenarios", 2),
    ("headless", 3),
    ("compare", 3),
    ("sweep", 3),
    ("app", 3),
    ("ui", 4),
    ("cli", 4),
    ("tui", 4),
    ("course", 4),
    ("serve", 4),
];

/// Known upward imports, each with the reason it is still there.
const ALLOWED: &[(&str, &str)] = &[
    // The app keeps the look the user chose (theme, glyph set); these types belong below
    // the app and move with the read-only view work.
    ("app", "ui::glyphs"),
    ("app", "ui::theme"),
    // `--listen`: the app owns the real clients' world (src/app/live.rs) and pumps it with
    // its own simulation every frame; serve's one use of the app is the event narration.
    ("app", "serve"),
    // The ledger's unit tests (src/sim/ledger/tests.rs, test-only) read a cause in English
    // words to check that it names the numbers and settings; the core itself never does.
    ("sim", "i18n::describe::explanation"),
    ("sim", "i18n::Lang::En"),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

#[test]
fn no_module_imports_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = source::rust_files(&src);
    let mut found = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a component");
        let module = first.as_os_str().to_string_lossy();
        let module = module.trim_end_matches(".rs");
        let Some(own) = layer(module) else { continue };
        let text = std::fs::read_to_string(&file).expect("readable");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for (at, _) in code.match_indices("crate::") {
                let path: String = code[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let target = path.split("::").next().unwrap_or("");
                let Some(theirs) = layer(target) else {
                    continue;
                };
                let allowed = ALLOWED
                    .iter()
                    .any(|(m, p)| *m == module && path.starts_with(p));
                if theirs > own && !allowed {
                    found.push(format!(
                        "src/{}:{}: {module} uses crate::{path}",
                        rel.display(),
                        i + 1
                    ));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "imports pointing up:\n{}",
        found.join("\n")
    );
}
