//! Which shutdown events (§16.8) are present, read from what the card last polled and from
//! the shutdown schedules (§16.5–16.6).

use crate::config::ShutdownEvent;
use crate::core::Card;
use crate::rules::Condition;
use crate::schedules::{Due, Schedules, Source};
use std::collections::BTreeSet;

/// RFC1628 well-known alarms that stand for an event.
const OVERLOAD: &str = "upsAlarmOutputOverload";
const TEMPERATURE: &str = "upsAlarmTempBad";

/// The events present at the card's last complete poll, with `scheduled` (the schedule
/// events between a shutdown moment and its restart); `None` while the UPS is not answering:
/// then nothing is known, and nothing may be taken as gone.
pub fn present(
    card: &Card,
    battery_level_pct: u8,
    scheduled: &BTreeSet<ShutdownEvent>,
) -> Option<BTreeSet<ShutdownEvent>> {
    if !card.online() {
        return None;
    }
    let conditions = card.conditions()?;
    let holds = |c: Condition| conditions.contains(&c);
    let alarm = |name: &str| card.alarms().well_known.iter().any(|a| a.alarm.name == name);
    let on_battery = holds(Condition::OnBattery);
    // The UPS off on an empty battery is no longer on battery; mains is still away.
    let mains_away =
        card.rules().reports(Condition::RectifierInputPresent) && !holds(Condition::RectifierInputPresent);
    let charge_pct =
        crate::derive::tables::values(card.database(), "battery_charge_pct").into_iter().flatten().next();
    // The battery events are shutdown reasons while the battery feeds the load: a battery
    // still low once mains is back must not shut the servers down again.
    let events = [
        (ShutdownEvent::AcFailed, on_battery || mains_away),
        (
            ShutdownEvent::BatteryLow,
            on_battery && (holds(Condition::BatteryLow) || holds(Condition::BatteryDischarged)),
        ),
        (
            ShutdownEvent::BatteryLevel,
            on_battery && charge_pct.is_some_and(|pct| pct <= f64::from(battery_level_pct)),
        ),
        (ShutdownEvent::ImminentStop, holds(Condition::ImminentStop)),
        (ShutdownEvent::Overload, alarm(OVERLOAD)),
        (ShutdownEvent::TemperatureAlarm, alarm(TEMPERATURE) || holds(Condition::BatteryTemperatureAlarm)),
        (ShutdownEvent::OnBypass, holds(Condition::LoadOnBypass) && !holds(Condition::EcoMode)),
    ];
    let found = events.into_iter().filter(|(_, holds)| *holds).map(|(event, _)| event);
    Some(found.chain(scheduled.iter().copied()).collect())
}

/// The schedule events after the moments in `(from_s, to_s]`: a shutdown moment starts its
/// event, its restart ends it.
pub fn scheduled(schedules: &Schedules, from_s: i64, to_s: i64, events: &mut BTreeSet<ShutdownEvent>) {
    let event = |source| match source {
        Source::Weekly => ShutdownEvent::WeeklySchedule,
        Source::SpecialDay => ShutdownEvent::SpecialDay,
    };
    for (_, due) in schedules.due_between(from_s, to_s) {
        match due {
            Due::Shutdown(source) => {
                events.insert(event(source));
            }
            Due::Restart(source) => {
                events.remove(&event(source));
            }
            _ => {}
        }
    }
}

/// The next shutdown or restart moment after `now_s`, a week ahead at most.
pub fn next_moment_s(schedules: &Schedules, now_s: i64) -> Option<i64> {
    let week_s = 7 * 86_400;
    (schedules.due_between(now_s, now_s + week_s).into_iter())
        .find(|(_, due)| matches!(due, Due::Shutdown(_) | Due::Restart(_)))
        .map(|(at_s, _)| at_s)
}
