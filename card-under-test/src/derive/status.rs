//! The status strings of NET VISION §12.1.5 (UPS), §12.1.6 (battery) and §12.1.7 (output):
//! each list in the manual's order, the first that holds wins.

use crate::rules::Condition::{self, *};

/// The UPS status (§12.1.5) in the manual's order. "Normal mode" (off-line UPS) is not in
/// the list: neither map says a UPS is off-line.
const UPS_STATUS: &[(Condition, &str)] = &[
    (ServiceMode, "In Service mode"),
    (MaintenanceBypass, "On maintenance bypass"),
    (ImminentStop, "Imminent STOP"),
    (AutoTest, "Auto-test procedure"),
    (OnBattery, "Operating on Battery"),
    (BatteryTest, "Battery test in progress"),
    (LoadOnInverter, "Load protected by Inverter"),
    (EcoMode, "UPS in eco mode"),
    (LineInteractive, "Line-Interactive mode"),
    (LoadOnBypass, "Load on Bypass"),
    (UnitAvailable, "Unit Available"),
    (Standby, "On standby"),
    (LoadOff, "Load OFF"),
];

/// The battery status (§12.1.6); "Battery OK" when nothing else holds.
const BATTERY_STATUS: &[(Condition, &str)] = &[
    (BatteryDisconnected, "Battery disconnected"),
    (BatteryDischarged, "Battery discharged"),
    (BatteryLow, "Battery low"),
    (OnBattery, "Battery discharging"),
    (BatteryToInput, "Battery to input"),
    (BatteryAlarm, "Battery alarm"),
    (BatteryRoomAlarm, "Battery room alarm"),
    (BatteryTemperatureAlarm, "Battery temperature alarm"),
    (BatteryTest, "Battery test running"),
    (BatteryCharging, "Battery charging"),
    (BatteryOk, "Battery OK"),
];

/// The output status (§12.1.7).
const OUTPUT_STATUS: &[(Condition, &str)] = &[
    (MaintenanceBypass, "On maintenance bypass"),
    (LoadOnInverter, "Load protected by inverter"),
    (EcoMode, "eco mode"),
    (LoadOnBypass, "Load on Bypass"),
    (LineInteractive, "Line-Interactive mode"),
    (Standby, "On standby"),
    (LoadOff, "Load OFF"),
];

/// "Unknown": no communication with the UPS (§12.1.5–7).
pub const UNKNOWN: &str = "Unknown";

fn first(list: &[(Condition, &'static str)], holds: &impl Fn(Condition) -> bool) -> Option<&'static str> {
    list.iter().find(|(condition, _)| holds(*condition)).map(|(_, text)| *text)
}

pub fn ups_status(holds: &impl Fn(Condition) -> bool) -> &'static str {
    first(UPS_STATUS, holds).unwrap_or("Load OFF")
}

/// Whether the load is fed: the UPS status is one of the fed ones, not "Load OFF".
pub fn load_fed(holds: &impl Fn(Condition) -> bool) -> bool {
    UPS_STATUS
        .iter()
        .find(|(condition, _)| holds(*condition))
        .is_some_and(|(condition, _)| *condition != LoadOff)
}

pub fn battery_status(holds: &impl Fn(Condition) -> bool) -> &'static str {
    first(BATTERY_STATUS, holds).unwrap_or("Battery OK")
}

pub fn output_status(holds: &impl Fn(Condition) -> bool) -> &'static str {
    first(OUTPUT_STATUS, holds).unwrap_or("Load OFF")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(on: &[Condition]) -> impl Fn(Condition) -> bool + '_ {
        move |c| on.contains(&c)
    }

    #[test]
    fn the_manuals_order_decides() {
        assert_eq!(ups_status(&with(&[LoadOnInverter])), "Load protected by Inverter");
        assert_eq!(ups_status(&with(&[LoadOnInverter, OnBattery])), "Operating on Battery");
        assert_eq!(ups_status(&with(&[OnBattery, ImminentStop])), "Imminent STOP");
        assert_eq!(ups_status(&with(&[LoadOnBypass, EcoMode])), "UPS in eco mode");
        assert_eq!(ups_status(&with(&[LoadOnBypass])), "Load on Bypass");
        assert_eq!(ups_status(&with(&[])), "Load OFF");
        assert_eq!(battery_status(&with(&[OnBattery, BatteryLow])), "Battery low");
        assert_eq!(battery_status(&with(&[BatteryCharging, BatteryOk])), "Battery charging");
        assert_eq!(battery_status(&with(&[])), "Battery OK");
        assert_eq!(output_status(&with(&[LoadOnBypass, EcoMode])), "eco mode");
        assert_eq!(output_status(&with(&[MaintenanceBypass, LoadOnBypass])), "On maintenance bypass");
    }

    /// The window's top bar colours the status by it: a load off is never shown green.
    #[test]
    fn the_load_is_fed_unless_the_status_says_load_off() {
        assert!(load_fed(&with(&[LoadOnInverter])));
        assert!(load_fed(&with(&[LoadOnInverter, OnBattery])));
        assert!(!load_fed(&with(&[LoadOff])));
        assert!(!load_fed(&with(&[])));
        assert_eq!(
            load_fed(&with(&[LoadOff, LoadOnBypass])),
            ups_status(&with(&[LoadOff, LoadOnBypass])) != "Load OFF"
        );
    }
}
