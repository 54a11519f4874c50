//! A followed record's stages, driven by a real simulation inside a real `App`.

use super::{Journey, Next, Origin, Stage};
use crate::app::App;
use crate::app::keys::Action;
use crate::i18n::Lang;
use crate::sim::command::Fault;
use crate::sim::view::{SimTime, Verdict};
use crate::sim::workload::{Template, Workload};
use crate::sim::{Command, Config, KafkaVersion, SimDuration};
use crate::ui::theme::Theme;

fn app(sets: &[(&str, &str)], rate: f64, seed: u64) -> App {
    let mut cfg = Config::defaults(KafkaVersion::V4);
    cfg.set("linger.ms", "1").unwrap();
    cfg.set("auto.offset.reset", "earliest").unwrap();
    cfg.set("consumers", "1").unwrap();
    for (k, v) in sets {
        cfg.set(k, v).unwrap();
    }
    let w = Workload {
        records: 1_000_000,
        rate,
        key: Some(Template::parse("hello{i}").unwrap()),
        ..Workload::notes_loop(1_000_000)
    };
    App::with(cfg, w, seed, Lang::En, Theme::dark()).unwrap()
}

/// Runs the app's world to `t` in 1 ms slices, absorbing the trace as the TUI does.
fn run_to(a: &mut App, t: SimTime) {
    while a.sim.now() < t {
        let next = a.sim.now() + SimDuration(1_000);
        a.sim.advance_to(next);
        a.absorb_trace();
    }
}

fn kind(s: &Stage) -> &'static str {
    match s {
        Stage::Joined { .. } => "joined",
        Stage::Sent { .. } => "sent",
        Stage::Drained { .. } => "drained",
        Stage::Requested { .. } => "requested",
        Stage::Retry { .. } => "retry",
        Stage::Failed { .. } => "failed",
        Stage::Appended { .. } => "appended",
        Stage::Duplicate { .. } => "duplicate",
        Stage::Acked { .. } => "acked",
        Stage::Replicated { .. } => "replicated",
        Stage::BelowHighWatermark { .. } => "below_hw",
        Stage::Truncated { .. } => "truncated",
        Stage::Fetched { .. } => "fetched",
        Stage::Processed { .. } => "processed",
        Stage::Committed { .. } => "committed",
    }
}

fn kinds(j: &Journey) -> Vec<&'static str> {
    j.stages().iter().map(|(_, s)| kind(s)).collect()
}

#[test]
fn a_record_followed_from_send_goes_all_the_way_to_committed_in_order() {
    let mut a = app(&[], 200.0, 42);
    run_to(&mut a, SimTime::ZERO + SimDuration::from_millis(500));
    let next_id = a.sim.view().records().len() as u32;
    a.update(Action::FollowNext);
    assert!(a.follow_armed && a.follow.is_none());
    // The consumer joins its group about 3 s in; auto-commit every 5 s after that.
    run_to(&mut a, SimTime::ZERO + SimDuration::from_millis(10_000));
    let j = a.follow.as_ref().expect("the next record sent is followed");
    assert!(!a.follow_armed);
    assert_eq!(j.record(), next_id, "the first record sent after F");
    assert_eq!(j.origin(), Origin::NextSent);
    let k = kinds(j);
    // acks=all (Kafka 4's default): two followers copy it, the HW passes it, then the ack.
    assert_eq!(
        k,
        [
            "sent",
            "drained",
            "requested",
            "appended",
            "replicated",
            "replicated",
            "below_hw",
            "acked",
            "fetched",
            "processed",
            "committed"
        ],
        "{:?}",
        j.stages()
    );
    let times: Vec<SimTime> = j.stages().iter().map(|&(t, _)| t).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert!(times[0] < times[3], "the append comes after the send");
    assert!(times[6] < times[8], "poll after the HW passed it");
    // Offsets agree: the leader's append, the producer's ack, the log.
    let off = j.offset().unwrap();
    assert!(
        j.stages()
            .iter()
            .any(|(_, s)| *s == Stage::Acked { offset: off })
    );
    let leader = a.sim.view().partition(j.partition()).leader.unwrap();
    assert!(
        a.sim
            .view()
            .log(j.partition(), leader)
            .contains(&(off, j.record()))
    );
    // Done: nowhere in the producer or a consumer, nothing left to come.
    assert_eq!((j.batch(), j.request(), j.in_poll_of()), (None, None, None));
    assert!(j.committed() && j.below_hw() && j.processed() == 1);
    assert_eq!(j.next(), None);
}

