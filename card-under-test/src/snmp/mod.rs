//! The card's SNMP agent (NET VISION §18.3, §18.7, §22): RFC 1628 UPS-MIB and the NET
//! VISION vendor MIB over v1, v2c and v3 (USM), read and write communities, a manager list,
//! SETs for the controls. async-snmp does the protocol; this module says what the objects
//! are (`objects`, `rfc1628`, `netvision`), what a SET does (`set`), who may ask (`front`)
//! and how the agent is built from the settings (`service`).

mod engine;
mod front;
mod mib;
pub mod netvision;
pub mod objects;
pub mod rfc1628;
mod security;
mod service;
mod set;
mod system;
pub mod trap_message;
pub mod traps;

use crate::clock::Stamp;
use crate::rules::Condition;
use crate::run::Agent;
pub use objects::Objects;
pub use service::serve;
pub use set::{Plan, Sets, plan};

/// upsIdentAgentSoftwareVersion.
pub const AGENT_VERSION: &str = concat!("upstwin card ", env!("CARGO_PKG_VERSION"));

/// What the objects are made of: the card now, and what SETs left.
#[derive(Debug)]
pub struct Facts<'a> {
    pub agent: &'a Agent,
    pub sets: &'a Sets,
    /// Card time now, s.
    pub now_s: f64,
}

impl Facts<'_> {
    fn online(&self) -> bool {
        self.agent.card.online()
    }

    /// Whether `condition` held at the last complete poll (never while the UPS is lost).
    fn holds(&self, condition: Condition) -> bool {
        self.online() && self.agent.card.conditions().is_some_and(|set| set.contains(&condition))
    }

    /// sysUpTime (hundredths of a second since the card started) at calendar time `at`.
    fn uptime_at(&self, at: Stamp) -> u32 {
        let started_ms = (self.agent.clock.calendar_s() - self.now_s) * 1000.0;
        ((at.unix_ms as f64 - started_ms) / 10.0).clamp(0.0, f64::from(u32::MAX)) as u32
    }
}

/// Every object the agent serves, now.
pub fn snapshot(agent: &Agent, sets: &Sets) -> Objects {
    let facts = Facts { agent, sets, now_s: agent.clock.now_s() };
    let mut objects = Objects::default();
    system::add(&mut objects, &facts);
    rfc1628::add(&mut objects, &facts);
    netvision::add(&mut objects, &facts);
    objects
}
