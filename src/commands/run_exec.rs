//! `--card exec:CMD`: the scenario against an external card process, in wall-clock time
//! (× `--speed`). The twin serves Modbus RTU on a pty and Modbus TCP; the card is started
//! with `sh -c CMD` and told where to find them through `UPSTWIN_*` variables; probes run
//! with the same variables while their window is open.

use super::observers::reported::{self, CardServers};
use super::observers::smtp::{self, Mailbox};
use super::observers::{self, Inbox};
use super::unclaimed_ports::unclaimed_ports;
use async_snmp::notification::NotificationReceiver;
use link::frame_file::FrameFile;
use link::pty::{self, Pty};
use link::{rtu, tcp};
use scenarios::compile::Check;
use scenarios::compile::Compiled;
use scenarios::replay::{Heard, Replay};
use scenarios::report::Report;
use scenarios::trace::TraceFile;
use sim::twin::{SharedTwin, Twin};
use sim::wire::trace::Trace;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, UdpSocket};

/// Wall-clock tick of the stepping loop.
const TICK: Duration = Duration::from_millis(10);
/// How often (wall clock) open probes are run.
const PROBE_EVERY: Duration = Duration::from_secs(1);
/// A probe that takes longer than this counts as not holding, and is killed.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the card gets to stop after SIGTERM before SIGKILL.
const CARD_STOP_GRACE: Duration = Duration::from_secs(3);

/// The external card: its shell command and how much faster than real time to run.
#[derive(Debug, Clone)]
pub struct ExecCard {
    pub command: String,
    pub speed: f64,
}

/// Where the twin and the observers listen, as the card is told.
struct Addresses {
    modbus: std::net::SocketAddr,
    syslog_udp: std::net::SocketAddr,
    syslog_tcp: std::net::SocketAddr,
    wake_on_lan: std::net::SocketAddr,
    snmp_traps: std::net::SocketAddr,
    smtp: std::net::SocketAddr,
    smtp_auth: std::net::SocketAddr,
}

/// Where the card accepts shutdown agents, and the secret it shares with them.
#[derive(Clone)]
struct Agents {
    address: std::net::SocketAddr,
    secret: String,
}

/// The link thread: the pty it serves, its addresses, and how to stop it.
struct Wire {
    pty: PathBuf,
    at: Addresses,
    stop: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

/// What the link thread serves, bound on free loopback ports.
struct Sockets {
    modbus: TcpListener,
    syslog_udp: UdpSocket,
    syslog_tcp: TcpListener,
    wake_on_lan: UdpSocket,
    snmp_traps: NotificationReceiver,
    smtp: TcpListener,
    smtp_auth: TcpListener,
}

impl Sockets {
    async fn bind() -> std::io::Result<Self> {
        Ok(Self {
            modbus: TcpListener::bind("127.0.0.1:0").await?,
            syslog_udp: UdpSocket::bind("127.0.0.1:0").await?,
            syslog_tcp: TcpListener::bind("127.0.0.1:0").await?,
            wake_on_lan: UdpSocket::bind("127.0.0.1:0").await?,
            snmp_traps: NotificationReceiver::bind("127.0.0.1:0").await.map_err(std::io::Error::other)?,
            smtp: TcpListener::bind("127.0.0.1:0").await?,
            smtp_auth: TcpListener::bind("127.0.0.1:0").await?,
        })
    }

