//! A trap as the bytes a receiver would get, for co-simulation, where the card opens no
//! socket and the scenario runner decodes what the outlet hands it. v1 and v2c are the
//! wire's messages byte for byte; a v3 trap is a noAuthNoPriv message with the receiver's
//! user name, since nothing crosses a network to protect it from.

use crate::config::{TrapReceiver, TrapVersion};
use async_snmp::message::{CommunityMessage, MsgFlags, MsgGlobalData, ScopedPdu, V3Message};
use async_snmp::v3::{AuthoritativeEngine, UsmSecurityParams};
use async_snmp::{MessageSize, NotificationPdu, Oid, SecurityLevel, TrapV1Notification, VarBind, Version};
use std::net::Ipv4Addr;

/// What a trap needs besides its OID and varbinds: the card's address (a v1 trap's
/// agent-addr) and uptime, and the v3 engine that stamps a v3 trap.
#[derive(Debug)]
pub struct Sender<'a> {
    pub card_ip: Ipv4Addr,
    pub uptime_cs: u32,
    pub engine: &'a AuthoritativeEngine,
}

/// The BER message for `receiver`.
pub fn encode(
    receiver: &TrapReceiver,
    sender: &Sender<'_>,
    oid: &Oid,
    varbinds: Vec<VarBind>,
) -> Result<Vec<u8>, String> {
    encoded(receiver, sender, oid, varbinds).map_err(|e| e.to_string())
}

fn encoded(
    receiver: &TrapReceiver,
    sender: &Sender<'_>,
    oid: &Oid,
    varbinds: Vec<VarBind>,
) -> async_snmp::Result<Vec<u8>> {
    let community = receiver.community.as_bytes().to_vec();
    let bytes = match receiver.version {
        // RFC 3584 mapping, as the network path does.
        TrapVersion::V1 => CommunityMessage::v1_trap(community, v1_trap(sender, oid, varbinds)?)?.encode()?,
        TrapVersion::V2c => {
            let pdu = NotificationPdu::trap_v2(Version::V2c, 0, sender.uptime_cs, oid, varbinds)?;
            CommunityMessage::v2c(community, pdu)?.encode()?
        }
        TrapVersion::V3 => {
            let pdu = NotificationPdu::trap_v2(Version::V3, 0, sender.uptime_cs, oid, varbinds)?;
            let engine_id = sender.engine.engine_id().to_vec();
            let engine_time_s = sender.uptime_cs / 100;
            let usm = UsmSecurityParams::new(
                engine_id.clone(),
                sender.engine.engine_boots(),
                engine_time_s,
                community,
            )?;
            let flags = MsgFlags::new(SecurityLevel::NoAuthNoPriv, false);
            let header = MsgGlobalData::new(0, MAX_MESSAGE, flags)?;
            V3Message::new(header, usm.encode()?, ScopedPdu::new(engine_id, Vec::new(), pdu))?.encode()?
        }
    };
    Ok(bytes.to_vec())
}

/// A v1 trap (RFC 3584 mapping), with the card's address as agent-addr.
pub fn v1_trap(
    sender: &Sender<'_>,
    oid: &Oid,
    varbinds: Vec<VarBind>,
) -> async_snmp::Result<TrapV1Notification> {
    NotificationPdu::trap_v2(Version::V2c, 0, sender.uptime_cs, oid, varbinds)?
        .to_v1_trap(sender.card_ip.octets())
}

/// msgMaxSize: what a UDP datagram over Ethernet holds without fragments.
const MAX_MESSAGE: MessageSize = match MessageSize::new(1472) {
    Ok(size) => size,
    Err(_) => panic!("1472 is within SNMP's message sizes"),
};
