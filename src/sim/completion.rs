//! Completing batches (`Sender.completeBatch`): success runs the callbacks in order,
//! a retriable error re-enqueues with exponential backoff, anything else fails the
//! records; and `delivery.timeout.ms` expiry, queued or in flight.

use super::accumulator::BatchKey;
use super::kernel::{Core, PartitionResult};
use super::producer::{AppState, Producer, RecordState};
use super::time::SimDuration;
use super::trace::{BatchId, KafkaError, TraceEvent};
use super::workload::Workload;

/// `ExponentialBackoff(retry.backoff.ms, 2, retry.backoff.max.ms, 0.2)` for the n-th retry.
pub fn retry_backoff(core: &mut Core, attempts: u32) -> SimDuration {
    let initial = core.cfg.producer.retry_backoff_ms as f64;
    let max = core.eff.retry_backoff_max_ms as f64;
    if max <= initial {
        return SimDuration::from_millis(initial.min(max) as u64);
    }
    let exp_max = (max / initial).ln() / 2f64.ln();
    let exp = f64::from(attempts.saturating_sub(1)).min(exp_max);
    let term = initial * 2f64.powf(exp);
    let factor = core.rng.range_f64(0.8, 1.2);
    let ms = ((factor * term) as u64).min(max as u64);
    SimDuration::from_millis(ms)
}

impl Producer {
    /// `Sender.completeBatch`: success, retry, or failure.
    pub(crate) fn batch_result(
        &mut self,
        core: &mut Core,
        w: &Workload,
        key: BatchKey,
        batch_id: BatchId,
        result: PartitionResult,
    ) {
        // A batch that already expired (delivery.timeout.ms) ignores late answers.
        if self.acc.get(key).is_none_or(|b| b.id != batch_id) {
            return;
        }
        match result {
            PartitionResult::Ok { base_offset } => self.complete_batch(core, w, key, base_offset),
            PartitionResult::Err(error) => {
                let batch = self.acc.batch(key);
                let p = batch.partition;
                let dt = SimDuration::from_millis(core.eff.delivery_timeout_ms);
                let can_retry = error.is_retriable()
                    && core.now.since(batch.created) < dt
                    && batch.attempts < core.cfg.producer.retries
                    && self.app != AppState::Dead;
                if self.idem.enabled
                    && error == KafkaError::OutOfOrderSequenceNumber
                    && self.idem.is_next_expected(batch)
                {
                    // A real gap: bump the epoch and restart this partition's sequences.
                    self.idem.bump_epoch(p);
                    core.emit(TraceEvent::EpochBumped {
                        producer_id: self.idem.producer_id,
                        epoch: self.idem.epoch,
                        reason: format!("OUT_OF_ORDER_SEQUENCE_NUMBER on partition {p}"),
                    });
                }
                if can_retry {
                    self.idem.on_returned(self.acc.batch(key));
                    let attempts = self.acc.batch(key).attempts + 1;
                    let backoff = retry_backoff(core, attempts);
                    self.acc.reenqueue(key, core.now, backoff);
                    self.acc.muted[p as usize] = false;
                    self.stats.retries += 1;
                    core.ledger.on_retry(batch_id, error, attempts);
                    core.emit(TraceEvent::BatchRetry {
                        batch: batch_id,
                        partition: p,
                        error,
                        attempt: attempts,
                        backoff_us: backoff.as_micros(),
                    });
                    if error.refreshes_metadata() {
                        self.sender.metadata_stale = true;
                    }
                } else {
                    self.fail_batch(core, w, key, error);
                }
            }
        }
    }

    fn complete_batch(&mut self, core: &mut Core, w: &Workload, key: BatchKey, base_offset: i64) {
        let batch = self.acc.deallocate(key);
        core.ledger.on_batch_done(batch.id);
        self.idem.on_acked(&batch);
        let p = batch.partition;
        self.acc.muted[p as usize] = false;
        let now = core.now;
        let mut oldest = now;
        for (i, &r) in batch.records.iter().enumerate() {
            let meta = &mut self.records[r as usize];
            meta.state = RecordState::Acked;
            meta.offset = if base_offset < 0 {
                -1
            } else {
                base_offset + i as i64
            };
            oldest = oldest.min(meta.sent_at);
            self.stats
                .latencies_us
                .push(now.since(meta.sent_at).as_micros().min(u64::from(u32::MAX)) as u32);
        }
        let n = batch.records.len() as u64;
        self.stats.acked += n;
        self.interceptor_on_ack += n;
        self.stats.batches_acked += 1;
        self.stats.records_in_acked_batches += n;
        self.stats.bytes_in_acked_batches += batch.bytes as u64;
        core.emit(TraceEvent::BatchAcked {
            batch: batch.id,
            partition: p,
            base_offset,
            records: n as u32,
            latency_us: now.since(oldest).as_micros(),
        });
        self.maybe_resume_app(core, w);
    }

