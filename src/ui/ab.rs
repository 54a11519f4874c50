//! The A/B screen (`b`): both sides' flow views and, below them, the difference panel.
//!
//! ```text
//! ┌ A  acks=1 ─────────────────────────┐┌ B  acks=all ───────────────────────┐
//! │ (side A's flow view, compact)       ││ (side B's flow view, compact)      │
//! ╭ A/B · one seed, one workload, the same commands ─────────────────────────╮
//! │            acked   lost   duplicated   reordered   rec/batch   p99 ms     │
//! │ A acks=1    4210    191            0           0         6.1     12.0     │
//! │ B acks=all  4202      0            0           0         6.1     31.4     │
//! │ B − A         −8   −191            =           =           =    +19.4     │
//! ╰──────────────────────────────────────────────────────────────────────────╯
//! ```
//! From 120 columns the two flow views stand side by side (60 columns each is what the
//! flow view needs to show a tape per replica). Narrower, side A's flow view stays alone
//! above the difference panel, which still shows both sides' figures: stacked, each side
//! would keep too few rows to show a log.

use super::{Ctx, text};
use crate::app::App;
use crate::app::ab::{Versus, side_name};
use crate::sim::summary::Summary;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

/// From this width on, both flow views stand side by side.
pub const SIDE_BY_SIDE: u16 = 120;

/// Which way a figure is better, for the colour of its difference.
#[derive(Clone, Copy, PartialEq)]
enum Better {
    Higher,
    Lower,
    Neither,
}

/// A column of the difference panel: its words, its value in a side's summary.
struct Column {
    key: &'static str,
    get: fn(&Summary) -> Option<f64>,
    decimals: usize,
    better: Better,
}

/// The figures, most telling first: a narrow panel keeps the first ones.
const COLUMNS: &[Column] = &[
    Column {
        key: "ab.col.acked",
        get: |s| Some(s.producer.acked as f64),
        decimals: 0,
        better: Better::Higher,
    },
    Column {
        key: "ab.col.lost",
        get: |s| Some((s.ledger.lost.broker + s.ledger.lost.consumer) as f64),
        decimals: 0,
        better: Better::Lower,
    },
    Column {
        key: "ab.col.duplicated",
        get: |s| Some((s.ledger.duplicated.log + s.ledger.duplicated.processing) as f64),
        decimals: 0,
        better: Better::Lower,
    },
    Column {
        key: "ab.col.reordered",
        get: |s| Some(s.ledger.reordered as f64),
        decimals: 0,
        better: Better::Lower,
    },
    Column {
        key: "ab.col.per_batch",
        get: |s| Some(s.producer.records_per_batch),
        decimals: 1,
        better: Better::Neither,
    },
    Column {
        key: "ab.col.p99",
        get: |s| s.producer.latency_ms.p99,
        decimals: 1,
        better: Better::Lower,
    },
    Column {
        key: "ab.col.p50",
        get: |s| s.producer.latency_ms.p50,
        decimals: 1,
        better: Better::Lower,
    },
    Column {
        key: "ab.col.requests",
        get: |s| Some(s.producer.requests as f64),
        decimals: 0,
        better: Better::Neither,
    },
    Column {
        key: "ab.col.failed",
        get: |s| Some(s.producer.failed as f64),
        decimals: 0,
        better: Better::Lower,
    },
    Column {
        key: "ab.col.processed",
        get: |s| Some(s.consumer.processed as f64),
        decimals: 0,
        better: Better::Neither,
    },
];

/// Rows the difference panel takes: borders, the column names, A, B and B − A.
const PANEL_ROWS: u16 = 6;

/// Draws both sides into `area` (the screen's body).
pub fn draw(frame: &mut Frame, area: Rect, cx: &Ctx, ab: &Versus) {
    let [flows, panel] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(PANEL_ROWS)]).areas(area);
    if area.width >= SIDE_BY_SIDE {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(flows);
        pane(frame, left, cx.app, false, &cx.app.label_a());
        pane(frame, right, &ab.b, true, &ab.label_b());
    } else {
        // Side A alone: every row goes to its flow view; the panel below names the sides.
        let a = Ctx {
            app: cx.app,
            compact: true,
        };
        super::flow::draw(frame, flows, &a);
    }
    difference(frame, panel, cx, ab);
}

