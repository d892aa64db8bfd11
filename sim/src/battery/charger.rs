//! The UPS battery charger: constant current at the limit, then constant voltage at the boost
//! level until the current tapers (or a time limit), then float. The voltage follows the
//! battery temperature (≈ −3 mV/cell/°C for VRLA) so a hot battery is not overcharged.

use super::bank::{Bank, BankStep};
use ups_models::model::ChargerSpec;

/// The current must stay at or under the end-of-boost threshold this long before the
/// charger floats: a firmware debounce, so a boost is not ended by one low reading while the
/// polarization of the first seconds settles.
pub const BOOST_END_CONFIRM_S: f64 = 60.0;

/// What a charger needs from the battery it charges: a bank directly, or the twin's
/// battery port that steps the bank at its own pace.
pub trait ChargeTarget {
    /// Holds `voltage_v` with the current limited to `limit_a` for `dt_s`; returns the
    /// current (negative = charging) and the terminal voltage.
    fn hold_voltage(&mut self, voltage_v: f64, limit_a: f64, dt_s: f64) -> (f64, f64);
    fn temperature_c(&self) -> f64;
    fn cells_in_series(&self) -> u32;
    fn nominal_capacity_ah(&self) -> f64;
}

impl ChargeTarget for Bank {
    fn hold_voltage(&mut self, voltage_v: f64, limit_a: f64, dt_s: f64) -> (f64, f64) {
        let BankStep { current_a, voltage_v, .. } = self.step_voltage(voltage_v, limit_a, dt_s);
        (current_a, voltage_v)
    }
    fn temperature_c(&self) -> f64 {
        Bank::temperature_c(self)
    }
    fn cells_in_series(&self) -> u32 {
        Bank::cells_in_series(self)
    }
    fn nominal_capacity_ah(&self) -> f64 {
        Bank::nominal_capacity_ah(self)
    }
}

/// What the charger is doing, as a UPS reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChargePhase {
    /// Current-limited: the battery takes all the charger can give.
    ConstantCurrent,
    /// Holding the boost voltage while the current tapers.
    Boost,
    /// Holding the float voltage: the battery is charged.
    Float,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Charger {
    spec: ChargerSpec,
    phase: ChargePhase,
    /// Time spent since the boost charge started, s.
    boost_elapsed_s: f64,
    /// Time the current has stayed at or under the end-of-boost threshold, s.
    taper_s: f64,
}

impl Charger {
    /// A charger that starts in float (the battery is assumed charged).
    pub fn new(spec: ChargerSpec) -> Self {
        Self { spec, phase: ChargePhase::Float, boost_elapsed_s: 0.0, taper_s: 0.0 }
    }

    pub fn phase(&self) -> ChargePhase {
        self.phase
    }

    /// Restarts a boost charge, as the firmware does when mains returns after a discharge.
    pub fn start_boost(&mut self) {
        self.phase = ChargePhase::ConstantCurrent;
        self.boost_elapsed_s = 0.0;
        self.taper_s = 0.0;
    }

    /// Voltage the charger regulates to now, V (whole bank, temperature compensated).
    pub fn target_voltage_v(&self, bank: &impl ChargeTarget) -> f64 {
        let per_cell_v = match self.phase {
            ChargePhase::Float => self.spec.float_v_per_cell,
            ChargePhase::ConstantCurrent | ChargePhase::Boost => self.spec.boost_v_per_cell,
        };
        let compensation_v =
            self.spec.temperature_compensation_mv_per_cell_c / 1000.0 * (bank.temperature_c() - 25.0);
        (per_cell_v + compensation_v) * f64::from(bank.cells_in_series())
    }

    /// Charges for `dt_s` and moves between phases; returns the current (negative =
    /// charging) and the terminal voltage.
    pub fn step(&mut self, bank: &mut impl ChargeTarget, dt_s: f64) -> (f64, f64) {
        let limit_a = self.spec.current_limit_a;
        let (current_a, voltage_v) = bank.hold_voltage(self.target_voltage_v(bank), limit_a, dt_s);
        let charge_a = -current_a;
        match self.phase {
            ChargePhase::Float => {}
            ChargePhase::ConstantCurrent | ChargePhase::Boost => {
                self.boost_elapsed_s += dt_s;
                self.phase = if charge_a >= limit_a * (1.0 - 1e-6) {
                    ChargePhase::ConstantCurrent
                } else {
                    ChargePhase::Boost
                };
                let end_a = self.spec.boost_end_current_c10 * bank.nominal_capacity_ah();
                let timed_out = self.boost_elapsed_s >= self.spec.boost_max_h * 3600.0;
                self.taper_s = if self.phase == ChargePhase::Boost && charge_a <= end_a {
                    self.taper_s + dt_s
                } else {
                    0.0
                };
                if self.taper_s >= BOOST_END_CONFIRM_S || timed_out {
                    self.phase = ChargePhase::Float;
                }
            }
        }
        (current_a, voltage_v)
    }
}
