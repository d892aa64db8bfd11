//! UPS controls (§16.1, §16.2, §16.7, §18.1) as writes to the map's command block: which
//! ones the UPS allows now, and the registers each writes. Pure: the poll loop sends them.

use crate::clock::Stamp;
use crate::rules::Condition;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use ups_models::map::{CommandAction, RegisterMap};

/// Registers to write (function 06 for one word, 16 for more).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub address: u16,
    pub values: Vec<u16>,
}

/// The command that sets the UPS clock.
pub const SET_CLOCK: &str = "set_clock";

/// A control as the card offers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Control {
    /// What to POST: `/api/controls/{name}`.
    pub name: String,
    /// As NET VISION's pages say it.
    pub label: String,
    /// Parameters the body gives, e.g. `delay_s`, `restart_delay_s`, `plug`.
    pub params: Vec<String>,
    pub available: bool,
    /// Why not, when not available.
    pub why_not: Option<String>,
}

/// NET VISION's words for a command (§16.1, §21.3, §21.4); the command's own name otherwise.
pub fn label(name: &str) -> String {
    match name {
        "battery_test" => "Battery test",
        "eco_on" => "Enable eco mode",
        "eco_off" => "Disable eco mode",
        "standby_on" => "Enable standby mode",
        "standby_off" => "Disabled standby mode",
        "transfer_to_bypass" => "Transfer Load to Bypass",
        "transfer_to_inverter" => "Transfer Load to Inverter",
        "line_interactive_on" => "Enable Line-interactive mode",
        "line_interactive_off" => "Disabled Line-interactive mode",
        "alarm_ack" => "Alarm Acknowledgement",
        "shutdown" => "UPS shutdown command",
        "cancel_shutdown" => "UPS shutdown cancel",
        "load_off" => "UPS output off",
        "load_on" => "UPS output on command",
        "power_share" => "Power share plug",
        "power_share_mode" => "Power share plug mode",
        SET_CLOCK => "UPS date and time",
        other => other,
    }
    .to_string()
}

/// A control's parameter as a form shows it: `delay_s` → "Delay (s)", `restart_delay_s` →
/// "Restart delay (s)", `plug` → "Plug": words from the name, the unit from its suffix.
pub fn param_label(name: &str) -> String {
    let (words, unit) = match name.rsplit_once('_') {
        Some((words, "s")) => (words, " (s)"),
        Some((words, "min")) => (words, " (min)"),
        Some((words, "pct")) => (words, " (%)"),
        _ => (name, ""),
    };
    let mut text = words.replace('_', " ");
    if let Some(first) = text.get(..1) {
        text.replace_range(..1, &first.to_uppercase());
    }
    text + unit
}

/// The card events log line for a control the UPS took (§21.4 words where it has them).
pub fn sent_event(name: &str) -> String {
    match name {
        "shutdown" => "Send UPS shutdown command to UPS".to_string(),
        "load_on" => "Send UPS output on command to UPS".to_string(),
        other => format!("{} sent to the UPS", label(other)),
    }
}

/// The UPS events log line a control the UPS took makes, if §21.3 lists one.
pub fn ups_event(name: &str) -> Option<&'static str> {
    match name {
        "alarm_ack" => Some("Alarm Acknowledgement"),
        "shutdown" => Some("UPS shut off sent"),
        _ => None,
    }
}

/// Every command of the map's block, once each, with its parameters.
fn commands(map: &RegisterMap) -> Vec<(String, Vec<String>)> {
    let mut found: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |name: &str, params: Vec<String>| {
        if !found.iter().any(|(n, _)| n == name) {
            found.push((name.to_string(), params));
        }
    };
    for register in &map.commands.registers {
        match &register.action {
            CommandAction::Trigger(name) => add(name, Vec::new()),
            CommandAction::Switch(on, off) => {
                add(on, Vec::new());
                add(off, Vec::new());
            }
            CommandAction::Params { command, params, fixed } => add(
                command,
                fixed.iter().map(|(name, _)| name.clone()).chain(params.iter().cloned()).collect(),
            ),
            CommandAction::SetClock => add(SET_CLOCK, Vec::new()),
        }
    }
    found
}

