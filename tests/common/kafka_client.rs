//! A minimal Kafka client for tests: one request, one answer, over a plain socket, with
//! kafka-protocol's encoders. Enough to drive `serve` and `--listen` without a real client
//! library.

use bytes::{Buf, Bytes, BytesMut};
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{
    ApiKey, FetchRequest, FetchResponse, GroupId, InitProducerIdRequest, InitProducerIdResponse,
    OffsetCommitRequest, OffsetCommitResponse, ProduceRequest, ProduceResponse, RequestHeader,
    ResponseHeader, TopicName,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};
use kafka_protocol::records::{
    Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

pub struct Client {
    pub stream: TcpStream,
    correlation: i32,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Client {
            stream,
            correlation: 0,
        }
    }

    /// Sends `req` as `api` v`version` and decodes the answer as `R`.
    pub fn call<Q: Encodable, R: Decodable>(&mut self, api: ApiKey, version: i16, req: &Q) -> R {
        self.send(api, version, req);
        self.answer(api, version)
    }

    pub fn send<Q: Encodable>(&mut self, api: ApiKey, version: i16, req: &Q) {
        self.correlation += 1;
        let mut h = RequestHeader::default();
        h.request_api_key = api as i16;
        h.request_api_version = version;
        h.correlation_id = self.correlation;
        h.client_id = Some(StrBytes::from_static_str("kafka-flow-test"));
        let mut body = BytesMut::new();
        h.encode(&mut body, api.request_header_version(version))
            .unwrap();
        req.encode(&mut body, version).unwrap();
        let mut frame = (body.len() as u32).to_be_bytes().to_vec();
        frame.extend_from_slice(&body);
        self.stream.write_all(&frame).expect("write");
    }

    pub fn answer<R: Decodable>(&mut self, api: ApiKey, version: i16) -> R {
        let mut len = [0u8; 4];
        self.stream.read_exact(&mut len).expect("an answer");
        let mut buf = vec![0u8; u32::from_be_bytes(len) as usize];
        self.stream.read_exact(&mut buf).expect("the whole answer");
        let mut b = Bytes::from(buf);
        let h = ResponseHeader::decode(&mut b, api.response_header_version(version)).unwrap();
        assert_eq!(h.correlation_id, self.correlation);
        let r = R::decode(&mut b, version).unwrap();
        assert_eq!(b.remaining(), 0, "the whole answer decodes");
        r
    }

    /// InitProducerId for an idempotent producer: (producer id, epoch).
    pub fn init_producer_id(&mut self) -> (i64, i16) {
        let mut r = InitProducerIdRequest::default();
        // Not transactional: no transactional id (the default is an empty one).
        r.transactional_id = None;
        r.transaction_timeout_ms = 60_000;
        let resp: InitProducerIdResponse = self.call(ApiKey::InitProducerId, 1, &r);
        assert_eq!(resp.error_code, 0, "InitProducerId failed");
        (resp.producer_id.0, resp.producer_epoch)
    }

    /// One batch of `n` records from `first` on (`hello{i}` keys) to `topic`-`partition`,
    /// acks=all, Produce v8: (error code, base offset) of the answer.
    pub fn produce(
        &mut self,
        topic: &str,
        partition: i32,
        producer_id: i64,
        first: i32,
        n: i32,
    ) -> (i16, i64) {
        let mut p = PartitionProduceData::default();
        p.index = partition;
        p.records = Some(batch(producer_id, first, n));
        let mut t = TopicProduceData::default();
        t.name = TopicName(StrBytes::from_string(topic.to_string()));
        t.partition_data = vec![p];
        let mut r = ProduceRequest::default();
        r.acks = -1;
        r.timeout_ms = 30_000;
        r.topic_data = vec![t];
        let resp: ProduceResponse = self.call(ApiKey::Produce, 8, &r);
        let part = &resp.responses[0].partition_responses[0];
        (part.error_code, part.base_offset)
    }

    /// Fetch v11 of `topic`-`partition` from `offset`, without waiting: the error code.
    pub fn fetch(&mut self, topic: &str, partition: i32, offset: i64) -> i16 {
        let mut p = FetchPartition::default();
        p.partition = partition;
        p.fetch_offset = offset;
        p.partition_max_bytes = 1 << 20;
        let mut t = FetchTopic::default();
        t.topic = TopicName(StrBytes::from_string(topic.to_string()));
        t.partitions = vec![p];
        let mut r = FetchRequest::default();
        r.max_wait_ms = 0;
        r.min_bytes = 1;
        r.max_bytes = 1 << 20;
        r.topics = vec![t];
        let resp: FetchResponse = self.call(ApiKey::Fetch, 11, &r);
        resp.responses[0].partitions[0].error_code
    }

    /// OffsetCommit v2 of `offset` for `topic`-`partition` in `group`, as a consumer
    /// without group management does (generation -1, no member): the error code
    /// (NOT_COORDINATOR, 16, from a broker that is not the group's coordinator).
    pub fn commit(&mut self, group: &str, topic: &str, partition: i32, offset: i64) -> i16 {
        let mut p = OffsetCommitRequestPartition::default();
        p.partition_index = partition;
        p.committed_offset = offset;
        let mut t = OffsetCommitRequestTopic::default();
        t.name = TopicName(StrBytes::from_string(topic.to_string()));
        t.partitions = vec![p];
        let mut r = OffsetCommitRequest::default();
        r.group_id = GroupId(StrBytes::from_string(group.to_string()));
        r.generation_id_or_member_epoch = -1;
        r.retention_time_ms = -1;
        r.topics = vec![t];
        let resp: OffsetCommitResponse = self.call(ApiKey::OffsetCommit, 2, &r);
        resp.topics[0].partitions[0].error_code
    }

    /// Whether the server closed the connection (reads end) within the read timeout.
    pub fn closed(&mut self) -> bool {
        let mut b = [0u8; 64];
        loop {
            match self.stream.read(&mut b) {
                Ok(0) | Err(_) => return true,
                Ok(_) => {}
            }
        }
    }
}

/// A v2 batch of `hello{first}`… records; an idempotent producer's sequences start at
/// `first` (pass -1 and -1 for a plain producer).
pub fn batch(producer_id: i64, first: i32, n: i32) -> Bytes {
    let records: Vec<Record> = (0..n)
        .map(|i| Record {
            transactional: false,
            control: false,
            delete_horizon: false,
            partition_leader_epoch: -1,
            producer_id,
            producer_epoch: 0,
            timestamp_type: TimestampType::Creation,
            offset: i64::from(i),
            // offset − sequence must be the same for every record of one batch (the encoder
            // splits otherwise); with first = -1 the batch's base sequence is -1, no idempotence.
            sequence: first + i,
            timestamp: 0,
            key: Some(Bytes::from(format!("hello{}", first.max(0) + i))),
            value: Some(Bytes::from(format!("value{}", first.max(0) + i))),
            headers: kafka_protocol::indexmap::IndexMap::default(),
        })
        .collect();
    let mut buf = BytesMut::new();
    let options = RecordEncodeOptions {
        version: 2,
        compression: Compression::None,
    };
    RecordBatchEncoder::encode(&mut buf, &records, &options).unwrap();
    buf.freeze()
}
