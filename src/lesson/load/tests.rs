use super::*;
use crate::sim::SimDuration;

const GOOD: &str = r#"
id = "demo"
number = 99
title = { en = "Demo", zh = "演示" }
summary = { en = "s", zh = "概要" }
notes = "004_b0714076a0a3cce6.txt: linger.ms"
closing = { en = "c", zh = "结语" }
[setup]
records = 100
until = "2s"
[[steps]]
text = { en = "t", zh = "文字" }
key = { en = "The key sentence.", zh = "要点。" }
knobs = ["linger.ms"]
[[steps.goals]]
metric = "producer.acked"
op = ">="
value = 1
text = { en = "g", zh = "目标" }
"#;

#[test]
fn a_good_lesson_loads() {
    let l = parse(GOOD, "demo.toml").unwrap();
    assert_eq!(l.id, "demo");
    assert_eq!(
        l.steps[0].goals[0].condition.to_string(),
        "producer.acked >= 1"
    );
    assert_eq!(
        l.setup.until,
        SimTime::ZERO + SimDuration::from_millis(2000)
    );
}

#[test]
fn an_unknown_field_names_file_line_and_column() {
    let bad = GOOD.replace("knobs = [", "knobz = [");
    let e = parse(&bad, "demo.toml").unwrap_err();
    assert_eq!(e.file, "demo.toml");
    assert_eq!(e.line, Some(14), "{e}");
    assert!(
        e.message.contains("knobz") && e.message.contains("knobs"),
        "{e}"
    );
    assert!(e.to_string().starts_with("demo.toml:14:"), "{e}");
}

#[test]
fn semantic_errors_point_at_the_text() {
    let e = parse(
        &GOOD.replace("\"linger.ms\"]", "\"linger.mss\"]"),
        "demo.toml",
    )
    .unwrap_err();
    assert!(e.message.contains("knob 'linger.mss'"), "{e}");
    assert_eq!(e.line, Some(14));
    let e = parse(&GOOD.replace("op = \">=\"", "op = \"=>\""), "demo.toml").unwrap_err();
    assert!(e.message.contains("unknown op"), "{e}");
    let e = parse(&GOOD.replace("zh = \"演示\"", "zh = \"\""), "demo.toml").unwrap_err();
    assert!(e.message.contains("both en and zh"), "{e}");
    let e = parse(
        &GOOD.replace("until = \"2s\"", "until = \"soon\""),
        "demo.toml",
    )
    .unwrap_err();
    assert!(e.message.contains("until"), "{e}");
}

#[test]
fn the_built_in_course_loads_without_errors() {
    let (lessons, errors) = load_all(None).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let mut ids: Vec<&str> = lessons.iter().map(|l| l.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), lessons.len(), "duplicate ids");
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kf-load-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn a_question_choice_on_an_unknown_metric_is_a_load_error() {
    let with_question = format!(
        "{GOOD}[steps.question]\nprompt = {{ en = \"p\", zh = \"问\" }}\nreveal = {{ en = \"r\", zh = \"揭晓\" }}\n\
         [[steps.question.choices]]\ntext = {{ en = \"a\", zh = \"甲\" }}\nmetric = \"producer.acked\"\nop = \">\"\nvalue = 0\n\
         [[steps.question.choices]]\ntext = {{ en = \"b\", zh = \"乙\" }}\nmetric = \"ledger.lost.brokr\"\nop = \"==\"\nvalue = 0\n"
    );
    assert!(parse(&with_question.replace("brokr", "broker"), "q.toml").is_ok());
    let e = parse(&with_question, "q.toml").unwrap_err();
    assert_eq!((e.line, e.column), (Some(30), Some(10)), "{e}");
    assert!(
        e.message
            .contains("step 1, question choice 2, key 'metric'")
            && e.message.contains("did you mean 'ledger.lost.broker'"),
        "{e}"
    );
    // An index past the setup's topology.
    let e = parse(
        &GOOD.replace("producer.acked", "partitions.3.leader"),
        "q.toml",
    )
    .unwrap_err();
    assert!(e.message.contains("0 to 2"), "{e}");
    assert_eq!(e.line, Some(16), "{e}");
}

#[test]
fn a_scripted_fault_with_an_extra_argument_is_a_load_error() {
    let bad = GOOD.replace(
        "knobs = [\"linger.ms\"]",
        "knobs = [\"linger.ms\"]\ncommands = [{ at = \"1s\", fault = \"crash-producer:5\" }]",
    );
    let e = parse(&bad, "f.toml").unwrap_err();
    assert_eq!(
        e.to_string(),
        "f.toml:15:35: step 1: command 'crash-producer:5': unexpected '5': crash-producer takes no argument (crash-producer)"
    );
}

