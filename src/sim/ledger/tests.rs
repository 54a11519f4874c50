//! The ledger on its own: how "failed" splits by what the log holds, and what moves a
//! record's committed status (a high watermark, a cut log), fed by hand.

use super::{Context, Ledger, Verdict};
use crate::sim::producer::{RecordMeta, RecordState};
use crate::sim::reason::ElectionCause;
use crate::sim::time::SimTime;
use crate::sim::trace::KafkaError;
use std::collections::BTreeMap;

fn ids(v: &[u32]) -> crate::sim::record_ids::RecordIds {
    v.into()
}

fn ledger() -> Ledger {
    Ledger::new(
        1,
        Context {
            acks: "all".to_string(),
            idempotence: true,
            max_in_flight: 5,
            delivery_timeout_ms: 1100,
            request_timeout_ms: 1000,
            min_insync_replicas: 2,
        },
    )
}

fn meta(state: RecordState) -> RecordMeta {
    RecordMeta {
        sent_at: SimTime::ZERO,
        offset: -1,
        partition: 0,
        state,
    }
}

/// The verdict of a one-record ledger.
fn verdict(l: &Ledger, records: &[RecordMeta], consuming: bool) -> Verdict {
    assert_eq!(records.len(), 1);
    let rep = l.report(&records.into(), consuming, &BTreeMap::new());
    let found: Vec<Verdict> = Verdict::ALL
        .into_iter()
        .filter(|v| rep.counts.get(v.name()).copied().unwrap_or(0) > 0)
        .collect();
    assert_eq!(found.len(), 1, "one verdict per record: {:?}", rep.counts);
    found[0]
}

/// An election cause the tests can look for in the words.
const BACK: ElectionCause = ElectionCause::BrokerBack { broker: 0 };

fn cause(l: &Ledger, records: &[RecordMeta], consuming: bool, r: u32) -> String {
    l.report(&records.into(), consuming, &BTreeMap::new())
        .examples
        .into_iter()
        .find(|e| e.record == r)
        .map(|e| crate::i18n::describe::explanation(crate::i18n::Lang::En, &e.cause))
        .unwrap_or_default()
}

#[test]
fn a_failed_record_in_the_log_waits_for_the_high_watermark_then_is_failed_written() {
    let mut l = ledger();
    l.on_send(0);
    l.on_leader_append(0, 0, &ids(&[0]), 1);
    l.on_failed(&[0], KafkaError::DeliveryTimeout);
    let records = [meta(RecordState::Failed)];
    // Above the high watermark: a leader change may still cut it.
    assert_eq!(verdict(&l, &records, false), Verdict::InProgress);
    l.on_high_watermark(0, 1);
    assert_eq!(verdict(&l, &records, false), Verdict::FailedWritten);
    let why = cause(&l, &records, false, 0);
    assert!(
        why.contains("TimeoutException")
            && why.contains("offset 0")
            && why.contains("delivery.timeout.ms=1100")
            && why.contains("twice"),
        "{why}"
    );
}

#[test]
fn a_failed_written_record_waits_for_the_consumer_and_says_it_was_processed() {
    let mut l = ledger();
    l.on_send(0);
    l.on_leader_append(0, 0, &ids(&[0]), 1);
    l.on_failed(&[0], KafkaError::RequestTimedOut);
    l.on_high_watermark(0, 1);
    let records = [meta(RecordState::Failed)];
    // Committed, but the group has not read it yet: the consumer side is undecided.
    assert_eq!(verdict(&l, &records, true), Verdict::InProgress);
    l.on_processed(0, 0, 1, None);
    assert_eq!(verdict(&l, &records, true), Verdict::FailedWritten);
    let why = cause(&l, &records, true, 0);
    assert!(
        why.contains("request.timeout.ms=1000") && why.contains("already processed"),
        "{why}"
    );
}

#[test]
fn a_failed_record_cut_by_a_new_leader_is_failed_not_written() {
    let mut l = ledger();
    l.on_send(0);
    l.on_leader_append(0, 0, &ids(&[0]), 1);
    l.on_failed(&[0], KafkaError::NotEnoughReplicasAfterAppend);
    l.on_leader_change(0, 0, BACK, 1, false);
    let records = [meta(RecordState::Failed)];
    assert_eq!(verdict(&l, &records, false), Verdict::FailedNotWritten);
    let why = cause(&l, &records, false, 0);
    assert!(
        why.contains("NOT_ENOUGH_REPLICAS_AFTER_APPEND")
            && why.contains("not in the log")
            && why.contains("broker 0 came back"),
        "{why}"
    );
}

#[test]
fn committed_records_stay_committed_until_the_log_itself_is_cut() {
    let mut l = ledger();
    for r in 0..3 {
        l.on_send(r);
    }
    l.on_leader_append(0, 0, &ids(&[0, 1, 2]), 1);
    l.on_high_watermark(0, 3);
    let records = [
        meta(RecordState::Acked),
        meta(RecordState::Acked),
        meta(RecordState::Acked),
    ];
    let delivered = |l: &Ledger| {
        l.report(&records[..].into(), false, &BTreeMap::new())
            .counts
            .get("delivered")
            .copied()
            .unwrap_or(0)
    };
    assert_eq!(delivered(&l), 3);
    // A clean election: the new leader holds everything committed, whatever its own HW says.
    l.on_leader_change(0, 3, BACK, 1, false);
    l.on_high_watermark(0, 1);
    assert_eq!(delivered(&l), 3);
    // An unclean one cuts below the old high watermark: that is a real change.
    l.on_leader_change(0, 1, ElectionCause::Unspecified, 2, true);
    assert_eq!(delivered(&l), 1);
    let rep = l.report(&records[..].into(), false, &BTreeMap::new());
    assert_eq!(rep.lost.broker, 2, "{:?}", rep.counts);
}
