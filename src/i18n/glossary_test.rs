//! docs/glossary.md is used, not only read: every word it lists to avoid is absent from the
//! Chinese of every translation table.

use super::entries;

const GLOSSARY: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/glossary.md"));

/// `(term, words to avoid)` of every table row whose last column lists some (in backticks).
pub(crate) fn avoided() -> Vec<(&'static str, Vec<&'static str>)> {
    GLOSSARY
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| ---"))
        .filter_map(|row| {
            let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
            let last = *cells.last()?;
            let words: Vec<&str> = last.split('`').skip(1).step_by(2).collect();
            (!words.is_empty()).then(|| (cells[0], words))
        })
        .collect()
}

#[test]
fn the_glossary_lists_words_to_avoid() {
    let rows = avoided();
    assert!(rows.len() >= 10, "{rows:?}");
    assert!(rows.iter().any(|(_, w)| w.contains(&"丢失（消费者端）")));
}

#[test]
fn no_chinese_text_uses_a_word_the_glossary_avoids() {
    let mut found = Vec::new();
    for (term, words) in avoided() {
        for &(key, _, zh) in entries() {
            for w in &words {
                if zh.contains(w) {
                    found.push(format!("{key}: '{w}' (glossary: {term})"));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