    fn addresses(&self) -> std::io::Result<Addresses> {
        Ok(Addresses {
            modbus: self.modbus.local_addr()?,
            syslog_udp: self.syslog_udp.local_addr()?,
            syslog_tcp: self.syslog_tcp.local_addr()?,
            wake_on_lan: self.wake_on_lan.local_addr()?,
            snmp_traps: self.snmp_traps.local_addr(),
            smtp: self.smtp.local_addr()?,
            smtp_auth: self.smtp_auth.local_addr()?,
        })
    }
}

/// Serves the twin on a pty (linked at `dir/ttyUPS`) and on Modbus TCP, and the observers,
/// on free loopback ports, from a thread of its own.
fn serve(
    twin: SharedTwin,
    frames: Option<FrameFile>,
    baud: u32,
    dir: &Path,
    inbox: Inbox,
    agents: Agents,
) -> Result<Wire, String> {
    let link = dir.join("ttyUPS");
    let acceptor = smtp::tls(&dir.join("smtp-cert.pem"))?;
    let mailbox = Mailbox::new(inbox.clone(), dir);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => runtime,
            Err(e) => return drop(ready_tx.send(Err(e.to_string()))),
        };
        runtime.block_on(async move {
            let pty = match Pty::open(Some(&link), baud) {
                Ok(pty) => pty,
                Err(e) => return drop(ready_tx.send(Err(format!("cannot open a pty: {e}")))),
            };
            let sockets = match Sockets::bind().await {
                Ok(sockets) => sockets,
                Err(e) => return drop(ready_tx.send(Err(format!("cannot listen on loopback: {e}")))),
            };
            let _ = ready_tx.send(sockets.addresses().map(|a| (link.clone(), a)).map_err(|e| e.to_string()));
            let mut tasks = tokio::task::JoinSet::new();
            let writer = frames.map(|frames| frames.spawn(twin.clone()));
            let rtu_twin = twin.clone();
            tasks.spawn(async move {
                let mut pty = pty;
                // The pty's slave stays open in `pty`: an error here is real I/O trouble.
                let speeds = rtu::Speeds { ups_baud: baud, far_baud: pty::slave_baud };
                while rtu::serve(&mut pty.master, rtu_twin.clone(), rtu::Timing::Off, "pty", speeds)
                    .await
                    .is_err()
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            });
            tasks.spawn(async move {
                tcp::serve(sockets.modbus, twin, Default::default()).await;
            });
            tasks.spawn(observers::syslog::udp(sockets.syslog_udp, inbox.clone()));
            tasks.spawn(observers::syslog::tcp(sockets.syslog_tcp, inbox.clone()));
            tasks.spawn(observers::wake_on_lan::udp(sockets.wake_on_lan, inbox.clone()));
            tasks.spawn(observers::agent::follow(agents.address, agents.secret, inbox.clone()));
            tasks.spawn(observers::snmp_trap::receive(sockets.snmp_traps, inbox));
            tasks.spawn(smtp::serve(sockets.smtp, acceptor.clone(), mailbox.clone(), false));
            tasks.spawn(smtp::serve(sockets.smtp_auth, acceptor, mailbox, true));
            let _ = stop_rx.await;
            tasks.shutdown().await;
            if let Some(writer) = writer {
                writer.finish().await;
            }
        });
    });
    match ready_rx.recv() {
        Ok(Ok((pty, at))) => Ok(Wire { pty, at, stop, thread }),
        Ok(Err(e)) => Err(e),
        Err(_) => Err("the link thread stopped".into()),
    }
}

/// Stops a process group: SIGTERM, then SIGKILL after the grace time.
fn stop_group(child: &mut Child) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    let group = Pid::from_raw(child.id() as i32);
    let _ = killpg(group, Signal::SIGTERM);
    let deadline = Instant::now() + CARD_STOP_GRACE;
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = killpg(group, Signal::SIGKILL);
    let _ = child.wait();
}

/// Runs a probe's shell command; whether its output (stdout and stderr) holds `contains`.
fn probe(run: &str, contains: &str, env: &[(String, String)]) -> bool {
    use std::os::unix::process::CommandExt;
    let Ok(mut child) = Command::new("sh")
        .arg("-c")
        .arg(run)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
    else {
        return false;
    };
    let deadline = Instant::now() + PROBE_TIMEOUT;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return child.wait_with_output().is_ok_and(|output| {
                let text = [output.stdout, output.stderr].concat();
                String::from_utf8_lossy(&text).contains(contains)
            });
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    stop_group(&mut child);
    false
}

