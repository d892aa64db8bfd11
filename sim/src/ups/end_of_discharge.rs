//! The end of discharge as UPSs decide it: the model's end voltage per cell at the mean rate
//! of the discharge so far, so a long, light discharge stops higher than a short, heavy one.

use ups_models::model::BatterySpec;

/// The mean discharge rate since the battery started to discharge.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DischargeRate {
    c_rate_s: f64,
    seconds: f64,
}

impl DischargeRate {
    /// Adds a step at `c_rate` (A per nominal Ah; charging counts as 0).
    pub fn add(&mut self, c_rate: f64, dt_s: f64) {
        self.c_rate_s += c_rate.max(0.0) * dt_s;
        self.seconds += dt_s;
    }

    pub fn mean_c_rate(&self) -> f64 {
        if self.seconds > 0.0 { self.c_rate_s / self.seconds } else { 0.0 }
    }

    /// Where this discharge ends, V/cell.
    pub fn end_v_per_cell(&self, battery: &BatterySpec) -> f64 {
        battery.end_of_discharge_v_per_cell_at(self.mean_c_rate())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ups_models::model::EndOfDischargePoint;

    fn spec() -> BatterySpec {
        let model = ups_models::load_model("masterys-gp-60").unwrap().model;
        BatterySpec {
            end_of_discharge_v_per_cell: None,
            end_of_discharge_by_rate: vec![
                EndOfDischargePoint { c_rate: 0.1, v_per_cell: 1.75 },
                EndOfDischargePoint { c_rate: 0.6, v_per_cell: 1.65 },
            ],
            ..model.battery
        }
    }

    #[test]
    fn a_heavy_discharge_ends_lower_than_a_light_one() {
        let spec = spec();
        let (mut heavy, mut light) = (DischargeRate::default(), DischargeRate::default());
        heavy.add(2.0, 60.0);
        light.add(0.05, 60.0);
        assert_eq!(heavy.end_v_per_cell(&spec), 1.65);
        assert_eq!(light.end_v_per_cell(&spec), 1.75);
    }

    #[test]
    fn between_points_the_law_follows_the_logarithm_of_the_rate() {
        let spec = spec();
        let mut rate = DischargeRate::default();
        // √(0.1 × 0.6): halfway in the logarithm.
        rate.add((0.1f64 * 0.6).sqrt(), 10.0);
        assert!((rate.end_v_per_cell(&spec) - 1.70).abs() < 1e-9);
        // The mean, not the last step: a light minute after a heavy one.
        let mut mixed = DischargeRate::default();
        mixed.add(1.0, 60.0);
        mixed.add(0.0, 60.0);
        assert!((mixed.mean_c_rate() - 0.5).abs() < 1e-12);
    }
}
