//! A tiny blocking Kafka client for the tests of `--listen`: InitProducerId and an
//! idempotent Produce of one v2 record batch, written with kafka-protocol's encoders, as a
//! real client sends them over TCP.

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{
    ApiKey, InitProducerIdRequest, InitProducerIdResponse, ProduceRequest, ProduceResponse,
    RequestHeader, ResponseHeader, TopicName,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};
use kafka_protocol::records::{
    Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Versions every served range includes (`serve::wire::SUPPORTED`), non-flexible.
const PRODUCE_V: i16 = 7;
const INIT_PID_V: i16 = 1;

pub struct Client {
    stream: TcpStream,
    correlation: i32,
}

impl Client {
    /// Connects with a read timeout, so a test that gets no answer fails instead of hanging.
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("a timeout");
        Client {
            stream,
            correlation: 0,
        }
    }

    fn call(&mut self, api: ApiKey, version: i16, body: &impl Encodable) -> Bytes {
        self.correlation += 1;
        let mut buf = BytesMut::new();
        buf.extend_from_slice(&[0, 0, 0, 0]);
        let mut h = RequestHeader::default();
        h.request_api_key = api as i16;
        h.request_api_version = version;
        h.correlation_id = self.correlation;
        h.client_id = Some(StrBytes::from_static_str("kafka-flow-test"));
        h.encode(&mut buf, api.request_header_version(version))
            .expect("a header");
        body.encode(&mut buf, version).expect("a body");
        let n = (buf.len() - 4) as u32;
        buf[..4].copy_from_slice(&n.to_be_bytes());
        self.stream.write_all(&buf).expect("sent");
        let mut len = [0u8; 4];
        self.stream.read_exact(&mut len).expect("an answer's size");
        let mut frame = vec![0u8; u32::from_be_bytes(len) as usize];
        self.stream.read_exact(&mut frame).expect("an answer");
        let mut frame = Bytes::from(frame);
        let header = ResponseHeader::decode(&mut frame, api.response_header_version(version))
            .expect("a response header");
        assert_eq!(header.correlation_id, self.correlation);
        frame
    }

    /// InitProducerId: (producer id, epoch).
    pub fn init_producer_id(&mut self) -> (i64, i16) {
        let mut r = InitProducerIdRequest::default();
        // Not transactional: no transactional id (the default is an empty one).
        r.transactional_id = None;
        r.transaction_timeout_ms = 60_000;
        r.producer_id = (-1).into();
        r.producer_epoch = -1;
        let mut body = self.call(ApiKey::InitProducerId, INIT_PID_V, &r);
        let resp = InitProducerIdResponse::decode(&mut body, INIT_PID_V).expect("decodes");
        assert_eq!(resp.error_code, 0, "InitProducerId failed");
        (resp.producer_id.0, resp.producer_epoch)
    }

    /// One idempotent batch of `n` records (`k{i}`/`v{i}`) to `topic`-`partition`, acks=all:
    /// (error code, base offset) of the answer.
    pub fn produce(
        &mut self,
        topic: &str,
        partition: i32,
        pid: (i64, i16),
        base_sequence: i32,
        n: i32,
    ) -> (i16, i64) {
        let records: Vec<Record> = (0..n)
            .map(|i| Record {
                transactional: false,
                control: false,
                delete_horizon: false,
                partition_leader_epoch: -1,
                producer_id: pid.0,
                producer_epoch: pid.1,
                timestamp_type: TimestampType::Creation,
                offset: i64::from(i),
                sequence: base_sequence + i,
                timestamp: 1_700_000_000_000 + i64::from(i),
                key: Some(Bytes::from(format!("k{i}"))),
                value: Some(Bytes::from(format!("v{i}"))),
                headers: kafka_protocol::indexmap::IndexMap::new(),
            })
            .collect();
        let mut batch = BytesMut::new();
        RecordBatchEncoder::encode(
            &mut batch,
            &records,
            &RecordEncodeOptions {
                version: 2,
                compression: Compression::None,
            },
        )
        .expect("a batch");
        let mut p = PartitionProduceData::default();
        p.index = partition;
        p.records = Some(batch.freeze());
        let mut t = TopicProduceData::default();
        t.name = TopicName(StrBytes::from_string(topic.to_string()));
        t.partition_data = vec![p];
        let mut r = ProduceRequest::default();
        r.acks = -1;
        r.timeout_ms = 30_000;
        r.topic_data = vec![t];
        let mut body = self.call(ApiKey::Produce, PRODUCE_V, &r);
        let resp = ProduceResponse::decode(&mut body, PRODUCE_V).expect("decodes");
        let part = &resp.responses[0].partition_responses[0];
        (part.error_code, part.base_offset)
    }
}
