//! Time travel: the session's command log, checkpoints, rewinding and the timeline's markers.
//!
//! The simulation is deterministic, so the world at virtual time t is a function of the
//! scenario and the commands given before t. Rewinding rebuilds it by replay, but not from
//! zero: a classroom session of ten minutes is over a million events, and replaying them
//! all costs most of a second. Every [`CHECKPOINT_EVENTS`] events the app keeps a copy of
//! everything the screen is drawn from (the `Sim` and what the trace built: the event log,
//! the flow view's memory, the followed record); a rewind restores the latest copy before
//! the target and replays at most that many events. Copies are thinned (every other one
//! dropped) past [`MAX_CHECKPOINTS`], so memory stays bounded however long the session runs,
//! and the replay cost grows only in the far past.
//!
//! Commands are applied the same way live and in replay: once every event due at their
//! instant has happened (`Sim::advance_to` then `Sim::apply`), which is also what
//! `Sim::schedule` does for a saved scenario run headless.

use super::journey::{Journey, Sends};
use super::lesson::LessonState;
use super::memory::FlowMemory;
use super::metrics::Metrics;
use super::narrate::LogEntry;
use super::{App, Level};
use crate::i18n::{tr, trf};
use crate::scenarios::{Beat, BeatWhen, Moment};
use crate::sim::{Command, Sim, SimDuration, SimTime, TraceEvent};
use std::collections::VecDeque;

/// Events between two checkpoints: at about 1.5 million events a second (release), a
/// rewind replays at most ~35 ms.
pub const CHECKPOINT_EVENTS: u64 = 50_000;
/// Checkpoints kept; past this every other one goes (the first, time 0, always stays) and
/// the interval doubles, so copies stay evenly spread over the session.
pub const MAX_CHECKPOINTS: usize = 64;
/// The records all copies may hold together (`Sim::retained_records`; a record costs some
/// 100 bytes across the producer, the ledger and three replicas' logs): about 400 MB. A
/// classroom session of ten minutes at 200 records/s holds a few thousand per copy; the
/// sandbox at full speed with a lagging consumer holds millions, and is thinned.
pub const CHECKPOINT_RECORDS: u64 = 4_000_000;

/// A command of the session, at the virtual time it took effect.
#[derive(Clone, Debug, PartialEq)]
pub struct Logged {
    pub t: SimTime,
    pub command: Command,
    /// Part of the scenario file (kept when a new future starts), not typed by a key.
    pub scripted: bool,
}

/// What a timeline marker stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MarkerKind {
    Fault,
    Setting,
    Moment(Moment),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Marker {
    pub t: SimTime,
    pub kind: MarkerKind,
}

/// Everything the screen is drawn from that the trace builds over time.
#[derive(Clone)]
struct Snapshot {
    sim: Sim,
    log: VecDeque<LogEntry>,
    memory: FlowMemory,
    metrics: Metrics,
    last_send: Option<(u32, u32, crate::sim::trace::PartitionChoice, SimTime)>,
    follow: Option<Journey>,
    sends: Sends,
}

#[derive(Clone)]
struct Checkpoint {
    /// Commands of the log applied in this copy.
    next: usize,
    /// Records the copy holds (`Sim::retained_records`).
    weight: u64,
    snapshot: Snapshot,
}

/// The session's history.
#[derive(Default)]
pub struct Timeline {
    /// Every command of the session, by time (the file's order within an instant).
    pub commands: Vec<Logged>,
    /// The first command not applied in the world on screen.
    pub next: usize,
    /// Markers up to the horizon, sorted.
    pub markers: Vec<Marker>,
    /// The furthest virtual time this future has reached.
    pub horizon: SimTime,
    /// The scenario's beats, and whether each has played in this world.
    pub beats: Vec<(Beat, bool)>,
    /// How long the story is known to run (a scenario's `until`): the bar spans it.
    pub span: SimTime,
    checkpoints: Vec<Checkpoint>,
    /// Events between two checkpoints (0 = [`CHECKPOINT_EVENTS`]).
    every: u64,
}

