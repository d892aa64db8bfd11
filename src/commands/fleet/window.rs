//! `upstwin fleet --window`: the window on the fleet this process serves — its devices as
//! tiles, its feeds' buttons acting through `Members::apply` (every UPS of the feed at one
//! twin instant, the genset with it, as the control API does), a click opening a device with
//! its reference card beside the truth.

use super::members::{Members, Scope};
use crate::cli::FleetArgs;
use crate::commands::{CommandResult, Failure};
use gui::fleet::{FleetDevice, FleetSetup, Identity};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

pub fn run(args: &FleetArgs, members: &Arc<Members>, control: SocketAddr) -> CommandResult {
    let first = members.members.first().ok_or_else(|| Failure::failed("the fleet has no device to show"))?;
    let cards: HashMap<usize, card::run::Shared> =
        members.card_states.get().into_iter().flatten().cloned().collect();
    let devices = members
        .members
        .iter()
        .enumerate()
        .map(|(index, member)| {
            let device = &member.device;
            FleetDevice {
                identity: Identity {
                    name: device.name.clone(),
                    site: device.site.clone(),
                    feed: device.feed.clone(),
                    group: device.group.clone(),
                    model: device.model.clone(),
                    address: device.modbus.to_string(),
                },
                twin: member.twin.clone(),
                card: cards.get(&index).cloned(),
            }
        })
        .collect();
    let acting = members.clone();
    let act = Arc::new(move |feed: &str, control: sim::twin::control::Control| {
        let outcome = acting.apply(&Scope::Feed(feed.to_string()), &control);
        match outcome.first_refusal {
            Some(why) => format!("{} devices took it, {} refused ({why})", outcome.done, outcome.refused),
            None => format!("{} devices took it", outcome.done),
        }
    });
    let setup = gui::Setup {
        twin: first.twin.clone(),
        card: None,
        links: vec![("Fleet API".into(), format!("http://{control}/api/fleet"))],
        capture: args.screenshot.clone().map(|path| gui::Capture { path, after_s: args.screenshot_after_s }),
        scenario: None,
        fleet: Some(FleetSetup {
            name: members.name.clone(),
            devices,
            feeds: members.feeds.clone(),
            act,
            open: args.open.clone(),
        }),
    };
    gui::run(setup).map_err(Failure::failed)
}
