//! `upstwin fleet`: many twins, each at its own address, grouped by site and feed; one
//! `ready` line, an inventory for the system under test, and a control API to fail feeds,
//! sites, groups and devices (`api`), with `/metrics` for Prometheus.

mod api;
mod cards;
mod clock;
mod inventory;
mod members;
mod metrics;
mod schedule;
mod shards;
mod window;

use super::{CommandResult, Failure};
use crate::cli::FleetArgs;
pub use api::openapi;
use link::tcp;
use members::Members;
use scenarios::fleet::format::Listen;
use scenarios::fleet::{self, plan::Plan};
use sim::twin::SharedTwin;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// `K/N`: the K-th (from 0) of N shards.
fn shard(text: &str) -> Result<(usize, usize), Failure> {
    let parsed =
        text.split_once('/').and_then(|(k, n)| Some((k.parse::<usize>().ok()?, n.parse::<usize>().ok()?)));
    match parsed {
        Some((k, n)) if n >= 1 && k < n => Ok((k, n)),
        _ => Err(Failure::bad_input(format!("--shard {text}: K/N with 0 ≤ K < N, e.g. 0/4"))),
    }
}

/// Raises the soft limit on open files to the hard limit: every device holds a socket
/// (unless they share them, `listen: Shared`).
fn open_files_for(devices: usize, how: Listen) -> Result<(), Failure> {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).map_err(Failure::failed)?;
    if soft < hard {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard).map_err(Failure::failed)?;
    }
    // Room for each device's listener and a client each, and the process's own files.
    // Shared sockets need none per device: clients beyond the limit wait (the accept
    // loop backs off), so the limit caps clients at once, not devices.
    let per_device = if how == Listen::Each { 2 } else { 1 };
    let needed = devices as u64 * per_device + 256;
    if how == Listen::Each && hard < needed {
        return Err(Failure::failed(format!(
            "{devices} devices need about {needed} open files; the limit is {hard} (raise it: ulimit -Hn, \
             LimitNOFILE=; share the sockets: listen: Shared; or serve a shard: --shard K/N)"
        )));
    }
    if how == Listen::Shared && hard < needed {
        eprintln!(
            "upstwin fleet: the open-file limit ({hard}) allows about {} clients at once, fewer than the \
             {devices} devices (raise it: ulimit -Hn, LimitNOFILE=)",
            hard.saturating_sub(256)
        );
    }
    Ok(())
}

/// Opens the devices' sockets: one each, or one per port shared by the devices on it.
async fn listen(members: &Members, how: Listen, tasks: &mut JoinSet<()>) -> CommandResult {
    let bound = |address: SocketAddr, e: std::io::Error, who: &str| {
        let hint = if e.kind() == std::io::ErrorKind::AddrNotAvailable {
            let network = match address.ip() {
                std::net::IpAddr::V4(ip) => std::net::Ipv4Addr::from(u32::from(ip) & 0xffff_ff00).to_string(),
                std::net::IpAddr::V6(ip) => ip.to_string(),
            };
            format!(
                " (not an address of this host: make the range local, e.g. ip route add local {network}/24 dev lo)"
            )
        } else if address.port() < 1024 {
            " (ports below 1024 need root or CAP_NET_BIND_SERVICE)".to_string()
        } else {
            String::new()
        };
        Failure::failed(format!("{who} at {address}: {e}{hint}"))
    };
    match how {
        Listen::Each => {
            for member in &members.members {
                let address = SocketAddr::V4(member.device.modbus);
                let listener =
                    TcpListener::bind(address).await.map_err(|e| bound(address, e, &member.device.name))?;
                tasks.spawn(tcp::serve(listener, member.twin.clone(), tcp::Limits::default()));
            }
        }
        Listen::Shared => {
            // 0.0.0.0 binds whatever the host has; a device's address it lacks would go
            // unanswered in silence. Refuse to start instead, saying so.
            for member in [members.members.first(), members.members.last()].into_iter().flatten() {
                let address = SocketAddr::new(std::net::IpAddr::V4(*member.device.modbus.ip()), 0);
                std::net::UdpSocket::bind(address).map_err(|e| bound(address, e, &member.device.name))?;
            }
            let mut by_port: HashMap<u16, HashMap<SocketAddr, SharedTwin>> = HashMap::new();
            for member in &members.members {
                let address = SocketAddr::V4(member.device.modbus);
                by_port.entry(address.port()).or_default().insert(address, member.twin.clone());
            }
            for (port, twins) in by_port {
                let address = SocketAddr::from(([0, 0, 0, 0], port));
                let listener =
                    TcpListener::bind(address).await.map_err(|e| bound(address, e, "the devices"))?;
                let resolve: tcp::Resolve = Arc::new(move |local| twins.get(&local).cloned());
                tasks.spawn(tcp::serve_by_address(listener, resolve, tcp::Limits::default()));
            }
        }
    }
    Ok(())
}