/// The controls and whether each is allowed now: the UPS must answer and allow remote
/// controls (alarm acknowledgement is always present, §16.1), and have what the control
/// needs (a battery test not already running; power share plugs, which JBUSP's T10 "Number
/// of Power Share Plugs Available" counts: `power_share_plugs`, when the map has it).
pub fn list(
    map: &RegisterMap,
    conditions: Option<&BTreeSet<Condition>>,
    online: bool,
    power_share_plugs: Option<f64>,
) -> Vec<Control> {
    let holds = |c: Condition| conditions.is_some_and(|set| set.contains(&c));
    commands(map)
        .into_iter()
        .map(|(name, params)| {
            let why_not = if !online {
                Some("the UPS does not answer")
            } else if holds(Condition::RemoteControlsDisabled) && name != "alarm_ack" {
                Some("remote controls are disabled by the UPS")
            } else if name == "battery_test" && holds(Condition::BatteryTestUnsupported) {
                Some("the UPS has no battery test")
            } else if name == "battery_test" && holds(Condition::BatteryTest) {
                Some("a battery test is in progress")
            } else if name.starts_with("power_share") && power_share_plugs.is_some_and(|plugs| plugs < 1.0) {
                Some("the UPS has no power share plug")
            } else {
                None
            };
            Control {
                label: label(&name),
                name,
                params,
                available: why_not.is_none(),
                why_not: why_not.map(String::from),
            }
        })
        .collect()
}

/// The registers control `name` writes with `params`; `now` for the clock.
pub fn write(
    map: &RegisterMap,
    name: &str,
    params: &BTreeMap<String, f64>,
    now: Stamp,
) -> Result<Write, String> {
    let mut unknown_params = true;
    for register in &map.commands.registers {
        let values = match &register.action {
            CommandAction::Trigger(command) if command == name => vec![1],
            CommandAction::Switch(on, _) if on == name => vec![1],
            CommandAction::Switch(_, off) if off == name => vec![0],
            CommandAction::SetClock if name == SET_CLOCK => clock_words(now),
            CommandAction::Params { command, params: wanted, fixed } if command == name => {
                unknown_params = false;
                // The register for these fixed values (`plug: 2`): another register otherwise.
                if !fixed.iter().all(|(key, value)| params.get(key) == Some(value)) {
                    continue;
                }
                check_known(params, wanted, fixed)?;
                wanted.iter().map(|key| word(key, params.get(key))).collect::<Result<_, _>>()?
            }
            _ => continue,
        };
        if matches!(
            register.action,
            CommandAction::Trigger(_) | CommandAction::Switch(..) | CommandAction::SetClock
        ) && let Some(key) = params.keys().next()
        {
            return Err(format!("{name} takes no parameter, found `{key}`"));
        }
        return Ok(Write { address: register.address, values });
    }
    if !unknown_params {
        return Err(format!("no {name} register for these parameters: {params:?}"));
    }
    let names: Vec<String> = commands(map).into_iter().map(|(n, _)| n).collect();
    Err(format!("no control `{name}` on this UPS; the controls are {}", names.join(", ")))
}

fn check_known(
    params: &BTreeMap<String, f64>,
    wanted: &[String],
    fixed: &[(String, f64)],
) -> Result<(), String> {
    match params.keys().find(|key| !wanted.contains(key) && !fixed.iter().any(|(f, _)| f == *key)) {
        Some(key) => Err(format!("unknown parameter `{key}`; expected {}", wanted.join(", "))),
        None => Ok(()),
    }
}

/// A parameter as one register word: a whole number from 0 to 65535.
fn word(key: &str, value: Option<&f64>) -> Result<u16, String> {
    let value = *value.ok_or_else(|| format!("missing parameter `{key}`"))?;
    if value.fract() == 0.0 && (0.0..=65535.0).contains(&value) {
        Ok(value as u16)
    } else {
        Err(format!("`{key}` must be a whole number from 0 to 65535, found {value}"))
    }
}

