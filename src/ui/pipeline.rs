//! The producer side: the application thread's `send()` stages, the RecordAccumulator's
//! lanes (one per partition, each batch's fill against batch.size and the linger
//! countdown, the buffer.memory gauge), and the Sender's connections and in-flight requests.

use super::{Ctx, PanelId, block, gauge};
use crate::i18n::ids;
use crate::sim::trace::PartitionChoice;
use crate::sim::view::{AppState, ConnState, Wait};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn producer(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let app = cx.app;
    let view = app.sim.view();
    let p = view.application();
    let now = view.now();
    let mut lines = Vec::new();
    // The stages light up for a moment after each send() (virtual time: frozen when paused).
    let recent = app
        .last_send
        .is_some_and(|(_, _, _, t)| now.since(t).as_micros() < 2_000);
    let stage = |name: &str| {
        Span::styled(
            format!(" {name} "),
            if recent {
                cx.theme().selected
            } else {
                cx.theme().dim
            },
        )
    };
    let arrow = || Span::styled(cx.glyphs().arrow_right.to_string(), cx.theme().dim);
    lines.push(Line::from(vec![
        stage("send()"),
        arrow(),
        stage(cx.t("stage.interceptor")),
        arrow(),
        stage(cx.t("stage.serializer")),
        arrow(),
        stage(cx.t("stage.partitioner")),
    ]));
    if let Some((record, partition, choice, _)) = app.last_send {
        let key = app
            .sim
            .workload()
            .key
            .as_ref()
            .map_or_else(|| "null".to_string(), |k| k.render(u64::from(record)));
        let how = match choice {
            PartitionChoice::Key => "murmur2(key)",
            PartitionChoice::Sticky => cx.t("partitioner.sticky"),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("#{} ", ids::record(record)), cx.theme().record),
            Span::raw(format!("key={key} ")),
            Span::styled(
                format!("{} p{partition} ({how})", cx.glyphs().arrow_right),
                cx.theme().accent,
            ),
        ]));
    }
    let state = cx.t(match p.state {
        AppState::Sending => "app_state.sending",
        AppState::Blocked { .. } => "app_state.blocked",
        AppState::WaitingMetadata { .. } => "app_state.waiting_metadata",
        AppState::WaitingAck { .. } => "app_state.waiting_ack",
        AppState::Flushing => "app_state.flushing",
        AppState::Closing => "app_state.closing",
        AppState::Restarting => "app_state.restarting",
        AppState::Closed => "app_state.closed",
        AppState::Idle => "app_state.idle",
        AppState::Dead => "app_state.dead",
    });
    let style = match p.state {
        AppState::Blocked { .. } | AppState::Dead => cx.theme().bad,
        AppState::WaitingMetadata { .. } | AppState::Restarting => cx.theme().warn,
        _ => cx.theme().ok,
    };
    lines.push(Line::from(Span::styled(state.to_string(), style)));
    lines.push(Line::from(format!(
        "{} {}  onSend {}  onAck {}",
        cx.t("label.sent"),
        p.stats.send_calls,
        p.interceptor_on_send,
        p.interceptor_on_ack
    )));
    lines.push(gauge(
        cx,
        "buffer.memory",
        p.buffer_used,
        p.buffer_total,
        area.width.saturating_sub(4),
    ));
    frame.render_widget(
        Paragraph::new(lines).block(block(cx, "panel.producer", PanelId::Producer)),
        area,
    );
}

pub fn accumulator(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let app = cx.app;
    let view = app.sim.view();
    let acc = view.accumulator();
    let now = view.now();
    let batch_size = acc.batch_size;
    let inner_w = area.width.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    // Each batch: a small gauge of its fill; the head batch also shows its linger countdown.
    let cell = (inner_w.saturating_sub(30) / 3).clamp(4, 12);
    for (p, lane) in acc.lanes.iter().enumerate() {
        let mut spans = vec![Span::styled(format!("p{p} "), cx.theme().title)];
        if lane.batches.is_empty() {
            spans.push(Span::styled(cx.t("accumulator.empty"), cx.theme().dim));
        }
        for (i, b) in lane.batches.iter().take(3).enumerate() {
            let fill = (b.bytes as f64 / batch_size.max(1) as f64).min(1.0);
            spans.push(super::bar(cx, fill, cell, cx.theme().batch));
            if i == 0 {
                let word = match b.waiting {
                    Wait::Backoff => cx.t("accumulator.backoff"),
                    Wait::Linger => "linger",
                };
                let remain = b.deadline.since(now);
                spans.push(Span::styled(
                    format!(" {}B {word} {remain} ", b.bytes),
                    cx.theme().dim,
                ));
            } else {
                spans.push(Span::raw(" "));
            }
        }
        if lane.batches.len() > 3 {
            spans.push(Span::styled(
                format!("+{}", lane.batches.len() - 3),
                cx.theme().warn,
            ));
        }
        if lane.muted {
            spans.push(Span::styled(
                format!(" {}", cx.t("accumulator.muted")),
                cx.theme().warn,
            ));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(Span::styled(
        format!(
            "batch.size {batch_size}  linger.ms {}  {} {}",
            acc.linger.as_millis(),
            cx.t("accumulator.queued"),
            acc.queued_batches()
        ),
        cx.theme().dim,
    )));
    frame.render_widget(
        Paragraph::new(lines).block(block(cx, "panel.accumulator", PanelId::Accumulator)),
        area,
    );
}

pub fn sender(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let view = cx.app.sim.view();
    let client = view.network_client();
    let max = client.max_in_flight;
    let mut lines = Vec::new();
    for conn in &client.connections {
        let n = conn.in_flight.len();
        let dots: String = (0..max.max(n))
            .map(|i| {
                if i < n {
                    cx.glyphs().request
                } else {
                    cx.glyphs().gauge_empty
                }
            })
            .collect::<Vec<_>>()
            .join("");
        let (state, style) = match conn.state {
            ConnState::Ready => (String::new(), cx.theme().ok),
            ConnState::Connecting => (
                format!(" {}", cx.t("connection.connecting")),
                cx.theme().warn,
            ),
            ConnState::Disconnected => (format!(" {}", cx.t("connection.down")), cx.theme().dim),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("b{} ", conn.broker), cx.theme().title),
            Span::styled(dots, cx.theme().request),
            Span::styled(format!(" {n}/{max}{state}"), style),
        ]));
    }
    let s = view.application().stats;
    lines.push(Line::from(Span::styled(
        format!(
            "{} {}  {} {}  {} {}",
            cx.t("sender.requests"),
            s.requests,
            cx.t("sender.retries"),
            s.retries,
            cx.t("label.failed"),
            s.failed
        ),
        cx.theme().dim,
    )));
    let idempotence = &client.idempotence;
    if idempotence.enabled {
        let pid = idempotence.producer_id.to_string();
        let epoch = idempotence.epoch.to_string();
        lines.push(Line::from(Span::styled(
            cx.tf("sender.idempotent", &[("pid", &pid), ("epoch", &epoch)]),
            cx.theme().dim,
        )));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block(cx, "panel.sender", PanelId::Sender)),
        area,
    );
}
