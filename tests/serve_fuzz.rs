//! The listener under bad input, for a bounded time: random bytes, frames cut short, size
//! prefixes of 2 GB or below zero, unknown API keys, versions out of range, garbage after
//! a good header, connections left half-open. Each bad connection is closed by the server
//! (or answered, where Kafka answers), nothing panics, nothing hangs, and a good client
//! is still served afterwards.

mod common;

use common::kafka_client::Client;
use kafka_flow::serve;
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{ApiKey, MetadataRequest, MetadataResponse, RequestHeader};
use kafka_protocol::protocol::{Encodable, StrBytes};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// How long the fuzzing runs (bounded: CI has two cores).
const BUDGET: Duration = Duration::from_secs(4);

fn start() -> serve::Server {
    common::serve::start_with(&[], common::serve::Out::default())
}

/// A well-formed Metadata v9 request frame (size prefix included).
fn good_frame() -> Vec<u8> {
    let mut h = RequestHeader::default();
    h.request_api_key = ApiKey::Metadata as i16;
    h.request_api_version = 9;
    h.correlation_id = 1;
    let mut t = MetadataRequestTopic::default();
    t.name = Some(kafka_protocol::messages::TopicName(
        StrBytes::from_static_str("first"),
    ));
    let mut req = MetadataRequest::default();
    req.topics = Some(vec![t]);
    let mut body = bytes::BytesMut::new();
    h.encode(&mut body, ApiKey::Metadata.request_header_version(9))
        .unwrap();
    req.encode(&mut body, 9).unwrap();
    let mut frame = (body.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(&body);
    frame
}

/// A well-formed Produce v8 frame with a batch of three records.
fn produce_frame() -> Vec<u8> {
    use kafka_protocol::messages::ProduceRequest;
    use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
    let mut h = RequestHeader::default();
    h.request_api_key = ApiKey::Produce as i16;
    h.request_api_version = 8;
    h.correlation_id = 2;
    let mut p = PartitionProduceData::default();
    p.index = 0;
    p.records = Some(common::kafka_client::batch(-1, -1, 3));
    let mut t = TopicProduceData::default();
    t.name = kafka_protocol::messages::TopicName(StrBytes::from_static_str("first"));
    t.partition_data = vec![p];
    let mut req = ProduceRequest::default();
    req.acks = 1;
    req.timeout_ms = 1000;
    req.topic_data = vec![t];
    let mut body = bytes::BytesMut::new();
    h.encode(&mut body, ApiKey::Produce.request_header_version(8))
        .unwrap();
    req.encode(&mut body, 8).unwrap();
    let mut frame = (body.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(&body);
    frame
}

/// One bad input: the bytes, and whether the client then closes its side (a truncated
/// frame the server can only see end by EOF).
fn bad_input(rng: &mut ChaCha8Rng, good: &[u8]) -> (Vec<u8>, bool) {
    let framed = |body: Vec<u8>| {
        let mut f = (body.len() as u32).to_be_bytes().to_vec();
        f.extend(body);
        f
    };
    match rng.next_u32() % 8 {
        0 => {
            let n = (rng.next_u32() % 300) as usize;
            ((0..n).map(|_| rng.next_u32() as u8).collect(), true)
        }
        1 => {
            let cut = 1 + (rng.next_u32() as usize % (good.len() - 1));
            (good[..cut].to_vec(), true)
        }
        2 => ((2_000_000_000u32).to_be_bytes().to_vec(), false),
        3 => ((-7i32).to_be_bytes().to_vec(), false),
        4 => {
            // An API key Kafka does not have.
            let mut f = good.to_vec();
            f[4..6].copy_from_slice(&(900 + (rng.next_u32() % 100) as i16).to_be_bytes());
            (f, false)
        }
        5 => {
            // Metadata at a version outside the served range.
            let mut f = good.to_vec();
            f[6..8].copy_from_slice(&(13 + (rng.next_u32() % 50) as i16).to_be_bytes());
            (f, false)
        }
        6 => {
            // A good frame with a few bytes changed after its size (header and body).
            let mut f = good.to_vec();
            for _ in 0..=(rng.next_u32() % 4) {
                let at = 4 + (rng.next_u32() as usize % (f.len() - 4));
                f[at] = rng.next_u32() as u8;
            }
            (f, true)
        }
        _ => {
            // A good header, then garbage where the body should be.
            let mut body = good[4..14].to_vec();
            body.extend((0..(rng.next_u32() % 64)).map(|_| rng.next_u32() as u8));
            (framed(body), false)
        }
    }
}

/// Whether the server ended the connection (or answered and then ended it) in time.
fn ends(stream: &mut TcpStream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut b = [0u8; 512];
    let t0 = Instant::now();
    loop {
        match stream.read(&mut b) {
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                return false;
            }
            // EOF, or a reset: the server closed it.
            Ok(0) | Err(_) => return true,
            Ok(_) if t0.elapsed() > Duration::from_secs(5) => return false,
            Ok(_) => {}
        }
    }
}

fn still_served(addr: SocketAddr) {
    let mut c = Client::connect(addr);
    let mut t = MetadataRequestTopic::default();
    t.name = Some(kafka_protocol::messages::TopicName(
        StrBytes::from_static_str("first"),
    ));
    let mut req = MetadataRequest::default();
    req.topics = Some(vec![t]);
    let m: MetadataResponse = c.call(ApiKey::Metadata, 9, &req);
    assert_eq!(m.brokers.len(), 3);
}

#[test]
fn bad_frames_close_only_their_own_connection() {
    let server = start();
    let frames = [good_frame(), produce_frame()];
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let started = Instant::now();
    let mut half_open = Vec::new();
    let mut tried = 0;
    while started.elapsed() < BUDGET {
        let addr = server.addrs[tried % 3];
        let mut s = TcpStream::connect(addr).unwrap();
        let good = &frames[tried % frames.len()];
        let (bytes, eof) = bad_input(&mut rng, good);
        // A write may fail when the server already closed the connection: that is fine.
        let _ = s.write_all(&bytes);
        if eof {
            let _ = s.shutdown(std::net::Shutdown::Write);
        }
        if tried % 50 == 7 {
            // Half-open: a partial frame and silence. It must not block anyone else.
            let _ = s.write_all(&good[..5]);
            half_open.push(s);
        } else {
            assert!(
                ends(&mut s),
                "case {tried}: {:?} was not closed",
                &bytes[..bytes.len().min(16)]
            );
        }
        tried += 1;
        if tried % 25 == 0 {
            still_served(server.addrs[tried % 3]);
        }
    }
    eprintln!("{tried} bad connections in {BUDGET:?}");
    assert!(tried > 20, "only {tried} cases in {BUDGET:?}");
    for a in &server.addrs {
        still_served(*a);
    }
    drop(half_open);
    server.stop();
}
