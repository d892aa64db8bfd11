//! The kinetic battery model (Manwell & McGowan): charge sits in an available well, from which
//! current is drawn, and a bound well that refills it at a finite rate. This gives the
//! rate-capacity effect (a fast discharge empties the available well first) and the recovery
//! after rest (the bound well refills the available one).

/// Charge in the two wells, Ah. Heights are `y1 / c` and `y2 / (1 − c)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wells {
    pub available_ah: f64,
    pub bound_ah: f64,
}

impl Wells {
    pub fn total_ah(&self) -> f64 {
        self.available_ah + self.bound_ah
    }
}

/// Exact solution of the two-well equations for a constant current over `dt_h`.
///
/// Exact rather than Euler so that a 60 s step and a 50 ms step land on the same trace:
/// the scenario runner and the GUI step with very different `dt`.
/// `current_a` is positive when discharging. Returns the wells after the step and, because
/// both are linear in the current, the sensitivity `d(available)/d(current)` (≤ 0), which the
/// caller uses to clip the current exactly at a well boundary.
pub fn step(wells: Wells, c: f64, k_per_h: f64, current_a: f64, dt_h: f64) -> (Wells, f64) {
    let k_prime = k_per_h / (c * (1.0 - c));
    let x = k_prime * dt_h;
    let decay = (-x).exp();
    let one_minus_decay = -(-x).exp_m1();
    let ramp = x + (-x).exp_m1(); // x − 1 + e^(−x), ≥ 0
    let total = wells.total_ah();
    let available_free = wells.available_ah * decay + total * c * one_minus_decay;
    let bound_free = wells.bound_ah * decay + total * (1.0 - c) * one_minus_decay;
    let d_available = -(one_minus_decay + c * ramp) / k_prime;
    let d_bound = -(1.0 - c) * ramp / k_prime;
    let wells = Wells {
        available_ah: available_free + current_a * d_available,
        bound_ah: bound_free + current_a * d_bound,
    };
    (wells, d_available)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charge_is_conserved_for_any_step() {
        let start = Wells { available_ah: 10.0, bound_ah: 20.0 };
        for dt_h in [1e-6, 0.01, 1.0, 100.0] {
            let (after, _) = step(start, 0.3, 2.0, 5.0, dt_h);
            let drawn = 5.0 * dt_h;
            assert!((start.total_ah() - after.total_ah() - drawn).abs() < 1e-9 * (1.0 + drawn));
        }
    }

    #[test]
    fn one_long_step_equals_many_short_ones() {
        let start = Wells { available_ah: 10.0, bound_ah: 20.0 };
        let (long, _) = step(start, 0.3, 2.0, 5.0, 1.0);
        let mut short = start;
        for _ in 0..1000 {
            short = step(short, 0.3, 2.0, 5.0, 0.001).0;
        }
        assert!((long.available_ah - short.available_ah).abs() < 1e-9);
        assert!((long.bound_ah - short.bound_ah).abs() < 1e-9);
    }

    #[test]
    fn rest_levels_the_wells() {
        let start = Wells { available_ah: 1.0, bound_ah: 20.0 };
        let (after, _) = step(start, 0.3, 2.0, 0.0, 50.0);
        let h1 = after.available_ah / 0.3;
        let h2 = after.bound_ah / 0.7;
        assert!((h1 - h2).abs() < 1e-6, "heights {h1} {h2}");
    }
}
