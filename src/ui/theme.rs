//! Colour themes: one named `Style` per thing a panel draws.
//!
//! Built for a projector at the back of a classroom: every theme sets its own
//! background (so the dark theme is not white-on-white in a light terminal),
//! uses the 16 ANSI colours plus a few of the 256-colour palette (truecolor is
//! not everywhere), and gives the meaningful styles a modifier as well as a
//! colour. Meaning never rests on colour alone: panels pair these styles with
//! glyphs and words, and `no_color()` keeps only the modifiers.

use ratatui::style::{Color, Modifier, Style};

/// Which palette a [`Theme`] was built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeKind {
    Dark,
    Light,
    HighContrast,
    NoColor,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theme {
    pub kind: ThemeKind,
    /// Background and default text of the whole screen.
    pub base: Style,
    /// The header line (scenario, time, speed, seed, state).
    pub header: Style,
    pub border: Style,
    /// The focused / zoomed panel's border.
    pub border_focus: Style,
    pub title: Style,
    /// Secondary text: units, explanations, inactive things.
    pub dim: Style,
    /// Emphasis that carries no judgement (the value being looked at).
    pub accent: Style,
    /// Good outcomes: acked, delivered, in sync.
    pub ok: Style,
    /// Worth watching: retries, waiting, blocked, slowed down.
    pub warn: Style,
    /// Bad outcomes: lost, duplicated, failed, broker down.
    pub bad: Style,
    pub record: Style,
    pub batch: Style,
    pub request: Style,
    pub ack: Style,
    pub leader: Style,
    pub follower: Style,
    pub isr: Style,
    pub out_of_isr: Style,
    pub hw_mark: Style,
    pub gauge_fill: Style,
    pub gauge_empty: Style,
    /// The selected knob / menu entry.
    pub selected: Style,
    /// A value that just changed, for a moment.
    pub flash: Style,
    /// A key label in the footer and the help (`space`, `q`).
    pub key_hint: Style,
    /// The text after a key label.
    pub key_desc: Style,
    /// Overlays (help, fault menu) drawn over the panels.
    pub overlay: Style,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme::dark()
    }
}

fn fg(c: Color) -> Style {
    Style::new().fg(c)
}

impl Theme {
    /// Light text on black. The default.
    pub fn dark() -> Theme {
        let bg = Color::Black;
        Theme {
            kind: ThemeKind::Dark,
            base: Style::new().fg(Color::White).bg(bg),
            header: Style::new().fg(Color::Black).bg(Color::Cyan),
            border: fg(Color::Gray),
            border_focus: fg(Color::LightCyan).add_modifier(Modifier::BOLD),
            title: fg(Color::LightCyan).add_modifier(Modifier::BOLD),
            // Gray, not DarkGray: DarkGray on black vanishes on a projector.
            dim: fg(Color::Gray),
            accent: fg(Color::LightCyan).add_modifier(Modifier::BOLD),
            ok: fg(Color::LightGreen),
            warn: fg(Color::LightYellow).add_modifier(Modifier::BOLD),
            bad: fg(Color::LightRed).add_modifier(Modifier::BOLD),
            record: fg(Color::LightCyan),
            batch: fg(Color::LightMagenta),
            request: fg(Color::LightBlue).add_modifier(Modifier::BOLD),
            ack: fg(Color::LightGreen).add_modifier(Modifier::BOLD),
            leader: fg(Color::LightYellow).add_modifier(Modifier::BOLD),
            follower: fg(Color::Gray),
            isr: fg(Color::LightGreen),
            out_of_isr: fg(Color::LightRed).add_modifier(Modifier::UNDERLINED),
            hw_mark: fg(Color::LightYellow).add_modifier(Modifier::BOLD),
            gauge_fill: fg(Color::LightMagenta),
            gauge_empty: fg(Color::DarkGray),
            selected: Style::new()
                .fg(Color::Black)
                .bg(Color::LightCyan)
                .add_modifier(Modifier::BOLD),
            flash: Style::new()
                .fg(Color::Black)
                .bg(Color::LightYellow)
                .add_modifier(Modifier::BOLD),
            key_hint: Style::new()
                .fg(Color::Black)
                .bg(Color::Gray)
                .add_modifier(Modifier::BOLD),
            key_desc: fg(Color::White),
            overlay: Style::new().fg(Color::White).bg(Color::Indexed(235)),
        }
    }

