//! Overload protection: a path's curve (e.g. 110 % 10 min, 125 % 1 min, 150 % 1 s) read as a
//! thermal budget, the "tank" of the manuals. Each step above 100 % spends
//! `dt / t_allowed(load)`; below 100 % the budget recovers. The inverter has one, and so has
//! the bypass path (static switch, or a line-interactive unit's mains path).

use ups_models::model::OverloadPoint;

/// How fast the budget refills below 100 % load: fully in this many seconds.
const RECOVERY_S: f64 = 600.0;
/// Beyond the curve's last point the path limits its current and trips within this time, s
/// (no extrapolation of the curve: what the data sheet does not promise is not carried).
pub const CURRENT_LIMIT_TRIP_S: f64 = 0.2;

#[derive(Debug, Clone, PartialEq)]
pub struct OverloadBudget {
    curve: Vec<OverloadPoint>,
    /// Share of the budget spent, 0–1.
    pub spent: f64,
}

impl OverloadBudget {
    pub fn new(curve: Vec<OverloadPoint>) -> Self {
        Self { curve, spent: 0.0 }
    }

    /// Time the path carries `load_pct` from a full budget, s (infinite at ≤ 100 %).
    /// Log-linear between curve points; beyond the last point, the current limit's trip
    /// time (or the last point's, if shorter).
    pub fn allowed_s(&self, load_pct: f64) -> f64 {
        if load_pct <= 100.0 || self.curve.is_empty() {
            return f64::INFINITY;
        }
        let first = self.curve[0];
        if load_pct <= first.load_pct {
            // From 100 % (no limit) to the first point: scale the first duration.
            return first.duration_s * (first.load_pct - 100.0) / (load_pct - 100.0);
        }
        for pair in self.curve.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if load_pct <= b.load_pct {
                let t = (load_pct - a.load_pct) / (b.load_pct - a.load_pct);
                return (a.duration_s.ln() + t * (b.duration_s.ln() - a.duration_s.ln())).exp();
            }
        }
        self.curve[self.curve.len() - 1].duration_s.min(CURRENT_LIMIT_TRIP_S)
    }

    /// Spends or refills the budget; returns true when it is spent (trip).
    pub fn step(&mut self, load_pct: f64, dt_s: f64) -> bool {
        self.step_to(load_pct, dt_s, 1.0)
    }

    /// Spends or refills the budget; returns true once `trip_share` of it is spent.
    pub fn step_to(&mut self, load_pct: f64, dt_s: f64, trip_share: f64) -> bool {
        let allowed_s = self.allowed_s(load_pct);
        if load_pct > 100.0 {
            self.spent += dt_s / allowed_s.max(1e-3);
        } else {
            self.spent -= dt_s / RECOVERY_S;
        }
        self.spent = self.spent.clamp(0.0, 1.0);
        self.spent >= trip_share
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve() -> OverloadBudget {
        OverloadBudget::new(vec![
            OverloadPoint { load_pct: 110.0, duration_s: 600.0 },
            OverloadPoint { load_pct: 125.0, duration_s: 60.0 },
            OverloadPoint { load_pct: 150.0, duration_s: 1.0 },
        ])
    }

    #[test]
    fn follows_the_curve_points() {
        let budget = curve();
        assert!((budget.allowed_s(125.0) - 60.0).abs() < 1e-9);
        assert!((budget.allowed_s(150.0) - 1.0).abs() < 1e-9);
        let at_130 = budget.allowed_s(130.0);
        assert!(at_130 < 60.0 && at_130 > 1.0, "{at_130}");
        assert!(budget.allowed_s(100.0).is_infinite());
        assert_eq!(budget.allowed_s(300.0), CURRENT_LIMIT_TRIP_S, "no extrapolation past 150 %");
    }

    #[test]
    fn trips_after_the_allowed_time() {
        let mut budget = curve();
        let mut elapsed_s: f64 = 0.0;
        while !budget.step(125.0, 0.01) {
            elapsed_s += 0.01;
        }
        assert!((elapsed_s - 60.0).abs() < 0.05, "{elapsed_s}");
    }
}
