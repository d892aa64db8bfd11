//! Runs a fleet scenario in virtual time, `--card none`: each device an expectation is for
//! runs its own scenario (its events, its expectations) on its twin as the fleet starts it;
//! an expectation of the fleet holds when it holds on every device of its scope, and a
//! failure names the devices it failed on and what each saw.

use super::scenario::CompiledFleet;
use super::twins;
use crate::replay::Replay;
use crate::report::{Report, Timeline};
use crate::verdict::Outcome;
use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

/// How many failing devices a failure names (the count says the rest).
const NAMED: usize = 5;

pub fn run(fleet: &CompiledFleet, out: Option<&Path>) -> Report {
    let wall = Instant::now();
    let devices: Vec<_> = fleet.devices().cloned().collect();
    let calibrations = twins::calibrations(&fleet.plan, &devices);
    // Per fleet expectation: devices it held on, and the ones it failed on with what they saw.
    let mut held = vec![0usize; fleet.labels.len()];
    let mut failed: Vec<Vec<(String, String)>> = vec![Vec::new(); fleet.labels.len()];
    let mut not_taken: Vec<(String, String)> = Vec::new();
    let mut timeline = Timeline::default();
    let mut seen: HashSet<(u64, String)> = HashSet::new();
    let mut sim_s: f64 = 0.0;
    for device in &devices {
        let (scenario, indices) = match fleet.device_scenario(device) {
            Ok(compiled) => compiled,
            Err(why) => return Report::not_run(&fleet.name, &fleet.path, why.message),
        };
        let (_, mut ups) = twins::start_ups(&fleet.plan, device, &calibrations);
        let mut replay = Replay::new(&scenario);
        let steps = (scenario.duration_s / scenario.dt_s).round() as u64;
        for _ in 0..steps {
            replay.fire_due(&mut ups, None);
            ups.step(scenario.dt_s);
            replay.observe(&ups);
        }
        sim_s = sim_s.max(ups.time_s());
        let report = replay.finish(ups.time_s(), 0.0);
        // Every device fires the events of its scopes at the same instants: a line the
        // fleet's timeline has already is not repeated; a new one names its device.
        for (time_s, line) in report.timeline.lines {
            if seen.insert((time_s.to_bits(), line.clone())) {
                timeline.add(time_s, format!("{}: {line}", device.name));
            }
        }
        for (k, outcome) in report.outcomes.iter().enumerate() {
            match (indices.get(k), outcome.passed) {
                (Some(&index), true) => held[index] += 1,
                (Some(&index), false) => failed[index].push((device.name.clone(), outcome.detail.clone())),
                // An event the device could not take: a failure of the run itself.
                (None, _) => {
                    not_taken.push((device.name.clone(), format!("{}: {}", outcome.label, outcome.detail)))
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
            detail: format!(
                "refused on {} of {} devices: {}",
                refused.len(),
                devices.len(),
                named.join("; ")
            ),
        });
    }
    let mut report = Report {
        name: fleet.name.clone(),
        path: fleet.path.display().to_string(),
        skipped: None,
        error: None,
        outcomes,
        timeline,
        sim_s,
        wall_s: wall.elapsed().as_secs_f64(),
        output_errors: Vec::new(),
    };
    if let Some(dir) = out {
        report.write_reports(dir);
    }
    report
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
