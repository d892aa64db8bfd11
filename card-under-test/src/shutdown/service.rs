//! Runs the shutdown sequence on the card's clock: after every poll, at every deadline of
//! the sequence and at every schedule moment, steps the manager and carries out its orders —
//! the card events log lines and traps of §16.8 / §22 (20 ShutdownWarning, 21
//! ShutdownRequest, 26 ShutdownCancelled), the messages to the agents, the UPS's shut-off
//! and output-on commands, the Wake-on-LAN.

use super::events;
use super::manager::{Inputs, Order};
use super::protocol::Message;
use super::{Shutdown, State};
use crate::alarms::Severity;
use crate::catalogue;
use crate::notify::Detail;
use crate::outlet::Outgoing;
use crate::rules::Condition;
use crate::run::{Agent, Shared};
use std::collections::BTreeMap;
use std::time::Duration;

/// Who the card events log says sent the UPS commands (§21.4 "… via … by …").
const VIA: &str = "Shutdown Management";
const BY: &str = "NET VISION";

/// Starts the shutdown test (§16.8) asked `by` someone; the service runs it.
pub fn start_test(shared: &Shared, shutdown: &Shutdown, by: &str) -> Result<(), String> {
    let mut agent = shared.lock();
    let settings = agent.config.shutdown.clone();
    shutdown.lock().manager.start_test(&settings)?;
    let stamp = agent.clock.stamp();
    let line = format!("Shutdown test started (simulated AC fail) via {by}");
    agent.card.card_event(stamp, Severity::Information, &line);
    shutdown.wake.notify_one();
    Ok(())
}

pub async fn run(shared: Shared, shutdown: Shutdown) {
    let mut news = shared.notices();
    loop {
        let (orders, wait_s) = step(&mut shared.lock(), &mut shutdown.lock());
        for order in orders {
            carry_out(&shared, order).await;
        }
        let wait = Duration::from_secs_f64(wait_s.unwrap_or(3600.0).clamp(0.001, 3600.0));
        tokio::select! {
            changed = news.changed() => if changed.is_err() { return },
            () = shutdown.wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// One step of the sequence; the orders that need the UPS or the network, and how long
/// until the next deadline (card seconds).
fn step(agent: &mut Agent, state: &mut State) -> (Vec<Order>, Option<f64>) {
    let calendar_s = agent.clock.calendar_s().floor() as i64;
    let from_s = state.scheduled_seen_s.replace(calendar_s).unwrap_or(calendar_s);
    events::scheduled(&agent.config.schedules, from_s, calendar_s, &mut state.scheduled);
    let schedule_wait_s = events::next_moment_s(&agent.config.schedules, calendar_s)
        .map(|at_s| (at_s as f64 - agent.clock.calendar_s()).max(0.0));
    let settings = &agent.config.shutdown;
    let Some(present) = events::present(&agent.card, settings.battery_level_pct, &state.scheduled) else {
        // The UPS is not answering: the sequence holds until it does.
        return (Vec::new(), schedule_wait_s);
    };
    let conditions = agent.card.conditions();
    let output_on = conditions.is_some_and(|c| !c.contains(&Condition::LoadOff));
    let now_s = agent.clock.now_s();
    let orders = state.manager.step(now_s, &Inputs { present, output_on }, settings);
    let later: Vec<Order> = orders.into_iter().filter(|order| !tell_agents(agent, state, order)).collect();
    let next_s = state.manager.next_s().map(|at_s| (at_s - now_s).max(0.0));
    (later, next_s.into_iter().chain(schedule_wait_s).min_by(f64::total_cmp))
}

/// Logs an order for the agents, raises its trap and sends it; `false` for the orders
/// that are not for the agents.
fn tell_agents(agent: &mut Agent, state: &State, order: &Order) -> bool {
    let test_note = |test: bool| if test { " (test)" } else { "" };
    let (line, level, trap, message) = match *order {
        Order::Warning { event, test, shutdown_in_s } => {
            let when = shutdown_in_s.map_or(String::new(), |s| format!(", shutdown in {s} s"));
            (
                format!("Send shutdown warning to clients ({}{when}){}", event.label(), test_note(test)),
                Severity::Warning,
                catalogue::SHUTDOWN_WARNING,
                Message::Warning { seq: 0, event: event.label().into(), test, shutdown_in_s },
            )
        }
        Order::Shutdown { event, test } => (
            format!("Send shutdown request to clients ({}){}", event.label(), test_note(test)),
            Severity::Warning,
            catalogue::SHUTDOWN_REQUEST,
            Message::Shutdown { seq: 0, event: event.label().into(), test },
        ),
        Order::Cancel { event, test } => (
            format!("Send shutdown cancel to clients ({}){}", event.label(), test_note(test)),
            Severity::Information,
            catalogue::SHUTDOWN_CANCELLED,
            Message::Cancel { seq: 0, event: event.label().into(), test },
        ),
        Order::UpsShutOff { .. } | Order::UpsOn | Order::WakeOnLan { .. } => return false,
    };
    let stamp = agent.clock.stamp();
    agent.card.card_event(stamp, level, &line);
    agent.card.raise(stamp, trap, Detail::None);
    let json = serde_json::to_vec(&message).expect("messages serialize");
    if agent.outlet.divert(Outgoing::ShutdownAgents { message: json }).is_some() {
        // No agent connected is no error: the log says the card sent it.
        let _ = state.to_agents.send(message);
    }
    true
}

/// Sends a UPS command of the sequence, logging it when the UPS cannot take it (a command
/// sent is logged by `command::send`).
async fn ups_command(shared: &Shared, name: &str, params: BTreeMap<String, f64>) {
    if let Err(why) = crate::command::send(shared, name, &params, VIA, BY).await
        && !matches!(why, crate::command::Refused::NotDone(_))
    {
        let mut agent = shared.lock();
        let stamp = agent.clock.stamp();
        let line = format!("Not done: {} ({why})", crate::controls::label(name));
        agent.card.card_event(stamp, Severity::Warning, &line);
    }
}

async fn carry_out(shared: &Shared, order: Order) {
    match order {
        Order::UpsShutOff { delay_s, restart_delay_s } => {
            let params = [("delay_s", delay_s), ("restart_delay_s", restart_delay_s)];
            let params = params.into_iter().map(|(k, v)| (k.to_string(), f64::from(v))).collect();
            let shared = shared.clone();
            tokio::spawn(async move { ups_command(&shared, "shutdown", params).await });
        }
        Order::UpsOn => {
            let shared = shared.clone();
            tokio::spawn(async move { ups_command(&shared, "load_on", BTreeMap::new()).await });
        }
        Order::WakeOnLan { event } => {
            if !shared.lock().config.wake_on_lan.enabled {
                return;
            }
            let why = format!("power back after the {} shutdown", event.label());
            // The outcome is in the card events log.
            let _ = crate::wake_on_lan::wake(shared, None, &why).await;
        }
        Order::Warning { .. } | Order::Shutdown { .. } | Order::Cancel { .. } => {}
    }
}
