//! `upstwin serve`: the twin on the wire in wall-clock time.

use super::{CommandResult, Failure};
use crate::cli::{ParityArg, ServeArgs, TimingArg};
use scenarios::recorded::Start;
use sim::link::pty::{self, Pty};
use sim::link::record::Recording;
use sim::link::rtu::{Line, Speeds, Timing};
use sim::link::trace::Trace;
use sim::link::{SharedTwin, Twin, clock, rtu, tcp};
use sim::{StartOptions, Ups};
use std::time::Duration;
use ups_models::load_model;
use ups_models::model::Parity;

pub fn run(args: &ServeArgs) -> CommandResult {
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
    if !args.pty && args.serial.is_none() && args.tcp.is_none() {
        return Err(Failure::bad_input("nothing to serve on: give --pty, --serial PORT and/or --tcp ADDR"));
    }
    let slave_id = args.slave_id.unwrap_or(loaded.model.serial.slave_id);
    let baud = args.baud.unwrap_or(loaded.model.serial.baud);
    let parity = match args.parity {
        Some(ParityArg::None) => Parity::None,
        Some(ParityArg::Even) => Parity::Even,
        Some(ParityArg::Odd) => Parity::Odd,
        None => loaded.model.serial.parity,
    };
    let trace = match &args.trace {
        Some(path) => {
            Trace::to_file(path).map_err(|e| Failure::failed(format!("{}: {e}", path.display())))?
        }
        None => Trace::in_memory(),
    };
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
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Failure::failed)?;
    runtime.block_on(serve(args, twin, line, slave_id, parity))
}

async fn serve(
    args: &ServeArgs,
    twin: SharedTwin,
    line: Line,
    slave_id: u8,
    parity: Parity,
) -> CommandResult {
    let mut ready = vec![format!("model={}", args.model), format!("slave={slave_id}")];
    let mut tasks = tokio::task::JoinSet::new();
    let pty = if args.pty {
        let pty = Pty::open(args.link.as_deref(), line.baud)
            .map_err(|e| Failure::failed(format!("cannot open a pty: {e}")))?;
        ready.push(format!("pty={}", pty.path.display()));
        if let Some(link) = &args.link {
            ready.push(format!("link={}", link.display()));
        }
        Some(pty)
    } else {
        None
    };
    if let Some(pty) = pty {
        let timing = match args.timing {
            Some(TimingArg::On) => Timing::Emulated(line),
            _ => Timing::Off,
        };
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
    }
    if let Some(path) = args.serial.clone() {
        ready.push(format!("serial={}", path.display()));
        let timing = match args.timing {
            Some(TimingArg::Off) => Timing::Off,
            _ => Timing::Physical(line),
        };
        let twin = twin.clone();
        tasks.spawn(async move {
            loop {
                let builder = tokio_serial::new(path.to_string_lossy(), line.baud).parity(match parity {
                    Parity::None => tokio_serial::Parity::None,
                    Parity::Even => tokio_serial::Parity::Even,
                    Parity::Odd => tokio_serial::Parity::Odd,
                });
                match tokio_serial::SerialStream::open(&builder) {
                    Ok(port) => {
                        if let Err(e) =
                            rtu::serve(port, twin.clone(), timing, "serial", Speeds::unknown(line.baud)).await
                        {
                            eprintln!("upstwin: {}: {e}; reopening", path.display());
                        }
                    }
                    Err(e) => eprintln!("upstwin: {}: {e}; retrying", path.display()),
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }
    if let Some(address) = &args.tcp {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| Failure::bad_input(format!("--tcp {address}: {e}")))?;
        ready.push(format!("tcp={}", listener.local_addr().map_err(Failure::failed)?));
        let twin = twin.clone();
        tasks.spawn(async move {
            if let Err(e) = tcp::serve(listener, twin).await {
                eprintln!("upstwin: tcp: {e}");
            }
        });
    }
    if let Some(address) = &args.control {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| Failure::bad_input(format!("--control {address}: {e}")))?;
        let bound = listener.local_addr().map_err(Failure::failed)?;
        if !bound.ip().is_loopback() && args.token.is_none() {
            return Err(Failure::bad_input(format!(
                "--control {address} is reachable beyond this machine: give --token"
            )));
        }
        ready.push(format!("control=http://{bound}"));
        let router = super::control_api::router(twin.clone(), args.token.clone());
        tasks.spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                eprintln!("upstwin: control: {e}");
            }
        });
    }
    tasks.spawn(clock::run(twin.clone(), args.speed));
    println!("ready {}", ready.join(" "));
    use std::io::Write;
    let _ = std::io::stdout().flush();
    super::until_stopped().await?;
    tasks.shutdown().await;
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
