//! A/B: a second world beside the one on screen, on the same seed, the same workload and
//! the same timed commands, differing only in the settings chosen for side B (`b`).
//!
//! Side B is a whole [`App`], so the flow view draws it exactly as it draws side A. It is
//! built from side A's starting configuration with B's settings on top and replays every
//! command of A's timeline (the scenario's and the keys'), except a change of a setting B
//! fixes. From then on it follows A: after every key and every frame it is brought to A's
//! virtual time (forward by running, back by its own checkpoints), and a command given by a
//! key now is given to both. So a fault injected by key hits both sides at the same virtual
//! instant, a rewind rewinds both, and `0` restarts both.

use super::journey::Origin;
use super::{App, Level, Said};
use crate::i18n::{Lang, tr, trf};
use crate::sim::Command;
use crate::sim::summary::Summary;
use crate::sim::view::LedgerReport;

/// The longest text the `b` prompt takes (a handful of settings).
pub const PROMPT_MAX: usize = 200;

/// Side B and what the difference panel shows.
pub struct Versus {
    /// Side B: a whole app, drawn by the same flow view as side A.
    pub b: Box<App>,
    /// B's settings by Kafka's names, in the order given (one per name, the last winning).
    pub settings: Vec<(String, String)>,
    /// Both sides' figures at the last refresh (A, B).
    pub figures: Option<(Summary, Summary)>,
    /// The record B was last asked to follow (tried once per record: B may not know it).
    followed: Option<u32>,
}

impl Versus {
    /// Whether a command given on side A is given to B too: everything but a change of a
    /// setting B fixes (B is "A with these settings": a key turning one of them turns A's).
    fn shares(&self, command: &Command) -> bool {
        match command {
            Command::Set { name, .. } => !self.fixes(name),
            Command::Fault { .. } | Command::SetRate { .. } => true,
        }
    }

    /// Whether B fixes the setting `name`.
    pub fn fixes(&self, name: &str) -> bool {
        self.settings.iter().any(|(n, _)| n == name)
    }

    /// `acks=all linger.ms=5`: B's settings as typed.
    pub fn label_b(&self) -> String {
        join(&self.settings)
    }
}

