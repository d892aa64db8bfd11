//! A UPS model as data: what the twin simulates and what the UPS reports about itself.

use serde::{Deserialize, Serialize};

/// A complete UPS model file (`ups-models/models/*.ron`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpsModel {
    pub identity: Identity,
    pub ratings: Ratings,
    pub topology: Topology,
    pub battery: BatterySpec,
    /// Double-conversion efficiency vs load, points sorted by load.
    pub efficiency: Vec<EfficiencyPoint>,
    /// Efficiency in eco mode (load on bypass, inverter on standby), %.
    pub eco_efficiency_pct: f64,
    /// How long the inverter carries each overload before transferring to bypass. Beyond
    /// the last point the inverter limits its current and trips at once.
    pub overload: Vec<OverloadPoint>,
    /// When the load leaves the inverter, and what the bypass path carries.
    #[serde(default)]
    pub overload_protection: OverloadProtection,
    /// How long the output breaks when the load changes path.
    #[serde(default)]
    pub transfer: TransferTimes,
    pub thermal: Thermal,
    pub capabilities: Capabilities,
    pub serial: SerialLink,
    /// Name of the register map the UPS speaks (`ups-models/maps/NAME.ron`).
    pub register_map: String,
    /// How the UPS is wired into the building.
    #[serde(default)]
    pub installation: Installation,
}

/// Output breaks on transfers, ms. A synchronised transfer between inverter and static
/// bypass overlaps the two paths and does not break the output; these are the transfers
/// that do: a switch has to open before the inverter may take the load.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferTimes {
    /// From eco mode (load on the bypass) to the inverter, when the bypass fails, ms.
    #[serde(default = "TransferTimes::default_from_eco_ms")]
    pub from_eco_ms: f64,
    /// Between the mains path of a line-interactive or off-line UPS and its inverter, ms.
    #[serde(default = "TransferTimes::default_mains_path_ms")]
    pub mains_path_ms: f64,
}

impl TransferTimes {
    /// Eaton's ESS: "the transfer takes place within 2 ms" (Power Xpert 9395C manual).
    fn default_from_eco_ms() -> f64 {
        2.0
    }

    /// Line-interactive units: "typically 2–8 milliseconds".
    fn default_mains_path_ms() -> f64 {
        4.0
    }
}

impl Default for TransferTimes {
    fn default() -> Self {
        Self { from_eco_ms: Self::default_from_eco_ms(), mains_path_ms: Self::default_mains_path_ms() }
    }
}

/// Installation choices that change what the UPS sees.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Installation {
    /// The static bypass has its own supply (dual feed): a rectifier-side outage leaves the
    /// bypass alive. By default one supply feeds both.
    #[serde(default)]
    pub separate_bypass_feed: bool,
}

/// Who the UPS says it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    pub manufacturer: String,
    /// Product range, e.g. "MASTERYS GP".
    pub range: String,
    /// Commercial model name, e.g. "MASTERYS GP 60".
    pub model: String,
    /// Model code as the UPS reports it: JBUSP word 0x1000, VU-MAP device reference T015.
    pub model_code: u16,
    /// Serial number as reported (ASCII; as many characters as the map carries: JBUSP 10,
    /// VU-MAP 20).
    pub serial_number: String,
    /// Which of the map's model-range columns this UPS follows (JBUSP: `netys_itys`,
    /// `masterys`, `delphys_mp_mx`, `delphys_bc_gp`), deciding which registers it manages.
    /// Absent: every register is managed.
    #[serde(default)]
    pub map_family: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ratings {
    /// Nominal apparent power of the whole system (all modules/units), kVA.
    pub apparent_power_kva: f64,
    /// Nominal active power, kW.
    pub active_power_kw: f64,
    pub input_phases: u8,
    pub output_phases: u8,
    /// Phase-to-neutral voltages, V.
    pub nominal_input_voltage_v: f64,
    pub nominal_output_voltage_v: f64,
    pub nominal_input_frequency_hz: f64,
    pub nominal_output_frequency_hz: f64,
}

/// How the power path is built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Topology {
    /// One UPS, one power path.
    Single,
    /// One frame with power modules sharing the load (up to 8).
    Modular {
        /// Modules fitted.
        modules: u8,
        /// Slots in the frame.
        max_modules: u8,
        /// Modules that may fail with the load still carried (N+x).
        redundancy: u8,
    },
    /// Several complete UPS in parallel (up to 6 on JBUSP, 10 on VU-MAP).
    Parallel { units: u8, bypass: ParallelBypass, redundancy: u8 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParallelBypass {
    /// Each unit has its own static bypass.
    Distributed,
    /// One central bypass cabinet for the system.
    Centralized,
}

/// The battery bank: identical strings of identical blocks in series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatterySpec {
    /// A bundled block name (`ups-models/blocks/NAME.ron`) or a path to a block file,
    /// relative to this model file. `upstwin battery fit` writes such files.
    pub block: String,
    pub blocks_per_string: u32,
    pub strings: u32,
    /// The strings are split at a midpoint tied to the neutral (a ± battery): the UPS
    /// measures the + and − halves apart.
    #[serde(default)]
    pub midpoint: bool,
    /// End-of-discharge voltage per cell at which the UPS stops the inverter, whatever the
    /// rate (give this or `end_of_discharge_by_rate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_of_discharge_v_per_cell: Option<f64>,
    /// End-of-discharge voltage by the discharge's mean rate, as UPSs set it: lower for short,
    /// heavy discharges (the cells' polarization, not their charge, makes the voltage low),
    /// raised for long, light ones (which would otherwise go deep and sulphate the plates).
    /// Interpolated in the logarithm of the rate, held beyond the ends.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub end_of_discharge_by_rate: Vec<EndOfDischargePoint>,
    pub charger: ChargerSpec,
}

