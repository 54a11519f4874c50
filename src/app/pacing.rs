//! How fast virtual time runs on screen: the presets `+`/`-` step through, and the one a
//! world opens at.

/// Virtual seconds per wall second, slowest to fastest (`+`/`-` step through them).
pub const SPEEDS: &[f64] = &[
    0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0,
    10.0, 50.0, 200.0,
];
/// 0.0005×: one millisecond of virtual time takes two seconds to watch. The notes' producer
/// lingers 1 ms and the network takes about 1 ms each way, so a batch visibly fills for two
/// seconds, and a request crosses the wire in two.
pub const DEFAULT_SPEED: usize = 2;
/// The built-in scenario's application: 20,000 records per second of virtual time, which at
/// the opening speed is 10 a second on screen (a class can read their ids) and about seven
/// records per batch (so batches are seen filling, not leaving with one record each).
pub const TUI_RATE: f64 = 20_000.0;
/// Records a class can follow on screen: about ten a second.
const WATCHABLE_RECORDS_PER_SECOND: f64 = 10.0;

/// The speed preset that shows an application sending `rate` records per virtual second at
/// about [`WATCHABLE_RECORDS_PER_SECOND`] (the nearest preset on a log scale); the default
/// for an unlimited rate. The sandbox (20,000/s) opens at 0.0005×, a lesson sending
/// 1,000/s at 0.01×.
pub fn speed_for_rate(rate: f64) -> usize {
    if rate.is_nan() || rate <= 0.0 {
        return DEFAULT_SPEED;
    }
    nearest_speed(WATCHABLE_RECORDS_PER_SECOND / rate)
}

/// The preset equal to `factor` (virtual seconds per wall second), if there is one.
/// The preset nearest `factor` on a log scale (a lesson step's declared speed).
pub fn nearest_speed(factor: f64) -> usize {
    if factor.is_nan() || factor <= 0.0 {
        return DEFAULT_SPEED;
    }
    (0..SPEEDS.len())
        .min_by(|&a, &b| {
            let da = (SPEEDS[a].ln() - factor.ln()).abs();
            let db = (SPEEDS[b].ln() - factor.ln()).abs();
            da.total_cmp(&db)
        })
        .unwrap_or(DEFAULT_SPEED)
}

pub fn speed_index(factor: f64) -> Option<usize> {
    SPEEDS.iter().position(|s| (s - factor).abs() < 1e-9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_opening_speed_shows_about_ten_records_a_second() {
        let at = |rate: f64| SPEEDS[speed_for_rate(rate)];
        assert!((at(TUI_RATE) - 0.0005).abs() < 1e-12);
        assert_eq!(speed_for_rate(TUI_RATE), DEFAULT_SPEED);
        assert!((at(1_000.0) - 0.01).abs() < 1e-12);
        assert!((at(100.0) - 0.1).abs() < 1e-12);
        // Unlimited or nonsense rates keep the default.
        assert_eq!(speed_for_rate(0.0), DEFAULT_SPEED);
        assert_eq!(speed_for_rate(f64::NAN), DEFAULT_SPEED);
        assert_eq!(speed_index(1.0).map(|i| SPEEDS[i]), Some(1.0));
        assert_eq!(speed_index(0.3), None);
        // Faster than any preset can slow down: the slowest one.
        assert_eq!(speed_for_rate(1e9), 0);
    }
}
