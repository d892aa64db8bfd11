//! `upstwin card`: the reference card standalone on the system clock — finds the UPS's map,
//! polls it, keeps its logs, serves the REST API, says `ready` once the first poll
//! succeeded, and stops on Ctrl-C or SIGTERM.

use super::{CommandResult, Failure};
use crate::cli::CardArgs;
use card::clock::Clock;
use card::config::Config;
use card::link::Link;
use card::poller::PollEvent;
use card::run::{Agent, Shared};
use card::stack::Stack;
use card::web::accounts::{ADMIN, Refused, Store};
use card::web::{Site, identity};
use std::io::Write;
use std::path::PathBuf;

/// The settings file with the command line's overrides; refused when a rule is broken.
fn settings(args: &CardArgs, path: &std::path::Path) -> Result<Config, Failure> {
    let mut config = Config::load(path).map_err(|e| Failure::bad_input(e.to_string()))?;
    let overrides = [
        (args.polling_s, &mut config.polling_s),
        (args.lost_after_s, &mut config.lost_after_s),
        (args.history_s, &mut config.history_interval_s),
    ];
    for (given, setting) in overrides {
        if let Some(value) = given {
            *setting = value;
        }
    }
    if let Some(seconds) = args.extended_s {
        config.extended_interval_min = seconds / 60.0;
    }
    if let Some(baud) = args.baud {
        config.serial.baud = baud;
        config.serial.find_baud = false;
    }
    if let Some(slave) = args.slave {
        config.serial.slave = slave;
    }
    config.check().map_err(|e| Failure::bad_input(format!("settings: {e}")))?;
    Ok(config)
}

/// Where the card keeps its state, its settings, and the link to the UPS, as the command
/// line says them.
#[derive(Debug)]
pub struct Prepared {
    link: Link,
    state_dir: PathBuf,
    config: Config,
    config_path: PathBuf,
}

pub fn prepare(args: &CardArgs) -> Result<Prepared, Failure> {
    let state_dir = args.state_dir.clone().unwrap_or_else(default_state_dir);
    let config_path = args.config.clone().unwrap_or_else(|| state_dir.join("card.ron"));
    let config = settings(args, &config_path)?;
    let link = match (&args.port, args.tcp) {
        (Some(path), None) => Link::Serial { path: path.clone(), baud: config.serial.baud },
        (None, Some(address)) => Link::Tcp(address),
        _ => return Err(Failure::bad_input("give --port or --tcp")),
    };
    Ok(Prepared { link, state_dir, config, config_path })
}

pub fn run(args: &CardArgs) -> CommandResult {
    let prepared = prepare(args)?;
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Failure::failed)?;
    runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        let started = start(args, prepared, &mut tasks).await?;
        super::until_stopped().await?;
        tasks.shutdown().await;
        if let Err(e) = started.shared.flush_logs().await {
            eprintln!("upstwin card: the last log records were not written: {e}");
        }
        say("stopped");
        Ok(())
    })
}

/// `$XDG_STATE_HOME/upstwin/card`, else `~/.local/state/upstwin/card`.
fn default_state_dir() -> PathBuf {
    state_home().join("card")
}

/// `$XDG_STATE_HOME/upstwin`, else `~/.local/state/upstwin`: where the cards keep their state.
pub(super) fn state_home() -> PathBuf {
    let state = std::env::var_os("XDG_STATE_HOME").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".local").join("state")
    });
    state.join("upstwin")
}

/// One line on stdout, flushed (a test or a script may be waiting for it); a closed stdout
/// is no error.
fn say(line: &str) {
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// The web accounts: those kept in the state directory, or new ones whose administrator's
/// first password — the MAC's last 6 characters — is said once, on the first start. With
/// `--admin-password-file` the administrator's password is set from the file (provisioning).
fn accounts(args: &CardArgs, state_dir: &std::path::Path, now_unix_s: i64) -> Result<Store, Failure> {
    let mac = identity::mac_address(state_dir).map_err(|e| {
        Failure::failed(format!("cannot keep the MAC address in {}: {e}", state_dir.display()))
    })?;
    let path = state_dir.join("accounts.ron");
    let first_start = !path.exists();
    let first_password = identity::first_password(&mac);
    let mut store = Store::open(Some(path), &first_password, now_unix_s).map_err(Failure::failed)?;
    match &args.admin_password_file {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| Failure::bad_input(format!("{}: {e}", file.display())))?;
            match store.set_password(ADMIN, text.trim_end_matches(['\r', '\n']), true, now_unix_s) {
                Ok(()) | Err(Refused::SameAsBefore) => {}
                Err(e) => return Err(Failure::bad_input(format!("{}: {e}", file.display()))),
            }
        }
        None if first_start => eprintln!(
            "upstwin card: first login: user admin, password {first_password} (the last 6 characters of the \
             card's MAC address {mac}); it must be changed at the first login"
        ),
        None => {}
    }
    Ok(store)
}

