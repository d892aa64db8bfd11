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
            format!("{:.3}", m.losses_w / 1000.0),
            format!("{:.2e}", ups.flows().balance_error()),
            active.join(" "),
        ])
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}
