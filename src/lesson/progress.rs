//! Which lessons a learner finished and where they stopped: a small TOML file in the user's
//! data directory (`$XDG_DATA_HOME/kafka-flow/progress.toml`, else
//! `~/.local/share/kafka-flow/progress.toml`; `%APPDATA%\kafka-flow` on Windows).
//!
//! The file is the learner's record of weeks of work, so it is treated with care:
//! - reading keeps every entry that can be read: a damaged entry (a wrong type, `step = -1`,
//!   a stray byte) is skipped alone, and keys this version does not know are kept as they are;
//! - a file that could not be read completely is never overwritten: before the next save it is
//!   renamed to `progress.toml.bak-N` (the first free N, so an earlier backup is never
//!   replaced) and the new file holds the readable entries plus the new mark;
//! - a save writes a temporary file beside it and renames it over the old one, so a crash or
//!   a full disk leaves the old file whole;
//! - a file or directory marked read-only is left alone, and every failure is an error value
//!   the caller shows (the TUI on its status line, the CLI on stderr).

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    /// Per lesson id: the step the learner is on (0-based) and whether they finished.
    pub lessons: BTreeMap<String, LessonProgress>,
    /// Top-level keys this version does not know, kept for the version that wrote them.
    pub other: Table,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LessonProgress {
    pub step: usize,
    pub done: bool,
    /// Keys of the entry this version does not know, kept as they are.
    pub other: Table,
}

/// What reading the file found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadProgress {
    pub progress: Progress,
    /// Why the file was not read completely, one line per problem (empty when it was read
    /// completely, or does not exist yet).
    pub problems: Vec<String>,
}

impl ReadProgress {
    pub fn is_complete(&self) -> bool {
        self.problems.is_empty()
    }
}

/// A save that went through; `backup` is where a damaged file was set aside.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Saved {
    pub backup: Option<PathBuf>,
}

/// Why nothing was saved. Never a panic: the lesson goes on, the learner is told.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveError {
    /// The file or its directory is marked read-only (respected even for root, where the
    /// system would let the write through).
    ReadOnly { path: PathBuf },
    /// The file could not be read completely and could not be set aside either, so it was
    /// left as it is rather than overwritten.
    Backup { path: PathBuf, error: String },
    /// Creating the directory, writing or renaming failed (no permission, disk full...).
    Write { path: PathBuf, error: String },
}

impl SaveError {
    /// The file or directory the error is about.
    pub fn path(&self) -> &Path {
        match self {
            SaveError::ReadOnly { path }
            | SaveError::Backup { path, .. }
            | SaveError::Write { path, .. } => path,
        }
    }
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaveError::ReadOnly { path } => {
                write!(f, "progress not saved: {} is read-only", path.display())
            }
            SaveError::Backup { path, error } => write!(
                f,
                "progress not saved: {} has unreadable entries and could not be set aside ({error}); it was left as it is",
                path.display()
            ),
            SaveError::Write { path, error } => write!(
                f,
                "progress not saved: cannot write {}: {error}",
                path.display()
            ),
        }
    }
}

impl std::error::Error for SaveError {}

pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("APPDATA").map(PathBuf::from))
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("share"))
        })?;
    Some(base.join("kafka-flow").join("progress.toml"))
}

impl Progress {
    /// The readable entries of the file (none if it is missing or unreadable): losing a
    /// progress mark must not stop a lesson. [`Progress::read`] also says what was skipped.
    pub fn load(path: &Path) -> Progress {
        Self::read(path).progress
    }

