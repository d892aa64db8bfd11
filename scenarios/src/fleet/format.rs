//! The fleet file format (RON): sites, the feeds that supply them, and groups of UPSs on
//! each feed, every device distinct (name, serial, MAC, address). Described with an
//! annotated example in `scenarios/fleets/README.md`.

use serde::Deserialize;
use std::net::Ipv4Addr;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fleet {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Draws every device's load, state of health and twin seed.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Where the devices answer.
    pub addresses: Addresses,
    /// The settings file (the reference card's `card.ron` format, path relative to the fleet
    /// file) every `card: Reference` starts from: trap receivers, communities, managers.
    /// Each card then gets its device's name and address. Default: the card's defaults.
    #[serde(default)]
    pub card_settings: Option<String>,
    pub sites: Vec<Site>,
}

fn default_seed() -> u64 {
    1
}

/// How devices get their network addresses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub enum Addresses {
    /// One loopback address per device, counting up from `first` (Linux routes all of
    /// 127.0.0.0/8 to the loopback interface: no configuration needed), each on the
    /// standard ports. Ports below 1024 need root or CAP_NET_BIND_SERVICE.
    Loopback {
        first: Ipv4Addr,
        #[serde(default = "modbus_port")]
        modbus_port: u16,
        /// Where a device's card (`card: Reference`) answers SNMP.
        #[serde(default = "snmp_port")]
        snmp_port: u16,
        #[serde(default)]
        listen: Listen,
    },
    /// One address per device, counting up from `first`, from a range the host has as its
    /// own: a secondary network (a pod's range on Kubernetes, a namespace's on a bridge)
    /// made local with `ip route add local 10.201.0.0/24 dev lo`. Each shard serves a
    /// contiguous part of the range (`--shard K/N`), so a route per shard reaches it.
    Range {
        first: Ipv4Addr,
        #[serde(default = "modbus_port")]
        modbus_port: u16,
        /// Where a device's card (`card: Reference`) answers SNMP.
        #[serde(default = "snmp_port")]
        snmp_port: u16,
        #[serde(default)]
        listen: Listen,
    },
    /// One address for every device, a port each counting up from `first_modbus_port`:
    /// for hosts that cannot have an address per device (no `card: Reference` then: a
    /// card's traps are told apart by their source address).
    Ports { address: Ipv4Addr, first_modbus_port: u16 },
}

fn modbus_port() -> u16 {
    502
}

fn snmp_port() -> u16 {
    161
}

/// How the devices' sockets are opened when each has an address of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Listen {
    /// A socket per device, bound to its own address.
    #[default]
    Each,
    /// One socket per port bound to every address of the host (0.0.0.0), each connection
    /// going to the device at the address it was made to, closed at once for any other
    /// address: for fleets larger than the open-file limit allows one socket each. The
    /// port is then open on every interface of the host.
    Shared,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub name: String,
    pub feeds: Vec<Feed>,
    pub groups: Vec<Group>,
}

/// A supply of the site (a utility feed, behind an ATS with a genset when it has one): a
/// fault on a feed hits every UPS on it at the same instant.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feed {
    pub name: String,
    /// The genset the feed's ATS starts when the utility fails.
    #[serde(default)]
    pub genset: Option<Genset>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genset {
    /// From the utility's failure to the genset taking the load, e.g. "10s".
    pub start_delay: String,
    /// Its rating as a share of each UPS's rating, %.
    #[serde(default = "genset_rating_pct")]
    pub rating_pct: f64,
}

fn genset_rating_pct() -> f64 {
    150.0
}

/// `count` UPSs on one feed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    /// The feed (of this site) that supplies them.
    pub feed: String,
    pub count: u32,
    /// One model for all (bundled name or path relative to the fleet file) ...
    #[serde(default)]
    pub model: Option<String>,
    /// ... or a weighted mix: `[("masterys-gp-60", 3), ("netys-pr-3k", 1)]`.
    #[serde(default)]
    pub mix: Vec<(String, u32)>,
    /// Device names: `{site}`, `{group}`, `{n}` (1, 2, …), `{n:03}` (001, …), `{i}` (the
    /// device's number in the fleet, from 1).
    #[serde(default = "default_names")]
    pub names: String,
    /// Serial numbers, same placeholders; as many characters as the model's map carries at
    /// most (JBUSP 10, VU-MAP 20).
    #[serde(default = "default_serials")]
    pub serials: String,
    /// The first three bytes of the devices' MACs; the last three are the device's number in
    /// the fleet. Default: a locally administered prefix.
    #[serde(default = "default_mac_prefix")]
    pub mac_prefix: String,
    /// Each device's load, % of its rating, drawn evenly in [low, high].
    #[serde(default = "default_load_pct")]
    pub load_pct: (f64, f64),
    /// Each device's battery state of health, %, drawn evenly in [low, high].
    #[serde(default = "default_soh_pct")]
    pub soh_pct: (f64, f64),
    /// What polls each UPS of the group and speaks for it on the network.
    #[serde(default)]
    pub card: Card,
}

/// What a device shows on the network besides the twin's own Modbus TCP.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Card {
    /// Nothing: a UPS with a Modbus TCP interface.
    #[default]
    None,
    /// The reference card in its slot: it polls the twin over Modbus TCP, answers SNMP
    /// (RFC 1628 and the NET VISION MIB) at the device's address and sends its traps from
    /// there.
    Reference,
}

fn default_names() -> String {
    "{group}-{n:03}".into()
}

fn default_serials() -> String {
    "FLT{i:07}".into()
}

fn default_mac_prefix() -> String {
    "02:55:50".into()
}

fn default_load_pct() -> (f64, f64) {
    (50.0, 50.0)
}

fn default_soh_pct() -> (f64, f64) {
    (100.0, 100.0)
}
