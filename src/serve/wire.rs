//! The Kafka wire protocol at the socket: size-prefixed frames, request headers, the API
//! versions the embedded brokers serve, and responses. Messages are the `kafka-protocol`
//! crate's; this module decides what is accepted, and turns anything else into an error
//! that closes only its own connection.

use bytes::{Buf, Bytes, BytesMut};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsResponse, RequestHeader, RequestKind, ResponseHeader, ResponseKind,
    api_versions_response::ApiVersion,
};
use kafka_protocol::protocol::{Decodable, Encodable};
use std::io::{self, Read};

/// The largest request accepted. Kafka's `socket.request.max.bytes` is 100 MiB; the
/// embedded brokers keep everything in memory, and no client of the course sends more
/// than `max.request.size` (1 MiB by default), so a smaller bound is kept.
pub const MAX_FRAME: usize = 16 << 20;

/// Error codes from Kafka's `Errors` enum that the server answers with.
pub mod code {
    pub const NONE: i16 = 0;
    pub const OFFSET_OUT_OF_RANGE: i16 = 1;
    pub const CORRUPT_MESSAGE: i16 = 2;
    pub const UNKNOWN_TOPIC_OR_PARTITION: i16 = 3;
    pub const LEADER_NOT_AVAILABLE: i16 = 5;
    pub const NOT_LEADER_OR_FOLLOWER: i16 = 6;
    pub const REQUEST_TIMED_OUT: i16 = 7;
    pub const NETWORK_EXCEPTION: i16 = 13;
    pub const COORDINATOR_NOT_AVAILABLE: i16 = 15;
    pub const NOT_COORDINATOR: i16 = 16;
    pub const NOT_ENOUGH_REPLICAS: i16 = 19;
    pub const NOT_ENOUGH_REPLICAS_AFTER_APPEND: i16 = 20;
    pub const INVALID_REQUIRED_ACKS: i16 = 21;
    pub const INCONSISTENT_GROUP_PROTOCOL: i16 = 23;
    pub const UNSUPPORTED_VERSION: i16 = 35;
    pub const OUT_OF_ORDER_SEQUENCE_NUMBER: i16 = 45;
    pub const INVALID_PRODUCER_EPOCH: i16 = 47;
    pub const TRANSACTIONAL_ID_AUTHORIZATION_FAILED: i16 = 53;
    pub const UNSUPPORTED_COMPRESSION_TYPE: i16 = 76;
}

/// The APIs served and their versions: narrow ranges, each inside what Kafka 4.x brokers
/// accept (`ApiKeys` with 4.0's removed versions), so any client that talks to Kafka 4
/// finds a common version. Record batches are v2 only, so Produce starts at 3 and Fetch at 4.
pub const SUPPORTED: [(ApiKey, i16, i16); 13] = [
    (ApiKey::Produce, 3, 9),
    (ApiKey::Fetch, 4, 12),
    (ApiKey::ListOffsets, 1, 7),
    (ApiKey::Metadata, 0, 12),
    (ApiKey::OffsetCommit, 2, 8),
    (ApiKey::OffsetFetch, 1, 7),
    (ApiKey::FindCoordinator, 0, 3),
    (ApiKey::JoinGroup, 0, 7),
    (ApiKey::Heartbeat, 0, 4),
    (ApiKey::LeaveGroup, 0, 4),
    (ApiKey::SyncGroup, 0, 5),
    (ApiKey::ApiVersions, 0, 3),
    (ApiKey::InitProducerId, 0, 4),
];

/// Why a connection is closed.
#[derive(Debug)]
pub enum WireError {
    /// The peer closed it (between requests: a normal end).
    Closed,
    /// The size prefix is negative or above `MAX_FRAME`.
    FrameSize(i64),
    /// The peer closed it in the middle of a frame.
    Truncated,
    Io(io::Error),
    UnknownApi(i16),
    /// A known API this server does not serve, or a version outside its range.
    Unsupported {
        api: ApiKey,
        version: i16,
    },
    /// The bytes do not decode as the request they claim to be.
    Malformed(String),
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::Closed => write!(f, "closed by the client"),
            WireError::FrameSize(n) => {
                write!(f, "frame size {n} is outside 0..={MAX_FRAME}")
            }
            WireError::Truncated => write!(f, "closed in the middle of a request"),
            WireError::Io(e) => write!(f, "{e}"),
            WireError::UnknownApi(k) => write!(f, "unknown API key {k}"),
            WireError::Unsupported { api, version } => {
                write!(f, "UNSUPPORTED_VERSION: {api:?} v{version} is not served")
            }
            WireError::Malformed(m) => write!(f, "malformed request: {m}"),
        }
    }
}

