//! Renders the TUI into a text buffer at a fixed virtual time (a look without a terminal):
//! `cargo run --example render -- WIDTH HEIGHT WALL_MS SPEED [LESSON]`.
use kafka_flow::app::{App, AppOptions};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let w: u16 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(160);
    let h: u16 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(48);
    // Wall milliseconds to run, and the speed (virtual seconds per wall second).
    let ms: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3_500);
    let speed: f64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(0.0005);
    // An optional fifth argument opens that lesson instead of the sandbox.
    let mut app = match args.get(5) {
        Some(n) => {
            let lesson =
                kafka_flow::course::find(n, None, &mut std::io::stderr()).expect("a lesson");
            App::for_lesson(lesson, kafka_flow::i18n::Lang::En).expect("app")
        }
        None => App::new(&AppOptions::default()).expect("app"),
    };
    if !app.set_speed(speed) {
        eprintln!(
            "{speed}× is not a speed preset; running at {}×",
            app.speed_factor()
        );
    }
    let frames = ms * 30 / 1000;
    for _ in 0..frames {
        app.on_tick(std::time::Duration::from_millis(33));
    }
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| kafka_flow::ui::draw(f, &app)).unwrap();
    let buf = term.backend().buffer();
    for y in 0..h {
        let mut line = String::new();
        for x in 0..w {
            line.push_str(buf[(x, y)].symbol());
        }
        println!("{}", line.trim_end());
    }
}
