//! `serve`'s log: one line per notable event, in the user's language, on standard output.
//! The simulation's events are told by the same narration as the TUI's event log; only
//! the cluster's (faults, elections, ISR changes, brokers) are worth a line here: a
//! produce or a fetch is not, a real client makes thousands.

use super::group::GroupEvent;
use super::net::{MAX_CONNECTIONS, Refusal};
use crate::app::narrate::narrate;
use crate::i18n::{Lang, trf};
use crate::sim::{SimTime, TraceEvent};
use std::collections::BTreeSet;
use std::io::Write;
use std::net::SocketAddr;

pub struct Log {
    lang: Lang,
    /// Where lines go; `None` keeps them for the TUI (`drain`).
    out: Option<Box<dyn Write + Send>>,
    /// Lines kept for the TUI: when it happened (for the stamped ones) and the words.
    kept: Vec<(Option<SimTime>, String)>,
    /// Unknown topics and refused groups already reported (a client asks again every retry).
    unknown: BTreeSet<String>,
}

impl Log {
    pub fn new(lang: Lang, out: Box<dyn Write + Send>) -> Log {
        Log {
            lang,
            out: Some(out),
            kept: Vec::new(),
            unknown: BTreeSet::new(),
        }
    }

    /// A log that keeps its lines until `drain` takes them (the TUI shows them).
    pub fn kept(lang: Lang) -> Log {
        Log {
            lang,
            out: None,
            kept: Vec::new(),
            unknown: BTreeSet::new(),
        }
    }

    /// The lines kept since the last call, with their time when they have one.
    pub fn drain(&mut self) -> Vec<(Option<SimTime>, String)> {
        std::mem::take(&mut self.kept)
    }

    /// The language lines are written in (the TUI switches it).
    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    /// A line as it is (the listening addresses, `ready`, `stats`), flushed at once:
    /// scripts read it as it comes.
    pub fn raw(&mut self, line: &str) {
        match &mut self.out {
            Some(out) => {
                let _ = writeln!(out, "{line}");
                let _ = out.flush();
            }
            None => self.kept.push((None, line.to_string())),
        }
    }

    fn at(&mut self, t: SimTime, key: &str, args: &[(&str, &str)]) {
        let text = trf(self.lang, key, args);
        if self.out.is_some() {
            self.raw(&format!("{:>10.3}s  {text}", t.0 as f64 / 1e6));
        } else {
            self.kept.push((Some(t), text));
        }
    }

    pub fn listening(&mut self, b: u32, addr: SocketAddr) {
        let text = trf(
            self.lang,
            "serve.listening",
            &[("b", &b.to_string()), ("addr", &addr.to_string())],
        );
        self.raw(&text);
    }

    pub fn ready(&mut self) {
        let text = trf(self.lang, "serve.ready", &[]);
        self.raw(&text);
    }

    pub fn event(&mut self, t: SimTime, e: &TraceEvent) {
        let notable = matches!(
            e,
            TraceEvent::Fault { .. }
                | TraceEvent::LeaderElected { .. }
                | TraceEvent::IsrChanged { .. }
                | TraceEvent::Truncated { .. }
                | TraceEvent::BrokerDown { .. }
                | TraceEvent::BrokerUp { .. }
                | TraceEvent::BrokerFenced { .. }
                // The simulated consumers' share of a group real members may be in.
                | TraceEvent::Rebalanced { .. }
        );
        if !notable {
            return;
        }
        if let Some(line) = narrate(t, e, self.lang, false) {
            self.raw(&format!("{:>10.3}s  {}", t.0 as f64 / 1e6, line.text));
        }
    }

    pub fn connected(&mut self, t: SimTime, b: u32, peer: SocketAddr) {
        self.at(
            t,
            "serve.connected",
            &[("b", &b.to_string()), ("peer", &peer.to_string())],
        );
    }

    pub fn disconnected(&mut self, t: SimTime, b: u32, peer: SocketAddr, why: Option<&str>) {
        let (b, peer) = (b.to_string(), peer.to_string());
        match why {
            Some(why) => self.at(
                t,
                "serve.disconnected_why",
                &[("b", &b), ("peer", &peer), ("why", why)],
            ),
            None => self.at(t, "serve.disconnected", &[("b", &b), ("peer", &peer)]),
        }
    }

    pub fn refused(&mut self, t: SimTime, b: u32, peer: SocketAddr, why: Refusal) {
        let (b, peer) = (b.to_string(), peer.to_string());
        match why {
            Refusal::BrokerDown => self.at(t, "serve.refused.down", &[("b", &b), ("peer", &peer)]),
            Refusal::TooMany => self.at(
                t,
                "serve.refused.many",
                &[
                    ("b", &b),
                    ("peer", &peer),
                    ("max", &MAX_CONNECTIONS.to_string()),
                ],
            ),
        }
    }

