//! The lesson panel beside the animation (the step's text, a live ✓ / ✗ checklist of its
//! goals, hints on `h`, the predict-then-reveal question) and the home screen (the course
//! with progress marks, and the sandbox).

use super::{Ctx, text};
use crate::app::lesson::LessonState;
use crate::i18n::trf;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, Paragraph};

/// The lesson panel: the step's text (scrolled with ↑/↓ where the panel is too short for it)
/// above what must never be cut, pinned at the bottom: the question with its choices, the
/// goals (once nothing is left to predict), and the keys.
pub fn panel(frame: &mut Frame, area: Rect, cx: &Ctx, st: &LessonState) {
    let lang = cx.app.lang;
    let title = format!(" {} · {} ", st.lesson.number, st.lesson.title.get(lang));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_set(cx.glyphs().border_focus)
        .border_style(cx.theme().border_focus)
        .title(Span::styled(title, cx.theme().selected));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let width = inner.width as usize;
    let (text, (mut pinned, optional)) = if st.presenter {
        (
            presenter_text(cx, st, width),
            presenter_pinned(cx, st, width),
        )
    } else {
        (step_text(cx, st, width), pinned_lines(cx, st, width))
    };
    // The pinned part keeps what it needs, leaving the text at least a few rows; the keys
    // and notes come after the question and goals, and go first when rows are short.
    let room = inner.height.saturating_sub(MIN_TEXT_ROWS.min(inner.height)) as usize;
    if pinned.len() + optional.len() <= room {
        pinned.extend(optional);
    }
    let pinned_h = pinned.len().min(room) as u16;
    let [text_area, pinned_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(pinned_h)]).areas(inner);
    let rows = text_area.height as usize;
    let overflow = text.len() > rows;
    // With more text than rows, the last row says so and ↑/↓ scroll.
    let shown_rows = if overflow {
        rows.saturating_sub(1)
    } else {
        rows
    };
    let max_scroll = text.len().saturating_sub(shown_rows);
    let scroll = (st.scroll as usize).min(max_scroll);
    let mut visible: Vec<Line> = text.into_iter().skip(scroll).take(shown_rows).collect();
    if overflow && rows > 0 {
        let more = if scroll < max_scroll {
            cx.t("course.more").to_string()
        } else {
            "↑".to_string()
        };
        visible.push(Line::from(Span::styled(more, cx.theme().dim)));
    }
    let mut paragraph = Paragraph::new(visible);
    if st.presenter {
        // For the back of the room: the key sentence in the middle.
        paragraph = paragraph.alignment(ratatui::layout::Alignment::Center);
    }
    frame.render_widget(paragraph, text_area);
    let skip = pinned.len().saturating_sub(pinned_h as usize);
    frame.render_widget(
        Paragraph::new(pinned.into_iter().skip(skip).collect::<Vec<_>>()),
        pinned_area,
    );
}

/// Rows the step's text keeps however much the pinned part needs.
const MIN_TEXT_ROWS: u16 = 3;

fn wrapped<'a>(s: &str, width: usize, style: Style) -> impl Iterator<Item = Line<'a>> {
    text::wrap(s, width)
        .into_iter()
        .map(move |l| Line::from(Span::styled(l, style)))
}

/// "Step n/total", the step's paragraphs, what the answer revealed, the hints asked for.
fn step_text<'a>(cx: &Ctx, st: &LessonState, width: usize) -> Vec<Line<'a>> {
    let lang = cx.app.lang;
    let step = st.current();
    let mut lines = vec![step_heading(cx, st)];
    // What the learner reads now comes first: what the answer revealed, the hints asked for.
    if let Some(q) = step.question.as_ref().filter(|_| st.revealed) {
        lines.push(Line::from(Span::styled(
            cx.t("course.reveal"),
            cx.theme().title,
        )));
        for para in q.reveal.get(lang).split("\n\n") {
            lines.extend(wrapped(para.trim(), width, cx.theme().accent));
            lines.push(Line::from(""));
        }
    }
    for (i, h) in step.hints.iter().take(st.hints_shown).enumerate() {
        let label = trf(lang, "course.hint", &[("n", &(i + 1).to_string())]);
        for (j, l) in text::wrap(&format!("{label}{}", h.get(lang)), width)
            .into_iter()
            .enumerate()
        {
            let style = if j == 0 {
                cx.theme().warn
            } else {
                Style::default()
            };
            lines.push(Line::from(Span::styled(l, style)));
        }
        lines.push(Line::from(""));
    }
    for para in step.text.get(lang).split("\n\n") {
        lines.extend(wrapped(para.trim(), width, Style::default()));
        lines.push(Line::from(""));
    }
    lines
}

