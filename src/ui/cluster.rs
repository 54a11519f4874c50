//! The brokers and the wire: requests and acks travelling between the Sender and each
//! broker (drawn from their own schedule, so they glide at any speed and freeze when
//! paused), and every partition's replicas with leader, ISR, LEO and high watermark.

use super::{Ctx, PanelId, block};
use crate::sim::view::{FlightKind, Node, Phase};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// A lane of `width` cells with markers at the interpolated positions of the flights
/// between the producer and broker `b`.
fn wire(cx: &Ctx, b: u32, width: usize) -> Vec<Span<'static>> {
    let mut cells: Vec<(String, ratatui::style::Style)> =
        vec![(cx.glyphs().rule.to_string(), cx.theme().dim); width];
    for f in cx.app.sim.view().wire() {
        let (outbound, mark, style) = match (f.from, f.to, f.kind) {
            (Node::Producer, Node::Broker(x), FlightKind::Produce { .. }) if x == b => {
                (true, cx.glyphs().request, cx.theme().request)
            }
            (Node::Broker(x), Node::Producer, FlightKind::ProduceResponse { ok, .. }) if x == b => {
                (
                    false,
                    cx.glyphs().ack,
                    if ok { cx.theme().ack } else { cx.theme().bad },
                )
            }
            _ => continue,
        };
        let pos = (f.progress * (width.saturating_sub(1)) as f64).round() as usize;
        let i = if outbound {
            pos
        } else {
            width.saturating_sub(1) - pos
        };
        if let Some(c) = cells.get_mut(i) {
            *c = (
                mark.to_string(),
                if f.lost { cx.theme().dim } else { style },
            );
        }
    }
    cells
        .into_iter()
        .map(|(s, st)| Span::styled(s, st))
        .collect()
}

pub fn brokers(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let view = cx.app.sim.view();
    let partitions = view.partitions();
    let inner_w = area.width.saturating_sub(2) as usize;
    let wire_w = (inner_w / 5).clamp(6, 24);
    let mut lines = Vec::new();
    for st in view.brokers() {
        let b = st.id;
        let status = if !st.alive {
            (cx.t("broker.down"), cx.theme().bad)
        } else if st.isolated {
            (cx.t("broker.cut_off"), cx.theme().bad)
        } else if st.fenced {
            (cx.t("broker.fenced"), cx.theme().warn)
        } else {
            ("", cx.theme().ok)
        };
        let mut spans = vec![Span::styled("Sender ", cx.theme().dim)];
        spans.extend(wire(cx, b, wire_w));
        spans.push(Span::styled(format!(" broker {b} "), cx.theme().title));
        spans.push(Span::styled(status.0.to_string(), status.1));
        // The partitions this broker leads, with their marks.
        for part in &partitions {
            if part.leader == Some(b) {
                spans.push(Span::styled(
                    format!(
                        "  p{}★ LEO {} HW {}",
                        part.id, part.log_end_offset, part.high_watermark
                    ),
                    cx.theme().leader,
                ));
            }
        }
        lines.push(Line::from(spans));
    }
    // Per partition: every replica's LEO against the leader's, ISR membership.
    for part in &partitions {
        let leader_leo = part.log_end_offset.max(1);
        let mut spans = vec![Span::styled(
            format!("p{} e{} ", part.id, part.leader_epoch),
            cx.theme().title,
        )];
        for rep in &part.replicas {
            let r = rep.broker;
            let (mark, style) = if rep.leader {
                ("★", cx.theme().leader)
            } else if rep.in_isr {
                ("", cx.theme().isr)
            } else {
                ("✗", cx.theme().out_of_isr)
            };
            let behind = leader_leo - rep.log_end_offset;
            spans.push(Span::styled(
                format!("b{r}{mark}:{}", rep.log_end_offset),
                style,
            ));
            if behind > 0 && !rep.leader {
                spans.push(Span::styled(format!("(-{behind})"), cx.theme().warn));
            }
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(
            format!("HW {} ISR {:?}", part.high_watermark, part.isr),
            cx.theme().hw_mark,
        ));
        if part.leader.is_none() {
            spans.push(Span::styled(
                format!(" {}", cx.t("partition.offline")),
                cx.theme().bad,
            ));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block(cx, "panel.brokers", PanelId::Brokers)),
        area,
    );
}

pub fn consumer(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let app = cx.app;
    let view = app.sim.view();
    let g = view.consumer_group();
    let cfg = &app.sim.config().consumer;
    let hws = view.high_watermarks();
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{} · commit.mode={} · max.poll.records={}",
            cfg.group_id,
            cfg.commit_mode.name(),
            cfg.max_poll_records
        ),
        cx.theme().dim,
    ))];
    if g.consumers.is_empty() {
        lines.push(Line::from(cx.t("consumer.none")));
    }
    for c in &g.consumers {
        let (phase, style) = match c.phase {
            Phase::Dead => (cx.t("consumer_phase.dead"), cx.theme().bad),
            Phase::Joining => (cx.t("consumer_phase.joining"), cx.theme().warn),
            Phase::Polling => ("poll()", cx.theme().ok),
            Phase::Processing => (cx.t("consumer_phase.processing"), cx.theme().accent),
            Phase::CommitSync => ("commitSync()", cx.theme().warn),
        };
        let busy = c
            .poll
            .as_ref()
            .map_or(String::new(), |poll| format!(" {} ", poll.records()));
        let mut spans = vec![
            Span::styled(format!("c{} ", c.index), cx.theme().title),
            Span::styled(format!("{phase}{busy}"), style),
        ];
        if c.left_group {
            // The heartbeat thread left the group (max.poll.interval.ms): the event log says it
            // in full; the panel is narrow.
            let gap = if busy.is_empty() { " " } else { "" };
            spans.push(Span::styled(
                format!("{gap}{}", cx.t("consumer.left_group")),
                cx.theme().bad,
            ));
        }
        lines.push(Line::from(spans));
        for &(p, pos) in &c.positions {
            let committed = g.committed(p);
            let hw = hws.get(p as usize).copied().unwrap_or(0);
            lines.push(Line::from(vec![
                Span::styled(format!("  p{p} "), cx.theme().dim),
                Span::raw(format!("{} {pos} ", cx.t("consumer.position"))),
                Span::styled(
                    format!(
                        "{} {} ",
                        cx.t("label.committed"),
                        committed.map_or("-".to_string(), |c| c.to_string())
                    ),
                    cx.theme().ok,
                ),
                Span::styled(format!("lag {}", (hw - pos).max(0)), cx.theme().dim),
            ]));
        }
    }
    let s = g.stats;
    lines.push(Line::from(Span::styled(
        format!(
            "{} {} · {} {}/{}",
            cx.t("label.processed"),
            s.processed,
            cx.t("consumer.commits"),
            s.commits_ok,
            s.commits_sent
        ),
        cx.theme().dim,
    )));
    frame.render_widget(
        Paragraph::new(lines).block(block(cx, "panel.consumer", PanelId::Consumer)),
        area,
    );
}