/// `now` in the layout a `SetClock` register takes (`ups-models` map.rs): minutes and
/// seconds, day and hour, month, year − 2000, whether or not the map can read a clock back.
fn clock_words(now: Stamp) -> Vec<u16> {
    let at = time::OffsetDateTime::from_unix_timestamp(now.unix_ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    vec![
        u16::from(at.minute()) << 8 | u16::from(at.second()),
        u16::from(at.day()) << 8 | u16::from(at.hour()),
        u16::from(u8::from(at.month())) << 8,
        (at.year() - 2000).clamp(0, 0xFFFF) as u16,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jbusp() -> RegisterMap {
        ups_models::maps::bundled("jbusp").unwrap()
    }

    fn params(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    const NOON: Stamp = Stamp { unix_ms: 1_767_268_800_000 }; // 01/01/2026 12:00:00

    #[test]
    fn parameters_are_shown_in_words_with_their_unit() {
        assert_eq!(param_label("delay_s"), "Delay (s)");
        assert_eq!(param_label("restart_delay_s"), "Restart delay (s)");
        assert_eq!(param_label("plug"), "Plug");
        assert_eq!(param_label("closed"), "Closed");
    }

    #[test]
    fn commands_become_the_maps_writes() {
        let map = jbusp();
        let none = BTreeMap::new();
        assert_eq!(write(&map, "battery_test", &none, NOON), Ok(Write { address: 0x1500, values: vec![1] }));
        assert_eq!(write(&map, "eco_off", &none, NOON), Ok(Write { address: 0x1501, values: vec![0] }));
        let shutdown = params(&[("delay_s", 120.0), ("restart_delay_s", 60.0)]);
        assert_eq!(
            write(&map, "shutdown", &shutdown, NOON),
            Ok(Write { address: 0x1507, values: vec![120, 60] })
        );
        let plug = params(&[("plug", 3.0), ("closed", 0.0)]);
        assert_eq!(write(&map, "power_share", &plug, NOON), Ok(Write { address: 0x150E, values: vec![0] }));
        // 12:00:00 on 1 January 2026: minutes/seconds, day/hour, month, year − 2000.
        assert_eq!(
            write(&map, SET_CLOCK, &none, NOON),
            Ok(Write { address: 0x1518, values: vec![0, 1 << 8 | 12, 1 << 8, 26] })
        );
    }

    #[test]
    fn vumap_takes_the_clock_in_the_same_layout() {
        let vumap = ups_models::maps::bundled("vumap").unwrap();
        let written = write(&vumap, SET_CLOCK, &BTreeMap::new(), NOON).unwrap();
        assert_eq!(written, Write { address: 0x0218, values: vec![0, 1 << 8 | 12, 1 << 8, 26] });
    }

    #[test]
    fn bad_requests_say_what_is_wrong() {
        let map = jbusp();
        let none = BTreeMap::new();
        assert!(
            write(&map, "self_destruct", &none, NOON).unwrap_err().contains("no control `self_destruct`")
        );
        assert!(write(&map, "shutdown", &none, NOON).unwrap_err().contains("missing parameter `delay_s`"));
        let fraction = params(&[("delay_s", 1.5), ("restart_delay_s", 0.0)]);
        assert!(write(&map, "shutdown", &fraction, NOON).unwrap_err().contains("whole number"));
        let extra = params(&[("delay_s", 1.0), ("restart_delay_s", 0.0), ("force", 1.0)]);
        assert!(write(&map, "shutdown", &extra, NOON).unwrap_err().contains("unknown parameter `force`"));
        assert!(write(&map, "battery_test", &extra, NOON).unwrap_err().contains("takes no parameter"));
        let plug = params(&[("plug", 9.0), ("closed", 1.0)]);
        assert!(write(&map, "power_share", &plug, NOON).unwrap_err().contains("no power_share register"));
    }

    #[test]
    fn availability_follows_the_ups() {
        let map = jbusp();
        let find =
            |controls: &[Control], name: &str| controls.iter().find(|c| c.name == name).cloned().unwrap();
        let all = list(&map, Some(&BTreeSet::new()), true, None);
        assert!(all.iter().all(|c| c.available), "{all:?}");
        // §16.1: the transfer and line-interactive controls are "only for VU-MAP UPS
        // compliancy".
        for name in
            ["transfer_to_bypass", "transfer_to_inverter", "line_interactive_on", "line_interactive_off"]
        {
            assert!(all.iter().all(|c| c.name != name), "JBUSP offers {name}");
            let vumap =
                list(&ups_models::maps::bundled("vumap").unwrap(), Some(&BTreeSet::new()), true, None);
            assert!(find(&vumap, name).available, "VU-MAP offers {name}");
        }
        assert_eq!(find(&all, "power_share").params, ["plug", "closed"]);
        let disabled = BTreeSet::from([Condition::RemoteControlsDisabled]);
        let controls = list(&map, Some(&disabled), true, None);
        assert_eq!(
            find(&controls, "eco_on").why_not.as_deref(),
            Some("remote controls are disabled by the UPS")
        );
        assert!(find(&controls, "alarm_ack").available, "always present");
        let testing = BTreeSet::from([Condition::BatteryTest]);
        assert!(!find(&list(&map, Some(&testing), true, None), "battery_test").available);
        assert!(list(&map, None, false, None).iter().all(|c| !c.available));
        // A UPS whose T10 says it has no power share plug is offered none (§16.7: "if
        // power share plugs present").
        let without_plugs = list(&map, Some(&BTreeSet::new()), true, Some(0.0));
        assert_eq!(
            find(&without_plugs, "power_share").why_not.as_deref(),
            Some("the UPS has no power share plug")
        );
        assert!(find(&list(&map, Some(&BTreeSet::new()), true, Some(2.0)), "power_share").available);
    }
}
