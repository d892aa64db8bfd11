//! One module per subcommand. Each returns a [`Failure`] that `main` prints on stderr.

pub mod agent;
pub mod battery;
pub mod card;
pub mod control_api;
pub mod control_client;
pub mod demo;
pub mod faults;
pub mod fleet;
pub mod maps;
pub mod models;
pub mod observers;
pub mod openapi;
pub mod run;
pub mod run_exec;
pub mod run_reference;
pub mod scenario;
pub mod serve;
pub mod simulate;
pub mod unclaimed_ports;
pub mod window;

/// Why a command failed, and the exit code: 2 for bad input (a file, an argument), 1 for
/// anything else.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub exit_code: u8,
}

impl Failure {
    pub fn bad_input(message: impl std::fmt::Display) -> Self {
        Self { message: message.to_string(), exit_code: 2 }
    }

    pub fn failed(message: impl std::fmt::Display) -> Self {
        Self { message: message.to_string(), exit_code: 1 }
    }
}

pub type CommandResult = Result<(), Failure>;

/// Waits for Ctrl-C or SIGTERM: how the long-running commands (`serve`, `card`) are stopped.
pub async fn until_stopped() -> CommandResult {
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).map_err(Failure::failed)?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.map_err(Failure::failed),
        _ = terminate.recv() => Ok(()),
    }
}
