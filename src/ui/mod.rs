//! Rendering: pure functions of `&App` into a ratatui `Frame`, one per panel.
//!
//! ```text
//! ┌ header: scenario · virtual time · speed · seed · state ───────────────────────┐
//! ├ producer main thread ─┬ RecordAccumulator ─────────────┬ Sender ─────────────┤
//! ├ brokers (the wire, replicas, ISR, LEO / HW) ───────────┬ consumer ───────────┤
//! ├ ledger ───────────────┬ events ────────────────────────┬ metrics / knobs ────┤
//! └ status line, then the key hints ──────────────────────────────────────────────┘
//! ```
//! Below 120×36 the producer thread and metrics fold away; below 80×24 a message asks
//! for a bigger terminal. `z` gives the focused panel the whole screen.

pub mod ab;
mod cluster;
pub mod flow;
pub mod glyphs;
pub mod help;
pub mod journey;
mod lesson;
mod live;
pub(crate) mod panels;
mod pipeline;
pub mod text;
pub mod theme;
mod timeline;
pub mod too_small;

use crate::app::narrate::Level;
use crate::app::{App, Mode, Panel};
use crate::i18n;
use glyphs::Glyphs;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, Paragraph};
use theme::Theme;

/// What every panel renderer needs.
pub struct Ctx<'a> {
    pub app: &'a App,
    /// One side of an A/B comparison: the flow view leaves out what the difference panel
    /// says (the knobs, the figures line).
    pub compact: bool,
}

impl Ctx<'_> {
    pub fn t<'k>(&self, key: &'k str) -> &'k str {
        i18n::tr(self.app.lang, key)
    }
    /// [`Ctx::t`] with `{name}` placeholders filled in.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        i18n::trf(self.app.lang, key, args)
    }
    pub fn theme(&self) -> &Theme {
        &self.app.theme
    }
    pub fn glyphs(&self) -> &Glyphs {
        &self.app.glyphs
    }
    /// Whether the flow view shows `part`: a lesson's step names the parts it shows; the
    /// sandbox shows them all.
    pub fn shows(&self, part: crate::lesson::Part) -> bool {
        self.app
            .lesson
            .as_ref()
            .is_none_or(|st| st.current().shows(part))
    }
    /// Whether a lesson's step asks for `part` by name (rather than showing everything).
    pub fn asked_for(&self, part: crate::lesson::Part) -> bool {
        self.app.lesson.as_ref().is_some_and(|st| {
            st.current().show.len() < crate::lesson::Part::ALL.len() && st.current().shows(part)
        })
    }
}

/// Panels by identity (the app's focusable ones plus the knobs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanelId {
    Producer,
    Accumulator,
    Sender,
    Brokers,
    Consumer,
    Ledger,
    Log,
    Metrics,
    Knobs,
}

impl PanelId {
    fn of(p: Panel) -> PanelId {
        match p {
            Panel::Producer => PanelId::Producer,
            Panel::Accumulator => PanelId::Accumulator,
            Panel::Sender => PanelId::Sender,
            Panel::Brokers => PanelId::Brokers,
            Panel::Consumer => PanelId::Consumer,
            Panel::Ledger => PanelId::Ledger,
            Panel::Log => PanelId::Log,
            Panel::Metrics => PanelId::Metrics,
        }
    }
}

/// A bordered block titled in the current language; the focused panel stands out.
pub fn block<'a>(cx: &Ctx, title_key: &str, id: PanelId) -> Block<'a> {
    block_titled(cx, cx.t(title_key), id)
}

/// [`block`] with a title already in words.
pub fn block_titled<'a>(cx: &Ctx, title: &str, id: PanelId) -> Block<'a> {
    let focused = PanelId::of(cx.app.focus) == id;
    let number = Panel::ALL
        .iter()
        .position(|p| PanelId::of(*p) == id)
        .map_or(String::new(), |i| format!("{} ", i + 1));
    Block::default()
        .borders(Borders::ALL)
        .border_set(if focused {
            cx.glyphs().border_focus
        } else {
            cx.glyphs().border
        })
        .border_style(if focused {
            cx.theme().border_focus
        } else {
            cx.theme().border
        })
        .title(Span::styled(
            format!(" {number}{title} "),
            if focused {
                cx.theme().selected
            } else {
                cx.theme().title
            },
        ))
}

/// A horizontal bar `width` cells wide, `fill` ∈ [0, 1].
pub fn bar(cx: &Ctx, fill: f64, width: usize, style: Style) -> Span<'static> {
    let full = (fill.clamp(0.0, 1.0) * width as f64).round() as usize;
    let g = cx.glyphs();
    let s: String = g.gauge_full.repeat(full) + &g.gauge_empty.repeat(width.saturating_sub(full));
    Span::styled(s, style)
}

