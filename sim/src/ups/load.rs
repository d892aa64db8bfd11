//! The load on the UPS output: per-phase active power with power factor and crest factor,
//! part constant power and part constant impedance, stepped or following a CSV profile.

/// A load profile point: from `time_s` on, these kW per phase (step-wise).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProfilePoint {
    pub time_s: f64,
    pub power_kw: [f64; 3],
}

#[derive(Debug, Clone, PartialEq)]
pub struct Load {
    /// Active power per phase at nominal voltage, W.
    pub power_w: [f64; 3],
    pub power_factor: f64,
    pub crest_factor: f64,
    /// Share of the load that draws constant power whatever the voltage (IT loads); the
    /// rest is a constant impedance (lighting, heaters): power ∝ V².
    pub constant_power_share: f64,
    /// Total load forced by the fault `overload`, W, spread over the loaded phases.
    pub overload_total_w: Option<f64>,
    /// A dead short on the output (fault `output_short_circuit`).
    pub short_circuit: bool,
    /// Output phases the load is spread over (1 or 3).
    phases: usize,
    profile: Vec<ProfilePoint>,
    /// Profile points already applied.
    profile_applied: usize,
}

impl Load {
    /// A load on `phases` output phases (the other entries of `power_w` are ignored).
    pub fn new(power_w: [f64; 3], power_factor: f64, phases: usize) -> Self {
        let mut power_w = power_w;
        power_w.iter_mut().skip(phases).for_each(|w| *w = 0.0);
        Self {
            power_w,
            power_factor,
            crest_factor: 1.6,
            constant_power_share: 0.8,
            overload_total_w: None,
            short_circuit: false,
            phases,
            profile: Vec::new(),
            profile_applied: 0,
        }
    }

    /// Follows `profile` from now on (points sorted by time).
    pub fn set_profile(&mut self, profile: Vec<ProfilePoint>) {
        self.profile = profile;
        self.profile_applied = 0;
    }

    /// Applies the profile points reached by `time_s`. Each point is applied once, so a load
    /// change made in between holds until the next point.
    pub fn follow_profile(&mut self, time_s: f64) {
        while let Some(point) = self.profile.get(self.profile_applied) {
            if point.time_s > time_s {
                break;
            }
            self.power_w = point.power_kw.map(|kw| kw * 1000.0);
            self.power_w.iter_mut().skip(self.phases).for_each(|w| *w = 0.0);
            self.profile_applied += 1;
        }
    }

    /// Active power drawn on a phase at `voltage_v` (nominal `nominal_v`), W.
    pub fn phase_power_w(&self, phase: usize, voltage_v: f64, nominal_v: f64) -> f64 {
        if voltage_v <= 0.0 {
            return 0.0;
        }
        let ratio = voltage_v / nominal_v;
        let share = self.constant_power_share;
        self.set_power_w(phase) * (share + (1.0 - share) * ratio * ratio)
    }

    /// Power a phase asks for at nominal voltage, W (the overload fault spreads its total
    /// evenly over the output phases).
    pub fn set_power_w(&self, phase: usize) -> f64 {
        if phase >= self.phases {
            return 0.0;
        }
        match self.overload_total_w {
            Some(total_w) => total_w / self.phases as f64,
            None => self.power_w[phase],
        }
    }

    /// The most loaded phase's power at nominal voltage, W.
    pub fn worst_phase_w(&self) -> f64 {
        (0..self.phases).map(|phase| self.set_power_w(phase)).fold(0.0, f64::max)
    }

    /// Total power asked for at nominal voltage, W.
    pub fn requested_w(&self) -> f64 {
        (0..3).map(|phase| self.set_power_w(phase)).sum()
    }

    /// The load as the inverter's limits see it, W: each phase is limited to its share of
    /// the rating, so an unbalanced load counts as its worst phase times the phase count.
    pub fn inverter_demand_w(&self) -> f64 {
        self.requested_w().max(self.worst_phase_w() * self.phases as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unbalanced_load_counts_as_its_worst_phase() {
        let balanced = Load::new([10_000.0; 3], 0.9, 3);
        assert_eq!(balanced.inverter_demand_w(), 30_000.0);
        let unbalanced = Load::new([23_000.0, 10_000.0, 10_000.0], 0.9, 3);
        assert_eq!(unbalanced.requested_w(), 43_000.0);
        assert_eq!(unbalanced.inverter_demand_w(), 69_000.0);
        let single = Load::new([2_000.0, 5_000.0, 5_000.0], 0.9, 1);
        assert_eq!(single.inverter_demand_w(), 2_000.0);
    }
}
