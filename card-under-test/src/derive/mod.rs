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
        topology: topology::topology(database, holds(crate::rules::Condition::ParallelSystem)),
    }
}