/// `label [bar] used/total`.
pub fn gauge<'a>(cx: &Ctx, label: &str, used: u64, total: u64, width: u16) -> Line<'a> {
    let fill = if total == 0 {
        0.0
    } else {
        used as f64 / total as f64
    };
    let text = format!(" {}/{}", human(used), human(total));
    let w = (width as usize)
        .saturating_sub(label.len() + text.len() + 1)
        .clamp(4, 40);
    let style = if fill > 0.9 {
        cx.theme().bad
    } else {
        cx.theme().gauge_fill
    };
    Line::from(vec![
        Span::raw(format!("{label} ")),
        bar(cx, fill, w, style),
        Span::styled(text, cx.theme().dim),
    ])
}

/// `used/total` in K / M.
pub fn human_pair(used: u64, total: u64) -> String {
    format!("{}/{}", human(used), human(total))
}

fn human(b: u64) -> String {
    if b >= 1 << 20 {
        format!("{:.1}M", b as f64 / f64::from(1 << 20))
    } else if b >= 1 << 10 {
        format!("{:.1}K", b as f64 / 1024.0)
    } else {
        b.to_string()
    }
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < too_small::MIN_WIDTH || area.height < too_small::MIN_HEIGHT {
        too_small::render_too_small(frame, app.lang, &app.theme);
        return;
    }
    let cx = Ctx {
        app,
        compact: false,
    };
    frame.render_widget(Block::default().style(app.theme.base), area);
    let [header, bar, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(10),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame, header, &cx);
    timeline::draw(frame, bar, &cx);
    if let Some(st) = &app.lesson {
        // The lesson beside the animation.
        // Presenter mode gives the room's text more of the width.
        let share = if st.presenter { 45 } else { 38 };
        let side = (body.width * share / 100).max(34).min(body.width / 2);
        let [main, panel] =
            Layout::horizontal([Constraint::Min(40), Constraint::Length(side)]).areas(body);
        if app.zoom {
            draw_panel(frame, main, &cx, PanelId::of(app.focus));
        } else {
            flow::draw(frame, main, &cx);
        }
        lesson::panel(frame, panel, &cx, st);
    } else if app.zoom {
        draw_panel(frame, body, &cx, PanelId::of(app.focus));
    } else if let Some(versus) = &app.ab {
        ab::draw(frame, body, &cx, versus);
    } else {
        flow::draw(frame, body, &cx);
    }
    draw_status(frame, status, &cx);
    let hints = match app.mode {
        Mode::Editing(_) | Mode::Compare(_) => help::EDIT_FOOTER,
        Mode::Faults(_) | Mode::Home(_) => help::MENU_FOOTER,
        Mode::Normal if app.live.is_some() => help::LIVE_FOOTER,
        Mode::Normal => help::FOOTER,
    };
    help::render_footer(frame, footer, app.lang, &app.theme, &app.glyphs, hints);
    if let Mode::Faults(sel) = app.mode {
        draw_fault_menu(frame, body, &cx, sel);
    }
    if let Mode::Home(sel) = app.mode {
        lesson::home(frame, body, &cx, sel);
    }
    if let Mode::Compare(typed) = &app.mode {
        ab::prompt(frame, body, &cx, typed);
    }
    if app.show_help {
        help::render_help(frame, area, app.lang, &app.theme, &app.glyphs);
    }
}

fn draw_panel(frame: &mut Frame, area: Rect, cx: &Ctx, id: PanelId) {
    // Listening, panels 1–3 are the real clients' (the simulated producer is off).
    if let (Some(l), PanelId::Producer | PanelId::Accumulator | PanelId::Sender) =
        (&cx.app.live, id)
    {
        live::draw(frame, area, cx, l);
        return;
    }
    match id {
        PanelId::Producer => pipeline::producer(frame, area, cx),
        PanelId::Accumulator => pipeline::accumulator(frame, area, cx),
        PanelId::Sender => pipeline::sender(frame, area, cx),
        PanelId::Brokers => cluster::brokers(frame, area, cx),
        PanelId::Consumer => cluster::consumer(frame, area, cx),
        PanelId::Ledger => panels::ledger(frame, area, cx),
        PanelId::Log => panels::log(frame, area, cx),
        PanelId::Metrics => panels::metrics(frame, area, cx),
        PanelId::Knobs => panels::knobs(frame, area, cx),
    }
}

