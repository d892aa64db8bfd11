//! One battery block (monobloc): `cells` identical cells in series sharing one state.
//!
//! Each block of a string has its own state, so a weak or hot block can be injected and the
//! string feels it the way a real one does: it reaches its knee first and drags the string
//! voltage down.

use super::kibam::{self, Wells};
use super::ledger::Ledger;
use super::thevenin::Thevenin;
use ups_models::battery::BlockParams;

/// Lowest available-well state of charge the voltage curve is evaluated at; below it the
/// Shepherd terms would divide by zero.
const S_MIN: f64 = 1e-3;
/// Lowest rest (open-circuit) voltage of a cell below its full-charge E0, V.
const REST_VOLTAGE_SPAN_V: f64 = 0.6;
/// Polarization divisor of a full cell on charge: sets the overcharge current at boost.
const CHARGE_DIVISOR_AT_FULL: f64 = 0.002;
const SECONDS_PER_HOUR: f64 = 3600.0;
const SECONDS_PER_MONTH: f64 = 30.0 * 24.0 * SECONDS_PER_HOUR;
const SECONDS_PER_YEAR: f64 = 365.25 * 24.0 * SECONDS_PER_HOUR;

/// How this block differs from its data sheet: manufacturing spread or an injected weakness.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub capacity_factor: f64,
    pub resistance_factor: f64,
}

impl Default for Spread {
    fn default() -> Self {
        Self { capacity_factor: 1.0, resistance_factor: 1.0 }
    }
}

/// The state of one block. Charges are per cell, in Ah, measured from "empty at 25 °C", so
/// cold makes part of the stored charge unreachable instead of destroying it.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    wells: Wells,
    polarization_current_a: f64,
    state_of_health: f64,
    temperature_c: f64,
    spread: Spread,
    ledger: Ledger,
}

impl Block {
    /// A healthy, fully charged block at `temperature_c`; its ledger starts here.
    pub fn new_full(params: &BlockParams, spread: Spread, temperature_c: f64) -> Self {
        let mut block = Self {
            wells: Wells { available_ah: 0.0, bound_ah: 0.0 },
            polarization_current_a: 0.0,
            state_of_health: 1.0,
            temperature_c,
            spread,
            ledger: Ledger::default(),
        };
        block.set_state_of_charge(params, 1.0);
        block.ledger = Ledger::default(); // the books start at this full state
        block
    }

    /// Puts the block at rest at a given state of charge (0–1, at its temperature), wells
    /// level. The change is booked as an adjustment so the ledger still balances.
    pub fn set_state_of_charge(&mut self, params: &BlockParams, soc: f64) {
        if !soc.is_finite() {
            return;
        }
        let capacity_ah = self.capacity_ah(params);
        let factor = self.temperature_factor(params);
        let total_ah = capacity_ah * (1.0 - factor) + capacity_ah * factor * soc.clamp(0.0, 1.0);
        let c = params.cell.kibam_c;
        self.ledger.adjusted_ah += total_ah - self.wells.total_ah();
        self.wells = Wells { available_ah: c * total_ah, bound_ah: (1.0 - c) * total_ah };
        self.polarization_current_a = 0.0;
    }

    /// Sets the state of health (0–1). Stored charge shrinks with the capacity it sits in;
    /// the ledger books the difference so charge bookkeeping still balances.
    pub fn set_state_of_health(&mut self, soh: f64) {
        if !soh.is_finite() {
            return;
        }
        let soh = soh.clamp(0.01, 1.0);
        self.scale_charge(soh / self.state_of_health);
        self.state_of_health = soh;
    }

    /// Sets how this block differs from its data sheet; stored charge follows the capacity.
    pub fn set_spread(&mut self, spread: Spread) {
        if !(spread.capacity_factor.is_finite() && spread.capacity_factor > 0.0) {
            return;
        }
        self.scale_charge(spread.capacity_factor / self.spread.capacity_factor);
        self.spread = spread;
    }

    /// Scales the stored charge with the capacity, booking what goes as capacity lost.
    fn scale_charge(&mut self, ratio: f64) {
        let before = self.wells.total_ah();
        self.wells.available_ah *= ratio;
        self.wells.bound_ah *= ratio;
        self.ledger.capacity_lost_ah += before - self.wells.total_ah();
    }

    pub fn set_temperature_c(&mut self, temperature_c: f64) {
        self.temperature_c = temperature_c;
    }

    pub fn state_of_health(&self) -> f64 {
        self.state_of_health
    }

