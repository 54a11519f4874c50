//! `kafka-flow --listen`: the TUI with listeners for real Kafka clients. The app owns the
//! simulation; the server's world (`serve::world::World`) borrows it every frame and on a
//! short timer between frames (`App::pump_live`), so a real client's request is answered
//! within milliseconds and its batches land in the same partition logs the flow view draws.
//!
//! Live time: while listening the clock follows the wall clock at 1×. A connected client
//! counts on that clock (request.timeout.ms, session.timeout.ms, linger), so whatever would
//! stop it, speed it up or send it back (pause, speed, step, rewind, restart, A/B, opening
//! a lesson), or save it as a scenario that could not replay them, is refused with the
//! reason on the status line; faults by key are not, and hit the real clients too (a dead
//! broker closes its sockets).

use super::keys::Action;
use super::{App, AppOptions, Level, TUI_RATE, speed_index};
use crate::headless::CliError;
use crate::i18n::{Lang, tr};
use crate::scenario::{Scenario, WorkloadSpec};
use crate::serve::net::ToWorld;
use crate::serve::verdict::RealVerdicts;
use crate::serve::view::ClientsView;
use crate::serve::world::World;
use crate::serve::{ServeOptions, listen};
use crate::sim::{SimDuration, SimTime};
use std::collections::VecDeque;
use std::sync::mpsc::Receiver;
use std::time::Instant;

/// World log lines kept for the real-clients panel.
const LINES: usize = 64;

/// Where live time comes from.
enum Clock {
    /// The wall clock: virtual time is `base` plus the wall time since `epoch`.
    Wall { epoch: Instant, base: SimTime },
    /// Frame ticks only, at 1× (tests: a screen at a chosen virtual time).
    Ticks,
}

/// The listeners and what the screen shows of the real clients.
pub struct Live {
    world: World,
    rx: Receiver<ToWorld>,
    clock: Clock,
    /// What the clients look like, refreshed whenever the world did something.
    pub view: ClientsView,
    /// The world's log lines (connections, the topic, groups), oldest first, already in
    /// words: the language they were said in stays.
    pub lines: VecDeque<(Option<SimTime>, String)>,
    /// What became of the real producers' acknowledged records, and when it was judged
    /// (virtual time): judging reads every acknowledged record, so twice a second at most.
    pub verdicts: RealVerdicts,
    judged: Option<SimTime>,
}

/// How often the real records are judged again when nothing else changed.
const JUDGE_EVERY: SimDuration = SimDuration(500_000);

impl Live {
    /// Connections open now.
    pub fn connected(&self) -> usize {
        self.view.connections.len()
    }

    fn take_lines(&mut self) -> bool {
        let new = self.world.log_lines();
        let any = !new.is_empty();
        for l in new {
            if self.lines.len() == LINES {
                self.lines.pop_front();
            }
            self.lines.push_back(l);
        }
        any
    }
}

/// The actions live time refuses, each with the words that say why.
fn refused(action: &Action) -> Option<&'static str> {
    Some(match action {
        Action::TogglePause | Action::Step => "live.refused.pause",
        Action::Faster | Action::Slower => "live.refused.speed",
        Action::StepBack | Action::Skip { .. } | Action::Marker { .. } => "live.refused.rewind",
        Action::Reset => "live.refused.restart",
        Action::OpenCompare => "live.refused.ab",
        Action::OpenHome => "live.refused.home",
        // A saved scenario replays the simulation alone: the real clients' requests came
        // from sockets, and a file would keep the world without them.
        Action::Save => "live.refused.save",
        _ => return None,
    })
}

impl App {
    /// The sandbox for real clients: the built-in world with the user's options, but no
    /// simulated producer (0 records) and no simulated consumer unless `--set consumers=N`
    /// asks, as `kafka-flow serve` does.
    pub fn for_listening(opts: &AppOptions) -> Result<App, CliError> {
        let mut world = opts.world.clone();
        world.set.insert(0, "consumers=0".to_string());
        world
            .set
            .insert(0, "group.initial.rebalance.delay.ms=0".to_string());
        // No simulated producer: it stays open and idle (closing it would be the only event
        // on screen before a real client arrives).
        let workload = WorkloadSpec {
            records: 0,
            rate: TUI_RATE,
            close_when_done: false,
            ..WorkloadSpec::notes_loop()
        };
        let s = Scenario::builtin(&world, &workload).map_err(CliError::BadInput)?;
        let lang = opts.lang.unwrap_or_else(Lang::from_env);
        let mut app = App::with(
            s.config,
            s.workload,
            s.seed,
            lang,
            crate::ui::theme::Theme::from_env(),
        )
        .map_err(CliError::BadInput)?;
        app.sandbox_args = opts.world.clone();
        Ok(app)
    }

