//! The remaining-runtime estimate and the charge a UPS reports, as its firmware computes
//! them: a counter of the backup left, drained by a Peukert law fitted once at the factory,
//! not the battery physics. It drifts from the truth (ageing, temperature, a weak block),
//! which is the point: cards show this number. But it converges where a real one does: the
//! counter drains faster at a heavy load (a full-load discharge ends with the counter near
//! empty, not at half the rated Ah), the voltage pulls it down in the knee, and a battery the
//! firmware found discharged reads empty, so a card's "capacity below X %" shutdown fires.

/// Exponent of runtime vs load power the law falls back on (typical of VRLA between half
/// and full load) when the factory's two discharges do not give one.
pub const TYPICAL_PEUKERT_EXPONENT: f64 = 1.2;
/// Charge the counter credits per Ah put in (lead-acid loses some to gassing).
const COUNTED_CHARGE_EFFICIENCY: f64 = 0.9;
/// Below this share of the rating the law would explode: it is held here.
const MIN_LOAD_SHARE: f64 = 0.05;
/// On battery, within this much of end of discharge (V/cell) the firmware trusts the
/// voltage more than its counter and scales the estimate down linearly to zero at the end.
const KNEE_V_PER_CELL: f64 = 0.2;

#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeEstimate {
    /// Backup time at rated power from full, measured on the new battery, s.
    nominal_backup_s: f64,
    /// Exponent of runtime vs load share: the factory measures the new battery at full and
    /// half load and keeps `ln(t½ / t₁) / ln 2`.
    peukert_exponent: f64,
    /// Charge a full-load discharge draws from full to its end, Ah: what a recharge must
    /// put back for the counter to read full again.
    full_load_ah: f64,
    /// Share of the full-load backup left, 0–1: the counter, shown as the charge.
    left: f64,
    /// The load share the estimate is quoted at while the output is off: the last one seen.
    load_share: f64,
    /// `load_share^(−Peukert)`, kept with it (the estimate is read every step).
    load_factor: f64,
    /// Fault `miscalibrated_runtime`: the estimate is multiplied by this.
    pub factor: f64,
}

impl RuntimeEstimate {
    /// A full battery that backs the rated load for `nominal_backup_s`, drawing
    /// `full_load_ah` over that time, and half the load for `half_load_backup_s`.
    pub fn new(nominal_backup_s: f64, full_load_ah: f64, half_load_backup_s: f64) -> Self {
        let measured = (half_load_backup_s / nominal_backup_s).ln() / 2f64.ln();
        Self {
            nominal_backup_s,
            peukert_exponent: if measured.is_finite() {
                measured.clamp(1.0, 1.8)
            } else {
                TYPICAL_PEUKERT_EXPONENT
            },
            full_load_ah: full_load_ah.max(1e-9),
            left: 1.0,
            load_share: 1.0,
            load_factor: 1.0,
            factor: 1.0,
        }
    }

    pub fn nominal_backup_s(&self) -> f64 {
        self.nominal_backup_s
    }

    /// Sets the counter to a state of charge (0–1), as at the start of a run.
    pub fn set_left(&mut self, share: f64) {
        self.left = share.clamp(0.0, 1.0);
    }

    /// Counts a step: the battery current (positive = discharge) and the load share of the
    /// rating the battery carries. A discharge drains the counter at the Peukert rate of the
    /// load; a charge refills it by the Ah put in, a full-load discharge's worth reading full.
    pub fn count(&mut self, current_a: f64, load_share: f64, dt_s: f64) {
        if current_a > 0.0 {
            let share = load_share.max(MIN_LOAD_SHARE);
            self.left -= dt_s / self.nominal_backup_s * share.powf(self.peukert_exponent);
        } else {
            self.left += -current_a * dt_s / 3600.0 * COUNTED_CHARGE_EFFICIENCY / self.full_load_ah;
        }
        self.left = self.left.clamp(0.0, 1.0);
    }

    /// The charger reached float: the firmware takes the battery as full.
    pub fn mark_full(&mut self) {
        self.left = 1.0;
    }

    /// The firmware found the battery discharged: it reads empty until charged again.
    pub fn mark_empty(&mut self) {
        self.left = 0.0;
    }

    /// Charge as the UPS reports it, %.
    pub fn charge_pct(&self) -> f64 {
        100.0 * self.left
    }

    /// The load the UPS carries, W of `rated_w`: the estimate is quoted at it, and at the
    /// last one seen while the output is off.
    pub fn observe_load(&mut self, load_w: f64, rated_w: f64) {
        let share = (load_w / rated_w).max(MIN_LOAD_SHARE);
        if load_w > 0.0 && share != self.load_share {
            self.load_share = share;
            self.load_factor = share.powf(-self.peukert_exponent);
        }
    }

    /// Remaining runtime at the observed load, s. On battery, `margin_v_per_cell` (voltage
    /// above end of discharge) pulls the estimate down in the knee.
    pub fn remaining_s(&self, on_battery_margin_v_per_cell: Option<f64>) -> f64 {
        let counted_s = self.nominal_backup_s * self.left * self.load_factor;
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
        let mut estimate = RuntimeEstimate::new(600.0, 38.0, 600.0 * 2f64.powf(TYPICAL_PEUKERT_EXPONENT));
        estimate.observe_load(60_000.0, 60_000.0);
        assert_eq!(estimate.remaining_s(None), 600.0);
        assert_eq!(estimate.remaining_s(Some(0.1)), 300.0);
        estimate.observe_load(30_000.0, 60_000.0);
        assert!(estimate.remaining_s(None) > 1200.0);
    }

    #[test]
    fn a_full_load_discharge_empties_the_counter_and_a_recharge_of_its_ah_fills_it() {
        let mut estimate = RuntimeEstimate::new(600.0, 38.0, 600.0 * 2f64.powf(TYPICAL_PEUKERT_EXPONENT));
        // 600 s at full load: 38 Ah at 228 A.
        for _ in 0..600 {
            estimate.count(228.0, 1.0, 1.0);
        }
        assert!(estimate.charge_pct() < 0.1, "{}", estimate.charge_pct());
        estimate.count(-38.0 / COUNTED_CHARGE_EFFICIENCY, 0.0, 3600.0);
        assert!((estimate.charge_pct() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn with_the_output_off_the_estimate_keeps_the_last_load() {
        let mut estimate = RuntimeEstimate::new(600.0, 38.0, 600.0 * 2f64.powf(TYPICAL_PEUKERT_EXPONENT));
        estimate.observe_load(30_000.0, 60_000.0);
        let at_load = estimate.remaining_s(None);
        estimate.observe_load(0.0, 60_000.0);
        assert_eq!(estimate.remaining_s(None), at_load);
        estimate.mark_empty();
        assert_eq!(estimate.remaining_s(None), 0.0);
        assert_eq!(estimate.charge_pct(), 0.0);
    }
}
