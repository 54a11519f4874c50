//! The lines under the tapes: each consumer with what it is doing (and any wait as a
//! countdown), the ledger's counts, the narration of the latest event, and the knobs.

use super::Scene;
use super::sending::short;
use crate::app::narrate::Level;
use crate::i18n::ids;
use crate::lesson::Part;
use crate::sim::view::Phase;
use crate::ui::{Ctx, text};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Consumers drawn one per line, up to this many (the rest are counted).
const MAX_CONSUMERS: u16 = 3;

pub fn consumer_lines_wanted(cx: &Ctx) -> u16 {
    (cx.app.sim.config().consumer.consumers as u16).min(MAX_CONSUMERS)
}

/// Whether the producer's figures line is drawn: where a lesson's step asks for it, and in
/// the sandbox on screens tall enough to spare the row.
pub fn figures_shown(cx: &Ctx, height: u16) -> bool {
    if cx.app.lesson.is_some() {
        cx.asked_for(Part::Figures)
    } else {
        height >= 30
    }
}

/// The consumers' lines (`consumers` of them), then the figures and the ledger as shown.
pub fn bottom(
    frame: &mut Frame,
    area: Rect,
    cx: &Ctx,
    scene: &Scene,
    consumers: u16,
    figures: bool,
    ledger: bool,
) {
    let mut lines = if consumers > 0 {
        consumer_lines(cx, scene)
    } else {
        Vec::new()
    };
    lines.truncate(consumers as usize);
    if figures {
        lines.push(figures_line(cx));
    }
    if ledger {
        lines.push(ledger_line(cx, area.width));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The producer's figures, as Kafka's own metrics name them: records/s, records per batch
/// and how full batches are against batch.size, send()-to-callback latency.
fn figures_line(cx: &Ctx) -> Line<'static> {
    let app = cx.app;
    let m = &app.metrics;
    let fmt = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.1}"));
    // No sample yet (the first refresh has not come): a dash, not a false zero.
    let last = m
        .throughput
        .back()
        .map_or("-".to_string(), ToString::to_string);
    let dim = cx.theme().dim;
    Line::from(vec![
        Span::styled(format!(" {}", cx.t("flow.figures")), cx.theme().title),
        Span::styled(
            format!(" {} {last} rec/s ", cx.t("metrics.throughput_short")),
            dim,
        ),
        Span::styled(
            format!(
                "· {} {:.1} · {} {:.0}% ",
                cx.t("metrics.records_per_batch_short"),
                m.avg_records_per_batch(),
                cx.t("metrics.fill"),
                m.avg_fill(app.sim.effective().batch_size) * 100.0
            ),
            dim,
        ),
        Span::styled(
            format!(
                "· {} p50 {} · p99 {} ms",
                cx.t("label.latency"),
                fmt(m.latency_ms(0.5)),
                fmt(m.latency_ms(0.99))
            ),
            dim,
        ),
    ])
}

