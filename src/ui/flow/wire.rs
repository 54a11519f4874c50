//! The network between the Sender and each broker: one wire per broker, every produce
//! request in flight drawn as a labelled packet (`#88 p0×77▶`) where its own timing puts it,
//! answers travelling back (`◀#86✓`), requests parked at the broker while it waits (for the
//! followers with acks=all, or for an answer that was dropped).

use super::{Canvas, Scene};
use crate::i18n::ids;
use crate::sim::view::Request;
use crate::ui::{Ctx, text};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, area: Rect, cx: &Ctx, scene: &Scene) {
    let app = cx.app;
    let view = scene.view;
    let now = view.now();
    let nc = &scene.client;
    let brokers = view.brokers();
    let partitions = &scene.partitions;
    let glyphs = cx.glyphs();
    let shapes = &glyphs.flow;
    let width = area.width as usize;
    let followed = app.follow_request();
    let mut lines = Vec::new();
    for b in &brokers {
        let label = format!(" b{} ", b.id);
        let end = if !b.alive {
            format!(" {} {}", glyphs.cross, cx.t("flow.broker_down"))
        } else if b.isolated {
            format!(" {} {}", glyphs.cross, cx.t("flow.broker_isolated"))
        } else {
            // What it leads: where this wire's requests go.
            let leads: Vec<String> = partitions
                .iter()
                .filter(|p| p.leader == Some(b.id))
                .map(|p| format!("p{}", p.id))
                .collect();
            format!(" {}{}", glyphs.leader, leads.join(","))
        };
        let lw = text::width(&label);
        let ew = text::width(&end);
        let len = width.saturating_sub(lw + ew);
        let mut canvas = Canvas::new(len, shapes.wire, cx.theme().dim);
        let mine: Vec<&Request> = nc.requests.iter().filter(|r| r.broker == b.id).collect();
        // Parked first: anything moving is drawn over them.
        for r in mine
            .iter()
            .filter(|r| r.arrives.is_none() && r.response.is_none())
        {
            let dropped = app.memory.dropped.contains(&r.id);
            let (s, style) = if dropped {
                (
                    format!("#{}{}", ids::request(r.id), glyphs.cross),
                    cx.theme().bad.add_modifier(Modifier::CROSSED_OUT),
                )
            } else {
                // At the broker: with acks=all it waits for the followers.
                (
                    cx.tf("flow.parked", &[("id", &ids::request(r.id))]),
                    cx.theme().dim,
                )
            };
            let w = text::width(&s);
            canvas.put(len.saturating_sub(w), &s, style);
        }
        for r in &mine {
            let highlight = followed == Some(r.id);
            if let Some(progress) = r.progress(now) {
                let s = packet(r, glyphs.request, shapes.times);
                let w = text::width(&s);
                let x = (progress * len.saturating_sub(w) as f64).round() as usize;
                // Packets that would overlap queue up behind the one ahead.
                let Some(x) = free_at_or_before(&canvas, x, w, shapes.wire) else {
                    continue;
                };
                let style = if highlight {
                    cx.theme().selected
                } else {
                    r.partitions
                        .first()
                        .map_or(cx.theme().request, |&p| cx.theme().partition(p))
                        .add_modifier(Modifier::BOLD)
                };
                canvas.put(x, &s, style);
            }
            if let Some(a) = r.response {
                let mark = if a.ok { glyphs.check } else { glyphs.cross };
                let s = format!("{}#{}{mark}", glyphs.ack, r.id);
                let w = text::width(&s);
                let x = ((1.0 - a.progress(now)) * len.saturating_sub(w) as f64).round() as usize;
                let Some(x) = free_at_or_before(&canvas, x, w, shapes.wire) else {
                    continue;
                };
                let style = if a.lost {
                    cx.theme().bad.add_modifier(Modifier::CROSSED_OUT)
                } else if highlight {
                    cx.theme().selected
                } else if a.ok {
                    cx.theme().ack
                } else {
                    cx.theme().bad
                };
                canvas.put(x, &s, style);
            }
        }
        let mut line = Line::styled(label, cx.theme().title);
        line.spans.extend(canvas.into_line().spans);
        line.spans.push(ratatui::text::Span::styled(
            end,
            if b.alive && !b.isolated {
                cx.theme().dim
            } else {
                cx.theme().bad
            },
        ));
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The nearest column at or before `x` (then after it) where `w` cells of wire are free.
fn free_at_or_before(c: &Canvas, x: usize, w: usize, wire: &str) -> Option<usize> {
    (0..=x)
        .rev()
        .find(|&x| c.is_free(x, w, wire))
        .or_else(|| (x..c.width()).find(|&x| c.is_free(x, w, wire)))
}

/// `#88 p0×77▶`, or `#88 p0,p2×90▶` for a request carrying several partitions' batches.
fn packet(r: &Request, arrow: &str, times: &str) -> String {
    let mut parts: Vec<String> = r.partitions.iter().map(|p| format!("p{p}")).collect();
    parts.dedup();
    if parts.len() > 2 {
        parts.truncate(2);
        parts.push("+".to_string());
    }
    format!(
        "#{} {}{times}{}{arrow}",
        ids::request(r.id),
        parts.join(","),
        r.records
    )
}
