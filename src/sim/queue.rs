//! The event queue: a min-heap ordered by (time, late, insertion sequence), so two
//! events at the same virtual time always run in the order they were scheduled, except
//! that late ones (scheduled commands) wait for every ordinary one of their instant.
//!
//! A scheduled event can be cancelled (a timer superseded by a newer one, a timeout whose
//! answer came): it never runs, and it does not stay in memory for long. Loops that turn
//! once per round trip and re-arm a 30 s timer each time would otherwise fill the heap
//! with timers that only wait to be ignored.

use super::time::SimTime;
use std::cmp::Ordering;
use std::collections::{BTreeSet, BinaryHeap};

/// A scheduled event, to cancel it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventId(u64);

/// Cancelled entries wait in the heap until this many have gathered and they make up
/// half of it; then they are swept out in one pass.
const SWEEP_AT: usize = 64;

#[derive(Clone)]
struct Entry<E> {
    at: SimTime,
    /// Runs after every ordinary event at the same time (`push_late`).
    late: bool,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest first.
        (other.at, other.late, other.seq).cmp(&(self.at, self.late, self.seq))
    }
}

#[derive(Clone)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    /// Sequence numbers of entries still in the heap that must not run. The heap's top
    /// is never one of them.
    cancelled: BTreeSet<u64>,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self {
            heap: BinaryHeap::new(),
            next_seq: 0,
            cancelled: BTreeSet::new(),
        }
    }
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `at`. The caller guarantees `at` is not in the past;
    /// `Sim::schedule` clamps to the current time before calling this.
    pub fn push(&mut self, at: SimTime, event: E) -> EventId {
        self.insert(at, false, event)
    }

    /// Schedules `event` at `at`, after every ordinary event of that instant, even those
    /// scheduled later for the same time (among late events, insertion order holds). A
    /// command given at a time runs as a key pressed then would: once everything due at
    /// that instant has happened.
    pub fn push_late(&mut self, at: SimTime, event: E) {
        self.insert(at, true, event);
    }

    fn insert(&mut self, at: SimTime, late: bool, event: E) -> EventId {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry {
            at,
            late,
            seq,
            event,
        });
        EventId(seq)
    }

    /// Cancels an event that has not run yet. The caller keeps the id only while the event
    /// is pending (cancelling one that already ran would be a bug in the caller).
    pub fn cancel(&mut self, id: EventId) {
        debug_assert!(id.0 < self.next_seq);
        self.cancelled.insert(id.0);
        if self.cancelled.len() >= SWEEP_AT && self.cancelled.len() * 2 >= self.heap.len() {
            let cancelled = std::mem::take(&mut self.cancelled);
            self.heap.retain(|e| !cancelled.contains(&e.seq));
        }
        self.drop_cancelled_top();
    }

    fn drop_cancelled_top(&mut self) {
        while let Some(top) = self.heap.peek() {
            if !self.cancelled.remove(&top.seq) {
                break;
            }
            self.heap.pop();
        }
    }

    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.at)
    }

    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let e = self.heap.pop()?;
        self.drop_cancelled_top();
        Some((e.at, e.event))
    }

    /// Events that will run (cancelled ones not counted).
    pub fn len(&self) -> usize {
        self.heap.len().saturating_sub(self.cancelled.len())
    }

    /// Every event held, in no particular order, cancelled timers not swept out yet
    /// included: only timers are ever cancelled, never messages on the wire, which is what
    /// the callers look for (and looking each one up would make this slow).
    pub fn iter(&self) -> impl Iterator<Item = &E> {
        self.heap.iter().map(|e| &e.event)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entries held in memory, cancelled ones not swept out yet included.
    pub fn held(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_insertion() {
        let mut q = EventQueue::default();
        q.push(SimTime(5), "c");
        q.push(SimTime(1), "a");
        q.push(SimTime(5), "d");
        q.push(SimTime(1), "b");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
    }

    #[test]
    fn a_late_event_waits_for_every_ordinary_event_of_its_instant() {
        let mut q = EventQueue::default();
        q.push_late(SimTime(5), "late1");
        q.push(SimTime(5), "a");
        q.push_late(SimTime(5), "late2");
        q.push(SimTime(6), "c");
        // Scheduled after the late ones, for the same instant: still runs before them.
        q.push(SimTime(5), "b");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["a", "b", "late1", "late2", "c"]);
    }

    #[test]
    fn a_cancelled_event_never_runs_and_the_others_keep_their_order() {
        let mut q = EventQueue::default();
        q.push(SimTime(1), "a");
        let b = q.push(SimTime(1), "b");
        q.push(SimTime(2), "c");
        let d = q.push(SimTime(0), "d");
        q.cancel(b);
        q.cancel(d);
        assert_eq!(q.len(), 2);
        assert_eq!(q.peek_time(), Some(SimTime(1)));
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["a", "c"]);
        assert!(q.is_empty());
    }

    #[test]
    fn cancelled_events_do_not_pile_up() {
        let mut q = EventQueue::default();
        q.push(SimTime(0), 0u64);
        for i in 1..10_000u64 {
            // A timer re-armed far ahead after every turn, the old one cancelled.
            let id = q.push(SimTime(1_000_000 + i), i);
            q.cancel(id);
        }
        assert_eq!(q.len(), 1);
        assert!(q.held() <= 2 * SWEEP_AT, "{} entries held", q.held());
    }
}
