//! Numbers for the metrics panel, fed from trace events: throughput, records per batch,
//! batch fill against batch.size, and produce latency percentiles over a recent window.

use crate::sim::SimTime;
use crate::sim::trace::TraceEvent;
use std::collections::VecDeque;

const WINDOW: usize = 256;
pub const HISTORY: usize = 120;

#[derive(Clone, Debug, Default)]
pub struct Metrics {
    /// Acknowledged records per virtual second, one sample per sampling period.
    pub throughput: VecDeque<u64>,
    /// Records per acknowledged batch, recent batches.
    pub batch_records: VecDeque<u32>,
    /// Bytes per drained batch, recent batches.
    pub batch_bytes: VecDeque<u32>,
    /// Produce latency (send() to callback) of recent batches, µs.
    pub latencies: VecDeque<u64>,
    acked_since_sample: u64,
    last_sample: SimTime,
    pub acked_total: u64,
    /// (virtual time, acked so far) at recent samples: the displayed rate spans several.
    marks: VecDeque<(SimTime, u64)>,
}

fn push<T>(q: &mut VecDeque<T>, v: T, cap: usize) {
    if q.len() == cap {
        q.pop_front();
    }
    q.push_back(v);
}

impl Metrics {
    pub fn observe(&mut self, e: &TraceEvent) {
        match e {
            TraceEvent::BatchAcked {
                records,
                latency_us,
                ..
            } => {
                self.acked_since_sample += u64::from(*records);
                self.acked_total += u64::from(*records);
                push(&mut self.batch_records, *records, WINDOW);
                push(&mut self.latencies, *latency_us, WINDOW);
            }
            TraceEvent::BatchDrained {
                bytes, attempt: 0, ..
            } => push(&mut self.batch_bytes, *bytes, WINDOW),
            _ => {}
        }
    }

    /// Closes a throughput sample at virtual time `now`.
    pub fn sample(&mut self, now: SimTime) {
        let dt = now.since(self.last_sample).as_micros();
        if dt == 0 {
            return;
        }
        self.acked_since_sample = 0;
        self.last_sample = now;
        // The rate over the last few samples: one sample at a slow clock spans too little
        // virtual time to hold more than a record or two.
        push(&mut self.marks, (now, self.acked_total), 8);
        let (t0, a0) = self
            .marks
            .front()
            .copied()
            .unwrap_or((now, self.acked_total));
        let span = now.since(t0).as_micros();
        let per_s = ((self.acked_total - a0) * 1_000_000)
            .checked_div(span)
            .unwrap_or(0);
        push(&mut self.throughput, per_s, HISTORY);
    }

    pub fn avg_records_per_batch(&self) -> f64 {
        avg(self.batch_records.iter().map(|v| f64::from(*v)))
    }

    /// Average batch size as a fraction of `batch_size`.
    pub fn avg_fill(&self, batch_size: u32) -> f64 {
        avg(self.batch_bytes.iter().map(|v| f64::from(*v))) / f64::from(batch_size.max(1))
    }

    /// The `q` quantile of recent latencies, in ms.
    pub fn latency_ms(&self, q: f64) -> Option<f64> {
        if self.latencies.is_empty() {
            return None;
        }
        let mut v: Vec<u64> = self.latencies.iter().copied().collect();
        v.sort_unstable();
        let i = ((v.len() - 1) as f64 * q).round() as usize;
        Some(v[i] as f64 / 1000.0)
    }
}

fn avg(it: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = it.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / f64::from(n) }
}
