use clap::Parser as _;
use kafka_flow::app::{App, AppOptions};
use kafka_flow::cli::{Cli, Command};
use kafka_flow::course;
use kafka_flow::headless::{self, CliError, output_error};
use kafka_flow::i18n::Lang;
use kafka_flow::lesson::Lesson;
use kafka_flow::scenario::WorkloadSpec;
use kafka_flow::scenarios;
use kafka_flow::tui;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match parse_cli() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    if let Some(why) = listen_refused(&cli) {
        return fail(&CliError::BadInput(why.to_string()));
    }
    let result = match &cli.command {
        Some(Command::Run(run)) => match &cli.sim.scenario {
            Some(name) => scenarios::find(name)
                .map_err(CliError::BadInput)
                .and_then(|file| {
                    headless::run_scenario(
                        &file,
                        &cli.sim.world(),
                        &run.options(),
                        &mut std::io::stdout().lock(),
                    )
                }),
            None => headless::run(
                &cli.sim.world(),
                &run.workload(),
                &run.options(),
                &mut std::io::stdout().lock(),
            ),
        },
        Some(Command::Compare(args)) => kafka_flow::compare::compare(
            &cli.sim.world(),
            cli.sim.scenario.as_deref(),
            &args.workload(),
            &kafka_flow::compare::Sides {
                a: args.a.clone(),
                b: args.b.clone(),
            },
            &args.options(),
            &mut std::io::stdout().lock(),
        ),
        // A scenario file brings its own workload and commands; a sweep takes run's options.
        Some(Command::Sweep(args)) => match cli.sim.scenario {
            Some(_) => Err(CliError::BadInput(
                "sweep does not take --scenario: give the workload with run's options".to_string(),
            )),
            None => kafka_flow::sweep::sweep(
                &cli.sim.world(),
                &args.workload(),
                &args.options(),
                &mut std::io::stdout().lock(),
            ),
        },
        Some(Command::Serve(args)) => serve(&cli, args),
        Some(Command::Scenarios) => headless::list_scenarios(
            cli.lang.unwrap_or_else(Lang::from_env),
            &mut std::io::stdout().lock(),
        ),
        Some(Command::Settings { kafka_version }) => {
            headless::list_settings(kafka_version, &mut std::io::stdout().lock())
        }
        Some(Command::Lessons { dir }) => course::list(
            dir.as_deref(),
            cli.lang.unwrap_or_else(Lang::from_env),
            &mut std::io::stdout().lock(),
            &mut std::io::stderr(),
        ),
        Some(Command::Lesson(args)) if args.what == "check" => course::check(
            args.file.as_deref(),
            args.all,
            args.dir.as_deref(),
            &mut std::io::stdout().lock(),
        ),
        Some(Command::Lesson(args)) => {
            match course::find(&args.what, args.dir.as_deref(), &mut std::io::stderr()) {
                Ok(lesson) => return run_lesson(&cli, lesson),
                Err(e) => Err(e),
            }
        }
        // A pipe or a file cannot show a TUI (and raw mode would fail on it): print what
        // the built-in scenario does instead, so `kafka-flow | less` is still useful. The
        // note comes after the run so that bad input still gets exactly one line.
        None if !std::io::stdout().is_terminal() => builtin_summary(&cli)
            .and_then(|()| flush_stdout())
            .inspect(|()| {
                note(if cli.sim.scenario.is_some() {
                    "the TUI needs a terminal; printed the scenario's summary instead"
                } else {
                    "the TUI needs a terminal; printed the built-in scenario's summary instead"
                });
            }),
        None => return run_tui(&cli),
    };
    // Output still buffered must reach the file or pipe too: a full disk or a closed pipe is
    // a failure, not a silent success. The command's own error, if any, is the one to show.
    match result.and_then(|()| flush_stdout()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Why `--listen` cannot go with what else the command line asks, if it cannot: the
/// listeners live in the TUI's sandbox, whose clock follows the wall clock.
fn listen_refused(cli: &Cli) -> Option<&'static str> {
    let lesson_listens = matches!(&cli.command, Some(Command::Lesson(a)) if a.listen.is_some());
    if lesson_listens || (cli.listen.is_some() && matches!(cli.command, Some(Command::Lesson(_)))) {
        return Some(
            "--listen is not for lessons: a lesson's clock, pauses and questions are its own (use `kafka-flow --listen HOST:PORT`)",
        );
    }
    cli.listen.as_ref()?;
    if matches!(cli.command, Some(Command::Serve(_))) {
        return Some(
            "give `serve` its address after the command: `kafka-flow serve --listen HOST:PORT`",
        );
    }
    if cli.command.is_some() {
        return Some(
            "--listen opens the terminal UI: it takes no command (`kafka-flow --listen HOST:PORT`)",
        );
    }
    if cli.sim.scenario.is_some() {
        return Some(
            "--listen does not take --scenario: a scenario's story pauses and rewinds, live time cannot",
        );
    }
    if !std::io::stdout().is_terminal() {
        return Some(
            "--listen needs a terminal for the TUI; `kafka-flow serve` serves real clients headless",
        );
    }
    None
}

