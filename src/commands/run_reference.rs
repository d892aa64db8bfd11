//! `--card reference`: the scenario against our own card stack, in-process, in virtual time.
//! One tokio runtime on a paused clock runs the twin's stepping, the twin's RTU slave and the
//! card's poller; they talk over an in-memory serial line carrying real RTU frames timed as
//! on a wire at the model's baud rate. The card's REST API is called in-process for `api:`
//! expectations, `reports: (read: Http(…))` and card actions. No socket is opened: a real
//! socket would let the paused clock jump while a request is in flight. For the same reason
//! the card's mails, syslog messages and magic packets come through memory: the same bytes,
//! decoded by the same observers as `exec:` mode's, timed in virtual time.

use super::observers;
use super::observers::reported::number_in;
use super::observers::smtp::Mailbox;
use axum::Router;
use axum::body::Body;
use card::clock::Clock;
use card::config::Config;
use card::link::{Line, Link};
use card::outlet::Outlet;
use card::poller::PollEvent;
use card::stack::Stack;
use link::frame_file::FrameFile;
use link::rtu::{self, Timing};
use scenarios::compile::{Check, Compiled};
use scenarios::format::Read;
use scenarios::replay::{Heard, Replay};
use scenarios::report::Report;
use scenarios::trace::TraceFile;
use sim::twin::{SharedTwin, Twin};
use sim::wire::trace::Trace;
use std::path::Path;
use std::time::Duration;
use tower::ServiceExt;

/// How often (virtual time) open `api:`, `reports:` and observer expectations are looked at.
const PROBE_EVERY_S: f64 = 1.0;
/// Time the twin takes to start a reply, as `upstwin serve` assumes by default.
const TURNAROUND: Duration = Duration::from_millis(2);
/// Largest API answer read (a whole log as JSON).
const BODY_LIMIT: usize = 16 << 20;

/// Runs the scenario with the reference card; with `out`, writes there `trace.csv`,
/// `timeline.txt`, `report.html`, `frames.pcap` and the card's logs under `card/`.
pub fn run(scenario: &Compiled, out: Option<&Path>) -> Report {
    let wall = std::time::Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build();
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(e) => return Report::not_run(&scenario.name, &scenario.path, format!("no runtime: {e}")),
    };
    let temp;
    let card_dir = match out {
        // A fresh card: logs of an earlier run into the same directory are not this run's.
        Some(dir) => match std::fs::remove_dir_all(dir.join("card")) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                let why = format!("cannot clear {}: {e}", dir.join("card").display());
                return Report::not_run(&scenario.name, &scenario.path, why);
            }
            _ => dir.join("card"),
        },
        None => match tempfile::Builder::new().prefix("upstwin-card-").tempdir() {
            Ok(dir) => {
                temp = dir;
                temp.path().to_path_buf()
            }
            Err(e) => {
                return Report::not_run(
                    &scenario.name,
                    &scenario.path,
                    format!("no temporary directory: {e}"),
                );
            }
        },
    };
    let mut report = runtime.block_on(co_simulate(scenario, out, &card_dir));
    report.wall_s = wall.elapsed().as_secs_f64();
    if let Some(dir) = out {
        report.write_reports(dir);
    }
    report
}

