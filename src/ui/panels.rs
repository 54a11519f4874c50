//! The ledger (verdict counters that flash when they change, and the latest examples
//! with their causes), the event log, the metrics and the knobs.

use super::{Ctx, PanelId, block};
use crate::app::Mode;
use crate::app::narrate::Level;
use crate::i18n::ids;
use crate::sim::SimTime;
use crate::sim::ledger::Verdict;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline, Wrap};

fn verdict_key(v: Verdict) -> &'static str {
    match v {
        Verdict::Delivered => "verdict.delivered",
        Verdict::LostBroker => "verdict.lost_broker",
        Verdict::LostConsumer => "verdict.lost_consumer",
        Verdict::DuplicatedLog => "verdict.duplicated_log",
        Verdict::DuplicatedProcessing => "verdict.duplicated_processing",
        Verdict::Reordered => "verdict.reordered",
        Verdict::FailedNotWritten => "verdict.failed_not_written",
        Verdict::FailedWritten => "verdict.failed_written",
        Verdict::Unsent => "verdict.unsent",
        Verdict::InProgress => "verdict.in_progress",
    }
}

pub fn ledger(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let app = cx.app;
    let rep = &app.ledger;
    let mut lines = Vec::new();
    let mut row: Vec<Span> = Vec::new();
    for v in Verdict::ALL {
        let n = rep.counts.get(v.name()).copied().unwrap_or(0);
        // The producer's outcomes (failed, unsent) appear once they happen: ten counters
        // at 0 would push "in progress" out of a small panel.
        if v.is_producer_outcome() && n == 0 {
            continue;
        }
        let style = if app.flashing(v.name()) {
            cx.theme().flash
        } else if v.is_anomaly() && n > 0 {
            cx.theme().bad
        } else if v.is_producer_outcome() {
            cx.theme().warn
        } else if n == 0 {
            cx.theme().dim
        } else {
            cx.theme().ok
        };
        row.push(Span::styled(format!("{} {n}", cx.t(verdict_key(v))), style));
        row.push(Span::raw("  "));
        if row.len() >= 6 {
            lines.push(Line::from(std::mem::take(&mut row)));
        }
    }
    if !row.is_empty() {
        lines.push(Line::from(row));
    }
    // The latest examples, anomalies first, each with its cause.
    let anomalies_first = rep
        .examples
        .iter()
        .filter(|e| e.verdict.is_anomaly())
        .chain(rep.examples.iter().filter(|e| !e.verdict.is_anomaly()));
    for e in anomalies_first.take(4) {
        let at = e.offset.map_or(String::new(), |o| format!("@{o}"));
        lines.push(Line::from(vec![
            Span::styled(
                format!("#{} p{}{at} ", ids::record(e.record), e.partition),
                cx.theme().record,
            ),
            Span::styled(
                format!("{}: ", cx.t(verdict_key(e.verdict))),
                cx.theme().bad,
            ),
            Span::raw(crate::i18n::describe::explanation(cx.app.lang, &e.cause)),
        ]));
    }
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(block(
            cx,
            "panel.ledger",
            PanelId::Ledger,
        )),
        area,
    );
}

pub fn log(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let app = cx.app;
    let rows = area.height.saturating_sub(2) as usize;
    let line = |t: SimTime, text: String, style: Style| {
        Line::from(vec![
            Span::styled(format!("{:>9} ", t.to_string()), cx.theme().dim),
            Span::styled(text, style),
        ])
    };
    let mut timed: Vec<(SimTime, Line)> = app
        .log
        .iter()
        .rev()
        .take(rows)
        .map(|l| {
            let style = match l.level {
                Level::Info => Style::default(),
                Level::Good => cx.theme().ok,
                Level::Warn => cx.theme().warn,
                Level::Bad => cx.theme().bad,
            };
            (l.t, line(l.t, l.text(app.lang), style))
        })
        .collect();
    timed.reverse();
    // With listeners, the server's own lines (connections, the topic, group joins) take
    // their place in time among the simulation's (a stable sort: the simulation's first).
    if let Some(live) = &app.live {
        let skip = live.lines.len().saturating_sub(rows);
        timed.extend(
            live.lines
                .iter()
                .skip(skip)
                .filter_map(|(t, text)| t.map(|t| (t, line(t, text.clone(), cx.theme().accent)))),
        );
        timed.sort_by_key(|(t, _)| *t);
    }
    let start = timed.len().saturating_sub(rows);
    let lines: Vec<Line> = timed.into_iter().skip(start).map(|(_, l)| l).collect();
    frame.render_widget(
        Paragraph::new(lines).block(block(cx, "panel.log", PanelId::Log)),
        area,
    );
}

pub fn metrics(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let app = cx.app;
    let m = &app.metrics;
    let b = block(cx, "panel.metrics", PanelId::Metrics);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let [text, spark] = Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(inner);
    let fmt = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.1}"));
    let last = m.throughput.back().copied().unwrap_or(0);
    let lines = vec![
        Line::from(format!("{} {last} rec/s", cx.t("metrics.throughput_short"))),
        Line::from(format!(
            "{} {:.1} · {} {:.0}%",
            cx.t("metrics.records_per_batch_short"),
            m.avg_records_per_batch(),
            cx.t("metrics.fill"),
            m.avg_fill(app.sim.effective().batch_size) * 100.0
        )),
        Line::from(format!(
            "{} p50 {} · p99 {} ms",
            cx.t("label.latency"),
            fmt(m.latency_ms(0.5)),
            fmt(m.latency_ms(0.99))
        )),
    ];
    frame.render_widget(Paragraph::new(lines), text);
    let data: Vec<u64> = m.throughput.iter().copied().collect();
    let start = data.len().saturating_sub(spark.width as usize);
    frame.render_widget(
        Sparkline::default()
            .data(&data[start..])
            .style(cx.theme().accent),
        spark,
    );
}

pub fn knobs(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let app = cx.app;
    let rows = area.height.saturating_sub(2) as usize;
    // Keep the selected knob in view.
    let first = app.knob.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = app
        .knobs
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, k)| {
            let selected = i == app.knob;
            let value = match (&app.mode, selected) {
                (Mode::Editing(s), true) => format!("{s}_"),
                _ => app.knob_display(i),
            };
            let style = if selected {
                cx.theme().selected
            } else {
                Style::default()
            };
            Line::from(vec![
                Span::styled(format!("{} ", if selected { "›" } else { " " }), style),
                Span::styled(
                    format!("{}: ", k.name),
                    if selected { style } else { cx.theme().dim },
                ),
                Span::styled(value, style),
            ])
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(block(cx, "panel.knobs", PanelId::Knobs)),
        area,
    );
}
