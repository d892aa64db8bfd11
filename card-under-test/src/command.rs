//! Sending a control to the UPS on someone's behalf (the REST API, an SNMP SET, the
//! shutdown manager): checked against what the UPS allows now, written, and logged in the
//! card events log "… via `via` by `by`" (§21.4) with its UPS event when §21.3 has one.

use crate::alarms::Severity;
use crate::controls::{self, Write};
use crate::run::{Agent, Shared};
use std::collections::BTreeMap;

/// Why a control was not sent, or not done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The UPS has not answered yet: its controls are not known.
    NoUps,
    /// No such control on this UPS.
    Unknown(String),
    /// The UPS does not allow it now (remote controls off, a test running, not answering).
    Unavailable(String),
    /// Bad parameters.
    Invalid(String),
    /// Sent, but the UPS did not take it.
    NotDone(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NoUps => write!(f, "the UPS has not answered yet"),
            Refused::Unknown(why)
            | Refused::Unavailable(why)
            | Refused::Invalid(why)
            | Refused::NotDone(why) => {
                write!(f, "{why}")
            }
        }
    }
}

/// The write control `name` makes with `params`, and its label, if the UPS allows it now.
pub fn prepare(
    agent: &Agent,
    name: &str,
    params: &BTreeMap<String, f64>,
) -> Result<(Write, String), Refused> {
    let card = &agent.card;
    let map = card.map().ok_or(Refused::NoUps)?;
    let known = card.controls();
    let control = known.iter().find(|c| c.name == name).ok_or_else(|| {
        let names: Vec<&str> = known.iter().map(|c| c.name.as_str()).collect();
        Refused::Unknown(format!("no control {name}; the controls are {}", names.join(", ")))
    })?;
    if let Some(why) = &control.why_not {
        return Err(Refused::Unavailable(format!("{}: {why}", control.label)));
    }
    let write = controls::write(map, name, params, agent.clock.stamp()).map_err(Refused::Invalid)?;
    Ok((write, control.label.clone()))
}

/// Sends control `name` and waits for the UPS's answer; logs what became of it.
pub async fn send(
    shared: &Shared,
    name: &str,
    params: &BTreeMap<String, f64>,
    via: &str,
    by: &str,
) -> Result<(), Refused> {
    let (write, label) = prepare(&shared.lock(), name, params)?;
    let outcome = shared.send(write, label.clone()).await;
    let mut agent = shared.lock();
    let stamp = agent.clock.stamp();
    match outcome {
        Ok(()) => {
            let line = format!("{} via {via} by {by}", controls::sent_event(name));
            agent.card.card_event(stamp, Severity::Information, &line);
            if let Some(event) = controls::ups_event(name) {
                agent.card.ups_event(stamp, Severity::Information, event);
            }
            Ok(())
        }
        Err(why) => {
            let line = format!("{label} not done via {via} by {by}: {why}");
            agent.card.card_event(stamp, Severity::Warning, &line);
            Err(Refused::NotDone(format!("{label}: {why}")))
        }
    }
}
