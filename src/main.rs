//! `upstwin`: the one binary. Parses the command line and hands each subcommand to its module.

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

/// Exit status of a command whose reader went away, as a shell reports `ls | head` (128 + SIGPIPE).
const CLOSED_PIPE_EXIT: i32 = 141;

/// A reader that closes the pipe early (`upstwin models | head -1`) ends the command quietly,
/// as it ends `ls`, instead of `println!`'s "failed printing to stdout" panic. Rust ignores
/// SIGPIPE so that servers see a closed socket as an error; restoring it would take the
/// unsafe code the workspace forbids, and would kill `serve` and `card` on a closed socket.
fn end_quietly_on_a_closed_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied());
        if message.is_some_and(|m| m.starts_with("failed printing to stdout") && m.contains("Broken pipe")) {
            std::process::exit(CLOSED_PIPE_EXIT);
        }
        report(info);
    }));
}

fn main() -> ExitCode {
    end_quietly_on_a_closed_pipe();
    let cli = cli::Cli::parse();
    // `upstwin` alone is the demo, with the demo's defaults.
    let command = cli.command.or_else(|| cli::Cli::parse_from(["upstwin", "demo"]).command);
    let Some(command) = command else { return ExitCode::FAILURE };
    let result = match command {
        cli::Command::Demo(args) => commands::demo::run(&args),
        cli::Command::Gui(args) => commands::window::run(&args),
        cli::Command::Models { action } => commands::models::run(action),
        cli::Command::Battery { action } => commands::battery::run(action),
        cli::Command::Maps { action } => commands::maps::run(action),
        cli::Command::Simulate(args) => commands::simulate::run(&args),
        cli::Command::Run(args) => commands::run::run(&args),
        cli::Command::Scenario { action } => commands::scenario::run(action),
        cli::Command::Serve(args) => commands::serve::run(&args),
        cli::Command::Fleet(args) => commands::fleet::run(&args),
        cli::Command::Card(args) => commands::card::run(&args),
        cli::Command::Agent(args) => commands::agent::run(&args),
        cli::Command::Inject(args) => commands::control_client::inject(&args),
        cli::Command::Clear(args) => commands::control_client::clear(&args),
        cli::Command::Send(args) => commands::control_client::command(&args),
        cli::Command::Faults { markdown, wire } => commands::faults::faults(markdown, wire),
        cli::Command::Commands { markdown } => commands::faults::commands(markdown),
        cli::Command::Openapi { markdown, fleet } => commands::openapi::run(markdown, fleet),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("upstwin: {}", error.message);
            ExitCode::from(error.exit_code)
        }
    }
}
