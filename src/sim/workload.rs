//! The producing application: how many records, how fast, which keys and values,
//! and whether it waits for each `send()` (`future.get()`) or uses callbacks.

use serde::Serialize;
use std::fmt;

/// A key or value template: literal text with `{i}` replaced by the record's index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Index,
}

impl Serialize for Part {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Part::Text(t) => s.serialize_str(t),
            Part::Index => s.serialize_str("{i}"),
        }
    }
}

impl Template {
    pub fn parse(source: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = source;
        while let Some(pos) = rest.find("{i}") {
            if pos > 0 {
                parts.push(Part::Text(rest[..pos].to_string()));
            }
            parts.push(Part::Index);
            rest = &rest[pos + 3..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        if source.contains('{') && !source.contains("{i}") {
            return Err(format!(
                "template '{source}' has a '{{' but no '{{i}}' (the only placeholder is {{i}}, the record's index)"
            ));
        }
        Ok(Template {
            source: source.to_string(),
            parts,
        })
    }

    /// Renders record `i` into `out` (cleared first). No allocation once `out` has grown.
    pub fn render_into(&self, i: u64, out: &mut Vec<u8>) {
        use std::io::Write;
        out.clear();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.extend_from_slice(t.as_bytes()),
                // Writing to a Vec cannot fail.
                Part::Index => {
                    let _ = write!(out, "{i}");
                }
            }
        }
    }

    pub fn render(&self, i: u64) -> String {
        let mut v = Vec::new();
        self.render_into(i, &mut v);
        String::from_utf8_lossy(&v).into_owned()
    }

    /// Rendered length in bytes, without rendering.
    pub fn len_for(&self, i: u64) -> usize {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.len(),
                Part::Index => decimal_len(i),
            })
            .sum()
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }
}

fn decimal_len(mut i: u64) -> usize {
    let mut n = 1;
    while i >= 10 {
        i /= 10;
        n += 1;
    }
    n
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Whether the application waits for each record's acknowledgement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SendMode {
    /// `send(record, callback)`: returns at once; the callback runs on the Sender's thread.
    Async,
    /// `send(record).get()`: the notes' 同步发送; one record in flight at a time.
    Sync,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Workload {
    /// How many records the application sends (0 = none; see `MAX_RECORDS`).
    pub records: u64,
    /// Records per second; 0 = as fast as `send()` returns.
    pub rate: f64,
    /// `None` = null keys (the sticky partitioner).
    pub key: Option<Template>,
    pub value: Template,
    /// If set, every value is exactly this many bytes (the template is padded or cut).
    pub value_bytes: Option<usize>,
    pub send_mode: SendMode,
    /// Call `close()` after the last send (which flushes everything first).
    pub close_when_done: bool,
    /// Call `flush()` after every this many records (0 = never).
    pub flush_every: u64,
}

impl Workload {
    /// Records are numbered with 32 bits (the ledger follows every one of them); memory
    /// does not limit a run, since settled records are forgotten (`sim::compaction`).
    pub const MAX_RECORDS: u64 = u32::MAX as u64;
    /// The fastest send rate asked for, in records per second (0 means no limit).
    pub const MAX_RATE: f64 = 1e9;
    /// Larger values than this cannot be sent by default settings anyway (max.request.size).
    pub const MAX_VALUE_BYTES: usize = 10 * 1024 * 1024;

    /// The course notes' CustomProducer loop: `hello{i}` keys and values.
    pub fn notes_loop(records: u64) -> Self {
        Workload {
            records,
            rate: 0.0,
            key: Some(Template::parse("hello{i}").unwrap_or_else(|_| unreachable!())),
            value: Template::parse("hello{i}").unwrap_or_else(|_| unreachable!()),
            value_bytes: None,
            send_mode: SendMode::Async,
            close_when_done: true,
            flush_every: 0,
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.records > Self::MAX_RECORDS {
            return Err(format!(
                "--records {} is too many (accepted: 0 to {})",
                self.records,
                Self::MAX_RECORDS
            ));
        }
        if !self.rate.is_finite() || self.rate < 0.0 || self.rate > Self::MAX_RATE {
            return Err(format!(
                "--rate {} is not accepted (records per second, 0 = as fast as possible, up to 1000000000)",
                self.rate
            ));
        }
        if let Some(b) = self.value_bytes {
            if b > Self::MAX_VALUE_BYTES {
                return Err(format!(
                    "--value-bytes {b} is too large (accepted: 0 to {})",
                    Self::MAX_VALUE_BYTES
                ));
            }
        }
        Ok(())
    }

    pub fn value_len(&self, i: u64) -> usize {
        self.value_bytes.unwrap_or_else(|| self.value.len_for(i))
    }

    /// The time between two sends at the configured rate, in µs (0 = no limit).
    pub fn interval_us(&self) -> u64 {
        if self.rate > 0.0 {
            (1e6 / self.rate).round().max(1.0) as u64
        } else {
            0
        }
    }
}

impl Default for Workload {
    fn default() -> Self {
        Self::notes_loop(1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_index() {
        let t = Template::parse("hello{i}").unwrap();
        assert_eq!(t.render(42), "hello42");
        assert_eq!(t.len_for(42), 7);
        assert_eq!(t.len_for(0), 6);
        assert_eq!(t.len_for(12345), 10);
        let t = Template::parse("{i}-{i}").unwrap();
        assert_eq!(t.render(7), "7-7");
        assert_eq!(t.len_for(100), 7);
    }

    #[test]
    fn rejects_unknown_placeholders() {
        assert!(Template::parse("hello{n}").is_err());
    }

    #[test]
    fn rejects_absurd_workloads() {
        let mut w = Workload::notes_loop(10);
        w.records = Workload::MAX_RECORDS + 1;
        assert!(w.validate().unwrap_err().contains("too many"));
        let mut w = Workload::notes_loop(10);
        w.rate = -1.0;
        assert!(w.validate().is_err());
    }
}
