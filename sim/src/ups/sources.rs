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

/// A genset that starts on request, takes `start_delay_s` to come up, and wanders in
/// frequency while it carries load.
#[derive(Debug, Clone, PartialEq)]
pub struct Genset {
    pub running: bool,
    /// Counts down to 0 while starting.
    pub start_remaining_s: f64,
    frequency_offset_hz: f64,
}

impl Genset {
    pub fn stopped() -> Self {
        Self { running: false, start_remaining_s: 0.0, frequency_offset_hz: 0.0 }
    }

    pub fn start(&mut self, start_delay_s: f64) {
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

    /// Advances the start timer and, under load, the governor's frequency wander (a bounded
    /// random walk of about ±0.7 Hz, from the seeded RNG).
    pub fn step(&mut self, loaded: bool, dt_s: f64, rng: &mut impl Rng) {
        if self.start_remaining_s > 0.0 {
            self.start_remaining_s -= dt_s;
            if self.start_remaining_s <= 0.0 {
                self.start_remaining_s = 0.0;
                self.running = true;
            }
        }
        if self.running && loaded {
            let kick = rng.random_range(-1.0..=1.0) * 0.5 * dt_s.sqrt();
            self.frequency_offset_hz =
                (self.frequency_offset_hz * (1.0 - 0.2 * dt_s).max(0.0) + kick).clamp(-0.7, 0.7);
        } else {
            self.frequency_offset_hz = 0.0;
        }
    }

    pub fn feed(&self, nominal_v: f64, nominal_hz: f64) -> Feed {
        if self.running {
            Feed::nominal(nominal_v, nominal_hz + self.frequency_offset_hz)
        } else {
            Feed::dead()
        }
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
