//! A source seen from its terminals over one step: `V = emf − R·I` (I positive = discharge),
//! with one line for discharge and another for charge. A lead-acid cell polarizes
//! differently in each direction, and the overvoltage a charge builds (mostly the oxygen
//! reaction's) gives nothing back on discharge, so the charge line starts higher: between
//! the two EMFs the source neither gives nor takes current. The voltage never rises with the
//! current, which keeps every solve on it unique. Blocks in series add; solving for the
//! current under a constant-power load is one quadratic.

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thevenin {
    /// Where the discharge line starts, V.
    pub emf_v: f64,
    /// Where the charge line starts, V (≥ `emf_v`).
    pub charge_emf_v: f64,
    /// Slope of the voltage for a discharge current, Ω.
    pub discharge_ohm: f64,
    /// Slope of the voltage for a charge current, Ω.
    pub charge_ohm: f64,
}

impl Thevenin {
    /// Nothing: the start of a series sum.
    pub const ZERO: Thevenin =
        Thevenin { emf_v: 0.0, charge_emf_v: 0.0, discharge_ohm: 0.0, charge_ohm: 0.0 };

    /// Series connection: EMFs and both resistances add (the kink stays at `I = 0`).
    pub fn series(self, other: Thevenin) -> Thevenin {
        Thevenin {
            emf_v: self.emf_v + other.emf_v,
            charge_emf_v: self.charge_emf_v + other.charge_emf_v,
            discharge_ohm: self.discharge_ohm + other.discharge_ohm,
            charge_ohm: self.charge_ohm + other.charge_ohm,
        }
    }

    /// Parallel connection (Millman's theorem), each direction with its own resistances.
    /// Exact while every source carries current the same way; sources that exchange current
    /// (one charging another) need the bus solve in `bus.rs` instead.
    pub fn parallel(sources: impl Iterator<Item = Thevenin>) -> Thevenin {
        sources.fold(Parallel::default(), Parallel::with).finish()
    }

    /// Terminal voltage with `current_a` flowing (at zero current: the charge line's start,
    /// the voltage a battery just off charge shows).
    pub fn voltage_v(&self, current_a: f64) -> f64 {
        if current_a > 0.0 {
            self.emf_v - self.discharge_ohm * current_a
        } else {
            self.charge_emf_v - self.charge_ohm * current_a
        }
    }

    /// The discharge current that delivers `power_w` (≥ 0) at the terminals, the smaller
    /// root of `R·I² − E·I + P = 0`; `None` when the source cannot deliver that power at all
    /// (beyond its maximum-power point), which is how a collapsing battery shows.
    pub fn current_for_power_a(&self, power_w: f64) -> Option<f64> {
        let r = self.discharge_ohm;
        let discriminant = self.emf_v * self.emf_v - 4.0 * r * power_w;
        if discriminant < 0.0 || self.emf_v <= 0.0 {
            return None;
        }
        // Numerically stable form of (E − √D) / 2R.
        Some(2.0 * power_w / (self.emf_v + discriminant.sqrt()))
    }

    /// The current the source gives (positive) or takes (negative) at `voltage_v`.
    pub fn current_at_voltage_a(&self, voltage_v: f64) -> f64 {
        if voltage_v < self.emf_v {
            (self.emf_v - voltage_v) / self.discharge_ohm
        } else if voltage_v > self.charge_emf_v {
            (self.charge_emf_v - voltage_v) / self.charge_ohm
        } else {
            0.0
        }
    }
}

/// Sources being connected in parallel: the sums Millman's theorem needs, per direction.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Parallel {
    discharge_siemens: f64,
    discharge_a: f64,
    charge_siemens: f64,
    charge_a: f64,
}

impl Parallel {
    pub fn with(self, source: Thevenin) -> Parallel {
        Parallel {
            discharge_siemens: self.discharge_siemens + 1.0 / source.discharge_ohm,
            discharge_a: self.discharge_a + source.emf_v / source.discharge_ohm,
            charge_siemens: self.charge_siemens + 1.0 / source.charge_ohm,
            charge_a: self.charge_a + source.charge_emf_v / source.charge_ohm,
        }
    }

    pub fn finish(self) -> Thevenin {
        Thevenin {
            emf_v: self.discharge_a / self.discharge_siemens,
            charge_emf_v: self.charge_a / self.charge_siemens,
            discharge_ohm: 1.0 / self.discharge_siemens,
            charge_ohm: 1.0 / self.charge_siemens,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: Thevenin =
        Thevenin { emf_v: 12.0, charge_emf_v: 12.0, discharge_ohm: 0.05, charge_ohm: 0.2 };

    #[test]
    fn power_root_delivers_the_power() {
        let current_a = SOURCE.current_for_power_a(200.0).unwrap();
        assert!((SOURCE.voltage_v(current_a) * current_a - 200.0).abs() < 1e-9);
        assert!(SOURCE.current_for_power_a(12.0 * 12.0 / 0.2 + 1.0).is_none());
    }

    #[test]
    fn each_direction_has_its_slope_and_the_voltage_is_continuous() {
        assert_eq!(SOURCE.voltage_v(0.0), 12.0);
        assert!((SOURCE.voltage_v(10.0) - 11.5).abs() < 1e-12);
        assert!((SOURCE.voltage_v(-10.0) - 14.0).abs() < 1e-12);
        assert!((SOURCE.current_at_voltage_a(14.0) + 10.0).abs() < 1e-12);
        assert!((SOURCE.current_at_voltage_a(11.5) - 10.0).abs() < 1e-12);
    }

    #[test]
    fn parallel_of_equal_sources_halves_each_resistance() {
        let both = Thevenin::parallel([SOURCE, SOURCE].into_iter());
        assert!((both.emf_v - 12.0).abs() < 1e-12 && (both.charge_emf_v - 12.0).abs() < 1e-12);
        assert!((both.discharge_ohm - 0.025).abs() < 1e-12);
        assert!((both.charge_ohm - 0.1).abs() < 1e-12);
    }

    #[test]
    fn series_adds() {
        let two = SOURCE.series(SOURCE);
        assert_eq!(two, Thevenin { emf_v: 24.0, charge_emf_v: 24.0, discharge_ohm: 0.1, charge_ohm: 0.4 });
    }

    #[test]
    fn between_the_two_lines_no_current_flows() {
        let source = Thevenin { charge_emf_v: 12.5, ..SOURCE };
        assert_eq!(source.current_at_voltage_a(12.2), 0.0);
        assert!((source.current_at_voltage_a(13.5) + 5.0).abs() < 1e-12);
        assert_eq!(source.voltage_v(0.0), 12.5);
        assert!((source.voltage_v(10.0) - 11.5).abs() < 1e-12);
    }
}