async fn co_simulate(scenario: &Compiled, out: Option<&Path>, card_dir: &Path) -> Report {
    let serial = &scenario.model.model.serial;
    let mut replay = Replay::new(scenario);
    let mut output_errors = Vec::new();
    let frames = out.and_then(|dir| {
        FrameFile::create(&dir.join("frames.pcap"))
            .map_err(|e| output_errors.push(format!("frames.pcap: {e}")))
            .ok()
    });
    let trace = if frames.is_some() { Trace::queued() } else { Trace::in_memory() };
    let ups = scenario.start_ups();
    let epoch_s = ups.clock_epoch_s();
    let twin = SharedTwin::new(Twin::new(ups, &scenario.model, serial.slave_id, scenario.seed, trace));
    let frames = frames.map(|frames| frames.spawn(twin.clone()));
    let mut signals = TraceFile::open(out, &scenario.model.flags);

    // The line: every connection the card opens is served by the twin's RTU slave.
    let line = rtu::Line {
        baud: serial.baud,
        parity: serial.parity != ups_models::model::Parity::None,
        stop_bits: 1,
        turnaround: TURNAROUND,
    };
    let (far_ends, mut connections) = tokio::sync::mpsc::unbounded_channel();
    let line_twin = twin.clone();
    tokio::spawn(async move {
        while let Some((card_baud, far_end)) = connections.recv().await {
            // A connection ends when the card drops it (after a failed read): no error to keep.
            let speeds = rtu::Speeds { ups_baud: line.baud, far_baud: move |_: &_| Some(card_baud) };
            tokio::spawn(rtu::serve(far_end, line_twin.clone(), Timing::Simulated(line), "line", speeds));
        }
    });

    // The card out of the box (it finds the UPS's speed), on the twin's virtual clock,
    // starting at the UPS clock's date.
    let clock = Clock::starting_at(epoch_s);
    let mut config = match &scenario.card_settings {
        Some(path) => match Config::load(path) {
            Ok(config) => config,
            Err(e) => {
                replay.fail("the card runs".into(), format!("its settings: {e}"));
                return replay.finish(0.0, 0.0);
            }
        },
        None => Config::default(),
    };
    config.serial.slave = serial.slave_id;
    let link = Link::InProcess(Line { baud: config.serial.baud, far_ends });
    // What the card sends reaches the observers in virtual time, through memory.
    let (outlet, mut outgoing) = tokio::sync::mpsc::unbounded_channel();
    let assembled = match Stack::new(link, clock, config, card_dir).outlet(Outlet::Memory(outlet)).build() {
        Ok(assembled) => assembled,
        Err(e) => {
            replay
                .fail("the card runs".into(), format!("cannot keep its logs in {}: {e}", card_dir.display()));
            return replay.finish(0.0, 0.0);
        }
    };
    let mut services = tokio::task::JoinSet::new();
    let (events_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let site = assembled.start(&mut services, move |event, _| {
        let _ = events_tx.send(event);
    });
    let shared = site.card.clone();
    // No SNMP agent here: the traps go out without one, through the outlet.
    services.spawn(card::snmp::traps::send_without_agent(shared.clone()));
    let router = card::web::api::in_process(site);
    let mailbox = Mailbox::new(observers::Inbox::default(), out.unwrap_or(card_dir));
    let mut received: Vec<(f64, Heard)> = Vec::new();
    fail_probes(&mut replay, scenario);

    let steps = (scenario.duration_s / scenario.dt_s).round() as u64;
    let start = tokio::time::Instant::now();
    let mut next_probe_s = 0.0;
    for step in 0..steps {
        let (now_s, actions) = {
            let mut guard = twin.lock();
            let Twin { ups, wire, .. } = &mut *guard;
            replay.fire_due(ups, Some(wire));
            (ups.time_s(), replay.take_card_actions())
        };
        // What the card holds as windows open, before this step's actions log anything.
        for (index, path) in replay.opening_api_checks(now_s) {
            let answer = call(&router, "GET", &path, "").await;
            replay.api_baseline(index, answer);
        }
        for (index, request) in actions {
            let answer = match call(&router, request.method, &request.path, &request.body).await {
                Ok((status, body)) if (200..300).contains(&status) => Ok(format!("{status} {}", body.trim())),
                Ok((status, body)) => Err(format!("the card answered {status}: {}", body.trim())),
                Err(why) => Err(why),
            };
            replay.card_answered(index, now_s, answer);
        }
        // The card and the line run up to the end of this step against the twin as it is.
        tokio::time::sleep_until(start + Duration::from_secs_f64((step + 1) as f64 * scenario.dt_s)).await;
        let now_s = {
            let mut guard = twin.lock();
            guard.ups.step(scenario.dt_s);
            replay.observe(&guard.ups);
            signals.sample(&guard.ups);
            guard.ups.time_s()
        };
        while let Ok(event) = events.try_recv() {
            note_card_event(&mut replay, now_s, event);
        }
        while let Ok(message) = outgoing.try_recv() {
            observers::heard(message, &mailbox);
        }
        let heard: Vec<(f64, Heard)> = {
            let mut inbox = mailbox.inbox.lock().unwrap_or_else(|p| p.into_inner());
            inbox.drain(..).map(|(_, heard)| (now_s, heard)).collect()
        };
        if !heard.is_empty() {
            replay.observed(&heard, now_s);
            received.extend(heard);
        }
        if now_s + 1e-9 >= next_probe_s {
            next_probe_s += PROBE_EVERY_S;
            look(&mut replay, &router, &twin, now_s).await;
        }
    }
    services.shutdown().await;
    if let Err(e) = shared.flush_logs().await {
        output_errors.push(format!("the card's last log records: {e}"));
    }
    if let Some(frames) = frames {
        frames.finish().await;
    }
    if let Some(dir) = out {
        output_errors.extend(observers::write_logs(dir, &received));
    }
    let sim_s = twin.lock().ups.time_s();
    let mut report = replay.finish(sim_s, 0.0);
    report.output_errors = output_errors.into_iter().chain(signals.finish()).collect();
    report
}

/// Probes are shell commands against an external card's services; the reference card is
/// read through its API instead. Said once, as a failure, rather than checked in vain.
fn fail_probes(replay: &mut Replay<'_>, scenario: &Compiled) {
    for expectation in &scenario.expectations {
        if let Check::Probe { .. } = expectation.check {
            replay.fail(
                expectation.label.clone(),
                "a probe runs a shell command against an external card (--card exec:…); \
                 with --card reference, check the card with `api:`"
                    .into(),
            );
        }
    }
}

/// Puts the card's communication events on the timeline.
fn note_card_event(replay: &mut Replay<'_>, now_s: f64, event: PollEvent) {
    let line = match event {
        PollEvent::FirstPoll => "card: first poll answered, UPS connected",
        PollEvent::CommLost => "card: UPS communication lost",
        PollEvent::CommRestored => "card: UPS communication restored",
        PollEvent::Cycle => return,
    };
    replay.note(now_s, line.into());
}

/// Looks at the open expectations that read the card.
async fn look(replay: &mut Replay<'_>, router: &Router, twin: &SharedTwin, now_s: f64) {
    for due in replay.due_probes(now_s) {
        match &due.check {
            Check::Api { check, .. } => {
                let answer = call(router, "GET", &check.path, "").await;
                replay.api_answer(due.index, now_s, answer);
            }
            Check::Reports { read, scale, .. } => {
                let value = match read {
                    Read::Http { path, pointer } => call(router, "GET", path.as_str(), "")
                        .await
                        .and_then(|(status, body)| match status {
                            200..=299 => number_in(&body, pointer),
                            _ => Err(format!("the card answered {status}")),
                        })
                        .map(|raw| raw * scale),
                    Read::Modbus { .. } | Read::Snmp { .. } => Err(
                        "with --card reference the card serves no sockets: read it with Http(…) or `api:`"
                            .into(),
                    ),
                };
                replay.reported(due.index, &twin.lock().ups, value);
            }
            _ => {}
        }
    }
    // Windows that end with nothing received close here.
    replay.observed(&[], now_s);
}

/// One request to the card's API, in-process: (status, body).
async fn call(router: &Router, method: &str, path: &str, body: &str) -> Result<(u16, String), String> {
    let request = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .body(Body::from(body.to_string()))
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let Ok(response) = router.clone().oneshot(request).await;
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), BODY_LIMIT)
        .await
        .map_err(|e| format!("{method} {path}: {e}"))?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}
