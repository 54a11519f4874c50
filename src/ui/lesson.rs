//! The lesson panel beside the animation (the step's text, a live ✓ / ✗ checklist of its
//! goals, hints on `h`, the predict-then-reveal question) and the home screen (the course
//! with progress marks, and the sandbox).

use super::{Ctx, text};
use crate::app::lesson::LessonState;
use crate::i18n::trf;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, Paragraph, Wrap};

pub fn panel(frame: &mut Frame, area: Rect, cx: &Ctx, st: &LessonState) {
    let lang = cx.app.lang;
    let step = st.current();
    let width = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    let total = st.lesson.steps.len();
    lines.push(Line::from(Span::styled(
        trf(
            lang,
            "course.step",
            &[
                ("n", &(st.step + 1).to_string()),
                ("total", &total.to_string()),
            ],
        ),
        cx.theme().accent,
    )));
    for para in step.text.get(lang).split("\n\n") {
        for l in text::wrap(para.trim(), width) {
            lines.push(Line::from(l));
        }
        lines.push(Line::from(""));
    }
    lines.push(Line::from(Span::styled(
        cx.t("course.goals"),
        cx.theme().title,
    )));
    for (g, met) in step
        .goals
        .iter()
        .zip(st.goals_met.iter().chain(std::iter::repeat(&false)))
    {
        let (mark, style) = if *met {
            (cx.glyphs().check, cx.theme().ok)
        } else {
            (cx.glyphs().cross, cx.theme().bad)
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), style),
            Span::raw(g.text.get(lang).to_string()),
        ]));
    }
    if st.step_done {
        let done = cx.t(if st.is_last() {
            "course.lesson_complete"
        } else {
            "course.step_done"
        });
        lines.push(Line::from(Span::styled(done, cx.theme().ok)));
        if st.is_last() {
            for l in text::wrap(st.lesson.closing.get(lang), width) {
                lines.push(Line::from(Span::styled(l, cx.theme().accent)));
            }
        }
    }
    if let Some(q) = &step.question {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            cx.t("course.predict_first"),
            cx.theme().title,
        )));
        for l in text::wrap(q.prompt.get(lang), width) {
            lines.push(Line::from(l));
        }
        for (i, c) in q.choices.iter().enumerate() {
            let mut style = Style::default();
            let mut tail = String::new();
            if st.answer == Some(i) {
                style = cx.theme().selected;
                tail = format!(" {}", cx.t("course.your_answer"));
            }
            if st.answer.is_some() && st.right == Some(i) {
                style = cx.theme().ok;
                tail.push(' ');
                tail.push_str(cx.t("course.simulation_says_so"));
            }
            lines.push(Line::from(Span::styled(
                format!("{} {}{tail}", i + 1, c.text.get(lang)),
                style,
            )));
        }
        if st.answer.is_none() {
            lines.push(Line::from(Span::styled(
                cx.t("course.answer_with_number"),
                cx.theme().dim,
            )));
        }
    }
    for (i, h) in step.hints.iter().take(st.hints_shown).enumerate() {
        lines.push(Line::from(""));
        let label = trf(lang, "course.hint", &[("n", &(i + 1).to_string())]);
        for (j, l) in text::wrap(&format!("{label}{}", h.get(lang)), width)
            .into_iter()
            .enumerate()
        {
            lines.push(Line::from(Span::styled(
                l,
                if j == 0 {
                    cx.theme().warn
                } else {
                    Style::default()
                },
            )));
        }
    }
    lines.push(Line::from(""));
    let knobs: Vec<&str> = step.knobs.iter().map(String::as_str).collect();
    let keys = trf(lang, "course.keys", &[("knobs", &knobs.join(", "))]);
    for l in text::wrap(&keys, width) {
        lines.push(Line::from(Span::styled(l, cx.theme().dim)));
    }
    let title = format!(" {} · {} ", st.lesson.number, st.lesson.title.get(lang));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_set(cx.glyphs().border_focus)
        .border_style(cx.theme().border_focus)
        .title(Span::styled(title, cx.theme().selected));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
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
