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
    #[serde(skip)]
    pub latencies_us: Vec<u32>,
}

impl ProducerStats {
    pub fn count_reason(&mut self, reason: SendReason) {
        if let Some(i) = SendReason::ALL.iter().position(|r| *r == reason) {
            self.send_reasons[i] += 1;
        }
    }

    /// The latency (send() to callback) below which `q` of acknowledged records fall, in µs.
    pub fn latency_percentile(&self, q: f64) -> Option<u64> {
        if self.latencies_us.is_empty() {
            return None;
        }
        let mut v = self.latencies_us.clone();
        let idx = ((v.len() - 1) as f64 * q).round() as usize;
        let (_, nth, _) = v.select_nth_unstable(idx);
        Some(u64::from(*nth))
    }
}
