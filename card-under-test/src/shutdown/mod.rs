//! Shutdown management (§16.8) and the shutdown agents (§15): the sequence (`manager`), the
//! events it watches (`events`), the protocol the agents speak (`protocol`, `client` for
//! the agent's side), the card's listener and client table (`listener`), and the service
//! that runs it all on the card's clock (`service`).

pub mod client;
pub mod events;
pub mod listener;
pub mod manager;
pub mod protocol;
mod service;

pub use manager::{Manager, Order};
pub use service::{run, start_test};

use crate::clock::Stamp;
use crate::config::ShutdownEvent;
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{Notify, broadcast};

/// A row of the client table (§15).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientRow {
    pub index: u32,
    pub ip_address: std::net::IpAddr,
    pub client_name: String,
    pub connected_time: Stamp,
}

/// Messages waiting for slow agents before the oldest is dropped (an agent that lags this
/// far is told so and reconnects).
const BACKLOG: usize = 64;

/// Shutdown management's state, shared by its service, the agents' listener and the API.
/// Whoever needs the card too locks the card first (`Shared::lock`), then this.
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    state: Arc<Mutex<State>>,
    /// Wakes the service (the test button).
    wake: Arc<Notify>,
}

impl Shutdown {
    /// The state; a panic elsewhere while it was held does not make it unreadable.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What the card keeps for shutdown management.
#[derive(Debug)]
pub struct State {
    pub manager: Manager,
    /// The schedule events under way (from a shutdown moment to its restart).
    pub scheduled: BTreeSet<ShutdownEvent>,
    /// Up to when the shutdown schedules have been looked at (card calendar time, Unix s).
    scheduled_seen_s: Option<i64>,
    pub clients: Vec<ClientRow>,
    /// The orders for every connected agent (each connection numbers and signs them).
    pub to_agents: broadcast::Sender<protocol::Message>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            manager: Manager::default(),
            scheduled: BTreeSet::new(),
            scheduled_seen_s: None,
            clients: Vec::new(),
            to_agents: broadcast::channel(BACKLOG).0,
        }
    }
}
