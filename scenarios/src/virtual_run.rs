//! `--card none`: the twin alone in virtual time, as fast as the CPU allows, deterministic
//! for the scenario's seed.

use crate::compile::{Compiled, Step, Trigger};
use crate::report::{Report, Timeline};
use crate::trace::SignalTrace;
use crate::verdict::{Outcome, Tracker};
use sim::Ups;
use std::path::Path;
use std::time::Instant;

/// The physical runtime is recomputed at most this often (it simulates a copy of the bank).
const TRUTH_EVERY_S: f64 = 10.0;

/// Applies one event's step to the twin; returns what to log, or why it could not run.
pub fn apply(ups: &mut Ups, step: &Step) -> Result<String, String> {
    match step {
        Step::Fault(fault) => {
            ups.inject(fault.clone()).map(|()| format!("fault {}", fault.name)).map_err(|e| e.0)
        }
        Step::Clear(name) => match ups.clear(name) {
            0 => Err(format!("{name} was not in force")),
            _ => Ok(format!("cleared {name}")),
        },
        Step::Command(command) => {
            ups.command(command).map(|()| format!("command {}", command.name)).map_err(|e| e.to_string())
        }
        Step::Load(pct) => {
            ups.set_load_pct(*pct);
            Ok(format!("load {pct} %"))
        }
        Step::LoadProfile(points) => {
            let start = ups.time_s();
            ups.load_mut().set_profile(
                points
                    .iter()
                    .map(|p| sim::ups::load::ProfilePoint { time_s: start + p.time_s, ..*p })
                    .collect(),
            );
            Ok(format!("load profile ({} points)", points.len()))
        }
        Step::MainsProfile(points) => {
            ups.follow_mains(points.clone());
            Ok(format!("mains profile ({} points)", points.len()))
        }
        Step::WireFault(_) | Step::ClearWireFault(_) => Err("wire faults need a wire (--card exec:…)".into()),
        Step::CardAction(action) => Err(format!("card action `{action}` needs the reference card")),
    }
}

/// Whether a condition about the physical runtime will be looked at now: an event waiting on
/// it, or an expectation whose window is open. Only then is the costly truth recomputed.
fn truth_wanted(scenario: &Compiled, fired: &[Option<f64>], trackers: &[Tracker], now_s: f64) -> bool {
    let fired_at = |i: usize| fired[i];
    let waiting_event = scenario.events.iter().zip(fired).any(|(event, fired)| {
        fired.is_none() && matches!(&event.trigger, Trigger::When(c) if c.needs_truth())
    });
    waiting_event
        || trackers.iter().any(|tracker| {
            tracker.expectation.check.condition().is_some_and(|c| c.needs_truth())
                && tracker.wants(now_s, &fired_at)
        })
}

/// Runs a scenario in virtual time; writes its trace and timeline under `out` if given.
pub fn run(scenario: &Compiled, out: Option<&Path>) -> Report {
    let wall = Instant::now();
    let mut ups = Ups::new(&scenario.model, scenario.seed, &scenario.start);
    if let Some(profile) = &scenario.load_profile {
        ups.load_mut().set_profile(profile.clone());
    }
    let tables = ups_models::flags::tables(&scenario.model.model.register_map).expect("validated model");
    let mut output_errors = Vec::new();
    let mut trace = out.and_then(|dir| {
        let path = dir.join("trace.csv");
        SignalTrace::create(&path, &tables)
            .map_err(|e| output_errors.push(format!("{}: {e}", path.display())))
            .ok()
    });
    let mut timeline = Timeline::default();
    let mut fired: Vec<Option<f64>> = vec![None; scenario.events.len()];
    let mut trackers: Vec<Tracker> = scenario.expectations.iter().cloned().map(Tracker::new).collect();
    let mut truth: Option<(f64, f64)> = None;
    let steps = (scenario.duration_s / scenario.dt_s).round() as u64;
    let mut last_mode = String::new();
    let mut next_trace_s = 0.0;
    let mut trace_failed = false;
    let mut not_done = Vec::new();
    for _ in 0..steps {
        let now = ups.time_s();
        if truth.is_none_or(|(at, _)| now - at >= TRUTH_EVERY_S)
            && truth_wanted(scenario, &fired, &trackers, now)
        {
            truth = Some((now, ups.true_remaining_runtime_s() / 60.0));
        }
        let flat = ups.conditions().flat();
        let truth_min = truth.map(|(_, minutes)| minutes);
        for (index, event) in scenario.events.iter().enumerate() {
            if fired[index].is_some() {
                continue;
            }
            let due = match &event.trigger {
                Trigger::At(t) => now >= *t - 1e-9,
                Trigger::After(other, delay) => fired[*other].is_some_and(|t| now >= t + delay - 1e-9),
                Trigger::When(condition) => condition.holds(&ups, &flat, truth_min),
            };
            if due {
                fired[index] = Some(now);
                let line = match apply(&mut ups, &event.step) {
                    Ok(done) => format!("{}: {done}", event.label),
                    Err(why) => {
                        // An event that cannot happen makes the story untrue: the run fails.
                        not_done.push(Outcome {
                            label: format!("event `{}` happens", event.label),
                            passed: false,
                            detail: format!("not done at {now:.1} s: {why}"),
                        });
                        format!("{}: NOT DONE: {why}", event.label)
                    }
                };
                timeline.add(now, line);
            }
        }
        ups.step(scenario.dt_s);
        let now = ups.time_s();
        let mode = crate::expr::mode_name(&ups);
        if mode != last_mode {
            timeline.add(now, format!("mode {mode}"));
            last_mode = mode.to_string();
        }
        let flat = ups.conditions().flat();
        let fired_at = |i: usize| fired[i];
        for tracker in &mut trackers {
            if tracker.wants(now, &fired_at) {
                let holds =
                    tracker.expectation.check.condition().is_some_and(|c| c.holds(&ups, &flat, truth_min));
                tracker.observe(now, holds);
            }
        }
        if let Some(trace) = trace.as_mut()
            && !trace_failed
            && now + 1e-9 >= next_trace_s
        {
            next_trace_s += 1.0;
            if let Err(e) = trace.row(&ups) {
                output_errors.push(format!("trace.csv: {e}"));
                trace_failed = true;
            }
        }
    }
    if let Some(trace) = trace.as_mut()
        && !trace_failed
        && let Err(e) = trace.flush()
    {
        output_errors.push(format!("trace.csv: {e}"));
    }
    let fired_at = |i: usize| fired[i];
    let event_label = |i: usize| scenario.events[i].label.clone();
    let mut outcomes: Vec<Outcome> = trackers.iter().map(|t| t.outcome(&fired_at, &event_label)).collect();
    outcomes.extend(not_done);
    let mut report = Report::new(scenario, outcomes, timeline, ups.time_s(), wall.elapsed().as_secs_f64());
    report.output_errors = output_errors;
    if let Some(dir) = out {
        report.write_timeline(dir);
    }
    report
}