#[test]
fn where_the_record_is_follows_it_stage_by_stage() {
    let mut a = app(&[], 200.0, 7);
    run_to(&mut a, SimTime::ZERO + SimDuration::from_millis(300));
    a.update(Action::FollowNext);
    let mut seen_batch = false;
    let mut seen_request = false;
    let mut seen_poll = false;
    let mut nexts = Vec::new();
    for _ in 0..20_000 {
        let next = a.sim.now() + SimDuration(500);
        a.sim.advance_to(next);
        a.absorb_trace();
        let Some(j) = &a.follow else { continue };
        seen_batch |= j.batch().is_some();
        seen_request |= j.request().is_some();
        seen_poll |= j.in_poll_of() == Some(0);
        if nexts.last() != Some(&j.next()) {
            nexts.push(j.next());
        }
    }
    assert!(seen_batch && seen_request && seen_poll);
    // What it waits for moves forward only.
    assert_eq!(
        nexts,
        [
            Some(Next::Drain),
            Some(Next::Append),
            Some(Next::HighWatermark),
            Some(Next::Fetch),
            Some(Next::Process),
            Some(Next::Commit),
            None
        ]
    );
}

#[test]
fn follow_by_id_joins_a_record_already_sent_and_esc_stops() {
    let mut a = app(&[], 200.0, 42);
    run_to(&mut a, SimTime::ZERO + SimDuration::from_millis(1_000));
    // Record 20 was sent around 100 ms: below the HW, not consumed yet (the consumer
    // joins its group about 3 s in).
    a.update(Action::FollowById);
    for c in "20".chars() {
        a.update(Action::FollowDigit(c));
    }
    let prompt = a.status.as_ref().unwrap().1.get(Lang::En).to_string();
    assert!(prompt.contains("20_"), "{prompt}");
    a.update(Action::FollowCommit);
    let j = a.follow.as_ref().expect("record 20 is followed");
    assert_eq!(j.record(), 20);
    assert_eq!(j.origin(), Origin::ById);
    let Stage::Joined {
        offset, below_hw, ..
    } = j.stages()[0].1
    else {
        panic!("{:?}", j.stages());
    };
    assert!(offset.is_some() && below_hw, "{:?}", j.stages());
    let said = a.status.as_ref().unwrap().1.get(Lang::En).to_string();
    assert!(said.contains("earlier stages were not watched"), "{said}");
    run_to(&mut a, SimTime::ZERO + SimDuration::from_millis(10_000));
    let j = a.follow.as_ref().unwrap();
    assert_eq!(kinds(j).last(), Some(&"committed"), "{:?}", j.stages());
    a.update(Action::Cancel);
    assert!(a.follow.is_none());
    // An id not sent yet is refused with words, not a panic.
    a.update(Action::FollowById);
    for c in "999999".chars() {
        a.update(Action::FollowDigit(c));
    }
    a.update(Action::FollowCommit);
    assert!(a.follow.is_none() && a.follow_entry.is_none());
    let said = a.status.as_ref().unwrap().1.get(Lang::Zh).to_string();
    assert!(said.contains("还没有发送"), "{said}");
}

#[test]
fn a_follows_the_latest_anomaly_and_says_its_cause_in_both_languages() {
    // acks=1; replication from broker 0 lags 50 ms; broker 0 (leader of partition 0) dies:
    // what it acknowledged and its followers never copied is lost
    // (tests/consumer_ledger.rs, acks_one_loses_what_the_dead_leader_acknowledged…).
    let mut a = app(&[("acks", "1")], 5_000.0, 1);
    a.update(Action::FollowAnomaly);
    let said = a.status.as_ref().unwrap().1.get(Lang::En).to_string();
    assert!(said.starts_with("no anomaly"), "{said}");
    assert!(a.follow.is_none());
    let at = |ms| SimTime::ZERO + SimDuration::from_millis(ms);
    lagging_leader_dies(&mut a);
    run_to(&mut a, at(11_000));
    a.update(Action::FollowAnomaly);
    let j = a.follow.as_ref().expect("an anomaly is followed");
    assert!(a.ledger.lost.broker > 0, "{:?}", a.ledger.counts);
    // The newest of the examples kept: here a retried batch written after later records
    // (the retries after the crash), newer than the lost ones.
    let newest = a
        .ledger
        .examples
        .iter()
        .filter(|e| e.verdict.is_anomaly())
        .max_by_key(|e| e.record)
        .unwrap();
    assert_eq!(j.record(), newest.record);
    assert_eq!(j.origin(), Origin::Anomaly(Verdict::Reordered));
    assert_eq!(j.offset(), newest.offset);
    assert!(matches!(j.stages(), [(_, Stage::Joined { .. })]));
    // Its cause in full, in both languages.
    let (_, said) = a.status.as_ref().unwrap();
    for lang in Lang::ALL {
        let cause = crate::i18n::describe::explanation(lang, &newest.cause);
        let text = said.get(lang);
        assert!(!cause.is_empty() && text.ends_with(&cause), "{text}");
        assert!(text.contains(&format!("#{}", j.record())), "{text}");
    }
    assert!(said.get(Lang::En).contains("NETWORK_EXCEPTION"));
}

