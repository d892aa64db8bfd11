//! A fleet file checked and expanded: every device with its identity, address, feed, model,
//! load and state of health, drawn from the fleet's seed so that the same file gives the
//! same fleet on every machine (and every shard).

use super::format::{Addresses, Card, Fleet, Group, Listen};
use super::pattern::{Pattern, Place};
use super::scope::Scope;
use rand::{RngExt, SeedableRng};
use sim::SimRng;
use sim::run::script::parse_duration_s;
use std::collections::{BTreeMap, HashMap};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use ups_models::LoadedModel;

/// Most devices a fleet file may hold (a shard serves a part of them).
pub const MAX_DEVICES: usize = 1_000_000;

/// One UPS of the fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    /// Its place in the fleet, from 0: shards and MACs count with it.
    pub index: usize,
    pub name: String,
    pub site: String,
    pub feed: String,
    pub group: String,
    /// Key into `Plan::models`.
    pub model: String,
    pub serial: String,
    pub mac: [u8; 6],
    pub modbus: SocketAddrV4,
    /// Where its reference card answers SNMP; `None`: no card (`card: None`).
    pub snmp: Option<SocketAddrV4>,
    pub load_pct: f64,
    pub soh_pct: f64,
    /// Its twin's seed.
    pub seed: u64,
}

impl Device {
    pub fn mac_text(&self) -> String {
        self.mac.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeedPlan {
    pub name: String,
    pub site: String,
    pub genset: Option<GensetPlan>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GensetPlan {
    pub start_delay_s: f64,
    pub rating_pct: f64,
}

/// What a feed's ATS does with its genset when a mains blackout starts or ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Ats {
    /// Start it: the `genset` fault's parameters.
    StartGenset(BTreeMap<String, f64>),
    StopGenset,
}

impl FeedPlan {
    /// What this feed's ATS does when a mains blackout on `scope` starts (`starts`) or ends.
    /// Nothing without a genset, nor for a group or a device: that is the UPSs' own input,
    /// which the ATS does not see.
    pub fn ats(&self, scope: &Scope, starts: bool) -> Option<Ats> {
        let genset = self.genset.filter(|_| scope.is_supply())?;
        Some(if starts { Ats::StartGenset(genset.fault_params()) } else { Ats::StopGenset })
    }
}

impl GensetPlan {
    /// The parameters of the `genset` fault that starts it on each UPS of its feed.
    pub fn fault_params(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("start_delay_s".to_string(), self.start_delay_s),
            ("rating_pct".to_string(), self.rating_pct),
        ])
    }
}

/// The fleet, expanded.
#[derive(Debug, Clone)]
pub struct Plan {
    pub name: String,
    pub description: String,
    pub feeds: Vec<FeedPlan>,
    pub devices: Vec<Device>,
    /// How the devices' sockets are opened.
    pub listen: Listen,
    /// The models the groups name, loaded once.
    pub models: BTreeMap<String, Arc<LoadedModel>>,
    /// The settings file every reference card starts from (found next to the fleet file).
    pub card_settings: Option<PathBuf>,
}

/// What is wrong, and near which text of the file (a quoted value, or a key path).
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub near: String,
    pub message: String,
}

fn invalid(near: impl Into<String>, message: impl Into<String>) -> Invalid {
    Invalid { near: near.into(), message: message.into() }
}

fn unique<'a>(names: impl Iterator<Item = &'a str>, what: &str) -> Result<(), Invalid> {
    let mut seen = std::collections::HashSet::new();
    for name in names {
        if name.trim().is_empty() {
            return Err(invalid(format!("{what}s"), format!("{what} names: not empty")));
        }
        if !seen.insert(name) {
            return Err(invalid(
                name,
                format!("two {what}s are called `{name}`: names are unique in a fleet"),
            ));
        }
    }
    Ok(())
}

