//! What the flow view highlights for the followed record (`journey::Journey`).

use super::App;
use super::journey::Journey;
use crate::sim::view::{BatchId, RecordId, RequestId};

impl App {
    /// The record being followed, if any.
    pub fn follow_target(&self) -> Option<RecordId> {
        self.follow.as_ref().map(Journey::record)
    }
    /// Its batch while it is in the accumulator or in a request.
    pub fn follow_batch(&self) -> Option<BatchId> {
        self.follow.as_ref().and_then(Journey::batch)
    }
    /// The request carrying it while one is in flight.
    pub fn follow_request(&self) -> Option<RequestId> {
        self.follow.as_ref().and_then(Journey::request)
    }
    /// (partition, offset) once a leader appended it.
    pub fn follow_offset(&self) -> Option<(u32, i64)> {
        self.follow
            .as_ref()
            .and_then(|j| j.offset().map(|o| (j.partition(), o)))
    }
}
