//! `upstwin serve`: the twin on the wire in wall-clock time.

use super::{CommandResult, Failure};
use crate::cli::{ParityArg, ServeArgs, TimingArg};
use link::frame_file::{FrameFile, FrameWriter};
use link::pty::{self, Pty};
use link::rtu::{Line, Speeds, Timing};
use link::{clock, rtu, serial, tcp};
use scenarios::recorded::Start;
use sim::twin::record::Recording;
use sim::twin::{SharedTwin, Twin};
use sim::wire::trace::Trace;
use sim::{StartOptions, Ups};
use std::time::Duration;
use ups_models::load_model;
use ups_models::model::Parity;

/// The twin a `serve` command line describes, and its line.
#[derive(Debug)]
pub struct Prepared {
    pub twin: SharedTwin,
    pub line: Line,
    pub slave_id: u8,
    pub parity: Parity,
    /// The file the frames go to (`--trace`), once its writer is started.
    pub frame_file: Option<FrameFile>,
}

/// Checks the command line and makes the twin it describes.
pub fn prepare(args: &ServeArgs) -> Result<Prepared, Failure> {
    let loaded = load_model(&args.model).map_err(Failure::bad_input)?;
    if !(args.speed.is_finite() && (0.001..=100_000.0).contains(&args.speed)) {
        return Err(Failure::bad_input(format!(
            "--speed must be within 0.001..=100000, found {}",
            args.speed
        )));
    }
    if !(0.0..=10_000.0).contains(&args.turnaround_ms) {
        return Err(Failure::bad_input(format!(
            "--turnaround-ms must be within 0..=10000, found {}",
            args.turnaround_ms
        )));
    }
    let slave_id = args.slave_id.unwrap_or(loaded.model.serial.slave_id);
    let baud = args.baud.unwrap_or(loaded.model.serial.baud);
    let parity = match args.parity {
        Some(ParityArg::None) => Parity::None,
        Some(ParityArg::Even) => Parity::Even,
        Some(ParityArg::Odd) => Parity::Odd,
        None => loaded.model.serial.parity,
    };
    let frame_file = match &args.trace {
        Some(path) => {
            Some(FrameFile::create(path).map_err(|e| Failure::failed(format!("{}: {e}", path.display())))?)
        }
        None => None,
    };
    let trace = if frame_file.is_some() { Trace::queued() } else { Trace::in_memory() };
    let options = StartOptions { load_pct: args.load_pct, ..StartOptions::default() };
    let mut twin = Twin::new(Ups::new(&loaded, args.seed, &options), &loaded, slave_id, args.seed, trace);
    twin.recording = args.record.as_ref().map(|_| Recording::default());
    let twin = SharedTwin::new(twin);
    let line = Line {
        baud,
        parity: parity != Parity::None,
        stop_bits: 1,
        turnaround: Duration::from_secs_f64(args.turnaround_ms / 1000.0),
    };
    Ok(Prepared { twin, line, slave_id, parity, frame_file })
}

pub fn run(args: &ServeArgs) -> CommandResult {
    if !args.pty && args.serial.is_none() && args.tcp.is_none() {
        return Err(Failure::bad_input("nothing to serve on: give --pty, --serial PORT and/or --tcp ADDR"));
    }
    let prepared = prepare(args)?;
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Failure::failed)?;
    runtime.block_on(serve(args, prepared))
}

/// Serves Modbus RTU on a new pty pair (and the symlink `link` to it) for as long as
/// `tasks` runs; the pty's path, for the peer to open.
pub fn spawn_pty(
    twin: &SharedTwin,
    line: Line,
    timing: Timing,
    link: Option<&std::path::Path>,
    tasks: &mut tokio::task::JoinSet<()>,
) -> Result<std::path::PathBuf, Failure> {
    let pty = Pty::open(link, line.baud).map_err(|e| Failure::failed(format!("cannot open a pty: {e}")))?;
    let path = pty.path.clone();
    let twin = twin.clone();
    let speeds = Speeds { ups_baud: line.baud, far_baud: pty::slave_baud };
    tasks.spawn(async move {
        let mut pty = pty;
        loop {
            // The slave side stays open in `pty`, so the master only fails on real I/O
            // trouble; serve again after a pause rather than exit.
            if let Err(e) = rtu::serve(&mut pty.master, twin.clone(), timing, "pty", speeds).await {
                eprintln!("upstwin: pty: {e}; serving again");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    });
    Ok(path)
}

/// Serves Modbus TCP at `address`; the address bound.
pub async fn spawn_tcp(
    address: &str,
    twin: &SharedTwin,
    limits: tcp::Limits,
    tasks: &mut tokio::task::JoinSet<()>,
) -> Result<std::net::SocketAddr, Failure> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| Failure::bad_input(format!("--tcp {address}: {e}")))?;
    let bound = listener.local_addr().map_err(Failure::failed)?;
    let twin = twin.clone();
    tasks.spawn(tcp::serve(listener, twin, limits));
    Ok(bound)
}

