//! The ledger's "failed, not written" / "failed, yet written" split, an offline partition
//! that must not un-decide delivered records, and why a run stopped (fixed seeds).

mod common;
use common::{config, run, workload};
use kafka_flow::sim::ledger::{LedgerReport, Verdict};
use kafka_flow::sim::summary::Summary;
use kafka_flow::sim::view::RecordState;
use kafka_flow::sim::{KafkaVersion, RunEnd};

const CONSUME: [(&str, &str); 2] = [("consumers", "1"), ("auto.offset.reset", "earliest")];

fn count(rep: &LedgerReport, v: Verdict) -> u64 {
    rep.counts.get(v.name()).copied().unwrap_or(0)
}

fn with_consumer(sets: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    CONSUME.iter().chain(sets).copied().collect()
}

/// Record ids at each offset of partition `p`'s leader log.
fn log_of(r: &common::Run, p: u32) -> Vec<u32> {
    r.leader_log(p)
}

#[test]
fn a_timeout_after_the_append_is_failed_yet_written_and_a_refusal_is_failed_not_written() {
    // retries=0: the first error goes to the callback. Broker 0 loses one produce
    // response at 10 ms (and with it everything after it on that connection), so its
    // requests time out after request.timeout.ms although the leader had appended them;
    // at 1.5 s three batches are refused with NOT_ENOUGH_REPLICAS before any append.
    let sets = with_consumer(&[
        ("retries", "0"),
        ("request.timeout.ms", "1000"),
        ("delivery.timeout.ms", "1100"),
    ]);
    let r = run(
        config(KafkaVersion::V4, &sets),
        workload(200, Some("hello{i}"), "hello{i}", 100.0),
        &["10ms:drop-responses:1:0", "1500ms:reject-produce:3"],
        42,
    );
    let rep = r.sim.view().verdicts();
    let written = count(&rep, Verdict::FailedWritten);
    let not_written = count(&rep, Verdict::FailedNotWritten);
    assert!(written > 0 && not_written > 0, "{:?}", rep.counts);
    // Every failed callback is one of the two (the producer's own count is unchanged).
    assert_eq!(
        written + not_written,
        r.sim.view().application().stats.failed
    );
    let total: u64 = rep.counts.values().sum();
    assert_eq!(total, r.sim.view().records().len() as u64);

    for e in rep
        .examples
        .iter()
        .filter(|e| e.verdict == Verdict::FailedWritten)
    {
        assert_eq!(
            r.sim.view().records()[e.record as usize].state,
            RecordState::Failed
        );
        let offset = e.offset.expect("a written record has an offset");
        assert_eq!(log_of(&r, e.partition)[offset as usize], e.record);
        assert!(
            e.cause.to_string().contains("REQUEST_TIMED_OUT")
                && e.cause.to_string().contains(&format!("offset {offset}"))
                && e.cause.to_string().contains("request.timeout.ms=1000")
                && e.cause.to_string().contains("writes it twice"),
            "{}",
            e.cause
        );
    }
    for e in rep
        .examples
        .iter()
        .filter(|e| e.verdict == Verdict::FailedNotWritten)
    {
        assert!(!log_of(&r, e.partition).contains(&e.record));
        assert_eq!(e.offset, None);
        assert!(
            e.cause.to_string().contains("NOT_ENOUGH_REPLICAS")
                && e.cause.to_string().contains("not in the log"),
            "{}",
            e.cause
        );
    }
    // The consumer read the failed-yet-written records like any other.
    let processed = rep
        .examples
        .iter()
        .filter(|e| e.verdict == Verdict::FailedWritten)
        .all(|e| r.sim.view().processed(e.record) == 1);
    assert!(processed);
}

#[test]
fn a_batch_that_expires_in_flight_after_its_append_is_failed_yet_written() {
    // The defaults (idempotence on, retries unlimited): the lost response leaves the
    // batches in flight until delivery.timeout.ms runs out.
    let r = run(
        config(
            KafkaVersion::V4,
            &[
                ("request.timeout.ms", "1000"),
                ("delivery.timeout.ms", "1100"),
            ],
        ),
        workload(200, Some("hello{i}"), "hello{i}", 100.0),
        &["10ms:drop-responses:1:0"],
        42,
    );
    let rep = r.sim.view().verdicts();
    assert!(count(&rep, Verdict::FailedWritten) > 0, "{:?}", rep.counts);
    let e = rep
        .examples
        .iter()
        .find(|e| e.verdict == Verdict::FailedWritten)
        .expect("an example");
    assert!(
        e.cause.to_string().contains("TimeoutException")
            && e.cause.to_string().contains("delivery.timeout.ms=1100")
            && e.cause
                .to_string()
                .contains(&format!("offset {}", e.offset.unwrap_or(-1))),
        "{}",
        e.cause
    );
}

