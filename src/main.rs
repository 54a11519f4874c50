use clap::Parser;
use kafka_flow::cli::{Cli, Command, RunArgs};
use kafka_flow::headless;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    let result = match &cli.command {
        Some(Command::Run(run)) => headless::run(&cli.sim, run, &mut stdout),
        Some(Command::Settings { kafka_version }) => {
            headless::list_settings(kafka_version, &mut stdout)
        }
        // Until the TUI exists, the built-in scenario runs headless.
        None => headless::run(
            &headless::builtin_sim_args(&cli.sim),
            &RunArgs::builtin(),
            &mut stdout,
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kafka-flow: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
