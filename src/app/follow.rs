//! Following a record (`F`, `#`, `a`): picking it, and what the flow view highlights for
//! it (`journey::Journey`).

use super::journey::{Journey, Origin};
use super::keys::Action;
use super::narrate::Level;
use super::{App, Said};
use crate::i18n::{tr, trf};
use crate::sim::view::{BatchId, RecordId, RequestId};

impl App {
    /// The record being followed, if any.
    pub fn follow_target(&self) -> Option<RecordId> {
        self.follow.as_ref().map(Journey::record)
    }
    /// Its batch while it is in the accumulator or in a request.
    pub fn follow_batch(&self) -> Option<BatchId> {
        self.follow.as_ref().and_then(Journey::batch)
    }
    /// The request carrying it while one is in flight.
    pub fn follow_request(&self) -> Option<RequestId> {
        self.follow.as_ref().and_then(Journey::request)
    }
    /// (partition, offset) once a leader appended it.
    pub fn follow_offset(&self) -> Option<(u32, i64)> {
        self.follow
            .as_ref()
            .and_then(|j| j.offset().map(|o| (j.partition(), o)))
    }

    /// The record id being typed, on the status line.
    pub(super) fn show_entry(&mut self) {
        let text = self.follow_entry.clone().unwrap_or_default();
        self.say(Level::Info, |lang| {
            trf(lang, "journey.status.prompt", &[("text", &text)])
        });
    }

    /// Follows a record already sent, from what the simulation holds now (`hint`: its
    /// partition and offset from a ledger example, for a record the producer forgot); says
    /// why not on the status line when nothing is known of it.
    pub(super) fn follow_record(
        &mut self,
        r: RecordId,
        origin: Origin,
        hint: Option<(u32, Option<i64>)>,
    ) {
        self.follow_armed = false;
        let sent = self.sim.view().records().len() as u64;
        match Journey::join(&self.sim.view(), r, origin, &self.sends, hint) {
            Some(j) => {
                self.follow = Some(j);
                self.follow_cause = None;
                if origin == Origin::ById {
                    self.say(Level::Info, |lang| {
                        trf(lang, "journey.status.joined", &[("r", &r.to_string())])
                    });
                }
            }
            None if u64::from(r) >= sent => self.say(Level::Warn, |lang| {
                trf(lang, "journey.status.not_sent", &[("r", &r.to_string())])
            }),
            None => self.say(Level::Warn, |lang| {
                trf(lang, "journey.status.forgotten", &[("r", &r.to_string())])
            }),
        }
    }

    /// `a`: follows the newest anomaly among the ledger's examples (the highest record id:
    /// the report keeps, per verdict, the examples of the smallest ids, so this is the
    /// newest of those kept) and says its cause in full.
    pub(super) fn follow_anomaly(&mut self) {
        // The panel's report may be a quarter of a second old: ask for a fresh one (in a
        // lesson the refresh also judges the goals, so the lesson keeps its own rhythm).
        if self.lesson.is_none() {
            self.refresh_ledger();
        }
        let Some(ex) = self
            .ledger
            .examples
            .iter()
            .filter(|e| e.verdict.is_anomaly())
            .max_by_key(|e| e.record)
            .cloned()
        else {
            self.say(Level::Info, |lang| {
                tr(lang, "journey.status.no_anomaly").into()
            });
            return;
        };
        self.follow_record(
            ex.record,
            Origin::Anomaly(ex.verdict),
            Some((ex.partition, ex.offset)),
        );
        let r = ex.record.to_string();
        let words = |lang| {
            let verdict = tr(lang, &format!("verdict.{}", ex.verdict.name())).to_string();
            let cause = crate::i18n::describe::explanation(lang, &ex.cause);
            let key = if cause.is_empty() {
                "journey.status.anomaly_no_cause"
            } else {
                "journey.status.anomaly"
            };
            trf(
                lang,
                key,
                &[("r", &r), ("verdict", &verdict), ("cause", &cause)],
            )
        };
        // On the status line, and in full above the journey while it is followed.
        self.follow_cause = Some(Said::new(words));
        self.say(Level::Bad, words);
    }

    /// The keys that pick a record to follow.
    pub(super) fn follow_action(&mut self, action: Action) {
        match action {
            Action::FollowNext => {
                self.follow_armed = true;
                self.follow_cause = None;
                self.say(Level::Info, |lang| tr(lang, "journey.status.armed").into());
            }
            Action::FollowById => {
                self.follow_entry = Some(String::new());
                self.show_entry();
            }
            Action::FollowDigit(c) => {
                if let Some(s) = &mut self.follow_entry {
                    // A record id is a u32: ten digits.
                    if c.is_ascii_digit() && s.len() < 10 {
                        s.push(c);
                    }
                }
                self.show_entry();
            }
            Action::FollowBackspace => {
                if let Some(s) = &mut self.follow_entry {
                    s.pop();
                }
                self.show_entry();
            }
            Action::FollowCommit => {
                if let Some(s) = self.follow_entry.take() {
                    match s.parse::<RecordId>() {
                        Ok(r) => self.follow_record(r, Origin::ById, None),
                        Err(_) => self.say(Level::Warn, |lang| {
                            trf(lang, "journey.status.bad_id", &[("text", &s)])
                        }),
                    }
                }
            }
            Action::FollowAnomaly => self.follow_anomaly(),
            _ => {}
        }
    }
}
