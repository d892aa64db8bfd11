//! The twin's own laws, on top of the battery's: no converter makes energy or runs a flow
//! backwards, and the battery voltage the UPS measures is one its cells can show. Checked
//! after every step in debug and test builds (`Ups::step`), and by `upstwin simulate`.

use super::Ups;
use crate::battery::invariants::{Violation, check_battery, check_cell_voltage};

/// Largest relative error of one step's converter energy balance.
pub const CONVERTER_BALANCE_TOLERANCE: f64 = 0.005;

impl Ups {
    /// The checks of one step that cost nothing: flows and the measured battery voltage.
    pub fn check_step_invariants(&self) -> Result<(), Violation> {
        let flows = &self.flows;
        for (flow, power_w) in [
            ("input power", flows.input_w),
            ("bypass power", flows.bypass_w),
            ("battery power out", flows.battery_out_w),
            ("battery power in", flows.battery_in_w),
            ("output power", flows.output_w),
            ("losses", flows.losses_w),
        ] {
            if !power_w.is_finite() {
                return Err(Violation::NotFinite { what: flow });
            }
            if power_w < -1e-6 {
                return Err(Violation::NegativeFlow { flow, power_w });
            }
        }
        let error = flows.balance_error();
        if error > CONVERTER_BALANCE_TOLERANCE {
            return Err(Violation::ConverterBalance { error });
        }
        let measured_v = self.measurements.battery_voltage_v;
        let cells = f64::from(self.battery.bank().cells_in_series());
        if measured_v != 0.0 && cells > 0.0 {
            check_cell_voltage(
                self.battery.bank().params().chemistry,
                "the battery voltage",
                measured_v / cells,
            )?;
        }
        Ok(())
    }

    /// Every law: this step's, and the battery's block by block.
    pub fn check_invariants(&self) -> Result<(), Violation> {
        self.check_step_invariants()?;
        check_battery(self.battery.bank())
    }
}
