//! RFC 1628 UPS-MIB (`.1.3.6.1.2.1.33.1`): upsIdent, upsBattery, upsInput, upsOutput,
//! upsBypass, upsAlarm (with the well-known alarm table), upsTest, upsControl, upsConfig.
//! Units are the RFC's: volts, 0.1 Hz, 0.1 A, watts, 0.1 V DC for the battery. An object the
//! UPS does not give is left out.

use super::Facts;
use super::objects::{Objects, at, first, phases};
use crate::rules::Condition;
use async_snmp::{Oid, Value};
use ups_models::map::ModelField;

pub const UPS_MIB: [u32; 7] = [1, 3, 6, 1, 2, 1, 33];
const OBJECTS: [u32; 8] = [1, 3, 6, 1, 2, 1, 33, 1];
/// upsWellKnownAlarms: `.1.3.6.1.2.1.33.1.6.3.<index>`.
pub const WELL_KNOWN_ALARMS: [u32; 10] = [1, 3, 6, 1, 2, 1, 33, 1, 6, 3];
/// upsTestGeneralSystemsTest and upsTestQuickBatteryTest: the ids an NMS sets in upsTestId
/// to start a test; the card sends the UPS's battery test for either.
pub const GENERAL_SYSTEMS_TEST: [u32; 11] = [1, 3, 6, 1, 2, 1, 33, 1, 7, 7, 3];
pub const QUICK_BATTERY_TEST: [u32; 11] = [1, 3, 6, 1, 2, 1, 33, 1, 7, 7, 4];
const NO_TESTS_INITIATED: [u32; 11] = [1, 3, 6, 1, 2, 1, 33, 1, 7, 7, 1];
/// upsTestId, upsTestSpinLock, upsShutdownAfterDelay, upsStartupAfterDelay: settable.
pub const TEST_ID: [u32; 11] = [1, 3, 6, 1, 2, 1, 33, 1, 7, 1, 0];
pub const TEST_SPIN_LOCK: [u32; 11] = [1, 3, 6, 1, 2, 1, 33, 1, 7, 2, 0];
pub const SHUTDOWN_AFTER_DELAY: [u32; 11] = [1, 3, 6, 1, 2, 1, 33, 1, 8, 2, 0];
pub const STARTUP_AFTER_DELAY: [u32; 11] = [1, 3, 6, 1, 2, 1, 33, 1, 8, 3, 0];

fn scalar(group: u32, object: u32) -> Vec<u32> {
    at(&OBJECTS, &[group, object, 0])
}

pub fn add(objects: &mut Objects, facts: &Facts) {
    ident(objects, facts);
    battery(objects, facts);
    lines(objects, facts);
    alarms(objects, facts);
    test(objects, facts);
    control(objects, facts);
    config(objects, facts);
}

fn ident(objects: &mut Objects, facts: &Facts) {
    let database = facts.agent.card.database();
    objects.put(&scalar(1, 1), "Socomec");
    objects.put(&scalar(1, 2), database.reference.clone().unwrap_or_default());
    let firmware = database.model_value(ModelField::FirmwareVersion).map(|v| format!("{:.2}", v / 100.0));
    objects.put(&scalar(1, 3), firmware.unwrap_or_default());
    objects.put(&scalar(1, 4), super::AGENT_VERSION);
    objects.put(&scalar(1, 5), facts.agent.config.system_name.clone());
    // upsIdentAttachedDevices: the card does not know what the UPS feeds.
    objects.put(&scalar(1, 6), "");
}

fn battery(objects: &mut Objects, facts: &Facts) {
    let database = facts.agent.card.database();
    // unknown(1), batteryNormal(2), batteryLow(3), batteryDepleted(4).
    let status = if !facts.online() {
        1
    } else if facts.holds(Condition::BatteryDischarged) {
        4
    } else if facts.holds(Condition::BatteryLow) {
        3
    } else {
        2
    };
    objects.put(&scalar(2, 1), status);
    objects.put(&scalar(2, 2), facts.agent.card.notices().seconds_on_battery(facts.now_s));
    objects.scaled(&scalar(2, 3), first(database, "remaining_runtime_min"), 1.0);
    objects.scaled(&scalar(2, 4), first(database, "battery_charge_pct"), 1.0);
    objects.scaled(&scalar(2, 5), first(database, "battery_voltage_v"), 10.0);
    objects.scaled(&scalar(2, 6), first(database, "battery_current_a"), 10.0);
    objects.scaled(&scalar(2, 7), first(database, "battery_temperature_c"), 1.0);
}

