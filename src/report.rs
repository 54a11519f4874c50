//! The headless output's words: the `--trace` JSON lines and the summary JSON carry the
//! simulation's typed reasons and causes as data, plus their English text, made here at
//! the edge (`i18n::describe`); the readable summary `kafka-flow run` prints is
//! formatted here too, from the summary's data.

use crate::i18n::{Lang, describe};
use crate::sim::RunEnd;
use crate::sim::summary::{StopSummary, Summary};
use crate::sim::trace::{TraceEvent, TraceRecord};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One `--trace` line: the typed event, plus `reason` (or `description` for a fault or a
/// refused command) in English.
pub fn trace_json(r: &TraceRecord) -> serde_json::Result<Value> {
    let mut v = serde_json::to_value(r)?;
    let text = match &r.event {
        TraceEvent::Fault { fault } => Some(("description", describe::fault(Lang::En, fault))),
        TraceEvent::CommandRefused { command, error } => Some((
            "description",
            format!(
                "command refused: {}: {error}",
                describe::command(Lang::En, command)
            ),
        )),
        e => describe::event_reason(Lang::En, e).map(|t| ("reason", t)),
    };
    if let (Some((key, text)), Some(obj)) = (text, v.as_object_mut()) {
        obj.insert(key.to_string(), Value::String(text));
    }
    Ok(v)
}

/// The summary as JSON, each ledger example's cause in English words (`cause`) next to
/// its data (`why`).
pub fn summary_json(s: &Summary) -> serde_json::Result<Value> {
    let mut v = serde_json::to_value(s)?;
    if let Some(examples) = v
        .pointer_mut("/ledger/examples")
        .and_then(Value::as_array_mut)
    {
        for (json, e) in examples.iter_mut().zip(&s.ledger.examples) {
            if let Some(obj) = json.as_object_mut() {
                if let Some(data) = obj.remove("cause") {
                    obj.insert("why".to_string(), data);
                }
                obj.insert(
                    "cause".to_string(),
                    Value::String(describe::explanation(Lang::En, &e.cause)),
                );
            }
        }
    }
    Ok(v)
}

/// The readable report `kafka-flow run` prints by default.
pub fn summary_text(s: &Summary) -> String {
    let mut out = String::new();
    let p = &s.producer;
    let _ = writeln!(
        out,
        "kafka-flow · Kafka {} profile · seed {} · virtual time {:.3} ms · {} events",
        s.kafka_version, s.seed, s.sim_time_ms, s.events
    );
    let _ = writeln!(
        out,
        "producer  acks={} enable.idempotence={} batch.size={} linger.ms={}",
        p.acks, p.idempotence, p.batch_size, p.linger_ms
    );
    let _ = writeln!(
        out,
        "  records  {} requested · {} sent · {} acked · {} failed · {} unsent · {} pending",
        p.records_requested, p.sent, p.acked, p.failed, p.unsent, p.pending
    );
    let reasons: Vec<String> = p
        .batch_send_reasons
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let _ = writeln!(
        out,
        "  batches  {} acked · {:.1} records/batch · {:.0} bytes/batch · {} requests · {} retries",
        p.batches, p.records_per_batch, p.avg_batch_bytes, p.requests, p.retries
    );
    let _ = writeln!(
        out,
        "  sent because  {}",
        if reasons.is_empty() {
            "-".to_string()
        } else {
            reasons.join(" · ")
        }
    );
    let fmt = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.3} ms"));
    let _ = writeln!(
        out,
        "  latency  p50 {} · p99 {} · max {}{}",
        fmt(p.latency_ms.p50),
        fmt(p.latency_ms.p99),
        fmt(p.latency_ms.max),
        if p.blocked_ms > 0.0 {
            format!(" · send() blocked {:.3} ms on buffer.memory", p.blocked_ms)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        out,
        "  per partition  {:?} · first send() waited {:.3} ms for metadata",
        p.records_per_partition, p.metadata_wait_ms
    );
    let _ = writeln!(
        out,
        "  interceptor  onSend {} · onAcknowledgement {}",
        p.interceptor.on_send, p.interceptor.on_acknowledgement
    );
    for c in &p.callbacks {
        match &c.error {
            None => {
                let _ = writeln!(
                    out,
                    "  callback  record {} → topic {} partition {} offset {}",
                    c.record, c.topic, c.partition, c.offset
                );
            }
            Some(e) => {
                let _ = writeln!(out, "  callback  record {} → {e}", c.record);
            }
        }
    }
    let _ = writeln!(out, "partitions");
    for part in &s.partitions {
        let (leader, last_known) = match part.leader {
            Some(l) => (l.to_string(), ""),
            None => (
                format!("none, OFFLINE (last leader {})", part.last_leader),
                " (last known)",
            ),
        };
        let _ = writeln!(
            out,
            "  {}  leader {leader} (epoch {})  replicas {:?}  isr {:?}  LEO {}  HW {}{last_known}",
            part.partition,
            part.leader_epoch,
            part.replicas,
            part.isr,
            part.log_end_offset,
            part.high_watermark
        );
    }
    let cons = &s.consumer;
    if cons.consumers > 0 {
        let _ = writeln!(
            out,
            "consumer  group {} · {} consumer(s) · commit.mode={} · generation {}",
            cons.group_id, cons.consumers, cons.commit_mode, cons.generation
        );
        // Only when it happened, so the usual line stays as it was.
        let left = if cons.poll_timeouts > 0 {
            format!(
                " · {} left the group (max.poll.interval.ms)",
                cons.poll_timeouts
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {} processed in {} polls · commits {} sent, {} ok, {} failed · {} rebalances · {} crashes{left}",
            cons.processed,
            cons.polls,
            cons.commits.sent,
            cons.commits.succeeded,
            cons.commits.failed,
            cons.rebalances,
            cons.crashes
        );
        let committed: Vec<String> = cons
            .committed_offsets
            .iter()
            .map(|(p, off)| format!("p{p}={off}"))
            .collect();
        let _ = writeln!(
            out,
            "  committed  {}",
            if committed.is_empty() {
                "-".to_string()
            } else {
                committed.join(" ")
            }
        );
    }
    if let Some(stop) = &s.stopped {
        let _ = writeln!(out, "{}", stop_line(stop));
    }
    let led = &s.ledger;
    let counts: Vec<String> = led.counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(out, "ledger  {}", counts.join(" · "));
    let _ = writeln!(
        out,
        "  lost: broker {} · consumer {}   duplicated: log {} · processing {}   reordered {}",
        led.lost.broker,
        led.lost.consumer,
        led.duplicated.log,
        led.duplicated.processing,
        led.reordered
    );
    let mut shown = BTreeMap::new();
    for e in &led.examples {
        // Three per verdict on screen; the JSON has up to ten.
        let n = shown.entry(e.verdict).or_insert(0);
        if *n >= 3 {
            continue;
        }
        *n += 1;
        let at = e.offset.map_or(String::new(), |o| format!(" offset {o}"));
        let _ = writeln!(
            out,
            "  {} record {} (partition {}{at}): {}",
            e.verdict.name(),
            e.record,
            e.partition,
            crate::i18n::describe::explanation(crate::i18n::Lang::En, &e.cause)
        );
    }
    let down: Vec<String> = s
        .brokers
        .iter()
        .filter(|b| !b.alive)
        .map(|b| b.id.to_string())
        .collect();
    if !down.is_empty() {
        let _ = writeln!(out, "brokers down  {}", down.join(", "));
    }
    for n in &s.notes {
        let _ = writeln!(out, "note  {n}");
    }
    out
}

/// One line for the text summary.
pub fn stop_line(s: &StopSummary) -> String {
    let mut out = format!("stopped  {}", s.reason.name());
    let what = match s.reason {
        RunEnd::Settled => {
            "producer done, replication caught up, consumers caught up and committed"
        }
        RunEnd::SettleLimit => {
            "120 s after the producer finished (and the last fault), not everything had settled"
        }
        RunEnd::Until => "the --until time was reached",
        RunEnd::TimeLimit => "the default limit of 1 h of virtual time was reached",
        RunEnd::Idle => "nothing left to happen",
    };
    let _ = write!(out, ": {what}");
    if !s.waiting_for.is_empty() {
        let _ = write!(out, " · waiting for {}", s.waiting_for.join(", "));
    }
    let fmt = |m: &BTreeMap<u32, i64>| {
        m.iter()
            .map(|(p, n)| format!("p{p}={n}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !s.lag.is_empty() {
        let _ = write!(out, " · lag (HW − position) {}", fmt(&s.lag));
    }
    if !s.committed_lag.is_empty() {
        let _ = write!(
            out,
            " · committed lag (HW − committed) {}",
            fmt(&s.committed_lag)
        );
    }
    out
}
