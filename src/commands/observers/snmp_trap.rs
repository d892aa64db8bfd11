//! The SNMP trap observer: a notification receiver (async-snmp) on loopback for the card's
//! v1 and v2c traps and informs, for `received: SnmpTrap("…")` and `snmp-traps.log`. Each
//! notification becomes one line: `v2c trap OID from ADDR community=C: OID = VALUE; …`.
//! The reference card's traps, handed over in memory, are decoded into the same lines.

use super::{Inbox, keep};
use async_snmp::message::{CommunityPdu, Message};
use async_snmp::notification::{Notification, NotificationReceiver};
use async_snmp::pdu::PduType;
use async_snmp::v3::UsmSecurityParams;
use async_snmp::{DecodeConfig, Value, VarBind};
use bytes::Bytes;
use scenarios::replay::Observer;
use std::net::SocketAddr;

fn line(notification: &Notification, source: SocketAddr) -> String {
    let (kind, who) = match notification {
        Notification::TrapV1 { community, .. } => ("v1 trap", Who::Community(community.as_bytes())),
        Notification::TrapV2c { community, .. } => ("v2c trap", Who::Community(community.as_bytes())),
        Notification::InformV2c { community, .. } => ("v2c inform", Who::Community(community.as_bytes())),
        Notification::TrapV3 { username, .. } => ("v3 trap", Who::User(username)),
        Notification::InformV3 { username, .. } => ("v3 inform", Who::User(username)),
    };
    let oid = notification.trap_oid().map_or_else(|e| format!("(no trap OID: {e})"), |oid| oid.to_string());
    written(kind, &oid, &source.to_string(), who, notification.varbinds())
}

