//! What the plots draw: the twin's signals sampled against its clock, kept for the longest
//! window offered, and cut to the window chosen. Pure, so it is tested without a window.

use std::collections::VecDeque;

/// One signal the plots offer: its label, the twin's measurement and phase, or the
/// physical runtime truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Measurement(&'static str, Option<u8>),
    /// Remaining runtime the physics gives at the present load, min.
    TrueRuntime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal {
    pub label: &'static str,
    pub source: Source,
}

/// The signals offered, in the order of the legend.
pub const SIGNALS: &[Signal] = &[
    Signal { label: "Input voltage L1 (V)", source: Source::Measurement("input_voltage_v", Some(1)) },
    Signal { label: "Bypass voltage L1 (V)", source: Source::Measurement("bypass_voltage_v", Some(1)) },
    Signal { label: "Output voltage L1 (V)", source: Source::Measurement("output_voltage_v", Some(1)) },
    Signal { label: "Load L1 (%)", source: Source::Measurement("output_load_pct", Some(1)) },
    Signal { label: "Battery charge (%)", source: Source::Measurement("battery_charge_pct", None) },
    Signal { label: "Battery voltage (V)", source: Source::Measurement("battery_voltage_v", None) },
    Signal {
        label: "Remaining time, UPS estimate (min)",
        source: Source::Measurement("remaining_runtime_min", None),
    },
    Signal { label: "Remaining time, physical truth (min)", source: Source::TrueRuntime },
    Signal { label: "Battery temperature (°C)", source: Source::Measurement("battery_temperature_c", None) },
    Signal { label: "Ambient temperature (°C)", source: Source::Measurement("ambient_temperature_c", None) },
];

/// The time windows offered, s.
pub const WINDOWS_S: [f64; 5] = [60.0, 300.0, 900.0, 1800.0, 3600.0];

/// Samples of every signal, `None` where the UPS does not manage it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Samples {
    rows: VecDeque<(f64, Vec<Option<f64>>)>,
}

impl Samples {
    /// Adds the values of `SIGNALS` at the twin's time `time_s`; a time before the last one
    /// (the twin was restarted or a scenario sought back) starts the record again.
    pub fn push(&mut self, time_s: f64, values: Vec<Option<f64>>) {
        if self.rows.back().is_some_and(|(last, _)| time_s < *last) {
            self.rows.clear();
        }
        self.rows.push_back((time_s, values));
        let longest = WINDOWS_S[WINDOWS_S.len() - 1];
        while self.rows.front().is_some_and(|(first, _)| time_s - first > longest) {
            self.rows.pop_front();
        }
    }

    /// The last sample's time, s.
    pub fn last_s(&self) -> Option<f64> {
        self.rows.back().map(|(t, _)| *t)
    }

    /// Signal `index`'s points within the last `window_s`: (time, value), gaps left out.
    pub fn series(&self, index: usize, window_s: f64) -> Vec<[f64; 2]> {
        let Some(now) = self.last_s() else { return Vec::new() };
        self.rows
            .iter()
            .filter(|(t, _)| now - t <= window_s)
            .filter_map(|(t, values)| values.get(index).copied().flatten().map(|v| [*t, v]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_keeps_the_recent_points_and_skips_unmanaged_values() {
        let mut samples = Samples::default();
        for t in 0..=120 {
            let value = if t == 100 { None } else { Some(f64::from(t)) };
            samples.push(f64::from(t), vec![value, Some(1.0)]);
        }
        let last_minute = samples.series(0, 60.0);
        assert_eq!(last_minute.len(), 60, "61 samples in the window, one unmanaged");
        assert_eq!(last_minute.first(), Some(&[60.0, 60.0]));
        assert_eq!(last_minute.last(), Some(&[120.0, 120.0]));
        assert_eq!(samples.series(5, 60.0), Vec::<[f64; 2]>::new(), "no such signal");
    }

    #[test]
    fn the_record_is_bounded_and_starts_again_when_time_goes_back() {
        let mut samples = Samples::default();
        for t in 0..5000 {
            samples.push(f64::from(t), vec![Some(0.0)]);
        }
        assert_eq!(samples.series(0, 1e9).len(), 3601, "only the longest window is kept");
        samples.push(10.0, vec![Some(1.0)]);
        assert_eq!(samples.series(0, 1e9), vec![[10.0, 1.0]]);
    }

    #[test]
    fn every_measurement_offered_is_one_the_twin_has() {
        for signal in SIGNALS {
            if let Source::Measurement(name, _) = signal.source {
                assert!(sim::image::signals::parse(name).is_some(), "{name}");
            }
        }
    }
}
