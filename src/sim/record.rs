//! Byte sizes of Kafka's record batch format v2 (magic 2), uncompressed, without headers.
//!
//! The accumulator needs these numbers for three decisions that shape every batch:
//! whether a record still fits (`MemoryRecordsBuilder.hasRoomFor`), how big a new batch's
//! buffer is (`AbstractRecords.estimateSizeInBytesUpperBound`), and how many bytes an append
//! adds for the sticky partitioner (`RecordAccumulator.tryAppend`'s `appendedBytes`).
//! Formulas follow `common/record/DefaultRecordBatch.java`, `DefaultRecord.java` and
//! `common/utils/ByteUtils.java`.

/// `DefaultRecordBatch.RECORD_BATCH_OVERHEAD`: the v2 batch header (baseOffset 8, length 4,
/// partitionLeaderEpoch 4, magic 1, crc 4, attributes 2, lastOffsetDelta 4, baseTimestamp 8,
/// maxTimestamp 8, producerId 8, producerEpoch 2, baseSequence 4, recordCount 4).
pub const RECORD_BATCH_OVERHEAD: usize = 61;

/// `DefaultRecord.MAX_RECORD_OVERHEAD`: worst case of the length varint (5) + timestamp-delta
/// varlong (10) + offset-delta varint (5) + attributes (1).
pub const MAX_RECORD_OVERHEAD: usize = 21;

/// Bytes of a null key or value: `varint(-1)` (`DefaultRecord.NULL_VARINT_SIZE_BYTES`).
const NULL_VARINT_SIZE_BYTES: usize = 1;

/// Size of a zig-zag encoded 32-bit varint (`ByteUtils.sizeOfVarint`): 1 byte for −64…63,
/// 2 bytes for −8192…8191, and so on up to 5 bytes.
pub fn varint_size(v: i32) -> usize {
    let zigzag = ((v << 1) ^ (v >> 31)) as u32;
    // Each byte carries 7 payload bits; zero still needs one byte.
    let bits = (32 - zigzag.leading_zeros()).max(1);
    bits.div_ceil(7) as usize
}

/// Size of a zig-zag encoded 64-bit varlong (`ByteUtils.sizeOfVarlong`): 1 to 10 bytes.
pub fn varlong_size(v: i64) -> usize {
    let zigzag = ((v << 1) ^ (v >> 63)) as u64;
    let bits = (64 - zigzag.leading_zeros()).max(1);
    bits.div_ceil(7) as usize
}

/// Key + value + header-count part shared by the exact size and the upper bound
/// (`DefaultRecord.sizeOf` with no headers).
fn key_value_size(key_len: Option<usize>, value_len: Option<usize>) -> usize {
    let field = |len: Option<usize>| match len {
        None => NULL_VARINT_SIZE_BYTES,
        Some(n) => varint_size(n as i32) + n,
    };
    // The trailing varint(0) is the header count.
    field(key_len) + field(value_len) + varint_size(0)
}

/// Exact size of one record in a v2 batch (`DefaultRecord.sizeInBytes`), no headers.
/// `None` means a null key / value. This is what `hasRoomFor` checks and what the batch grows by.
pub fn record_size(
    offset_delta: i32,
    timestamp_delta: i64,
    key_len: Option<usize>,
    value_len: Option<usize>,
) -> usize {
    // `sizeOfBodyInBytes`: attributes byte + deltas + key/value/headers.
    let body = 1
        + varint_size(offset_delta)
        + varlong_size(timestamp_delta)
        + key_value_size(key_len, value_len);
    // The record starts with its body length as a varint.
    body + varint_size(body as i32)
}