/// Reads one size-prefixed frame. `Closed` when the peer closed cleanly before it.
pub fn read_frame(r: &mut impl Read) -> Result<Bytes, WireError> {
    let mut len = [0u8; 4];
    read_all(r, &mut len, true)?;
    let n = i32::from_be_bytes(len);
    if n < 0 || n as usize > MAX_FRAME {
        return Err(WireError::FrameSize(i64::from(n)));
    }
    let mut buf = vec![0u8; n as usize];
    read_all(r, &mut buf, false)?;
    Ok(Bytes::from(buf))
}

fn read_all(r: &mut impl Read, buf: &mut [u8], at_start: bool) -> Result<(), WireError> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) if got == 0 && at_start => return Err(WireError::Closed),
            Ok(0) => return Err(WireError::Truncated),
            Ok(k) => got += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(WireError::Io(e)),
        }
    }
    Ok(())
}

/// A request the server will answer.
#[derive(Debug)]
pub enum Incoming {
    Request {
        header: RequestHeader,
        body: Box<RequestKind>,
    },
    /// ApiVersions at a version above the served range: Kafka answers it in v0 with
    /// UNSUPPORTED_VERSION and its ranges, and the client retries at one it finds there
    /// (`SocketServer` / `ApiVersionsRequest.getErrorResponse`).
    ApiVersionsTooNew { correlation_id: i32 },
}

/// The served range of `api`, if it is served.
pub fn served(api: ApiKey) -> Option<(i16, i16)> {
    SUPPORTED
        .iter()
        .find(|(k, _, _)| *k == api)
        .map(|&(_, lo, hi)| (lo, hi))
}

/// Decodes a frame's header and body. Never panics on any input: the decoders run
/// behind `catch_unwind`, and what they cannot read is `Malformed`.
pub fn decode(frame: Bytes) -> Result<Incoming, WireError> {
    if frame.len() < 8 {
        return Err(WireError::Malformed(format!(
            "{} bytes is shorter than a request header",
            frame.len()
        )));
    }
    let key = i16::from_be_bytes([frame[0], frame[1]]);
    let version = i16::from_be_bytes([frame[2], frame[3]]);
    let correlation_id = i32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]);
    let api = ApiKey::try_from(key).map_err(|()| WireError::UnknownApi(key))?;
    let Some((lo, hi)) = served(api) else {
        return Err(WireError::Unsupported { api, version });
    };
    if api == ApiKey::ApiVersions && version > hi {
        return Ok(Incoming::ApiVersionsTooNew { correlation_id });
    }
    if version < lo || version > hi {
        return Err(WireError::Unsupported { api, version });
    }
    let decoded = std::panic::catch_unwind(move || {
        let mut buf = frame;
        let header = RequestHeader::decode(&mut buf, api.request_header_version(version))
            .map_err(|e| e.to_string())?;
        // The decoders trust array lengths with an allocation: check them first.
        super::shape::check(api, version, &buf)?;
        let body = RequestKind::decode(api, &mut buf, version).map_err(|e| e.to_string())?;
        Ok::<_, String>((header, body, buf.remaining()))
    });
    match decoded {
        Ok(Ok((header, body, _))) => Ok(Incoming::Request {
            header,
            body: Box::new(body),
        }),
        Ok(Err(e)) => Err(WireError::Malformed(format!("{api:?} v{version}: {e}"))),
        Err(_) => Err(WireError::Malformed(format!(
            "{api:?} v{version}: the decoder gave up"
        ))),
    }
}

/// A response frame: size, header, body.
pub fn encode_response(
    correlation_id: i32,
    api: ApiKey,
    version: i16,
    body: &ResponseKind,
) -> Result<Vec<u8>, String> {
    let mut buf = BytesMut::new();
    buf.extend_from_slice(&[0, 0, 0, 0]);
    let mut header = ResponseHeader::default();
    header.correlation_id = correlation_id;
    header
        .encode(&mut buf, api.response_header_version(version))
        .map_err(|e| e.to_string())?;
    body.encode(&mut buf, version).map_err(|e| e.to_string())?;
    let n = (buf.len() - 4) as u32;
    buf[..4].copy_from_slice(&n.to_be_bytes());
    Ok(buf.to_vec())
}

