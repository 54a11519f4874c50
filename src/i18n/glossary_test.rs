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

/// Every Chinese text of a lesson: title, summary, steps (text, key sentence, hints, goals,
/// question, reveal) and closing.
fn lesson_chinese() -> Vec<(String, String)> {
    let (lessons, errors) = crate::lesson::load::load_all(None).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let mut out = Vec::new();
    for l in &lessons {
        let mut add = |what: &str, t: &crate::lesson::Text| {
            out.push((format!("{} {what}", l.source), t.zh.clone()));
        };
        add("title", &l.title);
        add("summary", &l.summary);
        add("closing", &l.closing);
        for (i, s) in l.steps.iter().enumerate() {
            let n = i + 1;
            add(&format!("step {n} text"), &s.text);
            add(&format!("step {n} key"), &s.key);
            for h in &s.hints {
                add(&format!("step {n} hint"), h);
            }
            for g in &s.goals {
                add(&format!("step {n} goal"), &g.text);
            }
            if let Some(q) = &s.question {
                add(&format!("step {n} prompt"), &q.prompt);
                add(&format!("step {n} reveal"), &q.reveal);
                for c in &q.choices {
                    add(&format!("step {n} choice"), &c.text);
                }
            }
        }
    }
    out
}

#[test]
fn no_lesson_uses_a_word_the_glossary_avoids() {
    let mut found = Vec::new();
    for (term, words) in avoided() {
        for (place, zh) in lesson_chinese() {
            for w in &words {
                if zh.contains(w) {
                    found.push(format!("{place}: '{w}' (glossary: {term})"));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_course_speaks_the_notes_own_terms() {
    let all: String = lesson_chinese().into_iter().map(|(_, zh)| zh).collect();
    let missing: Vec<&str> = [
        "漏消费", "重复消费", "同步发送", "异步发送", "回调函数", "分区器", "拦截器", "幂等性",
    ]
    .into_iter()
    .filter(|t| !all.contains(t))
    .collect();
    assert!(missing.is_empty(), "the lessons never say {missing:?}");
}
