//! The producer's side of the flow: the application thread calling `send()`, the
//! RecordAccumulator's deques of batches, and the Sender's connections.

use super::{Scene, columns};
use crate::lesson::Part;
use crate::sim::trace::PartitionChoice;
use crate::sim::view::{AppState, Batch, ConnState, Hold, Lane, SimTime, Wait};
use crate::ui::{Ctx, PanelId, block, block_titled};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Cells in a batch box: one per record while few, a fill against batch.size when many.
const BOX_CELLS: usize = 8;

/// The producer's row: the application thread (on wide screens, or where a lesson asks for
/// it), the RecordAccumulator and the Sender, each only if shown.
pub fn draw(frame: &mut Frame, area: Rect, cx: &Ctx, scene: &Scene) {
    let show_app = cx.shows(Part::Application)
        && (area.width >= 110 || (cx.asked_for(Part::Application) && area.width >= 60));
    let show_acc = cx.shows(Part::Accumulator);
    let show_sender = cx.shows(Part::Sender);
    let mut app_w = if show_app { area.width / 5 + 4 } else { 0 };
    let sender_w = match (show_sender, area.width >= 100) {
        (false, _) => 0,
        (true, true) => 29,
        (true, false) => 25,
    };
    if !show_acc {
        // The application thread takes what the accumulator would have had.
        app_w = if show_app { area.width - sender_w } else { 0 };
    }
    let acc_w = area.width.saturating_sub(app_w + sender_w);
    let [app_area, acc_area, sender_area] = columns(area, [app_w, acc_w, sender_w]);
    if show_app {
        application(frame, app_area, cx);
    }
    if show_acc {
        accumulator(frame, acc_area, cx, scene);
    }
    if show_sender {
        if !show_acc && !show_app {
            sender(frame, area, cx, scene);
        } else {
            sender(frame, sender_area, cx, scene);
        }
    }
}

/// A duration as a short countdown: `850µs`, `3.2ms`, `2.1s`.
pub(crate) fn short(us: u64) -> String {
    if us < 1_000 {
        format!("{us}µs")
    } else if us < 1_000_000 {
        format!("{:.1}ms", us as f64 / 1e3)
    } else {
        format!("{:.1}s", us as f64 / 1e6)
    }
}

fn application(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let app = cx.app;
    let view = app.sim.view();
    let a = view.application();
    let g = cx.glyphs();
    let mut lines = Vec::new();
    if let Some((record, partition, choice, _)) = app.last_send {
        let how = match choice {
            PartitionChoice::Key => "murmur2(key)",
            PartitionChoice::Sticky => cx.t("partitioner.sticky"),
        };
        let followed = app.follow_target() == Some(record);
        lines.push(Line::from(vec![
            Span::styled(
                format!("send(#{record})"),
                if followed {
                    cx.theme().selected
                } else {
                    cx.theme().record
                },
            ),
            Span::raw(format!(" {} ", g.arrow_right)),
            Span::styled(format!("p{partition}"), cx.theme().partition(partition)),
        ]));
        lines.push(Line::styled(format!(" {how}"), cx.theme().dim));
    }
    let (state, style) = match a.state {
        AppState::Blocked { .. } => (cx.t("app_state.blocked"), cx.theme().bad),
        AppState::Dead => (cx.t("app_state.dead"), cx.theme().bad),
        AppState::WaitingMetadata { .. } => (cx.t("app_state.waiting_metadata"), cx.theme().warn),
        AppState::WaitingAck { .. } => (cx.t("app_state.waiting_ack"), cx.theme().warn),
        AppState::Sending => (cx.t("app_state.sending"), cx.theme().ok),
        AppState::Flushing => (cx.t("app_state.flushing"), cx.theme().warn),
        AppState::Closing => (cx.t("app_state.closing"), cx.theme().warn),
        AppState::Restarting => (cx.t("app_state.restarting"), cx.theme().warn),
        AppState::Closed => (cx.t("app_state.closed"), cx.theme().dim),
        AppState::Idle => (cx.t("app_state.idle"), cx.theme().dim),
    };
    lines.push(Line::styled(state.to_string(), style));
    let inner_w = area.width.saturating_sub(2) as usize;
    // buffer.memory on its own line, its gauge under it when there is room.
    lines.push(Line::styled(
        format!(
            "buffer.memory {}",
            crate::ui::human_pair(a.buffer_used, a.buffer_total)
        ),
        cx.theme().dim,
    ));
    let fill = a.buffer_used as f64 / a.buffer_total.max(1) as f64;
    let style = if fill > 0.9 {
        cx.theme().bad
    } else {
        cx.theme().gauge_fill
    };
    lines.push(Line::from(crate::ui::bar(cx, fill, inner_w, style)));
    frame.render_widget(
        Paragraph::new(lines).block(block(cx, "flow.application", PanelId::Producer)),
        area,
    );
}

