//! A source seen from its terminals over one step: `V = emf − R·I` (I positive = discharge).
//! Blocks in series add; strings in parallel combine. Solving for the current under a
//! constant-power load is then one quadratic.

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thevenin {
    pub emf_v: f64,
    pub resistance_ohm: f64,
}

impl Thevenin {
    /// Series connection: EMFs and resistances add.
    pub fn series(self, other: Thevenin) -> Thevenin {
        Thevenin {
            emf_v: self.emf_v + other.emf_v,
            resistance_ohm: self.resistance_ohm + other.resistance_ohm,
        }
    }

    /// Parallel connection of several sources (Millman's theorem).
    pub fn parallel(sources: &[Thevenin]) -> Thevenin {
        Self::parallel_of(sources.iter().copied())
    }

    /// Same as [`Thevenin::parallel`], from an iterator, so no list is allocated.
    pub fn parallel_of(sources: impl Iterator<Item = Thevenin>) -> Thevenin {
        let (conductance, current) = sources
            .fold((0.0, 0.0), |(g, i), s| (g + 1.0 / s.resistance_ohm, i + s.emf_v / s.resistance_ohm));
        Thevenin { emf_v: current / conductance, resistance_ohm: 1.0 / conductance }
    }

    pub fn voltage_v(&self, current_a: f64) -> f64 {
        self.emf_v - self.resistance_ohm * current_a
    }

    /// The discharge current that delivers `power_w` at the terminals, the smaller root of
    /// `R·I² − E·I + P = 0`; `None` when the source cannot deliver that power at all
    /// (beyond its maximum-power point), which is how a collapsing battery shows.
    pub fn current_for_power_a(&self, power_w: f64) -> Option<f64> {
        let discriminant = self.emf_v * self.emf_v - 4.0 * self.resistance_ohm * power_w;
        if discriminant < 0.0 || self.emf_v <= 0.0 {
            return None;
        }
        // Numerically stable form of (E − √D) / 2R.
        Some(2.0 * power_w / (self.emf_v + discriminant.sqrt()))
    }

    /// The current the source takes from a charger holding `voltage_v` (negative = charging).
    pub fn current_at_voltage_a(&self, voltage_v: f64) -> f64 {
        (self.emf_v - voltage_v) / self.resistance_ohm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_root_delivers_the_power() {
        let source = Thevenin { emf_v: 12.0, resistance_ohm: 0.05 };
        let current_a = source.current_for_power_a(200.0).unwrap();
        assert!((source.voltage_v(current_a) * current_a - 200.0).abs() < 1e-9);
        assert!(source.current_for_power_a(12.0 * 12.0 / 0.2 + 1.0).is_none());
    }

    #[test]
    fn parallel_of_equal_sources_halves_resistance() {
        let one = Thevenin { emf_v: 12.0, resistance_ohm: 0.1 };
        let both = Thevenin::parallel(&[one, one]);
        assert!((both.emf_v - 12.0).abs() < 1e-12);
        assert!((both.resistance_ohm - 0.05).abs() < 1e-12);
    }
}
