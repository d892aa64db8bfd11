//! "WOL Targets" (§18.11): the servers woken once mains is back after an AC-fail shutdown.

use serde::{Deserialize, Serialize};

/// §18.11: "Up to 32 MAC client addresses can be managed".
pub const WOL_TARGETS: usize = 32;
/// Most repeats and longest interval accepted (the manual gives only the defaults, 1 and 1).
const MAX_REPEAT: u32 = 10;
const MAX_INTERVAL_S: u32 = 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct WakeOnLan {
    /// "WOL Target" (§18.3).
    pub enabled: bool,
    /// "Repeating Times", default 1.
    pub repeat: u32,
    /// "Interval Timer (s)" between repeats, default 1.
    pub interval_s: u32,
    /// Where the magic packets go: the broadcast address and port (UDP 9, discard).
    pub broadcast: std::net::SocketAddrV4,
    pub targets: Vec<WolTarget>,
}

/// A row of the targets table (§18.11).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WolTarget {
    /// `00:11:22:33:44:55`.
    pub mac: String,
    /// "Control": Enabled or Disabled.
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub description: String,
}

fn yes() -> bool {
    true
}

impl WolTarget {
    /// The MAC address's six bytes, when it is one.
    pub fn mac_bytes(&self) -> Option<[u8; 6]> {
        self.mac.trim().parse::<macaddr::MacAddr6>().ok().map(|mac| mac.into_array())
    }
}

impl Default for WakeOnLan {
    fn default() -> Self {
        Self {
            enabled: false,
            repeat: 1,
            interval_s: 1,
            broadcast: std::net::SocketAddrV4::new(std::net::Ipv4Addr::BROADCAST, 9),
            targets: Vec::new(),
        }
    }
}

impl WakeOnLan {
    pub(super) fn rule_broken(&self) -> Option<String> {
        if self.targets.len() > WOL_TARGETS {
            return Some(format!("at most {WOL_TARGETS} targets"));
        }
        if !(1..=MAX_REPEAT).contains(&self.repeat) {
            return Some(format!("repeat: from 1 to {MAX_REPEAT}"));
        }
        if self.interval_s > MAX_INTERVAL_S {
            return Some(format!("interval_s: seconds from 0 to {MAX_INTERVAL_S}"));
        }
        if let Some(bad) = self.targets.iter().find(|t| t.mac_bytes().is_none()) {
            return Some(format!("targets: {:?} is not a MAC address like 00:11:22:33:44:55", bad.mac));
        }
        None
    }
}