fn draw_header(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let app = cx.app;
    let state = if app.paused {
        (cx.t("header.paused"), cx.theme().warn)
    } else if app.lagging {
        (cx.t("header.slowed"), cx.theme().warn)
    } else {
        (cx.t("header.running"), cx.theme().ok)
    };
    let speed = app.speed_factor();
    let line = Line::from(vec![
        Span::styled(" kafka-flow ", cx.theme().selected),
        Span::styled(
            match (&app.lesson, &app.scenario_title) {
                // Listening: what matters first is that the clients are real.
                _ if app.live.is_some() => {
                    let n = app
                        .live
                        .as_ref()
                        .map_or(0, crate::app::live::Live::connected)
                        .to_string();
                    format!(" {} ", cx.tf("live.header", &[("n", &n)]))
                }
                (Some(st), _) => format!(" {} {} ", cx.t("header.lesson"), st.lesson.number),
                (None, Some(title)) => format!(" {} ", title.get(app.lang)),
                (None, None) => format!(" {} ", cx.t("header.scenario")),
            },
            cx.theme().title,
        ),
        Span::styled(
            format!("{} {} ", cx.t("header.time"), app.sim.now()),
            cx.theme().accent,
        ),
        Span::raw(format!("{} {speed}× ", cx.t("header.speed"))),
        // Listening, the seed decides little: real clients bring their own timing.
        Span::raw(if app.live.is_some() {
            String::new()
        } else {
            format!("{} {} ", cx.t("header.seed"), app.sim.seed())
        }),
        Span::styled(
            if app.ab.is_some() {
                format!("{} ", cx.t("ab.header"))
            } else {
                String::new()
            },
            cx.theme().warn,
        ),
        Span::styled(state.0.to_string(), state.1),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_status(frame: &mut Frame, area: Rect, cx: &Ctx) {
    let app = cx.app;
    let line = match (&app.mode, &app.status) {
        (Mode::Editing(s), _) => {
            let name = app.knobs.get(app.knob).map_or("", |k| k.name.as_str());
            Line::from(vec![
                Span::styled(
                    format!(
                        " {} ",
                        i18n::trf(app.lang, "knobs.edit_prompt", &[("name", name)])
                    ),
                    cx.theme().selected,
                ),
                Span::raw(format!("{s}_")),
            ])
        }
        (_, Some((level, text))) => {
            let style = match level {
                Level::Info => Style::default(),
                Level::Good => cx.theme().ok,
                Level::Warn => cx.theme().warn,
                Level::Bad => cx.theme().bad,
            };
            Line::from(Span::styled(format!(" {}", text.get(app.lang)), style))
        }
        _ => {
            let name = app.knobs.get(app.knob).map_or("-", |k| k.name.as_str());
            Line::from(vec![
                Span::styled(format!(" {} ", cx.t("panel.knobs")), cx.theme().dim),
                Span::styled(
                    format!("{name} = {}", app.knob_display(app.knob)),
                    cx.theme().selected,
                ),
                Span::styled(format!("  ←/→ {}", cx.t("key.change_knob")), cx.theme().dim),
            ])
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_fault_menu(frame: &mut Frame, area: Rect, cx: &Ctx, selected: usize) {
    let menu = cx.app.fault_menu();
    let h = (menu.len() as u16 + 2).min(area.height);
    // As wide as the longest label (with its number and borders), so none is cut.
    let longest = menu
        .iter()
        .map(|e| text::width(&e.label))
        .max()
        .unwrap_or(0);
    let w = (longest as u16 + 4).max(30).min(area.width);
    let rect = centered(area, w, h);
    frame.render_widget(Clear, rect);
    let items: Vec<ListItem> = menu
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let n = if i < 9 {
                format!("{} ", i + 1)
            } else {
                "  ".to_string()
            };
            let style = if i == selected {
                cx.theme().selected
            } else {
                Style::default()
            };
            ListItem::new(Span::styled(format!("{n}{}", e.label), style))
        })
        .collect();
    let block = framed(cx, cx.t("fault.title"), cx.theme().bad, cx.theme().bad);
    frame.render_widget(List::new(items).block(block), rect);
}

/// A `w`×`h` box in the middle of `area` (a menu, a prompt); `w` and `h` fit in it.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let (w, h) = (w.min(area.width), h.min(area.height));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// A box with a plain border and `title` in words (menus, prompts, the A/B panel).
pub fn framed<'a>(cx: &Ctx, title: &str, border: Style, title_style: Style) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_set(cx.glyphs().border)
        .border_style(border)
        .title(Span::styled(format!(" {title} "), title_style))
}