    /// Reads the file, keeping every entry that can be read.
    pub fn read(path: &Path) -> ReadProgress {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return ReadProgress::default(),
            Err(e) => {
                return ReadProgress {
                    progress: Progress::default(),
                    problems: vec![format!("cannot read {}: {e}", path.display())],
                };
            }
        };
        let mut out = ReadProgress::default();
        let file = path.display().to_string();
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let line = text_lines(&e.as_bytes()[..valid]);
                out.problems
                    .push(format!("{file}:{line}: a byte that is not UTF-8 text"));
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
        };
        // Where a byte was replaced, U+FFFD marks the entry it damaged.
        let damaged = !out.problems.is_empty();
        let lines: Vec<&str> = text.lines().collect();
        for (line, table) in tables(&text, &file, &mut out.problems) {
            let at = |id: &str| format!("{file}:{}", entry_line(&lines, line, id));
            out.progress.absorb(table, &at, damaged, &mut out.problems);
        }
        out
    }

    /// Adds one parsed section's entries; `at` names the place of an entry for a problem.
    fn absorb(
        &mut self,
        table: Table,
        at: &dyn Fn(&str) -> String,
        damaged: bool,
        problems: &mut Vec<String>,
    ) {
        let hurt = |k: &str, v: &Value| {
            damaged
                && (k.contains(char::REPLACEMENT_CHARACTER)
                    || v.to_string().contains(char::REPLACEMENT_CHARACTER))
        };
        for (key, value) in table {
            if key != "lessons" {
                if hurt(&key, &value) {
                    problems.push(format!("{}: a damaged key was skipped", at(&key)));
                    continue;
                }
                self.other.entry(key).or_insert(value);
                continue;
            }
            let Value::Table(lessons) = value else {
                problems.push(format!("{}: 'lessons' is not a table", at("lessons")));
                continue;
            };
            for (id, entry) in lessons {
                if hurt(&id, &entry) {
                    problems.push(format!(
                        "{}: a lesson entry with a damaged byte was skipped",
                        at(&id)
                    ));
                    continue;
                }
                if self.lessons.contains_key(&id) {
                    problems.push(format!(
                        "{}: lesson '{id}' appears twice; the first is kept",
                        at(&id)
                    ));
                    continue;
                }
                match LessonProgress::from_toml(entry) {
                    Ok(p) => {
                        self.lessons.insert(id, p);
                    }
                    Err(why) => {
                        problems.push(format!("{}: lesson '{id}': {why}; skipped", at(&id)));
                    }
                }
            }
        }
    }

    fn to_toml(&self) -> Table {
        let mut top = self.other.clone();
        let lessons: Table = self
            .lessons
            .iter()
            .map(|(id, p)| (id.clone(), Value::Table(p.to_toml())))
            .collect();
        top.insert("lessons".to_string(), Value::Table(lessons));
        top
    }

    /// Records where the learner is in lesson `id` (`done` only ever turns on) in the file at
    /// `path`, keeping every other entry it has.
    pub fn record(path: &Path, id: &str, step: usize, done: bool) -> Result<Saved, SaveError> {
        let path = resolve(path);
        let read = Self::read(&path);
        let mut progress = read.progress.clone();
        let entry = progress.lessons.entry(id.to_string()).or_default();
        entry.step = step;
        entry.done |= done;
        progress.save_over(&path, &read)
    }

    /// Writes this progress to `path`. A file there that cannot be read completely is set
    /// aside first, never overwritten.
    pub fn save(&self, path: &Path) -> Result<Saved, SaveError> {
        let path = resolve(path);
        let read = Self::read(&path);
        self.save_over(&path, &read)
    }

    fn save_over(&self, path: &Path, existing: &ReadProgress) -> Result<Saved, SaveError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let write_error = |p: &Path, e: &dyn fmt::Display| SaveError::Write {
            path: p.to_path_buf(),
            error: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(|e| write_error(dir, &e))?;
        for p in [dir, path] {
            if std::fs::metadata(p).is_ok_and(|m| m.permissions().readonly()) {
                return Err(SaveError::ReadOnly {
                    path: p.to_path_buf(),
                });
            }
        }
        let text = toml::to_string(&self.to_toml()).map_err(|e| write_error(path, &e))?;
        let backup = if existing.is_complete() || !path.exists() {
            None
        } else {
            let backup_error = |error: String| SaveError::Backup {
                path: path.to_path_buf(),
                error,
            };
            let backup = free_backup_name(path)
                .ok_or_else(|| backup_error("no free backup name".to_string()))?;
            std::fs::rename(path, &backup).map_err(|e| backup_error(e.to_string()))?;
            Some(backup)
        };
        write_atomically(path, text.as_bytes()).map_err(|e| write_error(path, &e))?;
        Ok(Saved { backup })
    }
}

