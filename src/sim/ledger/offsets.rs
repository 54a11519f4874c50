//! The ledger's per-partition view by offset, stored compactly: which record sits at each
//! offset of "the log" (runs of consecutive record ids take a few bytes, as keyless sticky
//! batches are), and how many times consumers processed each offset (runs of equal counts).

use crate::sim::trace::RecordId;
use std::collections::{BTreeMap, VecDeque};

/// A list chunk holds at most this many ids before a new chunk starts (keeps lookups and
/// trims cheap).
const LIST_CHUNK: usize = 4096;

#[derive(Clone, Debug)]
enum Ids {
    /// `first`, `first + 1`, … (`len` of them).
    Range {
        first: RecordId,
        len: u32,
    },
    List(Vec<RecordId>),
}

impl Ids {
    fn len(&self) -> usize {
        match self {
            Ids::Range { len, .. } => *len as usize,
            Ids::List(v) => v.len(),
        }
    }
    fn get(&self, i: usize) -> RecordId {
        match self {
            Ids::Range { first, .. } => first + i as RecordId,
            Ids::List(v) => v[i],
        }
    }
    fn max(&self) -> Option<RecordId> {
        match self {
            Ids::Range { first, len } => (*len > 0).then(|| first + len - 1),
            Ids::List(v) => v.iter().copied().max(),
        }
    }
    fn truncate(&mut self, n: usize) {
        match self {
            Ids::Range { len, .. } => *len = (*len).min(n as u32),
            Ids::List(v) => v.truncate(n),
        }
    }
    /// Drops the first `n` ids.
    fn drop_front(&mut self, n: usize) {
        match self {
            Ids::Range { first, len } => {
                let n = (n as u32).min(*len);
                *first += n;
                *len -= n;
            }
            Ids::List(v) => {
                v.drain(..n.min(v.len()));
            }
        }
    }
}

#[derive(Clone, Debug)]
struct Chunk {
    start: i64,
    ids: Ids,
}

impl Chunk {
    fn end(&self) -> i64 {
        self.start + self.ids.len() as i64
    }
}

/// Record ids by offset, from `base()` to `end()`.
#[derive(Clone, Debug, Default)]
pub struct OffsetLog {
    chunks: VecDeque<Chunk>,
    base: i64,
    end: i64,
    /// The largest id dropped from the front.
    dropped_max: Option<RecordId>,
}

impl OffsetLog {
    /// Entries held: a chunk, plus one per id of a chunk that lists its ids.
    pub fn retained(&self) -> u64 {
        self.chunks
            .iter()
            .map(|c| match &c.ids {
                Ids::Range { .. } => 1,
                Ids::List(v) => 1 + v.len() as u64,
            })
            .sum()
    }

    pub fn base(&self) -> i64 {
        self.base
    }
    pub fn end(&self) -> i64 {
        self.end
    }

    pub fn push(&mut self, r: RecordId) {
        let at = self.end;
        self.end += 1;
        if let Some(last) = self.chunks.back_mut() {
            match &mut last.ids {
                Ids::Range { first, len } if first.checked_add(*len) == Some(r) => {
                    *len += 1;
                    return;
                }
                // A lone id becomes a list rather than a run of one.
                Ids::Range { first, len } if *len == 1 => {
                    last.ids = Ids::List(vec![*first, r]);
                    return;
                }
                // Ids that do not follow each other (keyed records) share a list.
                Ids::List(v) if v.len() < LIST_CHUNK => {
                    v.push(r);
                    return;
                }
                _ => {}
            }
        }
        self.chunks.push_back(Chunk {
            start: at,
            ids: Ids::Range { first: r, len: 1 },
        });
    }

    fn chunk_index(&self, offset: i64) -> Option<usize> {
        if offset < self.base || offset >= self.end {
            return None;
        }
        let i = self.chunks.partition_point(|c| c.end() <= offset);
        (i < self.chunks.len()).then_some(i)
    }

    pub fn get(&self, offset: i64) -> Option<RecordId> {
        let i = self.chunk_index(offset)?;
        let c = &self.chunks[i];
        Some(c.ids.get((offset - c.start) as usize))
    }

