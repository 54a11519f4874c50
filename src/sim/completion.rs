//! Completing batches (`Sender.completeBatch`): success runs the callbacks in order,
//! a retriable error re-enqueues with exponential backoff, anything else fails the
//! records; and `delivery.timeout.ms` expiry, queued or in flight.

use super::accumulator::BatchKey;
use super::kernel::{Core, PartitionResult};
use super::producer::{AppState, Producer, RecordState};
use super::sender::SentBatch;
use super::time::SimDuration;
use super::trace::{KafkaError, TraceEvent};
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
        sent: SentBatch,
        result: PartitionResult,
    ) {
        // A batch that already completed (it expired: delivery.timeout.ms) ignores late
        // answers, except that a late success still counts as acknowledged for the
        // idempotent sequences (`handleCompletedBatch` runs before `batch.complete`).
        if self.acc.get(sent.key).is_none_or(|b| b.id != sent.id) {
            if let PartitionResult::Ok { .. } = result {
                self.idem.on_acked(sent.partition, sent.last_sequence);
            }
            return;
        }
        let key = sent.key;
        match result {
            PartitionResult::Ok { base_offset } => self.complete_batch(core, w, key, base_offset),
            PartitionResult::Err(error) => {
                if self.can_retry(core, key, error) {
                    self.retry_batch(core, key, error);
                } else {
                    // Kafka adjusts sequences (an idempotent producer bumps its epoch) only if
                    // the batch did not run out of retries: then it cannot know whether the
                    // broker kept it.
                    let adjust = self.acc.batch(key).attempts < core.cfg.producer.retries;
                    self.fail_batch(core, w, key, error, adjust);
                }
            }
        }
    }

    /// `Sender.canRetry`: time and attempts left, then `TransactionManager.canRetry` when
    /// idempotent (which may ask for an epoch bump), else whether the error is retriable.
    fn can_retry(&mut self, core: &Core, key: BatchKey, error: KafkaError) -> bool {
        let batch = self.acc.batch(key);
        let dt = SimDuration::from_millis(core.eff.delivery_timeout_ms);
        if core.now.since(batch.created) >= dt
            || batch.attempts >= core.cfg.producer.retries
            || self.app == AppState::Dead
        {
            return false;
        }
        if self.idem.enabled {
            self.idem.can_retry(batch, error)
        } else {
            error.is_retriable()
        }
    }

    /// `Sender.reenqueueBatch`: back into its deque after a backoff; an idempotent batch
    /// keeps its sequence and stays in its partition's in-flight set.
    fn retry_batch(&mut self, core: &mut Core, key: BatchKey, error: KafkaError) {
        let batch = self.acc.batch(key);
        let (batch_id, p) = (batch.id, batch.partition);
        let attempts = batch.attempts + 1;
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
    }

    fn complete_batch(&mut self, core: &mut Core, w: &Workload, key: BatchKey, base_offset: i64) {
        {
            let batch = self.acc.batch(key);
            self.idem.on_acked(batch.partition, batch.last_sequence());
            self.idem.on_completed(batch);
        }
        let batch = self.acc.deallocate(key);
        core.ledger.on_batch_done(batch.id);
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
                .latencies
                .record(now.since(meta.sent_at).as_micros());
        }
        let n = batch.records.len() as u64;
        self.stats.last_ack_us = Some(now.as_micros());
        self.stats.acked += n;
        let per = &mut self.stats.acked_per_partition;
        if per.len() <= p as usize {
            per.resize(p as usize + 1, 0);
        }
        per[p as usize] += n;
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

    /// `Sender.failBatch`: the callbacks get `error`. `adjust_sequences` is Kafka's
    /// `adjustSequenceNumbers` (an idempotent producer then bumps its epoch).
    fn fail_batch(
        &mut self,
        core: &mut Core,
        w: &Workload,
        key: BatchKey,
        error: KafkaError,
        adjust_sequences: bool,
    ) {
        self.idem
            .on_failed(self.acc.batch(key), error, adjust_sequences);
        let batch = self.acc.deallocate(key);
        core.ledger.on_batch_done(batch.id);
        core.ledger.on_failed(&batch.records, error);
        let p = batch.partition;
        self.acc.muted[p as usize] = false;
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
    /// ones too (the broker may still write them: an ambiguous failure). An expired batch
    /// that had been retried leaves its partition's sequence unresolved
    /// (`Sender.sendProducerData`: `markSequenceUnresolved` when `expiredBatch.inRetry()`).
    pub(crate) fn expire(&mut self, core: &mut Core, w: &Workload) {
        let dt = SimDuration::from_millis(core.eff.delivery_timeout_ms);
        let mut expired = self.acc.expired_batches(core.now, dt);
        let now = core.now;
        expired.extend(
            self.sender
                .in_flight
                .values()
                .flat_map(|r| r.batches.iter())
                .filter(|b| {
                    self.acc
                        .get(b.key)
                        .is_some_and(|x| x.id == b.id && now.since(x.created) >= dt)
                })
                .map(|b| b.key),
        );
        for key in expired {
            if self.acc.get(key).is_none() {
                continue;
            }
            let in_retry = self.acc.batch(key).attempts > 0;
            if in_retry {
                self.idem.mark_unresolved(self.acc.batch(key));
            }
            self.fail_batch(core, w, key, KafkaError::DeliveryTimeout, false);
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
