//! The SNMP trap observer: a notification receiver (async-snmp) on loopback for the card's
//! v1 and v2c traps and informs, for `received: SnmpTrap("…")` and `snmp-traps.log`. Each
//! notification becomes one line: `v2c trap OID from ADDR community=C: OID = VALUE; …`.

use super::{Inbox, keep};
use async_snmp::notification::{Notification, NotificationReceiver};
use scenarios::replay::Observer;
use std::net::SocketAddr;

fn line(notification: &Notification, source: SocketAddr) -> String {
    let (kind, community) = match notification {
        Notification::TrapV1 { community, .. } => ("v1 trap", Some(community)),
        Notification::TrapV2c { community, .. } => ("v2c trap", Some(community)),
        Notification::InformV2c { community, .. } => ("v2c inform", Some(community)),
        Notification::TrapV3 { .. } => ("v3 trap", None),
        Notification::InformV3 { .. } => ("v3 inform", None),
    };
    let oid = notification.trap_oid().map_or_else(|e| format!("(no trap OID: {e})"), |oid| oid.to_string());
    let community = community
        .map(|c| format!(" community={}", String::from_utf8_lossy(c.as_bytes())))
        .unwrap_or_default();
    let varbinds: Vec<String> = notification.varbinds().iter().map(ToString::to_string).collect();
    format!("{kind} {oid} from {source}{community}: {}", varbinds.join("; "))
}

/// Receives notifications until the task is dropped; what cannot be decoded is logged too.
pub async fn receive(receiver: NotificationReceiver, inbox: Inbox) {
    loop {
        match receiver.recv().await {
            Ok(received) => keep(&inbox, Observer::SnmpTrap, line(&received.notification, received.source)),
            Err(e) => keep(&inbox, Observer::SnmpTrap, format!("not a notification: {e}")),
        }
    }
}
