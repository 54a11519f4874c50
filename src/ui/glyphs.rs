//! The symbols the panels draw with, as two interchangeable sets.
//!
//! Box-drawing, block and arrow characters are "ambiguous width" in Unicode:
//! terminals set up for CJK draw them two columns wide, which breaks every
//! border and bar. `g` switches to a pure-ASCII set that draws the same shapes
//! with `+ - | # . > < x v`, so the app stays usable there. Every glyph is one
//! column wide in both sets (except the ellipsis), so layouts need not care
//! which set is active.

use super::text;
use ratatui::symbols::{bar, border};

/// One complete set of symbols. Panels take every glyph from here, never from
/// string literals, so the ASCII switch reaches all of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glyphs {
    ascii: bool,
    /// Panel borders (`Block::border_set`).
    pub border: border::Set<'static>,
    /// The focused / zoomed panel's border: heavier, so focus shows without colour.
    pub border_focus: border::Set<'static>,
    /// Gauge cells: full, then 1/8 … 7/8 filled, then empty.
    pub gauge_full: &'static str,
    pub gauge_partial: [&'static str; 7],
    pub gauge_empty: &'static str,
    /// Bars for ratatui's `Sparkline::bar_set`.
    pub bar_set: bar::Set<'static>,
    pub arrow_right: &'static str,
    pub arrow_left: &'static str,
    pub arrow_up: &'static str,
    pub arrow_down: &'static str,
    /// One record travelling or waiting.
    pub record: &'static str,
    /// A ProducerBatch.
    pub batch: &'static str,
    /// A produce request on its way to a broker.
    pub request: &'static str,
    /// A produce response (ack) on its way back.
    pub ack: &'static str,
    pub check: &'static str,
    pub cross: &'static str,
    /// Marks the leader replica.
    pub leader: &'static str,
    /// Marks the high watermark under a log.
    pub hw_mark: &'static str,
    /// The cursor in front of the selected knob or menu entry.
    pub selected: &'static str,
    /// Between items on one line (`a · b`).
    pub bullet: &'static str,
    /// A vertical separator between columns.
    pub separator: &'static str,
    /// A horizontal rule cell.
    pub rule: &'static str,
    /// Added where text was cut (`…` is itself ambiguous width).
    pub ellipsis: &'static str,
    /// The flow view's objects.
    pub flow: FlowGlyphs,
}

/// What the flow view draws records, batches, requests and log cells with; every one a
/// single column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowGlyphs {
    /// A batch box's ends.
    pub box_open: &'static str,
    pub box_close: &'static str,
    /// A record in a batch, or a log cell below the high watermark.
    pub cell: &'static str,
    /// A log cell above the high watermark: written, not yet committed.
    pub uncommitted: &'static str,
    /// Room left in a batch.
    pub room: &'static str,
    /// A log cell removed by truncation.
    pub struck: &'static str,
    /// A record lost here (the ledger's verdict).
    pub lost: &'static str,
    /// The second copy of a record in a log.
    pub duplicate: &'static str,
    /// The followed record.
    pub followed: &'static str,
    /// A request slot in use and a free one (max.in.flight.requests.per.connection).
    pub slot_busy: &'static str,
    pub slot_free: &'static str,
    /// The wire a request travels on.
    pub wire: &'static str,
    /// `p0×77`: records in a request (`×` is ambiguous width).
    pub times: &'static str,
    /// A consumer's position (next offset to fetch) and its group's committed offset.
    pub position: &'static str,
    pub committed: &'static str,
}

const FLOW_UNICODE: FlowGlyphs = FlowGlyphs {
    box_open: "[",
    box_close: "]",
    cell: "●",
    uncommitted: "○",
    room: "·",
    struck: "╳",
    lost: "✗",
    duplicate: "²",
    followed: "◉",
    slot_busy: "▣",
    slot_free: "□",
    wire: "─",
    times: "×",
    position: "▼",
    committed: "▽",
};

const FLOW_ASCII: FlowGlyphs = FlowGlyphs {
    box_open: "[",
    box_close: "]",
    cell: "o",
    uncommitted: ".",
    room: " ",
    struck: "x",
    lost: "X",
    duplicate: "2",
    followed: "@",
    slot_busy: "#",
    slot_free: "_",
    wire: "-",
    times: "x",
    position: "v",
    committed: "c",
};