/// Binds HTTPS at `--https` with the certificate kept in the state directory (made
/// self-signed for the system name, localhost and the address served, the first time), and
/// serves the pages there; the certificate can be replaced live from the pages.
fn serve_https(
    args: &CardArgs,
    state_dir: &std::path::Path,
    site: &Site,
    tasks: &mut tokio::task::JoinSet<()>,
) -> Result<std::net::SocketAddr, Failure> {
    use card::web::https;
    let path = state_dir.join("https.pem");
    let names = vec![site.card.lock().config.host_name(), "localhost".into(), args.https.ip().to_string()];
    let pem = https::load_or_make(&path, names).map_err(Failure::failed)?;
    let server_config =
        https::server_config(&pem).map_err(|e| Failure::bad_input(format!("{}: {e}", path.display())))?;
    let config = https::RustlsConfig::from_config(server_config);
    let listener = std::net::TcpListener::bind(args.https)
        .map_err(|e| Failure::failed(format!("cannot serve HTTPS on {}: {e}", args.https)))?;
    let address = listener.local_addr().map_err(Failure::failed)?;
    site.web.lock().tls = Some(https::Tls { path, config: config.clone() });
    let app = card::web::app(site.clone(), card::web::Transport::Https);
    tasks.spawn(async move {
        if let Err(e) = card::web::server::serve(listener, app, Some(config), Default::default()).await {
            eprintln!("upstwin card: https: {e}");
        }
    });
    Ok(address)
}

/// A started card: its state, for whoever runs beside it, and where its pages are served
/// (the addresses bound, a port 0 asked for resolved).
#[derive(Debug)]
pub struct Started {
    pub shared: Shared,
    pub http: Option<std::net::SocketAddr>,
    pub https: Option<std::net::SocketAddr>,
}

