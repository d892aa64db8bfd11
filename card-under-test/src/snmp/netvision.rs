//! The NET VISION vendor MIB (`.1.3.6.1.4.1.4555.1.1.7.1`, §22 "APPENDIX: NET VISION 7 MIB
//! FILE OID DESCRIPTION"): upsIdent … emdStatus. Integers throughout; `##.#` formats are
//! tenths; a value the UPS does not manage is -1 (§22 general rule).

use super::Facts;
use super::objects::{Objects, at, first, phases};
use crate::rules::Condition;
use std::net::Ipv4Addr;
use ups_models::map::ModelField;

pub const NETVISION: [u32; 10] = [1, 3, 6, 1, 4, 1, 4555, 1, 1, 7];
const OBJECTS: [u32; 11] = [1, 3, 6, 1, 4, 1, 4555, 1, 1, 7, 1];
/// upsControlStatusControl, upsShutdownDelay, upsTurnOffAfterShutdown: settable.
pub const STATUS_CONTROL: [u32; 14] = [1, 3, 6, 1, 4, 1, 4555, 1, 1, 7, 1, 7, 1, 0];
pub const SHUTDOWN_DELAY: [u32; 14] = [1, 3, 6, 1, 4, 1, 4555, 1, 1, 7, 1, 7, 2, 0];
pub const TURN_OFF_AFTER_SHUTDOWN: [u32; 14] = [1, 3, 6, 1, 4, 1, 4555, 1, 1, 7, 1, 7, 3, 0];
/// The vendor MIB's version the card serves (upsAgentMibVersion).
const MIB_VERSION: &str = "NET VISION 7";

fn scalar(group: u32, object: u32) -> Vec<u32> {
    at(&OBJECTS, &[group, object, 0])
}

/// DisplayStrings the MIB bounds (upsIdentUserRef: 11 characters, …).
fn bounded(text: &str, most: usize) -> String {
    text.chars().take(most).collect()
}

pub fn add(objects: &mut Objects, facts: &Facts) {
    ident(objects, facts);
    battery(objects, facts);
    lines(objects, facts);
    alarms(objects, facts);
    control(objects, facts);
    config(objects, facts);
    agent(objects, facts);
    // emdStatus: no EMD is attached to the card.
    for object in 1..=4 {
        objects.put(&scalar(10, object), -1);
    }
}

fn ident(objects: &mut Objects, facts: &Facts) {
    let (database, config) = (facts.agent.card.database(), &facts.agent.config);
    objects.put(&scalar(1, 1), bounded(database.reference.as_deref().unwrap_or_default(), 31));
    objects.put(&scalar(1, 2), bounded(database.serial_number.as_deref().unwrap_or_default(), 19));
    objects.put(&scalar(1, 3), bounded(&config.system_name, 11));
    objects.put(&scalar(1, 4), bounded(&config.system_location, 11));
    objects.put(&scalar(1, 5), super::AGENT_VERSION);
    objects.put(&scalar(1, 6), config.system_name.clone());
    objects.put(&scalar(1, 7), config.system_contact.clone());
    objects.put(&scalar(1, 8), config.system_location.clone());
}

fn battery(objects: &mut Objects, facts: &Facts) {
    let database = facts.agent.card.database();
    // unknown(1) normal(2) charging(3) test(4) discharging(5) low(6) depleted(7) failure(8)
    // disconnected(9).
    let status = [
        (Condition::BatteryDisconnected, 9),
        (Condition::BatteryDischarged, 7),
        (Condition::BatteryLow, 6),
        (Condition::BatteryTest, 4),
        (Condition::OnBattery, 5),
        (Condition::BatteryAlarm, 8),
        (Condition::BatteryCharging, 3),
    ]
    .into_iter()
    .find(|(condition, _)| facts.holds(*condition))
    .map_or(if facts.online() { 2 } else { 1 }, |(_, value)| value);
    objects.put(&scalar(2, 1), status);
    objects.put(&scalar(2, 2), facts.agent.card.notices().seconds_on_battery(facts.now_s));
    objects.scaled_or_unmanaged(&scalar(2, 3), first(database, "remaining_runtime_min"), 1.0);
    objects.scaled_or_unmanaged(&scalar(2, 4), first(database, "battery_charge_pct"), 1.0);
    objects.scaled_or_unmanaged(&scalar(2, 5), first(database, "battery_voltage_v"), 10.0);
    objects.scaled_or_unmanaged(&scalar(2, 6), first(database, "battery_temperature_c"), 10.0);
    objects.scaled_or_unmanaged(&scalar(2, 7), first(database, "ambient_temperature_c"), 10.0);
    objects.scaled_or_unmanaged(&scalar(2, 8), first(database, "battery_current_a"), 10.0);
}