impl LessonProgress {
    /// One entry; missing keys take their defaults, unknown keys are kept.
    fn from_toml(value: Value) -> Result<LessonProgress, String> {
        let Value::Table(mut t) = value else {
            return Err("not a table".to_string());
        };
        let step = match t.remove("step") {
            None => 0,
            Some(Value::Integer(n)) => {
                usize::try_from(n).map_err(|_| format!("step = {n} is not a step number"))?
            }
            Some(other) => return Err(format!("step = {other} is not a step number")),
        };
        let done = match t.remove("done") {
            None => false,
            Some(Value::Boolean(b)) => b,
            Some(other) => return Err(format!("done = {other} is not true or false")),
        };
        Ok(LessonProgress {
            step,
            done,
            other: t,
        })
    }

    fn to_toml(&self) -> Table {
        let mut t = self.other.clone();
        t.insert(
            "step".to_string(),
            Value::Integer(i64::try_from(self.step).unwrap_or(i64::MAX)),
        );
        t.insert("done".to_string(), Value::Boolean(self.done));
        t
    }
}

/// The file's tables with the line each starts on. The whole text is tried first; if it does
/// not parse, each `[section]` is parsed on its own so that one damaged entry costs only
/// itself (the file this module writes has one section per lesson).
fn tables(text: &str, file: &str, problems: &mut Vec<String>) -> Vec<(usize, Table)> {
    if let Ok(t) = text.parse::<Table>() {
        return vec![(1, t)];
    }
    let mut sections: Vec<(usize, String)> = vec![(1, String::new())];
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with('[') {
            sections.push((i + 1, String::new()));
        }
        if let Some((_, s)) = sections.last_mut() {
            s.push_str(line);
            s.push('\n');
        }
    }
    let mut out = Vec::new();
    for (line, section) in sections {
        match section.parse::<Table>() {
            Ok(t) => out.push((line, t)),
            Err(e) => {
                let (l, msg) = match e.span() {
                    Some(span) => (
                        line + section[..span.start.min(section.len())]
                            .matches('\n')
                            .count(),
                        e.message().trim().replace('\n', " "),
                    ),
                    None => (line, e.message().trim().replace('\n', " ")),
                };
                problems.push(format!("{file}:{l}: {msg}; that section was skipped"));
            }
        }
    }
    out
}

/// The line where entry `key` is written, searching from `from` (1-based): its own
/// `[lessons.KEY]` header or a `KEY = ...` line, as this module writes them; else `from`.
fn entry_line(lines: &[&str], from: usize, key: &str) -> usize {
    let quoted = format!("\"{key}\"");
    let names = |l: &str| {
        let l = l.trim_start();
        let l = l.strip_prefix("[lessons.").unwrap_or(l);
        [key, quoted.as_str()].iter().any(|k| {
            l.strip_prefix(k)
                .is_some_and(|r| r.trim_start().starts_with([']', '=']))
        })
    };
    lines
        .iter()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| names(l))
        .map_or(from, |(i, _)| i + 1)
}

/// The number of the line that `bytes` ends on.
fn text_lines(bytes: &[u8]) -> usize {
    bytes.split(|&b| b == b'\n').count()
}

/// A symbolic link (a dotfiles setup) is written through, not replaced by a plain file.
fn resolve(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// `progress.toml.bak-1`, or the first number not taken yet (never an existing file: a
/// rename onto it would destroy an earlier backup).
fn free_backup_name(path: &Path) -> Option<PathBuf> {
    let name = path.file_name().map_or_else(
        || "progress.toml".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    // Bounded only so that the search provably ends; nobody has a million backups.
    (1u32..1_000_000)
        .map(|n| path.with_file_name(format!("{name}.bak-{n}")))
        .find(|p| std::fs::symlink_metadata(p).is_err())
}

/// Writes `bytes` to a temporary file in the same directory, then renames it over `path`:
/// readers see the old file or the new one, never half of one.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().map_or_else(
        || "progress.toml".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests;
