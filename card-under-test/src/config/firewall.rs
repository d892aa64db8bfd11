//! "Firewall Setup" (§18.15): which addresses may reach the card — its web pages, its SNMP
//! agent and its Modbus TCP server. Rules are read top to bottom and the first that covers
//! an address decides. An address no rule covers is refused when the list has an Accept
//! rule (it is then an allow list) and accepted otherwise.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Rows of the table; the manual gives none, this is ours.
pub const FIREWALL_RULES: usize = 32;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Firewall {
    /// "Firewall Setup" (§18.3): the rules apply only when enabled.
    pub enabled: bool,
    pub rules: Vec<FirewallRule>,
}

/// A row of "Firewall Configuration": an address, the bits of it that count, the action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirewallRule {
    /// "IP Address": IPv4 or IPv6.
    pub address: IpAddr,
    /// "Prefix Length": the bits of the mask, 0 to 32 (IPv4) or 0 to 128 (IPv6).
    pub prefix_length: u8,
    pub action: FirewallAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum FirewallAction {
    Accept,
    Reject,
}

impl FirewallRule {
    /// Whether `peer` is in this rule's segment. An IPv4 peer seen as an IPv6-mapped address
    /// (`::ffff:a.b.c.d`, from a dual-stack socket) is compared as IPv4.
    pub fn covers(&self, peer: IpAddr) -> bool {
        let peer = match peer {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, IpAddr::V4),
            v4 => v4,
        };
        match (self.address, peer) {
            (IpAddr::V4(rule), IpAddr::V4(peer)) => {
                same_prefix(u128::from(u32::from(rule)), u128::from(u32::from(peer)), self.prefix_length, 32)
            }
            (IpAddr::V6(rule), IpAddr::V6(peer)) => {
                same_prefix(u128::from(rule), u128::from(peer), self.prefix_length, 128)
            }
            _ => false,
        }
    }

    fn max_prefix(&self) -> u8 {
        if self.address.is_ipv4() { 32 } else { 128 }
    }
}

fn same_prefix(rule: u128, peer: u128, prefix: u8, bits: u8) -> bool {
    let ignored = u32::from(bits.saturating_sub(prefix));
    let mask = if ignored >= 128 { 0 } else { u128::MAX << ignored };
    (rule & mask) == (peer & mask)
}

impl Firewall {
    /// Whether `peer` may reach the card.
    pub fn allows(&self, peer: IpAddr) -> bool {
        if !self.enabled {
            return true;
        }
        match self.rules.iter().find(|rule| rule.covers(peer)) {
            Some(rule) => rule.action == FirewallAction::Accept,
            None => !self.rules.iter().any(|rule| rule.action == FirewallAction::Accept),
        }
    }

    pub(super) fn rule_broken(&self) -> Option<String> {
        if self.rules.len() > FIREWALL_RULES {
            return Some(format!("at most {FIREWALL_RULES} rules"));
        }
        let wide = self.rules.iter().find(|rule| rule.prefix_length > rule.max_prefix());
        wide.map(|rule| {
            format!("rules: prefix_length of {} must be from 0 to {}", rule.address, rule.max_prefix())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(address: &str, prefix_length: u8, action: FirewallAction) -> FirewallRule {
        FirewallRule { address: address.parse().unwrap(), prefix_length, action }
    }

    #[test]
    fn the_first_rule_that_covers_an_address_decides() {
        let firewall = Firewall {
            enabled: true,
            rules: vec![
                rule("10.0.0.7", 32, FirewallAction::Reject),
                rule("10.0.0.0", 8, FirewallAction::Accept),
                rule("2001:db8::", 32, FirewallAction::Accept),
            ],
        };
        let allows = |peer: &str| firewall.allows(peer.parse().unwrap());
        assert!(!allows("10.0.0.7") && allows("10.0.0.8") && allows("10.255.1.1"));
        assert!(!allows("192.168.1.1"), "an allow list refuses what it does not name");
        assert!(allows("2001:db8:1::5") && !allows("2001:db9::5"));
        assert!(!allows("::ffff:10.0.0.7") && allows("::ffff:10.0.0.8"), "IPv4-mapped is IPv4");
        assert!(Firewall { enabled: false, ..firewall.clone() }.allows("192.168.1.1".parse().unwrap()));
    }

    #[test]
    fn a_deny_list_accepts_the_rest_and_prefix_zero_covers_everything() {
        let deny = Firewall { enabled: true, rules: vec![rule("192.168.7.0", 24, FirewallAction::Reject)] };
        assert!(
            !deny.allows("192.168.7.200".parse().unwrap()) && deny.allows("192.168.8.1".parse().unwrap())
        );
        let everyone = Firewall { enabled: true, rules: vec![rule("0.0.0.0", 0, FirewallAction::Reject)] };
        assert!(!everyone.allows("8.8.8.8".parse().unwrap()));
        assert!(everyone.allows("::1".parse().unwrap()), "an IPv4 rule does not cover IPv6");
    }

    #[test]
    fn a_prefix_longer_than_the_address_is_refused() {
        let firewall = Firewall { enabled: true, rules: vec![rule("10.0.0.1", 33, FirewallAction::Accept)] };
        assert!(firewall.rule_broken().unwrap().contains("from 0 to 32"));
        let v6 = Firewall { enabled: true, rules: vec![rule("::1", 128, FirewallAction::Accept)] };
        assert_eq!(v6.rule_broken(), None);
    }
}
