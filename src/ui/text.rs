//! Text measured the way a terminal draws it: by display columns, never by bytes.
//!
//! Chinese characters take two columns and `len()` counts three bytes for each,
//! so every column computation in the UI goes through these helpers. They never
//! split a character, never panic, and never return text wider than asked
//! (a two-column character in a one-column space is dropped rather than
//! overflowing).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The ellipsis added when Unicode glyphs are on.
pub const ELLIPSIS: &str = "…";
/// The ellipsis for ASCII mode: `…` is an ambiguous-width character that some
/// CJK terminal setups draw two columns wide.
pub const ASCII_ELLIPSIS: &str = "...";

/// Display width in terminal columns (CJK = 2, combining marks = 0), as ratatui
/// measures spans.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Width of one character; control characters count as 0 (ratatui does not
/// draw them either).
fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// The longest prefix of `s` that fits in `max` columns. Zero-width characters
/// that follow a kept character stay with it (a combining accent is never
/// separated from its base).
fn take_prefix(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = char_width(c);
        if used + w > max {
            break;
        }
        used += w;
        out.push(c);
    }
    // Per-character sums and whole-string widths can differ for a few emoji
    // sequences; trim until the string's own measure agrees.
    while width(&out) > max {
        out.pop();
    }
    out
}

/// Cuts `s` to at most `max` columns, ending with `…` when something was cut.
/// A two-column character that would straddle the limit is left out whole.
///
/// In ASCII mode use [`truncate_with`] and [`ASCII_ELLIPSIS`] (or
/// `Glyphs::truncate`), since `…` itself may be drawn two columns wide.
pub fn truncate_to_width(s: &str, max: usize) -> String {
    truncate_with(s, max, ELLIPSIS)
}

/// Cuts `s` to at most `max` columns, ending with `ellipsis` when something
/// was cut. When even the ellipsis does not fit, the text is cut without it,
/// because a bare "..." in a tiny space says less than the first letters.
pub fn truncate_with(s: &str, max: usize, ellipsis: &str) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let ellipsis_width = width(ellipsis);
    if ellipsis_width >= max {
        return take_prefix(s, max);
    }
    let mut out = take_prefix(s, max - ellipsis_width);
    out.push_str(ellipsis);
    out
}

/// Exactly `w` columns: `s` followed by spaces. Longer text is cut without an
/// ellipsis (truncate first if you want one), and a two-column character that
/// would straddle the edge becomes a space, so table columns always line up.
pub fn pad_to_width(s: &str, w: usize) -> String {
    let mut out = take_prefix(s, w);
    let used = width(&out);
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(used)));
    out
}

/// Exactly `w` columns with `s` at the right end (for numbers in columns).
pub fn pad_left_to_width(s: &str, w: usize) -> String {
    let cut = take_prefix(s, w);
    let mut out: String = std::iter::repeat_n(' ', w.saturating_sub(width(&cut))).collect();
    out.push_str(&cut);
    out
}

/// `s` centred in exactly `w` columns (an odd leftover space goes to the right).
pub fn center_to_width(s: &str, w: usize) -> String {
    let cut = take_prefix(s, w);
    let free = w.saturating_sub(width(&cut));
    let left = free / 2;
    let mut out: String = std::iter::repeat_n(' ', left).collect();
    out.push_str(&cut);
    out.extend(std::iter::repeat_n(' ', free - left));
    out
}

/// Characters drawn two columns wide: CJK ideographs, kana, hangul and
/// full-width punctuation. A line may break before or after any of them,
/// as Chinese text has no spaces between words.
fn is_wide(c: char) -> bool {
    char_width(c) >= 2
}

/// Punctuation that must not start a line (Chinese and Japanese line-breaking
/// rules, and the ASCII marks that follow a word).
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '！'
            | '？'
            | '）'
            | '」'
            | '』'
            | '》'
            | '〉'
            | '】'
            | '〕'
            | '…'
            | '·'
            | ','
            | '.'
            | ';'
            | ':'
            | '!'
            | '?'
            | ')'
            | ']'
            | '}'
            | '%'
            | '”'
            | '’'
    )
}

/// Punctuation that must not end a line.
fn is_opening(c: char) -> bool {
    matches!(
        c,
        '（' | '「' | '『' | '《' | '〈' | '【' | '〔' | '(' | '[' | '{' | '“' | '‘'
    )
}