const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

const ASCII_BORDER_FOCUS: border::Set<'static> = border::Set {
    top_left: "#",
    top_right: "#",
    bottom_left: "#",
    bottom_right: "#",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "=",
    horizontal_bottom: "=",
};

/// Bottom-heavy characters so that an ASCII sparkline still reads as low to high.
const ASCII_BARS: bar::Set<'static> = bar::Set {
    full: "#",
    seven_eighths: "#",
    three_quarters: "=",
    five_eighths: "=",
    half: "-",
    three_eighths: "-",
    one_quarter: "_",
    one_eighth: "_",
    empty: " ",
};

impl Default for Glyphs {
    fn default() -> Glyphs {
        Glyphs::unicode()
    }
}

impl Glyphs {
    /// Box drawing, blocks and arrows: the nicer set for most terminals.
    pub fn unicode() -> Glyphs {
        Glyphs {
            ascii: false,
            border: border::ROUNDED,
            border_focus: border::THICK,
            gauge_full: "█",
            gauge_partial: ["▏", "▎", "▍", "▌", "▋", "▊", "▉"],
            gauge_empty: "░",
            bar_set: bar::NINE_LEVELS,
            arrow_right: "→",
            arrow_left: "←",
            arrow_up: "↑",
            arrow_down: "↓",
            record: "●",
            batch: "■",
            request: "▶",
            ack: "◀",
            check: "✓",
            cross: "✗",
            leader: "★",
            hw_mark: "▲",
            selected: "▸",
            bullet: "·",
            separator: "│",
            rule: "─",
            ellipsis: text::ELLIPSIS,
            flow: FLOW_UNICODE,
        }
    }

    /// Pure ASCII, for terminals that draw ambiguous-width characters wide.
    pub fn ascii() -> Glyphs {
        Glyphs {
            ascii: true,
            border: ASCII_BORDER,
            border_focus: ASCII_BORDER_FOCUS,
            gauge_full: "#",
            // Eighths cannot be drawn in ASCII: a short stub or a long one.
            gauge_partial: ["-", "-", "-", "=", "=", "=", "="],
            gauge_empty: ".",
            bar_set: ASCII_BARS,
            arrow_right: ">",
            arrow_left: "<",
            arrow_up: "^",
            arrow_down: "v",
            record: "o",
            batch: "#",
            request: ">",
            ack: "<",
            check: "v",
            cross: "x",
            leader: "*",
            hw_mark: "^",
            selected: ">",
            bullet: "-",
            separator: "|",
            rule: "-",
            ellipsis: text::ASCII_ELLIPSIS,
            flow: FLOW_ASCII,
        }
    }

    /// The other set (the `g` key).
    #[must_use]
    pub fn toggle(&self) -> Glyphs {
        if self.ascii {
            Glyphs::unicode()
        } else {
            Glyphs::ascii()
        }
    }

    pub fn is_ascii(&self) -> bool {
        self.ascii
    }