/// The ApiVersions answer: every served API with its range.
pub fn api_versions(error_code: i16) -> ApiVersionsResponse {
    let mut r = ApiVersionsResponse::default();
    r.error_code = error_code;
    r.api_keys = SUPPORTED
        .iter()
        .map(|&(k, lo, hi)| {
            let mut v = ApiVersion::default();
            v.api_key = k as i16;
            v.min_version = lo;
            v.max_version = hi;
            v
        })
        .collect();
    r
}

/// The answer to an ApiVersions request newer than served: v0, with the ranges.
pub fn api_versions_too_new(correlation_id: i32) -> Result<Vec<u8>, String> {
    let body = ResponseKind::ApiVersions(api_versions(code::UNSUPPORTED_VERSION));
    encode_response(correlation_id, ApiKey::ApiVersions, 0, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::{ApiVersionsRequest, MetadataRequest};
    use kafka_protocol::protocol::Encodable;

    fn frame_of(api: ApiKey, version: i16, body: &impl Encodable) -> Bytes {
        let mut buf = BytesMut::new();
        let mut h = RequestHeader::default();
        h.request_api_key = api as i16;
        h.request_api_version = version;
        h.correlation_id = 7;
        h.encode(&mut buf, api.request_header_version(version))
            .unwrap();
        body.encode(&mut buf, version).unwrap();
        buf.freeze()
    }

    #[test]
    fn every_served_range_is_one_the_crate_can_encode() {
        for (api, lo, hi) in SUPPORTED {
            let v = api.valid_versions();
            assert!(
                lo <= hi && v.min <= lo && hi <= v.max,
                "{api:?} {lo}..={hi}"
            );
        }
    }

    #[test]
    fn a_request_in_range_decodes_and_one_outside_is_refused() {
        let f = frame_of(ApiKey::Metadata, 9, &MetadataRequest::default());
        match decode(f).unwrap() {
            Incoming::Request { header, body } => {
                assert_eq!(header.correlation_id, 7);
                assert!(matches!(*body, RequestKind::Metadata(_)));
            }
            other @ Incoming::ApiVersionsTooNew { .. } => panic!("{other:?}"),
        }
        let f = frame_of(ApiKey::Metadata, 13, &MetadataRequest::default());
        assert!(matches!(
            decode(f),
            Err(WireError::Unsupported { version: 13, .. })
        ));
    }

    #[test]
    fn a_too_new_api_versions_gets_the_ranges_in_v0() {
        let f = frame_of(ApiKey::ApiVersions, 3, &ApiVersionsRequest::default());
        assert!(matches!(decode(f).unwrap(), Incoming::Request { .. }));
        let mut f = frame_of(ApiKey::ApiVersions, 3, &ApiVersionsRequest::default()).to_vec();
        f[3] = 9; // version 9
        let Incoming::ApiVersionsTooNew { correlation_id } = decode(Bytes::from(f)).unwrap() else {
            panic!("not refused");
        };
        let out = api_versions_too_new(correlation_id).unwrap();
        let mut body = Bytes::from(out[8..].to_vec());
        let r = ApiVersionsResponse::decode(&mut body, 0).unwrap();
        assert_eq!(r.error_code, code::UNSUPPORTED_VERSION);
        assert_eq!(r.api_keys.len(), SUPPORTED.len());
    }

    #[test]
    fn unknown_keys_sizes_and_truncation_are_errors() {
        assert!(matches!(
            decode(Bytes::from_static(&[0x7f, 0, 0, 0, 0, 0, 0, 1])),
            Err(WireError::UnknownApi(0x7f00))
        ));
        assert!(matches!(
            decode(Bytes::from_static(&[0, 3])),
            Err(WireError::Malformed(_))
        ));
        let huge = (i32::MAX).to_be_bytes();
        assert!(matches!(
            read_frame(&mut &huge[..]),
            Err(WireError::FrameSize(_))
        ));
        let neg = (-5i32).to_be_bytes();
        assert!(matches!(
            read_frame(&mut &neg[..]),
            Err(WireError::FrameSize(-5))
        ));
        let short = [0, 0, 0, 9, 1, 2];
        assert!(matches!(
            read_frame(&mut &short[..]),
            Err(WireError::Truncated)
        ));
        assert!(matches!(read_frame(&mut &[][..]), Err(WireError::Closed)));
    }

    #[test]
    fn a_cut_request_body_is_malformed_not_a_panic() {
        let f = frame_of(ApiKey::Metadata, 9, &MetadataRequest::default());
        for n in 8..f.len() {
            let _ = decode(f.slice(..n));
        }
    }
}
