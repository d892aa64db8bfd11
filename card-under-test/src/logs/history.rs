//! The history and extended history records (NET VISION §11.2.4, §21.1–21.2): input
//! voltage, input frequency (Hz×10), output load rate and output voltage per phase, battery
//! capacity and UPS temperature; -1 for a value the UPS does not manage. The history log
//! takes one record per interval (default 60 s); the extended log the minimum, average and
//! maximum of every poll over its period (default 60 min).

use crate::database::Database;

/// (column, signal, phase, scale to the stored unit).
const MEASUREMENTS: [(&str, &str, Option<u8>, f64); 12] = [
    ("Input voltage L1 (V)", "input_voltage_v", Some(1), 1.0),
    ("Input voltage L2 (V)", "input_voltage_v", Some(2), 1.0),
    ("Input voltage L3 (V)", "input_voltage_v", Some(3), 1.0),
    ("Input frequency (Hz*10)", "input_frequency_hz", None, 10.0),
    ("Output load rate L1 (%)", "output_load_pct", Some(1), 1.0),
    ("Output load rate L2 (%)", "output_load_pct", Some(2), 1.0),
    ("Output load rate L3 (%)", "output_load_pct", Some(3), 1.0),
    ("Output voltage L1 (V)", "output_voltage_v", Some(1), 1.0),
    ("Output voltage L2 (V)", "output_voltage_v", Some(2), 1.0),
    ("Output voltage L3 (V)", "output_voltage_v", Some(3), 1.0),
    ("Battery capacity (%)", "battery_charge_pct", None, 1.0),
    ("UPS temperature (°C)", "ambient_temperature_c", None, 1.0),
];

/// The stored value: the manual's integer units, -1 when not managed.
pub type Sample = [i64; MEASUREMENTS.len()];

const NOT_MANAGED: i64 = -1;

pub fn history_columns() -> Vec<&'static str> {
    std::iter::once("Time").chain(MEASUREMENTS.iter().map(|(column, ..)| *column)).collect()
}

pub fn extended_columns() -> Vec<String> {
    std::iter::once("Time".to_string())
        .chain(
            MEASUREMENTS
                .iter()
                .flat_map(|(column, ..)| ["min", "avg", "max"].map(|s| format!("{column} {s}"))),
        )
        .collect()
}

/// The reading of `signal` at `phase`; an unphased measurement may also be given per phase,
/// then phase 1 stands for it.
fn value(database: &Database, signal: &str, phase: Option<u8>) -> Option<f64> {
    let at = |phase: Option<u8>| {
        database.readings.iter().find(|r| r.signal.as_ref().is_some_and(|(s, p)| s == signal && *p == phase))
    };
    at(phase).or_else(|| phase.is_none().then(|| at(Some(1))).flatten()).and_then(|r| r.value)
}

/// The values of a record from the database.
pub fn sample(database: &Database) -> Sample {
    MEASUREMENTS.map(|(_, signal, phase, scale)| {
        value(database, signal, phase).map_or(NOT_MANAGED, |v| (v * scale).round() as i64)
    })
}

/// Minimum, sum and maximum of each measurement over an extended period.
#[derive(Debug, Clone, Default)]
pub struct Extremes {
    samples: Vec<Sample>,
}

impl Extremes {
    pub fn add(&mut self, sample: Sample) {
        self.samples.push(sample);
    }

    /// The record's values (min, avg, max per measurement), -1 where nothing was managed;
    /// starts a new period.
    pub fn take(&mut self) -> Vec<i64> {
        let samples = std::mem::take(&mut self.samples);
        (0..MEASUREMENTS.len())
            .flat_map(|i| {
                let managed: Vec<i64> = samples.iter().map(|s| s[i]).filter(|v| *v != NOT_MANAGED).collect();
                match (managed.iter().min(), managed.iter().max()) {
                    (Some(min), Some(max)) => {
                        let avg = (managed.iter().sum::<i64>() as f64 / managed.len() as f64).round() as i64;
                        [*min, avg, *max]
                    }
                    _ => [NOT_MANAGED; 3],
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extremes_skip_unmanaged_values_and_restart() {
        let mut extremes = Extremes::default();
        let mut a = [NOT_MANAGED; MEASUREMENTS.len()];
        a[0] = 230;
        let mut b = a;
        b[0] = 240;
        extremes.add(a);
        extremes.add(b);
        let values = extremes.take();
        assert_eq!(values.len(), 3 * MEASUREMENTS.len());
        assert_eq!(&values[..6], [230, 235, 240, -1, -1, -1]);
        assert_eq!(extremes.take(), vec![-1; 3 * MEASUREMENTS.len()]);
        assert_eq!(history_columns().len(), 13);
        assert_eq!(extended_columns().len(), 37);
    }
}