    /// Binds the listeners (one per broker) and switches to live time. `wall_clock`: the
    /// clock follows the wall clock (the TUI); without it only frame ticks move it, at 1×
    /// (tests, for screens at exact times).
    pub fn listen(&mut self, opts: &ServeOptions, wall_clock: bool) -> Result<(), String> {
        let brokers = self.sim.config().topology.brokers;
        let (mut world, rx) = listen(brokers, opts)?;
        world.set_lang(self.lang);
        self.sim.keep_replica_logs();
        self.paused = false;
        if let Some(i) = speed_index(1.0) {
            self.speed = i;
        }
        let clock = if wall_clock {
            Clock::Wall {
                epoch: Instant::now(),
                base: self.sim.now(),
            }
        } else {
            Clock::Ticks
        };
        let mut live = Live {
            view: world.view(&self.sim),
            world,
            rx,
            clock,
            lines: VecDeque::new(),
            verdicts: RealVerdicts::default(),
            judged: None,
        };
        live.take_lines();
        self.live = Some(live);
        Ok(())
    }

    /// Whether real clients can connect (`--listen`).
    pub fn is_live(&self) -> bool {
        self.live.is_some()
    }

    /// Refuses what live time cannot do; true when `action` was refused.
    pub(super) fn refuse_live(&mut self, action: &Action) -> bool {
        if self.live.is_none() {
            return false;
        }
        let Some(key) = refused(action) else {
            return false;
        };
        self.say(Level::Warn, |lang| tr(lang, key).to_string());
        true
    }

    /// Where live time is now, when the wall clock drives it.
    fn wall_target(&self) -> Option<SimTime> {
        match self.live.as_ref()?.clock {
            Clock::Wall { epoch, base } => {
                Some(base + SimDuration(epoch.elapsed().as_micros() as u64))
            }
            Clock::Ticks => None,
        }
    }

    /// A frame's live time: the wall clock's, or `wall` later at 1×.
    pub(super) fn live_target(&self, wall: std::time::Duration) -> SimTime {
        self.wall_target().unwrap_or_else(|| {
            self.sim.now() + SimDuration((wall.as_secs_f64() * 1e6).round() as u64)
        })
    }

    /// Answers the real clients: brings the simulation to live time (wall clock only), lets
    /// the world take what the sockets sent and deliver what the simulation answered.
    /// Returns whether anything on screen changed.
    pub fn pump_live(&mut self) -> bool {
        if self.live.is_none() || self.quit {
            return false;
        }
        let before = self.sim.now();
        if let Some(target) = self.wall_target() {
            if target > self.sim.now() {
                self.lagging = !self.advance_world(target, Some(super::EVENT_BUDGET));
            }
        }
        self.exchange_live() || self.sim.now() != before
    }

    /// The world's side of a frame: requests in, answers out, the view refreshed.
    pub(super) fn exchange_live(&mut self) -> bool {
        let Some(live) = &mut self.live else {
            return false;
        };
        let mut changed = live.world.pump(&mut self.sim, &live.rx);
        changed |= live.take_lines();
        let now = self.sim.now();
        let due = live.judged.is_none_or(|t| now.since(t) >= JUDGE_EVERY);
        // The view copies the clients' state: only when a request came, or twice a second
        // (a group's timers change it with no request), not at every 3 ms pump.
        if changed || due {
            let view = live.world.view(&self.sim);
            if view != live.view {
                live.view = view;
                changed = true;
            }
        }
        if changed || due {
            let v = live.world.last_verdicts();
            live.judged = Some(now);
            if v != live.verdicts {
                live.verdicts = v;
                changed = true;
            }
        }
        // The world may have applied commands (produce requests enter the simulation):
        // what they traced belongs on screen now.
        self.absorb_trace();
        changed
    }

    /// The language changed: the world's next lines follow.
    pub(super) fn live_lang(&mut self) {
        let lang = self.lang;
        if let Some(live) = &mut self.live {
            live.world.set_lang(lang);
        }
    }
}
