//! One battery block (monobloc): `cells` identical cells in series sharing one state.
//!
//! Each block of a string has its own state, so a weak or hot block can be injected and the
//! string feels it the way a real one does: it reaches its knee first and drags the string
//! voltage down.

use super::kibam::{self, Wells};
use super::ledger::{EnergyLedger, Ledger};
use super::thevenin::Thevenin;
use ups_models::battery::BlockParams;

/// Lowest available-well state of charge the voltage curve is evaluated at; below it the
/// Shepherd terms would divide by zero.
const S_MIN: f64 = 1e-3;
/// Most a cell's discharge polarization can hold, V: the Shepherd term `K·i*/s` grows
/// without bound as the available well empties; a spent cell that its string drives on
/// goes into reversal, to about −2 V, and no further.
const MAX_DISCHARGE_POLARIZATION_V: f64 = 4.0;
/// Most a cell's charge overvoltage can hold, V: a full or weak block driven by its
/// string's charge current gasses freely about 0.7 V above its rest voltage (2.8–2.9 V/cell).
const MAX_CHARGE_POLARIZATION_V: f64 = 0.7;
/// Lowest rest (open-circuit) voltage of a cell below its full-charge E0, V.
const REST_VOLTAGE_SPAN_V: f64 = 0.6;
/// How close to full the available well must be before the overcharge reaction governs the
/// charge voltage: the main reaction's acceptance falls as `ε / ((1 − s) + ε)`.
const CHARGE_ACCEPTANCE_EPS: f64 = 1e-3;
/// Cell voltage the overcharge law is quoted at (`Overcharge::float_current_ma_per_ah`), V.
const OVERCHARGE_REFERENCE_V: f64 = 2.27;
/// Smallest margin above the rest voltage the overcharge law is linearised over, V.
const OVERCHARGE_MIN_MARGIN_V: f64 = 0.005;
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
///
/// The polarization has one state per direction: a discharge polarization scaled by the
/// available well's emptiness at once (Shepherd's `K·i*/s`, which makes the knee), and a
/// charge overvoltage that only a charge current builds. The charge side is a state of its
/// own, not `i*` times a divisor, because that divisor climbs steeply near full: had it
/// scaled the stored polarization, the voltage would jump with the state of charge alone
/// (no current) and overshoot the charger's setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    wells: Wells,
    /// Low-pass filtered discharge current `i*`, A per cell (≥ 0).
    discharge_polarization_a: f64,
    /// Overvoltage built up by charging, V per cell (≥ 0).
    charge_polarization_v: f64,
    /// Cell voltage of the last charging step, V: where the overcharge law is linearised.
    charge_v_per_cell: f64,
    state_of_health: f64,
    temperature_c: f64,
    spread: Spread,
    ledger: Ledger,
    energy: EnergyLedger,
}

/// A block over one step: its source, and what stepping it needs from the same instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockSource {
    pub thevenin: Thevenin,
    /// Open-circuit (rest) voltage of the block, V.
    pub rest_v: f64,
    /// Share of the way the polarization moves towards its target over the step.
    weight: f64,
    /// The discharge polarization law of one cell at this instant's state of charge.
    discharge_law: PolarizationLaw,
    /// Filtered discharge current `i*` the step starts from, A per cell.
    filtered_a: f64,
    /// Charge polarization resistance of one cell, Ω.
    charge_polarization_ohm: f64,
    /// Charge overvoltage held, V per cell.
    held_charge_v: f64,
    /// Ohmic resistance of one cell, Ω.
    r_ohm: f64,
    cells: f64,
}

impl BlockSource {
    /// The same block seen over a step whose filter weight is `weight` (0: an instant
    /// after the last step; 1: long after it). The discharge polarization is taken on its
    /// tangent at the filtered current the step starts from.
    pub fn thevenin_at(&self, weight: f64) -> Thevenin {
        let rest_cell_v = self.rest_v / self.cells;
        let held_v = self.discharge_law.voltage_v(self.filtered_a);
        let slope_ohm = self.discharge_law.slope_ohm(self.filtered_a);
        let discharge_emf_v = rest_cell_v - held_v + slope_ohm * weight * self.filtered_a;
        Thevenin {
            emf_v: self.cells * discharge_emf_v,
            charge_emf_v: self.cells * (discharge_emf_v + self.held_charge_v * (1.0 - weight)),
            discharge_ohm: self.cells * (self.r_ohm + slope_ohm * weight),
            charge_ohm: self.cells * (self.r_ohm + self.charge_polarization_ohm * weight),
        }
    }
}

