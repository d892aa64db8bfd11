//! The command line: what `upstwin --help` shows.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "upstwin",
    version,
    about = "Hardware-in-the-loop simulator and digital twin of UPS systems"
)]
pub struct Cli {
    /// What to do; `demo` when none is given.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The live demo, and what `upstwin` alone runs: the twin on a pty pair, a second pty
    /// and Modbus TCP, the reference card on the first pty with its web pages, and the
    /// window (synoptic, fault panel, the card beside the truth); with no display, the
    /// same headless, printing where everything is.
    Demo(DemoArgs),
    /// Open the window on a scenario at an instant of it (`--at-s`), its player paused there
    /// (`--play` plays on); `--screenshot` saves the window and closes it.
    Gui(GuiArgs),
    /// List the bundled UPS models, or check and show model files.
    Models {
        #[command(subcommand)]
        action: Option<ModelsAction>,
    },
    /// Battery blocks: fit one to a data sheet, make a typical one, simulate a discharge.
    Battery {
        #[command(subcommand)]
        action: BatteryAction,
    },
    /// List the register maps, or show one as a table of every address.
    Maps {
        #[command(subcommand)]
        action: Option<MapsAction>,
    },
    /// Run a UPS headless in virtual time through faults, commands and load changes.
    Simulate(SimulateArgs),
    /// Replay scenario files (or directories of them) and check their expectations: a UPS's
    /// scenarios, and fleet scenarios (`FleetScenario(…)`: a fleet's feeds and devices).
    Run(RunArgs),
    /// Make scenarios: from a card's exported logs.
    Scenario {
        #[command(subcommand)]
        action: ScenarioAction,
    },
    /// Put the twin on the wire in wall-clock time: Modbus RTU on a pty or serial port,
    /// Modbus TCP; prints one `ready` line when it can be polled.
    Serve(ServeArgs),
    /// Serve a fleet of twins, each at its own address (Modbus TCP), grouped by site and
    /// feed; prints one `ready` line; a control API fails feeds, sites, groups and devices.
    Fleet(FleetArgs),
    /// Run the reference network management card against a UPS (the twin or a real one):
    /// polls it over Modbus RTU or TCP and serves its REST API; prints one `ready` line once
    /// the first poll succeeded.
    Card(CardArgs),
    /// The shutdown agent servers run (the JNC / RCCMD role): connects to its cards, logs
    /// their warnings, and on a shutdown request runs a command (only logs it without
    /// --exec, or with --dry-run) once enough of its cards ask (--redundancy).
    Agent(AgentArgs),
    /// Inject a fault (or with --wire, a wire fault) into a running `upstwin serve`.
    Inject(ControlArgs),
    /// Clear a fault (or with --wire, a wire fault) in a running `upstwin serve`.
    Clear(ControlArgs),
    /// Send a firmware command to a running `upstwin serve`.
    #[command(name = "command")]
    Send(ControlArgs),
    /// List every fault the twin can inject, with parameters and effect.
    Faults {
        /// Print a Markdown table (as in sim/FAULTS.md).
        #[arg(long)]
        markdown: bool,
        /// List the wire faults (what the serial line or TCP link does) instead.
        #[arg(long)]
        wire: bool,
    },
    /// List every command the UPS firmware accepts, with parameters and effect.
    Commands {
        /// Print a Markdown table (as in sim/FAULTS.md).
        #[arg(long)]
        markdown: bool,
    },
    /// Print the control API's OpenAPI 3 document (what `/api/openapi.json` serves).
    Openapi {
        /// Print it as the Markdown reference (docs/control-api.md, docs/fleet-api.md).
        #[arg(long)]
        markdown: bool,
        /// The fleet's control API (`upstwin fleet --control`) instead of a twin's.
        #[arg(long)]
        fleet: bool,
    },
}

