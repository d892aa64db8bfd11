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

/// The values carrying `signal`, by phase (phases in order; an unphased value alone).
pub fn values(database: &Database, signal: &str) -> Vec<Option<f64>> {
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

pub fn tables(database: &Database) -> Vec<Table> {
    TABLES
        .iter()
        .map(|(name, title, rows)| Table {
            name,
            title,
            rows: rows
                .iter()
                .map(|(label, unit, signal)| Row { label, unit, values: values(database, signal) })
                .filter(|row| row.values.iter().any(Option::is_some))
                .collect(),
        })
        .collect()
}
