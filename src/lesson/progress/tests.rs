use super::*;
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh directory per test (tests run in parallel).
struct Dir(PathBuf);

impl Dir {
    fn new() -> Dir {
        static N: AtomicU32 = AtomicU32::new(0);
        let d = std::env::temp_dir().join(format!(
            "kf-progress-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn file(&self) -> PathBuf {
        self.0.join("progress.toml")
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Marks `p` read-only; returns its permissions before, to put back.
fn make_readonly(p: &Path) -> std::fs::Permissions {
    let before = std::fs::metadata(p).unwrap().permissions();
    let mut perms = before.clone();
    perms.set_readonly(true);
    std::fs::set_permissions(p, perms).unwrap();
    before
}

fn entry(step: usize, done: bool) -> LessonProgress {
    LessonProgress {
        step,
        done,
        ..LessonProgress::default()
    }
}

const GOOD_AND_BAD: &str = "[lessons.batching]\nstep = 2\ndone = false\n\n[lessons.acks]\nstep = BAD\ndone = true\n\n[lessons.retries]\nstep = 1\ndone = true\n";

#[test]
fn progress_round_trips() {
    let d = Dir::new();
    let mut p = Progress::default();
    p.lessons.insert("batching".into(), entry(2, false));
    assert_eq!(p.save(&d.file()), Ok(Saved::default()));
    let read = Progress::read(&d.file());
    assert!(read.is_complete(), "{:?}", read.problems);
    assert_eq!(read.progress, p);
    let text = std::fs::read_to_string(d.file()).unwrap();
    assert!(text.contains("[lessons.batching]"), "{text}");
}

#[test]
fn a_missing_file_is_empty_and_complete() {
    let d = Dir::new();
    let read = Progress::read(&d.file());
    assert_eq!(read, ReadProgress::default());
}

/// Each kind of damage: the good entries stay, the file is set aside, the new mark is added.
#[test]
fn damaged_files_keep_their_good_entries_and_are_backed_up() {
    for (what, bad, place) in [
        ("extra key", "step = 3\ndone = true\nstars = 5", ""),
        (
            "negative step",
            "step = -1\ndone = true",
            "progress.toml:5: lesson 'acks': step = -1",
        ),
        (
            "wrong type",
            "step = \"two\"\ndone = true",
            "progress.toml:5: lesson 'acks'",
        ),
        ("not toml", "step = = =", "progress.toml:6: "),
    ] {
        let d = Dir::new();
        let original = GOOD_AND_BAD.replace("step = BAD\ndone = true", bad);
        std::fs::write(d.file(), &original).unwrap();
        let read = Progress::read(&d.file());
        assert_eq!(read.progress.lessons["batching"], entry(2, false), "{what}");
        assert_eq!(read.progress.lessons["retries"], entry(1, true), "{what}");
        if what == "extra key" {
            // Unknown keys are tolerated and kept: nothing is lost, nothing to back up.
            assert!(read.is_complete(), "{what}: {:?}", read.problems);
            assert_eq!(read.progress.lessons["acks"].step, 3);
            let saved = Progress::record(&d.file(), "linger", 0, false).unwrap();
            assert_eq!(saved.backup, None);
            let text = std::fs::read_to_string(d.file()).unwrap();
            assert!(text.contains("stars = 5"), "{text}");
            continue;
        }
        assert!(!read.is_complete(), "{what}");
        assert_eq!(read.problems.len(), 1, "{what}: {:?}", read.problems);
        assert!(
            read.problems[0].contains(place),
            "{what}: {:?}",
            read.problems
        );
        assert!(!read.progress.lessons.contains_key("acks"), "{what}");

        let saved = Progress::record(&d.file(), "linger", 1, false).unwrap();
        let backup = saved.backup.expect("the damaged file is set aside");
        assert_eq!(backup, d.0.join("progress.toml.bak-1"), "{what}");
        assert_eq!(
            std::fs::read_to_string(&backup).unwrap(),
            original,
            "{what}"
        );
        let after = Progress::read(&d.file());
        assert!(after.is_complete(), "{what}: {:?}", after.problems);
        let ids: Vec<&str> = after.progress.lessons.keys().map(String::as_str).collect();
        assert_eq!(ids, ["batching", "linger", "retries"], "{what}");
    }
}

#[test]
fn a_stray_byte_costs_only_its_entry() {
    let d = Dir::new();
    let mut bytes = GOOD_AND_BAD
        .replace("step = BAD", "step = 4")
        .replace("[lessons.acks]", "[lessons.ac\u{1}ks]")
        .into_bytes();
    // Replace the control character by a byte that is not UTF-8 at all.
    let i = bytes.iter().position(|&b| b == 1).unwrap();
    bytes[i] = 0xff;
    std::fs::write(d.file(), &bytes).unwrap();
    let read = Progress::read(&d.file());
    assert!(!read.is_complete());
    assert!(
        read.problems[0].contains("progress.toml:5"),
        "{:?}",
        read.problems
    );
    let ids: Vec<&str> = read.progress.lessons.keys().map(String::as_str).collect();
    assert_eq!(ids, ["batching", "retries"]);

    // Inside a quoted key the file still parses: only that entry goes.
    std::fs::write(
        d.file(),
        b"[lessons.batching]\nstep = 2\ndone = false\n[lessons.\"a\xffb\"]\nstep = 1\ndone = false\n",
    )
    .unwrap();
    let read = Progress::read(&d.file());
    assert!(!read.is_complete());
    let ids: Vec<&str> = read.progress.lessons.keys().map(String::as_str).collect();
    assert_eq!(ids, ["batching"]);

    let saved = Progress::record(&d.file(), "batching", 3, false).unwrap();
    assert_eq!(saved.backup, Some(d.0.join("progress.toml.bak-1")));
    // A second damage later gets a second backup, the first is kept.
    std::fs::write(d.file(), b"\xff\xfe").unwrap();
    let saved = Progress::record(&d.file(), "batching", 3, false).unwrap();
    assert_eq!(saved.backup, Some(d.0.join("progress.toml.bak-2")));
    assert!(d.0.join("progress.toml.bak-1").exists());
}

#[test]
fn a_read_only_directory_is_an_error_value() {
    let d = Dir::new();
    let sub = d.0.join("ro");
    std::fs::create_dir_all(&sub).unwrap();
    let before = make_readonly(&sub);
    let e = Progress::record(&sub.join("progress.toml"), "batching", 1, false).unwrap_err();
    assert_eq!(e, SaveError::ReadOnly { path: sub.clone() });
    assert!(e.to_string().contains("read-only"), "{e}");
    assert!(!sub.join("progress.toml").exists());
    std::fs::set_permissions(&sub, before).unwrap();
}

#[test]
fn a_read_only_file_is_left_alone() {
    let d = Dir::new();
    std::fs::write(d.file(), "[lessons.batching]\nstep = 2\ndone = false\n").unwrap();
    make_readonly(&d.file());
    let e = Progress::record(&d.file(), "batching", 3, true).unwrap_err();
    assert!(matches!(e, SaveError::ReadOnly { .. }), "{e:?}");
    assert_eq!(
        Progress::load(&d.file()).lessons["batching"],
        entry(2, false)
    );
}

#[test]
fn a_directory_that_cannot_be_created_is_an_error_value() {
    let d = Dir::new();
    // A file where the directory should be: fails for every user, root included.
    std::fs::write(d.0.join("blocker"), "").unwrap();
    let path = d.0.join("blocker").join("kafka-flow").join("progress.toml");
    let e = Progress::record(&path, "batching", 1, false).unwrap_err();
    assert!(matches!(e, SaveError::Write { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("progress not saved: cannot write"),
        "{e}"
    );
}

#[test]
fn done_only_turns_on_and_no_temporary_file_is_left() {
    let d = Dir::new();
    Progress::record(&d.file(), "batching", 4, true).unwrap();
    Progress::record(&d.file(), "batching", 1, false).unwrap();
    assert_eq!(
        Progress::load(&d.file()).lessons["batching"],
        entry(1, true)
    );
    let names: Vec<String> = std::fs::read_dir(&d.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["progress.toml"]);
}
