//! Runs a fleet scenario in virtual time, `--card none`: each device an expectation is for
//! runs its own scenario (its events, its expectations) on its twin as the fleet starts it
//! (`run_device`, pure; `upstwin run` spreads the devices over its jobs); `fold` makes the
//! fleet's report: an expectation holds when it holds on every device of its scope, and a
//! failure names the devices it failed on and what each saw.

use super::plan::Device;
use super::scenario::CompiledFleet;
use super::twins;
use crate::replay::Replay;
use crate::report::{Report, Timeline};
use crate::verdict::Outcome;
use sim::ups::FactoryCalibration;
use std::collections::HashMap;
use std::collections::HashSet;
use std::path::Path;

/// How many failing devices a failure names (the count says the rest).
const NAMED: usize = 5;

/// One device's run: its report (its expectations' outcomes, then the events it could
/// not take) and which fleet expectation each of its expectations is.
#[derive(Debug, Clone)]
pub struct DeviceRun {
    name: String,
    indices: Vec<usize>,
    report: Report,
    /// Its state once per simulated second, as `Sample` bits.
    samples: Vec<u8>,
}

/// What the fleet's trace counts, once a simulated second: (bit, trace column).
const SAMPLED: [(u8, &str); 4] =
    [(1, "devices_on_battery"), (2, "devices_on_bypass"), (4, "devices_on_genset"), (8, "devices_load_off")];

fn sample(ups: &sim::Ups) -> u8 {
    let c = ups.conditions();
    let on = [
        c.on_battery,
        c.load_on_automatic_bypass || c.load_on_maintenance_bypass,
        c.on_genset,
        c.load_off || c.standby,
    ];
    SAMPLED.iter().zip(on).filter(|(_, on)| *on).map(|((bit, _), _)| bit).sum()
}

/// Runs one device: its twin as the fleet starts it, its events, its expectations.
pub fn run_device(
    fleet: &CompiledFleet,
    device: &Device,
    calibrations: &HashMap<String, FactoryCalibration>,
) -> Result<DeviceRun, String> {
    let (scenario, indices) = fleet.device_scenario(device).map_err(|why| why.message)?;
    let (_, mut ups) = twins::start_ups(&fleet.plan, device, calibrations);
    let mut replay = Replay::new(&scenario);
    let steps = (scenario.duration_s / scenario.dt_s).round() as u64;
    let mut samples = vec![sample(&ups)];
    for _ in 0..steps {
        replay.fire_due(&mut ups, None);
        ups.step(scenario.dt_s);
        replay.observe(&ups);
        if ups.time_s() + 1e-9 >= samples.len() as f64 {
            samples.push(sample(&ups));
        }
    }
    let report = replay.finish(ups.time_s(), 0.0);
    Ok(DeviceRun { name: device.name.clone(), indices, report, samples })
}

/// The fleet's report from its devices' runs (in fleet order): an expectation holds when it
/// held on every device of its scope.
pub fn fold(fleet: &CompiledFleet, runs: Vec<DeviceRun>, wall_s: f64, out: Option<&Path>) -> Report {
    // Per fleet expectation: devices it held on, and the ones it failed on with what they saw.
    let mut held = vec![0usize; fleet.labels.len()];
    let mut failed: Vec<Vec<(String, String)>> = vec![Vec::new(); fleet.labels.len()];
    let mut not_taken: Vec<(String, String)> = Vec::new();
    let mut timeline = Timeline::default();
    let mut seen: HashSet<(u64, String)> = HashSet::new();
    let mut sim_s: f64 = 0.0;
    let devices = runs.len();
    // Devices in each sampled state, once a simulated second.
    let seconds = runs.iter().map(|r| r.samples.len()).max().unwrap_or(0);
    let mut counts = vec![[0usize; SAMPLED.len()]; seconds];
    for run in &runs {
        for (second, bits) in run.samples.iter().enumerate() {
            for (k, (bit, _)) in SAMPLED.iter().enumerate() {
                counts[second][k] += usize::from(bits & bit != 0);
            }
        }
    }
    for run in runs {
        sim_s = sim_s.max(run.report.sim_s);
        // Every device fires the events of its scopes at the same instants: a line the
        // fleet's timeline has already is not repeated; a new one names its device.
        for (time_s, line) in run.report.timeline.lines {
            if seen.insert((time_s.to_bits(), line.clone())) {
                timeline.add(time_s, format!("{}: {line}", run.name));
            }
        }
        for (k, outcome) in run.report.outcomes.into_iter().enumerate() {
            match (run.indices.get(k), outcome.passed) {
                (Some(&index), true) => held[index] += 1,
                (Some(&index), false) => failed[index].push((run.name.clone(), outcome.detail)),
                // An event the device could not take: a failure of the run itself.
                (None, _) => {
                    not_taken.push((run.name.clone(), format!("{}: {}", outcome.label, outcome.detail)))
                }
            }
        }
    }
    timeline.lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut outcomes: Vec<Outcome> = fleet
        .labels
        .iter()
        .enumerate()
        .map(|(i, label)| outcome(label, &fleet.scenario.expect[i].every.to_string(), held[i], &failed[i]))
        .collect();
    if !not_taken.is_empty() {
        let refused: HashSet<&str> = not_taken.iter().map(|(name, _)| name.as_str()).collect();
        let named: Vec<String> =
            not_taken.iter().take(NAMED).map(|(name, why)| format!("{name} ({why})")).collect();
        outcomes.push(Outcome {
            label: "every event is taken".into(),
            passed: false,
            detail: format!("refused on {} of {} devices: {}", refused.len(), devices, named.join("; ")),
        });
    }
    let mut report = Report::new(&fleet.name, &fleet.path, outcomes, timeline, sim_s, wall_s);
    if let Some(dir) = out {
        if let Err(e) = write_trace(&dir.join("trace.csv"), &counts) {
            report.output_errors.push(e);
        }
        report.write_reports(dir);
    }
    report
}

/// `trace.csv` of a fleet: the devices in each sampled state, once a simulated second
/// (what `report.html` plots).
fn write_trace(path: &Path, counts: &[[usize; SAMPLED.len()]]) -> Result<(), String> {
    let failed = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let mut writer = csv::Writer::from_path(path).map_err(|e| failed(&e))?;
    let header = std::iter::once("time_s").chain(SAMPLED.iter().map(|(_, column)| *column));
    writer.write_record(header).map_err(|e| failed(&e))?;
    for (second, row) in counts.iter().enumerate() {
        let record = std::iter::once(second.to_string()).chain(row.iter().map(usize::to_string));
        writer.write_record(record).map_err(|e| failed(&e))?;
    }
    writer.flush().map_err(|e| failed(&e))
}

/// One fleet expectation's outcome over its devices.
fn outcome(label: &str, scope: &str, held: usize, failed: &[(String, String)]) -> Outcome {
    let devices = held + failed.len();
    if failed.is_empty() {
        return Outcome {
            label: label.to_string(),
            passed: true,
            detail: format!("held on all {devices} devices of {scope}"),
        };
    }
    let named: Vec<String> =
        failed.iter().take(NAMED).map(|(name, detail)| format!("{name} ({detail})")).collect();
    let more = failed.len().saturating_sub(NAMED);
    Outcome {
        label: label.to_string(),
        passed: false,
        detail: format!(
            "failed on {} of {devices} devices of {scope}: {}{}",
            failed.len(),
            named.join("; "),
            if more > 0 { format!("; and {more} more") } else { String::new() }
        ),
    }
}
