//! The partitions' logs as tapes of offset cells, one per replica, the leader's first (★),
//! with the marks a student looks for: ● below the high watermark, ○ written but not yet
//! committed, ╳ removed by a truncation, ✗ where an acknowledged record was lost, ² a second
//! copy of a record, the poll being processed underlined; under the tapes ▲ HW, each
//! consumer's position ▼ and the group's committed offset ▽.

use super::{Canvas, Scene};
use crate::sim::view::{Partition, RecordId, Verdict};
use crate::ui::{Ctx, PanelId, block_titled, text};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::collections::BTreeSet;

/// Columns before a tape: `p0 ★b0 `.
const LABEL_W: usize = 8;
/// Columns after it: `LEO 123456`.
const NOTE_W: usize = 12;

/// Rows the tapes want in `height` (with borders): every replica of every partition and a
/// marker line each, or the leaders only when that does not fit.
pub fn rows_wanted(cx: &Ctx, height: u16) -> u16 {
    let cfg = cx.app.sim.config();
    let parts = cfg.topology.partitions as u16;
    let rf = cfg.topology.replication_factor as u16;
    let full = parts * (rf + 1) + 2;
    if full <= height {
        full
    } else {
        (parts * 2 + 2).min(height)
    }
}

/// Whether each partition shows its followers' tapes in `inner_h` rows.
fn followers_fit(parts: usize, rf: usize, inner_h: usize) -> bool {
    parts * (rf + 1) <= inner_h
}

pub fn draw(frame: &mut Frame, area: Rect, cx: &Ctx, scene: &Scene) {
    let partitions = &scene.partitions;
    let inner_h = area.height.saturating_sub(2) as usize;
    let inner_w = area.width.saturating_sub(2) as usize;
    let rf = partitions.first().map_or(1, |p| p.replicas.len());
    let with_followers = followers_fit(partitions.len(), rf, inner_h);
    // Leaders alone also carry the ISR's size in their note.
    let note_w = if with_followers { NOTE_W } else { NOTE_W + 8 };
    let tape_w = inner_w.saturating_sub(LABEL_W + note_w).max(4);
    let mut lines = Vec::new();
    for p in partitions {
        let rows = if with_followers { rf + 1 } else { 2 };
        if lines.len() + rows > inner_h {
            let more = partitions.len() - p.id as usize;
            lines.push(Line::styled(
                cx.tf("flow.more_partitions", &[("n", &more.to_string())]),
                cx.theme().dim,
            ));
            break;
        }
        partition_lines(cx, scene, p, tape_w, with_followers, &mut lines);
    }
    let g = cx.glyphs();
    let f = &g.flow;
    let legend = format!(
        " {} {}  {} {}  {}HW  {}{}  {}{}  {} {}  {} {}  {} {} ",
        f.cell,
        cx.t("flow.legend.committed"),
        f.uncommitted,
        cx.t("flow.legend.uncommitted"),
        g.hw_mark,
        f.position,
        cx.t("flow.legend.position"),
        f.committed,
        cx.t("flow.legend.committed_offset"),
        f.lost,
        cx.t("flow.legend.lost"),
        f.duplicate,
        cx.t("flow.legend.duplicate"),
        f.struck,
        cx.t("flow.legend.truncated"),
    );
    let mut b = block_titled(cx, cx.t("flow.tapes"), PanelId::Brokers);
    if text::width(&legend) + 4 <= area.width as usize {
        b = b.title_bottom(Span::styled(legend, cx.theme().dim));
    }
    frame.render_widget(Paragraph::new(lines).block(b), area);
}

/// Where the tape window starts: the last `tape_w` offsets up to the furthest log end
/// (or a truncation's struck cells), not before the oldest log start.
fn window_start(cx: &Ctx, p: &Partition, tape_w: usize) -> i64 {
    let mem = &cx.app.memory;
    let end = p
        .replicas
        .iter()
        .map(|r| {
            mem.struck(p.id, r.broker, r.log_end_offset)
                .map_or(r.log_end_offset, |(_, to)| to.max(r.log_end_offset))
        })
        .max()
        .unwrap_or(0);
    let first = p
        .replicas
        .iter()
        .map(|r| r.log_start_offset)
        .min()
        .unwrap_or(0);
    // The window jumps a quarter of its width at a time instead of sliding by one offset per
    // record: between jumps only new cells are drawn (at 1× a sliding tape rewrote every row on
    // every frame, over the 30 KB/s budget for a terminal over SSH).
    let step = (tape_w as i64 / 4).max(1);
    let lowest = end - tape_w as i64 + 1;
    let start = (lowest.max(0) + step - 1) / step * step;
    let start = start.max(first).max(0);
    // A followed record left of the window brings the window to it.
    match cx.app.follow_offset() {
        Some((fp, o)) if fp == p.id && o < start => (o - tape_w as i64 / 4).max(first).max(0),
        _ => start,
    }
}