    /// Removes offsets at or above `to`, returning the ids that were there, in offset order.
    pub fn truncate(&mut self, to: i64) -> Vec<RecordId> {
        let to = to.max(self.base);
        let mut removed: Vec<Vec<RecordId>> = Vec::new();
        while let Some(last) = self.chunks.back_mut() {
            if last.start >= to {
                let c = self.chunks.pop_back().expect("checked");
                removed.push((0..c.ids.len()).map(|i| c.ids.get(i)).collect());
            } else {
                let keep = (to - last.start) as usize;
                removed.push((keep..last.ids.len()).map(|i| last.ids.get(i)).collect());
                last.ids.truncate(keep);
                break;
            }
        }
        self.end = self.end.min(to);
        removed.into_iter().rev().flatten().collect()
    }

    /// Forgets offsets below `to` (they are counted for good).
    pub fn drop_below(&mut self, to: i64) {
        let to = to.min(self.end);
        while let Some(first) = self.chunks.front_mut() {
            if first.end() <= to {
                let c = self.chunks.pop_front().expect("checked");
                self.dropped_max = self.dropped_max.max(c.ids.max());
            } else {
                if first.start < to {
                    let n = (to - first.start) as usize;
                    let gone = (0..n).map(|i| first.ids.get(i)).max();
                    self.dropped_max = self.dropped_max.max(gone);
                    first.ids.drop_front(n);
                    first.start = to;
                }
                break;
            }
        }
        self.base = self.base.max(to);
    }

    /// The largest id below `limit` ever in the log that is still there or was dropped from
    /// the front. Only ids below `limit` count (the simulated producer's, not a real
    /// client's: `clients::CLIENT_ID_BASE`).
    pub fn max_below(&self, limit: RecordId) -> Option<RecordId> {
        self.chunks
            .iter()
            .filter_map(|c| match &c.ids {
                Ids::Range { first, len } => {
                    (*len > 0 && *first < limit).then(|| (first + len - 1).min(limit - 1))
                }
                Ids::List(v) => v.iter().copied().filter(|&r| r < limit).max(),
            })
            .max()
            .max(self.dropped_max.filter(|&m| m < limit))
    }

    /// (offset, id) from `from` to `to` (clamped to what is kept).
    pub fn range(&self, from: i64, to: i64) -> impl Iterator<Item = (i64, RecordId)> + '_ {
        let from = from.max(self.base);
        let to = to.min(self.end);
        let first = if from < to {
            self.chunks.partition_point(|c| c.end() <= from)
        } else {
            self.chunks.len()
        };
        self.chunks
            .range(first..)
            .take_while(move |c| c.start < to)
            .flat_map(move |c| {
                let lo = (from.max(c.start) - c.start) as usize;
                let hi = (to.min(c.end()) - c.start) as usize;
                (lo..hi).map(move |i| (c.start + i as i64, c.ids.get(i)))
            })
    }
}

/// How many times each offset was processed, as runs `start → (end, count)`; offsets in
/// no run were never processed.
#[derive(Clone, Debug, Default)]
pub struct OffsetCounts {
    runs: BTreeMap<i64, (i64, u8)>,
}

impl OffsetCounts {
    /// Runs held.
    pub fn retained(&self) -> u64 {
        self.runs.len() as u64
    }

    pub fn get(&self, offset: i64) -> u8 {
        self.runs
            .range(..=offset)
            .next_back()
            .filter(|(_, (end, _))| offset < *end)
            .map_or(0, |(_, (_, n))| *n)
    }

    /// Splits the run containing `at` (if any) so that a run starts at `at`.
    fn split_at(&mut self, at: i64) {
        let found = self
            .runs
            .range(..at)
            .next_back()
            .map(|(&s, &(e, n))| (s, e, n));
        if let Some((s, e, n)) = found {
            if e > at {
                self.runs.insert(s, (at, n));
                self.runs.insert(at, (e, n));
            }
        }
    }

    /// Counts one more processing of `from..to`; returns the ranges that reached exactly 2
    /// (processed a second time).
    pub fn add(&mut self, from: i64, to: i64) -> Vec<(i64, i64)> {
        let mut twice = Vec::new();
        if from >= to {
            return twice;
        }
        self.split_at(from);
        self.split_at(to);
        let inside: Vec<(i64, i64, u8)> = self
            .runs
            .range(from..to)
            .map(|(&s, &(e, n))| (s, e, n))
            .collect();
        let mut at = from;
        for (s, e, n) in inside {
            if s > at {
                self.runs.insert(at, (s, 1));
            }
            let n2 = n.saturating_add(1);
            self.runs.insert(s, (e, n2));
            if n2 == 2 {
                twice.push((s, e));
            }
            at = e;
        }
        if at < to {
            self.runs.insert(at, (to, 1));
        }
        self.merge_around(from, to);
        twice
    }

