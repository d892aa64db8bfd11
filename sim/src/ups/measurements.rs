//! What the UPS measures, in SI units and named for the map-independent signal set; the
//! register maps scale and encode these later.

/// Per-phase values of one AC point (phases beyond the model's count stay 0).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AcPoint {
    pub voltage_v: [f64; 3],
    pub current_a: [f64; 3],
    pub frequency_hz: f64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Measurements {
    pub input: AcPoint,
    pub input_power_w: f64,
    pub bypass: AcPoint,
    pub bypass_power_w: f64,
    pub output: AcPoint,
    pub output_power_w: [f64; 3],
    pub output_apparent_power_va: [f64; 3],
    pub output_power_factor: [f64; 3],
    pub output_crest_factor: f64,
    /// Output load in % of the per-phase rating.
    pub output_load_pct: [f64; 3],
    pub output_neutral_current_a: f64,
    pub inverter_voltage_v: [f64; 3],
    pub inverter_frequency_hz: f64,
    pub dc_bus_voltage_v: f64,
    pub battery_voltage_v: f64,
    /// The battery's + and − halves, each from the midpoint (a bank without a midpoint:
    /// the whole bank, and 0), V.
    pub battery_half_voltage_v: [f64; 2],
    /// Positive while discharging.
    pub battery_current_a: f64,
    /// The firmware's estimate of the charge left (%), as shown on the panel.
    pub battery_charge_pct: f64,
    /// Rated capacity of the bank, Ah.
    pub battery_capacity_ah: f64,
    pub battery_temperature_c: f64,
    /// The firmware's remaining-runtime estimate, s (what a card reads).
    pub remaining_runtime_s: f64,
    /// Time since the UPS went on battery, s (0 when not on battery).
    pub time_on_battery_s: f64,
    pub ambient_temperature_c: f64,
    pub internal_temperature_c: f64,
    /// Losses of the whole UPS this step, W.
    pub losses_w: f64,
}
