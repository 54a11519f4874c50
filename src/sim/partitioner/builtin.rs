//! Kafka ≥ 3.3 sticky/adaptive partitioner for keyless records (KIP-794).

use super::{RandomSource, count_available, nth_available};
use crate::sim::rng::SimRng;

/// Kafka ≥ 3.3 sticky/adaptive partitioner for keyless records (KIP-794,
/// `clients/producer/internals/BuiltInPartitioner.java`). One per topic.
///
/// It sticks to one partition until `stickyBatchSize` (= `batch.size`) bytes were appended to
/// it, then picks the next one uniformly among partitions with a leader, or — when the
/// accumulator has supplied load stats — weighted towards partitions with shorter queues.
///
/// # How the accumulator drives it (mirrors `RecordAccumulator.append`)
///
/// Only for records whose partition is not fixed (no explicit partition, and no key or
/// `partitioner.ignore.keys=true`). `available[p]` is "partition `p` has a leader"
/// (`Cluster.availablePartitionsForTopic`); its length is the topic's partition count.
///
/// ```text
/// loop {
///     let p   = bp.peek_current_partition(available, rng);       // peekCurrentPartitionInfo
///     let gen = bp.generation();
///     // (create the deque for p if missing)
///     if bp.partition_changed(gen, all_batches_full(dq(p)), available, rng) { continue; }
///     if let Some(grown) = try_append_to_last_batch(p) {          // last batch closed if it didn't fit
///         bp.update_partition_info(p, grown, all_batches_full(dq(p)), available, rng);
///         return;
///     }
///     allocate the buffer (may block; keep it across `continue`)
///     // the last batch is closed now, so this may complete a deferred switch:
///     if bp.partition_changed(gen, all_batches_full(dq(p)), available, rng) { continue; }
///     let grown = append_new_batch(p);                            // 61 + record size
///     bp.update_partition_info(p, grown, all_batches_full(dq(p)), available, rng);
///     return;
/// }
/// ```
///
/// `all_batches_full(dq)` is `RecordAccumulator.allBatchesFull`: the deque is empty or its last
/// batch `isFull()`. At the end of every `ready()` call [`Self::update_load_stats`].
#[derive(Debug, Clone)]
pub struct BuiltInPartitioner {
    num_partitions: u32,
    sticky_batch_size: u64,
    adaptive: bool,
    /// `stickyPartitionInfo`: `None` until the first keyless record.
    current: Option<u32>,
    /// `StickyPartitionInfo.producedBytes` of the current sticky partition.
    produced_bytes: u64,
    /// Bumped whenever a new `StickyPartitionInfo` would be created in Kafka; stands in for the
    /// object identity that `isPartitionChanged` compares. 0 = nothing chosen yet.
    generation: u64,
    /// `PartitionLoadStats.cumulativeFrequencyTable`; empty = no load stats (uniform choice).
    cft: Vec<u32>,
    /// `PartitionLoadStats.partitionIds`, parallel to `cft`.
    cft_partition_ids: Vec<u32>,
}

impl BuiltInPartitioner {
    /// One partitioner per topic. `sticky_batch_size` is `batch.size` after `KafkaProducer`'s
    /// `max(1, batch.size)` clamp; `adaptive` is `partitioner.adaptive.partitioning.enable`.
    ///
    /// # Panics
    /// If `num_partitions == 0` or `sticky_batch_size < 1` (Kafka throws
    /// `IllegalArgumentException` for the latter).
    pub fn new(num_partitions: u32, sticky_batch_size: u32, adaptive: bool) -> Self {
        assert!(num_partitions > 0, "a topic has at least one partition");
        assert!(
            sticky_batch_size >= 1,
            "stickyBatchSize must be >= 1 but got {sticky_batch_size}"
        );
        let n = num_partitions as usize;
        Self {
            num_partitions,
            sticky_batch_size: u64::from(sticky_batch_size),
            adaptive,
            current: None,
            produced_bytes: 0,
            generation: 0,
            cft: Vec::with_capacity(n),
            cft_partition_ids: Vec::with_capacity(n),
        }
    }