/// Runs the scenario against the card; everything goes into `dir`: `card.log`,
/// `frames.pcap`, `trace.csv`, `timeline.txt`.
pub fn run(scenario: &Compiled, card: &ExecCard, dir: &Path) -> Report {
    let wall = Instant::now();
    let slave_id = scenario.model.model.serial.slave_id;
    let mut replay = Replay::new(scenario);
    let mut setup_errors = Vec::new();
    let frames = FrameFile::create(&dir.join("frames.pcap"))
        .map_err(|e| setup_errors.push(format!("frames.pcap: {e}")))
        .ok();
    let trace = if frames.is_some() { Trace::queued() } else { Trace::in_memory() };
    let twin =
        SharedTwin::new(Twin::new(scenario.start_ups(), &scenario.model, slave_id, scenario.seed, trace));
    let mut signals = TraceFile::open(Some(dir), &scenario.model.flags);
    let failed = |replay: Replay, why: String| {
        let mut replay = replay;
        replay.fail("the card runs".into(), why);
        let mut report = replay.finish(0.0, wall.elapsed().as_secs_f64());
        report.write_reports(dir);
        report
    };
    let inbox = Inbox::default();
    // Held until the run ends (dropped with the function's locals).
    let claimed = match unclaimed_ports::<6>() {
        Ok(claimed) => claimed,
        Err(e) => return failed(replay, format!("no free port for the card: {e}")),
    };
    let [card_port, modbus_port, snmp_port, http_port, https_port, agents_port] = claimed.ports;
    let loopback = |port: u16| std::net::SocketAddr::from(([127, 0, 0, 1], port));
    // The secret the card shares with the scenario's shutdown agent, new for each run.
    let agents = Agents { address: loopback(agents_port), secret: card::shutdown::protocol::nonce() };
    let wire = match serve(
        twin.clone(),
        frames,
        scenario.model.model.serial.baud,
        dir,
        inbox.clone(),
        agents.clone(),
    ) {
        Ok(wire) => wire,
        Err(why) => return failed(replay, why),
    };
    let card_servers =
        CardServers { modbus: loopback(modbus_port), snmp: loopback(snmp_port), http: loopback(http_port) };
    let env: Vec<(String, String)> = [
        ("UPSTWIN_PTY", wire.pty.display().to_string()),
        ("UPSTWIN_TCP", wire.at.modbus.to_string()),
        ("UPSTWIN_SLAVE", slave_id.to_string()),
        ("UPSTWIN_BAUD", scenario.model.model.serial.baud.to_string()),
        ("UPSTWIN_MODEL", scenario.model.model.identity.model.clone()),
        ("UPSTWIN_DIR", dir.display().to_string()),
        ("UPSTWIN_CARD_PORT", card_port.to_string()),
        ("UPSTWIN_CARD_MODBUS", card_servers.modbus.to_string()),
        ("UPSTWIN_CARD_SNMP", card_servers.snmp.to_string()),
        ("UPSTWIN_CARD_HTTP", card_servers.http.to_string()),
        ("UPSTWIN_CARD_HTTPS", loopback(https_port).to_string()),
        ("UPSTWIN_CARD_AGENTS", agents.address.to_string()),
        ("UPSTWIN_AGENT_SECRET", agents.secret.clone()),
        ("UPSTWIN_SPEED", card.speed.to_string()),
        ("UPSTWIN_SYSLOG_UDP", wire.at.syslog_udp.to_string()),
        ("UPSTWIN_SYSLOG_TCP", wire.at.syslog_tcp.to_string()),
        ("UPSTWIN_WOL_UDP", wire.at.wake_on_lan.to_string()),
        ("UPSTWIN_SNMP_TRAP_UDP", wire.at.snmp_traps.to_string()),
        ("UPSTWIN_SMTP", wire.at.smtp.to_string()),
        ("UPSTWIN_SMTP_AUTH", wire.at.smtp_auth.to_string()),
        ("UPSTWIN_SMTP_CERT", dir.join("smtp-cert.pem").display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let log = std::fs::File::create(dir.join("card.log"));
    let mut child = {
        use std::os::unix::process::CommandExt;
        let spawned = log.and_then(|log| {
            Command::new("sh")
                .arg("-c")
                .arg(&card.command)
                .envs(env.iter().map(|(k, v)| (k, v)))
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .process_group(0)
                .spawn()
        });
        match spawned {
            Ok(child) => child,
            Err(e) => {
                let _ = wire.stop.send(());
                return failed(replay, format!("cannot start `{}`: {e}", card.command));
            }
        }
    };
    replay.note(0.0, format!("card started: {} (pid {})", card.command, child.id()));

    let started = Instant::now();
    let mut last_probe = Instant::now() - PROBE_EVERY;
    let mut sim_s = 0.0;
    let mut received: Vec<(f64, Heard)> = Vec::new();
    let probe_runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return failed(replay, format!("no runtime for the probes: {e}")),
    };
    while sim_s < scenario.duration_s - 1e-9 {
        std::thread::sleep(TICK);
        let target_s = (started.elapsed().as_secs_f64() * card.speed).min(scenario.duration_s);
        {
            let mut guard = twin.lock();
            let Twin { ups, wire, .. } = &mut *guard;
            while ups.time_s() < target_s - 1e-9 {
                replay.fire_due(ups, Some(wire));
                ups.step(scenario.dt_s.min(target_s - ups.time_s()).max(1e-6));
                replay.observe(ups);
                signals.sample(ups);
            }
            sim_s = ups.time_s();
        }
        let arrived: Vec<(Instant, Heard)> = {
            let inbox = inbox.lock().unwrap_or_else(|p| p.into_inner());
            inbox[received.len()..].to_vec()
        };
        let sim_time = |at: Instant| ((at - started).as_secs_f64() * card.speed).min(sim_s);
        let messages: Vec<_> = arrived.into_iter().map(|(at, heard)| (sim_time(at), heard)).collect();
        replay.observed(&messages, sim_s);
        received.extend(messages);
        if let Ok(Some(status)) = child.try_wait() {
            replay
                .fail("the card runs".into(), format!("it exited ({status}) at {sim_s:.1} s; see card.log"));
            break;
        }
        if last_probe.elapsed() >= PROBE_EVERY {
            last_probe = Instant::now();
            for due in replay.due_probes(sim_s) {
                match &due.check {
                    Check::Probe { run, contains } => {
                        let holds = probe(run, contains, &env);
                        replay.probe_result(due.index, sim_s, holds);
                    }
                    Check::Reports { read, scale, .. } => {
                        let value =
                            reported::read(&probe_runtime, read, &card_servers).map(|raw| raw * scale);
                        // The truth is taken when the answer is in, under the twin's lock.
                        replay.reported(due.index, &twin.lock().ups, value);
                    }
                    _ => {}
                }
            }
        }
    }
    stop_group(&mut child);
    let _ = wire.stop.send(());
    let _ = wire.thread.join();
    setup_errors.extend(observers::write_logs(dir, &received));
    let mut report = replay.finish(sim_s, wall.elapsed().as_secs_f64());
    report.output_errors = setup_errors.into_iter().chain(signals.finish()).collect();
    report.write_reports(dir);
    report
}