fn mac_prefix(text: &str) -> Result<[u8; 3], Invalid> {
    let bytes: Vec<u8> =
        text.split(':').filter_map(|b| (b.len() == 2).then(|| u8::from_str_radix(b, 16).ok())?).collect();
    match (text.split(':').count(), bytes.as_slice()) {
        (3, [a, b, c]) => Ok([*a, *b, *c]),
        _ => Err(invalid(text, format!("mac_prefix `{text}`: three hex bytes like 00:e0:d8"))),
    }
}

fn range(group: &Group, field: &str, (low, high): (f64, f64), bounds: (f64, f64)) -> Result<(), Invalid> {
    let ok = low.is_finite() && high.is_finite() && bounds.0 <= low && low <= high && high <= bounds.1;
    if ok {
        Ok(())
    } else {
        Err(invalid(
            format!("sites.groups.{field}"),
            format!(
                "group {}: {field} ({low}, {high}): low ≤ high, within {} to {}",
                group.name, bounds.0, bounds.1
            ),
        ))
    }
}

/// The models of a group, with their weights.
fn choices(group: &Group) -> Result<Vec<(String, u32)>, Invalid> {
    match (&group.model, group.mix.is_empty()) {
        (Some(model), true) => Ok(vec![(model.clone(), 1)]),
        (None, false) if group.mix.iter().all(|(_, weight)| *weight > 0) => Ok(group.mix.clone()),
        (None, false) => Err(invalid("mix", format!("group {}: mix weights above 0", group.name))),
        _ => Err(invalid(
            group.name.as_str(),
            format!("group {}: give `model: \"…\"` or `mix: [(\"…\", weight), …]`, one of them", group.name),
        )),
    }
}

/// The device's address.
fn address(addresses: &Addresses, index: usize) -> Option<SocketAddrV4> {
    let index = u32::try_from(index).ok()?;
    match addresses {
        Addresses::Loopback { first, modbus_port, .. } => {
            let ip = u32::from(*first).checked_add(index)?;
            let ip = Ipv4Addr::from(ip);
            (ip.octets()[0] == 127 && ip != Ipv4Addr::new(127, 255, 255, 255))
                .then_some(SocketAddrV4::new(ip, *modbus_port))
        }
        Addresses::Range { first, modbus_port, .. } => {
            let ip = Ipv4Addr::from(u32::from(*first).checked_add(index)?);
            routable(ip).then_some(SocketAddrV4::new(ip, *modbus_port))
        }
        Addresses::Ports { address, first_modbus_port } => {
            let port = u16::try_from(u32::from(*first_modbus_port).checked_add(index)?).ok()?;
            Some(SocketAddrV4::new(*address, port))
        }
    }
}

/// An address a device of a `Range` can own: unicast, neither "this network" (0/8),
/// loopback (that is `Loopback`'s) nor multicast and above.
fn routable(ip: Ipv4Addr) -> bool {
    !(ip.octets()[0] == 0 || ip.is_loopback() || ip.octets()[0] >= 224)
}

