//! The view agrees with the actors it reads.

use super::poll_ranges;
use super::*;
use crate::sim::{Config, KafkaVersion, Workload};

fn busy_sim() -> Sim {
    let mut cfg = Config::defaults(KafkaVersion::V4);
    cfg.set("consumers", "1").expect("valid");
    cfg.set("auto.offset.reset", "earliest").expect("valid");
    let w = Workload {
        rate: 20_000.0,
        ..Workload::notes_loop(100_000)
    };
    let mut sim = Sim::new(cfg, w, 7).expect("valid");
    sim.set_track_flights(true);
    sim.advance_to(SimTime::ZERO + SimDuration::from_millis(1_500));
    sim
}

#[test]
fn the_view_agrees_with_the_actors() {
    let sim = busy_sim();
    let view = sim.view();
    let acc = view.accumulator();
    assert_eq!(acc.lanes.len(), 3);
    assert_eq!(acc.queued_batches(), sim.producer.acc.queued_batches());
    for lane in &acc.lanes {
        for b in &lane.batches {
            assert!(b.records > 0 && b.bytes > 0 && b.batch_size == 16_384);
            assert!(b.deadline >= b.created);
        }
    }
    let app = view.application();
    assert!(app.stats.send_calls > 0);
    assert!(app.buffer_used <= app.buffer_total);

    let client = view.network_client();
    assert_eq!(client.connections.len(), 3);
    let in_flight: usize = client.connections.iter().map(|c| c.in_flight.len()).sum();
    assert_eq!(in_flight, client.requests.len());
    for r in &client.requests {
        assert_eq!(r.batches.len(), r.partitions.len());
        assert!(r.sent <= view.now());
        assert!(r.arrives.is_none_or(|t| t > view.now()));
        assert!(
            r.progress(view.now())
                .is_none_or(|f| (0.0..=1.0).contains(&f))
        );
    }
    assert!(client.idempotence.enabled && client.idempotence.producer_id >= 0);
    assert_eq!(client.idempotence.sequences.len(), 3);

    let partitions = view.partitions();
    assert_eq!(
        view.high_watermarks(),
        partitions
            .iter()
            .map(|p| p.high_watermark)
            .collect::<Vec<_>>()
    );
    for p in &partitions {
        let leader = p.replicas.iter().filter(|r| r.leader).count();
        assert_eq!(leader, usize::from(p.leader.is_some()));
        assert!(
            p.replicas
                .iter()
                .all(|r| r.in_isr == p.isr.contains(&r.broker))
        );
        let log = view.log(p.id, p.leader.expect("a leader"));
        assert_eq!(log.last().map_or(0, |(o, _)| o + 1), p.log_end_offset);
    }
    assert!(
        view.brokers()
            .iter()
            .all(|b| b.alive && !b.fenced && !b.isolated)
    );

    let group = view.consumer_group();
    assert_eq!(group.consumers.len(), 1);
    let c = &group.consumers[0];
    assert!(c.alive);
    for &(p, pos) in &c.positions {
        assert!(pos <= partitions[p as usize].high_watermark);
    }
    if let Some(poll) = &c.poll {
        assert!(poll.records() > 0);
    }
    assert_eq!(view.records().len() as u64, app.stats.send_calls);
}

#[test]
fn poll_ranges_group_runs_of_one_partition() {
    let ranges = poll_ranges(&[(0, 5), (0, 6), (0, 7), (2, 10), (2, 11), (0, 8)]);
    assert_eq!(ranges, vec![(0, 5, 7, 3), (2, 10, 11, 2), (0, 8, 8, 1)]);
}

#[test]
fn a_dead_broker_and_a_crashed_consumer_show() {
    use crate::sim::{Command, Fault};
    let mut sim = busy_sim();
    sim.apply(Command::Fault {
        fault: Fault::KillBroker { broker: 1 },
    })
    .expect("applies");
    sim.apply(Command::Fault {
        fault: Fault::CrashConsumer { consumer: 0 },
    })
    .expect("applies");
    let view = sim.view();
    assert!(!view.broker_up(1) && view.broker_up(0));
    let c = &view.consumer_group().consumers[0];
    assert!(!c.alive && !c.member && c.phase == Phase::Dead);
}

#[test]
fn a_log_window_is_the_matching_slice_of_the_whole_log() {
    let sim = busy_sim();
    let view = sim.view();
    for p in view.partitions() {
        for r in &p.replicas {
            let whole = view.log(p.id, r.broker);
            let leo = r.log_end_offset;
            for (from, to) in [
                (0, 5),
                (leo - 40, leo),
                (leo - 7, leo + 10),
                (leo + 1, leo + 9),
            ] {
                let want: Vec<(i64, RecordId)> = whole
                    .iter()
                    .copied()
                    .filter(|&(o, _)| o >= from && o < to)
                    .collect();
                assert_eq!(
                    view.log_window(p.id, r.broker, from, to),
                    want,
                    "{from}..{to}"
                );
            }
        }
    }
}

