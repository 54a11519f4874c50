//! The `?` overlay and the footer of key hints. Both read [`KEYS`], so what the
//! footer promises and what the help explains cannot drift apart.
//!
//! ```text
//!        ╭ Help ─────────────────────────────────────────────────────╮
//!        │ A simulated Kafka cluster running on virtual time: …       │
//!        │                                                            │
//!        │  Space  pause / resume           d  drop the next acks     │
//!        │  .      step one event           c  crash / restart …      │
//!        │  …                               …                         │
//!        │                                                            │
//!        │ Symbols: ● record  [ batch  ▣ request slot  ▶ request  ◀ ack … │
//!        │ Colours only repeat what symbols and words already say.    │
//!        ╰─────────────────────────────────────────── ? or Esc closes ╯
//! ```
//!
//! When the screen is short, the overlay gives up the colour note, then the
//! symbols, then the introduction, and keeps the keys to the last.

use super::glyphs::Glyphs;
use super::text;
use super::theme::Theme;
use crate::i18n::{Lang, tr};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph};
use std::borrow::Cow;

/// Every key: its label as printed and the i18n key of what it does, in the
/// order the help lists them (design §5).
pub const KEYS: &[(&str, &str)] = &[
    ("Space", "key.pause"),
    (".", "key.step"),
    (",[]{}", "time.key.rewind"),
    ("< >", "time.key.markers"),
    ("s", "time.key.save"),
    ("+/-", "key.speed"),
    ("0", "key.reset"),
    ("Tab/S-Tab", "key.pick_knob"),
    ("←/→", "key.change_knob"),
    ("Enter", "key.edit_knob"),
    ("f", "key.faults"),
    ("b", "ab.key"),
    ("k", "key.kill_leader"),
    ("d", "key.drop_acks"),
    ("c", "key.consumer"),
    ("F", "journey.key.next"),
    ("#", "journey.key.by_id"),
    ("a", "journey.key.anomaly"),
    ("1-8", "key.focus"),
    ("z", "key.zoom"),
    ("l", "key.lang"),
    ("t / g", "key.look"),
    ("?", "key.help"),
    ("q", "key.quit"),
];

/// The footer's usual hints, most useful first: when the line is short the
/// last ones are dropped (but `?` always stays, see [`render_footer`]).
pub const FOOTER: &[(&str, &str)] = &[
    ("Space", "key.pause"),
    (".", "key.step"),
    ("+/-", "key.speed"),
    ("Tab", "key.pick_knob"),
    ("←/→", "key.change_knob"),
    ("f", "key.faults"),
    ("z", "key.zoom"),
    ("l", "key.lang"),
    ("F", "journey.key.next"),
    ("a", "journey.key.anomaly"),
    ("#", "journey.key.by_id"),
    ("?", "key.help"),
    ("q", "key.quit"),
];

/// The footer while a record id is being typed after `#` (`App::follow_entry`).
pub const FOLLOW_FOOTER: &[(&str, &str)] = &[("Enter", "key.confirm"), ("Esc", "key.cancel")];

/// The footer while a value is being typed.
pub const EDIT_FOOTER: &[(&str, &str)] = &[("Enter", "key.confirm"), ("Esc", "key.cancel")];

/// The footer while real clients can connect (`--listen`): no pause, step or speed.
pub const LIVE_FOOTER: &[(&str, &str)] = &[
    ("Tab", "key.pick_knob"),
    ("←/→", "key.change_knob"),
    ("f", "key.faults"),
    ("k", "key.kill_leader"),
    ("z", "key.zoom"),
    ("l", "key.lang"),
    ("?", "key.help"),
    ("q", "key.quit"),
];

/// The footer while the fault menu is open.
pub const MENU_FOOTER: &[(&str, &str)] = &[
    ("↑/↓", "key.menu_move"),
    ("Enter", "key.confirm"),
    ("Esc", "key.cancel"),
];