fn accumulator(frame: &mut Frame, area: Rect, cx: &Ctx, scene: &Scene) {
    let app = cx.app;
    let view = scene.view;
    let acc = view.accumulator();
    let now = view.now();
    let inner = area.width.saturating_sub(2) as usize;
    let followed_batch = app.follow_batch();
    let parts = acc.lanes.len();
    let shown = parts.min(super::MAX_LANES as usize);
    let mut lines: Vec<Line> = acc
        .lanes
        .iter()
        .enumerate()
        .take(shown)
        .map(|(p, lane)| lane_line(cx, p as u32, lane, now, inner, followed_batch))
        .collect();
    if parts > shown {
        let rest: usize = acc.lanes[shown..].iter().map(|l| l.batches.len()).sum();
        lines.push(Line::styled(
            cx.tf(
                "flow.more_lanes",
                &[
                    ("n", &(parts - shown).to_string()),
                    ("batches", &rest.to_string()),
                ],
            ),
            cx.theme().dim,
        ));
    }
    let title = format!(
        "{} · batch.size {} · linger.ms {}",
        cx.t("panel.accumulator"),
        acc.batch_size,
        short(acc.linger.as_micros()).trim_end_matches(".0ms")
    );
    let b = block_titled(cx, &title, PanelId::Accumulator);
    frame.render_widget(Paragraph::new(lines).block(b), area);
}

/// `p0 [●●●·····] [●●●●●●●●]77 → linger 3.2ms · last: full`: the newest batch on the left,
/// the head (next to leave) on the right beside its timer.
fn lane_line(
    cx: &Ctx,
    p: u32,
    lane: &Lane,
    now: SimTime,
    width: usize,
    followed: Option<u64>,
) -> Line<'static> {
    let g = cx.glyphs();
    let f = &g.flow;
    let colour = cx.theme().partition(p);
    let mut spans = vec![Span::styled(
        format!("p{p} "),
        colour.add_modifier(Modifier::BOLD),
    )];
    let mut used = 3 + p.to_string().len();
    // What follows the boxes: the head's timer, then why the last batch left.
    let batches = &lane.batches;
    let timer = batches
        .first()
        .map(|head| head_timer(cx, head, now, lane.held));
    let last = cx
        .app
        .memory
        .last_drain
        .get(p as usize)
        .copied()
        .flatten()
        .map(|d| {
            cx.tf(
                "flow.last_left",
                &[("reason", cx.t(&format!("reason.{}", d.reason.name())))],
            )
        });
    // The boxes come first; why the last batch left only where room is left over.
    let timer_w = timer.as_ref().map_or(0, |t| crate::ui::text::width(t) + 3);
    let room = width.saturating_sub(used + timer_w);
    let mut boxes: Vec<Vec<Span<'static>>> = Vec::new();
    let mut boxes_w = 0;
    // From the head (oldest) back: the head always shows, newer ones while there is room.
    for (i, b) in batches.iter().enumerate() {
        let (spans, w) = batch_box(cx, b, colour, followed == Some(b.id));
        let more = batches.len() - i - 1;
        let reserve = if more > 0 { 5 } else { 0 };
        if boxes_w + w + 1 + reserve > room && i > 0 {
            let rest = format!("+{}", batches.len() - i);
            boxes_w += rest.len() + 1;
            boxes.push(vec![Span::styled(rest, cx.theme().dim)]);
            break;
        }
        boxes.push(spans);
        boxes_w += w + 1;
    }
    if batches.is_empty() {
        spans.push(Span::styled(f.room.to_string(), cx.theme().dim));
        used += 1;
    }
    for b in boxes.into_iter().rev() {
        spans.extend(b);
        spans.push(Span::raw(" "));
    }
    used += boxes_w;
    if let Some(t) = timer {
        spans.push(Span::styled(
            format!("{} {t}", g.arrow_right),
            cx.theme().warn,
        ));
        used += crate::ui::text::width(&t) + 2;
    }
    let last = last.filter(|l| used + crate::ui::text::width(l) + 2 <= width);
    if let Some(l) = last {
        spans.push(Span::styled(format!("  {l}"), cx.theme().dim));
    }
    Line::from(spans)
}