impl Timeline {
    /// A fresh history for a world at time 0 with these scripted commands and beats.
    pub fn new(scripted: &[(SimTime, Command)], beats: &[Beat]) -> Timeline {
        let mut commands: Vec<Logged> = scripted
            .iter()
            .map(|(t, command)| Logged {
                t: *t,
                command: command.clone(),
                scripted: true,
            })
            .collect();
        commands.sort_by_key(|c| c.t);
        let markers = commands.iter().map(marker_of).collect();
        Timeline {
            commands,
            markers,
            beats: beats.iter().map(|b| (b.clone(), false)).collect(),
            ..Timeline::default()
        }
    }

    /// The scripted commands and beats, to start the same story again.
    pub fn script(&self) -> (Vec<(SimTime, Command)>, Vec<Beat>) {
        (
            self.commands
                .iter()
                .filter(|c| c.scripted)
                .map(|c| (c.t, c.command.clone()))
                .collect(),
            self.beats.iter().map(|(b, _)| b.clone()).collect(),
        )
    }

    /// Side B's history (`ab.rs`): the commands of this one that B shares, at their times
    /// and keeping whether the scenario gave them (those A has not reached yet too: B plays
    /// them when A does), without beats: A's story pauses both.
    pub(super) fn for_side_b(&self, shares: impl Fn(&Command) -> bool) -> Timeline {
        let commands: Vec<Logged> = self
            .commands
            .iter()
            .filter(|c| shares(&c.command))
            .cloned()
            .collect();
        Timeline {
            markers: commands.iter().map(marker_of).collect(),
            commands,
            span: self.span,
            ..Timeline::default()
        }
    }

    /// Checkpoints every `events` events instead of [`CHECKPOINT_EVENTS`] (tests use a
    /// small number so that rewinds restore copies taken mid-run).
    pub fn set_checkpoint_every(&mut self, events: u64) {
        self.every = events;
    }

    /// Copies of the world kept.
    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    fn every(&self) -> u64 {
        if self.every == 0 {
            CHECKPOINT_EVENTS
        } else {
            self.every
        }
    }

    fn mark(&mut self, marker: Marker) {
        if let Err(i) = self.markers.binary_search(&marker) {
            self.markers.insert(i, marker);
        }
    }

    fn has_moment(&self, m: Moment) -> bool {
        self.markers.iter().any(|k| k.kind == MarkerKind::Moment(m))
    }

    /// The next command due at or before `t`, if any.
    fn due(&self, t: SimTime) -> Option<&Logged> {
        self.commands.get(self.next).filter(|c| c.t <= t)
    }

    /// The time of the next beat at a time not played yet.
    fn next_timed_beat(&self) -> Option<SimTime> {
        self.beats
            .iter()
            .filter(|(_, played)| !played)
            .filter_map(|(b, _)| match b.when {
                BeatWhen::At(t) => Some(t),
                BeatWhen::First(_) => None,
            })
            .min()
    }

    /// Markers before / after `now`, for the jump keys.
    pub fn previous_marker(&self, now: SimTime) -> Option<Marker> {
        self.markers.iter().rev().find(|m| m.t < now).copied()
    }

    pub fn next_marker(&self, now: SimTime) -> Option<Marker> {
        self.markers.iter().find(|m| m.t > now).copied()
    }
}

impl MarkerKind {
    /// What the marker stands for, in words.
    pub fn words(self, lang: crate::i18n::Lang) -> String {
        let key = match self {
            MarkerKind::Fault => "time.marker.fault".to_string(),
            MarkerKind::Setting => "time.marker.setting".to_string(),
            MarkerKind::Moment(m) => format!("time.marker.{}", m.name().replace('-', "_")),
        };
        tr(lang, &key).to_string()
    }
}

fn marker_of(c: &Logged) -> Marker {
    Marker {
        t: c.t,
        kind: match c.command {
            Command::Fault { .. } => MarkerKind::Fault,
            Command::Set { .. } | Command::SetRate { .. } => MarkerKind::Setting,
        },
    }
}

