//! Cabinet temperature: `C·dT/dt = losses − (T − ambient)/R`, with a higher `R` when the fans
//! fail, integrated exactly for a constant loss over the step.

use ups_models::model::Thermal as ThermalSpec;

/// Hysteresis below the alarm threshold before a thermal protection lets go, K.
const HYSTERESIS_K: f64 = 5.0;

#[derive(Debug, Clone, PartialEq)]
pub struct Thermal {
    spec: ThermalSpec,
    pub internal_c: f64,
    pub ambient_c: f64,
    pub fans_failed: bool,
}

impl Thermal {
    pub fn new(spec: ThermalSpec, ambient_c: f64) -> Self {
        Self { spec, internal_c: ambient_c, ambient_c, fans_failed: false }
    }

    pub fn step(&mut self, losses_w: f64, dt_s: f64) {
        let resistance = if self.fans_failed {
            self.spec.thermal_resistance_fans_failed_k_per_w
        } else {
            self.spec.thermal_resistance_k_per_w
        };
        let settled_c = self.ambient_c + losses_w * resistance;
        let decay = (-dt_s / (resistance * self.spec.heat_capacity_j_per_k)).exp();
        self.internal_c = settled_c + (self.internal_c - settled_c) * decay;
    }

    pub fn over_temperature_alarm(&self) -> bool {
        self.internal_c >= self.spec.over_temperature_alarm_c
    }

    /// Cool enough to put the load back on the inverter after a thermal transfer: 5 K
    /// below the alarm threshold, so the UPS does not cycle on the threshold.
    pub fn cooled_down(&self) -> bool {
        self.internal_c < self.spec.over_temperature_alarm_c - HYSTERESIS_K
    }

    pub fn over_temperature_shutdown(&self) -> bool {
        self.internal_c >= self.spec.over_temperature_shutdown_c
    }
}