/// The discharge polarization of one cell against its filtered current: Shepherd's `K/s`
/// at low current, growing with the log of the current above the onset (Butler–Volmer),
/// and never beyond what a spent cell driven into reversal can hold.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PolarizationLaw {
    /// `K/s`: the slope at zero current, Ω.
    shepherd_ohm: f64,
    /// Current where the law turns from linear to logarithmic, A.
    onset_a: f64,
}

impl PolarizationLaw {
    fn voltage_v(&self, current_a: f64) -> f64 {
        (self.shepherd_ohm * self.onset_a * (current_a / self.onset_a).asinh())
            .min(MAX_DISCHARGE_POLARIZATION_V)
    }

    /// `∫₀^i f(x) dx` at `current_a`, W: times the filter's τ, the energy the polarization
    /// holds (for the linear law, `½·K·i²`).
    fn integral_w(&self, current_a: f64) -> f64 {
        let (k_ohm, onset_a) = (self.shepherd_ohm, self.onset_a);
        let unbounded = |i: f64| k_ohm * onset_a * (i * (i / onset_a).asinh() - i.hypot(onset_a) + onset_a);
        // Where the law reaches its cap (infinite when it never does).
        let cap_a = onset_a * (MAX_DISCHARGE_POLARIZATION_V / (k_ohm * onset_a)).sinh();
        if current_a <= cap_a {
            unbounded(current_a)
        } else {
            unbounded(cap_a) + MAX_DISCHARGE_POLARIZATION_V * (current_a - cap_a)
        }
    }

    /// `dV/di` at `current_a`, Ω (0 where the polarization is held at its most).
    fn slope_ohm(&self, current_a: f64) -> f64 {
        if self.voltage_v(current_a) >= MAX_DISCHARGE_POLARIZATION_V {
            0.0
        } else {
            self.shepherd_ohm / (current_a / self.onset_a).hypot(1.0)
        }
    }
}

