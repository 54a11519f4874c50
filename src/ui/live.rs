//! The real clients' panel (`kafka-flow --listen`), where the simulated producer's row
//! would be (the simulated producer is off): the listeners and connections, each real
//! producer's batches and records, the latest batches as boxes of cells (newest first),
//! the consumer groups with their committed offsets against the furthest fetch.
//!
//! ```text
//! ┌ real clients ───────────────────┐┌ latest batches ─────────────┐┌ groups ──────────────┐
//! │ b0 127.0.0.1:9092 :9093 :9094   ││ [●●●●●] p0 ×5 pid 0 seq 5   ││ group g Stable gen 1 │
//! │ 2 connected                     ││ [●●●●●] p0 ×5 pid 0 seq 0   ││ p0 committed 10 · …  │
//! │ pid 0: 2 batches · 10 records … ││                             ││                      │
//! └─────────────────────────────────┘└─────────────────────────────┘└──────────────────────┘
//! ```

use super::{Ctx, PanelId};
use crate::app::live::Live;
use crate::i18n::ids;
use crate::serve::view::{ClientsView, SeenBatch};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Cells a batch box draws one by one; past that it is filled and counted.
const CELLS: u32 = 8;

/// Rows the panel wants (borders included) in a flow view `height` rows high: what the
/// tapes leave on a short screen, a few more objects on taller ones.
pub fn rows_wanted(height: u16) -> u16 {
    match height {
        0..30 => 6,
        30..40 => 8,
        _ => 10,
    }
}

/// Draws the panel into `area`.
pub fn draw(frame: &mut Frame, area: Rect, cx: &Ctx, live: &Live) {
    let v = &live.view;
    // The world's log fills what the clients column leaves (two lines at least).
    let room = usize::from(area.height.saturating_sub(2));
    let clients = clients_lines(cx, live, room);
    let batches = batch_lines(cx, v);
    let groups = group_lines(cx, v);
    if area.width >= 110 {
        let width = area.width;
        let [left, middle, right] =
            super::flow::columns(area, [width * 36 / 100, width * 40 / 100, 0]);
        let batches_title = cx.t("live.batches");
        column(
            frame,
            left,
            cx,
            cx.t("live.title"),
            clients,
            PanelId::Producer,
        );
        column(
            frame,
            middle,
            cx,
            batches_title,
            batches,
            PanelId::Accumulator,
        );
        column(
            frame,
            right,
            cx,
            cx.t("live.groups"),
            groups,
            PanelId::Sender,
        );
    } else {
        let [left, right] = super::flow::columns(area, [area.width / 2, 0]);
        let mut lines = clients;
        lines.extend(groups);
        let batches_title = cx.t("live.batches");
        column(
            frame,
            left,
            cx,
            cx.t("live.title"),
            lines,
            PanelId::Producer,
        );
        column(
            frame,
            right,
            cx,
            batches_title,
            batches,
            PanelId::Accumulator,
        );
    }
}

fn column(
    frame: &mut Frame,
    area: Rect,
    cx: &Ctx,
    title: &str,
    lines: Vec<Line<'static>>,
    id: PanelId,
) {
    let block = super::block_titled(cx, title, id);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The listeners, the connections, each real producer, then the world's latest log lines.
fn clients_lines(cx: &Ctx, live: &Live, room: usize) -> Vec<Line<'static>> {
    let v = &live.view;
    let mut lines = Vec::new();
    // Broker 0's address in full, the others by port: they share the host.
    let mut addrs = Vec::new();
    for (b, a) in v.addrs.iter().enumerate() {
        addrs.push(if b == 0 {
            format!("b0 {a}")
        } else {
            format!(":{}", a.port())
        });
    }
    lines.push(Line::styled(addrs.join(" "), cx.theme().accent));
    let n = v.connections.len().to_string();
    lines.push(Line::styled(
        cx.tf("live.connections", &[("n", &n)]),
        if v.connections.is_empty() {
            cx.theme().dim
        } else {
            cx.theme().ok
        },
    ));
    for (pid, p) in &v.producers {
        let per = if p.batches == 0 {
            0.0
        } else {
            p.records as f64 / p.batches as f64
        };
        lines.push(Line::raw(cx.tf(
            "live.producer",
            &[
                ("pid", &pid.to_string()),
                ("batches", &p.batches.to_string()),
                ("records", &p.records.to_string()),
                ("per", &format!("{per:.1}")),
            ],
        )));
    }
    let v = &live.verdicts;
    if v.acked > 0 || v.duplicated > 0 {
        let style = if v.lost > 0 || v.duplicated > 0 {
            cx.theme().bad
        } else {
            cx.theme().ok
        };
        lines.push(Line::styled(
            cx.tf(
                "live.verdicts",
                &[
                    ("acked", &v.acked.to_string()),
                    ("committed", &v.committed.to_string()),
                    ("lost", &v.lost.to_string()),
                    ("twice", &v.duplicated.to_string()),
                ],
            ),
            style,
        ));
    }
    let logged = room.saturating_sub(lines.len()).max(2);
    for (t, l) in live.lines.iter().rev().take(logged).rev() {
        let text = match t {
            Some(t) => format!("{:.3}s  {l}", t.0 as f64 / 1e6),
            None => l.clone(),
        };
        lines.push(Line::styled(text, cx.theme().dim));
    }
    lines
}