/// `AbstractRecords.estimateSizeInBytesUpperBound` for a single record with no headers
/// (= `DefaultRecordBatch.estimateBatchSizeUpperBound`): batch header + worst-case record
/// overhead + key/value. The accumulator allocates `max(batch.size, this)` for a new batch, and
/// `KafkaProducer.doSend` checks it against `max.request.size` and `buffer.memory`.
pub fn record_upper_bound(key_len: Option<usize>, value_len: Option<usize>) -> usize {
    RECORD_BATCH_OVERHEAD + MAX_RECORD_OVERHEAD + key_value_size(key_len, value_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mirrors `MemoryRecordsBuilder.hasRoomFor` for an uncompressed batch whose buffer is
    /// `batch_size` bytes: an empty batch takes any record; otherwise the header, the records
    /// so far and the new record must fit in the write limit. Returns (records, bytes incl. header).
    fn fill_one_batch(
        batch_size: usize,
        key: Option<usize>,
        value: Option<usize>,
    ) -> (usize, usize) {
        let mut count = 0usize;
        let mut bytes = 0usize;
        loop {
            let size = record_size(count as i32, 0, key, value);
            if count > 0 && RECORD_BATCH_OVERHEAD + bytes + size > batch_size {
                return (count, RECORD_BATCH_OVERHEAD + bytes);
            }
            bytes += size;
            count += 1;
        }
    }

    #[test]
    fn varint_boundaries() {
        assert_eq!(varint_size(0), 1);
        assert_eq!(varint_size(-1), 1);
        assert_eq!(varint_size(63), 1);
        assert_eq!(varint_size(64), 2);
        assert_eq!(varint_size(-64), 1);
        assert_eq!(varint_size(-65), 2);
        assert_eq!(varint_size(8191), 2);
        assert_eq!(varint_size(8192), 3);
        assert_eq!(varint_size(-8192), 2);
        assert_eq!(varint_size(-8193), 3);
        assert_eq!(varint_size(i32::MAX), 5);
        assert_eq!(varint_size(i32::MIN), 5);
    }

    #[test]
    fn varlong_boundaries() {
        assert_eq!(varlong_size(0), 1);
        assert_eq!(varlong_size(63), 1);
        assert_eq!(varlong_size(64), 2);
        assert_eq!(varlong_size(-64), 1);
        assert_eq!(varlong_size(-65), 2);
        assert_eq!(varlong_size(8191), 2);
        assert_eq!(varlong_size(8192), 3);
        assert_eq!(varlong_size(i64::MAX), 10);
        assert_eq!(varlong_size(i64::MIN), 10);
    }

    #[test]
    fn first_record_key_value_is_15_bytes() {
        assert_eq!(record_size(0, 0, Some(3), Some(5)), 15);
        // Offset deltas from 64 on need a 2-byte varint.
        assert_eq!(record_size(63, 0, Some(3), Some(5)), 15);
        assert_eq!(record_size(64, 0, Some(3), Some(5)), 16);
    }

    #[test]
    fn null_key_value_100_is_109_bytes() {
        // body = 1 + 1 + 1 + 1 (null key) + (2 + 100) + 1 = 107, plus a 2-byte length prefix.
        assert_eq!(record_size(0, 0, None, Some(100)), 109);
    }

    #[test]
    fn small_record_is_k_plus_v_plus_7() {
        for k in 0..=28usize {
            let v = 57 - k;
            assert_eq!(record_size(0, 0, Some(k), Some(v)), k + v + 7);
        }
        // Body 64 needs a 2-byte length prefix.
        assert_eq!(record_size(0, 0, Some(29), Some(29)), 29 + 29 + 8);
    }

    #[test]
    fn null_value_and_both_null() {
        // body = attributes + two deltas + null key + null value + header count = 6, plus its length.
        assert_eq!(record_size(0, 0, None, None), 7);
        assert_eq!(record_size(0, 0, Some(3), None), 10);
    }

    #[test]
    fn upper_bound_examples() {
        assert_eq!(record_upper_bound(Some(3), Some(5)), 93);
        assert_eq!(record_upper_bound(None, Some(100)), 186);
        assert_eq!(record_upper_bound(None, None), 61 + 21 + 1 + 1 + 1);
    }

    #[test]
    fn upper_bound_never_below_exact() {
        for (k, v) in [
            (None, None),
            (Some(0), Some(0)),
            (Some(3), Some(5)),
            (None, Some(100_000)),
        ] {
            let exact = record_size(i32::MAX, i64::MIN, k, v);
            assert!(RECORD_BATCH_OVERHEAD + exact <= record_upper_bound(k, v));
        }
    }

    #[test]
    fn sixty_eight_records_fill_1086() {
        // RecordAccumulatorTest.testFull: batch.size = 1025 + 61.
        let (n, bytes) = fill_one_batch(1086, Some(3), Some(5));
        assert_eq!(n, 68);
        assert_eq!(bytes, 64 * 15 + 4 * 16 + 61);
        assert_eq!(bytes, 1085);
    }

    #[test]
    fn default_batch_size_holds_1024_records() {
        let (n, bytes) = fill_one_batch(16384, Some(3), Some(5));
        assert_eq!(n, 1024);
        assert_eq!(bytes, 16381);
    }

    #[test]
    fn empty_batch_always_accepts_one_record() {
        let (n, bytes) = fill_one_batch(1, None, Some(100));
        assert_eq!(n, 1);
        assert_eq!(bytes, 61 + 109);
    }
}
