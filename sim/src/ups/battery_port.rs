//! The battery as the DC bus sees it, stepped at its own pace.
//!
//! The power path runs at the caller's `dt` (10 ms in the GUI and benches); the chemistry's
//! fastest time constant is the 30 s polarization filter. So the bank's Thevenin source is
//! computed once per battery period and used for every power-path step in it, the charge
//! drawn is summed, and the bank is then stepped once with the mean current, which the exact
//! KiBaM solution turns into the same charge. Energy per power-path step is `V·I·dt` from
//! that source, so the DC bus still sees load steps at once.

use crate::battery::{Bank, Thevenin};

/// Longest time the bank goes without being stepped, s.
pub const BATTERY_PERIOD_S: f64 = 1.0;

#[derive(Debug, Clone, PartialEq)]
pub struct BatteryPort {
    bank: Bank,
    /// Source seen over the current period, per direction.
    discharge_source: Thevenin,
    charge_source: Thevenin,
    /// Largest discharge current the bank can give over the period, A.
    max_discharge_a: f64,
    /// Mean block temperature, refreshed with the sources, °C.
    temperature_c: f64,
    pending_ah: f64,
    pending_s: f64,
    /// The breaker between bank and DC bus (fault `battery_disconnected`).
    pub breaker_open: bool,
}

/// What the bank did in one power-path step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PortStep {
    pub voltage_v: f64,
    /// Positive while discharging.
    pub current_a: f64,
    /// False when the bank could not give what was asked.
    pub delivered: bool,
}

impl BatteryPort {
    pub fn new(bank: Bank) -> Self {
        let mut port = Self {
            discharge_source: Thevenin { emf_v: 0.0, resistance_ohm: 1.0 },
            charge_source: Thevenin { emf_v: 0.0, resistance_ohm: 1.0 },
            max_discharge_a: 0.0,
            temperature_c: bank.temperature_c(),
            pending_ah: 0.0,
            pending_s: 0.0,
            breaker_open: false,
            bank,
        };
        port.refresh_sources();
        port
    }

    pub fn bank(&self) -> &Bank {
        &self.bank
    }

    /// For fault injection (weak, open or aged blocks). Settles pending charge first so the
    /// change applies from now on.
    pub fn bank_mut(&mut self) -> &mut Bank {
        self.settle();
        &mut self.bank
    }

    fn refresh_sources(&mut self) {
        self.discharge_source = self.bank.thevenin(BATTERY_PERIOD_S, true);
        self.charge_source = self.bank.thevenin(BATTERY_PERIOD_S, false);
        self.max_discharge_a = self.bank.max_discharge_a(BATTERY_PERIOD_S);
        self.temperature_c = self.bank.temperature_c();
    }

    /// Mean block temperature as of the last battery period, °C.
    pub fn temperature_c(&self) -> f64 {
        self.temperature_c
    }

    /// Open-circuit voltage now, V (0 behind an open breaker).
    pub fn voltage_v(&self) -> f64 {
        if self.breaker_open { 0.0 } else { self.discharge_source.emf_v }
    }

    /// Whether the bank could deliver `power_w` now.
    pub fn can_deliver_w(&self, power_w: f64) -> bool {
        !self.breaker_open
            && self.discharge_source.current_for_power_a(power_w).is_some_and(|a| a <= self.max_discharge_a)
    }

    /// Delivers `power_w` (≥ 0) to the DC bus for `dt_s`.
    pub fn discharge(&mut self, power_w: f64, dt_s: f64) -> PortStep {
        let current =
            if self.breaker_open { None } else { self.discharge_source.current_for_power_a(power_w) };
        match current {
            Some(current_a) if current_a <= self.max_discharge_a => {
                self.book(current_a, dt_s);
                PortStep { voltage_v: self.discharge_source.voltage_v(current_a), current_a, delivered: true }
            }
            _ => {
                self.book(0.0, dt_s);
                PortStep { voltage_v: self.voltage_v(), current_a: 0.0, delivered: false }
            }
        }
    }

    /// Charges from a charger holding `voltage_v` with `limit_a`, for `dt_s`.
    pub fn charge(&mut self, voltage_v: f64, limit_a: f64, dt_s: f64) -> PortStep {
        if self.breaker_open {
            self.book(0.0, dt_s);
            return PortStep { voltage_v: 0.0, current_a: 0.0, delivered: true };
        }
        let current_a = self.charge_source.current_at_voltage_a(voltage_v).clamp(-limit_a, 0.0);
        self.book(current_a, dt_s);
        PortStep { voltage_v: self.charge_source.voltage_v(current_a), current_a, delivered: true }
    }

    /// No current this step.
    pub fn idle(&mut self, dt_s: f64) -> PortStep {
        self.book(0.0, dt_s);
        PortStep { voltage_v: self.voltage_v(), current_a: 0.0, delivered: true }
    }

    fn book(&mut self, current_a: f64, dt_s: f64) {
        self.pending_ah += current_a * dt_s / 3600.0;
        self.pending_s += dt_s;
        if self.pending_s >= BATTERY_PERIOD_S - 1e-9 {
            self.settle();
        }
    }

    /// Steps the bank with the mean current of the time gathered so far.
    fn settle(&mut self) {
        if self.pending_s > 0.0 {
            let mean_a = self.pending_ah * 3600.0 / self.pending_s;
            self.bank.step_current(mean_a, self.pending_s);
            self.pending_ah = 0.0;
            self.pending_s = 0.0;
        }
        self.refresh_sources();
    }
}
