//! Kafka 2.4–3.2 sticky partitioning for keyless records (KIP-480).

use super::{RandomSource, count_available, nth_available};
use crate::sim::rng::SimRng;

/// Kafka 2.4–3.2 sticky partitioning for keyless records (KIP-480,
/// `clients/producer/internals/StickyPartitionCache.java`, used by `DefaultPartitioner` and
/// `UniformStickyPartitioner`). One per topic.
///
/// # How the producer drives it (mirrors 2.8 `KafkaProducer.doSend`)
///
/// 1. `partition = key.map_or_else(|| cache.partition(available, rng), hash)`.
/// 2. `accumulator.append(partition, .., abortOnNewBatch = true)`: if the record fits in the
///    partition's last batch it is appended; if a new batch would be needed the append aborts
///    without creating it.
/// 3. On abort: `cache.on_new_batch(partition, available, rng)`, recompute the partition the same
///    way as in step 1, and append again with `abortOnNewBatch = false` (this one creates the
///    batch).
///
/// In 2.4–3.2 `DefaultPartitioner.onNewBatch` runs for keyed records too: a keyed record that
/// opens a new batch on the current sticky partition moves the sticky partition.
#[derive(Debug, Clone)]
pub struct StickyPartitionCache {
    num_partitions: u32,
    /// `indexCache.get(topic)`: `None` until first used.
    current: Option<u32>,
}

impl StickyPartitionCache {
    /// # Panics
    /// If `num_partitions == 0`.
    pub fn new(num_partitions: u32) -> Self {
        assert!(num_partitions > 0, "a topic has at least one partition");
        Self {
            num_partitions,
            current: None,
        }
    }

    /// The topic grew (partition counts never shrink in Kafka).
    pub fn set_num_partitions(&mut self, num_partitions: u32) {
        assert!(
            num_partitions >= self.num_partitions,
            "partition counts never shrink"
        );
        self.num_partitions = num_partitions;
    }

    /// The current sticky partition, if one was chosen (does not choose one).
    pub fn current_partition(&self) -> Option<u32> {
        self.current
    }

    /// `StickyPartitionCache.partition`: the cached sticky partition, choosing one the first
    /// time. `available[p]` = partition `p` has a leader; length = partition count.
    pub fn partition(&mut self, available: &[bool], rng: &mut SimRng) -> u32 {
        self.partition_with(available, rng)
    }

    /// `StickyPartitionCache.nextPartition(topic, cluster, prevPartition)`, reached through
    /// `Partitioner.onNewBatch`. If `prev_partition` is the sticky partition (or none is set),
    /// choose a new one: random among available partitions and different from the old one when
    /// at least two are available (re-drawing until it differs); the only available one if
    /// exactly one; random among all if none. Otherwise leave it. Returns the sticky partition.
    pub fn on_new_batch(
        &mut self,
        prev_partition: u32,
        available: &[bool],
        rng: &mut SimRng,
    ) -> u32 {
        self.next_partition_with(Some(prev_partition), available, rng)
    }

    fn partition_with<R: RandomSource>(&mut self, available: &[bool], rng: &mut R) -> u32 {
        match self.current {
            Some(p) => p,
            None => self.next_partition_with(None, available, rng),
        }
    }

    fn next_partition_with<R: RandomSource>(
        &mut self,
        prev_partition: Option<u32>,
        available: &[bool],
        rng: &mut R,
    ) -> u32 {
        debug_assert_eq!(available.len(), self.num_partitions as usize);
        let old = self.current;
        // Only the batch that filled the *sticky* partition moves it.
        if old.is_some() && old != prev_partition {
            return old.unwrap_or_default();
        }
        let n = count_available(available);
        let new = match n {
            0 => rng.next_random() % self.num_partitions,
            1 => nth_available(available, 0),
            _ => loop {
                let candidate = nth_available(available, rng.next_random() as usize % n);
                if Some(candidate) != old {
                    break candidate;
                }
            },
        };
        self.current = Some(new);
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::partitioner::test_support::{Sequential, all_available};

    // ---- StickyPartitionCache -------------------------------------------------------------

    #[test]
    fn cache_partition_is_sticky() {
        let avail = all_available(4);
        let mut rng = SimRng::new(11);
        let mut cache = StickyPartitionCache::new(4);
        assert_eq!(cache.current_partition(), None);
        let p = cache.partition(&avail, &mut rng);
        for _ in 0..20 {
            assert_eq!(cache.partition(&avail, &mut rng), p);
        }
    }

    #[test]
    fn cache_new_batch_on_sticky_partition_picks_a_different_one() {
        let avail = all_available(3);
        let mut rng = SimRng::new(12);
        let mut cache = StickyPartitionCache::new(3);
        let mut p = cache.partition(&avail, &mut rng);
        let mut seen = [false; 3];
        for _ in 0..100 {
            let next = cache.on_new_batch(p, &avail, &mut rng);
            assert_ne!(next, p);
            assert_eq!(cache.partition(&avail, &mut rng), next);
            seen[next as usize] = true;
            p = next;
        }
        assert_eq!(seen, [true; 3]);
    }

    #[test]
    fn cache_new_batch_on_other_partition_keeps_sticky() {
        let avail = all_available(3);
        let mut rng = SimRng::new(13);
        let mut cache = StickyPartitionCache::new(3);
        let p = cache.partition(&avail, &mut rng);
        let other = (p + 1) % 3;
        assert_eq!(cache.on_new_batch(other, &avail, &mut rng), p);
        assert_eq!(cache.current_partition(), Some(p));
    }

    #[test]
    fn cache_respects_availability() {
        let mut rng = SimRng::new(14);
        // Two available: alternate between them, never the leaderless one.
        let avail = [true, false, true];
        let mut cache = StickyPartitionCache::new(3);
        let mut p = cache.partition(&avail, &mut rng);
        assert_ne!(p, 1);
        for _ in 0..50 {
            let next = cache.on_new_batch(p, &avail, &mut rng);
            assert_ne!(next, 1);
            assert_ne!(next, p);
            p = next;
        }
        // Exactly one available: always that one, even though it equals the previous.
        let avail = [false, true, false];
        let mut cache = StickyPartitionCache::new(3);
        assert_eq!(cache.partition(&avail, &mut rng), 1);
        assert_eq!(cache.on_new_batch(1, &avail, &mut rng), 1);
        // None available: random among all partitions (may repeat).
        let avail = [false; 3];
        let mut cache = StickyPartitionCache::new(3);
        let mut seen = [false; 3];
        let mut p = cache.partition(&avail, &mut rng);
        for _ in 0..100 {
            p = cache.on_new_batch(p, &avail, &mut rng);
            seen[p as usize] = true;
        }
        assert_eq!(seen, [true; 3]);
    }

    #[test]
    fn cache_first_choice_via_on_new_batch() {
        // nextPartition with no cached value chooses regardless of prevPartition.
        let mut cache = StickyPartitionCache::new(3);
        let p = cache.next_partition_with(Some(2), &all_available(3), &mut Sequential(4));
        assert_eq!(p, 1);
        assert_eq!(cache.current_partition(), Some(1));
    }

    #[test]
    fn cache_redraws_until_different() {
        // Sticky on 0; random 3 maps to 0 (rejected), 4 maps to 1.
        let avail = all_available(3);
        let mut cache = StickyPartitionCache::new(3);
        assert_eq!(cache.partition_with(&avail, &mut Sequential(0)), 0);
        let mut rng = Sequential(3);
        assert_eq!(cache.next_partition_with(Some(0), &avail, &mut rng), 1);
        assert_eq!(rng.0, 5, "two draws");
    }
}
