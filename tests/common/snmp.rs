//! net-snmp's tools against the card: walks parsed into OID → value, and the card started
//! with its SNMP agent on a free port.

use super::ports::{Transport, bound_port};
use super::{Card, KillOnDrop, Served, eventually};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const SNMPWALK: &str = "/usr/bin/snmpwalk";
pub const SNMPGET: &str = "/usr/bin/snmpget";
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

/// net-snmp's snmptrapd as an NMS: `conf` as its configuration, bound on a loopback port of
/// its own (port 0, read back), logging every trap with numeric OIDs; killed when dropped.
pub struct Trapd {
    pub port: u16,
    log: PathBuf,
    _process: KillOnDrop,
}

impl Trapd {
    /// Starts it in `dir` (its files are `NAME.conf` and `NAME.log`).
    pub fn start(dir: &Path, name: &str, conf: &str) -> Trapd {
        let conf_path = dir.join(format!("{name}.conf"));
        std::fs::write(&conf_path, conf).unwrap();
        let log = dir.join(format!("{name}.log"));
        let process = Command::new(SNMPTRAPD)
            .env("MIBS", "")
            // Its persistent state (the USM users it learnt) in `dir`, not in /var/lib/snmp.
            .env("SNMP_PERSISTENT_DIR", dir)
            .args(["-f", "-On", "-Lf"])
            .arg(&log)
            .arg("-C")
            .arg("-c")
            .arg(&conf_path)
            .arg("udp:127.0.0.1:0")
            .stdout(Stdio::null())
            .spawn()
            .expect("snmptrapd starts");
        let pid = process.id();
        let process = KillOnDrop(process);
        let port = bound_port(pid, Transport::Udp, 10.0);
        let started =
            eventually(30.0, || std::fs::read_to_string(&log).is_ok_and(|l| l.contains("NET-SNMP")));
        assert!(started, "snmptrapd says it started in {}", log.display());
        Trapd { port, log, _process: process }
    }

    /// Everything it logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}
