//! Measurements by name, as map files refer to them (`output_voltage_v`, phase 2). Names
//! carry their unit, so a map's scale is only ×1, ×10 or ×100.

use crate::ups::Ups;
use crate::ups::measurements::AcPoint;

/// A measurement a map can encode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measurement {
    InputVoltageV,
    InputLineVoltageV,
    InputCurrentA,
    InputPowerKw,
    InputFrequencyHz,
    BypassVoltageV,
    BypassLineVoltageV,
    BypassCurrentA,
    BypassPowerKw,
    BypassFrequencyHz,
    OutputVoltageV,
    OutputLineVoltageV,
    OutputCurrentA,
    OutputPowerKw,
    OutputApparentPowerKva,
    OutputPowerFactor,
    OutputLoadPct,
    OutputTotalLoadPct,
    OutputTotalPowerKw,
    OutputTotalApparentPowerKva,
    OutputNeutralCurrentA,
    OutputCrestFactor,
    OutputFrequencyHz,
    BatteryVoltageV,
    BatteryPositiveVoltageV,
    BatteryNegativeVoltageV,
    BatteryCurrentA,
    BatteryChargePct,
    BatteryCapacityAh,
    BatteryTemperatureC,
    RemainingRuntimeMin,
    TimeOnBatteryS,
    AmbientTemperatureC,
    DcBusVoltageV,
}

/// Every measurement: name as map files write it, and whether it takes a phase.
pub const MEASUREMENTS: &[(Measurement, &str, bool)] = &[
    (Measurement::InputVoltageV, "input_voltage_v", true),
    (Measurement::InputLineVoltageV, "input_line_voltage_v", true),
    (Measurement::InputCurrentA, "input_current_a", true),
    (Measurement::InputPowerKw, "input_power_kw", true),
    (Measurement::InputFrequencyHz, "input_frequency_hz", false),
    (Measurement::BypassVoltageV, "bypass_voltage_v", true),
    (Measurement::BypassLineVoltageV, "bypass_line_voltage_v", true),
    (Measurement::BypassCurrentA, "bypass_current_a", true),
    (Measurement::BypassPowerKw, "bypass_power_kw", true),
    (Measurement::BypassFrequencyHz, "bypass_frequency_hz", false),
    (Measurement::OutputVoltageV, "output_voltage_v", true),
    (Measurement::OutputLineVoltageV, "output_line_voltage_v", true),
    (Measurement::OutputCurrentA, "output_current_a", true),
    (Measurement::OutputPowerKw, "output_power_kw", true),
    (Measurement::OutputApparentPowerKva, "output_apparent_power_kva", true),
    (Measurement::OutputPowerFactor, "output_power_factor", true),
    (Measurement::OutputLoadPct, "output_load_pct", true),
    (Measurement::OutputTotalLoadPct, "output_total_load_pct", false),
    (Measurement::OutputTotalPowerKw, "output_total_power_kw", false),
    (Measurement::OutputTotalApparentPowerKva, "output_total_apparent_power_kva", false),
    (Measurement::OutputNeutralCurrentA, "output_neutral_current_a", false),
    (Measurement::OutputCrestFactor, "output_crest_factor", false),
    (Measurement::OutputFrequencyHz, "output_frequency_hz", false),
    (Measurement::BatteryVoltageV, "battery_voltage_v", false),
    (Measurement::BatteryPositiveVoltageV, "battery_positive_voltage_v", false),
    (Measurement::BatteryNegativeVoltageV, "battery_negative_voltage_v", false),
    (Measurement::BatteryCurrentA, "battery_current_a", false),
    (Measurement::BatteryChargePct, "battery_charge_pct", false),
    (Measurement::BatteryCapacityAh, "battery_capacity_ah", false),
    (Measurement::BatteryTemperatureC, "battery_temperature_c", false),
    (Measurement::RemainingRuntimeMin, "remaining_runtime_min", false),
    (Measurement::TimeOnBatteryS, "time_on_battery_s", false),
    (Measurement::AmbientTemperatureC, "ambient_temperature_c", false),
    (Measurement::DcBusVoltageV, "dc_bus_voltage_v", false),
];

/// The measurement a map file names.
pub fn parse(name: &str) -> Option<Measurement> {
    MEASUREMENTS.iter().find(|(_, n, _)| *n == name).map(|(m, _, _)| *m)
}

