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

/// What every block of a chemistry shares, before a data sheet moves its charge and
/// polarization: the open-circuit curve, the kinetics and the ratios that scale a block's
/// charge and polarization with its rating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    pub e0_v: f64,
    pub kv_v: f64,
    pub a_v: f64,
    /// Charge the exponential zone spans, as a share of the C10 capacity (`1/(B·C10)`).
    pub exponential_zone_share: f64,
    pub ocv_slope_v: f64,
    pub kibam_c: f64,
    pub kibam_k_per_h: f64,
    /// `Q / C10`: charge reachable at very low rate over the C10 rating.
    pub q_over_c10: f64,
    /// Polarization resistance `K` over ohmic resistance `R`.
    pub k_over_r: f64,
    pub polarization_log_onset_per_h: f64,
    pub polarization_tau_s: f64,
}

/// The VRLA shape, calibrated on the four bundled data sheets (38 Ah, Panasonic
/// UP-PW1245P1, Sunnyway SW12140E, USL12): the values with which fits from three points
/// of each sheet predict every point of all of them best
/// (`cargo test -p upstwin-sim --release --test fit_datasheet calibrate -- --ignored`).
pub const VRLA: Shape = Shape {
    e0_v: 2.134,
    kv_v: 0.00896,
    a_v: 0.0779,
    exponential_zone_share: 0.125,
    ocv_slope_v: 0.188,
    kibam_c: 0.590,
    kibam_k_per_h: 0.144,
    q_over_c10: 1.158,
    k_over_r: 2.84,
    polarization_log_onset_per_h: 4.55,
    polarization_tau_s: 30.0,
};

/// Block resistance × C10 capacity typical of VRLA monoblocs, Ω·Ah (4.9 mΩ × 38 Ah).
const VRLA_RESISTANCE_CAPACITY_OHM_AH: f64 = 0.186;

/// Typical ohmic resistance of a 12 V VRLA block of `capacity_ah`, when no data sheet says.
pub fn vrla_block_resistance_ohm(capacity_ah: f64) -> f64 {
    VRLA_RESISTANCE_CAPACITY_OHM_AH / capacity_ah
}

/// Typical VRLA block of `cells` cells, rated `capacity_ah` (C10, 25 °C), with ohmic block
/// resistance `block_resistance_ohm`.
pub fn vrla(cells: u32, capacity_ah: f64, block_resistance_ohm: f64) -> BlockParams {
    VRLA.block(cells, capacity_ah, block_resistance_ohm)
}

impl Shape {
    /// A block of this shape: `cells` cells, rated `capacity_ah` (C10, 25 °C), with ohmic
    /// block resistance `block_resistance_ohm`.
    pub fn block(&self, cells: u32, capacity_ah: f64, block_resistance_ohm: f64) -> BlockParams {
        let r_ohm = block_resistance_ohm / f64::from(cells);
        BlockParams {
            name: format!("VRLA {} V {capacity_ah} Ah", 2 * cells),
            chemistry: Chemistry::Vrla,
            cells,
            nominal_capacity_ah: capacity_ah,
            source: "VRLA chemistry priors".into(),
            cell: CellCurve {
                e0_v: self.e0_v,
                r_ohm,
                k_ohm: self.k_over_r * r_ohm,
                kv_v: self.kv_v,
                a_v: self.a_v,
                b_per_ah: 1.0 / (self.exponential_zone_share * capacity_ah),
                q_ah: self.q_over_c10 * capacity_ah,
                kibam_c: self.kibam_c,
                kibam_k_per_h: self.kibam_k_per_h,
                polarization_tau_s: self.polarization_tau_s,
                ocv_slope_v: self.ocv_slope_v,
                polarization_log_onset_per_h: self.polarization_log_onset_per_h,
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
}