/// Starts the card on `tasks`: its servers, its services and its polling, which says
/// `ready` on stdout once the UPS answered.
pub async fn start(
    args: &CardArgs,
    prepared: Prepared,
    tasks: &mut tokio::task::JoinSet<()>,
) -> Result<Started, Failure> {
    let Prepared { link, state_dir, config, config_path } = prepared;
    let clock = Clock::system();
    // Where the UPS is looked for, and at which speeds.
    let (port, speeds) = match (&args.port, link.baud()) {
        (Some(path), Some(_)) => {
            let bauds: Vec<String> = config.serial.bauds_to_try().iter().map(u32::to_string).collect();
            (path.display().to_string(), format!(" at {} baud", bauds.join(", ")))
        }
        _ => (link.to_string(), String::new()),
    };
    let slave = config.serial.slave;
    let northbound = match args.modbus_tcp {
        Some(address) => Some(address),
        None if config.modbus_tcp.enabled => Some(([0, 0, 0, 0], config.modbus_tcp.port).into()),
        None => None,
    };
    let snmp = match args.snmp {
        Some(address) => Some(address),
        None if config.snmp.enabled => Some(([0, 0, 0, 0], config.snmp.port).into()),
        None => None,
    };
    let agents = match args.agents {
        Some(address) => Some(address),
        None if config.shutdown.agents.enabled => Some(([0, 0, 0, 0], config.shutdown.agents.port).into()),
        None => None,
    };
    if agents.is_some() && config.shutdown.agents.secret.chars().count() < card::config::MIN_SECRET_CHARS {
        return Err(Failure::bad_input(format!(
            "--agents needs shutdown.agents.secret in the settings (at least {} characters)",
            card::config::MIN_SECRET_CHARS
        )));
    }
    std::fs::create_dir_all(&state_dir).map_err(|e| {
        Failure::failed(format!("cannot keep the card's state in {}: {e}", state_dir.display()))
    })?;
    // Secrets live there (settings, accounts, the HTTPS key): the card's user's only, files
    // an earlier version left readable included.
    for path in
        [state_dir.clone(), state_dir.join("https.pem"), state_dir.join("accounts.ron"), config_path.clone()]
    {
        if let Err(e) = card::durable::keep_private(&path) {
            eprintln!("upstwin card: {} stays readable by others: {e}", path.display());
        }
    }
    let accounts = accounts(args, &state_dir, clock.calendar_s() as i64)?;
    let assembled = Stack::new(link, clock, config, &state_dir)
        .settings_file(config_path)
        .accounts(accounts)
        .build()
        .map_err(|e| Failure::failed(format!("cannot keep the logs in {}: {e}", state_dir.display())))?;
    let site = assembled.site.clone();
    let shared = site.card.clone();
    let mut services = String::new();
    let web = shared.lock().config.web.clone();
    let mut api_url = None;
    let (mut http_bound, mut https_bound) = (None, None);
    if web.https_enabled {
        let address = serve_https(args, &state_dir, &site, tasks)?;
        services.push_str(&format!(", HTTPS https://{address}/"));
        api_url = Some(format!("https://{address}/api/status"));
        https_bound = Some(address);
    }
    if web.http_enabled {
        let listener = std::net::TcpListener::bind(args.http)
            .map_err(|e| Failure::failed(format!("cannot serve HTTP on {}: {e}", args.http)))?;
        let http = listener.local_addr().map_err(Failure::failed)?;
        let transport =
            card::web::Transport::Http { https_port: https_bound.map(|a: std::net::SocketAddr| a.port()) };
        let app = card::web::app(site.clone(), transport);
        tasks.spawn(async move {
            if let Err(e) = card::web::server::serve(listener, app, None, Default::default()).await {
                eprintln!("upstwin card: http: {e}");
            }
        });
        api_url = Some(format!("http://{http}/api/status"));
        http_bound = Some(http);
    }
    let api_url = api_url.unwrap_or_default();
    if let Some(address) = northbound {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| Failure::failed(format!("cannot serve Modbus TCP on {address}: {e}")))?;
        services.push_str(&format!(
            ", northbound Modbus TCP {}",
            listener.local_addr().map_err(Failure::failed)?
        ));
        let shared = shared.clone();
        tasks.spawn(async move {
            if let Err(e) = card::northbound::serve(listener, shared).await {
                eprintln!("upstwin card: modbus tcp: {e}");
            }
        });
    }
    if let Some(address) = snmp {
        let socket = tokio::net::UdpSocket::bind(address)
            .await
            .map_err(|e| Failure::failed(format!("cannot serve SNMP on {address}: {e}")))?;
        services.push_str(&format!(", SNMP {}", socket.local_addr().map_err(Failure::failed)?));
        let (shared, state_dir) = (shared.clone(), state_dir.clone());
        tasks.spawn(async move {
            if let Err(e) = card::snmp::serve(socket, shared, Some(&state_dir)).await {
                eprintln!("upstwin card: snmp: {e}");
            }
        });
    }
    if let Some(address) = agents {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| Failure::failed(format!("cannot accept shutdown agents on {address}: {e}")))?;
        services.push_str(&format!(", shutdown agents {}", listener.local_addr().map_err(Failure::failed)?));
        tasks.spawn(card::shutdown::listener::serve(listener, shared.clone(), site.shutdown.clone()));
    }
    let mut found = false;
    let on_event = move |event: PollEvent, agent: &Agent| match event {
        PollEvent::FirstPoll => {
            found = true;
            let ups = agent.card.database().ups_name();
            let map = agent.card.map().map_or("", |m| m.name.as_str());
            say(&format!("ready: {ups} ({map}) on {}{services}, API {api_url}", agent.link))
        }
        PollEvent::CommLost if !found => say(&format!(
            "the UPS does not answer on {port} (slave {slave}; tried the JBUSP and VU-MAP identification tables{speeds}); still trying"
        )),
        PollEvent::CommLost => say("UPS communication lost"),
        PollEvent::CommRestored if found => say("UPS communication restored"),
        PollEvent::CommRestored | PollEvent::Cycle => {}
    };
    Ok(Started { shared: assembled.start(tasks, on_event).card, http: http_bound, https: https_bound })
}