pub fn run(args: &FleetArgs) -> CommandResult {
    if let Some(client) = &args.over_shards {
        return shards::run(client);
    }
    if !(args.speed.is_finite() && (0.001..=100_000.0).contains(&args.speed)) {
        return Err(Failure::bad_input(format!(
            "--speed must be within 0.001..=100000, found {}",
            args.speed
        )));
    }
    let plan: Plan = match &args.file {
        Some(path) => fleet::load(path).map_err(Failure::bad_input)?,
        None => fleet::compile(fleet::DEMO, Path::new("scenarios/fleets/campus.ron"))
            .map_err(Failure::bad_input)?,
    };
    let (k, n) = args.shard.as_deref().map(shard).transpose()?.unwrap_or((0, 1));
    let part = fleet::shard(plan.devices.len(), k, n);
    if let Some(path) = &args.inventory {
        inventory::write(path, &plan.devices).map_err(Failure::failed)?;
        if args.inventory_only {
            println!("inventory {} devices={}", path.display(), plan.devices.len());
            return Ok(());
        }
    }
    open_files_for(part.len(), plan.listen)?;
    if args.window && !gui::display_available() {
        return Err(Failure::failed(
            "--window: no display (DISPLAY and WAYLAND_DISPLAY are not set; try xvfb-run)",
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Failure::failed)?;
    let serving = runtime.block_on(start(args, &plan, part))?;
    // The window runs on this thread (as winit wants); the fleet goes on on the runtime's.
    let ended = if args.window {
        window::run(args, &serving.members, serving.control)
    } else {
        runtime.block_on(super::until_stopped())
    };
    runtime.block_on(serving.stop());
    ended
}

/// A fleet being served: its twins, the tasks that serve them and the cards' temporary
/// directory, if it has one.
struct Serving {
    members: Arc<Members>,
    /// The control API's address.
    control: SocketAddr,
    tasks: JoinSet<()>,
    temporary: Option<tempfile::TempDir>,
}

impl Serving {
    async fn stop(mut self) {
        self.tasks.shutdown().await;
        drop(self.temporary);
    }
}

/// Serves the fleet's devices, cards, control API and clock; prints the `ready` line.
async fn start(args: &FleetArgs, plan: &Plan, part: std::ops::Range<usize>) -> Result<Serving, Failure> {
    let card_settings = cards::base_settings(plan.card_settings.as_deref())?;
    let members = Arc::new(Members::build(plan, part));
    let mut tasks = tokio::task::JoinSet::new();
    listen(&members, plan.listen, &mut tasks).await?;
    // The cards' directories: the one given, or a temporary one gone when the fleet stops.
    let temporary = match (&args.card_state, members.cards) {
        (None, cards) if cards > 0 => {
            Some(tempfile::Builder::new().prefix("upstwin-fleet-cards-").tempdir().map_err(Failure::failed)?)
        }
        _ => None,
    };
    let state_root = args.card_state.as_deref().or(temporary.as_ref().map(|t| t.path()));
    let cards = match state_root {
        Some(root) => cards::start(&members, &card_settings, root, &mut tasks).await?,
        None => 0,
    };
    let control = tokio::net::TcpListener::bind(&args.control)
        .await
        .map_err(|e| Failure::bad_input(format!("--control {}: {e}", args.control)))?;
    let bound = control.local_addr().map_err(Failure::failed)?;
    if !bound.ip().is_loopback() && args.token.is_none() {
        return Err(Failure::bad_input(format!(
            "--control {} is reachable beyond this machine: give --token",
            args.control
        )));
    }
    let router = api::router(members.clone(), args.token.clone());
    tasks.spawn(async move {
        if let Err(e) = axum::serve(control, router).await {
            eprintln!("upstwin fleet: control: {e}");
        }
    });
    tasks.spawn(clock::run(members.clone(), args.speed));
    let (first, last) = (members.members.first(), members.members.last());
    let address = |m: Option<&members::Member>| m.map_or("-".to_string(), |m| m.device.modbus.to_string());
    println!(
        "ready fleet={} devices={} fleet_devices={} first={} last={} cards={cards} control=http://{bound}",
        members.name,
        members.members.len(),
        members.fleet_devices,
        address(first),
        address(last)
    );
    use std::io::Write;
    let _ = std::io::stdout().flush();
    Ok(Serving { members, control: bound, tasks, temporary })
}
