//! The UPS battery charger: constant current at the limit, then constant voltage at the boost
//! level until the current tapers (or a time limit), then float. The voltage follows the
//! battery temperature (≈ −3 mV/cell/°C for VRLA) so a hot battery is not overcharged.

use super::bank::{Bank, BankStep};
use ups_models::model::ChargerSpec;

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
}

impl Charger {
    /// A charger that starts in float (the battery is assumed charged).
    pub fn new(spec: ChargerSpec) -> Self {
        Self { spec, phase: ChargePhase::Float, boost_elapsed_s: 0.0 }
    }

    pub fn phase(&self) -> ChargePhase {
        self.phase
    }

    /// Restarts a boost charge, as the firmware does when mains returns after a discharge.
    pub fn start_boost(&mut self) {
        self.phase = ChargePhase::ConstantCurrent;
        self.boost_elapsed_s = 0.0;
    }

    /// Voltage the charger regulates to now, V (whole bank, temperature compensated).
    pub fn target_voltage_v(&self, bank: &Bank) -> f64 {
        let per_cell_v = match self.phase {
            ChargePhase::Float => self.spec.float_v_per_cell,
            ChargePhase::ConstantCurrent | ChargePhase::Boost => self.spec.boost_v_per_cell,
        };
        let compensation_v =
            self.spec.temperature_compensation_mv_per_cell_c / 1000.0 * (bank.temperature_c() - 25.0);
        (per_cell_v + compensation_v) * f64::from(bank.cells_in_series())
    }

    /// Charges the bank for `dt_s` and moves between phases.
    pub fn step(&mut self, bank: &mut Bank, dt_s: f64) -> BankStep {
        let limit_a = self.spec.current_limit_a;
        let step = bank.step_voltage(self.target_voltage_v(bank), limit_a, dt_s);
        let charge_a = -step.current_a;
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
                if self.phase == ChargePhase::Boost && charge_a <= end_a || timed_out {
                    self.phase = ChargePhase::Float;
                }
            }
        }
        step
    }
}