#[test]
fn a_missing_or_empty_directory_is_an_error() {
    let e = load_all(Some(Path::new("/nonexistent/kafka-flow-lessons"))).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("/nonexistent/kafka-flow-lessons: cannot read the lesson directory"),
        "{e}"
    );
    let d = temp_dir("empty");
    let e = load_all(Some(&d)).unwrap_err();
    assert!(e.message.contains("no lesson files"), "{e}");
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn duplicate_ids_and_numbers_name_both_files() {
    let d = temp_dir("dups");
    std::fs::write(d.join("a.toml"), GOOD).unwrap();
    std::fs::write(d.join("b.toml"), GOOD.replace("number = 99", "number = 98")).unwrap();
    std::fs::write(
        d.join("c.toml"),
        GOOD.replace("id = \"demo\"", "id = \"other\""),
    )
    .unwrap();
    let (lessons, errors) = load_all(Some(&d)).unwrap();
    assert_eq!(lessons.len(), 1, "{errors:?}");
    assert_eq!(lessons[0].source, d.join("a.toml").display().to_string());
    let a = d.join("a.toml").display().to_string();
    assert_eq!(errors.len(), 2, "{errors:?}");
    let b = errors[0].to_string();
    assert!(
        b.starts_with(&format!(
            "{}:2:6: id 'demo' is already the id of {a}",
            d.join("b.toml").display()
        )),
        "{b}"
    );
    let c = errors[1].to_string();
    assert!(
        c.starts_with(&format!(
            "{}:3:10: number 99 is already the number of {a}",
            d.join("c.toml").display()
        )),
        "{c}"
    );
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn every_metric_the_lesson_guide_names_resolves() {
    let guide = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/lessons/README.md"));
    let table = guide
        .split("## Metrics")
        .nth(1)
        .unwrap()
        .split("##")
        .next()
        .unwrap();
    let config = Config::defaults(KafkaVersion::default());
    let rows: String = table.lines().filter(|l| l.starts_with('|')).collect();
    let mut n = 0;
    for path in rows.split('`').skip(1).step_by(2) {
        if path.contains('.') && !path.starts_with('.') && !path.contains(' ') {
            assert!(
                Metric::parse(path, &config).is_ok(),
                "lessons/README.md names {path}"
            );
            n += 1;
        }
    }
    assert!(n > 20, "{n}");
}

#[test]
fn the_lessons_chinese_avoids_what_the_glossary_avoids() {
    let mut found = Vec::new();
    for (term, words) in crate::i18n::glossary_test::avoided() {
        for (name, text) in EMBEDDED {
            for w in &words {
                if text.contains(w) {
                    found.push(format!("lessons/{name}: '{w}' (docs/glossary.md: {term})"));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn a_step_shows_the_parts_it_names_in_travel_order_or_all_of_them() {
    let l = parse(GOOD, "demo.toml").unwrap();
    assert_eq!(l.steps[0].show, Part::ALL.to_vec());
    let l = parse(
        &GOOD.replace(
            "knobs = [",
            "show = [\"ledger\", \"accumulator\"]\nknobs = [",
        ),
        "demo.toml",
    )
    .unwrap();
    assert_eq!(l.steps[0].show, [Part::Accumulator, Part::Ledger]);
}

#[test]
fn an_unknown_part_a_bad_speed_or_a_bad_hold_names_its_place() {
    let e = parse(
        &GOOD.replace("knobs = [", "show = [\"ledger\", \"panel 4\"]\nknobs = ["),
        "demo.toml",
    )
    .unwrap_err();
    assert_eq!((e.line, e.column), (Some(14), Some(19)), "{e}");
    assert!(
        e.message.contains("key 'show'") && e.message.contains("'panel 4' is not a part"),
        "{e}"
    );
    let e = parse(
        &GOOD.replace("knobs = [", "speed = 0\nknobs = ["),
        "demo.toml",
    )
    .unwrap_err();
    assert_eq!(e.line, Some(14), "{e}");
    assert!(e.message.contains("key 'speed'"), "{e}");
    let q = "[steps.question]\nprompt = { en = \"p\", zh = \"问\" }\nhold = \"soon\"\nreveal = { en = \"r\", zh = \"揭晓\" }\n\
             [[steps.question.choices]]\ntext = { en = \"a\", zh = \"甲\" }\nmetric = \"producer.acked\"\nop = \">\"\nvalue = 0\n\
             [[steps.question.choices]]\ntext = { en = \"b\", zh = \"乙\" }\nmetric = \"producer.acked\"\nop = \"==\"\nvalue = 0\n";
    let e = parse(&format!("{GOOD}{q}"), "demo.toml").unwrap_err();
    assert_eq!(e.line, Some(22), "{e}");
    assert!(e.message.contains("key 'question.hold'"), "{e}");
}

#[test]
fn a_step_without_its_key_sentence_or_a_question_without_its_reveal_does_not_load() {
    let e = parse(
        &GOOD.replace(
            "key = { en = \"The key sentence.\", zh = \"要点。\" }\n",
            "",
        ),
        "demo.toml",
    )
    .unwrap_err();
    assert!(e.message.contains("missing field `key`"), "{e}");
    let e = parse(&GOOD.replace("zh = \"要点。\"", "zh = \"\""), "demo.toml").unwrap_err();
    assert!(e.message.contains("key sentence"), "{e}");
}

#[test]
fn notes_must_name_a_file_of_the_course_notes_and_a_section() {
    let e = parse(
        &GOOD.replace("004_b0714076a0a3cce6.txt: linger.ms", "the notes"),
        "demo.toml",
    )
    .unwrap_err();
    assert!(e.message.contains("key 'notes'"), "{e}");
}
