//! Sends the card's events as traps (§18.8, §22 trap tables) to each receiver of the
//! settings whose type and filter want them: RFC1628 receivers get traps 1–4 of the UPS-MIB
//! (`.1.3.6.1.2.1.33.2.N`), NET VISION receivers every vendor trap
//! (`.1.3.6.1.4.1.4555.1.1.7.2.0.N`), as v1, v2c or v3 traps (async-snmp maps a v1 trap's
//! enterprise and specific number per RFC 3584).

use super::engine::{des_salts, engine};
use super::netvision::NETVISION;
use super::objects::at;
use super::rfc1628::{UPS_MIB, WELL_KNOWN_ALARMS};
use super::trap_message;
use crate::config::{self, Snmp, TrapReceiver, TrapType, TrapVersion};
use crate::notify::{Detail, Notice};
use crate::outlet::{Outgoing, Outlet};
use crate::run::Shared;
use async_snmp::transport::UdpTransport;
use async_snmp::v3::{AuthoritativeEngine, DesSaltState};
use async_snmp::{Auth, Client, Oid, UsmConfig, Value, VarBind};
use std::collections::HashMap;

/// upsAgentTrapString: the event's sentence, in every vendor trap.
const TRAP_STRING: [u32; 14] = [1, 3, 6, 1, 4, 1, 4555, 1, 1, 7, 1, 9, 50, 0];

/// The trap OID and varbinds `notice` makes for a receiver of `kind`; `None`: not for it.
pub fn trap(kind: TrapType, notice: &Notice) -> Option<(Oid, Vec<VarBind>)> {
    let vendor = |arcs: &[u32]| Oid::from_slice(&at(&NETVISION, arcs));
    let rfc = |arcs: &[u32]| Oid::from_slice(&at(&UPS_MIB, arcs));
    let number = u32::from(notice.trap);
    let (oid, mut varbinds) = match kind {
        TrapType::None => return None,
        TrapType::Rfc1628 if number > 4 => return None,
        TrapType::Rfc1628 => (rfc(&[2, number]), Vec::new()),
        TrapType::NetVision => (vendor(&[2, 0, number]), Vec::new()),
    };
    match &notice.detail {
        Detail::OnBattery { minutes_remaining, seconds_on_battery } => {
            let (minutes, seconds) = match kind {
                TrapType::Rfc1628 => (rfc(&[1, 2, 3, 0]), rfc(&[1, 2, 2, 0])),
                _ => (vendor(&[1, 2, 3, 0]), vendor(&[1, 2, 2, 0])),
            };
            // Left out when the UPS does not say (the RFC's range starts at 0).
            if let Some(minutes_remaining) = minutes_remaining {
                varbinds.push(VarBind::new(minutes, Value::Integer(*minutes_remaining)));
            }
            varbinds.push(VarBind::new(seconds, Value::Integer(*seconds_on_battery)));
        }
        Detail::AlarmEntry { id, well_known } => {
            let descr = Oid::from_slice(&at(&WELL_KNOWN_ALARMS, &[u32::from(*well_known)]));
            varbinds.push(VarBind::new(rfc(&[1, 6, 2, 1, 1, *id]), Value::Integer(*id as i32)));
            varbinds.push(VarBind::new(rfc(&[1, 6, 2, 1, 2, *id]), Value::ObjectIdentifier(descr)));
        }
        Detail::TestCompleted { summary } => {
            varbinds.push(VarBind::new(rfc(&[1, 7, 3, 0]), Value::Integer(*summary)));
        }
        Detail::None => {}
    }
    if kind == TrapType::NetVision {
        varbinds.push(VarBind::new(Oid::from_slice(&TRAP_STRING), Value::from(notice.text)));
    }
    Some((oid, varbinds))
}

/// Whether `receiver` wants `notice` (its type, then its filter, §18.8).
pub fn wanted(receiver: &TrapReceiver, notice: &Notice, settings: &Snmp) -> bool {
    receiver.kind != TrapType::None && receiver.filter.passes(notice.trap, notice.level, settings.trap_filter)
}