/// The head batch's wait: linger or backoff time left, or why it does not wait.
fn head_timer(cx: &Ctx, b: &Batch, now: SimTime, held: Option<Hold>) -> String {
    let ready = b.bytes >= b.batch_size || b.deadline <= now;
    // Muted holds even a batch still lingering: nothing of the partition is drained.
    match held {
        Some(Hold::Muted) => return cx.t("flow.muted").to_string(),
        Some(h) if ready => {
            return cx
                .t(match h {
                    Hold::NoLeader => "flow.hold.no_leader",
                    Hold::NotConnected => "flow.hold.not_connected",
                    Hold::InFlightFull | Hold::Muted => "flow.in_flight_full",
                })
                .to_string();
        }
        _ => {}
    }
    if b.bytes >= b.batch_size {
        return cx.t("reason.full").to_string();
    }
    let left = b.deadline.since(now).as_micros();
    if b.deadline <= now {
        return cx.t("flow.ready").to_string();
    }
    let key = match b.waiting {
        Wait::Linger => "flow.linger_left",
        Wait::Backoff => "flow.backoff_left",
    };
    cx.tf(key, &[("left", &short(left))])
}

/// `[●●●·····]` or, past eight records, `[●●●●····]77`: the fill against batch.size.
fn batch_box(cx: &Ctx, b: &Batch, colour: Style, followed: bool) -> (Vec<Span<'static>>, usize) {
    let f = &cx.glyphs().flow;
    let fill = (b.bytes as f64 / b.batch_size.max(1) as f64).clamp(0.0, 1.0);
    let by_fill = (fill * BOX_CELLS as f64).ceil() as usize;
    let records = b.records as usize;
    let cells = records.min(BOX_CELLS).max(by_fill).min(BOX_CELLS);
    let style = if followed {
        cx.theme().selected
    } else if b.attempts > 0 {
        colour.add_modifier(Modifier::UNDERLINED)
    } else {
        colour
    };
    let mut spans = vec![
        Span::styled(f.box_open.to_string(), style),
        Span::styled(f.cell.repeat(cells), style),
        Span::styled(f.room.repeat(BOX_CELLS - cells), cx.theme().dim),
        Span::styled(f.box_close.to_string(), style),
    ];
    let mut w = BOX_CELLS + 2;
    if records > cells {
        let n = records.to_string();
        w += n.len();
        spans.push(Span::styled(n, style));
    }
    (spans, w)
}

fn sender(frame: &mut Frame, area: Rect, cx: &Ctx, scene: &Scene) {
    let view = scene.view;
    let nc = &scene.client;
    let f = &cx.glyphs().flow;
    let stats = view.application().stats;
    let inner = area.width.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    for c in &nc.connections {
        let busy = c.in_flight.len();
        let slots = nc.max_in_flight.min(8);
        let state = match c.state {
            ConnState::Ready => None,
            ConnState::Connecting => Some((cx.t("connection.connecting"), cx.theme().warn)),
            ConnState::Disconnected => Some((cx.t("flow.not_connected"), cx.theme().dim)),
        };
        let count = format!(" {busy}/{}", nc.max_in_flight);
        let state_w = state.map_or(0, |(s, _)| crate::ui::text::width(s) + 1);
        // The slots already show the count: it goes first when the state needs the room.
        let with_count = 3 + slots + count.len() + state_w <= inner || state.is_none();
        let mut spans = vec![
            Span::raw(format!("b{} ", c.broker)),
            Span::styled(f.slot_busy.repeat(busy.min(slots)), cx.theme().accent),
            Span::styled(
                f.slot_free.repeat(slots.saturating_sub(busy)),
                cx.theme().dim,
            ),
        ];
        if with_count {
            spans.push(Span::raw(count));
        }
        if let Some((s, style)) = state {
            spans.push(Span::styled(format!(" {s}"), style));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::styled(
        format!(
            "{} {} · {} {}",
            cx.t("sender.retries"),
            stats.retries,
            cx.t("label.failed"),
            stats.failed
        ),
        cx.theme().dim,
    ));
    let idem = &nc.idempotence;
    if idem.enabled && idem.producer_id >= 0 {
        lines.push(Line::styled(
            format!("pid {} epoch {}", idem.producer_id, idem.epoch),
            cx.theme().dim,
        ));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block(cx, "panel.sender", PanelId::Sender)),
        area,
    );
}
