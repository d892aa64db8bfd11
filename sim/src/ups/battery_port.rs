//! The battery as the DC bus sees it, stepped at its own pace.
//!
//! The power path runs at the caller's `dt` (10 ms in the GUI and benches); the chemistry's
//! fastest time constant is the 30 s polarization filter. So the bank's source is computed
//! once per battery period, the charge drawn is summed, and the bank is then stepped once
//! with the mean current, which the exact KiBaM solution turns into the same charge.
//!
//! Within a period the voltage still moves smoothly: a block's source is affine in the
//! filter's weight `w = 1 − e^(−t/τ)` (the polarization held decays as `1 − w`, the new
//! current's builds as `w`), so the port keeps the bank's source at both ends (`w = 0`, just
//! after a step, and `w = 1`, settled) and blends them for the time elapsed in the period.
//! No 1-second staircase, and a load step still shows at once through the ohmic part.

use crate::battery::{Bank, Thevenin};

/// Longest time the bank goes without being stepped, s.
pub const BATTERY_PERIOD_S: f64 = 1.0;

#[derive(Debug, Clone, PartialEq)]
pub struct BatteryPort {
    bank: Bank,
    /// The bank's source just after its last step (`w = 0`) and once settled (`w = 1`).
    fresh: Thevenin,
    settled: Thevenin,
    /// Time constant of the polarization filter, s.
    tau_s: f64,
    /// Largest discharge current the bank can give over the period, A.
    /// Largest discharge current the bank can give over the period, A; worked out at the
    /// first discharge of a period (on mains nobody asks).
    max_discharge_a: Option<f64>,
    /// Mean block temperature, refreshed with the sources, °C.
    temperature_c: f64,
    pending_ah: f64,
    pending_s: f64,
    /// The charger's current for this battery period, once decided (negative = charging).
    charge_current_a: Option<f64>,
    /// How many times the bank has been stepped: its state changes only then.
    bank_steps: u64,
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
            fresh: Thevenin::ZERO,
            settled: Thevenin::ZERO,
            tau_s: bank.params().cell.polarization_tau_s,
            max_discharge_a: None,
            temperature_c: bank.temperature_c(),
            pending_ah: 0.0,
            pending_s: 0.0,
            charge_current_a: None,
            bank_steps: 0,
            breaker_open: false,
            bank,
        };
        port.refresh_sources();
        port
    }

    pub fn bank(&self) -> &Bank {
        &self.bank
    }

    /// How many times the bank has been stepped so far.
    pub fn bank_steps(&self) -> u64 {
        self.bank_steps
    }

    /// For fault injection (weak, open or aged blocks). Settles pending charge first so the
    /// change applies from now on.
    pub fn bank_mut(&mut self) -> &mut Bank {
        self.settle();
        &mut self.bank
    }

    fn refresh_sources(&mut self) {
        (self.fresh, self.settled) = self.bank.thevenin_ends();
        self.max_discharge_a = None;
        self.temperature_c = self.bank.temperature_c();
    }

    /// The bank's source for a step that ends `elapsed_s` into the battery period.
    fn source(&self, elapsed_s: f64) -> Thevenin {
        let x = elapsed_s / self.tau_s;
        // `1 − e^(−x)`; within a battery period `x` is small and three terms of its series
        // are exact to 1e-6 (this runs every power-path step).
        let w = if x < 0.1 { x * (1.0 - x / 2.0 * (1.0 - x / 3.0)) } else { -(-x).exp_m1() };
        let blend = |fresh: f64, settled: f64| fresh + (settled - fresh) * w;
        Thevenin {
            emf_v: blend(self.fresh.emf_v, self.settled.emf_v),
            charge_emf_v: blend(self.fresh.charge_emf_v, self.settled.charge_emf_v),
            discharge_ohm: blend(self.fresh.discharge_ohm, self.settled.discharge_ohm),
            charge_ohm: blend(self.fresh.charge_ohm, self.settled.charge_ohm),
        }
    }

    /// The share of the voltage between midpoint and negative pole, as of the last battery
    /// period.
    pub fn negative_half_share(&self) -> f64 {
        self.bank.negative_half_share()
    }

    /// Mean block temperature as of the last battery period, °C.
    pub fn temperature_c(&self) -> f64 {
        self.temperature_c
    }

    /// Open-circuit voltage now, V (0 behind an open breaker).
    pub fn voltage_v(&self) -> f64 {
        if self.breaker_open { 0.0 } else { self.source(self.pending_s).voltage_v(0.0) }
    }

    /// Whether the bank could deliver `power_w` now.
    pub fn can_deliver_w(&self, power_w: f64) -> bool {
        !self.breaker_open
            && self.source(self.pending_s).current_for_power_a(power_w).is_some_and(|a| {
                a <= self.max_discharge_a.unwrap_or_else(|| self.bank.max_discharge_a(BATTERY_PERIOD_S))
            })
    }

    /// Delivers `power_w` (≥ 0) to the DC bus for `dt_s`.
    pub fn discharge(&mut self, power_w: f64, dt_s: f64) -> PortStep {
        let source = self.source(self.pending_s + dt_s);
        let current = if self.breaker_open { None } else { source.current_for_power_a(power_w) };
        match current {
            Some(current_a)
                if current_a
                    <= *self
                        .max_discharge_a
                        .get_or_insert_with(|| self.bank.max_discharge_a(BATTERY_PERIOD_S)) =>
            {
                self.book(current_a, dt_s);
                PortStep { voltage_v: source.voltage_v(current_a), current_a, delivered: true }
            }
            _ => {
                self.book(0.0, dt_s);
                PortStep { voltage_v: self.voltage_v(), current_a: 0.0, delivered: false }
            }
        }
    }

    /// Charges from a charger holding `voltage_v` with `limit_a`, for `dt_s`. A charger
    /// cannot draw from the battery: above its setting, the battery rests at its own voltage.
    pub fn charge(&mut self, voltage_v: f64, limit_a: f64, dt_s: f64) -> PortStep {
        if self.breaker_open {
            self.book(0.0, dt_s);
            return PortStep { voltage_v: 0.0, current_a: 0.0, delivered: true };
        }
        // A charger regulates its current at a pace of its own, not every power-path step:
        // the current is decided once per battery period against the bank as it will be at
        // the period's end (a constant-voltage loop that cannot overshoot), then held.
        let current_a = match self.charge_current_a {
            Some(current_a) => current_a,
            None => {
                let period_source = self.source(BATTERY_PERIOD_S.max(self.pending_s + dt_s));
                let current_a = period_source.current_at_voltage_a(voltage_v).clamp(-limit_a, 0.0);
                self.charge_current_a = Some(current_a);
                current_a
            }
        };
        let source = self.source(self.pending_s + dt_s);
        self.book(current_a, dt_s);
        PortStep { voltage_v: source.voltage_v(current_a), current_a, delivered: true }
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
            self.bank_steps += 1;
            self.pending_ah = 0.0;
            self.pending_s = 0.0;
        }
        self.charge_current_a = None;
        self.refresh_sources();
    }
}
