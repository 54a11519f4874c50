//! The consumer protocol's embedded messages, for the group the simulated consumers share
//! with real ones: a simulated member's subscription (`ConsumerProtocolSubscription`) for a
//! real leader to read, and the assignments (`ConsumerProtocolAssignment`) a real leader
//! sends or a real follower receives. Elsewhere the coordinator passes them on unread.
//!
//! Both are non-flexible: a version (int16), then the fields. Versions 0–3 of the
//! assignment share one layout (assigned partitions by topic, then nullable user data);
//! version 0 of the subscription (topics, then nullable user data) is read by every client.

/// A simulated member's subscription, version 0: the one topic, no user data.
pub fn subscription(topic: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(12 + topic.len());
    out.extend_from_slice(&0i16.to_be_bytes());
    out.extend_from_slice(&1i32.to_be_bytes());
    put_string(&mut out, topic);
    out.extend_from_slice(&(-1i32).to_be_bytes());
    out
}

/// An assignment, version 0: `partitions` of `topic` (no topic at all when empty).
pub fn assignment(topic: &str, partitions: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + topic.len() + 4 * partitions.len());
    out.extend_from_slice(&0i16.to_be_bytes());
    if partitions.is_empty() {
        out.extend_from_slice(&0i32.to_be_bytes());
    } else {
        out.extend_from_slice(&1i32.to_be_bytes());
        put_string(&mut out, topic);
        out.extend_from_slice(&(partitions.len() as i32).to_be_bytes());
        for &p in partitions {
            out.extend_from_slice(&(p as i32).to_be_bytes());
        }
    }
    out.extend_from_slice(&(-1i32).to_be_bytes());
    out
}

fn put_string(out: &mut Vec<u8>, s: &str) {
    let bytes = &s.as_bytes()[..s.len().min(i16::MAX as usize)];
    out.extend_from_slice(&(bytes.len() as i16).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// The partitions of `topic` in a real leader's assignment for one member. Bytes that do
/// not parse give an error; every length is checked against what is left, so a lying
/// count cannot ask for memory.
pub fn assigned_partitions(bytes: &[u8], topic: &str) -> Result<Vec<u32>, &'static str> {
    let mut r = Reader(bytes);
    let version = r.i16()?;
    if version < 0 {
        return Err("negative version");
    }
    let topics = r.count(6)?;
    let mut mine = Vec::new();
    for _ in 0..topics {
        let ours = r.string()? == topic.as_bytes();
        let n = r.count(4)?;
        for _ in 0..n {
            let p = r.i32()?;
            if ours {
                mine.push(u32::try_from(p).map_err(|_| "negative partition")?);
            }
        }
    }
    Ok(mine)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        if self.0.len() < n {
            return Err("truncated");
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn i16(&mut self) -> Result<i16, &'static str> {
        let b = self.take(2)?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }

    fn i32(&mut self) -> Result<i32, &'static str> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// An array's element count, no more than the bytes left allow at `min` bytes each.
    fn count(&mut self, min: usize) -> Result<usize, &'static str> {
        let n = usize::try_from(self.i32()?).map_err(|_| "negative count")?;
        if n.saturating_mul(min) > self.0.len() {
            return Err("count past the end");
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<&'a [u8], &'static str> {
        let n = usize::try_from(self.i16()?).map_err(|_| "null string")?;
        let s = self.take(n)?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use kafka_protocol::messages::{ConsumerProtocolAssignment, ConsumerProtocolSubscription};
    use kafka_protocol::protocol::Decodable;

    #[test]
    fn what_we_write_kafka_protocol_reads() {
        let mut sub = Bytes::from(subscription("first"));
        let version = i16::from_be_bytes([sub[0], sub[1]]);
        let _ = bytes::Buf::get_i16(&mut sub);
        let s = ConsumerProtocolSubscription::decode(&mut sub, version).unwrap();
        assert_eq!(s.topics.len(), 1);
        assert_eq!(s.topics[0].as_str(), "first");
        assert!(s.user_data.is_none());

        let mut a = Bytes::from(assignment("first", &[0, 2]));
        let _ = bytes::Buf::get_i16(&mut a);
        let a = ConsumerProtocolAssignment::decode(&mut a, 0).unwrap();
        assert_eq!(a.assigned_partitions.len(), 1);
        assert_eq!(a.assigned_partitions[0].partitions, vec![0, 2]);
    }

    #[test]
    fn an_assignment_reads_back_and_other_topics_are_left_out() {
        let bytes = assignment("first", &[1, 2]);
        assert_eq!(assigned_partitions(&bytes, "first"), Ok(vec![1, 2]));
        assert_eq!(assigned_partitions(&bytes, "second"), Ok(vec![]));
        assert_eq!(
            assigned_partitions(&assignment("first", &[]), "first"),
            Ok(vec![])
        );
    }

    #[test]
    fn bad_assignments_are_errors_not_allocations() {
        assert!(assigned_partitions(&[], "t").is_err());
        assert!(assigned_partitions(&[0, 0, 0x7f, 0xff, 0xff, 0xff], "t").is_err());
        let mut lying = assignment("t", &[0]);
        // The partition count (after version, topic count and "t") claims 2^31-1.
        lying[9..13].copy_from_slice(&i32::MAX.to_be_bytes());
        assert_eq!(assigned_partitions(&lying, "t"), Err("count past the end"));
        let mut negative = assignment("t", &[0]);
        negative[13..17].copy_from_slice(&(-3i32).to_be_bytes());
        assert_eq!(
            assigned_partitions(&negative, "t"),
            Err("negative partition")
        );
    }
}