fn partition_lines(
    cx: &Ctx,
    scene: &Scene,
    p: &Partition,
    tape_w: usize,
    with_followers: bool,
    lines: &mut Vec<Line<'static>>,
) {
    let app = cx.app;
    let view = scene.view;
    let glyphs = cx.glyphs();
    let shapes = &glyphs.flow;
    let colour = cx.theme().partition(p.id);
    let start = window_start(cx, p, tape_w);
    let end = start + tape_w as i64;
    let group = &scene.group;
    // The leader (or, offline, the first replica) first, then the followers.
    let mut replicas = p.replicas.clone();
    replicas.sort_by_key(|r| !r.leader);
    let lost = lost_offsets(cx, p.id, start, end);
    let followed = app.follow_target();
    let in_poll: Vec<(i64, i64)> = group
        .consumers
        .iter()
        .filter_map(|cons| cons.poll.as_ref())
        .flat_map(|poll| poll.ranges.iter())
        .filter(|r| r.0 == p.id)
        .map(|r| (r.1, r.2))
        .collect();
    for (i, r) in replicas.iter().enumerate() {
        if i > 0 && !with_followers {
            break;
        }
        let label = if i == 0 {
            let star = if r.leader { glyphs.leader } else { " " };
            format!("p{:<2}{star}b{:<2}", p.id, r.broker)
        } else {
            format!("    b{:<2}", r.broker)
        };
        let mut canvas = Canvas::new(tape_w, " ", Style::new());
        let mut seen: BTreeSet<RecordId> = BTreeSet::new();
        for (o, rec) in view.log_window(p.id, r.broker, start, end) {
            let x = (o - start) as usize;
            let dup = !seen.insert(rec);
            let (glyph, mut style) = if followed == Some(rec) {
                (shapes.followed, cx.theme().selected)
            } else if dup {
                (shapes.duplicate, cx.theme().bad)
            } else if lost.contains(&o) {
                (shapes.lost, cx.theme().bad)
            } else if o >= p.high_watermark {
                (shapes.uncommitted, colour)
            } else {
                (shapes.cell, colour)
            };
            if i == 0 && in_poll.iter().any(|&(a, b)| o >= a && o <= b) {
                style = style.add_modifier(Modifier::UNDERLINED);
            }
            canvas.put(x, glyph, style);
        }
        // A replica whose log ends before the window: how far behind it is.
        if r.log_end_offset < start {
            let behind = cx.tf(
                "flow.behind",
                &[("n", &(p.log_end_offset - r.log_end_offset).to_string())],
            );
            canvas.put(
                0,
                &format!("{} {behind}", glyphs.arrow_left),
                cx.theme().warn,
            );
        }
        // Lost records beyond the log end (truncated away and not rewritten).
        for &o in lost.iter().filter(|&&o| o >= r.log_end_offset && i == 0) {
            canvas.put((o - start) as usize, shapes.lost, cx.theme().bad);
        }
        if let Some((from, to)) = app.memory.struck(p.id, r.broker, r.log_end_offset) {
            for o in from.max(start)..to.min(end) {
                canvas.put(
                    (o - start) as usize,
                    shapes.struck,
                    cx.theme().bad.add_modifier(Modifier::CROSSED_OUT),
                );
            }
        }
        let note = if i == 0 {
            if p.leader.is_none() {
                Span::styled(format!(" {}", cx.t("flow.offline")), cx.theme().bad)
            } else if with_followers {
                Span::styled(format!(" LEO {}", r.log_end_offset), cx.theme().dim)
            } else {
                Span::styled(
                    format!(
                        " LEO {} ISR {}/{}",
                        r.log_end_offset,
                        p.isr.len(),
                        p.replicas.len()
                    ),
                    cx.theme().dim,
                )
            }
        } else if r.in_isr {
            Span::styled(format!(" ISR {}", r.log_end_offset), cx.theme().isr)
        } else {
            Span::styled(
                format!(" {} {}", cx.t("flow.out_of_isr"), r.log_end_offset),
                cx.theme().out_of_isr,
            )
        };
        let label_style = if r.leader { cx.theme().leader } else { colour };
        let mut line = Line::from(Span::styled(label, label_style));
        line.spans.push(Span::styled(
            if start > 0 { "…" } else { " " }.replace('…', glyphs.ellipsis),
            cx.theme().dim,
        ));
        line.spans.extend(canvas.into_line().spans);
        line.spans.push(note);
        lines.push(line);
    }
    lines.push(marker_line(cx, p, start, tape_w, group));
}

