//! The unit synoptic's 21 elements and NET VISION's colour rules (§12.1.1), as data any UI
//! draws. Where the manual leaves a cell blank for the normal state, the element is green
//! when its part runs and grey when it does not; icons that only appear in some states
//! (bypass impossible, maintenance alarm, alarm present, genset) are `Hidden` otherwise.

use crate::rules::Condition::{self, *};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Colour {
    Hidden,
    Grey,
    Green,
    Yellow,
    Red,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Element {
    /// The manual's element number (1–21).
    pub number: u8,
    pub name: &'static str,
    pub colour: Colour,
}

/// What the colours depend on besides the conditions.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Inputs {
    /// The highest output load rate over the phases, %; `None` when not managed.
    pub load_pct: Option<f64>,
    /// Whether any alarm of the alarm table is active.
    pub alarm_present: bool,
}

/// Which parameter table a click on an element opens (§12.1.4).
pub fn table_of(number: u8) -> Option<&'static str> {
    match number {
        1 | 2 => Some("rectifier"),
        10 => Some("battery"),
        6 => Some("inverter"),
        11..=13 => Some("bypass"),
        8 | 9 => Some("output"),
        _ => None,
    }
}

/// The elements the system synoptic of a parallel system shows (§12.2.1), coloured by the
/// same rules as in the unit view: the units' supplies, the global output and the bypass.
pub const SYSTEM_ELEMENTS: [u8; 8] = [1, 7, 8, 9, 11, 12, 14, 15];

/// The 21 elements of the unit synoptic.
pub fn elements(holds: &impl Fn(Condition) -> bool, inputs: Inputs) -> Vec<Element> {
    use Colour::*;
    let on_off = |condition| if holds(condition) { Green } else { Grey };
    let part = |on, preventive, critical| match () {
        _ if holds(critical) => Red,
        _ if holds(on) && holds(preventive) => Yellow,
        _ => on_off(on),
    };
    let shown_if = |condition, colour| if holds(condition) { colour } else { Hidden };
    let load = match inputs.load_pct {
        None => Grey,
        Some(pct) if pct > 100.0 => Red,
        Some(pct) if pct > 90.0 => Yellow,
        Some(pct) if pct > 0.0 => Green,
        Some(_) => Grey,
    };
    let colours = [
        (1, "Rectifier input supply", on_off(RectifierInputPresent)),
        (2, "Rectifier", part(RectifierOn, RectifierPreventive, RectifierCritical)),
        (3, "Rectifier output", on_off(RectifierOn)),
        (4, "DC Bus", on_off(RectifierOn)),
        (5, "Inverter input", if holds(OnBattery) { Yellow } else { on_off(RectifierOn) }),
        (6, "Inverter", part(InverterOn, InverterPreventive, InverterCritical)),
        (
            7,
            "Inverter output",
            if holds(InverterOn) && holds(OnBattery) { Yellow } else { on_off(InverterOn) },
        ),
        (8, "Output", output(holds)),
        (9, "Load", load),
        (10, "Battery", battery(holds)),
        (11, "Bypass input supply", on_off(BypassInputPresent)),
        (12, "Bypass input", if holds(BypassOn) { Yellow } else { on_off(BypassInputPresent) }),
        (13, "Bypass", part(BypassOn, BypassPreventive, BypassCritical)),
        (14, "Bypass output", bypass_output(holds)),
        (15, "Maintenance Bypass", if holds(MaintenanceBypass) { Yellow } else { Grey }),
        (16, "Bypass impossible", bypass_impossible(holds)),
        (17, "Maintenance alarm", shown_if(MaintenanceAlarm, Yellow)),
        (18, "Alarm present", if inputs.alarm_present { Grey } else { Hidden }),
        (19, "Genset", shown_if(GensetOn, Grey)),
        // Neither map says whether a parallel system shares its battery.
        (20, "Battery sharing", Hidden),
        // The card has no IoT connection.
        (21, "IoT Status", Hidden),
    ];
    colours.into_iter().map(|(number, name, colour)| Element { number, name, colour }).collect()
}

fn output(holds: &impl Fn(Condition) -> bool) -> Colour {
    if holds(OnBattery) || (holds(LoadOnBypass) && !holds(EcoMode)) {
        Colour::Yellow
    } else if holds(LoadOnInverter) || holds(EcoMode) {
        Colour::Green
    } else {
        Colour::Grey
    }
}

/// §12.1.1, element 10: grey by default (the manual's Green column is empty for the battery),
/// yellow for a battery room or temperature alarm or a failed test, red for a battery alarm.
fn battery(holds: &impl Fn(Condition) -> bool) -> Colour {
    if holds(BatteryAlarm) {
        Colour::Red
    } else if holds(BatteryRoomAlarm) || holds(BatteryTemperatureAlarm) || holds(BatteryTestFailed) {
        Colour::Yellow
    } else {
        Colour::Grey
    }
}

fn bypass_output(holds: &impl Fn(Condition) -> bool) -> Colour {
    match (holds(BypassOn), holds(EcoMode)) {
        (true, true) => Colour::Green,
        (true, false) => Colour::Yellow,
        (false, _) => Colour::Grey,
    }
}

fn bypass_impossible(holds: &impl Fn(Condition) -> bool) -> Colour {
    if holds(TransferLocked) {
        Colour::Red
    } else if holds(TransferImpossible) {
        Colour::Yellow
    } else {
        Colour::Hidden
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colours(on: &[Condition], inputs: Inputs) -> Vec<Colour> {
        elements(&|c| on.contains(&c), inputs).into_iter().map(|e| e.colour).collect()
    }

    #[test]
    fn online_on_battery_and_eco_follow_the_table() {
        use Colour::*;
        let normal = [RectifierInputPresent, RectifierOn, InverterOn, LoadOnInverter, BypassInputPresent];
        let load = Inputs { load_pct: Some(50.0), alarm_present: false };
        let c = colours(&normal, load);
        assert_eq!(c.len(), 21);
        assert_eq!(
            &c[..14],
            [Green, Green, Green, Green, Green, Green, Green, Green, Green, Grey, Green, Green, Grey, Grey]
        );
        let c =
            colours(&[InverterOn, OnBattery, BypassInputPresent], Inputs { load_pct: Some(95.0), ..load });
        assert_eq!((c[0], c[4], c[6], c[7], c[8]), (Grey, Yellow, Yellow, Yellow, Yellow));
        let c = colours(
            &[BypassOn, EcoMode, LoadOnBypass, BypassInputPresent],
            Inputs { load_pct: Some(101.0), ..load },
        );
        assert_eq!((c[7], c[8], c[11], c[13]), (Green, Red, Yellow, Green));
        let c =
            colours(&[TransferLocked, TransferImpossible, GensetOn], Inputs { alarm_present: true, ..load });
        assert_eq!((c[15], c[17], c[18]), (Red, Grey, Grey));
        assert_eq!(colours(&[], Inputs::default())[15..19], [Hidden, Hidden, Hidden, Hidden]);
    }
}
