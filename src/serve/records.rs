//! Record bytes. The simulation keeps ids; the server keeps what a real producer sent for
//! each id (key, value, headers, timestamp), checks a produce request's v2 batches, and
//! builds v2 batches for a fetch from a log's ids.

use bytes::{Buf, Bytes, BytesMut};
use kafka_protocol::records::{
    Compression, Record, RecordBatchDecoder, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::wire::code;
use crate::sim::Workload;
use crate::sim::clients::{CLIENT_RECORD_BASE, ReadBatch, is_client_record};
use crate::sim::trace::RecordId;

/// The size of a v2 batch header, up to and including its record count
/// (`DefaultRecordBatch.RECORD_BATCH_OVERHEAD`).
const BATCH_OVERHEAD: usize = 61;
/// The smallest record a v2 batch can hold: length, attributes, two deltas, key and value
/// lengths, header count, each at least one byte.
const MIN_RECORD: usize = 7;

/// One batch of a produce request, checked and decoded.
#[derive(Debug)]
pub struct ProducedBatch {
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub bytes: u32,
    pub records: Vec<Record>,
}

/// Checks and decodes a partition's `records` in a produce request: exactly one v2 batch,
/// uncompressed, not transactional (`ProduceRequest.validateRecords`). The error is the
/// code Kafka answers for that partition.
pub fn decode_produced(data: Option<&Bytes>) -> Result<ProducedBatch, i16> {
    const INVALID_RECORD: i16 = 87;
    let data = data.ok_or(code::CORRUPT_MESSAGE)?;
    if data.len() < BATCH_OVERHEAD {
        return Err(code::CORRUPT_MESSAGE);
    }
    let mut h = &data[..BATCH_OVERHEAD];
    let _base_offset = h.get_i64();
    let batch_length = h.get_i32();
    let _leader_epoch = h.get_i32();
    let magic = h.get_i8();
    let _crc = h.get_u32();
    let attributes = h.get_i16();
    h.advance(4 + 8 + 8);
    let producer_id = h.get_i64();
    let producer_epoch = h.get_i16();
    let base_sequence = h.get_i32();
    let count = h.get_i32();
    if batch_length < 0 || batch_length as usize + 12 != data.len() {
        // Not one whole batch: none, a cut one, or more than one.
        return Err(INVALID_RECORD);
    }
    if magic != 2 {
        return Err(code::UNSUPPORTED_VERSION);
    }
    if attributes & 0x07 != 0 {
        // The server is built without compression codecs.
        return Err(code::UNSUPPORTED_COMPRESSION_TYPE);
    }
    if attributes & 0x10 != 0 {
        // Transactions are not simulated.
        return Err(code::TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }
    let room = (data.len() - BATCH_OVERHEAD) / MIN_RECORD;
    if count < 0 || count as usize > room {
        return Err(code::CORRUPT_MESSAGE);
    }
    let mut buf = data.clone();
    let set = catch_unwind(AssertUnwindSafe(|| RecordBatchDecoder::decode(&mut buf)))
        .map_err(|_| code::CORRUPT_MESSAGE)?
        .map_err(|_| code::CORRUPT_MESSAGE)?;
    if set.records.len() != count as usize {
        return Err(code::CORRUPT_MESSAGE);
    }
    Ok(ProducedBatch {
        producer_id,
        producer_epoch,
        base_sequence,
        bytes: data.len() as u32,
        records: set.records,
    })
}

/// What real producers sent, by record id (`CLIENT_RECORD_BASE` on, in order).
#[derive(Default)]
pub struct Payloads {
    records: Vec<Record>,
}

impl Payloads {
    /// Keeps a batch's records under the ids the simulation gave them (`first` on).
    pub fn store(&mut self, first: RecordId, records: Vec<Record>) {
        let at = (first - CLIENT_RECORD_BASE) as usize;
        debug_assert_eq!(at, self.records.len(), "ids are handed out in order");
        if at == self.records.len() {
            self.records.extend(records);
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub(super) fn get(&self, r: RecordId) -> Option<&Record> {
        self.records
            .get(r.checked_sub(CLIENT_RECORD_BASE)? as usize)
    }
}

/// A record of the simulated producer, as a real consumer sees it: the workload's key
/// and value for its index (the notes' `hello{i}`).
fn simulated(workload: &Workload, r: RecordId) -> Record {
    let i = u64::from(r);
    Record {
        transactional: false,
        control: false,
        delete_horizon: false,
        partition_leader_epoch: -1,
        producer_id: -1,
        producer_epoch: -1,
        timestamp_type: TimestampType::Creation,
        offset: 0,
        sequence: -1,
        timestamp: 0,
        key: workload.key.as_ref().map(|k| Bytes::from(k.render(i))),
        value: Some(Bytes::from(workload.value.render(i))),
        headers: kafka_protocol::indexmap::IndexMap::new(),
    }
}

/// A log batch as v2 bytes: its records with their offsets, the producer's id, epoch and
/// sequences, and the leader epoch that wrote it.
pub fn encode_batch(batch: &ReadBatch, payloads: &Payloads, workload: &Workload) -> Bytes {
    let records: Vec<Record> = batch
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut rec = if is_client_record(r) {
                payloads
                    .get(r)
                    .cloned()
                    .unwrap_or_else(|| simulated(workload, r))
            } else {
                simulated(workload, r)
            };
            rec.offset = batch.base_offset + i as i64;
            rec.partition_leader_epoch = batch.leader_epoch as i32;
            rec.producer_id = batch.producer_id;
            rec.producer_epoch = batch.producer_epoch;
            rec.sequence = if batch.base_sequence < 0 {
                -1
            } else {
                batch.base_sequence.wrapping_add(i as i32)
            };
            rec.transactional = false;
            rec.control = false;
            rec
        })
        .collect();
    let mut buf = BytesMut::new();
    let options = RecordEncodeOptions {
        version: 2,
        compression: Compression::None,
    };
    // Encoding uncompressed records into memory cannot fail; an empty answer if it did.
    if RecordBatchEncoder::encode(&mut buf, &records, &options).is_err() {
        return Bytes::new();
    }
    buf.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::record_ids::RecordIds;

    fn record(i: i64) -> Record {
        Record {
            transactional: false,
            control: false,
            delete_horizon: false,
            partition_leader_epoch: -1,
            producer_id: 1000,
            producer_epoch: 0,
            timestamp_type: TimestampType::Creation,
            offset: i,
            sequence: i as i32,
            timestamp: 1_700_000_000_000 + i,
            key: Some(Bytes::from(format!("hello{i}"))),
            value: Some(Bytes::from(format!("hello{i}"))),
            headers: kafka_protocol::indexmap::IndexMap::new(),
        }
    }

    fn batch_bytes(n: i64) -> Bytes {
        let records: Vec<Record> = (0..n).map(record).collect();
        let mut buf = BytesMut::new();
        let options = RecordEncodeOptions {
            version: 2,
            compression: Compression::None,
        };
        RecordBatchEncoder::encode(&mut buf, &records, &options).unwrap();
        buf.freeze()
    }

    #[test]
    fn a_batch_round_trips_through_the_store_with_new_offsets() {
        let data = batch_bytes(3);
        let b = decode_produced(Some(&data)).unwrap();
        assert_eq!(
            (b.producer_id, b.base_sequence, b.records.len()),
            (1000, 0, 3)
        );
        let mut payloads = Payloads::default();
        payloads.store(CLIENT_RECORD_BASE, b.records);
        let read = ReadBatch {
            base_offset: 40,
            leader_epoch: 2,
            producer_id: 1000,
            producer_epoch: 0,
            base_sequence: 0,
            records: RecordIds::Range {
                first: CLIENT_RECORD_BASE,
                len: 3,
            },
        };
        let out = encode_batch(&read, &payloads, &Workload::notes_loop(0));
        let set = RecordBatchDecoder::decode(&mut out.clone()).unwrap();
        let offsets: Vec<i64> = set.records.iter().map(|r| r.offset).collect();
        assert_eq!(offsets, [40, 41, 42]);
        assert_eq!(set.records[2].value.as_deref(), Some(&b"hello2"[..]));
        assert_eq!(set.records[0].partition_leader_epoch, 2);
    }

    #[test]
    fn bad_batches_get_kafkas_error_codes() {
        let data = batch_bytes(2);
        assert_eq!(decode_produced(None).unwrap_err(), code::CORRUPT_MESSAGE);
        // Cut short, or two batches in one partition.
        assert_eq!(
            decode_produced(Some(&data.slice(..data.len() - 1))).unwrap_err(),
            87
        );
        let two = Bytes::from([&data[..], &data[..]].concat());
        assert_eq!(decode_produced(Some(&two)).unwrap_err(), 87);
        // A record count far beyond what the bytes can hold.
        let mut lying = data.to_vec();
        lying[57..61].copy_from_slice(&i32::MAX.to_be_bytes());
        assert_eq!(
            decode_produced(Some(&Bytes::from(lying))).unwrap_err(),
            code::CORRUPT_MESSAGE
        );
        let mut gz = data.to_vec();
        gz[22] |= 1;
        assert_eq!(
            decode_produced(Some(&Bytes::from(gz))).unwrap_err(),
            code::UNSUPPORTED_COMPRESSION_TYPE
        );
    }

    #[test]
    fn simulated_records_read_as_the_workloads_keys() {
        let read = ReadBatch {
            base_offset: 0,
            leader_epoch: 0,
            producer_id: 1000,
            producer_epoch: 0,
            base_sequence: -1,
            records: RecordIds::Range { first: 7, len: 1 },
        };
        let out = encode_batch(&read, &Payloads::default(), &Workload::notes_loop(10));
        let set = RecordBatchDecoder::decode(&mut out.clone()).unwrap();
        assert_eq!(set.records[0].key.as_deref(), Some(&b"hello7"[..]));
    }
}