impl Block {
    /// A healthy, fully charged block at `temperature_c`; its ledger starts here.
    pub fn new_full(params: &BlockParams, spread: Spread, temperature_c: f64) -> Self {
        let mut block = Self {
            wells: Wells { available_ah: 0.0, bound_ah: 0.0 },
            discharge_polarization_a: 0.0,
            charge_polarization_v: 0.0,
            charge_v_per_cell: OVERCHARGE_REFERENCE_V,
            state_of_health: 1.0,
            temperature_c,
            spread,
            ledger: Ledger::default(),
            energy: EnergyLedger::default(),
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
        self.discharge_polarization_a = 0.0;
        self.charge_polarization_v = 0.0;
        self.energy.polarization_held_wh = 0.0;
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

    pub fn energy(&self) -> &EnergyLedger {
        &self.energy
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

    fn filter_weight(params: &BlockParams, dt_s: f64) -> f64 {
        -(-dt_s / params.cell.polarization_tau_s).exp_m1()
    }

    /// The discharge polarization law of a cell at the available well's state of charge
    /// `s`: its resistance `K/s` rises as the well empties (the knee).
    fn discharge_law(&self, params: &BlockParams, s: f64) -> PolarizationLaw {
        let cell = &params.cell;
        PolarizationLaw {
            shepherd_ohm: cell.k_ohm / s.max(S_MIN),
            onset_a: cell.polarization_log_onset_per_h * cell.q_ah,
        }
    }

    /// Overcharge current of a cell held at `v_per_cell`, A: a Tafel law that doubles every
    /// `doubling_c` °C (the oxygen cycle of a VRLA cell).
    pub fn overcharge_a(&self, params: &BlockParams, v_per_cell: f64) -> f64 {
        let law = &params.overcharge;
        let reference_a = law.float_current_ma_per_ah / 1000.0 * params.nominal_capacity_ah;
        let doublings = (self.temperature_c - 25.0) / law.doubling_c;
        reference_a * ((v_per_cell - OVERCHARGE_REFERENCE_V) / law.tafel_v).exp() * doublings.exp2()
    }

    /// Charge polarization resistance of a cell, Ω. Far from full the main reaction takes the
    /// current at the polarization resistance `K`; as the available well fills its
    /// acceptance falls and the overcharge reaction, linearised at the last charge voltage,
    /// takes over: a full cell at float takes the overcharge current and nothing more.
    fn charge_polarization_ohm(&self, params: &BlockParams, s: f64, rest_v: f64) -> f64 {
        let cell = &params.cell;
        let margin_v = (self.charge_v_per_cell - rest_v).max(OVERCHARGE_MIN_MARGIN_V);
        let overcharge_ohm = (margin_v / self.overcharge_a(params, self.charge_v_per_cell).max(1e-12)
            - cell.r_ohm
            - cell.k_ohm)
            .max(0.0);
        let acceptance = CHARGE_ACCEPTANCE_EPS / ((1.0 - s).max(0.0) + CHARGE_ACCEPTANCE_EPS);
        cell.k_ohm + overcharge_ohm * acceptance
    }

    /// The block over a step of `dt_s`: terminal voltage as a line in the block current
    /// (positive = discharge) with one slope per direction. The polarization filter is taken
    /// implicitly, so a charger in constant voltage does not oscillate even when `dt_s` is
    /// longer than its time constant.
    pub fn source(&self, params: &BlockParams, dt_s: f64) -> BlockSource {
        let cells = f64::from(params.cells);
        let weight = Self::filter_weight(params, dt_s);
        let s = self.available_state_of_charge(params);
        let rest_cell_v = self.cell_rest_voltage_v(params);
        let r_ohm = self.cell_resistance_ohm(params);
        let charge_ohm = self.charge_polarization_ohm(params, s, rest_cell_v);
        let mut source = BlockSource {
            thevenin: Thevenin::ZERO,
            rest_v: cells * rest_cell_v,
            weight,
            discharge_law: self.discharge_law(params, s),
            filtered_a: self.discharge_polarization_a,
            charge_polarization_ohm: charge_ohm,
            held_charge_v: self.charge_polarization_v,
            r_ohm,
            cells,
        };
        source.thevenin = source.thevenin_at(weight);
        source
    }

    /// Open-circuit voltage of the block with no polarization, V.
    pub fn rest_voltage_v(&self, params: &BlockParams) -> f64 {
        f64::from(params.cells) * self.cell_rest_voltage_v(params)
    }

    /// Terminal voltage with `current_a` flowing and the present polarization.
    pub fn terminal_voltage_v(&self, params: &BlockParams, current_a: f64) -> f64 {
        let s = self.available_state_of_charge(params);
        f64::from(params.cells)
            * (self.cell_rest_voltage_v(params)
                - self.cell_resistance_ohm(params) * current_a
                - self.discharge_law(params, s).voltage_v(self.discharge_polarization_a)
                + self.charge_polarization_v)
    }

    /// Energy the discharge polarization holds, Wh: `τ·∫₀^i* f`, with `f` the law of a full
    /// available well. The filter `τ·di*/dt = i − i*` makes `f(i*)·i` the power into it, of
    /// which `f(i*)·i*` is heat and the rest this potential (`½·C·V²` of a capacitor while
    /// the law is linear). The law's growth as the well empties (`K/s`) is heat, not held:
    /// counting it would credit a draining block with energy nobody put in. The charge
    /// overvoltage holds none: it gives nothing back on discharge.
    fn polarization_energy_wh(&self, params: &BlockParams) -> f64 {
        let discharge_j = params.cell.polarization_tau_s
            * self.discharge_law(params, 1.0).integral_w(self.discharge_polarization_a);
        f64::from(params.cells) * discharge_j / SECONDS_PER_HOUR
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

    /// Advances the block by `dt_s` with `current_a` at its terminals (positive = discharge),
    /// `source` being this block's source for the step, and returns the current it really
    /// carried: an empty block cannot give more than its available well holds, so a
    /// discharge current is clipped where the well runs dry. Of a charge current, the
    /// overcharge reaction takes its share at the step's voltage (gassing), as does whatever a
    /// full well cannot take.
    pub fn step(&mut self, params: &BlockParams, source: &BlockSource, current_a: f64, dt_s: f64) -> f64 {
        let cell = &params.cell;
        let cells = f64::from(params.cells);
        let dt_h = dt_s / SECONDS_PER_HOUR;
        let capacity_ah = self.capacity_ah(params);
        let floor_ah = cell.kibam_c * capacity_ah * (1.0 - self.temperature_factor(params));
        let full_ah = cell.kibam_c * capacity_ah;
        let self_discharge_a = self.self_discharge_a(params);
        let voltage_v = source.thevenin.voltage_v(current_a);
        let charging_a = (-current_a).max(0.0);
        let overcharge_a = if charging_a > 0.0 { self.overcharge_a(params, voltage_v / cells) } else { 0.0 };
        let requested_a = current_a.max(0.0) - (charging_a - overcharge_a.min(charging_a)) + self_discharge_a;
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
        let stored_before_ah = self.wells.total_ah();
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
        let terminal_v =
            if terminal_a == current_a { voltage_v } else { source.thevenin.voltage_v(terminal_a) };
        self.energy.terminal_out_wh += terminal_v * terminal_a * dt_h;
        self.energy.throughput_wh += (terminal_v * terminal_a * dt_h).abs();
        self.energy.chemical_released_wh += source.rest_v * (stored_before_ah - self.wells.total_ah());
        // Each direction's polarization moves towards what the current holds it at. A charge
        // drains the discharge polarization first, as a charged capacitor is drained; the
        // charge overvoltage is gone at the first discharge (it is the oxygen reaction's).
        let weight = source.weight;
        self.discharge_polarization_a =
            (self.discharge_polarization_a + (terminal_a - self.discharge_polarization_a) * weight).max(0.0);
        self.charge_polarization_v = if terminal_a > 0.0 {
            0.0
        } else {
            (self.charge_polarization_v
                + (source.charge_polarization_ohm * -terminal_a - self.charge_polarization_v) * weight)
                .min(MAX_CHARGE_POLARIZATION_V)
        };
        if terminal_a < 0.0 {
            // The rest voltage rose with the charge taken in; the overvoltage is what the
            // charger held above it, so the block does not stand above its charger's
            // setting once the current stops.
            let rest_rise_v = self.cell_rest_voltage_v(params) - source.rest_v / cells;
            self.charge_polarization_v = (self.charge_polarization_v - rest_rise_v.max(0.0)).max(0.0);
        }
        if terminal_a < 0.0 {
            self.charge_v_per_cell = terminal_v / cells;
        }
        self.energy.polarization_held_wh = self.polarization_energy_wh(params);
        self.age(params, terminal_a.max(0.0) * dt_h, dt_s);
        terminal_a
    }

    /// Advances the block with no current (self-discharge, the wells levelling out).
    pub fn rest(&mut self, params: &BlockParams, dt_s: f64) {
        let source = self.source(params, dt_s);
        self.step(params, &source, 0.0, dt_s);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_held_energy_is_the_laws_integral() {
        let law = PolarizationLaw { shepherd_ohm: 0.002, onset_a: 100.0 };
        // Far below the onset the law is linear: ½·K·i².
        let low_a = 1.0;
        let linear_w = 0.5 * 0.002 * low_a * low_a;
        assert!((law.integral_w(low_a) / linear_w - 1.0).abs() < 1e-4, "{}", law.integral_w(low_a));
        // Above it, the integral matches a sum of the law's voltages.
        let high_a = 400.0;
        let steps = 100_000;
        let summed: f64 =
            (0..steps).map(|n| law.voltage_v((f64::from(n) + 0.5) * high_a / f64::from(steps))).sum::<f64>()
                * high_a
                / f64::from(steps);
        assert!(
            (law.integral_w(high_a) - summed).abs() < 1e-6 * summed,
            "{} vs {summed}",
            law.integral_w(high_a)
        );
        // Past the cap, each ampere adds the cap's voltage.
        let capped = PolarizationLaw { shepherd_ohm: 1.0, onset_a: 1.0 };
        let past_cap = capped.integral_w(1000.0) - capped.integral_w(999.0);
        assert!((past_cap - MAX_DISCHARGE_POLARIZATION_V).abs() < 1e-9);
    }
}