/// One side: its name and settings on a title line, then its flow view, compact.
fn pane(frame: &mut Frame, area: Rect, app: &App, b: bool, label: &str) {
    let cx = Ctx { app, compact: true };
    let [title, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let style = if b {
        cx.theme().warn
    } else {
        cx.theme().accent
    };
    let spans = vec![
        Span::styled(format!(" {} ", side_name(app.lang, b)), cx.theme().selected),
        Span::styled(format!(" {label} "), style),
    ];
    frame.render_widget(Paragraph::new(Line::from(spans)), title);
    super::flow::draw(frame, body, &cx);
}

/// The figures of both sides and B − A, a difference coloured by whether it is better.
fn difference(frame: &mut Frame, area: Rect, cx: &Ctx, ab: &Versus) {
    let block = super::framed(cx, cx.t("ab.panel"), cx.theme().border, cx.theme().title);
    // Narrow, only side A's flow view is drawn: say where B's is.
    let block = if area.width < SIDE_BY_SIDE {
        block.title(
            Line::from(Span::styled(
                format!(" {} ", cx.t("ab.narrow")),
                cx.theme().dim,
            ))
            .right_aligned(),
        )
    } else {
        block
    };
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some((a, b)) = &ab.figures else { return };
    let names = [
        format!("{} {}", side_name(cx.app.lang, false), cx.app.label_a()),
        format!("{} {}", side_name(cx.app.lang, true), ab.label_b()),
        cx.t("ab.delta").to_string(),
    ];
    let first = names
        .iter()
        .map(|n| text::width(n))
        .max()
        .unwrap_or(0)
        .clamp(8, 28)
        + 1;
    // As many columns as fit, each as wide as its name or its widest figure.
    let mut shown: Vec<(&Column, usize)> = Vec::new();
    let mut used = first;
    for c in COLUMNS {
        let cells = [(c.get)(a), (c.get)(b)].map(|v| number(v, c.decimals).len() + 1);
        let w = (text::width(cx.t(c.key)) + 2)
            .max(cells[0])
            .max(cells[1])
            .max(7);
        if used + w > inner.width as usize {
            break;
        }
        used += w;
        shown.push((c, w));
    }
    // What is left over spreads over the columns, so the table spans the panel.
    if let Some(extra) =
        (inner.width as usize - used.min(inner.width as usize)).checked_div(shown.len())
    {
        for (_, w) in &mut shown {
            *w += extra;
        }
    }
    let mut lines = vec![Line::from(
        std::iter::once(Span::raw(" ".repeat(first)))
            .chain(shown.iter().map(|(c, w)| {
                Span::styled(text::pad_left_to_width(cx.t(c.key), *w), cx.theme().dim)
            }))
            .collect::<Vec<_>>(),
    )];
    for (i, side) in [a, b].into_iter().enumerate() {
        let mut spans = vec![Span::styled(
            text::pad_to_width(&cx.glyphs().truncate(&names[i], first - 1), first),
            if i == 0 {
                cx.theme().accent
            } else {
                cx.theme().warn
            },
        )];
        for (c, w) in &shown {
            spans.push(Span::raw(text::pad_left_to_width(
                &number((c.get)(side), c.decimals),
                *w,
            )));
        }
        lines.push(Line::from(spans));
    }
    let mut spans = vec![Span::styled(
        text::pad_to_width(&names[2], first),
        cx.theme().title,
    )];
    for (c, w) in &shown {
        let (cell, style) = delta(cx, (c.get)(a), (c.get)(b), c);
        // The colour on the figure only, not on the padding before it.
        spans.push(Span::raw(" ".repeat(w.saturating_sub(text::width(&cell)))));
        spans.push(Span::styled(cell, style));
    }
    lines.push(Line::from(spans));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn number(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.decimals$}"))
}

/// B − A as shown: `=` when equal (at the shown precision), else signed and coloured: good
/// when B is better, bad when worse, highlighted when neither is better.
fn delta(cx: &Ctx, a: Option<f64>, b: Option<f64>, c: &Column) -> (String, Style) {
    let (Some(a), Some(b)) = (a, b) else {
        return ("-".to_string(), cx.theme().dim);
    };
    let d = b - a;
    let shown = format!("{:+.*}", c.decimals, d);
    if shown
        .trim_start_matches(['+', '-'])
        .chars()
        .all(|ch| ch == '0' || ch == '.')
    {
        return ("=".to_string(), cx.theme().dim);
    }
    let style = match (c.better, d > 0.0) {
        (Better::Neither, _) => cx.theme().accent,
        (Better::Higher, true) | (Better::Lower, false) => cx.theme().ok,
        (Better::Higher, false) | (Better::Lower, true) => cx.theme().bad,
    };
    // A real minus sign reads better than a hyphen beside the figures.
    (shown.replacen('-', "−", 1), style)
}

/// The `b` prompt: what to type, an example, the text so far.
pub fn prompt(frame: &mut Frame, area: Rect, cx: &Ctx, typed: &str) {
    let rect = super::centered(area, 76, 8);
    frame.render_widget(Clear, rect);
    let open = cx.app.ab.is_some();
    let lines = vec![
        Line::from(cx.t("ab.prompt.what")),
        Line::from(Span::styled(cx.t("ab.prompt.example"), cx.theme().dim)),
        Line::from(Span::styled(
            cx.t(if open {
                "ab.prompt.close"
            } else {
                "ab.prompt.shared"
            }),
            cx.theme().dim,
        )),
        Line::from(""),
        Line::from(vec![
            Span::styled(" B ", cx.theme().selected),
            Span::raw(format!(" {typed}_")),
        ]),
    ];
    let block = super::framed(
        cx,
        cx.t("ab.prompt.title"),
        cx.theme().border_focus,
        cx.theme().title,
    );
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}
