//! net-snmp's tools against the card: walks parsed into OID → value, and the card started
//! with its SNMP agent on a free port.

use super::{KillOnDrop, Served};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub const SNMPWALK: &str = "/usr/bin/snmpwalk";
pub const SNMPTRAPD: &str = "/usr/sbin/snmptrapd";

/// A card polling `served` with `config` as its settings file, SNMP on a free port.
pub struct SnmpCard {
    pub _process: KillOnDrop,
    pub snmp: String,
    pub http: String,
    pub state: PathBuf,
}

impl SnmpCard {
    pub fn start(served: &Served, name: &str, config: &str) -> SnmpCard {
        let state = std::env::temp_dir().join(format!("upstwin-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&state);
        std::fs::create_dir_all(&state).unwrap();
        std::fs::write(state.join("card.ron"), config).unwrap();
        let port = super::free_udp_port();
        let mut card = Command::new(env!("CARGO_BIN_EXE_upstwin"))
            .args(["card", "--tcp", served.field("tcp"), "--http", "127.0.0.1:0", "--polling-s", "0.2"])
            .args(["--snmp", &format!("127.0.0.1:{port}"), "--state-dir"])
            .arg(&state)
            .stdout(Stdio::piped())
            .spawn()
            .expect("upstwin card starts");
        let stdout = card.stdout.take().unwrap();
        let process = KillOnDrop(card);
        let mut ready = String::new();
        BufReader::new(stdout).read_line(&mut ready).unwrap();
        println!("{ready}");
        let http =
            ready.split("API http://").nth(1).and_then(|r| r.split('/').next()).expect("the API").to_string();
        SnmpCard { _process: process, snmp: format!("127.0.0.1:{port}"), http, state }
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
