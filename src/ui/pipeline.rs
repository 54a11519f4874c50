//! The producer side: the application thread's `send()` stages, the RecordAccumulator's
//! lanes (one per partition, each batch's fill against batch.size and the linger
//! countdown, the buffer.memory gauge), and the Sender's connections and in-flight requests.

use super::{Ctx, PanelId, block, gauge};
use crate::sim::SimDuration;
use crate::sim::producer::AppState;
use crate::sim::sender::ConnState;
use crate::sim::trace::PartitionChoice;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn producer(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let app = cx.app;
    let p = app.sim.producer();
    let zh = cx.zh();
    let now = app.sim.now();
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
        let how = match (choice, zh) {
            (PartitionChoice::Key, _) => "murmur2(key)",
            (PartitionChoice::Sticky, false) => "sticky",
            (PartitionChoice::Sticky, true) => "粘性",
        };
        lines.push(Line::from(vec![
            Span::styled(format!("#{record} "), cx.theme().record),
            Span::raw(format!("key={key} ")),
            Span::styled(
                format!("{} p{partition} ({how})", cx.glyphs().arrow_right),
                cx.theme().accent,
            ),
        ]));
    }
    let state = match (p.app, zh) {
        (AppState::Sending, false) => "sending",
        (AppState::Sending, true) => "发送中",
        (AppState::Blocked { .. }, false) => "BLOCKED: buffer.memory full",
        (AppState::Blocked { .. }, true) => "阻塞：buffer.memory 已满",
        (AppState::WaitingMetadata { .. }, false) => "waiting for metadata",
        (AppState::WaitingMetadata { .. }, true) => "等待元数据",
        (AppState::WaitingAck { .. }, false) => "future.get(): waiting for the ack",
        (AppState::WaitingAck { .. }, true) => "future.get()：等待确认",
        (AppState::Flushing, _) => "flush()",
        (AppState::Closing, _) => "close()",
        (AppState::Restarting, false) => "restarting the producer",
        (AppState::Restarting, true) => "生产者重启中",
        (AppState::Closed, false) => "closed",
        (AppState::Closed, true) => "已关闭",
        (AppState::Idle, false) => "idle",
        (AppState::Idle, true) => "空闲",
        (AppState::Dead, false) => "CRASHED",
        (AppState::Dead, true) => "已崩溃",
    };
    let style = match p.app {
        AppState::Blocked { .. } | AppState::Dead => cx.theme().bad,
        AppState::WaitingMetadata { .. } | AppState::Restarting => cx.theme().warn,
        _ => cx.theme().ok,
    };
    lines.push(Line::from(Span::styled(state.to_string(), style)));
    lines.push(Line::from(format!(
        "{} {}  onSend {}  onAck {}",
        if zh { "已发送" } else { "sent" },
        p.stats.send_calls,
        p.interceptor_on_send,
        p.interceptor_on_ack
    )));
    let pool = &p.acc.pool;
    lines.push(gauge(
        cx,
        "buffer.memory",
        pool.used(),
        pool.total,
        area.width.saturating_sub(4),
    ));
    frame.render_widget(
        Paragraph::new(lines).block(block(cx, "panel.producer", PanelId::Producer)),
        area,
    );
}

pub fn accumulator(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let app = cx.app;
    let acc = &app.sim.producer().acc;
    let now = app.sim.now();
    let zh = cx.zh();
    let batch_size = app.sim.effective().batch_size as usize;
    let inner_w = area.width.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    // Each batch: a small gauge of its fill; the head batch also shows its linger countdown.
    let cell = (inner_w.saturating_sub(30) / 3).clamp(4, 12);
    for (p, deque) in acc.deques.iter().enumerate() {
        let mut spans = vec![Span::styled(format!("p{p} "), cx.theme().title)];
        if deque.is_empty() {
            spans.push(Span::styled(
                if zh { "（空）" } else { "(empty)" },
                cx.theme().dim,
            ));
        }
        for (i, &key) in deque.iter().take(3).enumerate() {
            let b = acc.batch(key);
            let fill = (b.bytes as f64 / batch_size.max(1) as f64).min(1.0);
            spans.push(super::bar(cx, fill, cell, cx.theme().batch));
            if i == 0 {
                let waited = now.since(b.last_attempt);
                let (word, wait) = if b.attempts > 0 {
                    (if zh { "退避" } else { "backoff" }, b.backoff)
                } else {
                    ("linger", acc.linger)
                };
                let remain = SimDuration(wait.as_micros().saturating_sub(waited.as_micros()));
                spans.push(Span::styled(
                    format!(" {}B {word} {remain} ", b.bytes),
                    cx.theme().dim,
                ));
            } else {
                spans.push(Span::raw(" "));
            }
        }
        if deque.len() > 3 {
            spans.push(Span::styled(
                format!("+{}", deque.len() - 3),
                cx.theme().warn,
            ));
        }
        if acc.muted.get(p).copied().unwrap_or(false) {
            spans.push(Span::styled(
                if zh { " 静默" } else { " muted" },
                cx.theme().warn,
            ));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(Span::styled(
        format!(
            "batch.size {batch_size}  linger.ms {}  {} {}",
            acc.linger.as_millis(),
            if zh {
                "队列中批次"
            } else {
                "queued batches"
            },
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
    let app = cx.app;
    let p = app.sim.producer();
    let zh = cx.zh();
    let max = app
        .sim
        .config()
        .producer
        .max_in_flight_requests_per_connection as usize;
    let mut lines = Vec::new();
    for (b, conn) in p.sender.conns.iter().enumerate() {
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
            ConnState::Ready => ("", cx.theme().ok),
            ConnState::Connecting => (if zh { " 连接中" } else { " connecting" }, cx.theme().warn),
            ConnState::Disconnected => (if zh { " 未连接" } else { " down" }, cx.theme().dim),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("b{b} "), cx.theme().title),
            Span::styled(dots, cx.theme().request),
            Span::styled(format!(" {n}/{max}{state}"), style),
        ]));
    }
    let s = &p.stats;
    lines.push(Line::from(Span::styled(
        format!(
            "{} {}  {} {}  {} {}",
            if zh { "请求" } else { "requests" },
            s.requests,
            if zh { "重试" } else { "retries" },
            s.retries,
            if zh { "失败" } else { "failed" },
            s.failed
        ),
        cx.theme().dim,
    )));
    let idem = &p.idem;
    if idem.enabled {
        lines.push(Line::from(Span::styled(
            format!("idempotent pid {} epoch {}", idem.producer_id, idem.epoch),
            cx.theme().dim,
        )));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block(cx, "panel.sender", PanelId::Sender)),
        area,
    );
}
