//! Ids as the screen prints them. The simulated producer's records, batches and requests
//! are numbered from 0; a real client's (`kafka-flow --listen`, `serve`) come from their
//! own ranges (`sim::clients`), far above, and are printed as `c17` (record), `cb3`
//! (batch), `cr5` (request): short, and never mistaken for the simulated producer's.

use crate::sim::clients::{CLIENT_ID_BASE, CLIENT_RECORD_BASE, is_client_id, is_client_record};
use crate::sim::trace::RecordId;

/// A record id: `1042`, or `c17` for a real client's 18th record.
pub fn record(r: RecordId) -> String {
    if is_client_record(r) {
        format!("c{}", r - CLIENT_RECORD_BASE)
    } else {
        r.to_string()
    }
}

/// A batch id: `88`, or `cb3` for a real client's.
pub fn batch(b: u64) -> String {
    if is_client_id(b) {
        format!("cb{}", b - CLIENT_ID_BASE)
    } else {
        b.to_string()
    }
}

/// A request id: `88`, or `cr5` for a real client's.
pub fn request(r: u64) -> String {
    if is_client_id(r) {
        format!("cr{}", r - CLIENT_ID_BASE)
    } else {
        r.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_clients_ids_are_short_and_marked() {
        assert_eq!(record(1042), "1042");
        assert_eq!(record(CLIENT_RECORD_BASE), "c0");
        assert_eq!(record(CLIENT_RECORD_BASE + 17), "c17");
        assert_eq!(record(RecordId::MAX), "c1073741823");
        assert_eq!(batch(88), "88");
        assert_eq!(batch(CLIENT_ID_BASE + 3), "cb3");
        assert_eq!(request(CLIENT_ID_BASE), "cr0");
        assert_eq!(request(7), "7");
    }
}