    /// The topic grew (partition counts never shrink in Kafka). Kafka reads the count from
    /// metadata on every choice; this keeps our copy in step. Allocates only here.
    pub fn set_num_partitions(&mut self, num_partitions: u32) {
        assert!(
            num_partitions >= self.num_partitions,
            "partition counts never shrink"
        );
        self.num_partitions = num_partitions;
        let n = num_partitions as usize;
        self.cft.reserve(n.saturating_sub(self.cft.len()));
        self.cft_partition_ids
            .reserve(n.saturating_sub(self.cft_partition_ids.len()));
    }

    /// Number of partitions of the topic.
    pub fn num_partitions(&self) -> u32 {
        self.num_partitions
    }

    /// `stickyBatchSize` (= `batch.size`).
    pub fn sticky_batch_size(&self) -> u64 {
        self.sticky_batch_size
    }

    /// Whether `partitioner.adaptive.partitioning.enable` is on.
    pub fn is_adaptive(&self) -> bool {
        self.adaptive
    }

    /// The current sticky partition, if one was chosen (does not choose one).
    pub fn current_partition(&self) -> Option<u32> {
        self.current
    }

    /// Bytes appended to the current sticky partition since it was chosen.
    pub fn produced_bytes(&self) -> u64 {
        self.produced_bytes
    }

    /// Changes every time a sticky partition is chosen (even if the same number is picked
    /// again). Record it right after [`Self::peek_current_partition`] and hand it to
    /// [`Self::partition_changed`].
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The current load stats as `(cumulative frequency table, partition ids)`, or `None` when
    /// the next choice is uniform. For display and tests.
    pub fn load_stats(&self) -> Option<(&[u32], &[u32])> {
        if self.cft.is_empty() {
            None
        } else {
            Some((&self.cft, &self.cft_partition_ids))
        }
    }

    /// `peekCurrentPartitionInfo`: the sticky partition, choosing one (`nextPartition`) if there
    /// is none yet. Call at the top of every append attempt of a keyless record. Draws from
    /// `rng` only when it has to choose.
    pub fn peek_current_partition(&mut self, available: &[bool], rng: &mut SimRng) -> u32 {
        self.peek_with(available, rng)
    }

    /// `RecordAccumulator.partitionChanged`. Call after locating partition `p`'s deque and
    /// before trying to append to it — both before the first `tryAppend` and again before
    /// `appendNewBatch` (after the buffer allocation) — with the `generation` recorded at the
    /// peek and `all_batches_full` = the deque is empty or its last batch `isFull()` (a batch
    /// closed by a failed `tryAppend` counts as full).
    ///
    /// Returns `true` when the caller must start over with a fresh peek: either the sticky
    /// partition was replaced since the peek (only possible if the append was suspended, e.g.
    /// waiting for buffer memory), or a switch that `update_partition_info` had deferred
    /// because the last batch was not full is completed now (`producedBytes ≥ stickyBatchSize`
    /// and all batches full). The record then goes to the new partition.
    pub fn partition_changed(
        &mut self,
        generation: u64,
        all_batches_full: bool,
        available: &[bool],
        rng: &mut SimRng,
    ) -> bool {
        self.partition_changed_with(generation, all_batches_full, available, rng)
    }