/// `kafka-flow serve`: the world the options describe, with no simulated consumer unless
/// `--set consumers=N` asks for one, served to real clients until `quit` or a signal.
fn serve(cli: &Cli, args: &kafka_flow::cli::ServeArgs) -> Result<(), CliError> {
    let mut world = cli.sim.world();
    world.set.insert(0, "consumers=0".to_string());
    let workload = WorkloadSpec {
        records: args.records,
        rate: args.rate,
        key: args.key.clone(),
        value: args.value.clone(),
        ..WorkloadSpec::notes_loop()
    };
    let scenario = headless::scenario(&world, &workload, &args.fault)?;
    let sim = scenario.build().map_err(CliError::BadInput)?;
    let listen = kafka_flow::serve::parse_listen(&args.listen).map_err(CliError::BadInput)?;
    let opts = kafka_flow::serve::ServeOptions {
        listen,
        topic: args.topic.clone(),
        lang: cli.lang.unwrap_or_else(Lang::from_env),
    };
    kafka_flow::serve::serve(sim, &opts, Box::new(std::io::stdout())).map_err(CliError::Io)
}

/// The command line, or the exit code when clap has answered already: `--help` and
/// `--version` print to stdout (and a failed write is reported, which `Cli::parse` would
/// swallow), usage errors print to stderr with exit code 2.
fn parse_cli() -> Result<Cli, ExitCode> {
    let e = match Cli::try_parse() {
        Ok(cli) => return Ok(cli),
        Err(e) => e,
    };
    if e.use_stderr() {
        // Nowhere else to report a failure to write the usage error itself.
        let _ = e.print();
        return Err(ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)));
    }
    match e
        .print()
        .map_err(|err| output_error(&err))
        .and_then(|()| flush_stdout())
    {
        Ok(()) => Err(ExitCode::SUCCESS),
        Err(err) => Err(fail(&err)),
    }
}

/// The built-in scenario's (or `--scenario`'s) headless summary: what a pipe gets instead
/// of the TUI.
fn builtin_summary(cli: &Cli) -> Result<(), CliError> {
    let world = cli.sim.world();
    if let Some(name) = &cli.sim.scenario {
        let file = scenarios::find(name).map_err(CliError::BadInput)?;
        return headless::run_scenario(
            &file,
            &world,
            &headless::RunOptions::default(),
            &mut std::io::stdout().lock(),
        );
    }
    headless::run(
        &world.builtin(),
        &WorkloadSpec::notes_loop(),
        &headless::RunOptions::default(),
        &mut std::io::stdout().lock(),
    )
}

fn flush_stdout() -> Result<(), CliError> {
    std::io::stdout().flush().map_err(|e| output_error(&e))
}

/// A line on stderr; `eprintln!` would panic if stderr itself cannot be written.
fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "kafka-flow: {text}");
}

fn run_tui(cli: &Cli) -> ExitCode {
    let opts = AppOptions {
        world: cli.sim.world(),
        lang: cli.lang,
    };
    if let Some(listen) = &cli.listen {
        return match listening_app(cli, &opts, listen) {
            Ok(app) => run_app(app),
            Err(e) => fail(&e),
        };
    }
    // Bad settings and scenario files are reported before the terminal is touched.
    let app = match &cli.sim.scenario {
        Some(name) => scenarios::find(name)
            .map_err(CliError::BadInput)
            .and_then(|file| {
                App::for_scenario(&file, &opts.world, cli.lang.unwrap_or_else(Lang::from_env))
            }),
        None => App::new(&opts),
    };
    match app {
        Ok(app) => run_app(app),
        Err(e) => fail(&e),
    }
}

/// `kafka-flow --listen HOST:PORT`: the sandbox without the simulated producer and
/// consumers (as `serve`), listeners bound before the terminal is touched.
fn listening_app(cli: &Cli, opts: &AppOptions, listen: &str) -> Result<App, CliError> {
    let addr = kafka_flow::serve::parse_listen(listen).map_err(CliError::BadInput)?;
    let mut app = App::for_listening(opts)?;
    let serve = kafka_flow::serve::ServeOptions {
        listen: addr,
        topic: cli.topic.clone(),
        lang: app.lang,
    };
    app.listen(&serve, true).map_err(CliError::Io)?;
    Ok(app)
}

fn run_app(app: App) -> ExitCode {
    match tui::run(app) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The terminal is restored by now; `{:#}` keeps the cause chain on one line.
            note(&format!("{e:#}"));
            ExitCode::FAILURE
        }
    }
}

/// Opens a lesson in the TUI (or, without a terminal, says how to check it headless).
fn run_lesson(cli: &Cli, lesson: Lesson) -> ExitCode {
    if !std::io::stdout().is_terminal() {
        note(&format!(
            "lessons run in the TUI, which needs a terminal; `kafka-flow lesson check {}` checks it headless",
            lesson.source
        ));
        return ExitCode::from(2);
    }
    let lang = cli.lang.unwrap_or_else(Lang::from_env);
    match App::for_lesson(lesson, lang) {
        Ok(app) => run_app(app),
        Err(e) => fail(&e),
    }
}

fn fail(e: &CliError) -> ExitCode {
    note(&e.to_string());
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
}
