//! A walk over a request body before it is decoded, checking that every array's length
//! fits in the bytes that are left. The `kafka-protocol` decoders reserve room for an
//! array's declared length before reading its elements, so a frame of a few bytes that
//! claims two billion elements would ask the allocator for hundreds of gigabytes, and a
//! failed allocation aborts the process: no `catch_unwind` can stop it. Strings, bytes and
//! tagged fields are read with bounds checks by the decoders and need nothing here.
//!
//! The shapes are the served versions of Kafka's request schemas
//! (`clients/src/main/resources/common/message/*Request.json`): each field with the versions
//! that carry it. From an API's first flexible version on, lengths are unsigned varints
//! (plus one, 0 for null) and every structure ends with tagged fields.

use kafka_protocol::messages::ApiKey;

#[derive(Clone, Copy)]
enum Ty {
    I8,
    I16,
    I32,
    I64,
    Uuid,
    Bool,
    /// A string or a nullable string.
    Str,
    /// Bytes or nullable bytes (a produce request's records too).
    Bytes,
    /// An array of structures.
    Arr(&'static [Field]),
    ArrI32,
}

#[derive(Clone, Copy)]
struct Field {
    ty: Ty,
    /// The versions that carry it.
    min: i16,
    max: i16,
}

const ALL: i16 = i16::MAX;

const fn f(ty: Ty, min: i16, max: i16) -> Field {
    Field { ty, min, max }
}

const fn all(ty: Ty) -> Field {
    Field {
        ty,
        min: 0,
        max: ALL,
    }
}

/// An API's shape: its first flexible version and its top-level fields.
struct Shape {
    flexible: i16,
    fields: &'static [Field],
}

use Ty::{Arr, ArrI32, Bool, Bytes, I8, I16, I32, I64, Str, Uuid};

const PRODUCE: Shape = Shape {
    flexible: 9,
    fields: &[
        all(Str), // transactional_id
        all(I16), // acks
        all(I32), // timeout_ms
        all(Arr(&[
            f(Str, 0, 12), // name
            f(Uuid, 13, ALL),
            all(Arr(&[all(I32), all(Bytes)])), // index, records
        ])),
    ],
};

const FETCH: Shape = Shape {
    flexible: 12,
    fields: &[
        f(I32, 0, 14),  // replica_id
        all(I32),       // max_wait_ms
        all(I32),       // min_bytes
        f(I32, 3, ALL), // max_bytes
        f(I8, 4, ALL),  // isolation_level
        f(I32, 7, ALL), // session_id
        f(I32, 7, ALL), // session_epoch
        all(Arr(&[
            f(Str, 0, 12), // topic
            f(Uuid, 13, ALL),
            all(Arr(&[
                all(I32),        // partition
                f(I32, 9, ALL),  // current_leader_epoch
                all(I64),        // fetch_offset
                f(I32, 12, ALL), // last_fetched_epoch
                f(I64, 5, ALL),  // log_start_offset
                all(I32),        // partition_max_bytes
            ])),
        ])),
        f(
            Arr(&[f(Str, 7, 12), f(Uuid, 13, ALL), f(ArrI32, 7, ALL)]),
            7,
            ALL,
        ), // forgotten_topics_data
        f(Str, 11, ALL), // rack_id
    ],
};

const LIST_OFFSETS: Shape = Shape {
    flexible: 6,
    fields: &[
        all(I32),      // replica_id
        f(I8, 2, ALL), // isolation_level
        all(Arr(&[
            all(Str),
            all(Arr(&[all(I32), f(I32, 4, ALL), all(I64)])),
        ])),
        f(I32, 10, ALL), // timeout_ms
    ],
};

const METADATA: Shape = Shape {
    flexible: 9,
    fields: &[
        all(Arr(&[f(Uuid, 10, ALL), all(Str)])),
        f(Bool, 4, ALL), // allow_auto_topic_creation
        f(Bool, 8, 10),  // include_cluster_authorized_operations
        f(Bool, 8, ALL), // include_topic_authorized_operations
    ],
};

const OFFSET_COMMIT: Shape = Shape {
    flexible: 8,
    fields: &[
        all(Str),       // group_id
        all(I32),       // generation_id_or_member_epoch
        all(Str),       // member_id
        f(Str, 7, ALL), // group_instance_id
        f(I64, 2, 4),   // retention_time_ms
        all(Arr(&[
            all(Str),
            all(Arr(&[all(I32), all(I64), f(I32, 6, ALL), all(Str)])),
        ])),
    ],
};

const OFFSET_FETCH: Shape = Shape {
    flexible: 6,
    fields: &[
        f(Str, 0, 7), // group_id
        f(Arr(&[f(Str, 0, 7), f(ArrI32, 0, 7)]), 0, 7),
        f(Bool, 7, ALL), // require_stable
    ],
};

const FIND_COORDINATOR: Shape = Shape {
    flexible: 3,
    fields: &[f(Str, 0, 3), f(I8, 1, ALL)],
};

const JOIN_GROUP: Shape = Shape {
    flexible: 6,
    fields: &[
        all(Str),       // group_id
        all(I32),       // session_timeout_ms
        f(I32, 1, ALL), // rebalance_timeout_ms
        all(Str),       // member_id
        f(Str, 5, ALL), // group_instance_id
        all(Str),       // protocol_type
        all(Arr(&[all(Str), all(Bytes)])),
        f(Str, 8, ALL), // reason
    ],
};

const HEARTBEAT: Shape = Shape {
    flexible: 4,
    fields: &[all(Str), all(I32), all(Str), f(Str, 3, ALL)],
};

const LEAVE_GROUP: Shape = Shape {
    flexible: 4,
    fields: &[
        all(Str),     // group_id
        f(Str, 0, 2), // member_id
        f(Arr(&[all(Str), all(Str), f(Str, 5, ALL)]), 3, ALL),
    ],
};

const SYNC_GROUP: Shape = Shape {
    flexible: 4,
    fields: &[
        all(Str),       // group_id
        all(I32),       // generation_id
        all(Str),       // member_id
        f(Str, 3, ALL), // group_instance_id
        f(Str, 5, ALL), // protocol_type
        f(Str, 5, ALL), // protocol_name
        all(Arr(&[all(Str), all(Bytes)])),
    ],
};

const API_VERSIONS: Shape = Shape {
    flexible: 3,
    fields: &[f(Str, 3, ALL), f(Str, 3, ALL)],
};

const INIT_PRODUCER_ID: Shape = Shape {
    flexible: 2,
    fields: &[all(Str), all(I32), f(I64, 3, ALL), f(I16, 3, ALL)],
};

fn shape(api: ApiKey) -> Option<&'static Shape> {
    Some(match api {
        ApiKey::Produce => &PRODUCE,
        ApiKey::Fetch => &FETCH,
        ApiKey::ListOffsets => &LIST_OFFSETS,
        ApiKey::Metadata => &METADATA,
        ApiKey::OffsetCommit => &OFFSET_COMMIT,
        ApiKey::OffsetFetch => &OFFSET_FETCH,
        ApiKey::FindCoordinator => &FIND_COORDINATOR,
        ApiKey::JoinGroup => &JOIN_GROUP,
        ApiKey::Heartbeat => &HEARTBEAT,
        ApiKey::LeaveGroup => &LEAVE_GROUP,
        ApiKey::SyncGroup => &SYNC_GROUP,
        ApiKey::ApiVersions => &API_VERSIONS,
        ApiKey::InitProducerId => &INIT_PRODUCER_ID,
        _ => return None,
    })
}