    /// `updatePartitionInfo`: after each successful append of a keyless record to the sticky
    /// partition, add `appended_bytes` (growth of the batch's estimated size; for the first
    /// record of a new batch the whole batch, 61-byte header included) and switch when
    /// `(producedBytes ≥ stickyBatchSize && enable_switch) || producedBytes ≥ 2·stickyBatchSize`.
    /// `enable_switch` = `allBatchesFull(deque)` measured *after* the append. The record just
    /// appended stays where it is; the switch affects the next record. Returns whether a new
    /// sticky partition was chosen.
    ///
    /// `partition` must be the current sticky partition (the one returned by the peek);
    /// otherwise the call is ignored (and debug builds panic).
    pub fn update_partition_info(
        &mut self,
        partition: u32,
        appended_bytes: usize,
        enable_switch: bool,
        available: &[bool],
        rng: &mut SimRng,
    ) -> bool {
        self.update_with(
            partition,
            appended_bytes as u64,
            enable_switch,
            available,
            rng,
        )
    }

    /// `updatePartitionLoadStats`, called at the end of the accumulator's `ready()` for this
    /// topic (every call, so stale stats are replaced or cleared).
    ///
    /// `queue_sizes[i]` is the number of batches queued for partition `partition_ids[i]`
    /// (0 for an empty deque). Pass only partitions that have a leader and are not excluded by
    /// `partitioner.availability.timeout.ms` (`readyTimeMs − drainTimeMs > timeout` for the
    /// leader node), in a stable order (ascending id).
    ///
    /// Pass empty slices for "no stats" — Kafka's `queueSizes == null` — when adaptive
    /// partitioning is off or when not every partition of the topic has a deque yet
    /// (`batches.size() < partitionsForTopic(topic).size()`); deques are created on first
    /// append to a partition (keyed or not) and never removed.
    ///
    /// Stats are dropped (uniform choice) when adaptive is off, no partition is passed, the
    /// topic has fewer than 2 partitions, or every partition was passed and all queues have the
    /// same length. Otherwise weights are `max + 1 − queue` and the table is their running sum:
    /// queues `0 3 1` give weights `4 1 3` and table `4 5 8`. Excluding a partition (or a
    /// leaderless one) keeps stats on even when the remaining queues are equal, so it is
    /// avoided. No allocation unless more than `num_partitions` entries are passed.
    pub fn update_load_stats(&mut self, queue_sizes: &[u32], partition_ids: &[u32]) {
        assert_eq!(
            queue_sizes.len(),
            partition_ids.len(),
            "queue_sizes and partition_ids are parallel"
        );
        self.cft.clear();
        self.cft_partition_ids.clear();

        let len = queue_sizes.len();
        // Kafka compares against `queueSizes.length`, the number of deques of the topic, which
        // equals the partition count whenever stats are collected at all.
        if !self.adaptive || len < 1 || self.num_partitions < 2 {
            return;
        }

        let first = queue_sizes[0];
        let all_equal = queue_sizes.iter().all(|&q| q == first);
        if all_equal && len == self.num_partitions as usize {
            return;
        }

        let max_plus_1 = queue_sizes.iter().copied().max().unwrap_or(0) + 1;
        let mut running = 0u32;
        for (&q, &id) in queue_sizes.iter().zip(partition_ids) {
            // Shorter queue, bigger weight; every weight is ≥ 1 so the table strictly increases.
            running += max_plus_1 - q;
            self.cft.push(running);
            self.cft_partition_ids.push(id);
        }
    }

    fn peek_with<R: RandomSource>(&mut self, available: &[bool], rng: &mut R) -> u32 {
        match self.current {
            Some(p) => p,
            None => self.switch(available, rng),
        }
    }

    fn partition_changed_with<R: RandomSource>(
        &mut self,
        generation: u64,
        all_batches_full: bool,
        available: &[bool],
        rng: &mut R,
    ) -> bool {
        if generation != self.generation {
            return true;
        }
        // "We might have disabled partition switch if the queue had incomplete batches.
        // Check if all batches are full now and switch." — a zero-byte update with switching on.
        match self.current {
            Some(p) if all_batches_full => self.update_with(p, 0, true, available, rng),
            _ => false,
        }
    }