fn consumer_lines(cx: &Ctx, scene: &Scene) -> Vec<Line<'static>> {
    let now = scene.view.now();
    let group = &scene.group;
    let g = cx.glyphs();
    let mut lines = Vec::new();
    for c in group.consumers.iter().take(MAX_CONSUMERS as usize) {
        let mut spans = vec![Span::styled(format!(" c{} ", c.index), cx.theme().accent)];
        let (phase, style) = match c.phase {
            Phase::Dead => (cx.t("consumer_phase.dead").to_string(), cx.theme().bad),
            Phase::Joining => (cx.t("consumer_phase.joining").to_string(), cx.theme().warn),
            Phase::Polling => ("poll()".to_string(), cx.theme().ok),
            Phase::Processing => (
                cx.t("consumer_phase.processing").to_string(),
                cx.theme().accent,
            ),
            Phase::CommitSync => ("commitSync()".to_string(), cx.theme().warn),
        };
        spans.push(Span::styled(phase, style));
        if c.left_group {
            spans.push(Span::styled(
                format!(" · {}", cx.t("consumer.left_group")),
                cx.theme().bad,
            ));
        }
        if let Some(until) = c.session_expires.filter(|t| *t > now) {
            let left = short(until.since(now).as_micros());
            spans.push(Span::styled(
                format!(" · {}", cx.tf("flow.wait_session", &[("left", &left)])),
                cx.theme().warn,
            ));
        }
        if c.phase == Phase::Joining {
            if let Some((until, initial)) = group.rebalance_deadline {
                let left = short(until.since(now).as_micros());
                let key = if initial {
                    "flow.wait_initial_rebalance"
                } else {
                    "flow.wait_rebalance"
                };
                spans.push(Span::styled(
                    format!(" · {}", cx.tf(key, &[("left", &left)])),
                    cx.theme().warn,
                ));
            }
        }
        let follow = cx.app.follow.as_ref();
        if let Some(j) = follow.filter(|j| j.in_poll_of() == Some(c.index)) {
            spans.push(Span::styled(
                format!(" {}#{}", cx.glyphs().flow.followed, j.record()),
                cx.theme().selected,
            ));
        }
        if let Some(poll) = &c.poll {
            for &(p, from, to, n) in &poll.ranges {
                spans.push(Span::styled(
                    format!(" p{p} {from}-{to} ({n})"),
                    cx.theme()
                        .partition(p)
                        .add_modifier(ratatui::style::Modifier::UNDERLINED),
                ));
            }
        }
        if !c.assignment.is_empty() && c.alive {
            let parts: Vec<String> = c.assignment.iter().map(|p| format!("p{p}")).collect();
            spans.push(Span::styled(
                format!(" {} {}", g.bullet, parts.join(" ")),
                cx.theme().dim,
            ));
        }
        lines.push(Line::from(spans));
    }
    let hidden = group.consumers.len().saturating_sub(MAX_CONSUMERS as usize);
    if let (true, Some(last)) = (hidden > 0, lines.last_mut()) {
        last.spans.push(Span::styled(
            cx.tf("flow.more_consumers", &[("n", &hidden.to_string())]),
            cx.theme().dim,
        ));
    }
    let s = group.stats;
    if let Some(first) = lines.first_mut() {
        first.spans.push(Span::styled(
            format!(
                " {} {} {} {} {}",
                g.bullet,
                cx.tf("flow.processed", &[("n", &s.processed.to_string())]),
                g.bullet,
                cx.t("consumer.commits"),
                s.commits_ok
            ),
            cx.theme().dim,
        ));
    }
    lines
}

fn ledger_line(cx: &Ctx, width: u16) -> Line<'static> {
    let app = cx.app;
    let l = &app.ledger;
    let f = &cx.glyphs().flow;
    let count = |name: &str| l.counts.get(name).copied().unwrap_or(0);
    let item = |name: &'static str, label: String, n: u64, bad: bool| -> Span<'static> {
        let style = if app.flashing(name) {
            cx.theme().flash
        } else if bad && n > 0 {
            cx.theme().bad
        } else {
            cx.theme().dim
        };
        Span::styled(format!(" {label} {n} "), style)
    };
    let failed = count("failed_not_written") + count("failed_written");
    // Narrow screens keep the anomalies and drop what is zero and not one.
    let narrow = width < 100;
    let mut spans = vec![
        Span::styled(format!(" {}", cx.t("flow.ledger")), cx.theme().title),
        item(
            "delivered",
            cx.t("flow.ledger.delivered").to_string(),
            count("delivered"),
            false,
        ),
        item(
            "lost_broker",
            format!("{} {}", f.lost, cx.t("flow.ledger.lost")),
            l.lost.broker + l.lost.consumer,
            true,
        ),
        item(
            "duplicated_log",
            format!("{} {}", f.duplicate, cx.t("flow.ledger.duplicated")),
            l.duplicated.log + l.duplicated.processing,
            true,
        ),
    ];
    if !narrow || l.reordered > 0 {
        spans.push(item(
            "reordered",
            cx.t("flow.ledger.reordered").to_string(),
            l.reordered,
            true,
        ));
    }
    if !narrow || failed > 0 {
        spans.push(item(
            "failed_not_written",
            cx.t("flow.ledger.failed").to_string(),
            failed,
            true,
        ));
    }
    spans.push(item(
        "in_progress",
        cx.t("flow.ledger.in_progress").to_string(),
        count("in_progress"),
        false,
    ));
    Line::from(spans)
}

