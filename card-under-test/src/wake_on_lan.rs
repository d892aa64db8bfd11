//! Wake-on-LAN (§18.11): magic packets to the enabled targets, sent `repeat` times
//! `interval_s` apart to the broadcast address — once mains is back after an AC-fail
//! shutdown, or from the test button.

use crate::alarms::Severity;
use crate::config::WakeOnLan;
use crate::outlet::Outgoing;
use crate::run::Shared;
use std::time::Duration;

/// The targets to wake: the enabled ones, or those of `only` (the test's choice).
fn targets(settings: &WakeOnLan, only: Option<&[[u8; 6]]>) -> Vec<[u8; 6]> {
    (settings.targets.iter())
        .filter(|target| only.is_some() || target.enabled)
        .filter_map(|target| target.mac_bytes())
        .filter(|mac| only.is_none_or(|chosen| chosen.contains(mac)))
        .collect()
}

/// Sends one round of packets; the number sent.
async fn round(shared: &Shared, macs: &[[u8; 6]]) -> Result<usize, String> {
    let (outlet, to) = {
        let agent = shared.lock();
        (agent.outlet.clone(), agent.config.wake_on_lan.broadcast)
    };
    let mut socket = None;
    for mac in macs {
        let packet = wake_on_lan::MagicPacket::new(mac).magic_bytes().to_vec();
        let Some(Outgoing::WakeOnLan { packet, .. }) =
            outlet.divert(Outgoing::WakeOnLan { to: to.to_string(), packet })
        else {
            continue;
        };
        if socket.is_none() {
            let bound = tokio::net::UdpSocket::bind(("0.0.0.0", 0)).await.map_err(|e| e.to_string())?;
            bound.set_broadcast(true).map_err(|e| e.to_string())?;
            socket = Some(bound);
        }
        if let Some(socket) = &socket {
            socket.send_to(&packet, to).await.map_err(|e| format!("to {to}: {e}"))?;
        }
    }
    Ok(macs.len())
}

/// Why nobody was woken: nothing to wake (a setting), or the packets could not go out.
#[derive(Debug, thiserror::Error)]
pub enum NotWoken {
    #[error("no Wake-on-LAN target to wake")]
    NoTarget,
    #[error("{0}")]
    NotSent(String),
}

/// Wakes the targets (`only`: those MACs, for the test), `why` said in the card events log;
/// the first round goes now, the repeats from a task of their own. The number of targets.
pub async fn wake(shared: &Shared, only: Option<&[[u8; 6]]>, why: &str) -> Result<usize, NotWoken> {
    let settings = shared.lock().config.wake_on_lan.clone();
    let macs = targets(&settings, only);
    if macs.is_empty() {
        return Err(NotWoken::NoTarget);
    }
    let sent = round(shared, &macs).await;
    {
        let mut agent = shared.lock();
        let stamp = agent.clock.stamp();
        let line = match &sent {
            Ok(count) => {
                (Severity::Information, format!("Wake On LAN packet sent to clients ({count}, {why})"))
            }
            Err(e) => (Severity::Warning, format!("Wake On LAN packet not sent ({why}): {e}")),
        };
        agent.card.service_event(stamp, line.0, &line.1);
    }
    let count = sent.map_err(NotWoken::NotSent)?;
    if settings.repeat > 1 {
        let shared = shared.clone();
        tokio::spawn(async move {
            for _ in 1..settings.repeat {
                tokio::time::sleep(Duration::from_secs(u64::from(settings.interval_s))).await;
                if let Err(e) = round(&shared, &macs).await {
                    eprintln!("upstwin card: wake-on-lan: {e}");
                }
            }
        });
    }
    Ok(count)
}
