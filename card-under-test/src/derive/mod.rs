//! What the card shows of the UPS, derived from the database with the map's rules: the
//! status strings, the synoptic colours, the parameter tables and the topology (NET VISION
//! §11.3, §12.1). Pure: the same database gives the same view.

pub mod status;
pub mod synoptic;
pub mod tables;
pub mod topology;

use crate::database::Database;
use crate::rules::Rules;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct View {
    pub ups_status: &'static str,
    pub battery_status: &'static str,
    pub output_status: &'static str,
    pub synoptic: Vec<synoptic::Element>,
    /// The value the synoptic shows on the load (§12.1.1: not shown on maintenance bypass).
    pub synoptic_load_pct: Option<f64>,
    pub tables: Vec<tables::Table>,
    pub topology: topology::Topology,
    /// The dashboard's line on the output current bars (§13): nominal kVA over the nominal
    /// output voltage and the output phases; `None` when the map does not say them.
    pub nominal_output_current_a: Option<f64>,
    /// The UPS is on battery: the dashboard then shows the remaining time (§13).
    pub discharging: bool,
    /// The load is fed (the UPS status is not "Load OFF", and the UPS answers).
    pub load_fed: bool,
}

/// Nominal output current per phase, A, from the nominal apparent power and voltage.
fn nominal_output_current_a(database: &Database) -> Option<f64> {
    use ups_models::map::ModelField;
    let kva = database.model_value(ModelField::ApparentPowerKva)?;
    let volts = database.model_value(ModelField::NominalOutputVoltageV).filter(|v| *v > 0.0)?;
    let phases = tables::values(database, "output_voltage_v").len().max(1) as f64;
    Some(kva * 1000.0 / (volts * phases))
}

/// The view of a UPS the card talks to (`online`), or of one it lost: then every status is
/// "Unknown" and every element grey, while the last values stay readable in the tables.
pub fn view(database: &Database, rules: &Rules, online: bool, alarm_present: bool) -> View {
    let on = database.bits_on();
    let holds = |condition| online && rules.holds(condition, &on);
    let load_pct = tables::values(database, "output_load_pct").into_iter().flatten().reduce(f64::max);
    let maintenance = holds(crate::rules::Condition::MaintenanceBypass);
    let inputs = synoptic::Inputs { load_pct: load_pct.filter(|_| online), alarm_present };
    View {
        ups_status: if online { status::ups_status(&holds) } else { status::UNKNOWN },
        battery_status: if online { status::battery_status(&holds) } else { status::UNKNOWN },
        output_status: if online { status::output_status(&holds) } else { status::UNKNOWN },
        synoptic: synoptic::elements(&holds, inputs),
        synoptic_load_pct: load_pct.filter(|_| online && !maintenance),
        tables: tables::tables(database),
        topology: topology::topology(database, &holds),
        nominal_output_current_a: nominal_output_current_a(database),
        discharging: holds(crate::rules::Condition::OnBattery),
        load_fed: online && status::load_fed(&holds),
    }
}
