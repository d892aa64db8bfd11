//! Where the card's services send: the network, or — in co-simulation, where the card runs
//! in virtual time and opens no socket — a channel the scenario runner reads as its
//! observers read the network. The bytes are the same either way.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use tokio::sync::mpsc::UnboundedSender;

#[derive(Debug, Clone, Default)]
pub enum Outlet {
    /// The network, from whichever address the host routes through.
    #[default]
    Network,
    /// The network, traps and syslog leaving from this address of the host: a fleet's
    /// cards share one host, each with its device's own address, as a receiver tells real
    /// cards apart by their source.
    NetworkFrom(IpAddr),
    Memory(UnboundedSender<Outgoing>),
}

/// A message as it would leave the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// A syslog message (RFC 5424) for `to`.
    Syslog { to: String, message: Vec<u8> },
    /// A mail (RFC 5322) with its envelope, sent over STARTTLS or not.
    Mail { from: String, to: Vec<String>, tls: bool, message: Vec<u8> },
    /// A Wake-on-LAN magic packet for `to`.
    WakeOnLan { to: String, packet: Vec<u8> },
    /// An SNMP trap message (BER) for the receiver `to`. A v3 receiver's trap is handed over
    /// as a noAuthNoPriv message: nothing crosses a network to protect it from.
    SnmpTrap { to: String, message: Vec<u8> },
    /// A message for every shutdown agent (the protocol's JSON, before numbering and signing).
    ShutdownAgents { message: Vec<u8> },
}

impl Outlet {
    /// Hands `outgoing` to the channel: `None` when it went there, `Some` (given back) when
    /// it is for the network. A closed channel (the run is over) takes it all the same.
    pub fn divert(&self, outgoing: Outgoing) -> Option<Outgoing> {
        match self {
            Outlet::Network | Outlet::NetworkFrom(_) => Some(outgoing),
            Outlet::Memory(channel) => {
                let _ = channel.send(outgoing);
                None
            }
        }
    }

    /// The local address a socket towards `destination` binds: the card's own address when
    /// it has one of the same family, else any (port 0 either way).
    pub fn local_for(&self, destination: SocketAddr) -> SocketAddr {
        match (self, destination) {
            (Outlet::NetworkFrom(ip), _) if ip.is_ipv4() == destination.is_ipv4() => (*ip, 0).into(),
            (_, SocketAddr::V4(_)) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            (_, SocketAddr::V6(_)) => (Ipv6Addr::UNSPECIFIED, 0).into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_with_an_address_of_its_own_sends_from_it_towards_its_family_only() {
        let v4: SocketAddr = "127.0.0.1:162".parse().unwrap();
        let v6: SocketAddr = "[::1]:162".parse().unwrap();
        let own = Outlet::NetworkFrom("127.47.0.3".parse().unwrap());
        assert_eq!(own.local_for(v4), "127.47.0.3:0".parse().unwrap());
        assert_eq!(own.local_for(v6), "[::]:0".parse().unwrap(), "no IPv4 source towards IPv6");
        assert_eq!(Outlet::Network.local_for(v4), "0.0.0.0:0".parse().unwrap());
        assert_eq!(Outlet::Network.local_for(v6), "[::]:0".parse().unwrap());
    }
}
