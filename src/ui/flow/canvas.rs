//! A one-row drawing surface of single-width cells, for things placed by column (packets on
//! a wire, markers under a tape), turned into a styled [`Line`] at the end.

use crate::ui::text;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

#[derive(Clone, Debug)]
pub struct Canvas {
    cells: Vec<(String, Style)>,
}

impl Canvas {
    /// `width` blank cells.
    pub fn new(width: usize, fill: &str, style: Style) -> Canvas {
        Canvas {
            cells: vec![(fill.to_string(), style); width],
        }
    }

    pub fn width(&self) -> usize {
        self.cells.len()
    }

    /// Writes `s` from column `x`, one cell per character (wide characters take two cells:
    /// the second is left empty so the line keeps its width); what does not fit is dropped.
    pub fn put(&mut self, x: usize, s: &str, style: Style) {
        let mut col = x;
        for ch in s.chars() {
            let w = text::width(ch.encode_utf8(&mut [0; 4]));
            if col + w.max(1) > self.cells.len() {
                break;
            }
            self.cells[col] = (ch.to_string(), style);
            if w == 2 {
                self.cells[col + 1] = (String::new(), style);
            }
            col += w.max(1);
        }
    }

    /// Whether columns `x..x + w` hold only `blank`.
    pub fn is_free(&self, x: usize, w: usize, blank: &str) -> bool {
        x + w <= self.cells.len() && self.cells[x..x + w].iter().all(|(c, _)| c == blank)
    }

    /// Restyles column `x` (keeping its character).
    pub fn style_at(&mut self, x: usize, style: Style) {
        if let Some(c) = self.cells.get_mut(x) {
            c.1 = style;
        }
    }

    /// The row as spans, neighbouring cells of one style merged.
    pub fn into_line(self) -> Line<'static> {
        let mut spans: Vec<Span<'static>> = Vec::new();
        let mut run = String::new();
        let mut style = None;
        for (c, s) in self.cells {
            if style != Some(s) {
                if let Some(prev) = style {
                    spans.push(Span::styled(std::mem::take(&mut run), prev));
                }
                style = Some(s);
            }
            run.push_str(&c);
        }
        if let Some(prev) = style {
            spans.push(Span::styled(run, prev));
        }
        Line::from(spans)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};

    fn plain(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn puts_text_by_column_and_merges_styles() {
        let mut c = Canvas::new(10, "-", Style::new());
        c.put(2, "ab", Style::new().fg(Color::Red));
        c.put(8, "xyz", Style::new());
        assert!(c.is_free(4, 4, "-"));
        assert!(!c.is_free(1, 2, "-"));
        c.style_at(0, Style::new().add_modifier(Modifier::BOLD));
        let line = c.into_line();
        assert_eq!(plain(&line), "--ab----xy");
        // bold -, -, red ab, then "----xy" in the default style.
        assert_eq!(line.spans.len(), 4);
    }

    #[test]
    fn a_wide_character_takes_two_cells() {
        let mut c = Canvas::new(6, " ", Style::new());
        c.put(1, "分区", Style::new());
        let line = c.into_line();
        assert_eq!(plain(&line), " 分区 ");
        assert_eq!(line.width(), 6);
    }
}
