//! Virtual time. The simulation never reads a wall clock: time is an integer
//! count of microseconds that only the event queue moves forward.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// A point in virtual time, in microseconds since the simulation started.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct SimTime(pub u64);

/// A span of virtual time, in microseconds.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct SimDuration(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub fn as_micros(self) -> u64 {
        self.0
    }
    /// Milliseconds, rounded down (Kafka's clients think in ms).
    pub fn as_millis(self) -> u64 {
        self.0 / 1000
    }
    pub fn from_millis(ms: u64) -> Self {
        SimTime(ms.saturating_mul(1000))
    }
    /// Time elapsed since `earlier`, zero if `earlier` is in the future.
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);
    pub const MAX: SimDuration = SimDuration(u64::MAX);

    pub fn from_millis(ms: u64) -> Self {
        SimDuration(ms.saturating_mul(1000))
    }
    pub fn from_micros(us: u64) -> Self {
        SimDuration(us)
    }
    pub fn from_secs(s: u64) -> Self {
        SimDuration(s.saturating_mul(1_000_000))
    }
    pub fn as_micros(self) -> u64 {
        self.0
    }
    pub fn as_millis(self) -> u64 {
        self.0 / 1000
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    fn sub(self, rhs: SimTime) -> SimDuration {
        self.since(rhs)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

fn fmt_micros(us: u64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if us < 1_000 {
        write!(f, "{us}µs")
    } else if us < 1_000_000 {
        let ms = us / 1000;
        let frac = us % 1000;
        if frac == 0 {
            write!(f, "{ms}ms")
        } else {
            write!(f, "{ms}.{frac:03}ms")
        }
    } else {
        let s = us / 1_000_000;
        let ms = (us % 1_000_000) / 1000;
        write!(f, "{s}.{ms:03}s")
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_micros(self.0, f)
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_micros(self.0, f)
    }
}

/// Parses a duration such as `300ms`, `2s`, `1.5s`, `250us` or `1m`.
/// A bare number is read as milliseconds, the unit Kafka's settings use.
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    if num.is_empty() {
        return Err(format!(
            "'{text}' is not a duration (try 500ms, 2s, 1.5s, 250us)"
        ));
    }
    let value: f64 = num
        .parse()
        .map_err(|_| format!("'{text}' is not a duration (try 500ms, 2s, 1.5s, 250us)"))?;
    let scale = match unit.trim() {
        "us" | "µs" => 1.0,
        "" | "ms" => 1_000.0,
        "s" => 1_000_000.0,
        "m" | "min" => 60_000_000.0,
        other => {
            return Err(format!(
                "'{text}': unknown unit '{other}' (accepted: us, ms, s, m)"
            ));
        }
    };
    let us = value * scale;
    if !us.is_finite() || us > 1e15 {
        return Err(format!("'{text}' is too long a duration"));
    }
    Ok(SimDuration(us.round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration("300ms"), Ok(SimDuration(300_000)));
        assert_eq!(parse_duration("2s"), Ok(SimDuration(2_000_000)));
        assert_eq!(parse_duration("1.5s"), Ok(SimDuration(1_500_000)));
        assert_eq!(parse_duration("250us"), Ok(SimDuration(250)));
        assert_eq!(parse_duration("40"), Ok(SimDuration(40_000)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3h").is_err());
    }

    #[test]
    fn displays_readably() {
        assert_eq!(SimTime(999).to_string(), "999µs");
        assert_eq!(SimTime(1_500).to_string(), "1.500ms");
        assert_eq!(SimTime(2_000).to_string(), "2ms");
        assert_eq!(SimTime(2_345_678).to_string(), "2.345s");
    }
}