/// Whether `name` is a measurement, and whether it needs a phase.
pub fn takes_phase(name: &str) -> Option<bool> {
    MEASUREMENTS.iter().find(|(_, n, _)| *n == name).map(|(_, _, phased)| *phased)
}

/// Line-to-line voltage `phase`→`phase+1` (U12, U23, U31) from phase voltages 120° apart.
fn line_voltage_v(point: &AcPoint, phase: usize) -> f64 {
    let (a, b) = (point.voltage_v[phase], point.voltage_v[(phase + 1) % 3]);
    // |Va − Vb| with 120° between them: √(a² + b² + a·b).
    (a * a + b * b + a * b).sqrt()
}

/// The value of a measurement by name (see [`value`]).
pub fn measurement(ups: &Ups, name: &str, phase: Option<u8>) -> Option<f64> {
    value(ups, parse(name)?, phase)
}

/// The value of a measurement now, in its named unit; `phase` is 1-based. `None` for a phase
/// the UPS does not have.
pub fn value(ups: &Ups, measurement: Measurement, phase: Option<u8>) -> Option<f64> {
    let m = ups.measurements();
    let ratings = &ups.model().ratings;
    let phases = |input: bool| usize::from(if input { ratings.input_phases } else { ratings.output_phases });
    let index = |input: bool| -> Option<usize> {
        let p = usize::from(phase?);
        (1..=phases(input)).contains(&p).then_some(p - 1)
    };
    let total_output_w: f64 = m.output_power_w.iter().sum();
    let total_va: f64 = m.output_apparent_power_va.iter().sum();
    use Measurement as M;
    Some(match measurement {
        M::InputVoltageV => m.input.voltage_v[index(true)?],
        M::InputLineVoltageV => line_voltage_v(&m.input, index(true).filter(|_| phases(true) == 3)?),
        M::InputCurrentA => m.input.current_a[index(true)?],
        M::InputPowerKw => {
            index(true)?;
            m.input_power_w / phases(true) as f64 / 1000.0
        }
        M::InputFrequencyHz => m.input.frequency_hz,
        M::BypassVoltageV => m.bypass.voltage_v[index(true)?],
        M::BypassLineVoltageV => line_voltage_v(&m.bypass, index(true).filter(|_| phases(true) == 3)?),
        M::BypassCurrentA => m.bypass.current_a[index(false)?],
        M::BypassPowerKw => {
            index(false)?;
            m.bypass_power_w / phases(false) as f64 / 1000.0
        }
        M::BypassFrequencyHz => m.bypass.frequency_hz,
        M::OutputVoltageV => m.output.voltage_v[index(false)?],
        M::OutputLineVoltageV => line_voltage_v(&m.output, index(false).filter(|_| phases(false) == 3)?),
        M::OutputCurrentA => m.output.current_a[index(false)?],
        M::OutputPowerKw => m.output_power_w[index(false)?] / 1000.0,
        M::OutputApparentPowerKva => m.output_apparent_power_va[index(false)?] / 1000.0,
        M::OutputPowerFactor => m.output_power_factor[index(false)?],
        M::OutputLoadPct => m.output_load_pct[index(false)?],
        M::OutputTotalLoadPct => 100.0 * total_output_w / ups.rated_w(),
        M::OutputTotalPowerKw => total_output_w / 1000.0,
        M::OutputTotalApparentPowerKva => total_va / 1000.0,
        M::OutputNeutralCurrentA => m.output_neutral_current_a,
        M::OutputCrestFactor => m.output_crest_factor,
        M::OutputFrequencyHz => m.output.frequency_hz,
        M::BatteryVoltageV => m.battery_voltage_v,
        M::BatteryPositiveVoltageV => m.battery_half_voltage_v[0],
        M::BatteryNegativeVoltageV => m.battery_half_voltage_v[1],
        M::BatteryCurrentA => m.battery_current_a,
        M::BatteryChargePct => m.battery_charge_pct,
        M::BatteryCapacityAh => m.battery_capacity_ah,
        M::BatteryTemperatureC => m.battery_temperature_c,
        M::RemainingRuntimeMin => m.remaining_runtime_s / 60.0,
        M::TimeOnBatteryS => m.time_on_battery_s,
        M::AmbientTemperatureC => m.ambient_temperature_c,
        M::DcBusVoltageV => m.dc_bus_voltage_v,
    })
}