    /// Dark text on white, for bright rooms. Yellow and light colours are
    /// unreadable on white, so this theme uses deep 256-colour shades.
    pub fn light() -> Theme {
        const GREEN: Color = Color::Indexed(22);
        const ORANGE: Color = Color::Indexed(130);
        const RED: Color = Color::Indexed(124);
        const BLUE: Color = Color::Indexed(19);
        const TEAL: Color = Color::Indexed(23);
        const PURPLE: Color = Color::Indexed(90);
        const GREY: Color = Color::Indexed(240);
        Theme {
            kind: ThemeKind::Light,
            base: Style::new().fg(Color::Black).bg(Color::White),
            header: Style::new().fg(Color::White).bg(BLUE),
            border: fg(GREY),
            border_focus: fg(BLUE).add_modifier(Modifier::BOLD),
            title: fg(BLUE).add_modifier(Modifier::BOLD),
            dim: fg(GREY),
            accent: fg(BLUE).add_modifier(Modifier::BOLD),
            ok: fg(GREEN),
            warn: fg(ORANGE).add_modifier(Modifier::BOLD),
            bad: fg(RED).add_modifier(Modifier::BOLD),
            record: fg(TEAL),
            batch: fg(PURPLE),
            request: fg(BLUE).add_modifier(Modifier::BOLD),
            ack: fg(GREEN).add_modifier(Modifier::BOLD),
            leader: fg(ORANGE).add_modifier(Modifier::BOLD),
            follower: fg(GREY),
            isr: fg(GREEN),
            out_of_isr: fg(RED).add_modifier(Modifier::UNDERLINED),
            hw_mark: fg(ORANGE).add_modifier(Modifier::BOLD),
            gauge_fill: fg(PURPLE),
            gauge_empty: fg(Color::Indexed(250)),
            selected: Style::new()
                .fg(Color::White)
                .bg(BLUE)
                .add_modifier(Modifier::BOLD),
            flash: Style::new()
                .fg(Color::Black)
                .bg(Color::Indexed(220))
                .add_modifier(Modifier::BOLD),
            key_hint: Style::new()
                .fg(Color::White)
                .bg(GREY)
                .add_modifier(Modifier::BOLD),
            key_desc: fg(Color::Black),
            overlay: Style::new().fg(Color::Black).bg(Color::Indexed(254)),
        }
    }

    /// Bright bold colours on black and no dimmed text at all, for weak
    /// projectors and low vision.
    pub fn high_contrast() -> Theme {
        let bold = |c: Color| fg(c).add_modifier(Modifier::BOLD);
        Theme {
            kind: ThemeKind::HighContrast,
            base: Style::new().fg(Color::White).bg(Color::Black),
            header: Style::new()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(Modifier::BOLD),
            border: fg(Color::White),
            border_focus: bold(Color::LightYellow),
            title: bold(Color::White).add_modifier(Modifier::UNDERLINED),
            dim: fg(Color::White),
            accent: bold(Color::LightCyan),
            ok: bold(Color::LightGreen),
            warn: bold(Color::LightYellow),
            bad: bold(Color::LightRed).add_modifier(Modifier::REVERSED),
            record: bold(Color::LightCyan),
            batch: bold(Color::LightMagenta),
            request: bold(Color::LightCyan),
            ack: bold(Color::LightGreen),
            leader: bold(Color::LightYellow),
            follower: fg(Color::White),
            isr: bold(Color::LightGreen),
            out_of_isr: bold(Color::LightRed).add_modifier(Modifier::UNDERLINED),
            hw_mark: bold(Color::LightYellow),
            gauge_fill: bold(Color::White),
            gauge_empty: fg(Color::Gray),
            selected: Style::new()
                .fg(Color::Black)
                .bg(Color::LightYellow)
                .add_modifier(Modifier::BOLD),
            flash: Style::new()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(Modifier::BOLD),
            key_hint: Style::new()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(Modifier::BOLD),
            key_desc: fg(Color::White),
            overlay: Style::new().fg(Color::White).bg(Color::Black),
        }
    }