/// Sends every event from the card's start to the receivers, for ever: over the network,
/// or in co-simulation to the outlet, as the bytes a receiver would get.
pub async fn send(shared: Shared, engine: AuthoritativeEngine, des: DesSaltState) {
    let mut events = shared.notices();
    let mut seen = 0;
    let mut clients: HashMap<String, Client> = HashMap::new();
    loop {
        let (notices, settings, uptime_cs, card_ip, outlet) = {
            let agent = shared.lock();
            let notices: Vec<Notice> = agent.card.notices().since(seen).cloned().collect();
            let uptime_cs = (agent.clock.now_s() * 100.0) as u64 as u32;
            (
                notices,
                agent.config.snmp.clone(),
                uptime_cs,
                agent.config.network.ip_address,
                agent.outlet.clone(),
            )
        };
        // A receiver removed or changed (a new v3 password) gets a new client.
        let keys: Vec<String> = settings.trap_receivers.iter().map(|r| client_key(r, &settings)).collect();
        clients.retain(|key, _| keys.contains(key));
        let sender = trap_message::Sender { card_ip, uptime_cs, engine: &engine };
        for notice in &notices {
            seen = notice.seq;
            for receiver in settings.trap_receivers.iter().filter(|r| wanted(r, notice, &settings)) {
                let Some((oid, varbinds)) = trap(receiver.kind, notice) else { continue };
                let sent = match &outlet {
                    Outlet::Memory(_) => {
                        trap_message::encode(receiver, &sender, &oid, varbinds).map(|message| {
                            outlet.divert(Outgoing::SnmpTrap { to: receiver.address.clone(), message });
                        })
                    }
                    Outlet::Network | Outlet::NetworkFrom(_) => {
                        let key = client_key(receiver, &settings);
                        if !clients.contains_key(&key) {
                            match client(receiver, &settings, &engine, &des, &outlet).await {
                                Ok(client) => clients.insert(key.clone(), client),
                                Err(e) => {
                                    eprintln!("upstwin card: trap receiver {}: {e}", receiver.address);
                                    continue;
                                }
                            };
                        }
                        over_network(&clients[&key], receiver.version, &sender, &oid, varbinds).await
                    }
                };
                match sent {
                    Ok(()) => shared.lock().traps_sent += 1,
                    Err(e) => eprintln!("upstwin card: trap {} to {}: {e}", notice.trap, receiver.address),
                }
            }
        }
        if events.changed().await.is_err() {
            return;
        }
    }
}

/// The trap sender of a card with no SNMP agent (co-simulation): an engine of its own, in
/// memory, for v3 traps.
pub async fn send_without_agent(shared: Shared) {
    match engine(None).and_then(|engine| Ok((des_salts(&engine)?, engine))) {
        Ok((des, engine)) => send(shared, engine, des).await,
        Err(e) => eprintln!("upstwin card: traps: no SNMP engine: {e}"),
    }
}

async fn over_network(
    client: &Client,
    version: TrapVersion,
    sender: &trap_message::Sender<'_>,
    oid: &Oid,
    varbinds: Vec<VarBind>,
) -> Result<(), String> {
    let sent = match version {
        TrapVersion::V1 => match trap_message::v1_trap(sender, oid, varbinds) {
            Ok(trap) => client.send_v1_trap(trap).await,
            Err(e) => Err(e),
        },
        TrapVersion::V2c | TrapVersion::V3 => client.send_trap(oid, sender.uptime_cs, varbinds).await,
    };
    sent.map_err(|e| e.to_string())
}

/// What a receiver's client depends on: the row, and for v3 its user's keys.
fn client_key(receiver: &TrapReceiver, settings: &Snmp) -> String {
    let user =
        settings.users.iter().find(|u| receiver.version == TrapVersion::V3 && u.name == receiver.community);
    format!("{receiver:?} {user:?}")
}

async fn client(
    receiver: &TrapReceiver,
    settings: &Snmp,
    engine: &AuthoritativeEngine,
    des: &DesSaltState,
    outlet: &Outlet,
) -> Result<Client, String> {
    let destination = receiver.destination().ok_or("not an address")?;
    let auth = match receiver.version {
        TrapVersion::V1 => Auth::v1(receiver.community.as_bytes()),
        TrapVersion::V2c => Auth::v2c(receiver.community.as_bytes()),
        TrapVersion::V3 => {
            let user =
                settings.users.iter().find(|u| u.name == receiver.community).ok_or("no such USM user")?;
            Auth::from(usm(user).map_err(|e| e.to_string())?)
        }
    };
    let builder = Client::builder(destination, auth)
        .local_authoritative_engine(engine.clone())
        .des_salt_state(des.clone());
    // From the card's own address when it has one (a fleet's device), as a receiver sees
    // real cards; else from whichever address the host routes through.
    let transport =
        UdpTransport::bind(outlet.local_for(destination).to_string()).await.map_err(|e| e.to_string())?;
    builder.build_with(&transport).await.map_err(|e| e.to_string())
}

fn usm(user: &config::SnmpUser) -> async_snmp::CryptoResult<UsmConfig> {
    let config = UsmConfig::new(user.name.clone().into_bytes());
    match user.level {
        config::SecurityLevel::NoAuthNoPriv => Ok(config),
        config::SecurityLevel::AuthNoPriv => {
            config.auth(super::security::auth(user.auth_protocol), &user.auth_password)
        }
        config::SecurityLevel::AuthPriv => config.auth_priv(
            super::security::auth(user.auth_protocol),
            &user.auth_password,
            super::security::privacy(user.priv_protocol),
            &user.priv_password,
        ),
    }
}
