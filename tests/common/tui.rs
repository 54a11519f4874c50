//! Apps for the TUI tests: the notes' loop with keys `hello{i}`, seed 42, the dark theme,
//! running at 1× (each tick advances its own wall time of virtual time).

use kafka_flow::app::App;
use kafka_flow::i18n::Lang;
use kafka_flow::sim::Config;
use kafka_flow::sim::workload::{Template, Workload};
use kafka_flow::ui::theme::Theme;

pub fn keyed_app(cfg: Config, records: u64, rate: f64, lang: Lang) -> App {
    let w = Workload {
        records,
        rate,
        key: Some(Template::parse("hello{i}").expect("a template")),
        ..Workload::notes_loop(records)
    };
    let mut app = App::with(cfg, w, 42, lang, Theme::dark()).expect("the app starts");
    assert!(app.set_speed(1.0));
    app
}