#[test]
fn an_offline_partition_keeps_its_delivered_records_and_its_last_watermarks() {
    // kafka-flow run --records 400 --rate 20 --set replication.factor=1 --fault 5s:kill-broker:0
    let sets = with_consumer(&[("replication.factor", "1")]);
    let r = run(
        config(KafkaVersion::V4, &sets),
        workload(400, Some("hello{i}"), "hello{i}", 20.0),
        &["5s:kill-broker:0"],
        42,
    );
    let part = r.sim.view().partition(0);
    assert!(part.leader.is_none(), "partition 0 has no other replica");
    let committed = r
        .sim
        .view()
        .consumer_group()
        .committed(0)
        .expect("committed");
    assert!(committed > 0);

    let rep = r.sim.view().verdicts();
    // Every record processed once is delivered: none falls back to in_progress because
    // partition 0 has no leader to read a high watermark from.
    assert_eq!(count(&rep, Verdict::InProgress), 0, "{:?}", rep.counts);
    assert_eq!(
        count(&rep, Verdict::Delivered),
        r.sim.view().consumer_group().stats.processed,
        "{:?}",
        rep.counts
    );
    // What the producer could not send to the dead leader failed, and is not in any log.
    assert_eq!(
        count(&rep, Verdict::FailedNotWritten),
        r.sim.view().application().stats.failed
    );

    let s = Summary::of(&r.sim);
    let p0 = &s.partitions[0];
    assert!(p0.offline && p0.leader.is_none());
    assert_eq!(p0.last_leader, 0);
    assert_eq!(
        p0.high_watermark, committed,
        "the last known high watermark"
    );
    assert_eq!(p0.log_end_offset, committed);
    let text = kafka_flow::report::summary_text(&s);
    assert!(
        text.contains(&format!(
            "leader none, OFFLINE (last leader 0) (epoch 0)  replicas [0]  isr [0]  LEO {committed}  HW {committed} (last known)"
        )),
        "{text}"
    );
}

#[test]
fn a_consumer_too_slow_to_finish_stops_at_the_settle_limit_and_shows_its_lag() {
    // 3000 records at 100 ms each take 300 s to process; the run gives the consumer
    // 120 s after the producer finished.
    let sets = with_consumer(&[("consumer.process.ms", "100")]);
    let r = run(
        config(KafkaVersion::V4, &sets),
        workload(3_000, Some("hello{i}"), "hello{i}", 0.0),
        &[],
        42,
    );
    assert_eq!(r.sim.stopped(), Some(RunEnd::SettleLimit));
    let s = Summary::of(&r.sim);
    let stop = s.stopped.as_ref().expect("run stopped it");
    assert_eq!(stop.reason, RunEnd::SettleLimit);
    assert!(stop.waiting_for.contains(&"consumers"), "{stop:?}");
    assert!(!stop.waiting_for.contains(&"producer"), "{stop:?}");
    // lag = HW − the consumer's position; committed_lag = HW − the committed offset.
    let g = r.sim.view().consumer_group();
    let member = &g.consumers[0];
    let mut behind = 0;
    for (p, part) in s.partitions.iter().enumerate() {
        let p = p as u32;
        let position = member.position(p).unwrap_or(0);
        let lag = stop.lag.get(&p).copied().unwrap_or(0);
        assert_eq!(lag, part.high_watermark - position, "p{p}");
        let committed = g.committed(p).unwrap_or(0);
        assert_eq!(
            stop.committed_lag.get(&p).copied().unwrap_or(0),
            part.high_watermark - committed,
            "p{p}"
        );
        behind += lag;
    }
    assert!(behind > 1000, "{stop:?}");
    // What the lag counts is what the ledger still calls in progress (nothing else is).
    let rep = r.sim.view().verdicts();
    assert!(count(&rep, Verdict::InProgress) >= behind as u64);
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["stopped"]["reason"], "settle_limit");
    assert_eq!(json["stopped"]["waiting_for"][0], "consumers");
    let text = kafka_flow::report::summary_text(&s);
    assert!(
        text.contains("stopped  settle_limit") && text.contains("lag (HW − position) p0="),
        "{text}"
    );

    // The same group, fast enough: settled, nothing behind.
    let quick = run(
        config(KafkaVersion::V4, &with_consumer(&[])),
        workload(3_000, Some("hello{i}"), "hello{i}", 0.0),
        &[],
        42,
    );
    let stop = Summary::of(&quick.sim).stopped.expect("run stopped it");
    assert_eq!(stop.reason, RunEnd::Settled);
    assert!(stop.waiting_for.is_empty() && stop.lag.is_empty() && stop.committed_lag.is_empty());
}
