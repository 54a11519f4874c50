//! The screen shown instead of the panels when the terminal is smaller than
//! the layout needs. It must itself work at any size, down to 1x1: it tries
//! the full message, then shorter ones, and finally just "60x20 < 80x24".

use super::text;
use super::theme::Theme;
use crate::i18n::{Lang, tr, trf};
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

/// Narrowest terminal the panels are laid out for.
pub const MIN_WIDTH: u16 = 80;
/// Shortest terminal the panels are laid out for.
pub const MIN_HEIGHT: u16 = 24;

/// Whether `area` is below [`MIN_WIDTH`] x [`MIN_HEIGHT`].
pub fn is_too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// Fills the whole frame with a centred "please enlarge" message giving the
/// current and the needed size.
pub fn render_too_small(frame: &mut Frame, lang: Lang, theme: &Theme) {
    let area = frame.area();
    frame.render_widget(Block::new().style(theme.base), area);
    if area.is_empty() {
        return;
    }
    let width = usize::from(area.width);
    let height = usize::from(area.height);
    let lines = message(lang, theme, area.width, area.height, width, height);
    let shown = lines.len().min(height);
    let top = (height - shown) / 2;
    let rect = Rect {
        y: area.y + top as u16,
        height: shown as u16,
        ..area
    };
    frame.render_widget(Paragraph::new(lines).alignment(Alignment::Center), rect);
}

/// The longest variant of the message whose wrapped lines fit in
/// `width` x `height`, falling back to the compact form cut to the height.
fn message<'a>(
    lang: Lang,
    theme: &Theme,
    cols: u16,
    rows: u16,
    width: usize,
    height: usize,
) -> Vec<Line<'a>> {
    let (cw, ch) = (cols.to_string(), rows.to_string());
    let (mw, mh) = (MIN_WIDTH.to_string(), MIN_HEIGHT.to_string());
    let title = tr(lang, "too_small.title").to_string();
    let now = trf(lang, "too_small.now", &[("w", &cw), ("h", &ch)]);
    let need = trf(lang, "too_small.need", &[("w", &mw), ("h", &mh)]);
    let quit = tr(lang, "too_small.quit").to_string();
    let compact = format!("{cw}x{ch} < {mw}x{mh}");

    let title_style = theme.bad.add_modifier(Modifier::BOLD);
    // (text, style, may wrap). A size cut in the middle ("80 x" / "24") reads
    // as nonsense, so the lines with sizes must fit whole or the variant is
    // skipped for a shorter one.
    let blank = (String::new(), Style::new(), true);
    let variants: [Vec<(String, Style, bool)>; 5] = [
        vec![
            (title.clone(), title_style, true),
            blank.clone(),
            (now.clone(), theme.bad, false),
            (need.clone(), theme.ok, false),
            blank,
            (quit.clone(), theme.dim, true),
        ],
        vec![
            (title.clone(), title_style, true),
            (now.clone(), theme.bad, false),
            (need.clone(), theme.ok, false),
            (quit, theme.dim, true),
        ],
        vec![
            (title, title_style, true),
            (now, theme.bad, false),
            (need.clone(), theme.ok, false),
        ],
        vec![(need, theme.ok, false)],
        vec![(compact, title_style, true)],
    ];
    let mut last = Vec::new();
    for parts in &variants {
        let mut fits = true;
        last.clear();
        for (s, style, may_wrap) in parts {
            let wrapped = text::wrap(s, width);
            fits &= *may_wrap || wrapped.len() <= 1;
            last.extend(wrapped.into_iter().map(|l| Line::styled(l, *style)));
        }
        if fits && last.len() <= height {
            return last;
        }
    }
    last.truncate(height);
    last
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn screen(w: u16, h: u16, lang: Lang) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal
            .draw(|f| render_too_small(f, lang, &Theme::dark()))
            .unwrap();
        terminal
    }

    fn contents(terminal: &Terminal<TestBackend>) -> String {
        let buf = terminal.backend().buffer();
        let mut s = String::new();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                s.push_str(buf[(x, y)].symbol());
            }
            s.push('\n');
        }
        s
    }

    #[test]
    fn thresholds() {
        assert!(is_too_small(Rect::new(0, 0, 79, 24)));
        assert!(is_too_small(Rect::new(0, 0, 80, 23)));
        assert!(!is_too_small(Rect::new(0, 0, 80, 24)));
    }

    #[test]
    fn too_small_60x20_en() {
        insta::assert_snapshot!(screen(60, 20, Lang::En).backend());
    }

    #[test]
    fn too_small_60x20_zh() {
        insta::assert_snapshot!(screen(60, 20, Lang::Zh).backend());
    }

    #[test]
    fn too_small_10x3_en() {
        insta::assert_snapshot!(screen(10, 3, Lang::En).backend());
    }

    #[test]
    fn too_small_10x3_zh() {
        insta::assert_snapshot!(screen(10, 3, Lang::Zh).backend());
    }

    #[test]
    fn shows_both_sizes() {
        let s = contents(&screen(60, 20, Lang::En));
        assert!(s.contains("Now: 60 x 20") && s.contains("80 x 24"), "{s}");
        let s = contents(&screen(30, 3, Lang::Zh));
        assert!(s.contains("80 x 24"), "{s}");
    }

    #[test]
    fn survives_tiny_sizes() {
        for lang in Lang::ALL {
            for w in 0..=MIN_WIDTH {
                for h in 0..=MIN_HEIGHT {
                    screen(w, h, lang);
                }
            }
        }
        assert_eq!(contents(&screen(1, 1, Lang::En)), "1\n");
    }
}
