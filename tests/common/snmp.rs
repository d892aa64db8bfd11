//! net-snmp's tools against the card: walks parsed into OID → value, and the card started
//! with its SNMP agent on a free port.

use super::{Card, Served};
use std::collections::BTreeMap;
use std::process::{Command, Output};

pub const SNMPWALK: &str = "/usr/bin/snmpwalk";
pub const SNMPTRAPD: &str = "/usr/sbin/snmptrapd";

/// A card polling `served` with `config` as its settings file, SNMP on a port the card
/// binds itself (port 0) and says in its ready line: no port picked, freed and taken again.
pub struct SnmpCard {
    pub card: Card,
    pub snmp: String,
}

impl SnmpCard {
    pub fn start(served: &Served, name: &str, config: &str) -> SnmpCard {
        let card = Card::start(served, name, config, &["--snmp", "127.0.0.1:0"]);
        let snmp = card.snmp();
        SnmpCard { card, snmp }
    }
}

/// Runs a net-snmp tool with numeric OIDs and no MIB files.
pub fn net_snmp(tool: &str, args: &[&str]) -> Output {
    Command::new(tool)
        .env("MIBS", "")
        .args(["-On", "-t", "1", "-r", "1"])
        .args(args)
        .output()
        .expect("net-snmp runs")
}

/// `OID = TYPE: value` lines as OID → value text (quotes and types removed).
pub fn parse(output: &Output) -> BTreeMap<String, String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_once(" = "))
        .map(|(oid, value)| {
            let value = value.split_once(": ").map_or(value, |(_, v)| v).trim_matches('"');
            (oid.trim_start_matches('.').to_string(), value.to_string())
        })
        .collect()
}