    /// Joins neighbouring runs with equal counts in and next to `from..to`.
    fn merge_around(&mut self, from: i64, to: i64) {
        let lo = self
            .runs
            .range(..from)
            .next_back()
            .map_or(from, |(&s, _)| s);
        let keys: Vec<i64> = self.runs.range(lo..=to).map(|(&s, _)| s).collect();
        let mut prev: Option<(i64, i64, u8)> = None;
        for s in keys {
            let (e, n) = self.runs[&s];
            match prev {
                Some((ps, pe, pn)) if pe == s && pn == n => {
                    self.runs.remove(&s);
                    self.runs.insert(ps, (e, n));
                    prev = Some((ps, e, n));
                }
                _ => prev = Some((s, e, n)),
            }
        }
    }

    /// Forgets offsets at or above `from` (the log was cut there).
    pub fn truncate_from(&mut self, from: i64) {
        self.split_at(from);
        let gone: Vec<i64> = self.runs.range(from..).map(|(&s, _)| s).collect();
        for s in gone {
            self.runs.remove(&s);
        }
    }

    /// Forgets offsets below `to`.
    pub fn drop_below(&mut self, to: i64) {
        self.split_at(to);
        let gone: Vec<i64> = self.runs.range(..to).map(|(&s, _)| s).collect();
        for s in gone {
            self.runs.remove(&s);
        }
    }

    /// Runs `(start, end, count)` overlapping `from..to`, clipped to it.
    #[cfg(test)]
    pub fn runs(&self, from: i64, to: i64) -> impl Iterator<Item = (i64, i64, u8)> + '_ {
        let lo = self
            .runs
            .range(..=from)
            .next_back()
            .map_or(from, |(&s, _)| s);
        self.runs
            .range(lo..to)
            .map(move |(&s, &(e, n))| (s.max(from), e.min(to), n))
            .filter(|(s, e, _)| s < e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_consecutive_ids_and_lists_of_others_read_back_by_offset() {
        let mut log = OffsetLog::default();
        let ids = [0, 1, 2, 3, 10, 7, 8, 9, 20, 21, 5];
        for &r in &ids {
            log.push(r);
        }
        for (o, &r) in ids.iter().enumerate() {
            assert_eq!(log.get(o as i64), Some(r), "offset {o}");
        }
        assert_eq!(log.get(11), None);
        assert_eq!(log.max_below(u32::MAX), Some(21));
        let cut = log.truncate(6);
        assert_eq!(cut, vec![8, 9, 20, 21, 5]);
        assert_eq!(log.end(), 6);
        log.drop_below(2);
        assert_eq!(log.get(1), None);
        assert_eq!(log.get(2), Some(2));
        assert_eq!(log.max_below(u32::MAX), Some(10));
        let all: Vec<(i64, u32)> = log.range(0, 100).collect();
        assert_eq!(all, vec![(2, 2), (3, 3), (4, 10), (5, 7)]);
        log.push(11);
        assert_eq!(log.get(6), Some(11));
    }

    #[test]
    fn counts_split_merge_and_report_second_processing() {
        let mut c = OffsetCounts::default();
        assert!(c.add(0, 10).is_empty());
        assert!(c.add(10, 20).is_empty());
        assert_eq!(c.runs(0, 100).count(), 1, "merged into one run");
        assert_eq!(c.add(5, 12), vec![(5, 12)]);
        assert_eq!(
            (c.get(4), c.get(5), c.get(11), c.get(12), c.get(25)),
            (1, 2, 2, 1, 0)
        );
        assert!(c.add(11, 13).contains(&(12, 13)));
        assert_eq!(c.get(11), 3);
        c.drop_below(8);
        assert_eq!(c.get(7), 0);
        assert_eq!(c.get(8), 2);
        let runs: Vec<_> = c.runs(0, 100).collect();
        assert_eq!(
            runs,
            vec![(8, 11, 2), (11, 12, 3), (12, 13, 2), (13, 20, 1)]
        );
    }
}