/// Checks `body` (the request after its header) as `api` v`version`: every array's length
/// fits in what is left. An API without a shape here is not served and never decoded.
pub fn check(api: ApiKey, version: i16, body: &[u8]) -> Result<(), String> {
    walk(api, version, body).map(|_| ())
}

/// Walks `body` and returns how many bytes follow the request (0 for a well-formed one).
fn walk(api: ApiKey, version: i16, body: &[u8]) -> Result<usize, String> {
    let shape = shape(api).ok_or_else(|| format!("{api:?} is not served"))?;
    let mut w = Walk {
        rest: body,
        version,
        flexible: version >= shape.flexible,
    };
    w.fields(shape.fields)?;
    Ok(w.rest.len())
}

struct Walk<'a> {
    rest: &'a [u8],
    version: i16,
    flexible: bool,
}

impl Walk<'_> {
    fn take(&mut self, n: usize) -> Result<(), String> {
        if n > self.rest.len() {
            return Err(format!("{n} bytes needed, {} left", self.rest.len()));
        }
        self.rest = &self.rest[n..];
        Ok(())
    }

    fn int(&mut self, n: usize) -> Result<i64, String> {
        let bytes = self
            .rest
            .get(..n)
            .ok_or("the request ends inside a number")?;
        let v = bytes.iter().fold(0i64, |acc, &b| (acc << 8) | i64::from(b));
        self.take(n)?;
        Ok(v)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for i in 0..5 {
            let b = *self
                .rest
                .first()
                .ok_or("the request ends inside a varint")?;
            self.take(1)?;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a varint longer than 5 bytes".to_string())
    }

    /// A length: signed with -1 for null, or in flexible versions an unsigned varint plus
    /// one (0 for null). `None` for null.
    fn length(&mut self, wide: bool) -> Result<Option<u64>, String> {
        if self.flexible {
            return Ok(self.varint()?.checked_sub(1));
        }
        let n = if wide {
            self.int(4)? as i32
        } else {
            i32::from(self.int(2)? as i16)
        };
        match n {
            -1 => Ok(None),
            n if n < 0 => Err(format!("a negative length ({n})")),
            n => Ok(Some(n as u64)),
        }
    }

    fn fields(&mut self, fields: &[Field]) -> Result<(), String> {
        for field in fields {
            if (field.min..=field.max).contains(&self.version) {
                self.value(field.ty)?;
            }
        }
        if self.flexible {
            self.tagged()?;
        }
        Ok(())
    }

    fn tagged(&mut self) -> Result<(), String> {
        let n = self.varint()?;
        for _ in 0..n {
            self.varint()?;
            let size = self.varint()?;
            self.take(usize::try_from(size).map_err(|_| "a tagged field too large")?)?;
        }
        Ok(())
    }

    fn value(&mut self, ty: Ty) -> Result<(), String> {
        match ty {
            Ty::I8 | Ty::Bool => self.take(1),
            Ty::I16 => self.take(2),
            Ty::I32 => self.take(4),
            Ty::I64 => self.take(8),
            Ty::Uuid => self.take(16),
            Ty::Str => match self.length(false)? {
                Some(n) => self.take(n as usize),
                None => Ok(()),
            },
            Ty::Bytes => match self.length(true)? {
                Some(n) => self.take(usize::try_from(n).map_err(|_| "bytes too long")?),
                None => Ok(()),
            },
            Ty::ArrI32 => match self.length(true)? {
                Some(n) => self.take(self.room(n, 4)?),
                None => Ok(()),
            },
            Ty::Arr(fields) => {
                let Some(n) = self.length(true)? else {
                    return Ok(());
                };
                // Every element takes at least a byte: a count beyond the bytes left is a lie
                // the decoder would believe with an allocation.
                self.room(n, 1)?;
                for _ in 0..n {
                    self.fields(fields)?;
                }
                Ok(())
            }
        }
    }

    /// The bytes `n` elements of at least `each` bytes need, if they are there.
    fn room(&self, n: u64, each: u64) -> Result<usize, String> {
        let need = n.saturating_mul(each);
        if need > self.rest.len() as u64 {
            return Err(format!(
                "an array of {n} elements in {} bytes",
                self.rest.len()
            ));
        }
        Ok(need as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::{Bytes, BytesMut};
    use kafka_protocol::messages::*;
    use kafka_protocol::protocol::{Encodable, StrBytes};

    fn s(v: &'static str) -> StrBytes {
        StrBytes::from_static_str(v)
    }

    type Encode = Box<dyn Fn(&mut BytesMut) -> Result<(), String>>;

    /// A request of `api` with two elements in every array, nested ones included.
    #[allow(clippy::many_single_char_names)] // p, t, f, r, b: parts of one request
    fn populated(api: ApiKey, v: i16) -> Encode {
        match api {
            ApiKey::Produce => Box::new(move |b| {
                let mut p = produce_request::PartitionProduceData::default();
                p.index = 1;
                p.records = Some(Bytes::from_static(b"0123456789"));
                let mut t = produce_request::TopicProduceData::default();
                t.name = TopicName(s("first"));
                t.partition_data = vec![p.clone(), p];
                let mut r = ProduceRequest::default();
                r.topic_data = vec![t.clone(), t];
                r.encode(b, v).map_err(|e| e.to_string())
            }),
            ApiKey::Fetch => Box::new(move |b| {
                let mut p = fetch_request::FetchPartition::default();
                p.partition = 1;
                let mut t = fetch_request::FetchTopic::default();
                t.topic = TopicName(s("first"));
                t.partitions = vec![p.clone(), p];
                let mut f = fetch_request::ForgottenTopic::default();
                if v >= 7 {
                    f.topic = TopicName(s("first"));
                    f.partitions = vec![1, 2];
                }
                let mut r = FetchRequest::default();
                r.topics = vec![t.clone(), t];
                if v >= 7 {
                    r.forgotten_topics_data = vec![f.clone(), f];
                }
                if v >= 11 {
                    r.rack_id = s("rack");
                }
                r.encode(b, v).map_err(|e| e.to_string())
            }),
            ApiKey::ListOffsets => Box::new(move |b| {
                let p = list_offsets_request::ListOffsetsPartition::default();
                let mut t = list_offsets_request::ListOffsetsTopic::default();
                t.name = TopicName(s("first"));
                t.partitions = vec![p.clone(), p];
                let mut r = ListOffsetsRequest::default();
                r.topics = vec![t.clone(), t];
                r.encode(b, v).map_err(|e| e.to_string())
            }),
            ApiKey::Metadata => Box::new(move |b| {
                let mut t = metadata_request::MetadataRequestTopic::default();
                t.name = Some(TopicName(s("first")));
                let mut r = MetadataRequest::default();
                r.topics = Some(vec![t.clone(), t]);
                r.encode(b, v).map_err(|e| e.to_string())
            }),
            ApiKey::OffsetCommit => Box::new(move |b| {
                let p = offset_commit_request::OffsetCommitRequestPartition::default();
                let mut t = offset_commit_request::OffsetCommitRequestTopic::default();
                t.name = TopicName(s("first"));
                t.partitions = vec![p.clone(), p];
                let mut r = OffsetCommitRequest::default();
                r.group_id = GroupId(s("testAPI"));
                r.topics = vec![t.clone(), t];
                r.encode(b, v).map_err(|e| e.to_string())
            }),
            ApiKey::OffsetFetch => Box::new(move |b| {
                let mut t = offset_fetch_request::OffsetFetchRequestTopic::default();
                t.name = TopicName(s("first"));
                t.partition_indexes = vec![0, 1];
                let mut r = OffsetFetchRequest::default();
                r.group_id = GroupId(s("testAPI"));
                r.topics = Some(vec![t.clone(), t]);
                r.encode(b, v).map_err(|e| e.to_string())
            }),
            ApiKey::JoinGroup => Box::new(move |b| {
                let mut p = join_group_request::JoinGroupRequestProtocol::default();
                p.name = s("range");
                p.metadata = Bytes::from_static(b"meta");
                let mut r = JoinGroupRequest::default();
                r.group_id = GroupId(s("testAPI"));
                r.protocol_type = s("consumer");
                r.protocols = vec![p.clone(), p];
                r.encode(b, v).map_err(|e| e.to_string())
            }),
            ApiKey::LeaveGroup => Box::new(move |b| {
                let mut r = LeaveGroupRequest::default();
                r.group_id = GroupId(s("testAPI"));
                if v >= 3 {
                    let mut m = leave_group_request::MemberIdentity::default();
                    m.member_id = s("m");
                    r.members = vec![m.clone(), m];
                } else {
                    r.member_id = s("m");
                }
                r.encode(b, v).map_err(|e| e.to_string())
            }),
            ApiKey::SyncGroup => Box::new(move |b| {
                let mut a = sync_group_request::SyncGroupRequestAssignment::default();
                a.member_id = s("m");
                a.assignment = Bytes::from_static(b"assignment");
                let mut r = SyncGroupRequest::default();
                r.group_id = GroupId(s("testAPI"));
                r.assignments = vec![a.clone(), a];
                r.encode(b, v).map_err(|e| e.to_string())
            }),
            ApiKey::FindCoordinator => Box::new(move |b| {
                let mut r = FindCoordinatorRequest::default();
                r.key = s("testAPI");
                r.encode(b, v).map_err(|e| e.to_string())
            }),
            ApiKey::Heartbeat => Box::new(move |b| {
                let mut r = HeartbeatRequest::default();
                r.group_id = GroupId(s("testAPI"));
                r.encode(b, v).map_err(|e| e.to_string())
            }),
            ApiKey::ApiVersions => Box::new(move |b| {
                ApiVersionsRequest::default()
                    .encode(b, v)
                    .map_err(|e| e.to_string())
            }),
            ApiKey::InitProducerId => Box::new(move |b| {
                InitProducerIdRequest::default()
                    .encode(b, v)
                    .map_err(|e| e.to_string())
            }),
            other => panic!("{other:?} has no request here"),
        }
    }

    #[test]
    fn every_served_request_walks_to_its_last_byte() {
        for (api, lo, hi) in crate::serve::wire::SUPPORTED {
            for v in lo..=hi {
                let mut b = BytesMut::new();
                populated(api, v)(&mut b).unwrap_or_else(|e| panic!("{api:?} v{v}: {e}"));
                assert_eq!(walk(api, v, &b), Ok(0), "{api:?} v{v}");
                // Cut anywhere, it is refused or ends early, never a panic.
                for cut in 0..b.len() {
                    let _ = walk(api, v, &b[..cut]);
                }
            }
        }
    }

    #[test]
    fn an_array_longer_than_its_bytes_is_refused() {
        // Metadata v9 (flexible): topics = 2^31 elements, in 3 bytes.
        let lie = [0x80, 0x80, 0x80, 0x80, 0x08, 0, 0, 0];
        assert!(
            check(ApiKey::Metadata, 9, &lie)
                .unwrap_err()
                .contains("elements")
        );
        // Produce v8: transactional_id null, acks, timeout, topic_data of i32::MAX elements.
        let mut b = vec![0xff, 0xff, 0, 1, 0, 0, 0x75, 0x30];
        b.extend_from_slice(&i32::MAX.to_be_bytes());
        b.extend_from_slice(&[0; 16]);
        assert!(
            check(ApiKey::Produce, 8, &b)
                .unwrap_err()
                .contains("elements")
        );
        // OffsetFetch v5: partition_indexes of a million i32s in 4 bytes.
        let mut b = vec![0, 1, b'g', 0, 0, 0, 1, 0, 1, b't'];
        b.extend_from_slice(&1_000_000i32.to_be_bytes());
        b.extend_from_slice(&[0; 4]);
        assert!(check(ApiKey::OffsetFetch, 5, &b).is_err());
    }
}