/// Who a notification says it is from: a v1/v2c community, a v3 user.
#[derive(Clone, Copy)]
enum Who<'a> {
    Community(&'a [u8]),
    User(&'a [u8]),
}

/// The line of a notification: `KIND OID from SOURCE community=C|user=U: VARBIND; …`.
fn written(kind: &str, oid: &str, source: &str, who: Who<'_>, varbinds: &[VarBind]) -> String {
    let who = match who {
        Who::Community(name) => format!("community={}", String::from_utf8_lossy(name)),
        Who::User(name) => format!("user={}", String::from_utf8_lossy(name)),
    };
    let varbinds: Vec<String> = varbinds.iter().map(ToString::to_string).collect();
    format!("{kind} {oid} from {source} {who}: {}", varbinds.join("; "))
}

/// The line of a message the reference card handed over in memory (co-simulation): the
/// same line the UDP receiver writes for it. A v3 message comes as noAuthNoPriv.
pub fn decoded(message: &[u8], source: &str) -> String {
    let decoded = match Message::decode(Bytes::copy_from_slice(message), DecodeConfig::default()) {
        Ok(outcome) => outcome.value,
        Err(e) => return format!("not a notification: {e}"),
    };
    let usm;
    let (kind, who, pdu) = match &decoded {
        Message::Community(message) => {
            let community = Who::Community(message.community().as_bytes());
            match message.pdu() {
                CommunityPdu::TrapV1(trap) => {
                    let oid =
                        trap.v2_trap_oid().map_or_else(|e| format!("(no trap OID: {e})"), |o| o.to_string());
                    return written("v1 trap", &oid, source, community, trap.varbinds());
                }
                CommunityPdu::Standard(pdu) => ("v2c", community, pdu),
            }
        }
        Message::V3(message) => {
            usm = match UsmSecurityParams::decode(message.security_params().clone(), DecodeConfig::default())
            {
                Ok(outcome) => outcome.value,
                Err(e) => return format!("not a notification: {e}"),
            };
            match message.pdu() {
                Some(pdu) => ("v3", Who::User(usm.username()), pdu),
                None => return "v3 message: encrypted".into(),
            }
        }
    };
    let kind = match pdu.pdu_type() {
        PduType::TrapV2 => format!("{kind} trap"),
        PduType::InformRequest => format!("{kind} inform"),
        other => return format!("not a notification: a {other:?} PDU"),
    };
    // sysUpTime.0 and snmpTrapOID.0 come first; the rest are the trap's own (RFC 3416 §4.2.6).
    let varbinds = pdu.varbinds();
    let oid = match varbinds.get(1).map(|v| &v.value) {
        Some(Value::ObjectIdentifier(oid)) => oid.to_string(),
        _ => "(no trap OID)".into(),
    };
    written(&kind, &oid, source, who, varbinds.get(2..).unwrap_or_default())
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

#[cfg(test)]
mod tests {
    use super::{decoded, line};
    use async_snmp::notification::NotificationReceiver;
    use async_snmp::v3::AuthoritativeEngine;
    use async_snmp::{Oid, Value, VarBind};
    use card::config::{EventFilter, TrapReceiver, TrapType, TrapVersion};
    use card::snmp::trap_message::{Sender, encode};
    use std::convert::Infallible;

    fn receiver(version: TrapVersion, community: &str) -> TrapReceiver {
        TrapReceiver {
            address: "127.0.0.1".into(),
            community: community.into(),
            kind: TrapType::NetVision,
            version,
            filter: EventFilter::Severity(card::alarms::Severity::Information),
        }
    }

    /// upsTrapOnBattery's varbinds, as the card sends them (minutes left, seconds on battery).
    fn on_battery() -> (Oid, Vec<VarBind>) {
        let oid = Oid::from_slice(&[1, 3, 6, 1, 4, 1, 4555, 1, 1, 7, 2, 0, 1]);
        let minutes = Oid::from_slice(&[1, 3, 6, 1, 4, 1, 4555, 1, 1, 7, 1, 2, 3, 0]);
        let seconds = Oid::from_slice(&[1, 3, 6, 1, 4, 1, 4555, 1, 1, 7, 1, 2, 2, 0]);
        (oid, vec![VarBind::new(minutes, Value::Integer(43)), VarBind::new(seconds, Value::Integer(60))])
    }

    fn engine() -> AuthoritativeEngine {
        let id = b"\x80\x00\x11\xcb\x04upstwin-test".to_vec();
        AuthoritativeEngine::install(id, |_: &_| Ok::<(), Infallible>(())).expect("an engine")
    }

    #[tokio::test]
    async fn a_trap_handed_over_in_memory_reads_as_the_same_trap_received_over_udp() {
        let engine = engine();
        let sender = Sender { card_ip: [192, 168, 7, 18].into(), uptime_cs: 12_345, engine: &engine };
        let udp = NotificationReceiver::bind("127.0.0.1:0").await.expect("a receiver");
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.expect("a socket");
        for version in [TrapVersion::V1, TrapVersion::V2c] {
            let (oid, varbinds) = on_battery();
            let message = encode(&receiver(version, "traps"), &sender, &oid, varbinds).expect("encodes");
            socket.send_to(&message, udp.local_addr()).await.expect("sent");
            let received = udp.recv().await.expect("a notification");
            let source = received.source.to_string();
            assert_eq!(decoded(&message, &source), line(&received.notification, received.source));
        }
    }

    #[test]
    fn each_version_reads_with_its_oid_sender_and_varbinds() {
        let engine = engine();
        let sender = Sender { card_ip: [192, 168, 7, 18].into(), uptime_cs: 12_345, engine: &engine };
        let expected = [
            (
                TrapVersion::V1,
                "public",
                "v1 trap 1.3.6.1.4.1.4555.1.1.7.2.0.1 from the card community=public",
            ),
            (
                TrapVersion::V2c,
                "public",
                "v2c trap 1.3.6.1.4.1.4555.1.1.7.2.0.1 from the card community=public",
            ),
            (TrapVersion::V3, "nmsv3", "v3 trap 1.3.6.1.4.1.4555.1.1.7.2.0.1 from the card user=nmsv3"),
        ];
        for (version, who, start) in expected {
            let (oid, varbinds) = on_battery();
            let message = encode(&receiver(version, who), &sender, &oid, varbinds).expect("encodes");
            let text = decoded(&message, "the card");
            let varbinds = ": 1.3.6.1.4.1.4555.1.1.7.1.2.3.0 = 43; 1.3.6.1.4.1.4555.1.1.7.1.2.2.0 = 60";
            assert_eq!(text, format!("{start}{varbinds}"), "{version:?}");
        }
        assert!(decoded(b"\x30\x03\x02\x01", "the card").starts_with("not a notification: "));
    }
}
