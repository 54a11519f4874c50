//! Rendering: pure functions of `&App` into a ratatui `Frame`.

pub mod glyphs;
pub mod i18n;
pub mod theme;

use crate::app::App;
use ratatui::Frame;
use ratatui::widgets::Paragraph;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    frame.render_widget(
        Paragraph::new(format!("kafka-flow · {}", app.sim.now())),
        frame.area(),
    );
}