/// An unbreakable piece of text and whether a space preceded it.
struct Unit {
    text: String,
    space_before: bool,
}

/// Splits a paragraph into units: an English word, or one CJK character, with
/// punctuation glued to its neighbour so that it never starts (closing) or
/// ends (opening) a line.
fn units(paragraph: &str) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut pending_space = false;
    // Whether the last unit is a word still being read (no space since).
    let mut in_word = false;
    for c in paragraph.chars() {
        if c.is_whitespace() {
            pending_space = true;
            in_word = false;
            continue;
        }
        let glue = match out.last() {
            None => false,
            Some(_) if char_width(c) == 0 => true,
            Some(_) if pending_space => false,
            Some(last) => {
                is_closing(c)
                    || last.text.chars().next_back().is_some_and(is_opening)
                    || (in_word && !is_wide(c))
            }
        };
        match out.last_mut() {
            Some(last) if glue => last.text.push(c),
            _ => out.push(Unit {
                text: c.to_string(),
                space_before: pending_space,
            }),
        }
        pending_space = false;
        if char_width(c) > 0 {
            in_word = !is_wide(c);
        }
    }
    keep_numbers_with_units(out)
}

/// Units of measure a number must not be split from at a line end ("18 s", "5 ms").
const UNIT_WORDS: &[&str] = &[
    "s", "ms", "µs", "us", "min", "h", "B", "KB", "MB", "GB", "KiB", "MiB", "%", "×",
];

/// Glues a unit of measure to the number before it: an English unit after a space, or the
/// first Chinese character after a number ("5000 条", "18 秒").
fn keep_numbers_with_units(units: Vec<Unit>) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::with_capacity(units.len());
    for u in units {
        let after_number = out.last().is_some_and(|l| {
            l.text
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_digit())
        });
        let word = u.text.trim_end_matches(is_closing);
        let is_unit = UNIT_WORDS.contains(&word) || u.text.chars().next().is_some_and(is_wide);
        match out.last_mut() {
            Some(last) if after_number && is_unit => {
                if u.space_before {
                    last.text.push(' ');
                }
                last.text.push_str(&u.text);
            }
            _ => out.push(u),
        }
    }
    out
}

