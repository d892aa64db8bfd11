//! mbpoll, a real Modbus master, as the tests drive it.

use std::process::Command;

pub const MBPOLL: &str = "/usr/bin/mbpoll";

#[derive(Clone, Copy)]
pub enum Target<'a> {
    Rtu {
        path: &'a str,
        baud: u32,
    },
    Tcp {
        port: &'a str,
    },
    /// Modbus TCP at another address (a fleet device).
    TcpHost {
        host: &'a str,
        port: &'a str,
    },
}

/// mbpoll aimed at `target`.
fn mbpoll(target: Target) -> Command {
    let mut command = Command::new(MBPOLL);
    match target {
        Target::Rtu { path, baud } => {
            command.args(["-m", "rtu", "-b", &baud.to_string(), "-P", "none", "-o", "2"]).arg(path);
        }
        Target::Tcp { port } => {
            command.args(["-m", "tcp", "-p", port, "127.0.0.1"]);
        }
        Target::TcpHost { host, port } => {
            command.args(["-m", "tcp", "-p", port, host]);
        }
    }
    command
}

/// Reads holding registers with mbpoll; `Err` carries mbpoll's complaint.
pub fn read(target: Target, address: u16, count: u16) -> Result<Vec<u16>, String> {
    let mut command = mbpoll(target);
    command.args([
        "-a",
        "1",
        "-t",
        "4:hex",
        "-0",
        "-1",
        "-r",
        &address.to_string(),
        "-c",
        &count.to_string(),
    ]);
    let output = command.output().expect("mbpoll runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let words: Vec<u16> = stdout
        .lines()
        .filter_map(|line| line.split_once("]:"))
        .filter_map(|(_, value)| u16::from_str_radix(value.trim().trim_start_matches("0x"), 16).ok())
        .collect();
    if output.status.success() && words.len() == usize::from(count) {
        Ok(words)
    } else {
        Err(format!("{stdout}{}", String::from_utf8_lossy(&output.stderr)))
    }
}

/// Writes one holding register (function 06) with mbpoll, verbose: `Err` carries what it
/// said, with the frames it sent and received (`<86><01>`: exception 01 to function 06).
pub fn write(target: Target, address: u16, value: u16) -> Result<(), String> {
    let output = mbpoll(target)
        .args(["-v", "-a", "1", "-t", "4", "-0", "-1", "-r"])
        .arg(address.to_string())
        .arg(value.to_string())
        .output()
        .expect("mbpoll runs");
    let said =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    if output.status.success() && !said.contains("failed") { Ok(()) } else { Err(said) }
}