fn lines(objects: &mut Objects, facts: &Facts) {
    let database = facts.agent.card.database();
    let input = phases(database, "input_voltage_v");
    objects.put(&scalar(3, 1), input.len() as i32);
    objects.scaled_or_unmanaged(&scalar(3, 2), first(database, "input_frequency_hz"), 10.0);
    // upsInputVoltageMax and Min: the card keeps no extremes.
    let input_columns =
        [("input_voltage_v", 10.0), ("input_current_a", 10.0), (NOT_KEPT, 10.0), (NOT_KEPT, 10.0)];
    table(objects, facts, &[3, 3, 1], input.len(), &input_columns);

    objects.put(&scalar(4, 1), output_source(facts));
    objects.scaled_or_unmanaged(&scalar(4, 2), first(database, "output_frequency_hz"), 10.0);
    let output = phases(database, "output_voltage_v");
    objects.put(&scalar(4, 3), output.len() as i32);
    let output_columns = [
        ("output_voltage_v", 10.0),
        ("output_current_a", 10.0),
        ("output_load_pct", 1.0),
        ("output_apparent_power_kva", 10.0),
        ("output_power_kw", 10.0),
    ];
    table(objects, facts, &[4, 4, 1], output.len(), &output_columns);
    let total_kva = first(database, "output_total_apparent_power_kva")
        .or_else(|| sum(&phases(database, "output_apparent_power_kva")));
    let total_kw =
        first(database, "output_total_power_kw").or_else(|| sum(&phases(database, "output_power_kw")));
    objects.scaled_or_unmanaged(&scalar(4, 5), total_kva, 10.0);
    objects.scaled_or_unmanaged(&scalar(4, 6), total_kw, 10.0);
    let load = first(database, "output_total_load_pct")
        .or_else(|| phases(database, "output_load_pct").into_iter().flatten().reduce(f64::max));
    objects.scaled_or_unmanaged(&scalar(4, 7), load, 1.0);

    objects.scaled_or_unmanaged(&scalar(5, 1), first(database, "bypass_frequency_hz"), 10.0);
    let bypass = phases(database, "bypass_voltage_v");
    objects.put(&scalar(5, 2), bypass.len() as i32);
    table(
        objects,
        facts,
        &[5, 3, 1],
        bypass.len(),
        &[("bypass_voltage_v", 10.0), ("bypass_current_a", 10.0)],
    );
}

fn sum(values: &[Option<f64>]) -> Option<f64> {
    values.iter().copied().collect::<Option<Vec<f64>>>().filter(|v| !v.is_empty()).map(|v| v.iter().sum())
}

/// A column the card has no signal for: -1 on every line.
const NOT_KEPT: &str = "";

/// A per-phase table: column 1 the line index, then one column per signal.
fn table(objects: &mut Objects, facts: &Facts, entry: &[u32], lines: usize, columns: &[(&str, f64)]) {
    let database = facts.agent.card.database();
    let entry = at(&OBJECTS, entry);
    for line in 1..=lines as u32 {
        objects.put(&at(&entry, &[1, line]), line as i32);
    }
    for (column, (signal, scale)) in (2u32..).zip(columns) {
        let values = phases(database, signal);
        for line in 1..=lines as u32 {
            let value = values.get(line as usize - 1).copied().flatten();
            objects.scaled_or_unmanaged(&at(&entry, &[column, line]), value, *scale);
        }
    }
}

/// Unknown(1) onMaintenanceBypass(2) onInverter(3) normalMode(4) ecoMode(5) onBypass(6)
/// standby(7) upsOff(8) LineInteractive(9).
fn output_source(facts: &Facts) -> i32 {
    [
        (Condition::MaintenanceBypass, 2),
        // Eco mode and standby before "load off": their bits may leave the load-on bits clear.
        (Condition::EcoMode, 5),
        (Condition::Standby, 7),
        (Condition::LoadOff, 8),
        (Condition::LoadOnBypass, 6),
        (Condition::LineInteractive, 9),
        (Condition::OnBattery, 3),
        (Condition::LoadOnInverter, 4),
    ]
    .into_iter()
    .find(|(condition, _)| facts.holds(*condition))
    .map_or(1, |(_, value)| value)
}

