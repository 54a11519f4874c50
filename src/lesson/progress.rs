//! Which lessons a learner finished and where they stopped: a small TOML file in the user's
//! data directory (`$XDG_DATA_HOME/kafka-flow/progress.toml`, else
//! `~/.local/share/kafka-flow/progress.toml`; `%APPDATA%\kafka-flow` on Windows).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// Per lesson id: the step the learner is on (0-based) and whether they finished.
    #[serde(default)]
    pub lessons: BTreeMap<String, LessonProgress>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LessonProgress {
    pub step: usize,
    pub done: bool,
}

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
    /// Reads the file; a missing or unreadable one is an empty progress (never an error:
    /// losing a progress mark must not stop a lesson).
    pub fn load(path: &Path) -> Progress {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|t| toml::from_str(&t).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = toml::to_string(self).map_err(std::io::Error::other)?;
        std::fs::write(path, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_round_trips_and_a_broken_file_is_empty() {
        let dir = std::env::temp_dir().join(format!("kf-progress-{}", std::process::id()));
        let path = dir.join("progress.toml");
        let mut p = Progress::default();
        p.lessons.insert(
            "batching".into(),
            LessonProgress {
                step: 2,
                done: false,
            },
        );
        p.save(&path).unwrap();
        assert_eq!(Progress::load(&path), p);
        std::fs::write(&path, "this is not toml [").unwrap();
        assert_eq!(Progress::load(&path), Progress::default());
        let _ = std::fs::remove_dir_all(dir);
    }
}
