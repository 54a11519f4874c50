//! The timeline bar, one line under the header: the virtual time watched so far, where the
//! screen is in it, and a marker for every command (faults, settings) and notable moment
//! (leader elected, ISR shrink / expand, first loss, first duplicate, rebalance, consumer
//! crash). After a rewind the stretch already watched ahead of the position is dotted:
//! playing on replays it, a key pressed there starts a new future. A scenario's bar spans
//! its whole story (its `until`), with its scripted commands marked ahead.
//!
//! ```text
//!  0 ━━━━━━━↯━━━━━━★━━━━━●┄┄┄┄✗┄┄┄┄┄┄┄┄┄ 41.0ms   , [ ] < > s
//! ```

use super::Ctx;
use super::text::width;
use crate::app::timeline::MarkerKind;
use crate::scenarios::Moment;
use crate::sim::SimTime;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The bar's cells: played, watched ahead, not watched yet; and the position.
struct Cells {
    played: &'static str,
    ahead: &'static str,
    unseen: &'static str,
    position: &'static str,
}

fn cells(ascii: bool) -> Cells {
    if ascii {
        Cells {
            played: "=",
            ahead: ".",
            unseen: "-",
            position: "O",
        }
    } else {
        Cells {
            played: "━",
            ahead: "┄",
            unseen: "─",
            position: "●",
        }
    }
}

/// A marker's one-column glyph.
pub fn marker_glyph(kind: MarkerKind, ascii: bool) -> &'static str {
    let (uni, asc) = match kind {
        MarkerKind::Fault => ("↯", "!"),
        MarkerKind::Setting => ("◆", "*"),
        MarkerKind::Moment(m) => match m {
            Moment::LeaderElected => ("★", "L"),
            Moment::IsrShrink => ("▾", "v"),
            Moment::IsrExpand => ("▴", "^"),
            Moment::FirstLoss => ("✗", "x"),
            Moment::FirstDuplicate => ("²", "2"),
            Moment::Rebalance => ("↻", "R"),
            Moment::ConsumerCrash => ("†", "+"),
        },
    };
    if ascii { asc } else { uni }
}

fn marker_style(cx: &Ctx, kind: MarkerKind) -> Style {
    let th = cx.theme();
    match kind {
        MarkerKind::Fault | MarkerKind::Moment(Moment::FirstLoss) => th.bad,
        MarkerKind::Moment(Moment::FirstDuplicate | Moment::ConsumerCrash | Moment::IsrShrink) => {
            th.warn
        }
        MarkerKind::Setting => th.accent,
        MarkerKind::Moment(_) => th.ok,
    }
}

fn priority(kind: MarkerKind) -> u8 {
    match kind {
        MarkerKind::Moment(Moment::FirstLoss | Moment::FirstDuplicate) => 3,
        MarkerKind::Fault | MarkerKind::Setting => 2,
        MarkerKind::Moment(_) => 1,
    }
}

/// The column of time `t` on a bar of `width` cells spanning 0..=`end`.
fn column(t: SimTime, end: SimTime, width: usize) -> usize {
    if end.0 == 0 || width < 2 {
        return 0;
    }
    let x = (u128::from(t.0) * (width as u128 - 1)) / u128::from(end.0);
    (x as usize).min(width - 1)
}

pub fn draw(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let app = cx.app;
    let tl = &app.timeline;
    let now = app.sim.now();
    let end = tl.horizon.max(now).max(tl.span);
    let ascii = cx.glyphs().is_ascii();
    // Live time cannot rewind (`app::live`): the bar says what it is instead.
    let keys = format!(
        "  {}",
        cx.t(if app.live.is_some() {
            "live.time"
        } else {
            "time.keys"
        })
    );
    let end_label = format!(" {end}");
    let reserved = 3 + width(&end_label) + width(&keys);
    // The bar needs room more than the hint does (the help lists the keys too).
    let (width, keys) = if usize::from(area.width) >= reserved + 40 {
        (usize::from(area.width) - reserved, keys)
    } else {
        (
            usize::from(area.width).saturating_sub(3 + width(&end_label)),
            String::new(),
        )
    };
    let width = width.max(1);
    let c = cells(ascii);
    let pos = column(now, end, width);
    let horizon = column(tl.horizon.max(now), end, width);
    let mut row: Vec<(&str, Style)> = (0..width)
        .map(|x| {
            if x < pos {
                (c.played, cx.theme().accent)
            } else if x <= horizon {
                (c.ahead, cx.theme().dim)
            } else {
                (c.unseen, cx.theme().dim)
            }
        })
        .collect();
    // Where markers share a cell, the one that matters most wins (the commands and the
    // anomalies over the moments they cause; among equals, the latest). One pass: a long
    // session holds thousands of markers and this runs every frame.
    let mut shown: Vec<Option<MarkerKind>> = vec![None; width];
    for m in tl.markers.iter().filter(|m| m.t <= end) {
        let cell = &mut shown[column(m.t, end, width)];
        if cell.is_none_or(|k| priority(k) <= priority(m.kind)) {
            *cell = Some(m.kind);
        }
    }
    for (x, kind) in shown.into_iter().enumerate() {
        if let Some(k) = kind {
            row[x] = (marker_glyph(k, ascii), marker_style(cx, k));
        }
    }
    if let Some(cell) = row.get_mut(pos) {
        *cell = (c.position, cx.theme().selected);
    }
    let mut spans = vec![Span::styled(" 0 ", cx.theme().dim)];
    spans.extend(row.into_iter().map(|(s, st)| Span::styled(s, st)));
    spans.push(Span::styled(end_label, cx.theme().dim));
    spans.push(Span::styled(keys, cx.theme().dim));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_map_to_columns_from_the_first_to_the_last() {
        let end = SimTime(1_000);
        assert_eq!(column(SimTime(0), end, 11), 0);
        assert_eq!(column(SimTime(500), end, 11), 5);
        assert_eq!(column(end, end, 11), 10);
        assert_eq!(column(SimTime(5), SimTime(0), 11), 0);
    }
}