/// upsInput (3), upsOutput (4), upsBypass (5): scalars, then one table row per phase.
fn lines(objects: &mut Objects, facts: &Facts) {
    let database = facts.agent.card.database();
    let input = phases(database, "input_voltage_v");
    objects.put(&at(&OBJECTS, &[3, 1, 0]), Value::Counter32(facts.agent.card.notices().line_bads()));
    objects.put(&scalar(3, 2), input.len() as i32);
    let input_columns: [(&str, f64); 4] = [
        ("input_frequency_hz", 10.0),
        ("input_voltage_v", 1.0),
        ("input_current_a", 10.0),
        ("input_power_kw", 1000.0),
    ];
    table(objects, facts, &[3, 3, 1], input.len(), &input_columns);

    objects.put(&scalar(4, 1), output_source(facts));
    objects.scaled(&scalar(4, 2), first(database, "output_frequency_hz"), 10.0);
    let output = phases(database, "output_voltage_v");
    objects.put(&scalar(4, 3), output.len() as i32);
    let output_columns: [(&str, f64); 4] = [
        ("output_voltage_v", 1.0),
        ("output_current_a", 10.0),
        ("output_power_kw", 1000.0),
        ("output_load_pct", 1.0),
    ];
    table(objects, facts, &[4, 4, 1], output.len(), &output_columns);

    objects.scaled(&scalar(5, 1), first(database, "bypass_frequency_hz"), 10.0);
    let bypass = phases(database, "bypass_voltage_v");
    objects.put(&scalar(5, 2), bypass.len() as i32);
    let bypass_columns: [(&str, f64); 3] =
        [("bypass_voltage_v", 1.0), ("bypass_current_a", 10.0), ("bypass_power_kw", 1000.0)];
    table(objects, facts, &[5, 3, 1], bypass.len(), &bypass_columns);
}

/// A per-phase table from column 2 (column 1, the line index, is not-accessible in RFC
/// 1628). A value the map gives once for all lines (the input frequency) is on every line.
fn table(objects: &mut Objects, facts: &Facts, entry: &[u32], lines: usize, columns: &[(&str, f64)]) {
    let database = facts.agent.card.database();
    let entry = at(&OBJECTS, entry);
    for (column, (signal, scale)) in (2u32..).zip(columns) {
        let values = phases(database, signal);
        for line in 1..=lines as u32 {
            let value = match values.len() {
                1 => values[0],
                _ => values.get(line as usize - 1).copied().flatten(),
            };
            objects.scaled(&at(&entry, &[column, line]), value, *scale);
        }
    }
}

/// other(1), none(2), normal(3), bypass(4), battery(5).
fn output_source(facts: &Facts) -> i32 {
    if !facts.online() {
        1
    } else if facts.holds(Condition::OnBattery) {
        5
    } else if facts.holds(Condition::LoadOnBypass) || facts.holds(Condition::MaintenanceBypass) {
        4
    } else if facts.holds(Condition::LoadOnInverter)
        || facts.holds(Condition::EcoMode)
        || facts.holds(Condition::LineInteractive)
    {
        3
    } else if facts.holds(Condition::LoadOff) {
        2
    } else {
        1
    }
}

/// upsAlarmsPresent and upsAlarmTable: the well-known alarm's OID and sysUpTime then, by id.
fn alarms(objects: &mut Objects, facts: &Facts) {
    let rows = &facts.agent.card.alarms().well_known;
    objects.put(&scalar(6, 1), Value::Gauge32(rows.len() as u32));
    for row in rows {
        let entry = at(&OBJECTS, &[6, 2, 1]);
        // upsAlarmId (column 1) is the index: not-accessible.
        let descr = Oid::from_slice(&at(&WELL_KNOWN_ALARMS, &[u32::from(row.alarm.index)]));
        objects.put(&at(&entry, &[2, row.id]), descr);
        objects.put(&at(&entry, &[3, row.id]), Value::TimeTicks(facts.uptime_at(row.since)));
    }
}

/// upsTest: the last battery test the card saw (§16.2).
fn test(objects: &mut Objects, facts: &Facts) {
    let view = facts.agent.card.battery_test();
    // donePass(1), doneError(3), aborted(4), inProgress(5), noTestsInitiated(6).
    let summary = match (view.status, view.result) {
        ("In progress", _) => 5,
        (_, "OK") => 1,
        (_, "Failed") => 3,
        (_, "Interrupted") => 4,
        _ => 6,
    };
    let id = if summary == 6 { NO_TESTS_INITIATED } else { QUICK_BATTERY_TEST };
    objects.put(&scalar(7, 1), Oid::from_slice(&id));
    objects.put(&scalar(7, 2), facts.sets.test_spin_lock);
    objects.put(&scalar(7, 3), summary);
    objects.put(&scalar(7, 4), view.result);
}

/// upsControl: the shutdown the NMS set last (-1: none), and the restart delay it will use.
fn control(objects: &mut Objects, facts: &Facts) {
    objects.put(&scalar(8, 1), 1); // upsShutdownType: output(1).
    objects.put(&scalar(8, 2), facts.sets.shutdown_after_delay_s);
    objects.put(&scalar(8, 3), facts.sets.startup_after_delay_s);
    objects.put(&scalar(8, 4), -1);
    objects.put(&scalar(8, 5), 1); // upsAutoRestart: on(1).
}

/// upsConfig: the UPS's nominal values.
fn config(objects: &mut Objects, facts: &Facts) {
    let database = facts.agent.card.database();
    objects.scaled(&scalar(9, 1), database.model_value(ModelField::NominalInputVoltageV), 1.0);
    objects.scaled(&scalar(9, 2), database.model_value(ModelField::NominalInputFrequencyHz), 10.0);
    objects.scaled(&scalar(9, 3), database.model_value(ModelField::NominalOutputVoltageV), 1.0);
    objects.scaled(&scalar(9, 4), database.model_value(ModelField::NominalOutputFrequencyHz), 10.0);
    objects.scaled(&scalar(9, 5), database.model_value(ModelField::ApparentPowerKva), 1000.0);
    objects.scaled(&scalar(9, 6), database.model_value(ModelField::ActivePowerKw), 1000.0);
}
