//! The simulation's reasons and causes in words: why a batch left, why a record was
//! lost or duplicated, why the ISR changed. The core keeps them as data
//! (`sim::trace`, `sim::ledger`); this table is where they become words.

/// `(key, English, Chinese)`, sorted by key (byte order).
#[rustfmt::skip]
pub(super) static TEXTS: &[(&str, &str, &str)] = &[
];