/// Offsets in `start..end` of partition `p` where the ledger found an acknowledged record
/// lost (its acknowledged offset now holds another record, or nothing).
fn lost_offsets(cx: &Ctx, p: u32, start: i64, end: i64) -> BTreeSet<i64> {
    let records = cx.app.sim.view().records();
    cx.app
        .ledger
        .examples
        .iter()
        .filter(|e| e.verdict == Verdict::LostBroker && e.partition == p)
        .filter_map(|e| records.get(e.record).map(|m| m.offset))
        .filter(|&o| o >= start && o < end)
        .collect()
}

/// `  1020      ▲HW 1040 ▼c0   ▽`: the window's first offset, then the markers under the
/// cells they point at (a marker sits under the first offset it does not cover yet; one
/// outside the window is pinned to its edge with an arrow).
fn marker_line(
    cx: &Ctx,
    p: &Partition,
    start: i64,
    tape_w: usize,
    group: &crate::sim::view::ConsumerGroup,
) -> Line<'static> {
    let glyphs = cx.glyphs();
    let shapes = &glyphs.flow;
    let mut canvas = Canvas::new(tape_w, " ", Style::new());
    let mut marks: Vec<(i64, String, Style)> = Vec::new();
    if p.leader.is_some() {
        marks.push((
            p.high_watermark,
            format!("{}HW {}", glyphs.hw_mark, p.high_watermark),
            cx.theme().hw_mark,
        ));
    }
    for cons in group.consumers.iter().filter(|cons| cons.alive) {
        if let Some(pos) = cons.position(p.id) {
            marks.push((
                pos,
                format!("{}c{}", shapes.position, cons.index),
                cx.theme().accent,
            ));
        }
    }
    if let Some(o) = group.committed(p.id) {
        marks.push((o, format!("{}{o}", shapes.committed), cx.theme().ok));
    }
    // Real consumers (`--listen`): the furthest offset one fetched from, and each group's
    // committed offset, with their numbers (they have no simulated consumer's index).
    if let Some(live) = &cx.app.live {
        if let Some(&pos) = live.view.positions.get(&p.id) {
            marks.push((pos, format!("{}{pos}", shapes.position), cx.theme().accent));
        }
        // The shared group's offsets are the simulated group's, marked above.
        for g in live.view.groups.iter().filter(|g| !g.shared) {
            for &(_, part, o, _) in &g.offsets {
                if i64::from(part) == i64::from(p.id) {
                    marks.push((o, format!("{}{o}", shapes.committed), cx.theme().ok));
                }
            }
        }
    }
    for (o, s, style) in marks {
        // Left of the window: pinned to its edge, pointing left.
        let s = if o < start {
            format!("{}{s}", glyphs.arrow_left)
        } else if o >= start + tape_w as i64 {
            format!("{s}{}", glyphs.arrow_right)
        } else {
            s
        };
        let w = text::width(&s);
        let right_edge = tape_w.saturating_sub(w);
        let x = if o < start {
            0
        } else if o >= start + tape_w as i64 {
            right_edge
        } else {
            (o - start) as usize
        };
        // The nearest free room at or after its offset (markers at one offset line up).
        // A free cell after it keeps neighbouring labels apart.
        if let Some(x) = (x..tape_w)
            .find(|&x| canvas.is_free(x, w + 1, " "))
            .or_else(|| (x..tape_w).find(|&x| canvas.is_free(x, w, " ")))
        {
            canvas.put(x, &s, style);
        } else if let Some(x) = (0..x).rev().find(|&x| canvas.is_free(x, w, " ")) {
            canvas.put(x, &s, style);
        }
    }
    let mut line = Line::styled(format!("{:>w$} ", start, w = LABEL_W - 1), cx.theme().dim);
    line.spans.extend(canvas.into_line().spans);
    line
}