    pub fn temperature_c(&self) -> f64 {
        self.temperature_c
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Charge stored per cell, Ah, counted from empty at 25 °C.
    pub fn stored_ah(&self) -> f64 {
        self.wells.total_ah()
    }

    /// Capacity per cell at 25 °C after health and spread, Ah.
    pub fn capacity_ah(&self, params: &BlockParams) -> f64 {
        params.cell.q_ah * self.state_of_health * self.spread.capacity_factor
    }

    /// Share of the 25 °C capacity reachable at the block's temperature (data sheet curve).
    pub fn temperature_factor(&self, params: &BlockParams) -> f64 {
        let t = &params.temperature;
        let dt_c = self.temperature_c - 25.0;
        (1.0 + t.capacity_linear_per_c * dt_c + t.capacity_quadratic_per_c2 * dt_c * dt_c).clamp(0.3, 1.5)
    }

    /// State of charge of the whole block (0–1) at its temperature.
    pub fn state_of_charge(&self, params: &BlockParams) -> f64 {
        let capacity_ah = self.capacity_ah(params);
        let factor = self.temperature_factor(params);
        ((self.wells.total_ah() - capacity_ah * (1.0 - factor)) / (capacity_ah * factor)).clamp(0.0, 1.0)
    }

    /// State of charge of the available well (0–1): what the voltage and the knee follow.
    pub fn available_state_of_charge(&self, params: &BlockParams) -> f64 {
        let c = params.cell.kibam_c;
        let capacity_ah = self.capacity_ah(params);
        let factor = self.temperature_factor(params);
        let floor_ah = c * capacity_ah * (1.0 - factor);
        ((self.wells.available_ah - floor_ah) / (c * capacity_ah * factor)).clamp(0.0, 1.0)
    }

    /// Ohmic resistance of one cell now: ageing and cold raise it.
    fn cell_resistance_ohm(&self, params: &BlockParams) -> f64 {
        let growth = params.ageing.resistance_growth_at_zero_soh * (1.0 - self.state_of_health);
        let cold_c = (25.0 - self.temperature_c).max(0.0);
        params.cell.r_ohm
            * self.spread.resistance_factor
            * (1.0 + growth)
            * (1.0 + params.temperature.resistance_per_c_below_25 * cold_c)
    }

    /// Cell voltage at rest without polarization: the open-circuit curve.
    fn cell_rest_voltage_v(&self, params: &BlockParams) -> f64 {
        let cell = &params.cell;
        let s = self.available_state_of_charge(params).max(S_MIN);
        let soc = self.state_of_charge(params);
        let drawn_ah = (1.0 - soc) * self.capacity_ah(params);
        let curve_v = cell.e0_v - cell.kv_v * (1.0 - s) / s - cell.ocv_slope_v * (1.0 - soc)
            + cell.a_v * (-cell.b_per_ah * drawn_ah).exp();
        // Shepherd's Kv/s term runs away as the well empties; an empty cell at rest still
        // holds most of its voltage, so an exhausted block cannot drive its string backwards.
        curve_v.max(cell.e0_v - REST_VOLTAGE_SPAN_V)
    }

    /// The divisor of the polarization term: it shrinks near empty while discharging and near
    /// full while charging, which gives the knee and the constant-voltage taper (a full VRLA
    /// cell held at 2.40 V takes about C/100).
    fn polarization_divisor(&self, params: &BlockParams, discharging: bool) -> f64 {
        let s = self.available_state_of_charge(params);
        if discharging { s.max(S_MIN) } else { (1.0 - s) + CHARGE_DIVISOR_AT_FULL }
    }

    fn filter_weight(params: &BlockParams, dt_s: f64) -> f64 {
        -(-dt_s / params.cell.polarization_tau_s).exp_m1()
    }

    /// Terminal voltage seen over a step of `dt_s` as a linear function of the block current
    /// (positive = discharge). The polarization filter is taken implicitly, so a charger in
    /// constant voltage does not oscillate even when `dt_s` is longer than its time constant.
    /// The polarization already built up follows the branch of its own sign (a discharge's
    /// polarization decays as a discharge's); the part the new current adds follows the
    /// branch of the step's direction.
    pub fn thevenin(&self, params: &BlockParams, dt_s: f64, discharging: bool) -> Thevenin {
        let weight = Self::filter_weight(params, dt_s);
        let k_built =
            params.cell.k_ohm / self.polarization_divisor(params, self.polarization_current_a >= 0.0);
        let k_new = params.cell.k_ohm / self.polarization_divisor(params, discharging);
        let cells = f64::from(params.cells);
        Thevenin {
            emf_v: cells
                * (self.cell_rest_voltage_v(params) - k_built * self.polarization_current_a * (1.0 - weight)),
            resistance_ohm: cells * (self.cell_resistance_ohm(params) + k_new * weight),
        }
    }

    /// Terminal voltage with `current_a` flowing and the present polarization.
    pub fn terminal_voltage_v(&self, params: &BlockParams, current_a: f64) -> f64 {
        let k = params.cell.k_ohm / self.polarization_divisor(params, self.polarization_current_a >= 0.0);
        f64::from(params.cells)
            * (self.cell_rest_voltage_v(params)
                - self.cell_resistance_ohm(params) * current_a
                - k * self.polarization_current_a)
    }

    /// Fraction of a charging current that goes into the active material; the rest gasses.
    fn charge_efficiency(&self, params: &BlockParams) -> f64 {
        let s = self.available_state_of_charge(params);
        let x = ((s - 0.9) / 0.1).clamp(0.0, 1.0);
        1.0 - 0.9 * x * x
    }

    fn self_discharge_a(&self, params: &BlockParams) -> f64 {
        if self.state_of_charge(params) <= 0.0 {
            return 0.0;
        }
        let ageing = &params.ageing;
        let doublings = (self.temperature_c - 25.0) / ageing.self_discharge_doubling_c;
        self.capacity_ah(params) * ageing.self_discharge_pct_per_month / 100.0 * SECONDS_PER_HOUR
            / SECONDS_PER_MONTH
            * doublings.exp2()
    }

    /// The largest discharge current the block can carry for the next `dt_s` before its
    /// available well runs dry (the wells are linear in the current over one step).
    pub fn max_discharge_a(&self, params: &BlockParams, dt_s: f64) -> f64 {
        let cell = &params.cell;
        let floor_ah = cell.kibam_c * self.capacity_ah(params) * (1.0 - self.temperature_factor(params));
        let (free, sensitivity) =
            kibam::step(self.wells, cell.kibam_c, cell.kibam_k_per_h, 0.0, dt_s / SECONDS_PER_HOUR);
        ((floor_ah - free.available_ah) / sensitivity - self.self_discharge_a(params)).max(0.0)
    }

    /// Advances the block by `dt_s` with `current_a` at its terminals (positive = discharge)
    /// and returns the current it really carried: an empty block cannot give more than its
    /// available well holds, so a discharge current is clipped where the well runs dry, and
    /// charge that a full well cannot take is booked as gassing.
    pub fn step(&mut self, params: &BlockParams, current_a: f64, dt_s: f64) -> f64 {
        let cell = &params.cell;
        let dt_h = dt_s / SECONDS_PER_HOUR;
        let capacity_ah = self.capacity_ah(params);
        let floor_ah = cell.kibam_c * capacity_ah * (1.0 - self.temperature_factor(params));
        let full_ah = cell.kibam_c * capacity_ah;
        let self_discharge_a = self.self_discharge_a(params);
        let efficiency = if current_a < 0.0 { self.charge_efficiency(params) } else { 1.0 };
        let requested_a = current_a.max(0.0) + efficiency * current_a.min(0.0) + self_discharge_a;
        let (wells, sensitivity) =
            kibam::step(self.wells, cell.kibam_c, cell.kibam_k_per_h, requested_a, dt_h);
        // Clip the well current exactly where the available well hits a boundary it is
        // being pushed through (the wells are linear in the current over one step).
        let well_current_a = if requested_a > 0.0 && wells.available_ah < floor_ah {
            (requested_a + (floor_ah - wells.available_ah) / sensitivity).max(0.0)
        } else if requested_a < 0.0 && wells.available_ah > full_ah {
            (requested_a + (full_ah - wells.available_ah) / sensitivity).min(0.0)
        } else {
            requested_a
        };
        if well_current_a != requested_a {
            self.wells = kibam::step(self.wells, cell.kibam_c, cell.kibam_k_per_h, well_current_a, dt_h).0;
        } else {
            self.wells = wells;
        }
        let clipped = well_current_a != requested_a;
        let (terminal_a, self_discharge_ah) = if current_a >= 0.0 && clipped {
            let terminal_a = (well_current_a - self_discharge_a).clamp(0.0, current_a);
            (terminal_a, (well_current_a - terminal_a) * dt_h)
        } else {
            (current_a, self_discharge_a * dt_h)
        };
        let gassing_ah =
            if current_a < 0.0 { (well_current_a - current_a - self_discharge_a) * dt_h } else { 0.0 };
        self.ledger.book(terminal_a * dt_h, gassing_ah, self_discharge_ah);
        self.age(params, terminal_a.max(0.0) * dt_h, dt_s);
        let weight = Self::filter_weight(params, dt_s);
        self.polarization_current_a += (terminal_a - self.polarization_current_a) * weight;
        terminal_a
    }

    /// Float-life ageing (Arrhenius: life halves every `life_halving_c` above 20 °C) and
    /// cycle fade proportional to the charge thrown.
    fn age(&mut self, params: &BlockParams, discharged_ah: f64, dt_s: f64) {
        let ageing = &params.ageing;
        let wear = 1.0 - ageing.end_of_life_soh;
        let halvings = (self.temperature_c - 20.0) / ageing.life_halving_c;
        let float_loss = wear * dt_s / (ageing.float_life_years_at_20c * SECONDS_PER_YEAR) * halvings.exp2();
        let cycle_loss =
            wear * discharged_ah / (ageing.cycle_life_full_equivalent * params.nominal_capacity_ah);
        let soh = self.state_of_health - float_loss - cycle_loss;
        if soh != self.state_of_health {
            self.set_state_of_health(soh);
        }
    }
}