    /// "unicode" or "ascii".
    pub fn name(&self) -> &'static str {
        if self.ascii { "ascii" } else { "unicode" }
    }

    /// A bar of exactly `width` cells filled to `fraction` (clamped to 0..=1,
    /// NaN counts as 0), with eighth-cell precision in Unicode.
    ///
    /// Two deliberate roundings, because the bar teaches: anything above zero
    /// shows at least a sliver (a batch holding one record is not empty), and
    /// anything below one never looks full (a batch is sent "full" only at
    /// batch.size).
    pub fn gauge(&self, fraction: f64, width: usize) -> String {
        let total = width * 8;
        let fraction = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        let mut eighths = (fraction * total as f64).floor() as usize;
        if fraction > 0.0 && eighths == 0 {
            eighths = 1;
        }
        if fraction < 1.0 && eighths == total && total > 0 {
            eighths = total - 1;
        }
        let eighths = eighths.min(total);
        let full = eighths / 8;
        let part = eighths % 8;
        let mut out = self.gauge_full.repeat(full);
        let mut cells = full;
        if part > 0 {
            out.push_str(self.gauge_partial[part - 1]);
            cells += 1;
        }
        out.push_str(&self.gauge_empty.repeat(width - cells));
        out
    }

    /// [`text::truncate_with`] using this set's ellipsis.
    pub fn truncate(&self, s: &str, max: usize) -> String {
        text::truncate_with(s, max, self.ellipsis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(g: &Glyphs) -> Vec<&'static str> {
        let b = |s: border::Set<'static>| {
            [
                s.top_left,
                s.top_right,
                s.bottom_left,
                s.bottom_right,
                s.vertical_left,
                s.vertical_right,
                s.horizontal_top,
                s.horizontal_bottom,
            ]
        };
        let bars = &g.bar_set;
        let mut v = vec![
            g.gauge_full,
            g.gauge_empty,
            g.arrow_right,
            g.arrow_left,
            g.arrow_up,
            g.arrow_down,
            g.record,
            g.batch,
            g.request,
            g.ack,
            g.check,
            g.cross,
            g.leader,
            g.hw_mark,
            g.selected,
            g.bullet,
            g.separator,
            g.rule,
            bars.full,
            bars.seven_eighths,
            bars.three_quarters,
            bars.five_eighths,
            bars.half,
            bars.three_eighths,
            bars.one_quarter,
            bars.one_eighth,
            bars.empty,
        ];
        v.extend(g.gauge_partial);
        let f = &g.flow;
        v.extend([
            f.box_open,
            f.box_close,
            f.cell,
            f.uncommitted,
            f.room,
            f.struck,
            f.lost,
            f.duplicate,
            f.followed,
            f.slot_busy,
            f.slot_free,
            f.wire,
            f.times,
            f.position,
            f.committed,
        ]);
        v.extend(b(g.border));
        v.extend(b(g.border_focus));
        v
    }

    #[test]
    fn ascii_set_is_pure_ascii() {
        let g = Glyphs::ascii();
        for s in all(&g).into_iter().chain([g.ellipsis]) {
            assert!(s.is_ascii(), "{s:?}");
        }
        assert!(g.is_ascii());
        assert!(!Glyphs::unicode().is_ascii());
    }

    #[test]
    fn every_glyph_is_one_column_in_both_sets() {
        for g in [Glyphs::unicode(), Glyphs::ascii()] {
            for s in all(&g) {
                assert_eq!(text::width(s), 1, "{} {s:?}", g.name());
            }
        }
    }

    #[test]
    fn toggle_switches_and_comes_back() {
        let u = Glyphs::unicode();
        assert_eq!(u.toggle(), Glyphs::ascii());
        assert_eq!(u.toggle().toggle(), u);
        assert_eq!(u.name(), "unicode");
        assert_eq!(u.toggle().name(), "ascii");
        assert_eq!(Glyphs::default(), u);
    }

    #[test]
    fn gauge_has_exact_width_and_never_lies_about_full_or_empty() {
        let u = Glyphs::unicode();
        let a = Glyphs::ascii();
        assert_eq!(u.gauge(0.0, 4), "░░░░");
        assert_eq!(u.gauge(1.0, 4), "████");
        assert_eq!(u.gauge(0.5, 4), "██░░");
        assert_eq!(u.gauge(0.3, 4), "█▏░░");
        assert_eq!(u.gauge(0.001, 4), "▏░░░");
        assert_eq!(u.gauge(0.999, 4), "███▉");
        assert_eq!(a.gauge(0.5, 4), "##..");
        assert_eq!(a.gauge(0.999, 4), "###=");
        assert_eq!(a.gauge(0.001, 4), "-...");
        assert_eq!(u.gauge(f64::NAN, 2), "░░");
        assert_eq!(u.gauge(7.0, 2), "██");
        assert_eq!(u.gauge(-1.0, 2), "░░");
        assert_eq!(u.gauge(0.5, 0), "");
        for g in [&u, &a] {
            for w in 0..20 {
                for i in 0..=40 {
                    let s = g.gauge(f64::from(i) / 40.0, w);
                    assert_eq!(text::width(&s), w);
                }
            }
        }
    }

    #[test]
    fn truncate_uses_the_sets_ellipsis() {
        assert_eq!(Glyphs::unicode().truncate("linger.ms", 6), "linge…");
        assert_eq!(Glyphs::ascii().truncate("linger.ms", 6), "lin...");
    }
}
