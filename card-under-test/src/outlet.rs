//! Where the card's services send: the network, or — in co-simulation, where the card runs
//! in virtual time and opens no socket — a channel the scenario runner reads as its
//! observers read the network. The bytes are the same either way.

use tokio::sync::mpsc::UnboundedSender;

#[derive(Debug, Clone, Default)]
pub enum Outlet {
    #[default]
    Network,
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
            Outlet::Network => Some(outgoing),
            Outlet::Memory(channel) => {
                let _ = channel.send(outgoing);
                None
            }
        }
    }
}
