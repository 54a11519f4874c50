//! Producer-side counters the summary and the UI show.

use super::trace::SendReason;
use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
pub struct ProducerStats {
    /// `send()` calls made by the application (interceptors' onSend count).
    pub send_calls: u64,
    /// Records that reached the accumulator.
    pub appended: u64,
    pub acked: u64,
    /// Acknowledged records per partition.
    pub acked_per_partition: Vec<u64>,
    /// Records whose callback got an exception.
    pub failed: u64,
    /// Records still in the accumulator or in flight when the producer was abandoned.
    pub unsent: u64,
    pub batches_created: u64,
    /// Batches that completed successfully.
    pub batches_acked: u64,
    /// Drains, retries included.
    pub batches_drained: u64,
    pub requests: u64,
    pub retries: u64,
    pub send_reasons: [u64; SendReason::ALL.len()],
    /// Sum of records over acked batches (records per batch = this / batches_acked).
    pub records_in_acked_batches: u64,
    pub bytes_in_acked_batches: u64,
    /// Total time `send()` spent blocked on buffer.memory, µs.
    pub blocked_us: u64,
    /// Time the first `send()` waited for the topic's metadata, µs.
    pub metadata_wait_us: u64,
    /// send() to callback of every acknowledged record.
    #[serde(skip)]
    pub latencies: LatencyHistogram,
    /// Virtual time of the first `send()` and of the last acknowledgement, µs: the span over
    /// which the sweep's records/s and MB/s are measured (the producer's active time).
    #[serde(skip)]
    pub first_send_us: Option<u64>,
    #[serde(skip)]
    pub last_ack_us: Option<u64>,
}

impl ProducerStats {
    pub fn count_reason(&mut self, reason: SendReason) {
        if let Some(i) = SendReason::ALL.iter().position(|r| *r == reason) {
            self.send_reasons[i] += 1;
        }
    }

    /// The latency (send() to callback) below which `q` of acknowledged records fall, in µs.
    pub fn latency_percentile(&self, q: f64) -> Option<u64> {
        self.latencies.percentile(q)
    }

    /// The mean latency of acknowledged records, µs (exact: sum / count).
    pub fn latency_mean(&self) -> Option<f64> {
        self.latencies.mean()
    }

    /// First `send()` to last acknowledgement, µs (0 until a record is acknowledged).
    pub fn active_us(&self) -> u64 {
        match (self.first_send_us, self.last_ack_us) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => 0,
        }
    }
}

/// Sub-buckets per power of two: values are kept to within 1/64 (1.6 %) of themselves,
/// values below 128 µs exactly.
const SUB_BUCKETS: u64 = 64;
const EXACT_BELOW: u64 = 2 * SUB_BUCKETS;

/// A log-linear histogram of latencies in µs (the idea of HdrHistogram): constant memory
/// however many records, so a run of a hundred million records costs no more than one of a
/// thousand. The minimum and maximum are exact; percentiles are the middle of their bucket.
#[derive(Clone, Debug, Default)]
pub struct LatencyHistogram {
    counts: Vec<u64>,
    total: u64,
    min: u64,
    max: u64,
    /// Exact sum of every value, for the mean (buckets would round it). u128: no overflow
    /// however long the run.
    sum: u128,
}

impl LatencyHistogram {
    fn index(v: u64) -> usize {
        if v < EXACT_BELOW {
            return v as usize;
        }
        let msb = 63 - u64::from(v.leading_zeros());
        let shift = msb - 6;
        let top = v >> shift;
        (EXACT_BELOW + (shift - 1) * SUB_BUCKETS + (top - SUB_BUCKETS)) as usize
    }

    /// The middle of bucket `i`.
    fn value(i: usize) -> u64 {
        let i = i as u64;
        if i < EXACT_BELOW {
            return i;
        }
        let shift = (i - EXACT_BELOW) / SUB_BUCKETS + 1;
        let top = (i - EXACT_BELOW) % SUB_BUCKETS + SUB_BUCKETS;
        (top << shift) + (1 << (shift - 1))
    }

    pub fn record(&mut self, us: u64) {
        let i = Self::index(us);
        if self.counts.len() <= i {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += 1;
        self.min = if self.total == 0 {
            us
        } else {
            self.min.min(us)
        };
        self.max = self.max.max(us);
        self.total += 1;
        self.sum += u128::from(us);
    }

    /// The exact mean of the recorded values (`None` when there are none).
    pub fn mean(&self) -> Option<f64> {
        (self.total > 0).then(|| self.sum as f64 / self.total as f64)
    }

    /// The value at rank `round((n - 1) · q)` of the sorted values (`q` = 1 is the maximum).
    pub fn percentile(&self, q: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((self.total - 1) as f64 * q.clamp(0.0, 1.0)).round() as u64;
        if rank == 0 {
            return Some(self.min);
        }
        if rank == self.total - 1 {
            return Some(self.max);
        }
        let mut seen = 0u64;
        for (i, &n) in self.counts.iter().enumerate() {
            seen += n;
            if seen > rank {
                return Some(Self::value(i).clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_latencies_are_exact_and_large_ones_within_two_percent() {
        let mut h = LatencyHistogram::default();
        for v in 0..100u64 {
            h.record(v);
        }
        assert_eq!(h.percentile(0.5), Some(50));
        assert_eq!(h.percentile(0.0), Some(0));
        assert_eq!(h.percentile(1.0), Some(99));
        // 0..100 sums to 4950: the mean is exact, not a bucket's middle.
        assert_eq!(h.mean(), Some(49.5));
        assert_eq!(LatencyHistogram::default().mean(), None);
        let mut big = LatencyHistogram::default();
        let values: Vec<u64> = (0..10_000u64)
            .map(|i| 1_000 + i * 997 % 5_000_000)
            .collect();
        for &v in &values {
            big.record(v);
        }
        let mut sorted = values.clone();
        sorted.sort_unstable();
        for q in [0.1, 0.5, 0.9, 0.99] {
            let exact = sorted[((sorted.len() - 1) as f64 * q).round() as usize] as f64;
            let got = big.percentile(q).unwrap() as f64;
            assert!(
                (got - exact).abs() / exact < 0.02,
                "q {q}: {got} vs {exact}"
            );
        }
        assert_eq!(big.percentile(1.0), sorted.last().copied());
    }

    #[test]
    fn every_bucket_maps_back_into_itself() {
        for v in [
            128u64,
            129,
            255,
            256,
            1_000,
            65_535,
            1 << 30,
            u64::from(u32::MAX),
        ] {
            let i = LatencyHistogram::index(v);
            assert_eq!(
                LatencyHistogram::index(LatencyHistogram::value(i)),
                i,
                "{v}"
            );
        }
    }
}