    fn fail_batch(&mut self, core: &mut Core, w: &Workload, key: BatchKey, error: KafkaError) {
        let batch = self.acc.deallocate(key);
        core.ledger.on_batch_done(batch.id);
        core.ledger.on_failed(&batch.records, error);
        self.idem.on_returned(&batch);
        let p = batch.partition;
        self.acc.muted[p as usize] = false;
        if self.idem.enabled && batch.base_sequence.is_some() {
            // The sequence now has a gap: later batches restart from 0 under a new epoch.
            self.idem.bump_epoch(p);
            core.emit(TraceEvent::EpochBumped {
                producer_id: self.idem.producer_id,
                epoch: self.idem.epoch,
                reason: format!("batch {} on partition {p} failed with {error}", batch.id),
            });
        }
        for &r in &batch.records {
            self.records[r as usize].state = RecordState::Failed;
        }
        let n = batch.records.len() as u64;
        self.stats.failed += n;
        self.interceptor_on_ack += n;
        core.emit(TraceEvent::BatchFailed {
            batch: batch.id,
            partition: p,
            error,
            records: n as u32,
        });
        self.maybe_resume_app(core, w);
    }

    /// delivery.timeout.ms: queued batches expire from the front of each deque, in-flight
    /// ones too (the broker may still write them: an ambiguous failure).
    pub(crate) fn expire(&mut self, core: &mut Core, w: &Workload) {
        let dt = SimDuration::from_millis(core.eff.delivery_timeout_ms);
        for key in self.acc.expired_batches(core.now, dt) {
            self.fail_batch(core, w, key, KafkaError::DeliveryTimeout);
        }
        let now = core.now;
        let expired: Vec<(BatchKey, BatchId)> = self
            .sender
            .in_flight
            .values()
            .flat_map(|r| r.batches.iter().copied())
            .filter(|&(k, id)| {
                self.acc
                    .get(k)
                    .is_some_and(|b| b.id == id && now.since(b.created) >= dt)
            })
            .collect();
        for (key, _) in expired {
            self.fail_batch(core, w, key, KafkaError::DeliveryTimeout);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::Config;

    #[test]
    fn backoff_doubles_from_100ms_to_1s_with_20_percent_jitter() {
        let cfg = Config::default();
        let eff = cfg.validate().unwrap();
        let mut core = Core::new(cfg, eff, 9);
        for (attempt, nominal) in [
            (1u32, 100u64),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1000),
            (9, 1000),
        ] {
            let mut seen = Vec::new();
            for _ in 0..200 {
                seen.push(retry_backoff(&mut core, attempt).as_millis());
            }
            let lo = *seen.iter().min().unwrap();
            let hi = *seen.iter().max().unwrap();
            assert!(
                lo >= nominal * 8 / 10 && hi <= (nominal * 12 / 10).min(1000),
                "attempt {attempt}: {lo}..{hi}"
            );
            // The jitter is really there (except where the 1 s ceiling flattens it).
            if nominal < 1000 {
                assert!(hi - lo > nominal / 5, "attempt {attempt}: {lo}..{hi}");
            }
        }
    }

    #[test]
    fn backoff_is_constant_when_the_ceiling_is_below_the_start() {
        let mut cfg = Config::default();
        cfg.set("retry.backoff.ms", "300").unwrap();
        cfg.set("retry.backoff.max.ms", "200").unwrap();
        let eff = cfg.validate().unwrap();
        let mut core = Core::new(cfg, eff, 9);
        assert_eq!(retry_backoff(&mut core, 1).as_millis(), 200);
        assert_eq!(retry_backoff(&mut core, 5).as_millis(), 200);
    }
}
