//! What the flow view highlights for the followed record (see `journey`).

use super::App;
use crate::sim::view::{BatchId, RecordId, RequestId};

impl App {
    /// The record being followed, if any.
    pub fn follow_target(&self) -> Option<RecordId> {
        None
    }
    /// Its batch while it is in the accumulator or in a request.
    pub fn follow_batch(&self) -> Option<BatchId> {
        None
    }
    /// The request carrying it while one is in flight.
    pub fn follow_request(&self) -> Option<RequestId> {
        None
    }
    /// (partition, offset) once a leader appended it.
    pub fn follow_offset(&self) -> Option<(u32, i64)> {
        None
    }
}