#[test]
fn a_record_acked_by_a_leader_that_dies_is_seen_truncated() {
    // The same loss, watched from send(): appended and acked by broker 0 (acks=1), never
    // copied, then cut from the log when broker 0 comes back as a follower of the new
    // leader — or simply gone with it.
    let mut a = app(&[("acks", "1")], 5_000.0, 1);
    let at = |ms| SimTime::ZERO + SimDuration::from_millis(ms);
    lagging_leader_dies(&mut a);
    // Follow records of partition 0 sent just before the crash until one is lost.
    run_to(&mut a, at(290));
    let mut lost = None;
    for _ in 0..200 {
        a.update(Action::FollowNext);
        let t = a.sim.now() + SimDuration(200);
        run_to(&mut a, t);
        if let Some(j) = &a.follow {
            if j.partition() == 0 {
                lost = Some(j.record());
                break;
            }
        }
    }
    let r = lost.expect("a partition-0 record sent just before the crash");
    run_to(&mut a, at(12_500));
    let j = a.follow.as_ref().unwrap();
    assert_eq!(j.record(), r);
    // Acked, never copied, never committed, never consumed (another record took its
    // offset on the new leader: the consumer's poll of that offset is not ours), then cut.
    assert_eq!(
        kinds(j),
        [
            "sent",
            "drained",
            "requested",
            "appended",
            "acked",
            "truncated"
        ],
        "{:?}",
        j.stages()
    );
    assert!(!j.on_broker(0) && j.next().is_none());
}

#[test]
fn the_keys_reach_the_journey() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let press = |a: &mut App, c: KeyCode| a.on_key(KeyEvent::new(c, KeyModifiers::NONE));
    let mut a = app(&[], 200.0, 42);
    run_to(&mut a, SimTime::ZERO + SimDuration::from_millis(500));
    // Shift-F arrives as an upper-case F with SHIFT.
    assert!(a.on_key(KeyEvent::new(KeyCode::Char('F'), KeyModifiers::SHIFT)));
    assert!(a.follow_armed);
    press(&mut a, KeyCode::Esc);
    assert!(!a.follow_armed);
    // While an id is typed, letters are not keys: `q` does not quit, `k` kills nothing.
    press(&mut a, KeyCode::Char('#'));
    for c in ['1', 'q', 'k', '2'] {
        press(&mut a, KeyCode::Char(c));
    }
    assert_eq!(a.follow_entry.as_deref(), Some("12"));
    assert!(!a.quit_requested());
    press(&mut a, KeyCode::Backspace);
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.follow.as_ref().map(Journey::record), Some(1));
    // Esc with an entry open closes the entry only.
    press(&mut a, KeyCode::Char('#'));
    press(&mut a, KeyCode::Esc);
    assert!(a.follow_entry.is_none() && a.follow.is_some() && a.status.is_none());
    press(&mut a, KeyCode::Esc);
    assert!(a.follow.is_none());
    press(&mut a, KeyCode::Char('a'));
    let said = a.status.as_ref().unwrap().1.get(Lang::Zh).to_string();
    assert!(said.starts_with("目前没有异常"), "{said}");
}

/// Broker 0's replication lags 50 ms from 200 ms, at 300 ms it (partition 0's leader) dies;
/// the controller fences it after broker.session.timeout.ms (9 s) and elects broker 1; at
/// 12 s it comes back as a follower and truncates what nobody copied.
fn lagging_leader_dies(a: &mut App) {
    let at = |ms| SimTime::ZERO + SimDuration::from_millis(ms);
    for (t, fault) in [
        (
            200,
            Fault::SlowFollower {
                broker: 0,
                extra_ms: 50,
            },
        ),
        (300, Fault::KillLeader { partition: 0 }),
        (12_000, Fault::RestartBroker { broker: 0 }),
    ] {
        a.sim.schedule(at(t), Command::Fault { fault });
    }
}