/// The latest real batches as objects, newest first: a box of cells in the partition's
/// colour, the partition, records, producer id and base sequence, and the first and last
/// record's ids (`c0–c4`) as the flow view prints real records.
fn batch_lines(cx: &Ctx, v: &ClientsView) -> Vec<Line<'static>> {
    if v.recent.is_empty() {
        let addr = v.addrs.first().map_or(String::new(), ToString::to_string);
        // The hint's command on a line of its own, so a narrow column cuts only its end.
        let hint = cx.tf("live.no_batches", &[("addr", &addr)]);
        let cut = hint
            .split_once(": ")
            .map(|(a, b)| (format!("{a}:"), b))
            .or_else(|| hint.split_once('：').map(|(a, b)| (format!("{a}："), b)));
        return cut
            .map_or(vec![hint.clone()], |(a, b)| vec![a, b.to_string()])
            .into_iter()
            .map(|l| Line::styled(l, cx.theme().dim))
            .collect();
    }
    v.recent.iter().rev().map(|b| batch_line(cx, b)).collect()
}

fn batch_line(cx: &Ctx, b: &SeenBatch) -> Line<'static> {
    let g = &cx.glyphs().flow;
    let style = cx.theme().partition(b.partition);
    let cells = if b.records <= CELLS {
        g.cell.repeat(b.records as usize)
    } else {
        format!("{}+", g.cell.repeat(CELLS as usize - 1))
    };
    let seq = if b.base_sequence < 0 {
        String::new()
    } else {
        format!(" seq {}", b.base_sequence)
    };
    let pid = if b.producer_id < 0 {
        String::new()
    } else {
        format!(" pid {}", b.producer_id)
    };
    Line::from(vec![
        Span::styled(format!("{}{cells}{} ", g.box_open, g.box_close), style),
        Span::styled(format!("p{}{}{}", b.partition, g.times, b.records), style),
        Span::styled(records(b), cx.theme().record),
        Span::raw(format!("{pid}{seq} ")),
        Span::styled(format!("acks={}", acks(b.acks)), cx.theme().dim),
    ])
}

/// `c0–c4`: the batch's records as the flow view prints a real client's.
fn records(b: &SeenBatch) -> String {
    let first = ids::record(b.first_record);
    match b.records {
        0 | 1 => format!(" {first}"),
        n => format!(
            " {first}–{}",
            ids::record(b.first_record.saturating_add(n - 1))
        ),
    }
}

fn acks(a: i16) -> String {
    if a == -1 {
        "all".to_string()
    } else {
        a.to_string()
    }
}

/// Each group's state, generation and members, then per partition the committed offset
/// against the furthest position a real consumer fetched from.
fn group_lines(cx: &Ctx, v: &ClientsView) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if v.groups.is_empty() {
        lines.push(Line::styled(
            cx.t("live.no_group").to_string(),
            cx.theme().dim,
        ));
    }
    let g = &cx.glyphs().flow;
    for group in &v.groups {
        lines.push(Line::raw(cx.tf(
            "live.group",
            &[("group", &group.group), ("state", group.state.name())],
        )));
        lines.push(Line::styled(
            format!(
                " {}",
                cx.tf(
                    "live.generation",
                    &[
                        ("generation", &group.generation.to_string()),
                        ("members", &group.members.len().to_string()),
                    ],
                )
            ),
            cx.theme().dim,
        ));
        for (_, p, offset, _) in &group.offsets {
            let position = u32::try_from(*p)
                .ok()
                .and_then(|p| v.positions.get(&p))
                .map_or("-".to_string(), ToString::to_string);
            let style = u32::try_from(*p).map_or(cx.theme().dim, |p| cx.theme().partition(p));
            lines.push(Line::styled(
                format!(
                    " {}",
                    cx.tf(
                        "live.offsets",
                        &[
                            ("p", &p.to_string()),
                            ("committed", &offset.to_string()),
                            ("position", &position),
                            ("cm", g.committed),
                            ("pos", g.position),
                        ],
                    )
                ),
                style,
            ));
        }
    }
    // Partitions fetched with nothing committed (a consumer without a group, or not yet).
    let committed: Vec<i32> = v
        .groups
        .iter()
        .flat_map(|g| g.offsets.iter().map(|o| o.1))
        .collect();
    for (p, pos) in &v.positions {
        if committed.iter().any(|c| i64::from(*c) == i64::from(*p)) {
            continue;
        }
        lines.push(Line::styled(
            format!(" p{p} {}{pos}", g.position),
            cx.theme().partition(*p),
        ));
    }
    lines
}
