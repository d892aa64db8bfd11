//! What the card reads in a map's bits, as data (`rules/*.ron`): the named conditions its
//! status strings, synoptic and alarm table are made of, and the RFC1628 well-known alarms.
//! The derivation code speaks only of conditions, so a new map needs a rules file, not code.

use crate::expr::{self, Expr};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use ups_models::Located;
use ups_models::map::RegisterMap;
use ups_models::ron_text;

const BUNDLED: &[(&str, &str)] =
    &[("jbusp", include_str!("../rules/jbusp.ron")), ("vumap", include_str!("../rules/vumap.ron"))];

/// A condition the card derives its views from (NET VISION §12.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    ServiceMode,
    MaintenanceBypass,
    ImminentStop,
    AutoTest,
    OnBattery,
    BatteryTest,
    LoadOnInverter,
    EcoMode,
    LineInteractive,
    LoadOnBypass,
    UnitAvailable,
    Standby,
    LoadOff,
    BatteryDisconnected,
    BatteryDischarged,
    BatteryLow,
    BatteryToInput,
    BatteryAlarm,
    BatteryRoomAlarm,
    BatteryTemperatureAlarm,
    BatteryTestFailed,
    BatteryCharging,
    BatteryOk,
    RectifierInputPresent,
    RectifierOn,
    RectifierPreventive,
    RectifierCritical,
    InverterOn,
    InverterPreventive,
    InverterCritical,
    BypassInputPresent,
    BypassOn,
    BypassPreventive,
    BypassCritical,
    TransferImpossible,
    TransferLocked,
    MaintenanceAlarm,
    GeneralAlarm,
    GensetOn,
    ParallelSystem,
    /// The UPS refuses remote controls (§16.1: "if the remote controls are enabled by the UPS").
    RemoteControlsDisabled,
    BatteryTestUnsupported,
    BatteryTestProgrammed,
    BatteryTestStandby,
    BatteryTestInterrupted,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "CardRules")]
