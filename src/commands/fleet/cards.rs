//! The reference card of each `card: Reference` device, as in its UPS's slot: it polls its
//! twin over Modbus TCP at the device's address (a real link, as any card), answers SNMP at
//! the device's address and sends its traps (and syslog) from there, so that a supervisor
//! sees one card per UPS. Its logs and SNMP engine live in a directory of its own.

use super::members::Members;
use crate::commands::Failure;
use card::clock::Clock;
use card::config::Config;
use card::link::Link;
use card::outlet::Outlet;
use card::poller::PollEvent;
use card::stack::Stack;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::task::JoinSet;

/// The settings every card starts from: the fleet's `card_settings` file, or the card's
/// defaults.
pub fn base_settings(file: Option<&Path>) -> Result<Config, Failure> {
    match file {
        Some(path) => Config::load(path).map_err(Failure::bad_input),
        None => Ok(Config::default()),
    }
}

/// Starts the card of every member that has one, each keeping its state in
/// `state_root/NAME`; returns how many.
pub async fn start(
    members: &Arc<Members>,
    base: &Config,
    state_root: &Path,
    tasks: &mut JoinSet<()>,
) -> Result<usize, Failure> {
    let mut states = Vec::new();
    for (index, member) in members.members.iter().enumerate() {
        let Some(snmp) = member.device.snmp else { continue };
        let device = &member.device;
        let mut config = base.clone();
        config.system_name = device.name.clone();
        config.network.ip_address = *snmp.ip();
        config.snmp.enabled = true;
        config.snmp.port = snmp.port();
        // The card's settings with the device's name as its System Name, checked as any
        // settings file the card loads.
        config.check().map_err(|why| Failure::bad_input(format!("{}'s card: {why}", device.name)))?;
        let state_dir = state_root.join(&device.name);
        std::fs::create_dir_all(&state_dir).map_err(|e| {
            Failure::failed(format!("{}: cannot keep its card's state: {e}", state_dir.display()))
        })?;
        let socket = tokio::net::UdpSocket::bind(SocketAddr::V4(snmp)).await.map_err(|e| {
            Failure::failed(format!("{}'s card cannot answer SNMP at {snmp}: {e}", device.name))
        })?;
        let assembled =
            Stack::new(Link::Tcp(SocketAddr::V4(device.modbus)), Clock::system(), config, &state_dir)
                .outlet(Outlet::NetworkFrom(IpAddr::V4(*snmp.ip())))
                .build()
                .map_err(|e| {
                    Failure::failed(format!("{}: cannot keep its card's logs: {e}", state_dir.display()))
                })?;
        let shared = assembled.site.card.clone();
        states.push((index, shared.clone()));
        tasks.spawn(async move {
            if let Err(e) = card::snmp::serve(socket, shared, Some(&state_dir)).await {
                eprintln!("upstwin fleet: a card's SNMP: {e}");
            }
        });
        let counted = members.clone();
        let mut online = false;
        assembled.start(tasks, move |event, _| {
            let now = match event {
                PollEvent::FirstPoll | PollEvent::CommRestored => true,
                PollEvent::CommLost => false,
                PollEvent::Cycle => online,
            };
            if now != online {
                online = now;
                if now {
                    counted.cards_online.fetch_add(1, Ordering::Relaxed);
                } else {
                    counted.cards_online.fetch_sub(1, Ordering::Relaxed);
                }
            }
        });
    }
    let started = states.len();
    let _ = members.card_states.set(states);
    Ok(started)
}
