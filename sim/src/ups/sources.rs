//! The AC sources feeding the UPS: mains (rectifier input), the bypass feed and a genset.
//! Each phase has a voltage and angle; the feed has one frequency.

use rand::Rng;
use rand::RngExt;

/// One three-phase (or single-phase) feed as the UPS sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Feed {
    pub voltage_v: [f64; 3],
    pub frequency_hz: f64,
    /// Phase angles, degrees; a healthy feed is 0, −120, −240.
    pub angle_deg: [f64; 3],
}

impl Feed {
    pub fn nominal(voltage_v: f64, frequency_hz: f64) -> Self {
        Self { voltage_v: [voltage_v; 3], frequency_hz, angle_deg: [0.0, -120.0, -240.0] }
    }

    pub fn dead() -> Self {
        Self { voltage_v: [0.0; 3], frequency_hz: 0.0, angle_deg: [0.0, -120.0, -240.0] }
    }

    /// Whether the phase order is reversed (L1-L3-L2).
    pub fn rotation_reversed(&self) -> bool {
        let lag = (self.angle_deg[0] - self.angle_deg[1]).rem_euclid(360.0);
        (lag - 240.0).abs() < 30.0
    }
}

/// A genset that starts on request, takes `start_delay_s` to come up, wanders in frequency
/// while it carries load, and dips when load is thrown on it: its governor and voltage
/// regulator need seconds to catch a step. Modelled on ISO 8528-5's class G2 (as cited in
/// project specifications): a sudden load increase of the full rating pulls frequency down
/// by at most 10 % and voltage by at most 20 %, a decrease pushes them up by at most 12 %
/// and 25 %; frequency recovers within 5 s and voltage within 6 s (taken here as three time
/// constants). A step is scaled by its share of the rating, so a UPS rectifier that walks
/// in over 10 s dips the genset far less than the same load thrown on at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Genset {
    pub running: bool,
    /// Counts down to 0 while starting.
    pub start_remaining_s: f64,
    /// Continuous rating, W.
    rating_w: f64,
    frequency_offset_hz: f64,
    /// Transient deviations from the load steps, shares of nominal.
    frequency_dip: f64,
    voltage_dip: f64,
    last_load_w: f64,
}

const G2_FREQUENCY_FALL: f64 = 0.10;
const G2_FREQUENCY_RISE: f64 = 0.12;
const G2_VOLTAGE_FALL: f64 = 0.20;
const G2_VOLTAGE_RISE: f64 = 0.25;
const FREQUENCY_RECOVERY_TAU_S: f64 = 5.0 / 3.0;
const VOLTAGE_RECOVERY_TAU_S: f64 = 6.0 / 3.0;

impl Genset {
    pub fn stopped() -> Self {
        Self {
            running: false,
            start_remaining_s: 0.0,
            rating_w: 0.0,
            frequency_offset_hz: 0.0,
            frequency_dip: 0.0,
            voltage_dip: 0.0,
            last_load_w: 0.0,
        }
    }

    /// Starts a genset of `rating_w` (continuous) that comes up after `start_delay_s`.
    pub fn start(&mut self, start_delay_s: f64, rating_w: f64) {
        self.rating_w = rating_w.max(1.0);
        if !self.running && self.start_remaining_s <= 0.0 {
            self.start_remaining_s = start_delay_s.max(f64::MIN_POSITIVE);
        }
    }

    pub fn stop(&mut self) {
        *self = Self::stopped();
    }

    pub fn is_starting(&self) -> bool {
        self.start_remaining_s > 0.0
    }

    /// Advances the start timer, the dips from the change in `load_w` since the last step,
    /// and, under load, the governor's frequency wander (a bounded random walk of about
    /// ±0.7 Hz, from the seeded RNG).
    pub fn step(&mut self, load_w: f64, dt_s: f64, rng: &mut impl Rng) {
        if self.start_remaining_s > 0.0 {
            self.start_remaining_s -= dt_s;
            if self.start_remaining_s <= 0.0 {
                self.start_remaining_s = 0.0;
                self.running = true;
            }
        }
        if !self.running {
            self.last_load_w = 0.0;
            return;
        }
        let step_share = (load_w - self.last_load_w) / self.rating_w;
        self.last_load_w = load_w;
        let (frequency_kick, voltage_kick) = if step_share >= 0.0 {
            (-G2_FREQUENCY_FALL * step_share, -G2_VOLTAGE_FALL * step_share)
        } else {
            (-G2_FREQUENCY_RISE * step_share, -G2_VOLTAGE_RISE * step_share)
        };
        self.frequency_dip = (self.frequency_dip * (-dt_s / FREQUENCY_RECOVERY_TAU_S).exp() + frequency_kick)
            .clamp(-G2_FREQUENCY_FALL, G2_FREQUENCY_RISE);
        self.voltage_dip = (self.voltage_dip * (-dt_s / VOLTAGE_RECOVERY_TAU_S).exp() + voltage_kick)
            .clamp(-G2_VOLTAGE_FALL, G2_VOLTAGE_RISE);
        if load_w > 0.0 {
            let kick = rng.random_range(-1.0..=1.0) * 0.5 * dt_s.sqrt();
            self.frequency_offset_hz =
                (self.frequency_offset_hz * (1.0 - 0.2 * dt_s).max(0.0) + kick).clamp(-0.7, 0.7);
        } else {
            self.frequency_offset_hz = 0.0;
        }
    }

