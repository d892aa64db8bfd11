//! The SNMP service: the agent built from the settings (communities, USM users, who may
//! write), rebuilt when they change, behind the manager list's front.

use super::engine::{des_salts, engine};
use super::front::Front;
use super::mib::{Inner, Mib};
use super::netvision::NETVISION;
use super::rfc1628::UPS_MIB;
use super::security::{auth, privacy};
use super::system::SYSTEM;
use crate::config::{self, Snmp};
use crate::run::Shared;
use async_snmp::agent::{Agent, SecurityModel};
use async_snmp::v3::{AuthoritativeEngine, DesSaltState};
use async_snmp::{Oid, SecurityLevel};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

/// The agent in use and the settings it was built with.
struct Running {
    settings: Snmp,
    address: SocketAddr,
    agent: Agent,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.agent.cancel();
    }
}

/// Serves SNMP on `port` for ever, from the card's state; `state_dir` keeps the v3 engine.
pub async fn serve(
    port: tokio::net::UdpSocket,
    shared: Shared,
    state_dir: Option<&Path>,
) -> std::io::Result<()> {
    let engine = engine(state_dir)?;
    let des = des_salts(&engine)?;
    tokio::spawn(super::traps::send(shared.clone(), engine.clone(), des.clone()));
    let inner = Inner::new(shared.clone());
    let front = Front::new(port);
    let mut running: Option<Running> = None;
    loop {
        let (datagram, manager) = front.receive().await;
        let (settings, firewall) = {
            let agent = shared.lock();
            (agent.config.snmp.clone(), agent.config.firewall.allows(manager.ip()))
        };
        // The firewall (§18.15) first, then the SNMP managers list: either drops the datagram.
        let allowed = firewall
            && match manager.ip() {
                IpAddr::V4(ip) => settings.allows(ip),
                IpAddr::V6(ip) => ip.to_ipv4_mapped().is_some_and(|ip| settings.allows(ip)),
            };
        if !allowed {
            continue;
        }
        if running.as_ref().is_none_or(|r| r.settings != settings) {
            running = None;
            match start(&settings, &inner, &engine, &des).await {
                Ok(agent) => running = Some(agent),
                Err(e) => {
                    eprintln!("upstwin card: snmp: cannot start the agent: {e}");
                    continue;
                }
            }
        }
        if let Some(agent) = &running {
            front.forward(&datagram, manager, agent.address).await;
        }
    }
}

async fn start(
    settings: &Snmp,
    inner: &Arc<Inner>,
    engine: &AuthoritativeEngine,
    des: &DesSaltState,
) -> Result<Running, String> {
    let agent = build(settings, inner, engine, des).await.map_err(|e| e.to_string())?;
    let address = agent.local_addr();
    let running = agent.clone();
    tokio::spawn(async move {
        if let Err(e) = running.run().await {
            eprintln!("upstwin card: snmp agent: {e}");
        }
    });
    Ok(Running { settings: settings.clone(), address, agent })
}

fn level(level: config::SecurityLevel) -> SecurityLevel {
    match level {
        config::SecurityLevel::NoAuthNoPriv => SecurityLevel::NoAuthNoPriv,
        config::SecurityLevel::AuthNoPriv => SecurityLevel::AuthNoPriv,
        config::SecurityLevel::AuthPriv => SecurityLevel::AuthPriv,
    }
}

/// The read community reads everything; the write community and the USM users (at their
/// level or above) also write.
async fn build(
    settings: &Snmp,
    inner: &Arc<Inner>,
    engine: &AuthoritativeEngine,
    des: &DesSaltState,
) -> Result<Agent, Box<dyn std::error::Error>> {
    let (read, write) = (settings.read_community.as_str(), settings.write_community.as_str());
    let mut builder = Agent::builder()
        .bind("127.0.0.1:0")
        .authoritative_engine(engine.clone())
        .des_salt_state(des.clone())
        .community(read.as_bytes())
        .community(write.as_bytes());
    for user in &settings.users {
        let user = user.clone();
        builder = builder.usm_user(user.name.clone().into_bytes(), move |u| match user.level {
            config::SecurityLevel::NoAuthNoPriv => Ok(u),
            config::SecurityLevel::AuthNoPriv => u.auth(auth(user.auth_protocol), &user.auth_password),
            config::SecurityLevel::AuthPriv => u.auth_priv(
                auth(user.auth_protocol),
                &user.auth_password,
                privacy(user.priv_protocol),
                &user.priv_password,
            ),
        })?;
    }
    for prefix in [&SYSTEM[..], &UPS_MIB[..], &NETVISION[..]] {
        let prefix = Oid::from_slice(prefix);
        builder = builder.handler(prefix.clone(), Arc::new(Mib { prefix, inner: inner.clone() }));
    }
    let users = settings.users.clone();
    let (read, write) = (read.to_string(), write.to_string());
    let builder = builder.vacm(move |mut v| {
        for model in [SecurityModel::V1, SecurityModel::V2c] {
            if read != write {
                v = v.group(read.clone().into_bytes(), model, "readers");
            }
            v = v.group(write.clone().into_bytes(), model, "writers");
            v = v.access("readers", model, SecurityLevel::NoAuthNoPriv, |a| a.read_view("all")).access(
                "writers",
                model,
                SecurityLevel::NoAuthNoPriv,
                |a| a.read_view("all").write_view("all"),
            );
        }
        for user in &users {
            let group = format!("user-{}", user.name);
            v = v
                .group(user.name.clone().into_bytes(), SecurityModel::Usm, group.clone().into_bytes())
                .access(group.into_bytes(), SecurityModel::Usm, level(user.level), |a| {
                    a.read_view("all").write_view("all")
                });
        }
        v.view("all", |view| view.include(Oid::from_slice(&[1, 3, 6, 1])))
    });
    Ok(builder.build().await?)
}
