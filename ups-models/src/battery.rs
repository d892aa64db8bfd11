//! Battery blocks as data: the parameters of one monobloc (e.g. a 12 V, 6-cell VRLA block).
//!
//! The electrochemical parameters are per cell, because data sheets publish per-cell figures
//! (W/cell, V/cell) and the physics in `sim` is written per cell; a block is `cells` identical
//! cells in series sharing one state.

use serde::{Deserialize, Serialize};

/// Battery chemistry; selects default curve shape and charger behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Chemistry {
    /// Valve-regulated lead-acid (AGM/gel), the usual UPS battery.
    Vrla,
    /// Lithium iron phosphate.
    Lfp,
}

/// One battery block (monobloc): identity, the fitted cell curve and the slow effects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockParams {
    /// Human name of the block, e.g. "VRLA 12 V 38 Ah front terminal".
    pub name: String,
    pub chemistry: Chemistry,
    /// Cells in series inside the block (6 for a 12 V lead-acid block).
    pub cells: u32,
    /// Rated capacity as the data sheet states it (C10 for VRLA), in Ah at 25 °C.
    pub nominal_capacity_ah: f64,
    /// Where the numbers come from (data sheet, fit command), for traceability.
    #[serde(default)]
    pub source: String,
    /// The voltage curve and the two-well capacity of one cell.
    pub cell: CellCurve,
    /// How capacity and resistance move with temperature.
    pub temperature: TemperatureEffects,
    /// Slow effects: self-discharge, float-life ageing and cycle fade.
    pub ageing: Ageing,
    /// The current a full block still takes on charge (oxygen cycle, gassing).
    #[serde(default)]
    pub overcharge: Overcharge,
}

/// Tremblay–Dessaint/Shepherd voltage curve on top of a two-well kinetic capacity (KiBaM).
///
/// `V = E0 − R·i − K·i*/d − Kv·(1 − s)/s − slope·(1 − soc) + A·exp(−B·q_out)`, where `s` is
/// the state of charge of the available well, `soc` that of the whole cell, `i*` the
/// low-pass filtered current, `q_out` the charge drawn since full, and the divisor `d` is `s`
/// on discharge and `(1 − s) + 0.002` on charge (the constant-voltage taper).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellCurve {
    /// E0: open-circuit voltage of a full cell at rest, V.
    pub e0_v: f64,
    /// R: ohmic internal resistance of one cell, Ω.
    pub r_ohm: f64,
    /// K: polarization resistance, Ω (scaled by 1/s, so it rises as the cell empties).
    pub k_ohm: f64,
    /// Kv: polarization voltage, V (the Shepherd concentration term).
    pub kv_v: f64,
    /// A: amplitude of the exponential zone just after full charge, V.
    pub a_v: f64,
    /// B: inverse charge constant of the exponential zone, 1/Ah.
    pub b_per_ah: f64,
    /// Q: maximum extractable charge at very low rate and 25 °C, Ah.
    pub q_ah: f64,
    /// c: fraction of the charge held in the available well (KiBaM).
    pub kibam_c: f64,
    /// k: rate constant between the wells (KiBaM), 1/h.
    pub kibam_k_per_h: f64,
    /// Time constant of the polarization current filter, s.
    pub polarization_tau_s: f64,
    /// Slope of the open-circuit voltage with depth of discharge of the whole cell, V.
    pub ocv_slope_v: f64,
    /// Current per Ah of `Q` above which the polarization grows with the log of the current
    /// instead of in proportion to it (the Butler–Volmer law of the plates' reaction), 1/h.
    /// Block files written before it existed get the highest allowed value: a polarization
    /// in proportion to the current, as they were fitted with.
    #[serde(default = "CellCurve::linear_polarization_onset_per_h")]
    pub polarization_log_onset_per_h: f64,
}

impl CellCurve {
    fn linear_polarization_onset_per_h() -> f64 {
        100.0
    }
}

/// Temperature effects. Capacity factor: `1 + a·(T − 25) + b·(T − 25)²`, clamped to 0.3–1.5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemperatureEffects {
    /// a, per °C.
    pub capacity_linear_per_c: f64,
    /// b, per °C².
    pub capacity_quadratic_per_c2: f64,
    /// Relative change of internal resistance per °C below 25 °C (electrolyte gets thicker).
    pub resistance_per_c_below_25: f64,
}

/// The current a full cell takes when held above its open-circuit voltage: the oxygen
/// cycle and gassing, a Tafel law in the cell voltage that doubles every `doubling_c` °C.
/// It sets the float current, the current at the end of a boost charge (so the charger's
/// end-of-boost threshold is reached) and the warm battery's higher float current.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overcharge {
    /// Current of a full cell held at 2.27 V at 25 °C, mA per Ah of rated capacity.
    /// Published: 0.5–4 mA/Ah at 2.30 V/cell, 3–10 mA/Ah at 2.40 V/cell (VRLA).
    pub float_current_ma_per_ah: f64,
    /// Volts per cell for an e-fold rise of the current (the Tafel slope over ln 10).
    pub tafel_v: f64,
    /// The current doubles every this many °C at a constant voltage.
    pub doubling_c: f64,
}

impl Default for Overcharge {
    /// A new VRLA block: 1 mA/Ah at 2.27 V/cell, ×3 per 0.1 V (210 mV a decade), ×2 per
    /// 10 °C; so 1.4 mA/Ah at 2.30 V/cell and 4.2 mA/Ah at 2.40 V/cell, inside the published
    /// bands, and under the usual end-of-boost threshold of 10 mA/Ah (0.01 C10).
    fn default() -> Self {
        Self { float_current_ma_per_ah: 1.0, tafel_v: 0.091, doubling_c: 10.0 }
    }
}

/// Self-discharge and state-of-health loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ageing {
    /// Self-discharge at 25 °C, % of capacity per month (30 days).
    pub self_discharge_pct_per_month: f64,
    /// Self-discharge doubles every this many °C.
    pub self_discharge_doubling_c: f64,
    /// Float design life at 20 °C, years, to `end_of_life_soh`.
    pub float_life_years_at_20c: f64,
    /// Float life halves every this many °C above 20 °C (8–10 for VRLA).
    pub life_halving_c: f64,
    /// State of health at which the design life (and cycle life) ends, e.g. 0.8.
    pub end_of_life_soh: f64,
    /// Full-equivalent cycles (100 % depth) to `end_of_life_soh`.
    pub cycle_life_full_equivalent: f64,
    /// Internal resistance multiplier reached at 0 % health: `R·(1 + g·(1 − soh))`.
    pub resistance_growth_at_zero_soh: f64,
}
