//! The flow view: the pipeline in the order a record travels, every Kafka object drawn as
//! an object (design.md §5).
//!
//! ```text
//! ┌ application thread ┐┌ RecordAccumulator ──────────────┐┌ Sender ─────────┐
//! │ #1042 → p1 murmur2 ││ p0 [●●●····] [●●●●●●●] linger … ││ b0 ▣▣□□□ 2/5    │
//! └────────────────────┘└─────────────────────────────────┘└─────────────────┘
//!  b0 ─────[#88 p0×77]▶──────────────◀#86 ✓──────────── broker 0
//! ┌ partition logs ─────────────────────────────────────────────────────────┐
//! │ p0 ★b0 ●●●●●●●●●●●●●●○○○   LEO 1042                                     │
//! │     b1 ●●●●●●●●●●●●●●○     ISR                                          │
//! │        1020  ▲HW 1040 ▼c0 ▽                                             │
//! └─────────────────────────────────────────────────────────────────────────┘
//!  c0 processing p0 1036–1039 · ledger delivered 1030 · lost 0 · dup 0
//!  ▸ 2.341 s Sender drains batch 88 (p0, 77 records): it was full
//! ```
//! Everything moving is placed from its own departure and arrival times, so a paused
//! screen is frozen and a snapshot at a virtual time is exact. Row heights adapt: 80×24
//! keeps one tape per partition, 120×36 adds the followers and the knobs, taller screens
//! the event log.

mod canvas;
mod logs;
mod sending;
mod story;
mod wire;

pub use canvas::Canvas;

use super::Ctx;
use crate::lesson::Part;
use crate::sim::view::{ConsumerGroup, NetworkClient, Partition, View};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

/// Rows the producer row wants: one per partition's deque (up to a cap) and borders.
const MAX_LANES: u16 = 6;

/// The parts of the simulation one frame reads, built once per frame and shared by the
/// rows (the partitions, the Sender and the group are each needed by several of them).
pub(crate) struct Scene<'a> {
    pub view: View<'a>,
    pub partitions: Vec<Partition>,
    pub client: NetworkClient,
    pub group: ConsumerGroup<'a>,
}

