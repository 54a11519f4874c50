//! What the flow view remembers from the trace that the simulation's state no longer shows:
//! why each partition's last batch left, log cells a truncation removed, answers a broker
//! dropped; and the narration line's current story.

use super::narrate::{Level, LogEntry};
use crate::sim::trace::{BatchId, BrokerId, RequestId, SendReason, TraceEvent};
use crate::sim::view::SimTime;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The last batch the Sender drained from one partition's deque.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Drain {
    pub batch: BatchId,
    pub records: u32,
    pub reason: SendReason,
    pub at: SimTime,
}

#[derive(Clone, Debug, Default)]
pub struct FlowMemory {
    /// By partition: why its last batch left.
    pub last_drain: Vec<Option<Drain>>,
    /// (partition, broker) → the offsets its last truncation removed, `from..to`: drawn
    /// struck out beyond the replica's log end until new records cover them.
    pub truncated: BTreeMap<(u32, BrokerId), (i64, i64)>,
    /// Requests whose answer the broker wrote but the producer will never get (a fault):
    /// they wait out request.timeout.ms.
    pub dropped: BTreeSet<RequestId>,
}

impl FlowMemory {
    pub fn observe(&mut self, t: SimTime, e: &TraceEvent) {
        match *e {
            TraceEvent::BatchDrained {
                batch,
                partition,
                records,
                reason,
                ..
            } => {
                let p = partition as usize;
                if self.last_drain.len() <= p {
                    self.last_drain.resize(p + 1, None);
                }
                self.last_drain[p] = Some(Drain {
                    batch,
                    records,
                    reason,
                    at: t,
                });
            }
            TraceEvent::Truncated {
                broker,
                partition,
                to_offset,
                removed_records,
                ..
            } if removed_records > 0 => {
                self.truncated.insert(
                    (partition, broker),
                    (to_offset, to_offset + i64::from(removed_records)),
                );
            }
            TraceEvent::ResponseDropped { request, .. } => {
                self.dropped.insert(request);
            }
            _ => {}
        }
    }

    /// Forgets dropped answers of requests no longer in flight (timed out or retried).
    pub fn prune(&mut self, in_flight: impl Fn(RequestId) -> bool) {
        self.dropped.retain(|&r| in_flight(r));
    }

    /// The struck-out cells of `broker`'s replica of `partition` beyond its log end `leo`.
    pub fn struck(&self, partition: u32, broker: BrokerId, leo: i64) -> Option<(i64, i64)> {
        self.truncated
            .get(&(partition, broker))
            .map(|&(from, to)| (from.max(leo), to))
            .filter(|(from, to)| from < to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_last_drain_truncations_and_dropped_answers() {
        let mut m = FlowMemory::default();
        let t = SimTime::ZERO;
        m.observe(
            t,
            &TraceEvent::BatchDrained {
                batch: 7,
                partition: 2,
                records: 3,
                bytes: 100,
                reason: SendReason::Linger,
                attempt: 1,
                base_sequence: None,
            },
        );
        assert_eq!(m.last_drain[2].map(|d| d.reason), Some(SendReason::Linger));
        assert!(m.last_drain[0].is_none());
        m.observe(
            t,
            &TraceEvent::Truncated {
                broker: 1,
                partition: 0,
                to_offset: 10,
                removed_records: 4,
                reason: crate::sim::reason::TruncateReason::Diverged { leader: 0 },
            },
        );
        assert_eq!(m.struck(0, 1, 10), Some((10, 14)));
        // New records cover the struck cells one by one.
        assert_eq!(m.struck(0, 1, 12), Some((12, 14)));
        assert_eq!(m.struck(0, 1, 14), None);
        m.observe(
            t,
            &TraceEvent::ResponseDropped {
                broker: 0,
                request: 5,
            },
        );
        m.prune(|r| r == 5);
        assert!(m.dropped.contains(&5));
        m.prune(|_| false);
        assert!(m.dropped.is_empty());
    }
}

/// The narration line's story: the latest event that matters, held long enough to be read.
#[derive(Clone, Debug, Default)]
pub struct Narration {
    /// What the line says, and the frame it started saying it.
    pub said: Option<(LogEntry, u64)>,
}

impl Narration {
    /// Frames a story stays before an ordinary one replaces it (a second at 20 fps): at
    /// speed events follow each other faster than anyone reads, and a line that changes
    /// every frame also costs the most bytes to draw.
    pub const HOLD_FRAMES: u64 = 20;

    /// Considers the latest entries of the event log at `frame`. A send() happens every few
    /// virtual microseconds and would wipe the story, so sends tell it only when nothing else
    /// is near; a warning or an error replaces a calmer story at once, and so does anything
    /// when `at_once` (stepping event by event).
    pub fn update(&mut self, log: &VecDeque<LogEntry>, frame: u64, at_once: bool) {
        let candidate = log
            .iter()
            .rev()
            .take(64)
            .find(|e| !matches!(e.event, TraceEvent::RecordAppended { .. }))
            .or_else(|| log.back());
        let Some(candidate) = candidate else {
            return;
        };
        let replace = match &self.said {
            None => true,
            Some((now, since)) => {
                now != candidate
                    && (at_once
                        || frame >= since + Self::HOLD_FRAMES
                        || rank(candidate.level) > rank(now.level))
            }
        };
        if replace {
            self.said = Some((candidate.clone(), frame));
        }
    }
}

fn rank(l: Level) -> u8 {
    match l {
        Level::Info | Level::Good => 0,
        Level::Warn => 1,
        Level::Bad => 2,
    }
}
