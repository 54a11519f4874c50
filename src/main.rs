use clap::Parser;
use kafka_flow::app::{App, AppOptions};
use kafka_flow::cli::{Cli, Command, RunArgs};
use kafka_flow::course;
use kafka_flow::headless::{self, CliError};
use kafka_flow::lesson::Lesson;
use kafka_flow::tui;
use kafka_flow::ui::i18n::Lang;
use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(Command::Run(run)) => headless::run(&cli.sim, run, &mut std::io::stdout().lock()),
        Some(Command::Settings { kafka_version }) => {
            headless::list_settings(kafka_version, &mut std::io::stdout().lock())
        }
        Some(Command::Lessons { dir }) => course::list(
            dir.as_deref(),
            cli.lang.unwrap_or_else(Lang::from_env),
            &mut std::io::stdout().lock(),
        ),
        Some(Command::Lesson(args)) if args.what == "check" => course::check(
            args.file.as_deref(),
            args.all,
            args.dir.as_deref(),
            &mut std::io::stdout().lock(),
        ),
        Some(Command::Lesson(args)) => match course::find(&args.what, args.dir.as_deref()) {
            Ok(lesson) => return run_lesson(&cli, lesson),
            Err(e) => Err(e),
        },
        // A pipe or a file cannot show a TUI (and raw mode would fail on it): print what
        // the built-in scenario does instead, so `kafka-flow | less` is still useful. The
        // note comes after the run so that bad input still gets exactly one line.
        None if !std::io::stdout().is_terminal() => headless::run(
            &headless::builtin_sim_args(&cli.sim),
            &RunArgs::builtin(),
            &mut std::io::stdout().lock(),
        )
        .inspect(|()| {
            eprintln!(
                "kafka-flow: the TUI needs a terminal; printed the built-in scenario's summary instead"
            );
        }),
        None => return run_tui(&cli),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn run_tui(cli: &Cli) -> ExitCode {
    let opts = AppOptions {
        sim: cli.sim.clone(),
        lang: cli.lang,
    };
    // Bad settings are reported before the terminal is touched.
    match App::new(&opts) {
        Ok(app) => run_app(app),
        Err(e) => fail(&e),
    }
}

fn run_app(app: App) -> ExitCode {
    match tui::run(app) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The terminal is restored by now; `{:#}` keeps the cause chain on one line.
            eprintln!("kafka-flow: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Opens a lesson in the TUI (or, without a terminal, says how to check it headless).
fn run_lesson(cli: &Cli, lesson: Lesson) -> ExitCode {
    if !std::io::stdout().is_terminal() {
        eprintln!(
            "kafka-flow: lessons run in the TUI, which needs a terminal; `kafka-flow lesson check {}` checks it headless",
            lesson.source
        );
        return ExitCode::from(2);
    }
    let lang = cli.lang.unwrap_or_else(Lang::from_env);
    match App::for_lesson(lesson, lang) {
        Ok(app) => run_app(app),
        Err(e) => fail(&e),
    }
}

fn fail(e: &CliError) -> ExitCode {
    eprintln!("kafka-flow: {e}");
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
}
