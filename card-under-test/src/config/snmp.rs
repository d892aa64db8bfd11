//! "SNMP Support" (§18.3): communities, the manager list, the v3 USM table (§18.7), the trap
//! receivers (§18.8) and the event filter that e-mail recipients share (§18.9).

use super::{matches_pattern, valid_pattern};
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// "SNMP Support" (§18.3), communities and managers, the v3 USM table (§18.7) and the trap
/// receivers (§18.8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Snmp {
    /// The agent answers on `port` (the command line's `--snmp ADDR` also turns it on).
    pub enabled: bool,
    /// Default 161.
    pub port: u16,
    pub read_community: String,
    pub write_community: String,
    /// NMS addresses the agent answers (up to 8), `*` for any octet; `*.*.*.*` = anyone.
    pub managers: Vec<String>,
    /// The SNMP v3 USM table (up to 8 users).
    pub users: Vec<SnmpUser>,
    /// Up to 8 receivers.
    pub trap_receivers: Vec<TrapReceiver>,
    /// "SNMP TRAP / email Filter" (§18.3): traps 3 and 4 are not sent to receivers (nor
    /// mailed to recipients) that filter by severity.
    pub trap_filter: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum SecurityLevel {
    NoAuthNoPriv,
    AuthNoPriv,
    AuthPriv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum AuthProtocol {
    Md5,
    Sha,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum PrivProtocol {
    Des,
    Aes,
}

/// A row of the USM table (§18.7); an authenticated user reads and writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnmpUser {
    pub name: String,
    pub level: SecurityLevel,
    #[serde(default = "sha")]
    pub auth_protocol: AuthProtocol,
    #[serde(default)]
    pub auth_password: String,
    #[serde(default = "aes")]
    pub priv_protocol: PrivProtocol,
    #[serde(default)]
    pub priv_password: String,
}

fn sha() -> AuthProtocol {
    AuthProtocol::Sha
}

fn aes() -> PrivProtocol {
    PrivProtocol::Aes
}

/// "Trap Type" (§18.8): which MIB's traps the receiver gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum TrapType {
    None,
    Rfc1628,
    NetVision,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum TrapVersion {
    V1,
    V2c,
    V3,
}

/// "Event Filter" (§18.8, §18.9): by severity (that level and above), or the events chosen
/// (vendor trap numbers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum EventFilter {
    Severity(crate::alarms::Severity),
    Events(Vec<u8>),
}

impl EventFilter {
    /// Whether an event of trap number `trap` and `level` passes; with the TRAP/email filter
    /// on, a severity filter drops traps 3 and 4 (§18.3).
    pub fn passes(&self, trap: u8, level: crate::alarms::Severity, trap_filter: bool) -> bool {
        match self {
            EventFilter::Severity(_) if trap_filter && (trap == 3 || trap == 4) => false,
            EventFilter::Severity(least) => level >= *least,
            EventFilter::Events(chosen) => chosen.contains(&trap),
        }
    }

    pub(super) fn rule_broken(&self) -> Option<String> {
        match self {
            EventFilter::Events(chosen) if chosen.iter().any(|n| !(1..=40).contains(n)) => {
                Some("Events: vendor trap numbers from 1 to 40".into())
            }
            _ => None,
        }
    }
}

/// A row of the trap receivers table (§18.8). For v3, `community` names a USM user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrapReceiver {
    /// `192.168.1.20` (port 162) or `192.168.1.20:1162`.
    pub address: String,
    pub community: String,
    pub kind: TrapType,
    pub version: TrapVersion,
    pub filter: EventFilter,
}

impl TrapReceiver {
    /// Where traps go: the address, with port 162 unless it gives one.
    pub fn destination(&self) -> Option<std::net::SocketAddr> {
        let text = self.address.trim();
        text.parse().ok().or_else(|| text.parse::<Ipv4Addr>().ok().map(|ip| (ip, 162).into()))
    }
}

/// Most rows in each of §18.7's and §18.8's tables, and in the manager list.
pub const SNMP_ROWS: usize = 8;
/// §18.7 (1): "For all passwords ()[]{}\$%&\/ characters are NOT allowed".
pub(super) const PASSWORD_FORBIDDEN: &str = "()[]{}\\$%&/";

impl Snmp {
    /// Whether a manager at `address` may ask.
    pub fn allows(&self, address: Ipv4Addr) -> bool {
        self.managers.is_empty() || self.managers.iter().any(|pattern| matches_pattern(pattern, address))
    }

    pub(super) fn rule_broken(&self) -> Option<String> {
        let password_bad = |p: &str| p.chars().any(|c| PASSWORD_FORBIDDEN.contains(c));
        if self.managers.len() > SNMP_ROWS
            || self.users.len() > SNMP_ROWS
            || self.trap_receivers.len() > SNMP_ROWS
        {
            return Some(format!("at most {SNMP_ROWS} managers, users and trap receivers"));
        }
        if let Some(bad) = self.managers.iter().find(|p| !valid_pattern(p)) {
            return Some(format!(
                "managers: {bad:?} is not an address like 192.168.1.* (four octets, * for any)"
            ));
        }
        if self.read_community.is_empty() || self.write_community.is_empty() {
            return Some("read_community and write_community: not empty".into());
        }
        for user in &self.users {
            let needs_auth = user.level != SecurityLevel::NoAuthNoPriv;
            let needs_priv = user.level == SecurityLevel::AuthPriv;
            if user.name.is_empty() || user.name.len() > 32 {
                return Some("users: a name of 1 to 32 characters".into());
            }
            if (needs_auth && user.auth_password.len() < 8) || (needs_priv && user.priv_password.len() < 8) {
                return Some(format!(
                    "users: {}: passwords of at least 8 characters for its level",
                    user.name
                ));
            }
            if password_bad(&user.auth_password) || password_bad(&user.priv_password) {
                return Some(format!(
                    "users: {}: passwords without any of ()[]{{}}\\$%&/ (§18.7)",
                    user.name
                ));
            }
        }
        for receiver in &self.trap_receivers {
            if receiver.destination().is_none() {
                return Some(format!(
                    "trap_receivers: {:?} is not an IPv4 address (with :port)",
                    receiver.address
                ));
            }
            if receiver.version == TrapVersion::V3 && !self.users.iter().any(|u| u.name == receiver.community)
            {
                return Some(format!(
                    "trap_receivers: {}: a v3 receiver's community names a user of the USM table (§18.8)",
                    receiver.address
                ));
            }
            if let Some(why) = receiver.filter.rule_broken() {
                return Some(format!("trap_receivers: {}: {why}", receiver.address));
            }
        }
        None
    }
}

impl Default for Snmp {
    fn default() -> Self {
        Self {
            enabled: false,
            port: 161,
            read_community: "public".into(),
            write_community: "private".into(),
            managers: vec!["*.*.*.*".into()],
            users: Vec::new(),
            trap_receivers: Vec::new(),
            trap_filter: false,
        }
    }
}