/// upsAlarmsPresent, the card's alarm table (§12.3) and the vendor well-known alarms: 1
/// present, 0 not, -1 for an alarm this UPS's map does not give.
fn alarms(objects: &mut Objects, facts: &Facts) {
    let table = facts.agent.card.alarms();
    objects.put(&scalar(6, 1), table.count() as i32);
    let entry = at(&OBJECTS, &[6, 2, 1]);
    for (row, alarm) in (1u32..).zip(&table.active) {
        objects.put(&at(&entry, &[1, row]), row as i32);
        objects.put(&at(&entry, &[2, row]), alarm.description.clone());
        objects.put(&at(&entry, &[3, row]), alarm.since.to_string());
        objects.put(&at(&entry, &[4, row]), alarm.code.clone());
    }
    let database = facts.agent.card.database();
    let on = database.bits_on();
    let rules = facts.agent.card.rules();
    let comm_lost = facts.agent.card.comm() == crate::poller::Comm::Lost;
    for index in 1..=62u32 {
        let value = match rules.vendor_alarms.iter().find(|w| u32::from(w.index) == index) {
            // upsAlarmCommunicationLost is the card's own.
            None if index == 58 => i32::from(comm_lost),
            None => -1,
            Some(alarm) => i32::from(facts.online() && alarm.when.holds(&on)),
        };
        objects.put(&at(&OBJECTS, &[6, 3, index, 0]), value);
    }
}

/// upsControl: the last status control set (0: none yet), the UPS shut-off delay and
/// whether the UPS is turned off after a shutdown.
fn control(objects: &mut Objects, facts: &Facts) {
    objects.put(&STATUS_CONTROL, facts.sets.status_control);
    objects.put(&SHUTDOWN_DELAY, facts.sets.shutdown_delay_s);
    objects.put(&TURN_OFF_AFTER_SHUTDOWN, if facts.sets.turn_off_after_shutdown { 1 } else { 2 });
}

fn config(objects: &mut Objects, facts: &Facts) {
    let database = facts.agent.card.database();
    let topology = &facts.agent.card.view().topology;
    let units = topology.devices.len().max(1) as i32;
    let kva = database.model_value(ModelField::ApparentPowerKva);
    objects.scaled_or_unmanaged(&scalar(8, 1), kva, 1.0);
    objects.put(&scalar(8, 2), units);
    objects.scaled_or_unmanaged(&scalar(8, 3), kva.map(|k| k / f64::from(units)), 1.0);
    // upsConfigRemoteCtrl: enabled(1) / disabled(2), as the UPS says.
    objects.put(&scalar(8, 4), if facts.holds(Condition::RemoteControlsDisabled) { 2 } else { 1 });
}

fn agent(objects: &mut Objects, facts: &Facts) {
    let config = &facts.agent.config;
    let network = &config.network;
    let unset = Ipv4Addr::UNSPECIFIED;
    objects.put(&scalar(9, 1), network.ip_address);
    objects.put(&scalar(9, 2), network.gateway.unwrap_or(unset));
    objects.put(&scalar(9, 3), network.subnet_mask.unwrap_or(unset));
    let stamp = facts.agent.clock.stamp().to_string();
    let (date, time) = stamp.split_once(' ').unwrap_or((&stamp, ""));
    objects.put(&scalar(9, 4), date.to_string());
    objects.put(&scalar(9, 5), time.to_string());
    objects.put(&scalar(9, 8), config.history_interval_s.round() as i32);
    objects.put(&scalar(9, 9), (config.extended_interval_min * 60.0).round() as i32);
    objects.put(&scalar(9, 10), config.polling_s.round() as i32);
    objects.put(&scalar(9, 11), facts.agent.line_baud.map_or(-1, |b| b as i32));
    // enabled(1) / disabled(2).
    objects.put(&scalar(9, 12), if network.dhcp { 1 } else { 2 });
    objects.put(&scalar(9, 23), MIB_VERSION);
}
