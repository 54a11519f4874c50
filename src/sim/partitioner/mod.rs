//! How the Java producer picks a partition.
//!
//! * Keyed records: `toPositive(murmur2(key)) % numPartitions` (`common/utils/Utils.java`
//!   `murmur2`/`toPositive`, `BuiltInPartitioner.partitionForKey`).
//! * Keyless records, Kafka ≥ 3.3 (KIP-794): [`BuiltInPartitioner`], driven by the accumulator
//!   (`RecordAccumulator.append`, `partitionChanged`, `partitionReady`).
//! * Keyless records, Kafka 2.4–3.2 (KIP-480): [`StickyPartitionCache`], driven by
//!   `KafkaProducer.doSend` through `DefaultPartitioner.partition` / `onNewBatch`.
//!
//! The simulation is deterministic, so the only randomness is the caller's [`SimRng`], standing
//! in for `Utils.toPositive(ThreadLocalRandom.current().nextInt())`. One such draw is made per
//! partition choice (KIP-480's "pick a different one" may draw several times), exactly where
//! Kafka draws, so a seed replays the same partition sequence.
//!
//! Everything here is called per record, so the hot paths neither allocate nor hash: the
//! availability of partitions is a caller-owned `&[bool]` indexed by partition id, and the
//! adaptive load statistics live in two vectors sized once at construction.

mod builtin;
mod sticky_cache;

pub use builtin::BuiltInPartitioner;
pub use sticky_cache::StickyPartitionCache;

use crate::sim::rng::SimRng;

const MURMUR2_SEED: u32 = 0x9747_b28c;
const MURMUR2_M: u32 = 0x5bd1_e995;
const MURMUR2_R: u32 = 24;

/// Kafka's 32-bit murmur2 (`Utils.murmur2`), returned as the signed `int` Java returns.
/// All arithmetic wraps; bytes are taken unsigned; the tail's extra multiply only runs when
/// there is a tail.
pub fn murmur2(data: &[u8]) -> i32 {
    let mut h = MURMUR2_SEED ^ (data.len() as u32);

    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let mut k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        k = k.wrapping_mul(MURMUR2_M);
        k ^= k >> MURMUR2_R;
        k = k.wrapping_mul(MURMUR2_M);
        h = h.wrapping_mul(MURMUR2_M);
        h ^= k;
    }

    // Java's switch falls through from case 3 to case 1.
    let tail = blocks.remainder();
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(MURMUR2_M);
    }

    h ^= h >> 13;
    h = h.wrapping_mul(MURMUR2_M);
    h ^= h >> 15;
    h as i32
}

/// `Utils.toPositive`: a mask, not `abs`, so `i32::MIN` maps to 0.
pub fn to_positive(x: i32) -> i32 {
    x & 0x7fff_ffff
}

/// `BuiltInPartitioner.partitionForKey`. `num_partitions` counts *all* partitions of the topic,
/// available or not (`KafkaProducer.partition`): keyed records never avoid a leaderless partition.
pub fn partition_for_key(serialized_key: &[u8], num_partitions: u32) -> u32 {
    assert!(num_partitions > 0, "a topic has at least one partition");
    (to_positive(murmur2(serialized_key)) as u32) % num_partitions
}

/// Where partition choices get their random number. Private so the public API only takes
/// [`SimRng`]; the tests replay Kafka's own mocked sequential randoms through it.
trait RandomSource {
    /// Like `Utils.toPositive(ThreadLocalRandom.current().nextInt())`: in `[0, 2^31)`.
    fn next_random(&mut self) -> u32;
}

impl RandomSource for SimRng {
    fn next_random(&mut self) -> u32 {
        self.next_positive_i32() as u32
    }
}

fn count_available(available: &[bool]) -> usize {
    available.iter().filter(|&&a| a).count()
}

/// The `k`-th available partition in ascending id order, i.e. `availablePartitionsForTopic().get(k)`.
fn nth_available(available: &[bool], k: usize) -> u32 {
    available
        .iter()
        .enumerate()
        .filter(|&(_, &a)| a)
        .nth(k)
        .map(|(p, _)| p as u32)
        .expect("k < number of available partitions")
}

/// Helpers shared by the tests of this module and its submodules.
#[cfg(test)]
mod test_support {
    use super::RandomSource;

    /// Kafka's tests mock the random source with 0, 1, 2, …
    pub(super) struct Sequential(pub(super) u32);

    impl RandomSource for Sequential {
        fn next_random(&mut self) -> u32 {
            let r = self.0;
            self.0 += 1;
            r
        }
    }

    pub(super) fn all_available(n: usize) -> Vec<bool> {
        vec![true; n]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // ---- murmur2 / keyed ------------------------------------------------------------------

    #[test]
    fn murmur2_kafka_vectors() {
        // UtilsTest.testMurmur2
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973_932_308),
            (b"foobar", -790_332_482),
            (b"a-little-bit-long-string", -985_981_536),
            (b"a-little-bit-longer-string", -1_486_304_829),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58_897_971,
            ),
            (b"abc", 479_470_107), // the byte array {'a','b','c'}
        ];
        for (input, expected) in cases {
            assert_eq!(
                murmur2(input),
                expected,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn murmur2_extra_values() {
        assert_eq!(murmur2(b""), 275_646_681);
        assert_eq!(murmur2(b"key"), -1_079_937_367);
        assert_eq!(to_positive(murmur2(b"key")), 1_067_546_281);
        assert_eq!(partition_for_key(b"key", 3), 1);
        assert_eq!(murmur2(b"a"), -1_563_381_124);
        assert_eq!(murmur2(b"hello"), 2_132_663_229);
    }

    #[test]
    fn to_positive_is_a_mask() {
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(-1), i32::MAX);
        assert_eq!(to_positive(5), 5);
    }

    #[test]
    fn digit_keys_to_partitions() {
        // KTableKTableForeignKeyInnerJoinMultiIntegrationTest comments, 3 partitions.
        let expected = [2, 0, 2, 2, 1, 0, 1, 0, 0, 2];
        for (digit, &p) in expected.iter().enumerate() {
            assert_eq!(
                partition_for_key(digit.to_string().as_bytes(), 3),
                p,
                "key {digit}"
            );
        }
    }

    #[test]
    fn record_collector_keys_to_partitions() {
        // RecordCollectorTest: these keys leave 4/3/2 records on p0/p1/p2.
        let cases = [
            ("3", 2),
            ("9", 2),
            ("27", 0),
            ("81", 1),
            ("243", 1),
            ("28", 0),
            ("82", 0),
            ("244", 0),
            ("245", 1),
        ];
        let mut counts = [0; 3];
        for (key, p) in cases {
            let got = partition_for_key(key.as_bytes(), 3);
            assert_eq!(got, p, "key {key}");
            counts[got as usize] += 1;
        }
        assert_eq!(counts, [4, 3, 2]);
    }
}