    fn update_with<R: RandomSource>(
        &mut self,
        partition: u32,
        appended_bytes: u64,
        enable_switch: bool,
        available: &[bool],
        rng: &mut R,
    ) -> bool {
        debug_assert_eq!(
            self.current,
            Some(partition),
            "update_partition_info for a partition that is not the sticky one"
        );
        if self.current != Some(partition) {
            return false;
        }
        self.produced_bytes += appended_bytes;
        // Deferring the switch until the last batch is full avoids leaving a small fractional
        // batch behind (high linger.ms); the 2x cap bounds how long it can be deferred.
        let produced = self.produced_bytes;
        if (produced >= self.sticky_batch_size && enable_switch)
            || produced >= 2 * self.sticky_batch_size
        {
            self.switch(available, rng);
            true
        } else {
            false
        }
    }

    /// A new `StickyPartitionInfo(nextPartition(cluster))`: fresh byte count, new identity.
    fn switch<R: RandomSource>(&mut self, available: &[bool], rng: &mut R) -> u32 {
        let p = self.next_partition(available, rng);
        self.current = Some(p);
        self.produced_bytes = 0;
        self.generation += 1;
        p
    }

    /// `nextPartition`: exactly one random draw, then either the uniform or the weighted pick.
    fn next_partition<R: RandomSource>(&self, available: &[bool], rng: &mut R) -> u32 {
        let random = rng.next_random();
        self.pick(random, available)
    }

