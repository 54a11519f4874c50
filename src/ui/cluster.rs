//! The brokers and the wire: requests and acks travelling between the Sender and each
//! broker (drawn from their own schedule, so they glide at any speed and freeze when
//! paused), and every partition's replicas with leader, ISR, LEO and high watermark.

use super::{Ctx, PanelId, block};
use crate::sim::kernel::FlightKind;
use crate::sim::network::Node;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// A lane of `width` cells with markers at the interpolated positions of the flights
/// between the producer and broker `b`.
fn wire(cx: &Ctx, b: u32, width: usize) -> Vec<Span<'static>> {
    let app = cx.app;
    let now = app.sim.now();
    let mut cells: Vec<(String, ratatui::style::Style)> =
        vec![(cx.glyphs().rule.to_string(), cx.theme().dim); width];
    for f in app.sim.flights() {
        let (outbound, mark, style) = match (f.from, f.to, f.kind) {
            (Node::Producer, Node::Broker(x), FlightKind::Produce { .. }) if x == b => {
                (true, cx.glyphs().request, cx.theme().request)
            }
            (Node::Broker(x), Node::Producer, FlightKind::ProduceResponse { ok }) if x == b => (
                false,
                cx.glyphs().ack,
                if ok { cx.theme().ack } else { cx.theme().bad },
            ),
            _ => continue,
        };
        let span = f.arrive.since(f.depart).as_micros().max(1) as f64;
        let frac = (now.since(f.depart).as_micros() as f64 / span).clamp(0.0, 1.0);
        let pos = (frac * (width.saturating_sub(1)) as f64).round() as usize;
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
    let app = cx.app;
    let cluster = app.sim.cluster();
    let zh = cx.zh();
    let inner_w = area.width.saturating_sub(2) as usize;
    let wire_w = (inner_w / 5).clamp(6, 24);
    let mut lines = Vec::new();
    for (b, st) in cluster.brokers.iter().enumerate() {
        let b = b as u32;
        let status = if !st.alive {
            (if zh { "宕机" } else { "DOWN" }, cx.theme().bad)
        } else if st.isolated {
            (if zh { "隔离" } else { "CUT OFF" }, cx.theme().bad)
        } else if st.fenced {
            (if zh { "被隔离" } else { "fenced" }, cx.theme().warn)
        } else {
            ("", cx.theme().ok)
        };
        let mut spans = vec![Span::styled("Sender ", cx.theme().dim)];
        spans.extend(wire(cx, b, wire_w));
        spans.push(Span::styled(format!(" broker {b} "), cx.theme().title));
        spans.push(Span::styled(status.0.to_string(), status.1));
        // The partitions this broker leads, with their marks.
        for (p, part) in cluster.partitions.iter().enumerate() {
            if part.leader == Some(b) {
                spans.push(Span::styled(
                    format!(
                        "  p{p}★ LEO {} HW {}",
                        part.log_end_offset(),
                        part.high_watermark()
                    ),
                    cx.theme().leader,
                ));
            }
        }
        lines.push(Line::from(spans));
    }
    // Per partition: every replica's LEO against the leader's, ISR membership.
    for (p, part) in cluster.partitions.iter().enumerate() {
        let leader_leo = part.log_end_offset().max(1);
        let hw = part.high_watermark();
        let mut spans = vec![Span::styled(
            format!("p{p} e{} ", part.leader_epoch),
            cx.theme().title,
        )];
        for &r in &part.replicas {
            let rep = part.replica(r);
            let in_isr = part.isr.contains(&r);
            let lead = part.leader == Some(r);
            let mark = if lead {
                "★"
            } else if in_isr {
                ""
            } else {
                "✗"
            };
            let style = if lead {
                cx.theme().leader
            } else if in_isr {
                cx.theme().isr
            } else {
                cx.theme().out_of_isr
            };
            let behind = leader_leo - rep.log_end_offset;
            spans.push(Span::styled(
                format!("b{r}{mark}:{}", rep.log_end_offset),
                style,
            ));
            if behind > 0 && !lead {
                spans.push(Span::styled(format!("(-{behind})"), cx.theme().warn));
            }
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(
            format!("HW {hw} ISR {:?}", part.isr),
            cx.theme().hw_mark,
        ));
        if part.leader.is_none() {
            spans.push(Span::styled(
                if zh { " 下线" } else { " OFFLINE" },
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
    use crate::sim::consumer::Phase;
    let app = cx.app;
    let g = app.sim.group();
    let zh = cx.zh();
    let cfg = &app.sim.config().consumer;
    let hws = app.sim.high_watermarks();
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
        lines.push(Line::from(if zh {
            "没有消费者（consumers=0）"
        } else {
            "no consumer (consumers=0)"
        }));
    }
    for c in &g.consumers {
        let (phase, style) = match (c.phase, zh) {
            (Phase::Dead, false) => ("crashed", cx.theme().bad),
            (Phase::Dead, true) => ("已崩溃", cx.theme().bad),
            (Phase::Joining, false) => ("joining the group", cx.theme().warn),
            (Phase::Joining, true) => ("加入消费者组中", cx.theme().warn),
            (Phase::Polling, _) => ("poll()", cx.theme().ok),
            (Phase::Processing, false) => ("processing", cx.theme().accent),
            (Phase::Processing, true) => ("处理中", cx.theme().accent),
            (Phase::CommitSync, _) => ("commitSync()", cx.theme().warn),
        };
        let busy = if c.phase == Phase::Processing {
            format!(" {} ", c.in_hand.len())
        } else {
            String::new()
        };
        let mut spans = vec![
            Span::styled(format!("c{} ", c.index), cx.theme().title),
            Span::styled(format!("{phase}{busy}"), style),
        ];
        if c.has_left_group() {
            // The heartbeat thread left the group (max.poll.interval.ms): the event log says it
            // in full; the panel is narrow.
            let gap = if busy.is_empty() { " " } else { "" };
            spans.push(Span::styled(
                format!(
                    "{gap}{}",
                    if zh {
                        "已离组：poll 超时"
                    } else {
                        "left: poll timeout"
                    }
                ),
                cx.theme().bad,
            ));
        }
        lines.push(Line::from(spans));
        for &p in &c.assignment {
            let pos = c.positions.get(&p).copied().unwrap_or(0);
            let committed = g.coordinator.committed.get(&p).copied();
            let hw = hws.get(p as usize).copied().unwrap_or(0);
            lines.push(Line::from(vec![
                Span::styled(format!("  p{p} "), cx.theme().dim),
                Span::raw(format!("{} {pos} ", if zh { "位置" } else { "pos" })),
                Span::styled(
                    format!(
                        "{} {} ",
                        if zh { "已提交" } else { "committed" },
                        committed.map_or("-".to_string(), |c| c.to_string())
                    ),
                    cx.theme().ok,
                ),
                Span::styled(format!("lag {}", (hw - pos).max(0)), cx.theme().dim),
            ]));
        }
    }
    let s = &g.stats;
    lines.push(Line::from(Span::styled(
        format!(
            "{} {} · {} {}/{}",
            if zh { "已处理" } else { "processed" },
            s.processed,
            if zh { "提交" } else { "commits" },
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