    pub fn feed(&self, nominal_v: f64, nominal_hz: f64) -> Feed {
        if self.running {
            Feed::nominal(
                nominal_v * (1.0 + self.voltage_dip),
                nominal_hz * (1.0 + self.frequency_dip) + self.frequency_offset_hz,
            )
        } else {
            Feed::dead()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// The deepest dip while `load_w(t)` is applied for 20 s, as shares of nominal.
    fn deepest_dip(load_w: impl Fn(f64) -> f64) -> (f64, f64) {
        let mut rng = crate::SimRng::seed_from_u64(1);
        let mut genset = Genset::stopped();
        genset.start(0.0, 150_000.0);
        let (mut frequency, mut voltage) = (0.0f64, 0.0f64);
        let dt_s = 0.01;
        for step in 0..2000 {
            genset.step(load_w(step as f64 * dt_s), dt_s, &mut rng);
            frequency = frequency.min(genset.frequency_dip);
            voltage = voltage.min(genset.voltage_dip);
        }
        (frequency, voltage)
    }

    #[test]
    fn a_load_thrown_on_dips_the_genset_as_class_g2_allows() {
        // 100 kW at once on a 150 kW genset: two thirds of the class's full-step limits.
        let (frequency, voltage) = deepest_dip(|t| if t >= 1.0 { 100_000.0 } else { 0.0 });
        assert!((frequency + 0.10 * 2.0 / 3.0).abs() < 0.002, "frequency dip {frequency}");
        assert!((voltage + 0.20 * 2.0 / 3.0).abs() < 0.004, "voltage dip {voltage}");
    }

    #[test]
    fn a_rectifier_walking_in_dips_it_far_less() {
        let ramp = |t: f64| 100_000.0 * ((t - 1.0) / 10.0).clamp(0.0, 1.0);
        let (frequency, voltage) = deepest_dip(ramp);
        // Rate × τ × limit: 0.0667/s × 1.67 s × 10 % ≈ 1.1 %, and ≈ 2.7 % for voltage.
        assert!(frequency < -0.009 && frequency > -0.013, "frequency dip {frequency}");
        assert!(voltage < -0.022 && voltage > -0.029, "voltage dip {voltage}");
    }

    #[test]
    fn the_dip_recovers_within_the_class_times() {
        let mut rng = crate::SimRng::seed_from_u64(1);
        let mut genset = Genset::stopped();
        genset.start(0.0, 100_000.0);
        genset.step(0.0, 0.01, &mut rng);
        genset.step(100_000.0, 0.01, &mut rng);
        for _ in 0..600 {
            genset.step(100_000.0, 0.01, &mut rng);
        }
        // After 6 s, three time constants or more: within 5 % of the dip it had.
        assert!(genset.frequency_dip.abs() < 0.10 * 0.05, "{}", genset.frequency_dip);
        assert!(genset.voltage_dip.abs() < 0.20 * 0.05, "{}", genset.voltage_dip);
    }
}

/// A recorded mains point: from `time_s` on, these phase voltages and frequency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MainsPoint {
    pub time_s: f64,
    pub voltage_v: [f64; 3],
    pub frequency_hz: f64,
}

/// Recorded mains (field data) the twin follows instead of its nominal supply; faults still
/// apply on top.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MainsProfile {
    points: Vec<MainsPoint>,
    applied: usize,
    started_s: f64,
    /// The point in force.
    pub current: Option<([f64; 3], f64)>,
}

impl MainsProfile {
    /// Follows `points` (times relative to `now_s`) from now on.
    pub fn start(&mut self, points: Vec<MainsPoint>, now_s: f64) {
        *self = Self { points, applied: 0, started_s: now_s, current: None };
    }

    pub fn follow(&mut self, time_s: f64) {
        while let Some(point) = self.points.get(self.applied) {
            if self.started_s + point.time_s > time_s {
                break;
            }
            self.current = Some((point.voltage_v, point.frequency_hz));
            self.applied += 1;
        }
    }
}
