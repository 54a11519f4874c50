//! The record ids a batch carries. Keyless records stick to one partition for a whole
//! batch, so a batch's ids are usually consecutive: they are kept as a range (two
//! numbers) and only other batches keep a list. A log of a hundred million records then
//! costs a few bytes per batch, not per record.

use super::trace::RecordId;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordIds {
    /// `first`, `first + 1`, … (`len` of them).
    Range { first: RecordId, len: u32 },
    /// Shared by every replica holding the batch.
    List(Arc<[RecordId]>),
}

impl RecordIds {
    pub fn len(&self) -> usize {
        match self {
            RecordIds::Range { len, .. } => *len as usize,
            RecordIds::List(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th id (panics past the end, like indexing).
    pub fn get(&self, i: usize) -> RecordId {
        match self {
            RecordIds::Range { first, len } => {
                assert!(i < *len as usize, "index {i} out of {len}");
                first + i as RecordId
            }
            RecordIds::List(v) => v[i],
        }
    }

    pub fn first(&self) -> Option<RecordId> {
        (!self.is_empty()).then(|| self.get(0))
    }

    pub fn iter(&self) -> impl Iterator<Item = RecordId> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The first `n` ids.
    #[must_use]
    pub fn prefix(&self, n: usize) -> RecordIds {
        let n = n.min(self.len());
        match self {
            RecordIds::Range { first, .. } => RecordIds::Range {
                first: *first,
                len: n as u32,
            },
            RecordIds::List(v) => RecordIds::from(&v[..n]),
        }
    }
}

impl From<&[RecordId]> for RecordIds {
    fn from(ids: &[RecordId]) -> Self {
        let consecutive = ids.windows(2).all(|w| w[0].checked_add(1) == Some(w[1]));
        match ids.first() {
            Some(&first) if consecutive => RecordIds::Range {
                first,
                len: ids.len() as u32,
            },
            None => RecordIds::Range { first: 0, len: 0 },
            _ => RecordIds::List(ids.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_ids_are_a_range_and_read_back_the_same() {
        let r = RecordIds::from(&[5, 6, 7][..]);
        assert!(matches!(r, RecordIds::Range { first: 5, len: 3 }));
        assert_eq!(r.iter().collect::<Vec<_>>(), vec![5, 6, 7]);
        let l = RecordIds::from(&[5, 9, 2][..]);
        assert!(matches!(l, RecordIds::List(_)));
        assert_eq!(l.iter().collect::<Vec<_>>(), vec![5, 9, 2]);
        assert_eq!(l.prefix(2).iter().collect::<Vec<_>>(), vec![5, 9]);
        assert_eq!(r.prefix(1), RecordIds::Range { first: 5, len: 1 });
        assert_eq!(RecordIds::from(&[][..]).first(), None);
    }
}