#[test]
fn a_request_and_its_answer_are_found_by_correlation_id() {
    // Step event by event until a produce answer is on its way back.
    let mut cfg = Config::defaults(KafkaVersion::V4);
    cfg.set("network.latency.ms", "5").expect("valid");
    let mut sim = Sim::new(cfg, Workload::notes_loop(1_000), 3).expect("valid");
    sim.set_track_flights(true);
    let mut seen_flying = false;
    let mut seen_answer = false;
    for _ in 0..20_000 {
        if !sim.step() {
            break;
        }
        let view = sim.view();
        let now = view.now();
        for r in view.network_client().requests {
            let flights: Vec<Flight> = view.wire().collect();
            if let Some(arrives) = r.arrives {
                seen_flying = true;
                assert!(flights.iter().any(|f| matches!(
                    f.kind,
                    FlightKind::Produce { request, .. } if request == r.id
                ) && f.arrive == arrives));
            }
            if let Some(a) = r.response {
                seen_answer = true;
                assert!(r.arrives.is_none(), "an answer before its request arrived");
                assert!(a.depart <= now && a.arrive > now);
                assert!((0.0..=1.0).contains(&a.progress(now)));
            }
        }
        sim.prune_flights();
    }
    assert!(seen_flying && seen_answer);
}

#[test]
fn the_first_rebalance_counts_down_the_initial_delay() {
    let mut cfg = Config::defaults(KafkaVersion::V4);
    cfg.set("group.initial.rebalance.delay.ms", "3000")
        .expect("valid");
    let mut sim = Sim::new(cfg, Workload::notes_loop(10), 1).expect("valid");
    sim.advance_to(SimTime::ZERO + SimDuration::from_millis(500));
    let group = sim.view().consumer_group();
    let (until, initial) = group.rebalance_deadline.expect("waiting for members");
    assert!(initial);
    assert!(until > sim.now() && until <= SimTime::ZERO + SimDuration::from_millis(3_100));
    sim.advance_to(SimTime::ZERO + SimDuration::from_millis(4_000));
    assert!(sim.view().consumer_group().rebalance_deadline.is_none());
}

#[test]
fn a_crashed_consumer_counts_down_its_session_timeout() {
    let mut cfg = Config::defaults(KafkaVersion::V4);
    cfg.set("group.initial.rebalance.delay.ms", "0")
        .expect("valid");
    cfg.set("session.timeout.ms", "10000").expect("valid");
    let mut sim = Sim::new(cfg, Workload::notes_loop(100_000), 1).expect("valid");
    let at = |ms| SimTime::ZERO + SimDuration::from_millis(ms);
    sim.advance_to(at(1_000));
    assert!(
        sim.view().consumer_group().consumers[0]
            .session_expires
            .is_none()
    );
    sim.apply(crate::sim::Command::Fault {
        fault: crate::sim::Fault::CrashConsumer { consumer: 0 },
    })
    .expect("applies");
    sim.advance_to(at(2_000));
    let until = sim.view().consumer_group().consumers[0]
        .session_expires
        .expect("still a member");
    assert!(until > at(10_000) && until <= at(11_000), "{until}");
    sim.advance_to(at(12_000));
    assert!(
        sim.view().consumer_group().consumers[0]
            .session_expires
            .is_none()
    );
}

#[test]
fn a_lane_says_what_holds_its_ready_batches() {
    let mut cfg = Config::defaults(KafkaVersion::V4);
    cfg.set("network.latency.ms", "10").expect("valid");
    cfg.set("batch.size", "1024").expect("valid");
    let w = Workload {
        rate: 40_000.0,
        ..Workload::notes_loop(100_000)
    };
    let mut sim = Sim::new(cfg, w, 7).expect("valid");
    // Before the first metadata answer the producer knows no leader.
    sim.advance_to(SimTime::ZERO + SimDuration::from_micros(100));
    let lanes = sim.view().accumulator().lanes;
    assert!(
        lanes.iter().all(|l| l.held == Some(Hold::NoLeader)),
        "{lanes:?}"
    );
    // Busy on a slow network: five requests out on a connection hold the next batch.
    sim.advance_to(SimTime::ZERO + SimDuration::from_millis(250));
    let view = sim.view();
    let client = view.network_client();
    let lanes = view.accumulator().lanes;
    assert!(lanes.iter().any(|l| l.held == Some(Hold::InFlightFull)));
    for (p, lane) in lanes.iter().enumerate() {
        if lane.held == Some(Hold::InFlightFull) {
            let leader = sim.producer.metadata[p].expect("a leader").0;
            assert_eq!(client.connections[leader as usize].in_flight.len(), 5);
        }
    }
}
