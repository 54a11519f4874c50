//! The course's Chinese speaks the course notes' words: none that docs/glossary.md says to
//! avoid, and the notes' own terms used.

/// Every Chinese text of a lesson: title, summary, steps (text, key sentence, hints, goals,
/// question, reveal) and closing.
fn lesson_chinese() -> Vec<(String, String)> {
    let (lessons, errors) = super::load::load_all(None).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let mut out = Vec::new();
    for l in &lessons {
        let mut add = |what: &str, t: &super::Text| {
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
    for (term, words) in crate::i18n::glossary_test::avoided() {
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
        "漏消费",
        "重复消费",
        "同步发送",
        "异步发送",
        "回调函数",
        "分区器",
        "拦截器",
        "幂等性",
    ]
    .into_iter()
    .filter(|t| !all.contains(t))
    .collect();
    assert!(missing.is_empty(), "the lessons never say {missing:?}");
}