    /// No colours at all (<https://no-color.org>): only bold, reverse and
    /// underline, and the terminal's own foreground and background.
    pub fn no_color() -> Theme {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let reversed = Style::new().add_modifier(Modifier::REVERSED);
        let underlined = Style::new().add_modifier(Modifier::UNDERLINED);
        let plain = Style::new();
        Theme {
            kind: ThemeKind::NoColor,
            base: plain,
            header: reversed,
            border: plain,
            border_focus: bold,
            title: bold,
            dim: plain,
            accent: bold,
            ok: plain,
            warn: underlined,
            bad: bold.add_modifier(Modifier::UNDERLINED),
            record: plain,
            batch: plain,
            request: bold,
            ack: bold,
            leader: bold,
            follower: plain,
            isr: plain,
            out_of_isr: underlined,
            hw_mark: bold,
            gauge_fill: plain,
            gauge_empty: plain,
            selected: reversed,
            flash: reversed.add_modifier(Modifier::BOLD),
            key_hint: reversed,
            key_desc: plain,
            overlay: plain,
        }
    }

    /// `no_color()` when `NO_COLOR` is set to a non-empty value, else `dark()`.
    /// The colour of partition `p`, the same from the accumulator to the consumer. Symbols
    /// and labels say the same thing (`p0`), so no-colour keeps the meaning.
    pub fn partition(&self, p: u32) -> Style {
        const DARK: [Color; 6] = [
            Color::LightCyan,
            Color::LightMagenta,
            Color::LightGreen,
            Color::LightYellow,
            Color::LightBlue,
            Color::LightRed,
        ];
        // Deep shades that read on white.
        const LIGHT: [Color; 6] = [
            Color::Indexed(23),
            Color::Indexed(90),
            Color::Indexed(22),
            Color::Indexed(130),
            Color::Indexed(19),
            Color::Indexed(124),
        ];
        let i = p as usize % DARK.len();
        match self.kind {
            ThemeKind::NoColor => Style::new(),
            ThemeKind::Light => Style::new().fg(LIGHT[i]),
            _ => Style::new().fg(DARK[i]),
        }
    }

    pub fn from_env() -> Theme {
        Theme::from_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// [`Theme::from_env`] with the variable's value passed in, so tests need
    /// not change the process environment.
    pub fn from_no_color(value: Option<&std::ffi::OsStr>) -> Theme {
        match value {
            Some(v) if !v.is_empty() => Theme::no_color(),
            _ => Theme::dark(),
        }
    }

    /// The theme for `name` as [`Theme::name`] spells it (for a `--theme` flag).
    pub fn parse(name: &str) -> Result<Theme, String> {
        match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "dark" => Ok(Theme::dark()),
            "light" => Ok(Theme::light()),
            "high-contrast" | "contrast" => Ok(Theme::high_contrast()),
            "no-color" | "no-colour" | "none" => Ok(Theme::no_color()),
            _ => Err(format!(
                "unknown theme '{name}': accepted are dark, light, high-contrast, no-color"
            )),
        }
    }

    /// The `t` key: dark → light → high contrast → dark. Without colour it
    /// stays without colour: the user (or NO_COLOR) asked for that.
    #[must_use]
    pub fn next(&self) -> Theme {
        match self.kind {
            ThemeKind::Dark => Theme::light(),
            ThemeKind::Light => Theme::high_contrast(),
            ThemeKind::HighContrast => Theme::dark(),
            ThemeKind::NoColor => Theme::no_color(),
        }
    }