fn join(settings: &[(String, String)]) -> String {
    settings
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `acks=all linger.ms=5` → `[("acks", "all"), ("linger.ms", "5")]`, one per name (the last
/// of a name winning, as with `--set`).
pub fn parse_settings(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for word in text.split_whitespace() {
        let (name, value) = crate::sim::config::parse_assignment(word)?;
        out.retain(|(n, _)| n != name);
        out.push((name.to_string(), value.to_string()));
    }
    Ok(out)
}

impl App {
    /// `acks=1 linger.ms=0`: side A's current values of the settings B fixes.
    pub fn label_a(&self) -> String {
        let Some(ab) = &self.ab else {
            return String::new();
        };
        let settings: Vec<(String, String)> = ab
            .settings
            .iter()
            .map(|(n, _)| (n.clone(), self.sim.config().get(n).unwrap_or_default()))
            .collect();
        join(&settings)
    }

    /// Opens (or replaces) the comparison with side B's `settings`; none closes it. Side B
    /// is brought to side A's virtual time at once.
    pub fn open_ab(&mut self, settings: Vec<(String, String)>) -> Result<(), Said> {
        if self.lesson.is_some() {
            return Err(Said::new(|lang| tr(lang, "ab.not_in_lesson").to_string()));
        }
        if settings.is_empty() {
            self.close_ab();
            return Ok(());
        }
        let (config, workload, seed) = self.base.clone();
        let mut config = config;
        for (name, value) in &settings {
            config.set(name, value).map_err(|e| {
                Said::new(|lang| {
                    trf(
                        lang,
                        "ab.refused",
                        &[("reason", &crate::i18n::describe::set_error(lang, &e))],
                    )
                })
            })?;
        }
        // A clash across settings (`enable.idempotence=true` with `acks=1`) keeps Kafka's
        // own English message, as the knobs' refusals do.
        let clash =
            |e: String| Said::new(|lang| trf(lang, "ab.refused", &[("reason", e.as_str())]));
        config.validate().map_err(|e| clash(e.to_string()))?;
        let mut b =
            App::with(config, workload, seed, self.lang, self.theme.clone()).map_err(clash)?;
        b.knobs.clone_from(&self.knobs);
        let mut ab = Versus {
            b: Box::new(b),
            settings,
            figures: None,
            followed: None,
        };
        let timeline = self.timeline.for_side_b(|c| ab.shares(c));
        ab.b.start_timeline(timeline);
        self.ab = Some(ab);
        self.sync_ab();
        self.refresh_ledger();
        let label = self.ab.as_ref().map(Versus::label_b).unwrap_or_default();
        self.say(Level::Good, |lang| trf(lang, "ab.opened", &[("b", &label)]));
        Ok(())
    }

    /// Back to side A alone.
    pub fn close_ab(&mut self) {
        if self.ab.take().is_some() {
            self.say(Level::Info, |lang| tr(lang, "ab.closed").to_string());
        }
    }

    /// Brings side B to side A's virtual time and state: forward by running, back by its
    /// checkpoints; paused, speed, language and look as A's.
    pub(super) fn sync_ab(&mut self) {
        let now = self.sim.now();
        let Some(ab) = &mut self.ab else { return };
        let b = &mut ab.b;
        b.lang = self.lang;
        b.theme.clone_from(&self.theme);
        b.glyphs = self.glyphs.clone();
        b.speed = self.speed;
        b.frame = self.frame;
        b.focus = self.focus;
        b.paused = self.paused;
        if b.sim.now() > now {
            b.seek(now);
        } else if b.sim.now() < now {
            b.advance_world(now, None);
            if self.paused {
                // Stepped: B's narration says what B is now (its ledger comes with A's,
                // `refresh_ab`).
                b.narration.update(&b.log, b.frame, true);
            }
        }
        // A seek pauses B; a beat or a question pauses A: B is as A is.
        b.paused = self.paused;
        b.status = None;
        // The same record on both sides: B follows what A follows.
        let target = self.follow.as_ref().map(super::journey::Journey::record);
        if target.is_none() {
            b.follow = None;
            ab.followed = None;
        } else if target != ab.followed && b.follow_target() != target {
            if let Some(r) = target {
                b.follow_record(r, Origin::ById, None);
                b.status = None;
            }
            ab.followed = target;
        }
    }

    /// Both sides' figures for the difference panel, and each side's ledger from them: one
    /// ledger pass a side, a few times a second (`refresh_ledger`). Returns A's ledger.
    pub(super) fn refresh_ab(&mut self) -> LedgerReport {
        let a = Summary::of(&self.sim);
        let ledger = a.ledger.clone();
        if let Some(ab) = &mut self.ab {
            let b = Summary::of(&ab.b.sim);
            ab.b.take_ledger(b.ledger.clone());
            ab.b.metrics.sample(ab.b.sim.now());
            ab.figures = Some((a, b));
        }
        ledger
    }

    /// A command given now on side A goes to B as well, unless B fixes its setting; B's
    /// refusal (a fault B's topology has no target for) is said after A's news.
    pub(super) fn mirror_command(&mut self, command: &Command) {
        let now = self.sim.now();
        let Some(ab) = &mut self.ab else { return };
        if !ab.shares(command) {
            if let Command::Set { name, .. } = command {
                let name = name.clone();
                let before = self.status.take();
                self.status = Some((
                    before.as_ref().map_or(Level::Info, |(l, _)| *l),
                    Said::new(|lang| {
                        let kept = trf(lang, "ab.b_keeps", &[("name", &name)]);
                        match &before {
                            Some((_, s)) => format!("{} · {kept}", s.get(lang)),
                            None => kept,
                        }
                    }),
                ));
            }
            return;
        }
        // B is at A's time after every key and frame; a command comes within one.
        if ab.b.sim.now() < now {
            ab.b.advance_world(now, None);
        }
        if let Err(e) = ab.b.apply_command(command.clone()) {
            let before = self.status.take();
            self.status = Some((
                Level::Bad,
                Said::new(|lang| {
                    let refused = trf(lang, "ab.b_refused", &[("reason", &e)]);
                    match &before {
                        Some((_, s)) => format!("{} · {refused}", s.get(lang)),
                        None => refused,
                    }
                }),
            ));
        }
    }

    /// The text the `b` prompt opens with: B's settings when a comparison is open, else the
    /// selected knob's name, ready for its value.
    pub(super) fn ab_prompt_start(&self) -> String {
        match &self.ab {
            Some(ab) => ab.label_b(),
            None => self
                .knobs
                .get(self.knob)
                .filter(|k| k.name != super::knobs::RATE)
                .map_or_else(String::new, |k| format!("{}=", k.name)),
        }
    }

    /// Enter in the `b` prompt: opens the comparison, or says what is wrong and keeps the
    /// prompt open with the text.
    pub(super) fn commit_ab_prompt(&mut self, text: &str) -> bool {
        match parse_settings(text) {
            Ok(settings) => match self.open_ab(settings) {
                Ok(()) => true,
                Err(said) => {
                    self.status = Some((Level::Bad, said));
                    false
                }
            },
            Err(e) => {
                self.status = Some((
                    Level::Bad,
                    Said::new(|lang| trf(lang, "ab.refused", &[("reason", e.as_str())])),
                ));
                false
            }
        }
    }
}

/// Words for a side's name in the difference panel and the pane titles.
pub fn side_name(lang: Lang, b: bool) -> &'static str {
    tr(lang, if b { "ab.side_b" } else { "ab.side_a" })
}

#[cfg(test)]
mod tests {
    use super::parse_settings;

    #[test]
    fn settings_are_words_of_name_equals_value_the_last_of_a_name_winning() {
        let s = parse_settings(" acks=all  linger.ms=5 acks=1 ").unwrap();
        assert_eq!(
            s,
            vec![
                ("linger.ms".to_string(), "5".to_string()),
                ("acks".to_string(), "1".to_string())
            ]
        );
        assert!(parse_settings("acks").is_err());
        assert!(parse_settings("=5").is_err());
        assert!(parse_settings("   ").unwrap().is_empty());
    }
}
