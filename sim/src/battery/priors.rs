//! Chemistry priors: the curve a typical block of a chemistry has before any data sheet is
//! applied, scaled to a block's capacity and resistance.
//!
//! The VRLA shape (E0, OCV slope, Kv, exponential zone) and its kinetics (KiBaM `c` and `k`)
//! were calibrated once by fitting every point of a reference 12 V 38 Ah AGM data sheet
//! (constant-power table, 78 points): the shape was fitted with Q/c/k/K free, and `c`, `k`
//! were then set where a fit of only `Q` and `K` from three points of that sheet
//! generalised best to both of its tables. A product fit moves what differs between products
//! of one chemistry: the charge `Q` and the polarization `K` always, and the kinetics `c`,
//! `k` too when its table has enough points to pin them.

use ups_models::battery::{Ageing, BlockParams, CellCurve, Chemistry, Overcharge, TemperatureEffects};

/// `Q / C10` of the reference block: charge reachable at very low rate over the C10 rating.
pub const VRLA_Q_OVER_C10: f64 = 1.24;
/// Polarization resistance over ohmic resistance of the reference block.
pub const VRLA_K_OVER_R: f64 = 1.57;
/// Block resistance × C10 capacity typical of VRLA monoblocs, Ω·Ah (4.9 mΩ × 38 Ah).
const VRLA_RESISTANCE_CAPACITY_OHM_AH: f64 = 0.186;

/// Typical ohmic resistance of a 12 V VRLA block of `capacity_ah`, when no data sheet says.
pub fn vrla_block_resistance_ohm(capacity_ah: f64) -> f64 {
    VRLA_RESISTANCE_CAPACITY_OHM_AH / capacity_ah
}

/// Typical VRLA block of `cells` cells, rated `capacity_ah` (C10, 25 °C), with ohmic block
/// resistance `block_resistance_ohm`.
pub fn vrla(cells: u32, capacity_ah: f64, block_resistance_ohm: f64) -> BlockParams {
    let r_ohm = block_resistance_ohm / f64::from(cells);
    BlockParams {
        name: format!("VRLA {} V {capacity_ah} Ah", 2 * cells),
        chemistry: Chemistry::Vrla,
        cells,
        nominal_capacity_ah: capacity_ah,
        source: "VRLA chemistry priors".into(),
        cell: CellCurve {
            e0_v: 2.134,
            r_ohm,
            k_ohm: VRLA_K_OVER_R * r_ohm,
            kv_v: 0.0104,
            a_v: 0.03,
            // The exponential zone spans the first ~8 % of the charge whatever the size.
            b_per_ah: 38.0 / capacity_ah,
            q_ah: VRLA_Q_OVER_C10 * capacity_ah,
            kibam_c: 0.64,
            kibam_k_per_h: 0.17,
            polarization_tau_s: 30.0,
            ocv_slope_v: 0.103,
        },
        // Data-sheet temperature curve: 0 °C 86 %, 25 °C 100 %, 40 °C 103 % (exact fit).
        temperature: TemperatureEffects {
            capacity_linear_per_c: 0.00335,
            capacity_quadratic_per_c2: -0.00009,
            resistance_per_c_below_25: 0.01,
        },
        ageing: Ageing {
            self_discharge_pct_per_month: 3.0,
            self_discharge_doubling_c: 10.0,
            float_life_years_at_20c: 10.0,
            life_halving_c: 9.0,
            end_of_life_soh: 0.8,
            cycle_life_full_equivalent: 250.0,
            resistance_growth_at_zero_soh: 1.0,
        },
        overcharge: Overcharge::default(),
    }
}
