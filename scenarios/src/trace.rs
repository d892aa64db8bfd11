//! The CSV trace of a run's signals: one row per interval, fixed precision so two runs with
//! the same seed compare byte for byte. `upstwin simulate --csv` and every scenario write it.

use sim::Ups;
use ups_models::flags::{Flag, FlagTables};

/// The CSV trace: one row per interval, fixed precision so runs compare byte for byte.
#[derive(Debug)]
pub struct SignalTrace {
    writer: csv::Writer<std::fs::File>,
    alarms: Vec<Flag>,
}

impl SignalTrace {
    pub fn create(path: &std::path::Path, tables: &FlagTables) -> Result<Self, csv::Error> {
        let mut writer = csv::Writer::from_path(path)?;
        writer.write_record([
            "time_s",
            "mode",
            "on_battery",
            "input_v_l1",
            "input_hz",
            "bypass_v_l1",
            "output_v_l1",
            "output_v_l2",
            "output_v_l3",
            "output_hz",
            "output_kw",
            "load_pct_max",
            "battery_v",
            "battery_a",
            "battery_charge_pct",
            "remaining_runtime_s",
            "internal_c",
            "input_kw",
            "bypass_kw",
            "losses_kw",
            "energy_balance_error",
            "alarms",
        ])?;
        let alarms = tables.alarms.iter().filter(|f| f.signal.is_some()).cloned().collect();
        Ok(Self { writer, alarms })
    }

    pub fn row(&mut self, ups: &Ups) -> Result<(), csv::Error> {
        let m = ups.measurements();
        let conditions = ups.conditions();
        let active: Vec<&str> = self
            .alarms
            .iter()
            .filter(|f| {
                let (name, index) = f.signal.as_ref().expect("filtered");
                conditions.get(name, *index).unwrap_or(false)
            })
            .map(|f| f.code.as_str())
            .collect();
        let load_max = m.output_load_pct.iter().copied().fold(0.0, f64::max);
        self.writer.write_record([
            format!("{:.3}", ups.time_s()),
            format!("{:?}", ups.mode()),
            u8::from(conditions.on_battery).to_string(),
            format!("{:.1}", m.input.voltage_v[0]),
            format!("{:.2}", m.input.frequency_hz),
            format!("{:.1}", m.bypass.voltage_v[0]),
            format!("{:.1}", m.output.voltage_v[0]),
            format!("{:.1}", m.output.voltage_v[1]),
            format!("{:.1}", m.output.voltage_v[2]),
            format!("{:.2}", m.output.frequency_hz),
            format!("{:.3}", m.output_power_w.iter().sum::<f64>() / 1000.0),
            format!("{load_max:.1}"),
            format!("{:.2}", m.battery_voltage_v),
            format!("{:.2}", m.battery_current_a),
            format!("{:.2}", m.battery_charge_pct),
            format!("{:.0}", m.remaining_runtime_s),
            format!("{:.2}", m.internal_temperature_c),
            format!("{:.3}", m.input_power_w / 1000.0),
            format!("{:.3}", m.bypass_power_w / 1000.0),
            format!("{:.3}", m.losses_w / 1000.0),
            format!("{:.2e}", ups.flows().balance_error()),
            active.join(" "),
        ])
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

/// A scenario's `trace.csv`, one row per simulated second; write errors are collected, not
/// fatal, because the verdict is still worth having (the report lists them and fails).
#[derive(Debug)]
pub struct TraceFile {
    trace: Option<SignalTrace>,
    next_row_s: f64,
    errors: Vec<String>,
}

impl TraceFile {
    /// `trace.csv` in `dir`, or nothing when there is no output directory.
    pub fn open(dir: Option<&std::path::Path>, tables: &FlagTables) -> Self {
        let mut errors = Vec::new();
        let trace = dir.and_then(|dir| {
            let path = dir.join("trace.csv");
            SignalTrace::create(&path, tables)
                .map_err(|e| errors.push(format!("{}: {e}", path.display())))
                .ok()
        });
        Self { trace, next_row_s: 0.0, errors }
    }

    /// Writes a row if a simulated second has passed since the last one.
    pub fn sample(&mut self, ups: &Ups) {
        let Some(trace) = self.trace.as_mut() else { return };
        let now_s = ups.time_s() + 1e-9;
        if now_s < self.next_row_s {
            return;
        }
        self.next_row_s = now_s.floor() + 1.0;
        if let Err(e) = trace.row(ups) {
            self.errors.push(format!("trace.csv: {e}"));
            self.trace = None;
        }
    }

    /// Flushes the file; returns every error met.
    pub fn finish(mut self) -> Vec<String> {
        if let Some(trace) = self.trace.as_mut()
            && let Err(e) = trace.flush()
        {
            self.errors.push(format!("trace.csv: {e}"));
        }
        self.errors
    }
}