#[derive(Debug, Args)]
pub struct ControlArgs {
    /// The control API of `upstwin serve` or the demo (their `ready` lines print it), as a
    /// URL or as `HOST:PORT` the way `serve --control` takes it.
    #[arg(long, default_value = "http://127.0.0.1:8700")]
    pub control: String,
    /// Bearer token, if the server requires one.
    #[arg(long)]
    pub token: Option<String>,
    /// Act on a wire fault rather than a UPS fault.
    #[arg(long)]
    pub wire: bool,
    /// Fault or command name.
    pub name: String,
    /// Parameters as key=value.
    pub params: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParityArg {
    None,
    Even,
    Odd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimingArg {
    /// Answer as fast as possible.
    Off,
    /// Reproduce the line's character times, frame gap and turnaround.
    On,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct FleetArgs {
    /// Act on running fleet processes (every shard) rather than serve one.
    #[command(subcommand)]
    pub over_shards: Option<FleetClient>,
    /// The fleet file (format: scenarios/fleets/README.md); without one, the bundled demo:
    /// a campus of three sites and 300 UPSs on 127.1.0.1… port 5020.
    pub file: Option<std::path::PathBuf>,
    /// Virtual seconds per wall second.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Serve only part K of N (from 0) of the fleet: a contiguous run of its devices.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Write every device of the fleet (name, address, ports, model, serial, MAC, site,
    /// feed, group) to this file: `.json` as JSON, otherwise CSV.
    #[arg(long)]
    pub inventory: Option<std::path::PathBuf>,
    /// Only check the file and write the inventory, serving nothing (to import the devices
    /// into the system under test before the fleet runs).
    #[arg(long, requires = "inventory")]
    pub inventory_only: bool,
    /// The fleet's control API (and `/metrics`).
    #[arg(long, default_value = "127.0.0.1:8701")]
    pub control: String,
    /// Bearer token the control API requires (required when bound beyond loopback).
    #[arg(long)]
    pub token: Option<String>,
    /// Where each reference card (`card: Reference`) keeps its logs and SNMP engine, a
    /// directory per device; default: a temporary directory removed when the fleet stops.
    #[arg(long, value_name = "DIR")]
    pub card_state: Option<std::path::PathBuf>,
    /// Open the window on the fleet: a tile per device in its NET VISION status colour, by
    /// site and feed, with the feeds' buttons; a click on a tile opens that device.
    #[arg(long)]
    pub window: bool,
    /// With `--window`: open on this device rather than on the tiles.
    #[arg(long, requires = "window", value_name = "DEVICE")]
    pub open: Option<String>,
    /// With `--window`: save the window to this PNG once it has run `--screenshot-after-s`,
    /// then stop; a `.json` of the same name beside it says where each tile drawn is, its
    /// device and status, and the frame times.
    #[arg(long, requires = "window")]
    pub screenshot: Option<PathBuf>,
    #[arg(long, default_value_t = 3.0)]
    pub screenshot_after_s: f32,
}

/// Clients of running fleet processes: each request goes to every shard's control API.
#[derive(Debug, Subcommand)]
pub enum FleetClient {
    /// The whole fleet at a glance: devices, modes and devices on battery, per shard, per
    /// feed and in total.
    Status {
        #[command(flatten)]
        shards: ShardsArgs,
        /// Print the shards' summaries and the totals as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Inject a fault on a device, group, feed or site, or on all devices, on every shard.
    Inject(FleetActionArgs),
    /// Clear a fault on a device, group, feed or site, or on all devices, on every shard.
    Clear(FleetActionArgs),
    /// Send a firmware command to a device, group, feed or site, or to all, on every shard.
    #[command(name = "command")]
    Send(FleetActionArgs),
}

#[derive(Debug, Args)]
pub struct ShardsArgs {
    /// Every shard's control API (their `ready` lines print them), comma-separated, as URLs
    /// or HOST:PORT.
    #[arg(long, value_delimiter = ',', required = true, num_args = 1..)]
    pub shards: Vec<String>,
    /// Bearer token the shards require.
    #[arg(long)]
    pub token: Option<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["device", "group", "feed", "site", "all"])))]
pub struct FleetActionArgs {
    #[command(flatten)]
    pub shards: ShardsArgs,
    #[arg(long)]
    pub device: Option<String>,
    #[arg(long)]
    pub group: Option<String>,
    #[arg(long)]
    pub feed: Option<String>,
    #[arg(long)]
    pub site: Option<String>,
    #[arg(long)]
    pub all: bool,
    /// Hold it until this instant on every shard: RFC 3339 (2026-12-06T18:30:00Z) or a
    /// delay from now (+10s), the same instant sent to all.
    #[arg(long)]
    pub at: Option<String>,
    /// Fault or command name.
    pub name: String,
    /// Parameters as key=value.
    pub params: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Bundled model name or path to a model .ron file.
    #[arg(long, default_value = "masterys-gp-60")]
    pub model: String,
    /// Serve Modbus RTU on a new pty pair (prints the slave path).
    #[arg(long)]
    pub pty: bool,
    /// With --pty: also make this symlink to the pty (e.g. /tmp/ttyUPS0).
    #[arg(long, requires = "pty")]
    pub link: Option<PathBuf>,
    /// On stop, write what was done through the control API (faults, commands, loads) as a
    /// scenario file, with the modes the twin went through as its expectations.
    #[arg(long)]
    pub record: Option<PathBuf>,
    /// Serve Modbus RTU on a real serial port (e.g. /dev/ttyUSB0).
    #[arg(long, conflicts_with = "pty")]
    pub serial: Option<PathBuf>,
    /// Serial speed; the model's by default.
    #[arg(long)]
    pub baud: Option<u32>,
    #[arg(long, value_enum)]
    pub parity: Option<ParityArg>,
    /// Wire timing emulation (default: on for a serial port, off for a pty).
    #[arg(long, value_enum)]
    pub timing: Option<TimingArg>,
    /// Time the UPS takes to start a reply, ms.
    #[arg(long, default_value_t = 2.0)]
    pub turnaround_ms: f64,
    /// Slave id; the model's by default.
    #[arg(long)]
    pub slave_id: Option<u8>,
    /// Serve Modbus TCP here (e.g. 127.0.0.1:1502).
    #[arg(long)]
    pub tcp: Option<String>,
    /// Modbus TCP connections at once; one more closes the connection silent longest (if
    /// silent a second at least), else is closed itself.
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u32).range(1..))]
    pub tcp_max_clients: u32,
    /// A Modbus TCP connection silent this long is closed, s (0: never).
    #[arg(long, default_value_t = 120.0)]
    pub tcp_idle_s: f64,
    /// Control API (HTTP/JSON) address.
    #[arg(long)]
    pub control: Option<String>,
    /// Bearer token the control API requires (required when bound beyond loopback).
    #[arg(long)]
    pub token: Option<String>,
    /// Virtual seconds per wall second.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Write every frame here: a pcap file for Wireshark if it ends in .pcap, CSV otherwise.
    #[arg(long)]
    pub trace: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Initial load, % of the active-power rating.
    #[arg(long, default_value_t = 50.0)]
    pub load_pct: f64,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files or directories (searched for .ron files); a file starting with
    /// `FleetScenario` is a fleet scenario (its twins alone: `--card none`).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The card under test: `none` (the twin alone, virtual time, as fast as possible),
    /// `reference` (our card stack in-process, virtual time, over an in-memory RTU line) or
    /// `exec:CMD` (an external card started with `sh -c CMD` per scenario, wall-clock time;
    /// it finds the twin through UPSTWIN_PTY, UPSTWIN_TCP, UPSTWIN_SLAVE, UPSTWIN_BAUD, and may
    /// listen on UPSTWIN_CARD_PORT; see scenarios/README.md).
    #[arg(long, default_value = "none")]
    pub card: String,
    /// With `exec:`, run the twin this many times faster than real time.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Write JUnit XML here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Write each scenario's trace and timeline under this directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Scenarios run at once (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Override every UPS scenario's seed (a fleet scenario's devices keep the seeds their
    /// fleet file draws).
    #[arg(long)]
    pub seed: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum ScenarioAction {
    /// Turn a NET VISION history log and UPS events log (CSV exports, §21) into a scenario
    /// whose mains and load follow the record and whose expectations are the recorded events.
    /// Writes S.ron and, beside it, S.mains.csv and S.load.csv.
    FromLogs {
        /// History log CSV: Date time, Input Voltage R/S/T, Output Voltage R/S/T, Input
        /// Frequency, Output Load R/S/T, Battery Capacity, UPS Temperature.
        #[arg(long)]
        history: PathBuf,
        /// UPS events log CSV: Event Time, Event Level, Event Description.
        #[arg(long)]
        events: PathBuf,
        /// The scenario file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// The UPS the logs come from: a bundled model or a model file.
        #[arg(long, default_value = "masterys-gp-60")]
        model: String,
    },
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Bundled model name or path to a model .ron file.
    #[arg(long, default_value = "masterys-gp-60")]
    pub model: String,
    /// Virtual time to simulate (e.g. 90s, 30m, 2h, 1h30m).
    #[arg(long, default_value = "1h")]
    pub duration: String,
    /// What happens when: TIME:FAULT[:k=v,...], TIME:clear:FAULT, TIME:cmd:COMMAND[:k=v,...],
    /// TIME:load:pct=P. Repeatable. See `upstwin faults` and `upstwin commands`.
    #[arg(long)]
    pub at: Vec<String>,
    /// Write a CSV trace here.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Time between trace rows.
    #[arg(long, default_value = "1s")]
    pub csv_interval: String,
    /// Seed of the twin's random generator (block spread, genset wander).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Simulation step.
    #[arg(long, default_value = "100ms")]
    pub dt: String,
    /// Initial load, % of the active-power rating.
    #[arg(long, default_value_t = 50.0)]
    pub load_pct: f64,
    /// Load power factor.
    #[arg(long, default_value_t = 0.9)]
    pub power_factor: f64,
    /// Load profile CSV: time_s,l1_kw[,l2_kw,l3_kw].
    #[arg(long)]
    pub load_profile: Option<PathBuf>,
    /// Ambient temperature, °C.
    #[arg(long, default_value_t = 25.0)]
    pub ambient_c: f64,
    /// Initial battery state of charge, %.
    #[arg(long, default_value_t = 100.0)]
    pub soc_pct: f64,
    /// Battery state of health, %.
    #[arg(long, default_value_t = 100.0)]
    pub soh_pct: f64,
}