fn step_heading<'a>(cx: &Ctx, st: &LessonState) -> Line<'a> {
    let mut heading = trf(
        cx.app.lang,
        "course.step",
        &[
            ("n", &(st.step + 1).to_string()),
            ("total", &st.lesson.steps.len().to_string()),
        ],
    );
    if st.presenter {
        heading = format!("{heading} · {}", cx.t("course.presenter"));
    }
    Line::from(Span::styled(heading, cx.theme().accent))
}

/// Lines that must be seen, and lines that may go when rows are short.
type Pinned<'a> = (Vec<Line<'a>>, Vec<Line<'a>>);

/// The question (while it waits, and marked once answered) and the goals; then, if there is
/// room, the keys.
fn pinned_lines<'a>(cx: &Ctx, st: &LessonState, width: usize) -> Pinned<'a> {
    let lang = cx.app.lang;
    let step = st.current();
    let mut lines = Vec::new();
    if step.question.is_some() {
        lines.extend(question_lines(cx, st, width, false));
    }
    let mut optional = Vec::new();
    if st.goals_visible() {
        lines.push(Line::from(Span::styled(
            cx.t("course.goals"),
            cx.theme().title,
        )));
        lines.extend(goal_lines(cx, st, width));
    } else {
        optional.push(Line::from(Span::styled(
            cx.t("course.goals"),
            cx.theme().title,
        )));
        optional.extend(wrapped(
            cx.t("course.goals_after_answer"),
            width,
            cx.theme().dim,
        ));
    }
    if st.step_done {
        let done = cx.t(if st.is_last() {
            "course.lesson_complete"
        } else {
            "course.step_done"
        });
        lines.push(Line::from(Span::styled(done, cx.theme().ok)));
        if st.is_last() {
            lines.extend(wrapped(
                st.lesson.closing.get(lang),
                width,
                cx.theme().accent,
            ));
        }
    }
    let knobs: Vec<&str> = step.knobs.iter().map(String::as_str).collect();
    let keys = trf(lang, "course.keys", &[("knobs", &knobs.join(", "))]);
    optional.extend(wrapped(&keys, width, cx.theme().dim));
    (lines, optional)
}

/// The live checklist: ✓ or ✗ and each goal's text.
fn goal_lines<'a>(cx: &Ctx, st: &LessonState, width: usize) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    let met = st.goals_met.iter().chain(std::iter::repeat(&false));
    for (g, met) in st.current().goals.iter().zip(met) {
        let (mark, style) = if *met {
            (cx.glyphs().check, cx.theme().ok)
        } else {
            (cx.glyphs().cross, cx.theme().bad)
        };
        // The mark keeps its colour; the text wraps under it.
        let text = format!("{mark} {}", g.text.get(cx.app.lang));
        for (j, l) in text::wrap(&text, width).into_iter().enumerate() {
            if j == 0 {
                let rest: String = l.chars().skip(mark.chars().count() + 1).collect();
                lines.push(Line::from(vec![
                    Span::styled(format!("{mark} "), style),
                    Span::raw(rest),
                ]));
            } else {
                lines.push(Line::from(l));
            }
        }
    }
    lines
}

/// "Predict first", the prompt and the numbered choices; once revealed, the learner's
/// answer and the simulation's.
fn question_lines<'a>(cx: &Ctx, st: &LessonState, width: usize, big: bool) -> Vec<Line<'a>> {
    let lang = cx.app.lang;
    let Some(q) = &st.current().question else {
        return Vec::new();
    };
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::from(Span::styled(
        cx.t("course.predict_first"),
        cx.theme().title,
    ))];
    lines.extend(wrapped(
        q.prompt.get(lang),
        width,
        if big { bold } else { Style::default() },
    ));
    for (i, c) in q.choices.iter().enumerate() {
        if big {
            lines.push(Line::from(""));
        }
        let mut style = Style::default();
        let mut tail = String::new();
        if st.answer == Some(i) {
            style = cx.theme().selected;
            tail = format!(" {}", cx.t("course.your_answer"));
        }
        if st.revealed && st.right == Some(i) {
            style = cx.theme().ok;
            tail.push(' ');
            tail.push_str(cx.t("course.simulation_says_so"));
        }
        let text = format!("{} {}{tail}", i + 1, c.text.get(lang));
        lines.extend(wrapped(&text, width, style));
    }
    if st.question_pending() {
        let how = format!(
            "{} · {}",
            cx.t("course.answer_with_number"),
            cx.t("course.reveal_hint")
        );
        lines.extend(wrapped(&how, width, cx.theme().dim));
    }
    lines.push(Line::from(""));
    lines
}

