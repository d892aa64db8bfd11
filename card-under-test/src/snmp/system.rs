//! MIB-II's system group (`.1.3.6.1.2.1.1`): what every NMS reads first — the card's name,
//! contact and location (§18.2), its uptime, and the vendor MIB as its object id.

use super::Facts;
use super::objects::{Objects, at};
use async_snmp::{Oid, Value};

pub const SYSTEM: [u32; 7] = [1, 3, 6, 1, 2, 1, 1];

pub fn add(objects: &mut Objects, facts: &Facts) {
    let config = &facts.agent.config;
    let reference = facts.agent.card.database().reference.clone().unwrap_or_else(|| "UPS".into());
    objects.put(
        &at(&SYSTEM, &[1, 0]),
        format!("{} network management card for {reference}", super::AGENT_VERSION),
    );
    objects.put(&at(&SYSTEM, &[2, 0]), Oid::from_slice(&super::netvision::NETVISION));
    objects.put(&at(&SYSTEM, &[3, 0]), Value::TimeTicks((facts.now_s * 100.0) as u32));
    objects.put(&at(&SYSTEM, &[4, 0]), config.system_contact.clone());
    objects.put(&at(&SYSTEM, &[5, 0]), config.system_name.clone());
    objects.put(&at(&SYSTEM, &[6, 0]), config.system_location.clone());
    // sysServices: an application-layer host (2^6).
    objects.put(&at(&SYSTEM, &[7, 0]), 64);
}