#[derive(Debug, Subcommand)]
pub enum ModelsAction {
    /// Check a model file (or bundled name): syntax, ranges, register map, battery block.
    Validate {
        /// Bundled model name or path to a .ron file.
        model: String,
    },
    /// Print a bundled model's file, a starting point for your own.
    Show {
        /// Bundled model name.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MapsAction {
    /// Every address of a map: name, unit, scale, source, which models manage it (Markdown).
    Show {
        /// Map name (`jbusp`, `vumap`).
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BatteryAction {
    /// Fit a block to a data-sheet discharge table and print it as a RON block file.
    Fit(FitArgs),
    /// Print a typical block of a chemistry for a capacity, when no data sheet is at hand.
    Typical(TypicalArgs),
    /// Discharge one block from full at constant power or current; prints the minutes to
    /// the end voltage first (e.g. `23.4 min`).
    Discharge(DischargeArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableKindArg {
    /// Cells hold watts per cell.
    Power,
    /// Cells hold amperes.
    Current,
}

#[derive(Debug, Args)]
pub struct FitArgs {
    /// Data-sheet table (CSV: end_v_per_cell, then one column per duration such as `10min`).
    #[arg(long)]
    pub table: PathBuf,
    #[arg(long, value_enum, default_value_t = TableKindArg::Power)]
    pub kind: TableKindArg,
    /// Rated C10 capacity of the block, Ah (estimated from the table if absent).
    #[arg(long)]
    pub capacity_ah: Option<f64>,
    /// Temperature the table was measured at, °C.
    #[arg(long, default_value_t = 25.0)]
    pub temperature_c: f64,
    #[command(flatten)]
    pub block: BlockArgs,
}

#[derive(Debug, Args)]
pub struct TypicalArgs {
    /// Rated C10 capacity, Ah.
    #[arg(long)]
    pub capacity_ah: f64,
    #[command(flatten)]
    pub block: BlockArgs,
}

/// What `fit` and `typical` both need to know about the block besides its capacity.
#[derive(Debug, Args)]
pub struct BlockArgs {
    /// Internal resistance of the block, mΩ (typical for the capacity if absent).
    #[arg(long)]
    pub resistance_mohm: Option<f64>,
    /// Cells per block.
    #[arg(long, default_value_t = 6)]
    pub cells: u32,
    /// Name written into the block file.
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("load").required(true).args(["power_per_cell_w", "current_a"])))]
pub struct DischargeArgs {
    /// Bundled block name or path to a block .ron file.
    #[arg(long)]
    pub block: String,
    /// Constant power per cell, W.
    #[arg(long)]
    pub power_per_cell_w: Option<f64>,
    /// Constant current, A.
    #[arg(long)]
    pub current_a: Option<f64>,
    /// End-of-discharge voltage per cell, V.
    #[arg(long)]
    pub end_v_per_cell: f64,
    /// Block temperature, °C.
    #[arg(long, default_value_t = 25.0)]
    pub temperature_c: f64,
}

#[derive(Debug, Args)]
pub struct AgentArgs {
    /// A card to take orders from, HOST:PORT (its `--agents` address); repeat for several.
    /// Only these cards are obeyed, and only once they prove the shared secret: this is the
    /// authorization list.
    #[arg(long = "card", required = true)]
    pub cards: Vec<String>,
    /// This server's name in the cards' client tables.
    #[arg(long)]
    pub name: String,
    /// A file holding the secret shared with the cards (else $UPSTWIN_AGENT_SECRET).
    #[arg(long)]
    pub secret_file: Option<PathBuf>,
    /// The command to run (with `sh -c`) when the servers are told to shut down; it gets
    /// UPSTWIN_AGENT_EVENT, UPSTWIN_AGENT_CARDS and UPSTWIN_AGENT_TEST. Without it the agent
    /// only logs.
    #[arg(long)]
    pub exec: Option<String>,
    /// Log what would be done, run nothing (the default without --exec).
    #[arg(long)]
    pub dry_run: bool,
    /// Act only when this many of the cards ask (a server fed by several UPSs); default 1.
    #[arg(long, default_value_t = 1)]
    pub redundancy: usize,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Bundled model name or path to a model .ron file.
    #[arg(long, default_value = "masterys-gp-60")]
    pub model: String,
    /// Modbus TCP for other peers (mbpoll, a card on TCP); another free port if taken.
    #[arg(long, default_value = "127.0.0.1:1502")]
    pub tcp: std::net::SocketAddr,
    /// The twin's control API; another free port if taken.
    #[arg(long, default_value = "127.0.0.1:8700")]
    pub control: std::net::SocketAddr,
    /// The reference card's web pages; another free port if taken.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub http: std::net::SocketAddr,
    /// The reference card's web pages over HTTPS; another free port if taken.
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub https: std::net::SocketAddr,
    /// Where the demo's card keeps its settings, logs and accounts (default:
    /// $XDG_STATE_HOME/upstwin/demo-card, else ~/.local/state/upstwin/demo-card).
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
    /// Virtual seconds per wall second.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Initial load, % of the active-power rating.
    #[arg(long, default_value_t = 50.0)]
    pub load_pct: f64,
    /// Set the card's administrator password from this file (its first line) instead of
    /// the first password to change at the first login (a demo ready to show).
    #[arg(long)]
    pub admin_password_file: Option<PathBuf>,
    /// Serve without the window even when there is a display.
    #[arg(long)]
    pub headless: bool,
    /// Tell the demo's story in the window, with captions, again and again: a normal day,
    /// the mains fail, the servers are warned and shut down, the mains come back, the
    /// battery recharges (`scenarios/library/26-demo-story.ron`, at 20×).
    #[arg(long, conflicts_with = "headless")]
    pub story: bool,
    /// Save the window to this PNG once it has run `--screenshot-after-s`, then stop; a
    /// `.json` of the same name beside it says where each synoptic element is in the picture,
    /// its colour and the frame times (for tests that check the picture).
    #[arg(long)]
    pub screenshot: Option<PathBuf>,
    #[arg(long, default_value_t = 3.0)]
    pub screenshot_after_s: f32,
}

#[derive(Debug, Args)]
pub struct GuiArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The scenario's instant to open on, s (its events up to then have happened).
    #[arg(long, default_value_t = 0.0)]
    pub at_s: f64,
    /// Play on from there (else the player waits, paused).
    #[arg(long)]
    pub play: bool,
    /// Virtual seconds per wall second, 1 to 1000.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Save the window to this PNG once it has run `--screenshot-after-s`, then close it; a
    /// `.json` of the same name beside it says where each synoptic element is in the picture,
    /// its colour and the frame times (for tests that check the picture).
    #[arg(long)]
    pub screenshot: Option<PathBuf>,
    #[arg(long, default_value_t = 3.0)]
    pub screenshot_after_s: f32,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("ups").required(true).args(["port", "tcp"]))]
pub struct CardArgs {
    /// The UPS on a serial port or pty (e.g. the path `upstwin serve --pty` prints).
    #[arg(long)]
    pub port: Option<PathBuf>,
    /// The UPS over Modbus TCP (e.g. 127.0.0.1:1502).
    #[arg(long)]
    pub tcp: Option<std::net::SocketAddr>,
    /// The card's settings (default: card.ron in the state directory; the manual's
    /// defaults when it does not exist). The options below override it for this run.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Where the card keeps its logs and settings (default: $XDG_STATE_HOME/upstwin/card,
    /// else ~/.local/state/upstwin/card).
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
    /// Serve the web pages and the REST API here (login needed: a browser session, or HTTP
    /// Basic credentials for programs).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub http: std::net::SocketAddr,
    /// Serve them over HTTPS here too, with the card's certificate (self-signed at the first
    /// start, kept as https.pem in the state directory). The settings' web.http_enabled and
    /// web.https_enabled say which of the two is served.
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub https: std::net::SocketAddr,
    /// Set the administrator's password from this file (its first line), instead of the
    /// first password (the MAC's last 6 characters) to change at the first login. For
    /// provisioning and tests; the password policy applies.
    #[arg(long)]
    pub admin_password_file: Option<PathBuf>,
    /// Serve the UPS's tables over Modbus TCP here (settings: modbus_tcp.enabled and .port,
    /// off by default; §18.12).
    #[arg(long)]
    pub modbus_tcp: Option<std::net::SocketAddr>,
    /// Serve SNMP (RFC 1628 UPS-MIB and the NET VISION MIB) here (settings: snmp.enabled and
    /// .port, off by default; port 161 needs privileges, tests use high ports).
    #[arg(long)]
    pub snmp: Option<std::net::SocketAddr>,
    /// Accept shutdown agents (`upstwin agent`) here (settings: shutdown.agents.enabled and
    /// .port, default 6010, off by default; the shared secret is shutdown.agents.secret).
    #[arg(long)]
    pub agents: Option<std::net::SocketAddr>,
    /// The UPS's Modbus slave address (settings: serial.slave, default 1).
    #[arg(long)]
    pub slave: Option<u8>,
    /// Serial speed, pinned (settings: serial.baud, default 9600, and serial.find_baud,
    /// default on: the card finds the UPS's speed among 2400, 9600, 19200, 57600).
    #[arg(long)]
    pub baud: Option<u32>,
    /// Seconds between two polls (settings: polling_s, §18.2 default 2).
    #[arg(long)]
    pub polling_s: Option<f64>,
    /// Seconds without an answer before the UPS is declared lost (settings: lost_after_s,
    /// default 10).
    #[arg(long)]
    pub lost_after_s: Option<f64>,
    /// Seconds between two history log records (settings: history_interval_s, default 60).
    #[arg(long)]
    pub history_s: Option<f64>,
    /// Seconds between two extended history log records (settings: extended_interval_min,
    /// default 60 min).
    #[arg(long)]
    pub extended_s: Option<f64>,
}