/// Checks the fleet and expands it; models named by a path are found next to `dir`.
pub fn plan(fleet: &Fleet, dir: &Path) -> Result<Plan, Invalid> {
    if fleet.sites.is_empty() {
        return Err(invalid("sites", "sites: at least one"));
    }
    match fleet.addresses {
        Addresses::Loopback { first, modbus_port, snmp_port, .. }
            if first.octets()[0] != 127 || modbus_port == 0 || snmp_port == 0 =>
        {
            return Err(invalid(
                "addresses",
                "Loopback: `first` in 127.0.0.0/8, a modbus_port and an snmp_port above 0",
            ));
        }
        Addresses::Range { first, modbus_port, snmp_port, .. }
            if !routable(first) || modbus_port == 0 || snmp_port == 0 =>
        {
            return Err(invalid(
                "addresses",
                "Range: `first` a unicast address outside 0/8, 127/8 (use Loopback) and 224/3, a modbus_port and an snmp_port above 0",
            ));
        }
        Addresses::Ports { first_modbus_port: 0, .. } => {
            return Err(invalid("addresses", "Ports: first_modbus_port above 0"));
        }
        _ => {}
    }
    unique(fleet.sites.iter().map(|s| s.name.as_str()), "site")?;
    unique(fleet.sites.iter().flat_map(|s| &s.feeds).map(|f| f.name.as_str()), "feed")?;
    unique(fleet.sites.iter().flat_map(|s| &s.groups).map(|g| g.name.as_str()), "group")?;

    let mut feeds = Vec::new();
    for site in &fleet.sites {
        for feed in &site.feeds {
            let genset = match &feed.genset {
                None => None,
                Some(genset) => {
                    let start_delay_s = parse_duration_s(&genset.start_delay)
                        .ok()
                        .filter(|s| (0.0..=600.0).contains(s))
                        .ok_or_else(|| {
                            invalid(&genset.start_delay, "start_delay: a time from 0s to 10m, e.g. \"10s\"")
                        })?;
                    if !(50.0..=1000.0).contains(&genset.rating_pct) {
                        return Err(invalid(
                            "rating_pct",
                            "genset rating_pct: 50 to 1000 (% of each UPS's rating)",
                        ));
                    }
                    Some(GensetPlan { start_delay_s, rating_pct: genset.rating_pct })
                }
            };
            feeds.push(FeedPlan { name: feed.name.clone(), site: site.name.clone(), genset });
        }
    }

    let mut models: BTreeMap<String, Arc<LoadedModel>> = BTreeMap::new();
    // The serial number's length each model's map carries.
    let mut serial_chars: HashMap<String, usize> = HashMap::new();
    let mut rng = SimRng::seed_from_u64(fleet.seed);
    let mut devices = Vec::new();
    let mut serials: HashMap<String, String> = HashMap::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for site in &fleet.sites {
        for group in &site.groups {
            if !site.feeds.iter().any(|f| f.name == group.feed) {
                let known: Vec<&str> = site.feeds.iter().map(|f| f.name.as_str()).collect();
                return Err(invalid(
                    &group.feed,
                    format!(
                        "group {}: feed `{}` is not a feed of site {}: {known:?}",
                        group.name, group.feed, site.name
                    ),
                ));
            }
            if group.count == 0 {
                return Err(invalid("count", format!("group {}: count at least 1", group.name)));
            }
            range(group, "load_pct", group.load_pct, (0.0, sim::twin::control::MAX_LOAD_PCT))?;
            range(group, "soh_pct", group.soh_pct, (1.0, 100.0))?;
            let prefix = mac_prefix(&group.mac_prefix)?;
            let name_pattern = Pattern::parse(&group.names).map_err(|e| invalid(&group.names, e))?;
            let serial_pattern = Pattern::parse(&group.serials).map_err(|e| invalid(&group.serials, e))?;
            let choices = choices(group)?;
            for (model, _) in &choices {
                if !models.contains_key(model) {
                    let path = dir.join(model);
                    let reference = if model.ends_with(".ron") {
                        path.to_string_lossy().into_owned()
                    } else {
                        model.clone()
                    };
                    let loaded =
                        ups_models::load_model(&reference).map_err(|e| invalid(model, e.to_string()))?;
                    let chars = ups_models::maps::bundled(&loaded.model.register_map)
                        .map_or(usize::MAX, |map| ups_models::maps::serial_chars(&map));
                    serial_chars.insert(model.clone(), chars);
                    models.insert(model.clone(), Arc::new(loaded));
                }
            }
            let total_weight: u32 = choices.iter().map(|(_, w)| w).sum();
            for in_group in 1..=group.count as usize {
                let index = devices.len();
                if index >= MAX_DEVICES {
                    return Err(invalid("count", format!("at most {MAX_DEVICES} devices in a fleet")));
                }
                let place = Place { site: &site.name, group: &group.name, in_group, in_fleet: index + 1 };
                let mut pick = rng.random_range(0..total_weight);
                let model = choices
                    .iter()
                    .find(|(_, weight)| {
                        let chosen = pick < *weight;
                        pick = pick.saturating_sub(*weight);
                        chosen
                    })
                    .map_or_else(|| choices[0].0.clone(), |(m, _)| m.clone());
                let draw = |rng: &mut SimRng, (low, high): (f64, f64)| {
                    if high > low { rng.random_range(low..=high) } else { low }
                };
                let load_pct = draw(&mut rng, group.load_pct);
                let soh_pct = draw(&mut rng, group.soh_pct);
                let seed = rng.random::<u64>();
                let name = name_pattern.expand(place);
                // A name is a path segment of the control API and the folder of its card's
                // state: one segment, nothing a path or a URL reads otherwise.
                let plain = |c: char| !(c == '/' || c == '\\' || c == '?' || c == '#' || c.is_control());
                if name.is_empty() || name == "." || name == ".." || !name.chars().all(plain) {
                    return Err(invalid(
                        &group.names,
                        format!(
                            "group {}: device name `{name}`: not empty, not . or .., without / \\ ? # or control characters",
                            group.name
                        ),
                    ));
                }
                let serial = serial_pattern.expand(place);
                let serial_chars = serial_chars[&model];
                if !serial.is_ascii() || serial.len() > serial_chars {
                    return Err(invalid(
                        &group.serials,
                        format!(
                            "group {}: serial `{serial}`: ASCII, at most {serial_chars} characters for {model}",
                            group.name
                        ),
                    ));
                }
                if let Some(other) = names.insert(name.clone(), group.name.clone()) {
                    return Err(invalid(
                        &group.names,
                        format!(
                            "group {}: device name `{name}` is also one of group {other}: number them ({{n}}, {{i}})",
                            group.name
                        ),
                    ));
                }
                if let Some(other) = serials.insert(serial.clone(), group.name.clone()) {
                    return Err(invalid(
                        &group.serials,
                        format!(
                            "group {}: serial `{serial}` is also one of group {other}: number them ({{i}})",
                            group.name
                        ),
                    ));
                }
                let modbus = address(&fleet.addresses, index).ok_or_else(|| {
                    invalid(
                        "addresses",
                        format!("device {} ({name}) has no address left in the range", index + 1),
                    )
                })?;
                let snmp = match (group.card, &fleet.addresses) {
                    (Card::None, _) => None,
                    (
                        Card::Reference,
                        Addresses::Loopback { snmp_port, .. } | Addresses::Range { snmp_port, .. },
                    ) => Some(SocketAddrV4::new(*modbus.ip(), *snmp_port)),
                    (Card::Reference, Addresses::Ports { .. }) => {
                        return Err(invalid(
                            group.name.as_str(),
                            format!(
                                "group {}: card: Reference needs an address per device (Loopback or Range): \
                                 receivers tell cards apart by their traps' source address",
                                group.name
                            ),
                        ));
                    }
                };
                let number = u32::try_from(index + 1).unwrap_or(u32::MAX).to_be_bytes();
                let mac = [prefix[0], prefix[1], prefix[2], number[1], number[2], number[3]];
                devices.push(Device {
                    index,
                    name,
                    site: site.name.clone(),
                    feed: group.feed.clone(),
                    group: group.name.clone(),
                    model,
                    serial,
                    mac,
                    modbus,
                    snmp,
                    load_pct,
                    soh_pct,
                    seed,
                });
            }
        }
    }
    let listen = match fleet.addresses {
        Addresses::Loopback { listen, .. } | Addresses::Range { listen, .. } => listen,
        Addresses::Ports { .. } => Listen::Each,
    };
    let card_settings = match &fleet.card_settings {
        Some(file) if !dir.join(file).is_file() => {
            return Err(invalid(
                file,
                format!("card_settings `{file}`: no such file next to the fleet file"),
            ));
        }
        Some(file) => Some(dir.join(file)),
        None => None,
    };
    Ok(Plan {
        name: fleet.name.clone(),
        description: fleet.description.clone(),
        feeds,
        devices,
        listen,
        models,
        card_settings,
    })
}
