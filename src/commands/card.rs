//! `upstwin card`: the reference card standalone on the system clock — finds the UPS's map,
//! polls it, serves the REST API, says `ready` once the first poll succeeded, and stops on
//! Ctrl-C or SIGTERM.

use super::{CommandResult, Failure};
use crate::cli::CardArgs;
use card::link::{Link, Master};
use card::poller::{PollConfig, PollEvent};
use card::run::{self, Snapshot};
use std::io::Write;
use std::time::{Duration, Instant};

pub fn run(args: &CardArgs) -> CommandResult {
    if !(args.polling_s > 0.0 && args.polling_s.is_finite()) {
        return Err(Failure::bad_input("--polling-s must be a number of seconds above 0"));
    }
    if !(args.lost_after_s >= args.polling_s && args.lost_after_s.is_finite()) {
        return Err(Failure::bad_input("--lost-after-s must be at least the polling period"));
    }
    let link = match (&args.port, args.tcp) {
        (Some(path), None) => Link::Serial { path: path.clone(), baud: args.baud },
        (None, Some(address)) => Link::Tcp(address),
        _ => return Err(Failure::bad_input("give --port or --tcp")),
    };
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Failure::failed)?;
    runtime.block_on(card(args, link))
}

/// One line on stdout, flushed (a test or a script may be waiting for it); a closed stdout
/// is no error.
fn say(line: &str) {
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

async fn card(args: &CardArgs, link: Link) -> CommandResult {
    let started = Instant::now();
    let where_ = link.to_string();
    let shared = run::shared(where_.clone());
    let listener = tokio::net::TcpListener::bind(args.http)
        .await
        .map_err(|e| Failure::failed(format!("cannot serve HTTP on {}: {e}", args.http)))?;
    let http = listener.local_addr().map_err(Failure::failed)?;
    let mut tasks = tokio::task::JoinSet::new();
    let router = card::api::router(shared.clone());
    tasks.spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            eprintln!("upstwin card: http: {e}");
        }
    });
    let config = PollConfig { period_s: args.polling_s, lost_after_s: args.lost_after_s };
    let slave = args.slave;
    tasks.spawn(async move {
        let mut master = Master::new(link, slave);
        let mut complained = false;
        let map = loop {
            if let Some(map) = run::detect(&mut master).await {
                break map;
            }
            if !complained && started.elapsed().as_secs_f64() >= config.lost_after_s {
                say(&format!(
                    "the UPS does not answer on {where_} (slave {slave}; tried the JBUSP and VU-MAP identification tables); still trying"
                ));
                complained = true;
            }
            tokio::time::sleep(Duration::from_secs_f64(config.period_s)).await;
        };
        let on_event = move |event: PollEvent, snapshot: &Snapshot| match event {
            PollEvent::FirstPoll => {
                let database = &snapshot.database;
                let ups = match (&database.reference, &database.serial_number) {
                    (Some(reference), _) => reference.clone(),
                    (None, Some(serial)) => format!("UPS {serial}"),
                    (None, None) => "UPS".to_string(),
                };
                say(&format!("ready: {ups} ({}) on {}, API http://{http}/api/status", snapshot.map, snapshot.link))
            }
            PollEvent::CommLost => say("UPS communication lost"),
            PollEvent::CommRestored => say("UPS communication restored"),
            PollEvent::Cycle => {}
        };
        run::poll(master, map, config, started, shared, on_event).await;
    });
    super::until_stopped().await?;
    tasks.shutdown().await;
    say("stopped");
    Ok(())
}