/// `--tcp-max-clients` and `--tcp-idle-s` as limits; a negative or endless idle time refused.
fn tcp_limits(args: &ServeArgs) -> Result<tcp::Limits, Failure> {
    let idle = match args.tcp_idle_s {
        0.0 => None,
        s if s.is_finite() && s > 0.0 => Some(std::time::Duration::from_secs_f64(s)),
        s => return Err(Failure::bad_input(format!("--tcp-idle-s {s}: seconds above 0, or 0 for never"))),
    };
    Ok(tcp::Limits { max_clients: args.tcp_max_clients as usize, idle })
}

/// Serves the control API at `address`, behind `token` if given (required beyond
/// loopback); the address bound.
pub async fn spawn_control(
    address: &str,
    twin: &SharedTwin,
    token: Option<String>,
    tasks: &mut tokio::task::JoinSet<()>,
) -> Result<std::net::SocketAddr, Failure> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| Failure::bad_input(format!("--control {address}: {e}")))?;
    let bound = listener.local_addr().map_err(Failure::failed)?;
    if !bound.ip().is_loopback() && token.is_none() {
        return Err(Failure::bad_input(format!(
            "--control {address} is reachable beyond this machine: give --token"
        )));
    }
    let router = super::control_api::router(twin.clone(), token);
    tasks.spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            eprintln!("upstwin: control: {e}");
        }
    });
    Ok(bound)
}

async fn serve(args: &ServeArgs, prepared: Prepared) -> CommandResult {
    let Prepared { twin, line, slave_id, parity, frame_file } = prepared;
    let writer: Option<FrameWriter> = frame_file.map(|file| file.spawn(twin.clone()));
    let mut ready = vec![format!("model={}", args.model), format!("slave={slave_id}")];
    let mut tasks = tokio::task::JoinSet::new();
    if args.pty {
        let timing = match args.timing {
            Some(TimingArg::On) => Timing::Emulated(line),
            _ => Timing::Off,
        };
        let path = spawn_pty(&twin, line, timing, args.link.as_deref(), &mut tasks)?;
        ready.push(format!("pty={}", path.display()));
        if let Some(link) = &args.link {
            ready.push(format!("link={}", link.display()));
        }
    }
    if let Some(path) = args.serial.clone() {
        ready.push(format!("serial={}", path.display()));
        let timing = match args.timing {
            Some(TimingArg::Off) => Timing::Off,
            _ => Timing::Physical(line),
        };
        tasks.spawn(serial::serve(path, line.baud, parity, twin.clone(), timing));
    }
    if let Some(address) = &args.tcp {
        let limits = tcp_limits(args)?;
        ready.push(format!("tcp={}", spawn_tcp(address, &twin, limits, &mut tasks).await?));
    }
    if let Some(address) = &args.control {
        let bound = spawn_control(address, &twin, args.token.clone(), &mut tasks).await?;
        ready.push(format!("control=http://{bound}"));
    }
    tasks.spawn(clock::run(twin.clone(), args.speed));
    println!("ready {}", ready.join(" "));
    use std::io::Write;
    let _ = std::io::stdout().flush();
    super::until_stopped().await?;
    tasks.shutdown().await;
    if let Some(writer) = writer {
        writer.finish().await;
    }
    if let Some(path) = &args.record {
        write_recording(path, &twin, args)?;
    }
    // Whoever read the ready line may be gone by now; a closed stdout is no error.
    let _ = writeln!(std::io::stdout(), "stopped");
    Ok(())
}

/// Writes the session as a scenario (`--record`).
fn write_recording(path: &std::path::Path, twin: &SharedTwin, args: &ServeArgs) -> CommandResult {
    let guard = twin.lock();
    let recording = guard.recording.clone().unwrap_or_default();
    let start = Start { model: &args.model, seed: args.seed, load_pct: args.load_pct };
    let text = scenarios::recorded::scenario(&recording, &start, guard.ups.time_s());
    std::fs::write(path, text).map_err(|e| Failure::failed(format!("{}: {e}", path.display())))
}
