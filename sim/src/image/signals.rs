//! Measurements by name, as map files refer to them (`output_voltage_v`, phase 2). Names
//! carry their unit, so a map's scale is only ×1, ×10 or ×100.

use crate::ups::Ups;
use crate::ups::measurements::AcPoint;

/// Every measurement name a map may use, with whether it takes a phase.
pub const MEASUREMENTS: &[(&str, bool)] = &[
    ("input_voltage_v", true),
    ("input_line_voltage_v", true),
    ("input_current_a", true),
    ("input_power_kw", true),
    ("input_frequency_hz", false),
    ("bypass_voltage_v", true),
    ("bypass_line_voltage_v", true),
    ("bypass_current_a", true),
    ("bypass_power_kw", true),
    ("bypass_frequency_hz", false),
    ("output_voltage_v", true),
    ("output_line_voltage_v", true),
    ("output_current_a", true),
    ("output_power_kw", true),
    ("output_apparent_power_kva", true),
    ("output_power_factor", true),
    ("output_load_pct", true),
    ("output_total_load_pct", false),
    ("output_total_power_kw", false),
    ("output_total_apparent_power_kva", false),
    ("output_neutral_current_a", false),
    ("output_crest_factor", false),
    ("output_frequency_hz", false),
    ("battery_voltage_v", false),
    ("battery_current_a", false),
    ("battery_charge_pct", false),
    ("battery_capacity_ah", false),
    ("battery_temperature_c", false),
    ("remaining_runtime_min", false),
    ("time_on_battery_s", false),
    ("ambient_temperature_c", false),
    ("dc_bus_voltage_v", false),
];

/// Whether `name` is a measurement, and whether it needs a phase.
pub fn takes_phase(name: &str) -> Option<bool> {
    MEASUREMENTS.iter().find(|(n, _)| *n == name).map(|(_, phased)| *phased)
}

/// Line-to-line voltage `phase`→`phase+1` (U12, U23, U31) from phase voltages 120° apart.
fn line_voltage_v(point: &AcPoint, phase: usize) -> f64 {
    let (a, b) = (point.voltage_v[phase], point.voltage_v[(phase + 1) % 3]);
    // |Va − Vb| with 120° between them: √(a² + b² + a·b).
    (a * a + b * b + a * b).sqrt()
}

/// The value of a measurement now, in its named unit; `phase` is 1-based. `None` for an
/// unknown name or a phase the UPS does not have.
pub fn measurement(ups: &Ups, name: &str, phase: Option<u8>) -> Option<f64> {
    let m = ups.measurements();
    let ratings = &ups.model().ratings;
    let phases = |input: bool| usize::from(if input { ratings.input_phases } else { ratings.output_phases });
    let index = |input: bool| -> Option<usize> {
        let p = usize::from(phase?);
        (1..=phases(input)).contains(&p).then_some(p - 1)
    };
    let total_output_w: f64 = m.output_power_w.iter().sum();
    let total_va: f64 = m.output_apparent_power_va.iter().sum();
    Some(match name {
        "input_voltage_v" => m.input.voltage_v[index(true)?],
        "input_line_voltage_v" => line_voltage_v(&m.input, index(true).filter(|_| phases(true) == 3)?),
        "input_current_a" => m.input.current_a[index(true)?],
        "input_power_kw" => {
            index(true)?;
            m.input_power_w / phases(true) as f64 / 1000.0
        }
        "input_frequency_hz" => m.input.frequency_hz,
        "bypass_voltage_v" => m.bypass.voltage_v[index(true)?],
        "bypass_line_voltage_v" => line_voltage_v(&m.bypass, index(true).filter(|_| phases(true) == 3)?),
        "bypass_current_a" => m.bypass.current_a[index(false)?],
        "bypass_power_kw" => {
            index(false)?;
            m.bypass_power_w / phases(false) as f64 / 1000.0
        }
        "bypass_frequency_hz" => m.bypass.frequency_hz,
        "output_voltage_v" => m.output.voltage_v[index(false)?],
        "output_line_voltage_v" => line_voltage_v(&m.output, index(false).filter(|_| phases(false) == 3)?),
        "output_current_a" => m.output.current_a[index(false)?],
        "output_power_kw" => m.output_power_w[index(false)?] / 1000.0,
        "output_apparent_power_kva" => m.output_apparent_power_va[index(false)?] / 1000.0,
        "output_power_factor" => m.output_power_factor[index(false)?],
        "output_load_pct" => m.output_load_pct[index(false)?],
        "output_total_load_pct" => 100.0 * total_output_w / ups.rated_w(),
        "output_total_power_kw" => total_output_w / 1000.0,
        "output_total_apparent_power_kva" => total_va / 1000.0,
        "output_neutral_current_a" => m.output_neutral_current_a,
        "output_crest_factor" => m.output_crest_factor,
        "output_frequency_hz" => m.output.frequency_hz,
        "battery_voltage_v" => m.battery_voltage_v,
        "battery_current_a" => m.battery_current_a,
        "battery_charge_pct" => m.battery_charge_pct,
        "battery_capacity_ah" => m.battery_capacity_ah,
        "battery_temperature_c" => m.battery_temperature_c,
        "remaining_runtime_min" => m.remaining_runtime_s / 60.0,
        "time_on_battery_s" => m.time_on_battery_s,
        "ambient_temperature_c" => m.ambient_temperature_c,
        "dc_bus_voltage_v" => m.dc_bus_voltage_v,
        _ => return None,
    })
}