/// Wraps `s` into lines of at most `max` columns: English breaks between
/// words, Chinese between any two characters (but never before `，。）` or
/// after `（`). `\n` starts a new line; an empty line stays empty. A word
/// longer than a line is split by characters. `max == 0` gives no lines.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    if max == 0 {
        return lines;
    }
    for paragraph in s.split('\n') {
        let paragraph = paragraph.strip_suffix('\r').unwrap_or(paragraph);
        let mut line = String::new();
        let mut line_width = 0;
        let mut started = false;
        for unit in units(paragraph) {
            let unit_width = width(&unit.text);
            let gap = usize::from(unit.space_before && !line.is_empty());
            if !line.is_empty() && line_width + gap + unit_width <= max {
                if gap == 1 {
                    line.push(' ');
                }
                line.push_str(&unit.text);
                line_width += gap + unit_width;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            started = true;
            // The unit starts a line; split it by characters if it is too long.
            let mut rest = unit.text.as_str();
            while width(rest) > max {
                let head = take_prefix(rest, max);
                if head.is_empty() {
                    // A two-column character in a one-column line cannot be
                    // drawn at all: drop it instead of overflowing.
                    let skip = rest.chars().next().map_or(rest.len(), char::len_utf8);
                    rest = &rest[skip..];
                    continue;
                }
                rest = &rest[head.len()..];
                lines.push(head);
            }
            line.push_str(rest);
            line_width = width(rest);
        }
        if !line.is_empty() || !started {
            lines.push(line);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_with_their_units_and_quotes_with_their_words() {
        // "18 s" would break after 18 at width 10 if the unit were a word of its own.
        assert_eq!(wrap("timeout is 18 s", 12), vec!["timeout is", "18 s"]);
        assert_eq!(wrap("共 5000 条消息", 8), vec!["共", "5000 条", "消息"]);
        // An opening quote never ends a line, a closing one never starts one.
        for line in wrap("记为“丢失（Broker 端）”的消息", 6) {
            assert!(!line.ends_with('“') && !line.starts_with('”'), "{line}");
        }
    }

    #[test]
    fn width_counts_columns_not_bytes() {
        assert_eq!(width("acks"), 4);
        assert_eq!(width("生产者"), 6);
        assert_eq!("生产者".len(), 9);
        assert_eq!(width("Sender 线程"), 11);
        assert_eq!(width(""), 0);
        assert_eq!(width("e\u{301}"), 1);
    }

    #[test]
    fn truncate_keeps_short_text() {
        assert_eq!(truncate_to_width("acks", 4), "acks");
        assert_eq!(truncate_to_width("生产者", 6), "生产者");
    }

    #[test]
    fn truncate_adds_an_ellipsis() {
        assert_eq!(truncate_to_width("linger.ms", 6), "linge…");
        assert_eq!(truncate_with("linger.ms", 6, ASCII_ELLIPSIS), "lin...");
    }

    #[test]
    fn truncate_never_splits_a_chinese_character() {
        // 5 columns: two characters (4) leave 1 for "…".
        assert_eq!(truncate_to_width("生产者线程", 5), "生产…");
        // 4 columns: "生" + "…" = 3; the next character would need 2 more.
        assert_eq!(truncate_to_width("生产者线程", 4), "生…");
        assert_eq!(width(&truncate_to_width("生产者线程", 4)), 3);
        assert_eq!(truncate_with("生产者线程", 6, ASCII_ELLIPSIS), "生...");
        assert_eq!(truncate_to_width("a生产者", 4), "a生…");
    }

    #[test]
    fn truncate_in_tiny_spaces() {
        assert_eq!(truncate_to_width("生产者", 0), "");
        assert_eq!(truncate_to_width("生产者", 1), "");
        assert_eq!(truncate_to_width("abc", 1), "a");
        assert_eq!(truncate_with("abcdef", 3, ASCII_ELLIPSIS), "abc");
        assert_eq!(truncate_with("abcdef", 2, ASCII_ELLIPSIS), "ab");
        assert_eq!(truncate_to_width("", 0), "");
    }

    #[test]
    fn truncate_keeps_combining_marks_with_their_letter() {
        assert_eq!(truncate_to_width("e\u{301}tat", 2), "e\u{301}…");
    }

    #[test]
    fn pad_gives_exact_width() {
        assert_eq!(pad_to_width("acks", 6), "acks  ");
        assert_eq!(pad_to_width("生产者", 7), "生产者 ");
        assert_eq!(pad_to_width("生产者", 5), "生产 ");
        assert_eq!(pad_to_width("linger.ms", 3), "lin");
        assert_eq!(pad_to_width("", 2), "  ");
        assert_eq!(pad_to_width("x", 0), "");
        assert_eq!(pad_left_to_width("42", 5), "   42");
        assert_eq!(pad_left_to_width("消息", 5), " 消息");
        assert_eq!(center_to_width("消息", 7), " 消息  ");
        assert_eq!(center_to_width("abc", 2), "ab");
        for s in ["生产者线程", "a生b产c", "acks=all"] {
            for w in 0..12 {
                assert_eq!(width(&pad_to_width(s, w)), w, "{s} {w}");
                assert_eq!(width(&pad_left_to_width(s, w)), w, "{s} {w}");
                assert_eq!(width(&center_to_width(s, w)), w, "{s} {w}");
            }
        }
    }

    #[test]
    fn wrap_english_by_words() {
        assert_eq!(
            wrap("the batch waits for linger.ms", 12),
            vec!["the batch", "waits for", "linger.ms"]
        );
        assert_eq!(wrap("a  b", 10), vec!["a b"]);
    }

    #[test]
    fn wrap_splits_words_longer_than_a_line() {
        assert_eq!(
            wrap("max.in.flight.requests", 8),
            vec!["max.in.f", "light.re", "quests"]
        );
    }

    #[test]
    fn wrap_chinese_by_characters() {
        let lines = wrap("生产者把消息放进批次", 6);
        assert_eq!(lines, vec!["生产者", "把消息", "放进批", "次"]);
        // Odd widths: no character is split, no line is wider than asked.
        let lines = wrap("生产者把消息放进批次", 5);
        assert_eq!(lines, vec!["生产", "者把", "消息", "放进", "批次"]);
    }

    #[test]
    fn wrap_keeps_chinese_punctuation_off_the_line_start() {
        let lines = wrap("批次满了，就发送。", 8);
        assert_eq!(lines, vec!["批次满", "了，就发", "送。"]);
        for line in &lines {
            assert!(!line.starts_with('，') && !line.starts_with('。'), "{line}");
        }
        assert_eq!(wrap("见（acks）", 4), vec!["见", "（ac", "ks）"]);
    }

    #[test]
    fn wrap_mixed_chinese_and_english() {
        assert_eq!(
            wrap("设置 acks=all 后，leader 等待 ISR", 10),
            vec!["设置", "acks=all", "后，leader", "等待 ISR"]
        );
        assert_eq!(wrap("用acks控制", 6), vec!["用acks", "控制"]);
    }

    #[test]
    fn wrap_keeps_line_breaks_and_empty_lines() {
        assert_eq!(wrap("a\n\nb", 5), vec!["a", "", "b"]);
        assert_eq!(wrap("", 5), vec![""]);
        assert_eq!(wrap("a\r\nb", 5), vec!["a", "b"]);
    }

    #[test]
    fn wrap_in_tiny_widths() {
        assert!(wrap("生产者", 0).is_empty());
        // A two-column character cannot be drawn in one column: dropped, no panic.
        assert_eq!(wrap("生a", 1), vec!["a"]);
        assert_eq!(wrap("ab", 1), vec!["a", "b"]);
    }

    #[test]
    fn wrapped_lines_never_exceed_the_width() {
        let text = "Kafka 的生产者先把消息放进 RecordAccumulator，等批次满了（batch.size）\
                    或者 linger.ms 到时，再由 Sender 线程发给 leader。 e\u{301}\u{301} x";
        for max in 1..40 {
            for line in wrap(text, max) {
                assert!(width(&line) <= max, "{max}: {line:?}");
                assert!(!line.starts_with(' ') && !line.ends_with(' '), "{line:?}");
            }
        }
    }

    /// Like ratatui's own test of double-width text in a narrow paragraph:
    /// our wrapping fills each line to the border and never splits a character.
    #[test]
    fn chinese_wraps_in_a_narrow_box() {
        use ratatui::Terminal;
        use ratatui::backend::TestBackend;
        use ratatui::text::Line;
        use ratatui::widgets::{Block, Paragraph};

        let draw = |w: u16, h: u16| {
            let inner = usize::from(w - 2);
            let lines: Vec<Line> = wrap("生产者把消息放进批次，批次满了就发送。", inner)
                .into_iter()
                .map(Line::from)
                .collect();
            let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
            terminal
                .draw(|f| {
                    f.render_widget(Paragraph::new(lines).block(Block::bordered()), f.area());
                })
                .unwrap();
            terminal
        };
        let even = draw(10, 7);
        even.backend().assert_buffer_lines([
            "┌────────┐",
            "│生产者把│",
            "│消息放进│",
            "│批次，批│",
            "│次满了就│",
            "│发送。  │",
            "└────────┘",
        ]);
        insta::assert_snapshot!("chinese_wraps_in_a_narrow_box_even", even.backend());
        // An odd inner width: each line stops one column short instead of
        // splitting a character across the border.
        let odd = draw(9, 8);
        insta::assert_snapshot!("chinese_wraps_in_a_narrow_box_odd", odd.backend());
    }

    proptest::proptest! {
        /// Any text at any width: no panic, nothing too wide, nothing lost
        /// (wrapping only moves spaces, except two-column characters in a
        /// one-column line, which cannot be drawn at all).
        #[test]
        fn helpers_hold_for_any_text(s in "[a-z 生产者，。（）\\n\u{301}]{0,40}", max in 0usize..16) {
            proptest::prop_assert!(width(&truncate_to_width(&s, max)) <= max);
            proptest::prop_assert!(width(&truncate_with(&s, max, ASCII_ELLIPSIS)) <= max);
            proptest::prop_assert_eq!(width(&pad_to_width(&s, max)), max);
            proptest::prop_assert_eq!(width(&pad_left_to_width(&s, max)), max);
            let lines = wrap(&s, max);
            for line in &lines {
                proptest::prop_assert!(width(line) <= max, "{:?} in {}", line, max);
            }
            if max >= 2 {
                let kept: String = lines.concat().chars().filter(|c| !c.is_whitespace()).collect();
                let given: String = s.chars().filter(|c| !c.is_whitespace()).collect();
                proptest::prop_assert_eq!(kept, given);
            }
        }
    }
}
