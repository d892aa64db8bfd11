//! The one place the reference card is assembled: a link to its UPS, a clock, its settings,
//! a state directory and an outlet become the card's shared state and its poll loop.
//! `upstwin card` (and so the demo) and the co-simulated runner (`--card reference`) both
//! build it here, and many stacks can live in one process; the servers that need sockets
//! (HTTP, HTTPS, SNMP, northbound Modbus, the agents' listener) are started by whoever owns
//! the sockets, on the `Shared` the stack hands out.

use crate::clock::Clock;
use crate::config::Config;
use crate::core::{Candidate, Card};
use crate::link::{Link, Master};
use crate::logs::Logs;
use crate::outlet::Outlet;
use crate::poller::PollEvent;
use crate::run::{self, Agent};
use crate::shutdown::Shutdown;
use crate::web::accounts::Store;
use crate::web::{Site, Web};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tokio::task::JoinSet;

/// The bundled maps the card tries, in order, each with its rules: parsed once per process
/// and shared by every card in it (a fleet runs thousands).
pub fn bundled_maps() -> Vec<Candidate> {
    static PARSED: OnceLock<Vec<Candidate>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            ["jbusp", "vumap"]
                .into_iter()
                .filter_map(ups_models::maps::bundled)
                .filter_map(|map| crate::rules::bundled(&map).map(|rules| (Arc::new(map), Arc::new(rules))))
                .collect()
        })
        .clone()
}

/// A card to assemble.
#[derive(Debug)]
pub struct Stack {
    link: Link,
    clock: Clock,
    config: Config,
    state_dir: PathBuf,
    settings_file: Option<PathBuf>,
    outlet: Outlet,
    accounts: Option<Store>,
}

impl Stack {
    /// A card polling its UPS over `link` on `clock` with `config`, keeping its logs in
    /// `state_dir`. Until said otherwise its settings live in memory only, what it sends goes
    /// to the network, and it has no web accounts.
    pub fn new(link: Link, clock: Clock, config: Config, state_dir: &Path) -> Self {
        Self {
            link,
            clock,
            config,
            state_dir: state_dir.to_path_buf(),
            settings_file: None,
            outlet: Outlet::Network,
            accounts: None,
        }
    }

    /// Settings changed from the API or the pages are saved to `path`.
    pub fn settings_file(mut self, path: PathBuf) -> Self {
        self.settings_file = Some(path);
        self
    }

    /// Where mails, syslog messages, traps, magic packets and the agents' messages go.
    pub fn outlet(mut self, outlet: Outlet) -> Self {
        self.outlet = outlet;
        self
    }

    /// The web interface's accounts.
    pub fn accounts(mut self, accounts: Store) -> Self {
        self.accounts = Some(accounts);
        self
    }

    /// Opens the logs and assembles the card; nothing runs until `Assembled::start`.
    pub fn build(self) -> std::io::Result<Assembled> {
        let Stack { link, clock, config, state_dir, settings_file, outlet, accounts } = self;
        let (logs, log_writer) = Logs::open(&state_dir, clock.stamp())?;
        // Over a serial line the card finds the UPS's speed; over TCP there is none.
        let bauds = if link.baud().is_some() { config.serial.bauds_to_try() } else { Vec::new() };
        let card =
            Card::new(bundled_maps(), config.poll(), config.intervals(), logs, clock.now_s(), clock.stamp())
                .trying_bauds(bauds);
        let (where_, line_baud) = (link.to_string(), link.baud());
        let master =
            Master::new(link, config.serial.slave).with_additional_timeout(config.serial.fixed_timeout());
        let mut agent = Agent::new(card, where_, line_baud, clock, config);
        agent.config_path = settings_file;
        agent.outlet = outlet;
        let site = Site {
            card: run::Shared::new(agent, log_writer),
            web: Web::new(accounts),
            shutdown: Shutdown::default(),
        };
        Ok(Assembled { site, master })
    }
}

/// An assembled card, not yet polling.
#[derive(Debug)]
pub struct Assembled {
    /// What the servers, the API and whoever runs beside the card share.
    pub site: Site,
    master: Master,
}

impl Assembled {
    /// Starts the log writer, the services that send what the card raises (mail, syslog,
    /// shutdown management) and the poll loop on `tasks`; `on_event` hears every poll event with the
    /// agent after it. Returns the card's shared state.
    pub fn start(
        self,
        tasks: &mut JoinSet<()>,
        on_event: impl FnMut(PollEvent, &Agent) + Send + 'static,
    ) -> Site {
        let Site { card, shutdown, .. } = &self.site;
        tasks.spawn(card.clone().write_logs());
        crate::services::spawn(card, shutdown, tasks);
        tasks.spawn(run::poll(self.master, card.clone(), on_event));
        self.site
    }
}