/// Rows the followed record's journey may take: its latest stages win.
const JOURNEY_ROWS: usize = 3;

/// The followed record's journey so far, with times (empty when nothing is followed).
pub fn journey_lines(cx: &Ctx, width: u16) -> Vec<Line<'static>> {
    let Some(j) = cx.app.follow.as_ref() else {
        return Vec::new();
    };
    let mut lines = crate::ui::journey::lines(cx, j, width.saturating_sub(1));
    if lines.len() > JOURNEY_ROWS {
        lines.drain(..lines.len() - JOURNEY_ROWS);
        // The record's id leaves with the first line: it heads the rest instead.
        if let Some(first) = lines.first_mut() {
            first.spans.insert(
                0,
                Span::styled(format!("#{}", ids::record(j.record())), cx.theme().selected),
            );
        }
    }
    // After `a`: why it is an anomaly, in full (the status line may cut it).
    let mut out: Vec<Line<'static>> = Vec::new();
    if let Some(cause) = &cx.app.follow_cause {
        let text = cause.get(cx.app.lang);
        for row in text::wrap(text, (width as usize).saturating_sub(2).max(10))
            .into_iter()
            .take(CAUSE_ROWS)
        {
            out.push(Line::styled(format!(" {row}"), cx.theme().bad));
        }
    }
    out.extend(lines.into_iter().map(|mut l| {
        l.spans.insert(0, Span::raw(" "));
        l
    }));
    out
}

/// Rows for an anomaly's cause above the journey.
const CAUSE_ROWS: usize = 3;

/// The latest event in plain words, full width, on two lines if it needs them.
pub fn narration(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let app = cx.app;
    // A scenario's beat speaks instead of the event log while the story waits on it.
    let (said, style) = if let Some(caption) = &app.beat_caption {
        (format!("▶ {}", caption.get(app.lang)), cx.theme().accent)
    } else {
        let Some((entry, _)) = app.narration.said.as_ref() else {
            return;
        };
        let style = match entry.level {
            Level::Info => Style::default(),
            Level::Good => cx.theme().ok,
            Level::Warn => cx.theme().warn,
            Level::Bad => cx.theme().bad,
        };
        let said = format!(
            "{} {} {}",
            cx.glyphs().selected,
            entry.t,
            entry.text(app.lang)
        );
        (said, style)
    };
    let width = area.width.saturating_sub(2) as usize;
    let mut rows = text::wrap(&said, width.max(10));
    if rows.len() > area.height as usize {
        rows.truncate(area.height as usize);
        if let Some(last) = rows.last_mut() {
            *last = cx.glyphs().truncate(&format!("{last}  "), width);
        }
    }
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|r| Line::styled(format!(" {r}"), style))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// Every knob, `name value`, wrapped to `width`, the selected one highlighted.
pub fn knob_lines(cx: &Ctx, width: u16) -> Vec<Line<'static>> {
    let app = cx.app;
    let width = width as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut line: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for (i, k) in app.knobs.iter().enumerate() {
        let item = format!(" {} {} ", k.name, app.knob_display(i));
        let w = text::width(&item) + 1;
        if used + w > width && !line.is_empty() {
            lines.push(Line::from(std::mem::take(&mut line)));
            used = 0;
        }
        let style = if i == app.knob {
            cx.theme().selected
        } else {
            cx.theme().key_desc
        };
        line.push(Span::styled(item, style));
        line.push(Span::raw(" "));
        used += w;
    }
    if !line.is_empty() {
        lines.push(Line::from(line));
    }
    lines
}

pub fn knobs(frame: &mut Frame, area: Rect, cx: &Ctx) {
    frame.render_widget(Paragraph::new(knob_lines(cx, area.width)), area);
}