/// Presenter mode: the step's key sentence, bold and spaced, for the back of the room; the
/// reveal once the answer is shown. No hints.
fn presenter_text<'a>(cx: &Ctx, st: &LessonState, width: usize) -> Vec<Line<'a>> {
    let lang = cx.app.lang;
    let step = st.current();
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut lines = vec![step_heading(cx, st), Line::from("")];
    // The key sentence states the step's idea: a question pending, it would answer it, so
    // the question takes the middle of the panel instead.
    if st.question_pending() {
        lines.extend(question_lines(cx, st, width, true));
        return lines;
    }
    lines.extend(wrapped(step.key.get(lang), width, bold));
    lines.push(Line::from(""));
    if let Some(q) = step.question.as_ref().filter(|_| st.revealed) {
        lines.extend(wrapped(q.reveal.get(lang), width, cx.theme().accent));
        lines.push(Line::from(""));
    }
    lines
}

/// Presenter mode's pinned part: the question for the room, the goals once answered, and
/// the clicker's keys.
fn presenter_pinned<'a>(cx: &Ctx, st: &LessonState, width: usize) -> Pinned<'a> {
    let mut lines = if st.question_pending() {
        Vec::new()
    } else {
        question_lines(cx, st, width, false)
    };
    if st.goals_visible() {
        lines.extend(goal_lines(cx, st, width));
    }
    let keys = wrapped(cx.t("course.presenter_keys"), width, cx.theme().dim).collect();
    (lines, keys)
}

/// The home screen: the lessons with progress marks, and the sandbox.
/// The home screen: the lessons, and beside them (below on a narrow screen) the built-in
/// scenarios and the sandbox. One selection runs through both lists: lessons first.
pub fn home(frame: &mut Frame, area: Rect, cx: &Ctx, selected: usize) {
    let lang = cx.app.lang;
    let progress = &cx.app.progress;
    let style = |i: usize| {
        if i == selected {
            cx.theme().selected
        } else {
            Style::default()
        }
    };
    let lessons: Vec<ListItem> = cx
        .app
        .course
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mark = match progress.lessons.get(&l.id) {
                Some(p) if p.done => cx.glyphs().check,
                Some(_) => "…",
                None => " ",
            };
            ListItem::new(Line::from(vec![
                Span::styled(format!("{mark} {:>2}  ", l.number), style(i)),
                Span::styled(l.title.get(lang).to_string(), style(i)),
            ]))
        })
        .collect();
    let first = cx.app.course.len();
    let mut scenarios: Vec<ListItem> = cx
        .app
        .scenarios
        .iter()
        .enumerate()
        .map(|(j, s)| {
            ListItem::new(Span::styled(
                format!(" ▸ {}", s.title.get(lang)),
                style(first + j),
            ))
        })
        .collect();
    let sandbox_at = first + cx.app.scenarios.len();
    scenarios.push(ListItem::new(Span::styled(
        format!(" ⋯ {}", cx.t("course.sandbox")),
        style(sandbox_at),
    )));
    let lessons_title = format!(" {} ", cx.t("course.home_title"));
    let scenarios_title = format!(" {} ", cx.t("course.scenarios_title"));
    let wide = area.width >= 110;
    let (h_l, h_s) = (lessons.len() as u16 + 2, scenarios.len() as u16 + 2);
    if wide {
        let w = 56.min(area.width / 2);
        let h = h_l.max(h_s).min(area.height);
        let x = area.x + (area.width - 2 * w) / 2;
        let y = area.y + (area.height - h) / 2;
        let left = Rect::new(x, y, w, h);
        let right = Rect::new(x + w, y, w, h);
        home_list(frame, left, cx, lessons, &lessons_title, None);
        home_list(frame, right, cx, scenarios, &scenarios_title, None);
    } else {
        // One list, scrolled to the selection.
        let mut items = lessons;
        items.push(ListItem::new(Span::styled(
            scenarios_title,
            cx.theme().title,
        )));
        items.extend(scenarios);
        let at = if selected < first {
            selected
        } else {
            selected + 1
        };
        let h = (items.len() as u16 + 2).min(area.height);
        let w = 64.min(area.width);
        let rect = Rect::new(
            area.x + (area.width - w) / 2,
            area.y + (area.height - h) / 2,
            w,
            h,
        );
        home_list(frame, rect, cx, items, &lessons_title, Some(at));
    }
}

fn home_list(
    frame: &mut Frame,
    rect: Rect,
    cx: &Ctx,
    items: Vec<ListItem>,
    title: &str,
    selected: Option<usize>,
) {
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_set(cx.glyphs().border_focus)
        .border_style(cx.theme().border_focus)
        .title(Span::styled(title.to_string(), cx.theme().selected));
    let mut state = ratatui::widgets::ListState::default().with_selected(selected);
    frame.render_stateful_widget(
        List::new(items)
            .block(block)
            .highlight_style(Style::default()),
        rect,
        &mut state,
    );
}