    pub fn bad_request(&mut self, t: SimTime, b: u32, why: &str) {
        self.at(
            t,
            "serve.bad_request",
            &[("b", &b.to_string()), ("why", why)],
        );
    }

    pub fn topic_created(&mut self, t: SimTime, topic: &str, partitions: u32, rf: u32) {
        self.at(
            t,
            "serve.topic_created",
            &[
                ("topic", topic),
                ("partitions", &partitions.to_string()),
                ("rf", &rf.to_string()),
            ],
        );
    }

    pub fn unknown_topic(&mut self, t: SimTime, topic: &str, ours: Option<&str>) {
        if self.unknown.insert(topic.to_string()) {
            self.at(
                t,
                "serve.unknown_topic",
                &[("topic", topic), ("ours", ours.unwrap_or("-"))],
            );
        }
    }

    /// A real consumer asked to join the simulated consumers' group without offering
    /// their assignor (once per group).
    pub fn no_range(&mut self, t: SimTime, group: &str) {
        if self.unknown.insert(format!("group:{group}")) {
            self.at(t, "serve.group.no_range", &[("group", group)]);
        }
    }

    /// A real leader's assignment for a member did not parse: that member gets nothing.
    pub fn bad_assignment(&mut self, t: SimTime, member: &str, why: &str) {
        self.at(
            t,
            "serve.group.bad_assignment",
            &[("member", member), ("why", why)],
        );
    }

    /// A real member of the shared group got its partitions.
    pub fn shared_assigned(&mut self, t: SimTime, group: &str, member: &str, partitions: &[u32]) {
        let list: Vec<String> = partitions.iter().map(|p| format!("p{p}")).collect();
        let list = if list.is_empty() {
            "-".to_string()
        } else {
            list.join(" ")
        };
        self.group_line(
            t,
            "serve.group.assigned",
            &[("group", group), ("member", member), ("partitions", &list)],
        );
    }

    pub fn producer_id(&mut self, t: SimTime, id: i64) {
        self.at(t, "serve.producer_id", &[("id", &id.to_string())]);
    }

    /// Commits are not logged one by one (a consumer commits after every poll); the TUI
    /// shows them. Kept as a hook for a verbose mode.
    pub fn committed(
        &mut self,
        _t: SimTime,
        _group: &str,
        _offsets: &[(String, i32, i64, Option<String>)],
    ) {
    }

    pub fn group(&mut self, t: SimTime, e: &GroupEvent) {
        super::group_log::line(self, t, e);
    }

    pub(super) fn group_line(&mut self, t: SimTime, key: &str, args: &[(&str, &str)]) {
        self.at(t, key, args);
    }

    pub fn stats(&mut self, stats: &serde_json::Value) {
        self.raw(&format!("stats {stats}"));
    }

    pub fn control_error(&mut self, line: &str, why: &str) {
        let text = trf(
            self.lang,
            "serve.control_error",
            &[("line", line), ("why", why)],
        );
        self.raw(&text);
    }

    /// A real record newly judged lost or written twice, and why.
    pub fn real_record(&mut self, t: SimTime, e: &super::verdict::ClientExample) {
        let why = match &e.cause {
            Some(c) => crate::i18n::describe::cause(self.lang, c),
            None => crate::i18n::tr(self.lang, "serve.no_cause").to_string(),
        };
        let key = if e.lost {
            "serve.real_lost"
        } else {
            "serve.real_twice"
        };
        let record = crate::i18n::ids::record(e.record);
        let p = e.partition.to_string();
        self.at(t, key, &[("record", &record), ("p", &p), ("why", &why)]);
    }

    pub fn verdicts(&mut self, v: &super::verdict::RealVerdicts) {
        let text = trf(
            self.lang,
            "serve.verdicts",
            &[
                ("acked", &v.acked.to_string()),
                ("committed", &v.committed.to_string()),
                ("lost", &v.lost.to_string()),
                ("duplicated", &v.duplicated.to_string()),
            ],
        );
        self.raw(&text);
    }

    pub fn summary(&mut self, records: u64, batches: u64, requests: u64) {
        let per_batch = if batches == 0 {
            "-".to_string()
        } else {
            format!("{:.2}", records as f64 / batches as f64)
        };
        let text = trf(
            self.lang,
            "serve.summary",
            &[
                ("records", &records.to_string()),
                ("batches", &batches.to_string()),
                ("per_batch", &per_batch),
                ("requests", &requests.to_string()),
            ],
        );
        self.raw(&text);
    }
}
