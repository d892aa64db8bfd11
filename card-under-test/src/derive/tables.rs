//! The parameter tables of NET VISION §12.1.5–§12.1.10 (UPS, battery, output, rectifier,
//! bypass, inverter): the manual's rows, each filled from the readings that carry its
//! signal. A row whose values the UPS does not manage is left out, as the manual's "present
//! if computed by UPS" says.

use crate::database::Database;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub label: &'static str,
    pub unit: &'static str,
    /// One value per phase (per-phase rows), or one value.
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// `ups`, `battery`, `output`, `rectifier`, `bypass`, `inverter`.
    pub name: &'static str,
    pub title: &'static str,
    pub rows: Vec<Row>,
}

/// A row: label, unit, signal.
type RowSpec = (&'static str, &'static str, &'static str);

/// (table, title, rows). Minutes are shown as the UPS reports them.
const TABLES: &[(&str, &str, &[RowSpec])] = &[
    (
        "ups",
        "UPS or Unit Parameters",
        &[
            ("Output load rate", "%", "output_load_pct"),
            ("Output Power", "kVA", "output_total_apparent_power_kva"),
            ("Output", "kW", "output_total_power_kw"),
            ("Output Voltage", "V", "output_voltage_v"),
            ("Input voltage", "V", "input_voltage_v"),
            ("Battery capacity", "%", "battery_charge_pct"),
            ("Remaining backup time", "mn", "remaining_runtime_min"),
            ("Battery voltage", "V", "battery_voltage_v"),
            ("Temperature", "°C", "ambient_temperature_c"),
        ],
    ),
    (
        "battery",
        "Battery Parameters",
        &[
            ("Battery voltage", "V", "battery_voltage_v"),
            ("Battery voltage string +", "V", POSITIVE_HALF),
            ("Battery voltage string -", "V", NEGATIVE_HALF),
            ("Battery capacity", "%", "battery_charge_pct"),
            ("Battery capacity", "Ah", "battery_capacity_ah"),
            ("Remaining Backup time", "mn", "remaining_runtime_min"),
            ("Battery temperature", "°C", "battery_temperature_c"),
            ("Time since on battery power", "s", "time_on_battery_s"),
        ],
    ),
    (
        "output",
        "Output Parameters",
        &[
            ("Output load rate", "%", "output_load_pct"),
            ("Output Power", "kVA", "output_apparent_power_kva"),
            ("Output Power", "kW", "output_power_kw"),
            ("Output power factor", "", "output_power_factor"),
            ("Output crest factor", "", "output_crest_factor"),
            ("Output Current", "A", "output_current_a"),
            ("Output Voltage", "V", "output_voltage_v"),
            ("Output Voltage", "U", "output_line_voltage_v"),
            ("Output Frequency", "Hz", "output_frequency_hz"),
        ],
    ),
    (
        "rectifier",
        "Input Parameters",
        &[
            ("Input Voltage", "V", "input_voltage_v"),
            ("Input Current", "A", "input_current_a"),
            ("Input Power", "kW", "input_power_kw"),
            ("Input Frequency", "Hz", "input_frequency_hz"),
        ],
    ),
    (
        "bypass",
        "Bypass Parameters",
        &[
            ("Bypass Voltage", "V", "bypass_voltage_v"),
            ("Bypass Voltage", "U", "bypass_line_voltage_v"),
            ("Bypass Power", "kW", "bypass_power_kw"),
            ("Bypass Frequency", "Hz", "bypass_frequency_hz"),
        ],
    ),
    ("inverter", "Inverter Parameters", &[("Inverter Voltage", "V", "inverter_voltage_v")]),
];

/// A battery with a midpoint reports its two halves, each from the midpoint; without one,
/// the "+" value is the whole battery and the "−" value is not managed.
const POSITIVE_HALF: &str = "battery_positive_voltage_v";
const NEGATIVE_HALF: &str = "battery_negative_voltage_v";

/// The values carrying `signal`, by phase (phases in order; an unphased value alone). The
/// whole battery's voltage, where the map carries only its halves, is their sum.
pub fn values(database: &Database, signal: &str) -> Vec<Option<f64>> {
    let read = read_values(database, signal);
    if signal != "battery_voltage_v" || !read.is_empty() {
        return read;
    }
    let positive = read_values(database, POSITIVE_HALF).into_iter().flatten().next();
    let negative = read_values(database, NEGATIVE_HALF).into_iter().flatten().next();
    match positive {
        Some(positive) => vec![Some(positive + negative.unwrap_or(0.0))],
        None => Vec::new(),
    }
}

fn read_values(database: &Database, signal: &str) -> Vec<Option<f64>> {
    let mut found: Vec<(u8, Option<f64>)> = database
        .readings
        .iter()
        .filter_map(|r| {
            r.signal.as_ref().filter(|(s, _)| s == signal).map(|(_, phase)| (phase.unwrap_or(0), r.value))
        })
        .collect();
    found.sort_by_key(|(phase, _)| *phase);
    found.into_iter().map(|(_, value)| value).collect()
}

/// Whether the UPS reports its battery's two halves (§12.1.6: "Battery string + and string -
/// values are displayed if present").
fn reports_halves(database: &Database) -> bool {
    read_values(database, NEGATIVE_HALF).iter().any(Option::is_some)
}

pub fn tables(database: &Database) -> Vec<Table> {
    TABLES
        .iter()
        .map(|(name, title, rows)| Table {
            name,
            title,
            rows: rows
                .iter()
                .filter(|(_, _, signal)| *signal != POSITIVE_HALF || reports_halves(database))
                .map(|(label, unit, signal)| Row { label, unit, values: values(database, signal) })
                .filter(|row| row.values.iter().any(Option::is_some))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::{Words, decode};

    fn battery_rows(m20: u16, m21: u16) -> Vec<(&'static str, Vec<Option<f64>>)> {
        let map = ups_models::maps::bundled("jbusp").unwrap();
        let mut words = Words::default();
        words.store(0x1074, &[m20, m21]);
        let database = decode(&map, &words);
        let battery = tables(&database).into_iter().find(|t| t.name == "battery").unwrap();
        battery
            .rows
            .into_iter()
            .filter(|r| r.label.starts_with("Battery voltage"))
            .map(|r| (r.label, r.values))
            .collect()
    }

    #[test]
    fn a_battery_with_a_midpoint_shows_its_two_strings_and_their_sum() {
        let rows = battery_rows(2921, 2915);
        assert_eq!(rows[0], ("Battery voltage", vec![Some(583.6)]));
        assert_eq!(rows[1], ("Battery voltage string +", vec![Some(292.1)]));
        assert_eq!(rows[2], ("Battery voltage string -", vec![Some(291.5)]));
    }

    #[test]
    fn a_battery_without_one_shows_one_voltage() {
        assert_eq!(battery_rows(5836, 0xFFFF), vec![("Battery voltage", vec![Some(583.6)])]);
    }
}
