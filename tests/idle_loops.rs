//! What the clients do when there is nothing to do: the loops Kafka runs while idle, at
//! the pace Kafka runs them (a timer, a round trip), and no faster.

mod common;
use kafka_flow::sim::command::Fault;
use kafka_flow::sim::reason::CommitKind;
use kafka_flow::sim::{Command, KafkaVersion, Sim, SimDuration, SimTime, TraceEvent};

fn at(ms: u64) -> SimTime {
    SimTime::ZERO + SimDuration::from_millis(ms)
}

/// The commits consumer 0 sent, with their kind, from the trace.
fn commits(sim: &mut Sim) -> Vec<(SimTime, CommitKind)> {
    sim.drain_trace()
        .into_iter()
        .filter_map(|r| match r.event {
            TraceEvent::CommitSent { kind, .. } => Some((r.t, kind)),
            _ => None,
        })
        .collect()
}

fn consumer_sim(records: u64, sets: &[(&str, &str)]) -> Sim {
    let mut all = vec![("consumers", "1"), ("auto.offset.reset", "earliest")];
    all.extend_from_slice(sets);
    let cfg = common::config(KafkaVersion::V4, &all);
    Sim::new(cfg, common::workload(records, None, "v{i}", 0.0), 7).expect("valid")
}

/// The notes' loop calls `poll(Duration.ofSeconds(10))` and then `commitAsync()`, even when
/// the poll returned nothing: `commitAsync()` commits `allConsumed()`, the unchanged
/// positions, and `ConsumerCoordinator` sends that OffsetCommit as any other. So an idle
/// consumer commits the same offsets once per 10 s, no more.
#[test]
fn an_idle_consumer_commits_after_each_empty_poll_every_ten_seconds() {
    let mut sim = consumer_sim(30, &[("commit.mode", "async")]);
    sim.advance_to(at(45_000));
    let sent = commits(&mut sim);
    let after_empty: Vec<SimTime> = sent
        .iter()
        .filter(|(_, kind)| *kind == CommitKind::AsyncAfterEmptyPoll)
        .map(|(t, _)| *t)
        .collect();
    // The records are processed (and committed) at about 3 s, when the group forms; then
    // each poll() call returns empty 10 s after it began.
    assert!(after_empty.len() >= 3, "{sent:?}");
    for pair in after_empty.windows(2) {
        assert_eq!(
            pair[1].since(pair[0]),
            SimDuration::from_secs(10),
            "{sent:?}"
        );
    }
    assert!(sent.len() <= after_empty.len() + 2, "{sent:?}");
}

/// With auto-commit, poll() returning empty commits nothing by itself: only the
/// auto.commit.interval.ms timer does, inside poll().
#[test]
fn an_idle_auto_committing_consumer_commits_once_per_interval() {
    let mut sim = consumer_sim(
        30,
        &[("commit.mode", "auto"), ("auto.commit.interval.ms", "5000")],
    );
    sim.advance_to(at(40_000));
    let sent = commits(&mut sim);
    // Group at 3 s: auto-commits at 8, 13, ..., 38 s.
    assert_eq!(sent.len(), 7, "{sent:?}");
    assert!(
        sent.iter()
            .all(|(_, kind)| *kind == CommitKind::AutoInsidePoll)
    );
}

/// auto.commit.interval.ms=0: `maybeAutoCommitOffsetsAsync` commits at every turn of poll(),
/// and with nothing to wait for (`timeToNextPoll` is 0) the Java loop spins. The simulation
/// turns such a loop once per millisecond, the resolution of the consumer's clock: about
/// a thousand commits per idle second, not a million.
#[test]
fn auto_commit_interval_zero_commits_once_per_millisecond_while_idle() {
    let mut sim = consumer_sim(10, &[("auto.commit.interval.ms", "0")]);
    sim.advance_to(at(4_000));
    commits(&mut sim);
    sim.advance_to(at(5_000));
    let sent = commits(&mut sim);
    // One per ms, plus one per fetch answer (every fetch.max.wait.ms=500 ms).
    assert!(
        (1_000..=1_010).contains(&sent.len()),
        "{} commits",
        sent.len()
    );
}

/// With commit.mode=none nothing is committed, idle or not.
#[test]
fn an_idle_consumer_that_never_commits_sends_nothing() {
    let mut sim = consumer_sim(30, &[("commit.mode", "none")]);
    sim.advance_to(at(40_000));
    assert!(commits(&mut sim).is_empty());
}

/// A partition whose only replica is gone has no leader. The producer asks for metadata to
/// find one, but as `Metadata.timeToAllowUpdate` allows: retry.backoff.ms after an answer
/// that brought nothing new, doubling up to retry.backoff.max.ms (100, 200, 400, 800, 1000
/// ms…), not once per round trip (which was 2,000 requests in these 4 s).
#[test]
fn a_leaderless_partition_is_asked_about_with_backoff() {
    let cfg = common::config(
        KafkaVersion::V4,
        &[
            ("replication.factor", "1"),
            ("broker.session.timeout.ms", "1500"),
        ],
    );
    // Keyed records keep coming, some of them for partition 0: they wait for a leader.
    let mut sim =
        Sim::new(cfg, common::workload(200, Some("k{i}"), "v{i}", 20.0), 7).expect("valid");
    sim.set_trace_enabled(false);
    sim.schedule(
        at(10),
        Command::Fault {
            fault: Fault::KillBroker { broker: 0 },
        },
    );
    // Broker 0 is fenced at 1.51 s: from then on partition 0 has no leader.
    sim.advance_to(at(2_000));
    assert!(sim.view().partition(0).leader.is_none());
    let before = sim.events();
    sim.advance_to(at(6_000));
    // 80 records to send, a metadata request and its answer per second, the brokers' own
    // timers: a few hundred events, where a request per round trip made thousands.
    assert!(
        sim.events() - before < 1_000,
        "{} events",
        sim.events() - before
    );
}