    /// "dark", "light", "high-contrast" or "no-color".
    pub fn name(&self) -> &'static str {
        match self.kind {
            ThemeKind::Dark => "dark",
            ThemeKind::Light => "light",
            ThemeKind::HighContrast => "high-contrast",
            ThemeKind::NoColor => "no-color",
        }
    }

    /// The i18n key of the theme's display name.
    pub fn label_key(&self) -> &'static str {
        match self.kind {
            ThemeKind::Dark => "theme.dark",
            ThemeKind::Light => "theme.light",
            ThemeKind::HighContrast => "theme.high_contrast",
            ThemeKind::NoColor => "theme.no_color",
        }
    }

    /// Every style with its name, for tests and a future theme file.
    pub fn styles(&self) -> [(&'static str, Style); 26] {
        [
            ("base", self.base),
            ("header", self.header),
            ("border", self.border),
            ("border_focus", self.border_focus),
            ("title", self.title),
            ("dim", self.dim),
            ("accent", self.accent),
            ("ok", self.ok),
            ("warn", self.warn),
            ("bad", self.bad),
            ("record", self.record),
            ("batch", self.batch),
            ("request", self.request),
            ("ack", self.ack),
            ("leader", self.leader),
            ("follower", self.follower),
            ("isr", self.isr),
            ("out_of_isr", self.out_of_isr),
            ("hw_mark", self.hw_mark),
            ("gauge_fill", self.gauge_fill),
            ("gauge_empty", self.gauge_empty),
            ("selected", self.selected),
            ("flash", self.flash),
            ("key_hint", self.key_hint),
            ("key_desc", self.key_desc),
            ("overlay", self.overlay),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    const ALL: [fn() -> Theme; 4] = [
        Theme::dark,
        Theme::light,
        Theme::high_contrast,
        Theme::no_color,
    ];

    #[test]
    fn no_color_has_no_colour() {
        for (name, s) in Theme::no_color().styles() {
            assert_eq!(s.fg, None, "{name}");
            assert_eq!(s.bg, None, "{name}");
            assert_eq!(s.underline_color, None, "{name}");
        }
    }

    #[test]
    fn coloured_themes_set_their_own_background() {
        for make in &ALL[..3] {
            let t = make();
            assert!(t.base.bg.is_some() && t.base.fg.is_some(), "{}", t.name());
        }
    }

    #[test]
    fn meaningful_styles_do_not_rely_on_colour_alone() {
        // Strip the colours: what is left must still tell these apart from plain text.
        for make in ALL {
            let t = make();
            for (name, s) in [
                ("bad", t.bad),
                ("warn", t.warn),
                ("selected", t.selected),
                ("flash", t.flash),
                ("key_hint", t.key_hint),
                ("leader", t.leader),
                ("out_of_isr", t.out_of_isr),
                ("title", t.title),
            ] {
                assert!(!s.add_modifier.is_empty(), "{} {name}", t.name());
            }
        }
    }

    #[test]
    fn from_env_follows_no_color() {
        assert_eq!(Theme::from_no_color(None).kind, ThemeKind::Dark);
        assert_eq!(
            Theme::from_no_color(Some(OsStr::new(""))).kind,
            ThemeKind::Dark
        );
        assert_eq!(
            Theme::from_no_color(Some(OsStr::new("1"))).kind,
            ThemeKind::NoColor
        );
    }

    #[test]
    fn next_cycles_and_no_color_stays() {
        let t = Theme::dark();
        assert_eq!(t.next().name(), "light");
        assert_eq!(t.next().next().name(), "high-contrast");
        assert_eq!(t.next().next().next(), Theme::dark());
        assert_eq!(Theme::no_color().next(), Theme::no_color());
        assert_eq!(Theme::default(), Theme::dark());
    }

    #[test]
    fn parse_round_trips_names() {
        for make in ALL {
            let t = make();
            assert_eq!(Theme::parse(t.name()).unwrap(), t);
        }
        assert_eq!(
            Theme::parse("High_Contrast").unwrap().kind,
            ThemeKind::HighContrast
        );
        let err = Theme::parse("solarized").unwrap_err();
        assert!(
            err.contains("solarized") && err.contains("high-contrast"),
            "{err}"
        );
    }

    #[test]
    fn label_keys_exist() {
        for make in ALL {
            let key = make().label_key();
            assert!(crate::i18n::has(key), "{key}");
        }
    }
}