    fn pick(&self, random: u32, available: &[bool]) -> u32 {
        debug_assert_eq!(available.len(), self.num_partitions as usize);
        if let Some(&total) = self.cft.last() {
            // First table entry strictly greater than the weighted random number
            // (Kafka: `Math.abs(Arrays.binarySearch(...) + 1)`).
            let weighted = random % total;
            let index = self.cft.partition_point(|&c| c <= weighted);
            self.cft_partition_ids[index]
        } else {
            // Uniform among partitions with a leader; the current one may be picked again.
            let n = count_available(available);
            if n > 0 {
                nth_available(available, random as usize % n)
            } else {
                random % self.num_partitions
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::partitioner::test_support::{Sequential, all_available};

    // ---- BuiltInPartitioner ---------------------------------------------------------------

    #[test]
    fn sticky_switch_after_sticky_batch_size_bytes() {
        let avail = all_available(3);
        let mut rng = SimRng::new(42);
        let mut bp = BuiltInPartitioner::new(3, 3, true);
        let p = bp.peek_current_partition(&avail, &mut rng);
        let g = bp.generation();
        for i in 1..=2u64 {
            assert!(!bp.update_partition_info(p, 1, true, &avail, &mut rng));
            assert_eq!(bp.peek_current_partition(&avail, &mut rng), p);
            assert_eq!(bp.generation(), g);
            assert_eq!(bp.produced_bytes(), i);
        }
        // Third byte reaches stickyBatchSize: nextPartition runs and the count restarts.
        assert!(bp.update_partition_info(p, 1, true, &avail, &mut rng));
        assert_eq!(bp.generation(), g + 1);
        assert_eq!(bp.produced_bytes(), 0);
    }

    #[test]
    fn sticky_switch_kafka_mocked_random() {
        // BuiltInPartitionerTest.testStickyPartitioning with randoms 0, 1, 2, …
        let avail = all_available(3);
        let mut rng = Sequential(0);
        let mut bp = BuiltInPartitioner::new(3, 3, true);
        let part_a = bp.peek_with(&avail, &mut rng);
        assert_eq!(part_a, 0);
        for _ in 0..3 {
            assert_eq!(bp.peek_with(&avail, &mut rng), part_a);
            bp.update_with(part_a, 1, true, &avail, &mut rng);
        }
        assert_ne!(bp.peek_with(&avail, &mut rng), part_a);
    }

    #[test]
    fn single_partition_is_always_zero() {
        let avail = all_available(1);
        let mut rng = SimRng::new(7);
        let mut bp = BuiltInPartitioner::new(1, 1, true);
        for _ in 0..10 {
            let p = bp.peek_current_partition(&avail, &mut rng);
            assert_eq!(p, 0);
            // stickyBatchSize 1: every append switches (to partition 0 again).
            assert!(bp.update_partition_info(p, 1, true, &avail, &mut rng));
        }
    }

    #[test]
    fn leaderless_partition_never_chosen_while_others_available() {
        // BuiltInPartitionerTest.unavailablePartitionsTest, topic A: partition 1 has no leader.
        let avail = [true, false, true];
        let mut rng = SimRng::new(1);
        let mut bp = BuiltInPartitioner::new(3, 1, true);
        let first = bp.peek_current_partition(&avail, &mut rng);
        let mut seen = [0u32; 3];
        for _ in 0..100 {
            let p = bp.peek_current_partition(&avail, &mut rng);
            seen[p as usize] += 1;
            bp.update_partition_info(p, 1, true, &avail, &mut rng);
        }
        assert_ne!(first, 1);
        assert_eq!(seen[1], 0);
        assert!(
            seen[0] > 0 && seen[2] > 0,
            "both available partitions used: {seen:?}"
        );

        // Topic B: only partition 1 has a leader.
        let avail = [false, true];
        let mut bp = BuiltInPartitioner::new(2, 1, true);
        for _ in 0..100 {
            let p = bp.peek_current_partition(&avail, &mut rng);
            assert_eq!(p, 1);
            bp.update_partition_info(p, 1, true, &avail, &mut rng);
        }
    }

    #[test]
    fn no_available_partition_still_picks_one() {
        let mut rng = SimRng::new(3);
        // Topic C: one partition, no leader.
        let mut bp = BuiltInPartitioner::new(1, 1, true);
        let p = bp.peek_current_partition(&[false], &mut rng);
        assert_eq!(p, 0);
        bp.update_partition_info(p, 1, true, &[false], &mut rng);
        assert_eq!(bp.peek_current_partition(&[false], &mut rng), 0);

        // Several partitions, none available: any of them.
        let avail = [false; 4];
        let mut bp = BuiltInPartitioner::new(4, 1, true);
        let mut seen = [false; 4];
        for _ in 0..200 {
            let p = bp.peek_current_partition(&avail, &mut rng);
            seen[p as usize] = true;
            bp.update_partition_info(p, 1, true, &avail, &mut rng);
        }
        assert_eq!(seen, [true; 4]);
    }

    #[test]
    fn enable_switch_defers_until_batch_full_or_twice_batch_size() {
        let avail = all_available(3);
        let mut rng = SimRng::new(5);
        let mut bp = BuiltInPartitioner::new(3, 10, true);
        let p = bp.peek_current_partition(&avail, &mut rng);
        let g = bp.generation();
        // ≥ batch.size but the last batch is not full: stay.
        assert!(!bp.update_partition_info(p, 12, false, &avail, &mut rng));
        assert_eq!(bp.produced_bytes(), 12);
        assert_eq!(bp.generation(), g);
        // Next append: the deque still has an incomplete batch, nothing changes.
        assert!(!bp.partition_changed(g, false, &avail, &mut rng));
        assert!(!bp.update_partition_info(p, 7, false, &avail, &mut rng));
        assert_eq!(bp.produced_bytes(), 19);
        // Reaching 2 × batch.size switches regardless.
        assert!(bp.update_partition_info(p, 1, false, &avail, &mut rng));
        assert_eq!(bp.generation(), g + 1);
        assert_eq!(bp.produced_bytes(), 0);
    }

    #[test]
    fn deferred_switch_completes_in_partition_changed() {
        let avail = all_available(3);
        let mut rng = SimRng::new(6);
        let mut bp = BuiltInPartitioner::new(3, 10, true);
        let p = bp.peek_current_partition(&avail, &mut rng);
        let g = bp.generation();
        assert!(!bp.update_partition_info(p, 15, false, &avail, &mut rng));
        // The batch got drained or became full: the next append completes the switch first.
        assert!(bp.partition_changed(g, true, &avail, &mut rng));
        assert_eq!(bp.generation(), g + 1);
        assert_eq!(bp.produced_bytes(), 0);
        // With the fresh generation nothing is pending.
        let g2 = bp.generation();
        assert!(!bp.partition_changed(g2, true, &avail, &mut rng));
        // A stale generation (suspended append) always means "retry".
        assert!(bp.partition_changed(g, false, &avail, &mut rng));
    }

    #[test]
    fn below_sticky_batch_size_partition_changed_is_a_no_op() {
        let avail = all_available(2);
        let mut rng = SimRng::new(8);
        let mut bp = BuiltInPartitioner::new(2, 100, true);
        let p = bp.peek_current_partition(&avail, &mut rng);
        bp.update_partition_info(p, 99, true, &avail, &mut rng);
        let g = bp.generation();
        assert!(!bp.partition_changed(g, true, &avail, &mut rng));
        assert_eq!(bp.produced_bytes(), 99);
    }

    #[test]
    fn first_record_of_batch_counts_the_header() {
        // batch.size 16384, key "key"/value "value": a new batch adds 61 + 15 = 76 bytes.
        let avail = all_available(3);
        let mut rng = SimRng::new(9);
        let mut bp = BuiltInPartitioner::new(3, 16384, true);
        let p = bp.peek_current_partition(&avail, &mut rng);
        bp.update_partition_info(p, 76, false, &avail, &mut rng);
        assert_eq!(bp.produced_bytes(), 76);
    }

    #[test]
    fn cft_example_from_kafka_comment() {
        let mut bp = BuiltInPartitioner::new(3, 1, true);
        bp.update_load_stats(&[0, 3, 1], &[0, 1, 2]);
        let (cft, ids) = bp.load_stats().expect("stats");
        assert_eq!(cft, &[4, 5, 8]);
        assert_eq!(ids, &[0, 1, 2]);
        let avail = all_available(3);
        let picks: Vec<u32> = (0..8).map(|r| bp.pick(r, &avail)).collect();
        assert_eq!(picks, [0, 0, 0, 0, 1, 2, 2, 2]);
        // Weights 4 1 3.
        assert_eq!(bp.pick(8, &avail), 0);
    }

    #[test]
    fn adaptive_kafka_mocked_random_exact_frequencies() {
        // BuiltInPartitionerTest.adaptivePartitionsTest.
        let queue_sizes = [5, 0, 3, 0, 1];
        let ids = [0, 1, 2, 3, 4];
        let avail = all_available(5);
        let mut bp = BuiltInPartitioner::new(5, 1, true);
        bp.update_load_stats(&queue_sizes, &ids);
        let range_end = *bp.load_stats().unwrap().0.last().unwrap();
        assert_eq!(range_end, 21);
        let cycles = 2;
        let mut freq = [0u32; 5];
        let mut rng = Sequential(0);
        for _ in 0..range_end * cycles {
            let p = bp.peek_with(&avail, &mut rng);
            freq[p as usize] += 1;
            bp.update_with(p, 1, true, &avail, &mut rng);
        }
        assert_eq!(freq, [2, 12, 6, 12, 10]);
    }

    #[test]
    fn adaptive_statistical_frequencies() {
        let avail = all_available(5);
        let mut bp = BuiltInPartitioner::new(5, 1, true);
        bp.update_load_stats(&[5, 0, 3, 0, 1], &[0, 1, 2, 3, 4]);
        let mut rng = SimRng::new(0x5eed);
        let draws = 30_000u32;
        let mut freq = [0u32; 5];
        for _ in 0..draws {
            let p = bp.peek_current_partition(&avail, &mut rng);
            freq[p as usize] += 1;
            bp.update_partition_info(p, 1, true, &avail, &mut rng);
        }
        let weights = [1.0, 6.0, 3.0, 6.0, 5.0];
        for (i, &w) in weights.iter().enumerate() {
            let expected = f64::from(draws) * w / 21.0;
            let got = f64::from(freq[i]);
            // ~4 standard deviations at most (σ ≤ 80 here).
            assert!(
                (got - expected).abs() < 320.0,
                "partition {i}: {got} vs {expected}"
            );
        }
    }

    #[test]
    fn load_stats_edge_cases() {
        let mut bp = BuiltInPartitioner::new(3, 1, true);
        // "No stats" from the caller.
        bp.update_load_stats(&[], &[]);
        assert!(bp.load_stats().is_none());
        // All partitions present with equal queues: uniform.
        bp.update_load_stats(&[2, 2, 2], &[0, 1, 2]);
        assert!(bp.load_stats().is_none());
        // Equal queues but partition 1 left out (no leader / excluded): stats avoid it.
        bp.update_load_stats(&[2, 2], &[0, 2]);
        let (cft, ids) = bp.load_stats().unwrap();
        assert_eq!((cft, ids), (&[1, 2][..], &[0, 2][..]));
        let avail = all_available(3);
        assert_eq!(bp.pick(0, &avail), 0);
        assert_eq!(bp.pick(1, &avail), 2);
        // Even a single remaining partition gets stats (and thus all the traffic).
        bp.update_load_stats(&[7], &[1]);
        assert_eq!(bp.load_stats().unwrap().1, &[1]);
        assert_eq!(bp.pick(12345, &avail), 1);
        // Stats ignore `available`: the CFT is the caller's leader-filtered list.
        assert_eq!(bp.pick(12345, &[false, false, false]), 1);

        // Single-partition topic: never stats.
        let mut one = BuiltInPartitioner::new(1, 1, true);
        one.update_load_stats(&[3], &[0]);
        assert!(one.load_stats().is_none());

        // Adaptive disabled: never stats.
        let mut off = BuiltInPartitioner::new(3, 1, false);
        off.update_load_stats(&[0, 3, 1], &[0, 1, 2]);
        assert!(off.load_stats().is_none());
    }

    #[test]
    fn load_stats_do_not_allocate() {
        let mut bp = BuiltInPartitioner::new(8, 1, true);
        let cap = (bp.cft.capacity(), bp.cft_partition_ids.capacity());
        for round in 0..50u32 {
            let sizes: Vec<u32> = (0..8).map(|i| (i * 7 + round) % 5).collect();
            let ids: Vec<u32> = (0..8).collect();
            bp.update_load_stats(&sizes, &ids);
        }
        assert_eq!((bp.cft.capacity(), bp.cft_partition_ids.capacity()), cap);
    }

    #[test]
    fn uniform_choice_can_repeat_current_partition() {
        // KIP-794 has no "different from the previous" rule.
        let avail = all_available(3);
        let mut rng = Sequential(0);
        let mut bp = BuiltInPartitioner::new(3, 1, true);
        let p = bp.peek_with(&avail, &mut rng); // random 0 → 0
        bp.update_with(p, 1, true, &avail, &mut Sequential(3)); // random 3 → 0 again
        assert_eq!(bp.current_partition(), Some(0));
        assert_eq!(bp.generation(), 2);
    }

    #[test]
    fn same_seed_same_sequence() {
        let avail = all_available(6);
        let run = || {
            let mut rng = SimRng::new(99);
            let mut bp = BuiltInPartitioner::new(6, 2, true);
            (0..100)
                .map(|_| {
                    let p = bp.peek_current_partition(&avail, &mut rng);
                    bp.update_partition_info(p, 1, true, &avail, &mut rng);
                    p
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
    }

    #[test]
    #[should_panic(expected = "stickyBatchSize must be >= 1")]
    fn sticky_batch_size_must_be_positive() {
        let _ = BuiltInPartitioner::new(3, 0, true);
    }
}