impl App {
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            sim: self.sim.clone(),
            log: self.log.clone(),
            memory: self.memory.clone(),
            metrics: self.metrics.clone(),
            last_send: self.last_send,
            follow: self.follow.clone(),
            sends: self.sends.clone(),
        }
    }

    fn restore(&mut self, s: Snapshot) {
        self.sim = s.sim;
        self.log = s.log;
        self.memory = s.memory;
        self.metrics = s.metrics;
        self.last_send = s.last_send;
        self.follow = s.follow;
        self.sends = s.sends;
    }

    /// Starts the history of the world just built (time 0).
    pub(super) fn start_timeline(&mut self, timeline: Timeline) {
        self.timeline = timeline;
        self.checkpoint();
    }

    /// Keeps a copy of the world if enough happened since the last one.
    fn maybe_checkpoint(&mut self) {
        // Live time never rewinds (`live.rs`): copies would only cost memory.
        if self.live.is_some() {
            return;
        }
        let last = self
            .timeline
            .checkpoints
            .last()
            .map_or(0, |c| c.snapshot.sim.events());
        let newest = self
            .timeline
            .checkpoints
            .last()
            .is_none_or(|c| c.snapshot.sim.now() < self.sim.now());
        if newest && self.sim.events() >= last + self.timeline.every() {
            self.checkpoint();
        }
    }

    fn checkpoint(&mut self) {
        let cp = Checkpoint {
            next: self.timeline.next,
            weight: self.sim.retained_records(),
            snapshot: self.snapshot(),
        };
        let tl = &mut self.timeline;
        tl.checkpoints.push(cp);
        let heavy =
            |cps: &[Checkpoint]| cps.iter().map(|c| c.weight).sum::<u64>() > CHECKPOINT_RECORDS;
        while tl.checkpoints.len() > 2
            && (tl.checkpoints.len() > MAX_CHECKPOINTS || heavy(&tl.checkpoints))
        {
            // Keep the first and every other one after it, and take them half as often.
            let mut i = 0;
            tl.checkpoints.retain(|_| {
                i += 1;
                i == 1 || i % 2 == 0
            });
            tl.every = tl.every().saturating_mul(2);
        }
    }

    /// Runs the world to `target` (or until `budget` events), applying the session's commands
    /// at their times. Returns false when the budget ran out first.
    pub(super) fn advance_world(&mut self, target: SimTime, budget: Option<u64>) -> bool {
        let target = match self.timeline.next_timed_beat() {
            Some(b) if b <= target && b >= self.sim.now() => b,
            _ => target,
        };
        // A lesson's question holds the world until it is answered.
        let target = match self.lesson.as_ref().and_then(LessonState::hold) {
            Some(h) if h <= target => h.max(self.sim.now()),
            _ => target,
        };
        while let Some(c) = self.timeline.due(target).cloned() {
            if !self.run_to(c.t, budget) {
                return false;
            }
            // Keys' commands entered the log only once applied; a scenario's may still be
            // refused by the settings in force then (as `Sim::schedule` traces it headless).
            if let Err(e) = self.sim.apply(c.command) {
                self.say_text(Level::Bad, e);
            }
            self.timeline.next += 1;
            self.absorb_trace();
        }
        let done = self.run_to(target, budget);
        let now = self.sim.now();
        if now > self.timeline.horizon {
            self.timeline.horizon = now;
        }
        self.maybe_checkpoint();
        self.play_beats();
        self.hold_for_question();
        done
    }

    /// Holds the world at a lesson question's hold until the learner answers: paused, the
    /// narration line saying why.
    fn hold_for_question(&mut self) {
        let Some(h) = self.lesson.as_ref().and_then(LessonState::hold) else {
            return;
        };
        if self.sim.now() < h || self.beat_caption.is_some() {
            return;
        }
        self.paused = true;
        self.settle_screen();
        self.beat_caption = Some(crate::lesson::Text {
            en: crate::i18n::tr(crate::i18n::Lang::En, "course.held").to_string(),
            zh: crate::i18n::tr(crate::i18n::Lang::Zh, "course.held").to_string(),
        });
    }

    fn run_to(&mut self, t: SimTime, budget: Option<u64>) -> bool {
        let done = if let Some(b) = budget {
            self.sim.advance_to_budget(t, b)
        } else {
            // Checkpoints also along a long replay or a jump forward.
            while self.sim.next_event_time().is_some_and(|next| next <= t) {
                let stop = self.sim.events() + self.timeline.every();
                while self.sim.events() < stop && self.sim.step_until(t) {}
                self.sim.prune_flights();
                self.absorb_trace();
                self.maybe_checkpoint();
            }
            self.sim.advance_to(t);
            true
        };
        self.sim.prune_flights();
        self.absorb_trace();
        done
    }

    /// A moment seen in the trace: a marker, and maybe a beat.
    pub(super) fn on_moment(&mut self, t: SimTime, event: &TraceEvent) {
        let Some(m) = Moment::of(event) else { return };
        if m == Moment::LeaderElected && t == SimTime::ZERO {
            // The cluster's first elections, before anything happened: not a story.
            return;
        }
        self.timeline.mark(Marker {
            t,
            kind: MarkerKind::Moment(m),
        });
        self.seen_moments.push(m);
    }

    /// Ledger counts went from zero to more: the first loss / duplicate is now.
    pub(super) fn on_ledger(&mut self) {
        let now = self.sim.now();
        for (m, n) in [
            (
                Moment::FirstLoss,
                self.ledger.lost.broker + self.ledger.lost.consumer,
            ),
            (
                Moment::FirstDuplicate,
                self.ledger.duplicated.log + self.ledger.duplicated.processing,
            ),
        ] {
            if n > 0 && !self.timeline.has_moment(m) {
                self.timeline.mark(Marker {
                    t: now,
                    kind: MarkerKind::Moment(m),
                });
                self.seen_moments.push(m);
            }
        }
    }

    /// Pauses at a beat whose time has come or whose moment happened, with its caption.
    fn play_beats(&mut self) {
        let now = self.sim.now();
        let seen = std::mem::take(&mut self.seen_moments);
        let due = self.timeline.beats.iter().position(|(b, played)| {
            !played
                && match b.when {
                    BeatWhen::At(t) => t <= now,
                    BeatWhen::First(m) => seen.contains(&m),
                }
        });
        if let Some(i) = due {
            self.timeline.beats[i].1 = true;
            let n = (i + 1).to_string();
            let of = self.timeline.beats.len().to_string();
            self.beat_caption = Some(self.timeline.beats[i].0.caption.clone());
            self.paused = true;
            self.settle_screen();
            self.say(Level::Info, |lang| {
                trf(lang, "time.beat", &[("n", &n), ("of", &of)])
            });
        }
    }

    /// A command given now by a key: applied and logged. After a rewind it starts a new
    /// future: the old one's commands (not the scenario's), markers and copies go.
    pub(super) fn apply_command(
        &mut self,
        command: Command,
    ) -> Result<crate::sim::Applied, String> {
        // What is due at this instant happens first, as in a replay.
        let now = self.sim.now();
        self.sim.advance_to(now);
        self.absorb_trace();
        let result = self.sim.apply(command.clone())?;
        let discarded = self.new_future(now);
        let logged = Logged {
            t: now,
            command,
            scripted: false,
        };
        self.timeline.mark(marker_of(&logged));
        let at = self.timeline.next;
        self.timeline.commands.insert(at, logged);
        self.timeline.next += 1;
        self.absorb_trace();
        self.future_discarded |= discarded;
        Ok(result)
    }

    /// Drops what lies after `now` in this history (the keys' commands, markers, copies);
    /// a scenario's own commands stay, with their markers. Returns whether anything watched
    /// lay there.
    fn new_future(&mut self, now: SimTime) -> bool {
        let tl = &mut self.timeline;
        if tl.horizon <= now {
            return false;
        }
        let next = tl.next;
        let mut i = 0;
        tl.commands.retain(|c| {
            i += 1;
            i <= next || c.scripted
        });
        let kept: Vec<Marker> = tl.commands[next..].iter().map(marker_of).collect();
        tl.markers.retain(|m| m.t <= now || kept.contains(m));
        tl.checkpoints.retain(|c| c.snapshot.sim.now() <= now);
        tl.horizon = now;
        true
    }

    /// Goes back (or forward) to virtual time `target`: the world as it was then, paused.
    pub fn seek(&mut self, target: SimTime) {
        self.beat_caption = None;
        let now = self.sim.now();
        // The latest copy at or before the target; going forward, only one ahead of the
        // screen is worth restoring (every copy belongs to this future: a new one drops
        // those after it).
        let cp = self
            .timeline
            .checkpoints
            .iter()
            .rev()
            .find(|c| c.snapshot.sim.now() <= target)
            .filter(|c| target < now || c.snapshot.sim.now() > now)
            .cloned();
        if target >= now && cp.is_none() {
            self.advance_world(target, None);
        } else {
            let Some(cp) = cp else { return };
            self.restore(cp.snapshot);
            self.timeline.next = cp.next;
            for (b, played) in &mut self.timeline.beats {
                if let BeatWhen::At(t) = b.when {
                    *played = t <= target;
                }
            }
            self.seen_moments.clear();
            self.advance_world(target, None);
            // Beats of moments replayed before the target have played.
            self.seen_moments.clear();
        }
        self.paused = true;
        self.settle_screen();
        // Side B of an A/B comparison goes where A went.
        if self.ab.is_some() {
            self.sync_ab();
            self.refresh_ledger();
        }
    }

    /// Back to the instant of the event before the current one (the reverse of `.`).
    pub fn step_back(&mut self) {
        let now = self.sim.now();
        if now == SimTime::ZERO {
            return;
        }
        let before = SimTime(now.0 - 1);
        self.seek(before);
        let last = self.sim.last_event_time();
        if last < before {
            self.seek(last);
        }
    }

    /// Moves by `d` of virtual time, back or forward.
    pub fn skip(&mut self, d: SimDuration, back: bool) {
        let now = self.sim.now();
        let target = if back {
            SimTime(now.0.saturating_sub(d.0))
        } else {
            now + d
        };
        self.seek(target);
        if self.beat_caption.is_some() {
            return;
        }
        self.say(Level::Info, |lang| {
            trf(
                lang,
                if back { "time.back" } else { "time.forward" },
                &[("d", &d.to_string()), ("t", &target.to_string())],
            )
        });
    }

    /// Jumps to the previous / next marker.
    pub fn jump_marker(&mut self, forward: bool) {
        let now = self.sim.now();
        let m = if forward {
            self.timeline.next_marker(now)
        } else {
            self.timeline.previous_marker(now)
        };
        match m {
            Some(m) => {
                self.seek(m.t);
                if self.beat_caption.is_some() {
                    return;
                }
                let t = m.t.to_string();
                self.say(Level::Info, |lang| {
                    trf(
                        lang,
                        "time.at_marker",
                        &[("what", &m.kind.words(lang)), ("t", &t)],
                    )
                });
            }
            None => self.say(Level::Info, |lang| {
                tr(
                    lang,
                    if forward {
                        "time.no_marker_ahead"
                    } else {
                        "time.no_marker_before"
                    },
                )
                .to_string()
            }),
        }
    }

    /// After a jump or a pause: the ledger and the narration say exactly what the world is
    /// now (live, they refresh a few times a second and hold a line to be read).
    pub(super) fn settle_screen(&mut self) {
        self.refresh_ledger();
        self.narration.update(&self.log, self.frame, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn every_marker_has_words_in_both_languages() {
        let kinds = [MarkerKind::Fault, MarkerKind::Setting]
            .into_iter()
            .chain(Moment::ALL.into_iter().map(MarkerKind::Moment));
        for k in kinds {
            let (en, zh) = (k.words(Lang::En), k.words(Lang::Zh));
            assert!(!en.starts_with("time.") && en != zh, "{k:?}: {en} / {zh}");
        }
    }
}
