//! What the producer knows of every record it was given, kept only for the records whose
//! fate is still open: once the ledger has settled a record (its verdict can no longer
//! change), its entry is dropped, so memory follows the records in flight, not the run.

use super::producer::RecordMeta;
use super::trace::RecordId;
use std::collections::VecDeque;
use std::ops::{Index, IndexMut};

#[derive(Clone, Debug, Default)]
pub struct RecordLog {
    /// Records below it were settled and dropped.
    base: RecordId,
    metas: VecDeque<RecordMeta>,
}

impl RecordLog {
    /// Every record ever given to `send()`, settled or not.
    pub fn len(&self) -> usize {
        self.base as usize + self.metas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first record still kept.
    pub fn base(&self) -> RecordId {
        self.base
    }

    pub fn push(&mut self, meta: RecordMeta) {
        self.metas.push_back(meta);
    }

    /// The record, unless it was settled and dropped.
    pub fn get(&self, r: RecordId) -> Option<&RecordMeta> {
        r.checked_sub(self.base)
            .and_then(|i| self.metas.get(i as usize))
    }

    pub fn get_mut(&mut self, r: RecordId) -> Option<&mut RecordMeta> {
        r.checked_sub(self.base)
            .and_then(|i| self.metas.get_mut(i as usize))
    }

    /// The kept records, from `base()` on, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &RecordMeta> {
        self.metas.iter()
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut RecordMeta> {
        self.metas.iter_mut()
    }

    /// Drops the records below `base` (they are settled).
    pub fn trim_to(&mut self, base: RecordId) {
        while self.base < base && self.metas.pop_front().is_some() {
            self.base += 1;
        }
    }
}

impl From<&[RecordMeta]> for RecordLog {
    fn from(metas: &[RecordMeta]) -> Self {
        RecordLog {
            base: 0,
            metas: metas.iter().copied().collect(),
        }
    }
}

impl Index<usize> for RecordLog {
    type Output = RecordMeta;
    fn index(&self, i: usize) -> &RecordMeta {
        self.get(i as RecordId)
            .unwrap_or_else(|| panic!("record {i} was settled and is no longer kept"))
    }
}

impl IndexMut<usize> for RecordLog {
    fn index_mut(&mut self, i: usize) -> &mut RecordMeta {
        self.get_mut(i as RecordId)
            .unwrap_or_else(|| panic!("record {i} was settled and is no longer kept"))
    }
}