/// A key label for the active glyph set: arrows become `<-`, `->`, `^`, `v`
/// in ASCII mode, since arrows are ambiguous-width characters.
pub fn key_label<'a>(label: &'a str, glyphs: &Glyphs) -> Cow<'a, str> {
    if !glyphs.is_ascii() || label.is_ascii() {
        return Cow::Borrowed(label);
    }
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        match c {
            '←' => out.push_str("<-"),
            '→' => out.push_str("->"),
            '↑' => out.push('^'),
            '↓' => out.push('v'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A key drawn as a keycap: the label with a space either side, in `key_hint`.
fn keycap<'a>(label: &str, width: usize, theme: &Theme) -> Vec<Span<'a>> {
    let cap = format!(" {label} ");
    let pad = width.saturating_sub(text::width(&cap));
    vec![
        Span::styled(cap, theme.key_hint),
        Span::raw(" ".repeat(pad)),
    ]
}

/// Column widths of one column of keys: (keycap, description).
fn column_widths(keys: &[(Cow<'_, str>, &str)]) -> (usize, usize) {
    let cap = keys
        .iter()
        .map(|(l, _)| text::width(l) + 2)
        .max()
        .unwrap_or(0);
    let desc = keys.iter().map(|(_, d)| text::width(d)).max().unwrap_or(0);
    (cap, desc)
}

/// Spaces between the two key columns.
const COLUMN_GAP: usize = 3;

/// The key rows: two columns when they fit in `inner` columns, else one,
/// with descriptions cut (with the set's ellipsis) if even that is too wide.
fn key_lines<'a>(lang: Lang, theme: &Theme, glyphs: &Glyphs, inner: usize) -> Vec<Line<'a>> {
    let keys: Vec<(Cow<'_, str>, &str)> = KEYS
        .iter()
        .map(|&(label, key)| (key_label(label, glyphs), tr(lang, key)))
        .collect();
    let half = keys.len().div_ceil(2);
    let (left, right) = keys.split_at(half);
    let (lc, ld) = column_widths(left);
    let (rc, rd) = column_widths(right);
    let two_columns = lc + 1 + ld + COLUMN_GAP + rc + 1 + rd <= inner;
    let cell = |label: &str, desc: &str, cap: usize, desc_width: usize| {
        let mut spans = keycap(label, cap, theme);
        spans.push(Span::raw(" "));
        let desc = glyphs.truncate(desc, desc_width);
        let pad = desc_width.saturating_sub(text::width(&desc));
        spans.push(Span::styled(desc, theme.key_desc));
        spans.push(Span::raw(" ".repeat(pad)));
        spans
    };
    if two_columns {
        left.iter()
            .enumerate()
            .map(|(i, (label, desc))| {
                let mut spans = cell(label, desc, lc, ld);
                if let Some((label, desc)) = right.get(i) {
                    spans.push(Span::raw(" ".repeat(COLUMN_GAP)));
                    spans.extend(cell(label, desc, rc, rd));
                }
                Line::from(spans)
            })
            .collect()
    } else {
        let (cap, _) = column_widths(&keys);
        let desc_width = inner.saturating_sub(cap + 1);
        keys.iter()
            .map(|(label, desc)| Line::from(cell(label, desc, cap, desc_width)))
            .collect()
    }
}

/// The symbol legend, items laid out greedily so that no item is split.
fn legend_lines<'a>(lang: Lang, theme: &Theme, glyphs: &Glyphs, inner: usize) -> Vec<Line<'a>> {
    let heading = tr(lang, "help.symbols");
    let f = &glyphs.flow;
    // What the flow view draws, in the order a record meets it.
    let items: [(&str, Style, &str); 15] = [
        (f.cell, theme.record, "legend.record"),
        (f.box_open, theme.batch, "legend.batch"),
        (f.slot_busy, theme.accent, "flow.legend.slot"),
        (glyphs.request, theme.request, "legend.request"),
        (glyphs.ack, theme.ack, "legend.ack"),
        (glyphs.leader, theme.leader, "legend.leader"),
        (f.uncommitted, theme.record, "flow.legend.uncommitted"),
        (glyphs.hw_mark, theme.hw_mark, "legend.hw"),
        (f.position, theme.accent, "flow.legend.position"),
        (f.committed, theme.ok, "flow.legend.committed_offset"),
        (f.followed, theme.selected, "flow.legend.followed"),
        (f.lost, theme.bad, "flow.legend.lost"),
        (f.duplicate, theme.bad, "flow.legend.duplicate"),
        (f.struck, theme.bad, "flow.legend.truncated"),
        (glyphs.check, theme.ok, "legend.check"),
    ];
    let mut lines = Vec::new();
    let mut used = text::width(heading);
    let mut spans = vec![Span::styled(heading, theme.title)];
    for (glyph, style, key) in items {
        let label = tr(lang, key);
        let w = 2 + text::width(glyph) + 1 + text::width(label);
        if used + w > inner && used > 0 {
            lines.push(Line::from(std::mem::take(&mut spans)));
            used = 0;
        }
        let lead = if used == 0 { "" } else { "  " };
        let label = glyphs.truncate(label, inner.saturating_sub(used + lead.len() + 2));
        used += lead.len() + text::width(glyph) + 1 + text::width(&label);
        spans.push(Span::raw(lead));
        spans.push(Span::styled(glyph, style));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(label, theme.key_desc));
    }
    if !spans.is_empty() {
        lines.push(Line::from(spans));
    }
    lines
}

fn wrapped<'a>(s: &str, inner: usize, style: Style) -> Vec<Line<'a>> {
    text::wrap(s, inner)
        .into_iter()
        .map(|l| Line::styled(l, style))
        .collect()
}

/// Largest width any line of the overlay wants, to size the box to its content.
fn wanted_inner_width(lang: Lang, glyphs: &Glyphs) -> usize {
    let keys: Vec<(Cow<'_, str>, &str)> = KEYS
        .iter()
        .map(|&(label, key)| (key_label(label, glyphs), tr(lang, key)))
        .collect();
    let (left, right) = keys.split_at(keys.len().div_ceil(2));
    let (lc, ld) = column_widths(left);
    let (rc, rd) = column_widths(right);
    // The keys decide the width; the prose wraps to it. Never narrower than
    // the footer line of the box, so its hint is not cut.
    (lc + 1 + ld + COLUMN_GAP + rc + 1 + rd).max(text::width(tr(lang, "help.close")) + 4)
}

/// Draws the help overlay centred in `area`, over whatever is there.
pub fn render_help(frame: &mut Frame, area: Rect, lang: Lang, theme: &Theme, glyphs: &Glyphs) {
    // Border (2) and padding (2) around the text.
    const CHROME: usize = 4;
    if area.width < 3 || area.height < 3 {
        return;
    }
    let max_width = usize::from(area.width);
    let width = (wanted_inner_width(lang, glyphs) + CHROME).min(max_width);
    let inner = width.saturating_sub(CHROME).max(1);

    let intro = wrapped(tr(lang, "help.intro"), inner, theme.base);
    let keys = key_lines(lang, theme, glyphs, inner);
    let legend = legend_lines(lang, theme, glyphs, inner);
    let note = wrapped(tr(lang, "help.colour_note"), inner, theme.dim);

    // Sections in order of what to give up first when the screen is short.
    let available = usize::from(area.height).saturating_sub(2);
    let mut show_note = true;
    let mut show_legend = true;
    let mut show_intro = true;
    let total = |n: bool, l: bool, i: bool| {
        keys.len()
            + if i { intro.len() + 1 } else { 0 }
            + if l { legend.len() + 1 } else { 0 }
            + if n { note.len() } else { 0 }
    };
    for step in 0..3 {
        if total(show_note, show_legend, show_intro) <= available {
            break;
        }
        match step {
            0 => show_note = false,
            1 => show_legend = false,
            _ => show_intro = false,
        }
    }
    let mut lines: Vec<Line> = Vec::new();
    if show_intro {
        lines.extend(intro);
        lines.push(Line::default());
    }
    lines.extend(keys);
    if show_legend {
        lines.push(Line::default());
        lines.extend(legend);
    }
    if show_note {
        lines.extend(note);
    }
    lines.truncate(available);

    let height = (lines.len() + 2).min(usize::from(area.height));
    let popup = Rect {
        x: area.x + (area.width - width as u16) / 2,
        y: area.y + (area.height - height as u16) / 2,
        width: width as u16,
        height: height as u16,
    };
    let title_room = width.saturating_sub(4);
    let title = format!(
        " {} ",
        glyphs.truncate(tr(lang, "help.title"), title_room.saturating_sub(2))
    );
    let close = format!(
        " {} ",
        glyphs.truncate(tr(lang, "help.close"), title_room.saturating_sub(2))
    );
    let block = Block::bordered()
        .border_set(glyphs.border_focus)
        .border_style(theme.border_focus)
        .title(Line::styled(title, theme.title))
        .title_bottom(Line::styled(close, theme.dim).right_aligned())
        .padding(Padding::horizontal(1))
        .style(theme.overlay);
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

/// One footer line of key hints in `area`'s first row. Hints are kept in
/// order while they fit by display width and the rest are dropped; the `?`
/// and `q` hints get their room first, so help and quit are always shown.
pub fn render_footer(
    frame: &mut Frame,
    area: Rect,
    lang: Lang,
    theme: &Theme,
    glyphs: &Glyphs,
    hints: &[(&str, &str)],
) {
    const GAP: usize = 2;
    const RESERVED: [&str; 2] = ["?", "q"];
    if area.width == 0 || area.height == 0 {
        return;
    }
    let row = Rect { height: 1, ..area };
    let max = usize::from(row.width);
    let items: Vec<(Cow<'_, str>, &str, usize)> = hints
        .iter()
        .map(|&(label, key)| {
            let label = key_label(label, glyphs);
            let desc = tr(lang, key);
            let w = text::width(&label) + 2 + 1 + text::width(desc);
            (label, desc, w)
        })
        .collect();
    let mut keep = vec![false; items.len()];
    let mut used = 0;
    // Help and quit are what a lost user needs: their room is reserved first.
    for (i, &(label, _)) in hints.iter().enumerate() {
        if RESERVED.contains(&label) {
            let add = if used == 0 {
                items[i].2
            } else {
                items[i].2 + GAP
            };
            if used + add <= max {
                keep[i] = true;
                used += add;
            }
        }
    }
    for (i, item) in items.iter().enumerate() {
        if keep[i] {
            continue;
        }
        let add = if used == 0 { item.2 } else { item.2 + GAP };
        if used + add <= max {
            keep[i] = true;
            used += add;
        }
    }
    let mut spans = Vec::new();
    for (i, (label, desc, _)) in items.iter().enumerate() {
        if !keep[i] {
            continue;
        }
        if !spans.is_empty() {
            spans.push(Span::raw(" ".repeat(GAP)));
        }
        spans.extend(keycap(label, 0, theme));
        spans.push(Span::raw(" "));
        spans.push(Span::styled((*desc).to_string(), theme.key_desc));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base), row);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn help_screen(w: u16, h: u16, lang: Lang, glyphs: &Glyphs) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal
            .draw(|f| render_help(f, f.area(), lang, &Theme::dark(), glyphs))
            .unwrap();
        terminal
    }

    fn footer(
        w: u16,
        lang: Lang,
        glyphs: &Glyphs,
        hints: &[(&str, &str)],
    ) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(w, 1)).unwrap();
        terminal
            .draw(|f| render_footer(f, f.area(), lang, &Theme::dark(), glyphs, hints))
            .unwrap();
        terminal
    }

    fn row(terminal: &Terminal<TestBackend>, y: u16) -> String {
        let buf = terminal.backend().buffer();
        (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
    }

    #[test]
    fn every_key_and_hint_has_a_text() {
        for &(label, key) in KEYS
            .iter()
            .chain(FOOTER)
            .chain(EDIT_FOOTER)
            .chain(MENU_FOOTER)
        {
            assert!(crate::i18n::has(key), "{label}: {key}");
        }
        for &(_, key) in FOOTER {
            assert!(
                KEYS.iter().any(|&(_, k)| k == key),
                "footer hint {key} is not in KEYS"
            );
        }
        let labels: Vec<&str> = KEYS.iter().map(|&(l, _)| l).collect();
        let mut unique = labels.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), labels.len(), "a key listed twice");
    }

    #[test]
    fn key_labels_become_ascii() {
        let a = Glyphs::ascii();
        assert_eq!(key_label("←/→", &a), "<-/->");
        assert_eq!(key_label("↑/↓", &a), "^/v");
        assert_eq!(key_label("←/→", &Glyphs::unicode()), "←/→");
        for &(label, _) in KEYS.iter().chain(MENU_FOOTER) {
            assert!(key_label(label, &a).is_ascii(), "{label}");
        }
    }

    #[test]
    fn help_en_80x24() {
        insta::assert_snapshot!(help_screen(80, 24, Lang::En, &Glyphs::unicode()).backend());
    }

    #[test]
    fn help_zh_80x24() {
        insta::assert_snapshot!(help_screen(80, 24, Lang::Zh, &Glyphs::unicode()).backend());
    }

    #[test]
    fn help_en_160x48() {
        insta::assert_snapshot!(help_screen(160, 48, Lang::En, &Glyphs::unicode()).backend());
    }

    #[test]
    fn help_zh_160x48() {
        insta::assert_snapshot!(help_screen(160, 48, Lang::Zh, &Glyphs::unicode()).backend());
    }

    #[test]
    fn help_zh_80x24_ascii() {
        let terminal = help_screen(80, 24, Lang::Zh, &Glyphs::ascii());
        let buf = terminal.backend().buffer();
        // Every cell of the overlay's frame is ASCII.
        for cell in &buf.content {
            let s = cell.symbol();
            assert!(s.is_ascii() || text::width(s) == 2 || s.is_empty(), "{s:?}");
        }
        insta::assert_snapshot!(terminal.backend());
    }

    #[test]
    fn help_gives_up_prose_before_keys_when_short() {
        let terminal = help_screen(80, 14, Lang::En, &Glyphs::unicode());
        let screen: String = (0..14).map(|y| row(&terminal, y)).collect();
        assert!(
            screen.contains("pause / resume") && screen.contains("quit"),
            "{screen}"
        );
        assert!(!screen.contains("Symbols"), "{screen}");
        assert!(!screen.contains("virtual time"), "{screen}");
    }

    #[test]
    fn help_survives_any_size() {
        for lang in Lang::ALL {
            for glyphs in [Glyphs::unicode(), Glyphs::ascii()] {
                for w in 0..50 {
                    for h in 0..30 {
                        help_screen(w, h, lang, &glyphs);
                    }
                }
            }
        }
    }

    #[test]
    fn footer_en_80() {
        insta::assert_snapshot!(footer(80, Lang::En, &Glyphs::unicode(), FOOTER).backend());
    }

    #[test]
    fn footer_zh_80() {
        insta::assert_snapshot!(footer(80, Lang::Zh, &Glyphs::unicode(), FOOTER).backend());
    }

    #[test]
    fn footer_keeps_help_and_fits() {
        for w in 0..120 {
            for lang in Lang::ALL {
                let terminal = footer(w, lang, &Glyphs::ascii(), FOOTER);
                if w >= 12 {
                    assert!(
                        row(&terminal, 0).contains(" ? "),
                        "{w}: {}",
                        row(&terminal, 0)
                    );
                }
            }
        }
        // Narrow: help and quit first, then whatever else fits, in order.
        let line = row(&footer(44, Lang::En, &Glyphs::unicode(), FOOTER), 0);
        assert_eq!(
            line.trim_end(),
            " Space  pause / resume   ?  help   q  quit"
        );
        let line = row(&footer(40, Lang::En, &Glyphs::unicode(), FOOTER), 0);
        assert_eq!(line.trim_end(), " .  step one event   ?  help   q  quit");
        let line = row(&footer(12, Lang::En, &Glyphs::unicode(), FOOTER), 0);
        assert_eq!(line.trim_end(), " ?  help");
    }

    #[test]
    fn footer_skips_a_long_hint_but_keeps_later_short_ones() {
        let hints = [("a", "key.pause"), ("b", "key.reset"), ("q", "key.quit")];
        let line = row(&footer(30, Lang::En, &Glyphs::unicode(), &hints), 0);
        assert_eq!(line.trim_end(), " a  pause / resume   q  quit");
    }

    #[test]
    fn keycaps_carry_the_key_hint_style() {
        let theme = Theme::dark();
        let terminal = footer(40, Lang::En, &Glyphs::unicode(), FOOTER);
        let buf = terminal.backend().buffer();
        let line = row(&terminal, 0);
        let q = line.find(" q ").unwrap() as u16;
        // Colours and modifiers, as the cell stores them (it adds an underline colour).
        let look = |s: Style| (s.fg, s.bg, s.add_modifier);
        for x in q..q + 3 {
            let want = look(theme.base.patch(theme.key_hint));
            assert_eq!(look(buf[(x, 0)].style()), want, "{x}");
        }
        let want = look(theme.base.patch(theme.key_desc));
        assert_eq!(look(buf[(q + 4, 0)].style()), want);
    }
}
