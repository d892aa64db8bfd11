//! The remaining-runtime estimate as UPS firmware computes it: a charge counter and a
//! Peukert-style law fitted once at the factory, not the battery physics. It drifts from
//! the truth (ageing, temperature, a weak block), which is the point: cards show this number.

/// Exponent of runtime vs load power in the firmware's law.
const PEUKERT_EXPONENT: f64 = 1.2;
/// Charge the counter credits per Ah put in (lead-acid loses some to gassing).
const COUNTED_CHARGE_EFFICIENCY: f64 = 0.9;
/// Below this share of the rating the law would explode: it is held here.
const MIN_LOAD_SHARE: f64 = 0.05;
/// On battery, within this much of end of discharge (V/cell) the firmware trusts the
/// voltage more than its counter and scales the estimate down linearly to zero at the end.
const KNEE_V_PER_CELL: f64 = 0.2;

#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeEstimate {
    rated_ah: f64,
    /// Backup time at rated power from full, measured on the new battery, s.
    nominal_backup_s: f64,
    counted_ah: f64,
    /// Fault `miscalibrated_runtime`: the estimate is multiplied by this.
    pub factor: f64,
}

impl RuntimeEstimate {
    pub fn new(rated_ah: f64, nominal_backup_s: f64) -> Self {
        Self { rated_ah, nominal_backup_s, counted_ah: rated_ah, factor: 1.0 }
    }

    pub fn nominal_backup_s(&self) -> f64 {
        self.nominal_backup_s
    }

    /// Counts the battery current (positive = discharge) over `dt_s`.
    pub fn count(&mut self, current_a: f64, dt_s: f64) {
        let ah = current_a * dt_s / 3600.0;
        let delta = if ah > 0.0 { -ah } else { -ah * COUNTED_CHARGE_EFFICIENCY };
        self.counted_ah = (self.counted_ah + delta).clamp(0.0, self.rated_ah);
    }

    /// The charger reached float: the firmware takes the battery as full.
    pub fn mark_full(&mut self) {
        self.counted_ah = self.rated_ah;
    }

    /// Charge as the UPS reports it, %.
    pub fn charge_pct(&self) -> f64 {
        100.0 * self.counted_ah / self.rated_ah
    }

    /// Remaining runtime at `load_w` out of `rated_w`, s. On battery, `margin_v_per_cell`
    /// (voltage above end of discharge) pulls the estimate down in the knee.
    pub fn remaining_s(&self, load_w: f64, rated_w: f64, on_battery_margin_v_per_cell: Option<f64>) -> f64 {
        let share = (load_w / rated_w).max(MIN_LOAD_SHARE);
        let counted_s = self.nominal_backup_s * self.charge_pct() / 100.0 * share.powf(-PEUKERT_EXPONENT);
        let knee =
            on_battery_margin_v_per_cell.map_or(1.0, |margin| (margin / KNEE_V_PER_CELL).clamp(0.0, 1.0));
        counted_s * knee * self.factor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_load_runs_longer_than_twice() {
        let estimate = RuntimeEstimate::new(76.0, 600.0);
        assert_eq!(estimate.remaining_s(60_000.0, 60_000.0, None), 600.0);
        assert!(estimate.remaining_s(30_000.0, 60_000.0, None) > 1200.0);
        assert_eq!(estimate.remaining_s(60_000.0, 60_000.0, Some(0.1)), 300.0);
    }

    #[test]
    fn counting_down_and_up() {
        let mut estimate = RuntimeEstimate::new(10.0, 600.0);
        estimate.count(10.0, 1800.0);
        assert!((estimate.charge_pct() - 50.0).abs() < 1e-9);
        estimate.count(-10.0, 1800.0);
        assert!((estimate.charge_pct() - 95.0).abs() < 1e-9);
        estimate.mark_full();
        assert_eq!(estimate.charge_pct(), 100.0);
    }
}