/// A point of the end-of-discharge law.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndOfDischargePoint {
    /// Discharge current over the bank's nominal Ah (1 = 1 C).
    pub c_rate: f64,
    pub v_per_cell: f64,
}

impl BatterySpec {
    /// The end-of-discharge voltage per cell for a discharge at `c_rate` (A per nominal Ah).
    pub fn end_of_discharge_v_per_cell_at(&self, c_rate: f64) -> f64 {
        let points = &self.end_of_discharge_by_rate;
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            return self.end_of_discharge_v_per_cell.unwrap_or(DEFAULT_END_OF_DISCHARGE_V_PER_CELL);
        };
        if c_rate <= first.c_rate {
            return first.v_per_cell;
        }
        if c_rate >= last.c_rate {
            return last.v_per_cell;
        }
        let log_rate = c_rate.ln();
        points
            .windows(2)
            .find(|pair| c_rate <= pair[1].c_rate)
            .map(|pair| {
                let (low, high) = (pair[0], pair[1]);
                let share = (log_rate - low.c_rate.ln()) / (high.c_rate.ln() - low.c_rate.ln());
                low.v_per_cell + share * (high.v_per_cell - low.v_per_cell)
            })
            .unwrap_or(last.v_per_cell)
    }
}

/// Only reached by a model that skipped validation (which requires one of the two fields).
const DEFAULT_END_OF_DISCHARGE_V_PER_CELL: f64 = 1.75;

/// The charger: constant current up to the limit, then constant voltage (boost, then float).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChargerSpec {
    pub float_v_per_cell: f64,
    pub boost_v_per_cell: f64,
    /// Charging current limit for the whole bank, A.
    pub current_limit_a: f64,
    /// Charger voltage change per cell per °C away from 25 °C, mV (negative for VRLA).
    pub temperature_compensation_mv_per_cell_c: f64,
    /// Boost ends when the current falls below this share of C10 (e.g. 0.01 = C/100)...
    pub boost_end_current_c10: f64,
    /// ...or after this long, h.
    pub boost_max_h: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EfficiencyPoint {
    pub load_pct: f64,
    pub efficiency_pct: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverloadPoint {
    pub load_pct: f64,
    pub duration_s: f64,
}

/// What an overload does besides the inverter's curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverloadProtection {
    /// Share of the inverter's overload budget (its "tank") spent when the load moves to the
    /// automatic bypass, if the bypass can take it, %. 100 waits for the curve's end; the
    /// DELPHYS MX manual (§7.3, "Umgang mit Überlasten") moves it at 50 %.
    #[serde(default = "full_budget_pct")]
    pub transfer_at_budget_pct: f64,
    /// How long the bypass path carries each overload (the static switch of an on-line UPS,
    /// the mains path of a line-interactive one) before the load is disconnected.
    #[serde(default = "static_switch_curve")]
    pub bypass: Vec<OverloadPoint>,
}

impl Default for OverloadProtection {
    fn default() -> Self {
        Self { transfer_at_budget_pct: full_budget_pct(), bypass: static_switch_curve() }
    }
}

fn full_budget_pct() -> f64 {
    100.0
}

/// A static switch: the bypass "tank" of the DELPHYS MX manual (§7.3: 110 % 60 min, 125 %
/// 10 min, 150 % 1 min) and a thyristor's 1000 % for 100 ms (Liebert NX data sheet).
fn static_switch_curve() -> Vec<OverloadPoint> {
    vec![
        OverloadPoint { load_pct: 110.0, duration_s: 3600.0 },
        OverloadPoint { load_pct: 125.0, duration_s: 600.0 },
        OverloadPoint { load_pct: 150.0, duration_s: 60.0 },
        OverloadPoint { load_pct: 1000.0, duration_s: 0.1 },
    ]
}

/// First-order thermal model of the cabinet: `C·dT/dt = losses − (T − ambient)/R_th`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thermal {
    pub heat_capacity_j_per_k: f64,
    /// Cabinet to ambient with the fans running, K/W.
    pub thermal_resistance_k_per_w: f64,
    /// Same with the fans failed, K/W.
    pub thermal_resistance_fans_failed_k_per_w: f64,
    pub over_temperature_alarm_c: f64,
    pub over_temperature_shutdown_c: f64,
}

/// What the firmware offers; controls not listed here are refused on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    pub eco_mode: bool,
    pub standby: bool,
    pub line_interactive: bool,
    /// An off-line (standby) UPS: mains passes straight through without regulation and the
    /// inverter runs only on battery ("Normal mode" in NET VISION). Implies pass-through like
    /// `line_interactive`.
    #[serde(default)]
    pub offline: bool,
    pub genset: bool,
    /// Number of power-share (load-shedding) outlets.
    pub power_share_plugs: u8,
    pub remote_control: bool,
    pub battery_test: bool,
    pub date_time: bool,
}

/// The UPS's serial link (NET VISION manual §6: 2400/9600/57600 baud, no parity, slave 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SerialLink {
    pub baud: u32,
    pub parity: Parity,
    pub slave_id: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Parity {
    None,
    Even,
    Odd,
}