impl<'a> Scene<'a> {
    fn of(cx: &Ctx<'a>) -> Scene<'a> {
        let view = cx.app.sim.view();
        Scene {
            view,
            partitions: view.partitions(),
            client: view.network_client(),
            group: view.consumer_group(),
        }
    }
}

/// Draws the flow view into `area`: the parts shown (all in the sandbox; a lesson's step
/// names its own), in travel order.
pub fn draw(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let scene = Scene::of(cx);
    let cfg = cx.app.sim.config();
    let parts = cfg.topology.partitions as u16;
    let brokers = cfg.topology.brokers as u16;
    let tall = area.height >= 30;
    let lanes = parts.min(MAX_LANES) + u16::from(parts > MAX_LANES);
    let producer_shown = [Part::Application, Part::Accumulator, Part::Sender]
        .iter()
        .any(|p| cx.shows(*p));
    let live = cx.app.live.as_ref().filter(|_| !cx.compact);
    let producer_h = if live.is_some() {
        super::live::rows_wanted(area.height)
    } else if producer_shown {
        lanes + 2 + u16::from(tall && lanes < 4)
    } else {
        0
    };
    // Listening on a short screen, the real clients, the tapes and at least three lines of
    // Events come first: the wires give way (the tapes' ★ name the leaders). Listening, the
    // narration always does: it repeats the Events panel's last line.
    let live_short = live.is_some() && !tall;
    let wires_h = if cx.shows(Part::Requests) && !live_short {
        brokers
    } else {
        0
    };
    // Listening, the simulated producer is off: its knobs, figures and ledger (which
    // leaves real clients out) would describe nothing on screen.
    let knobs_h = if tall && !cx.compact && live.is_none() {
        story::knob_lines(cx, area.width).len() as u16
    } else {
        0
    };
    // Listening on a short screen, the simulated consumers' lines give way too: the groups
    // panel names each partition's reader (→ c0) and the tapes mark their positions (▼c0).
    let consumers = if cx.shows(Part::Consumer) && !live_short {
        story::consumer_lines_wanted(cx)
    } else {
        0
    };
    let figures = !cx.compact && live.is_none() && story::figures_shown(cx, area.height);
    let ledger = cx.shows(Part::Ledger) && live.is_none();
    let bottom_h = consumers + u16::from(ledger) + u16::from(figures);
    // Side A of a narrow A/B screen keeps one line of narration, to give a log its tape.
    let narration_h = if live.is_some() {
        0
    } else if cx.compact && area.height < 16 {
        1
    } else {
        2
    };
    let journey = story::journey_lines(cx, area.width);
    let journey_h = journey.len() as u16;
    let fixed = producer_h + wires_h + bottom_h + narration_h + knobs_h + journey_h;
    let rest = area.height.saturating_sub(fixed);
    let (logs_h, events_h) = if cx.shows(Part::Logs) {
        let logs_h = rest.max(3);
        // Tall screens give what the tapes do not need to the event log.
        let mut wanted_logs = logs::rows_wanted(cx, logs_h);
        // Listening, three lines of events come before the followers' tapes (the leaders'
        // then carry the ISR's size).
        if live.is_some() && logs_h.saturating_sub(wanted_logs) < 5 {
            wanted_logs = wanted_logs.min(logs::rows_wanted(cx, logs_h.saturating_sub(5)));
        }
        // One side of an A/B comparison has no other place for its own events; listening,
        // the rows the knobs and ledger leave go to them too.
        let events_h =
            if (area.height >= 44 || cx.compact || live.is_some()) && cx.shows(Part::Events) {
                logs_h.saturating_sub(wanted_logs)
            } else {
                0
            };
        (logs_h - events_h, events_h)
    } else if cx.shows(Part::Events) {
        (0, rest)
    } else {
        (0, 0)
    };
    let [
        prod,
        wires,
        logs_area,
        events,
        bottom,
        journey_area,
        narration,
        knobs,
    ] = Layout::vertical([
        Constraint::Length(producer_h),
        Constraint::Length(wires_h),
        Constraint::Length(logs_h),
        Constraint::Length(events_h),
        Constraint::Length(bottom_h),
        Constraint::Length(journey_h),
        Constraint::Length(narration_h),
        Constraint::Length(knobs_h),
    ])
    .areas(area);
    if let Some(live) = live {
        // The simulated producer is off while real clients connect: theirs take its row.
        super::live::draw(frame, prod, cx, live);
    } else if producer_h > 0 {
        sending::draw(frame, prod, cx, &scene);
    }
    if wires_h > 0 {
        wire::draw(frame, wires, cx, &scene);
    }
    if logs_h > 0 {
        logs::draw(frame, logs_area, cx, &scene);
    }
    if events_h >= 3 {
        super::panels::log(frame, events, cx);
    }
    story::bottom(frame, bottom, cx, &scene, consumers, figures, ledger);
    if journey_h > 0 {
        frame.render_widget(ratatui::widgets::Paragraph::new(journey), journey_area);
    }
    story::narration(frame, narration, cx);
    if knobs_h > 0 {
        story::knobs(frame, knobs, cx);
    }
}

/// `area` split into columns of the given widths, the last taking the rest.
pub(crate) fn columns<const N: usize>(area: Rect, widths: [u16; N]) -> [Rect; N] {
    let mut c = widths.map(Constraint::Length);
    c[N - 1] = Constraint::Min(0);
    Layout::horizontal(c).areas(area)
}

#[cfg(test)]
mod tests {
    /// Every `flow.*` key the view asks for has words (a missing one would show the key).
    #[test]
    fn every_key_the_flow_view_uses_is_translated() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("sending.rs"),
            include_str!("wire.rs"),
            include_str!("logs.rs"),
            include_str!("story.rs"),
        ];
        let mut checked = 0;
        for src in sources {
            for (i, _) in src.match_indices("\"flow.") {
                let key: String = src[i + 1..].chars().take_while(|c| *c != '"').collect();
                if key.ends_with('.') {
                    continue; // this test's own pattern
                }
                assert!(crate::i18n::has(&key), "{key} has no words");
                checked += 1;
            }
        }
        assert!(checked > 20, "found only {checked} keys");
    }
}