struct RulesFile {
    map: String,
    conditions: BTreeMap<Condition, String>,
    well_known: Vec<WellKnownFile>,
    #[serde(default)]
    vendor_alarms: Vec<WellKnownFile>,
    #[serde(default)]
    traps: Vec<TrapFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrapFile {
    number: u8,
    when: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WellKnownFile {
    index: u8,
    name: String,
    when: String,
}

/// One RFC1628 well-known alarm (`.1.3.6.1.2.1.33.1.6.3.<index>`) and when it is present.
#[derive(Debug, Clone, PartialEq)]
pub struct WellKnown {
    pub index: u8,
    pub name: String,
    pub when: Expr,
}

/// A vendor trap (NET VISION "APPENDIX: NET VISION 7 TRAP DESCRIPTION") the UPS's bits raise.
#[derive(Debug, Clone, PartialEq)]
pub struct TrapRule {
    pub number: u8,
    pub when: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub map: String,
    conditions: BTreeMap<Condition, Expr>,
    pub well_known: Vec<WellKnown>,
    /// The vendor MIB's upsWellKnownAlarms (`.1.3.6.1.4.1.4555.1.1.7.1.6.3.<index>`).
    pub vendor_alarms: Vec<WellKnown>,
    pub traps: Vec<TrapRule>,
}

impl Rules {
    /// Whether `condition` holds with the bits in `on` set; a condition this map cannot
    /// report never holds.
    pub fn holds(&self, condition: Condition, on: &BTreeSet<&str>) -> bool {
        self.conditions.get(&condition).is_some_and(|e| e.holds(on))
    }

    /// Whether this map can report `condition` at all.
    pub fn reports(&self, condition: Condition) -> bool {
        self.conditions.contains_key(&condition)
    }

    /// Every condition that holds with the bits in `on` set.
    pub fn holding(&self, on: &BTreeSet<&str>) -> BTreeSet<Condition> {
        self.conditions.iter().filter(|(_, e)| e.holds(on)).map(|(c, _)| *c).collect()
    }
}

/// The bundled rules of a bundled map.
pub fn bundled(map: &RegisterMap) -> Option<Rules> {
    let (_, text) = BUNDLED.iter().find(|(name, _)| *name == map.name)?;
    parse(text, map).ok()
}

/// Parses a rules file for `map`: every expression must parse and name bits of the map.
pub fn parse(text: &str, map: &RegisterMap) -> Result<Rules, Located> {
    let file: RulesFile = ron_text::parse(text)?;
    let bits: BTreeSet<&str> = map.tables.iter().flat_map(|t| &t.bits).map(|b| b.code.as_str()).collect();
    let file_text = text;
    let compile = |key: &str, text: &str| -> Result<Expr, Located> {
        let at = |message: String| {
            let (line, column) = position_of(file_text, &format!("\"{text}\""));
            Located::at(line, column, message)
        };
        let expr = expr::parse(text).map_err(|e| at(format!("{key}: {e}")))?;
        match expr.codes().into_iter().find(|code| !bits.contains(code)) {
            Some(code) => Err(at(format!("{key}: {code} is not a bit of map {}", map.name))),
            None => Ok(expr),
        }
    };
    if file.map != map.name {
        return Err(Located::at(1, 1, format!("rules for map {}, not {}", file.map, map.name)));
    }
    let mut conditions = BTreeMap::new();
    for (condition, text) in &file.conditions {
        conditions.insert(*condition, compile(&format!("{condition:?}"), text)?);
    }
    let alarms = |list: &[WellKnownFile]| {
        list.iter()
            .map(|w| Ok(WellKnown { index: w.index, name: w.name.clone(), when: compile(&w.name, &w.when)? }))
            .collect::<Result<Vec<_>, Located>>()
    };
    let (well_known, vendor_alarms) = (alarms(&file.well_known)?, alarms(&file.vendor_alarms)?);
    let traps = file
        .traps
        .iter()
        .map(|t| {
            let key = format!("trap {}", t.number);
            match crate::catalogue::trap(t.number) {
                Some(_) => Ok(TrapRule { number: t.number, when: compile(&key, &t.when)? }),
                None => Err(Located::at(1, 1, format!("{key}: the vendor traps are numbered 1 to 40"))),
            }
        })
        .collect::<Result<_, Located>>()?;
    Ok(Rules { map: file.map, conditions, well_known, vendor_alarms, traps })
}

/// Line and column of the first `needle` in `text` (1:1 when absent).
fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let offset = text.find(needle).unwrap_or(0);
    let before = &text[..offset];
    (before.matches('\n').count() + 1, offset - before.rfind('\n').map_or(0, |i| i + 1) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_map_has_valid_rules() {
        for name in ups_models::maps::names() {
            let map = ups_models::maps::bundled(name).unwrap();
            let (_, text) = BUNDLED.iter().find(|(n, _)| *n == name).expect("rules for every bundled map");
            let rules = parse(text, &map)
                .unwrap_or_else(|e| panic!("{name}: {}:{}: {}", e.line, e.column, e.message));
            assert!(
                rules.holds(Condition::OnBattery, &[if name == "jbusp" { "S05" } else { "A019" }].into())
            );
            assert_eq!(rules.well_known.len(), 16, "{name}: the manual maps 16 well-known alarms");
            // Of the vendor MIB's 62 alarms and 40 traps, those the manual gives bits for.
            let (vendor_alarms, traps) = if name == "jbusp" { (49, 18) } else { (56, 18) };
            assert_eq!((rules.vendor_alarms.len(), rules.traps.len()), (vendor_alarms, traps), "{name}");
        }
    }

    #[test]
    fn a_code_outside_the_map_is_refused() {
        let map = ups_models::maps::bundled("jbusp").unwrap();
        let text = "CardRules(map: \"jbusp\", conditions: { on_battery: \"S05 | A999\" }, well_known: [])";
        let error = parse(text, &map).unwrap_err();
        assert_eq!(error.message, "OnBattery: A999 is not a bit of map jbusp");
        assert_eq!((error.line, error.column), (1, 51), "points at the expression");
        let text = "CardRules(map: \"jbusp\", conditions: { on_batery: \"S05\" }, well_known: [])";
        assert!(parse(text, &map).unwrap_err().message.contains("on_batery"));
    }
}
