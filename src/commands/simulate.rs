//! `upstwin simulate`: run a model headless in virtual time through a timeline of faults,
//! commands and load changes; print what the UPS did, optionally write a CSV trace.

use super::{CommandResult, Failure};
use crate::cli::SimulateArgs;
use scenarios::trace::SignalTrace;
use sim::run::script::{self, TimedAction};
use sim::run::{EventKind, Runner};
use sim::ups::load::ProfilePoint;
use sim::{StartOptions, Ups};
use std::time::Instant;
use ups_models::flags::{Flag, FlagTables};
use ups_models::load_model;
use ups_models::profile::LoadProfile;

/// Outages whose runtime estimate is compared with the physics in the report.
const MAX_RUNTIME_REPORTS: usize = 5;

pub fn run(args: &SimulateArgs) -> CommandResult {
    let loaded = load_model(&args.model).map_err(Failure::bad_input)?;
    let duration_s = script::parse_duration_s(&args.duration)
        .map_err(|e| Failure::bad_input(format!("--duration: {e}")))?;
    let dt_s = script::parse_duration_s(&args.dt).map_err(|e| Failure::bad_input(format!("--dt: {e}")))?;
    if !(0.001..=60.0).contains(&dt_s) {
        return Err(Failure::bad_input(format!("--dt must be within 1ms..=60s, found {dt_s} s")));
    }
    if duration_s > 30.0 * 86_400.0 {
        return Err(Failure::bad_input(format!("--duration must be at most 30 days, found {duration_s} s")));
    }
    let csv_every_s = script::parse_duration_s(&args.csv_interval)
        .map_err(|e| Failure::bad_input(format!("--csv-interval: {e}")))?
        .max(dt_s);
    check_pct("load-pct", args.load_pct, 0.0, 1000.0)?;
    check_pct("soc-pct", args.soc_pct, 0.0, 100.0)?;
    check_pct("soh-pct", args.soh_pct, 1.0, 100.0)?;
    check_pct("ambient-c", args.ambient_c, -20.0, 70.0)?;
    check_pct("power-factor", args.power_factor, 0.3, 1.0)?;
    let mut actions: Vec<TimedAction> = Vec::new();
    for (i, text) in args.at.iter().enumerate() {
        let action = script::parse_at(text)
            .map_err(|e| Failure::bad_input(format!("--at #{} `{text}`: {e}", i + 1)))?;
        // An action after the end would never happen: say so rather than drop it.
        if action.at_s > duration_s {
            return Err(Failure::bad_input(format!(
                "--at #{} `{text}`: at {} s, after the end of the run (--duration {}, {duration_s} s)",
                i + 1,
                action.at_s,
                args.duration
            )));
        }
        actions.push(action);
    }
    let options = StartOptions {
        load_pct: args.load_pct,
        power_factor: args.power_factor,
        ambient_c: args.ambient_c,
        state_of_charge: args.soc_pct / 100.0,
        state_of_health: args.soh_pct / 100.0,
    };
    let mut ups = Ups::new(&loaded, args.seed, &options);
    if let Some(path) = &args.load_profile {
        let profile = LoadProfile::load(path).map_err(Failure::bad_input)?;
        let phases = usize::from(loaded.model.ratings.output_phases);
        if profile.points.iter().any(|p| p.power_kw[phases..].iter().any(|&kw| kw > 0.0)) {
            return Err(Failure::bad_input(format!(
                "{}: the profile loads phases the model's single-phase output does not have",
                path.display()
            )));
        }
        ups.load_mut().set_profile(
            profile.points.iter().map(|p| ProfilePoint { time_s: p.time_s, power_kw: p.power_kw }).collect(),
        );
    }
    let tables = &loaded.flags;
    let mut trace = match &args.csv {
        Some(path) => Some(
            SignalTrace::create(path, tables)
                .map_err(|e| Failure::failed(format!("{}: {e}", path.display())))?,
        ),
        None => None,
    };
    let wall = Instant::now();
    let mut runner = Runner::new(ups, actions);
    let mut next_row_s = 0.0;
    let mut trace_error = None;
    let mut battery_starts: Vec<(f64, f64, f64)> = Vec::new();
    let mut was_on_battery = false;
    runner.run(duration_s, dt_s, |ups| {
        // Estimate vs physics at the start of each real outage (not battery tests), for the
        // first few: each truth costs a simulated discharge.
        let on_battery = ups.conditions().on_battery && !ups.conditions().battery_test_in_progress;
        if on_battery && !was_on_battery && battery_starts.len() < MAX_RUNTIME_REPORTS {
            battery_starts.push((
                ups.time_s(),
                ups.estimated_remaining_runtime_s(),
                ups.true_remaining_runtime_s(),
            ));
        }
        was_on_battery = on_battery;
        if let Some(trace) = trace.as_mut()
            && ups.time_s() + 1e-9 >= next_row_s
        {
            next_row_s += csv_every_s;
            if let Err(e) = trace.row(ups) {
                trace_error.get_or_insert(e);
            }
        }
    });
    if let Some(e) = trace_error {
        return Err(Failure::failed(format!("writing the trace: {e}")));
    }
    if let Some(trace) = trace.as_mut() {
        trace.flush().map_err(|e| Failure::failed(format!("writing the trace: {e}")))?;
    }
    let violation = runner.totals.first_violation;
    print_summary(
        &runner,
        &loaded.model.identity.model,
        &args.model,
        args.seed,
        dt_s,
        wall.elapsed().as_secs_f64(),
        tables,
        &battery_starts,
    );
    match violation {
        Some((time_s, violation)) => {
            Err(Failure::failed(format!("the twin broke a law of physics at {}: {violation}", clock(time_s))))
        }
        None => Ok(()),
    }
}

fn check_pct(name: &str, value: f64, min: f64, max: f64) -> Result<(), Failure> {
    if value.is_finite() && (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(Failure::bad_input(format!("--{name} must be within {min}..={max}, found {value}")))
    }
}

/// The flags of the model's map that report a condition.
fn flags_for<'a>(tables: &'a FlagTables, name: &str, index: Option<usize>) -> impl Iterator<Item = &'a Flag> {
    let name = name.to_string();
    tables
        .status
        .iter()
        .chain(&tables.alarms)
        .filter(move |f| f.signal.as_ref().is_some_and(|(n, i)| *n == name && *i == index))
}

fn describe(flag: &Flag) -> String {
    match flag.level {
        Some(level) => format!("{} {} ({})", flag.code, flag.description, level.letter()),
        None => format!("{} {}", flag.code, flag.description),
    }
}

/// `1h02m03.5s`-style time for reports.
pub fn clock(time_s: f64) -> String {
    let hours = (time_s / 3600.0).floor();
    let minutes = ((time_s - hours * 3600.0) / 60.0).floor();
    let seconds = time_s - hours * 3600.0 - minutes * 60.0;
    if hours > 0.0 {
        format!("{hours:.0}h{minutes:02.0}m{seconds:04.1}s")
    } else if minutes > 0.0 {
        format!("{minutes:.0}m{seconds:04.1}s")
    } else {
        format!("{seconds:.1}s")
    }
}

#[allow(clippy::too_many_arguments)]
fn print_summary(
    runner: &Runner,
    model_name: &str,
    model_arg: &str,
    seed: u64,
    dt_s: f64,
    wall_s: f64,
    tables: &FlagTables,
    battery_starts: &[(f64, f64, f64)],
) {
    let totals = runner.totals;
    let simulated_s = runner.ups.time_s();
    println!(
        "{model_name} ({model_arg}), seed {seed}: {} of virtual time in {} steps of {:.0} ms ({wall_s:.2} s wall, {:.0}× real time)",
        clock(simulated_s),
        totals.steps,
        dt_s * 1000.0,
        simulated_s / wall_s.max(1e-9)
    );
    let (mut raised, mut cleared) = (0, 0);
    for event in &runner.events {
        let line = match &event.kind {
            EventKind::Action(text) => format!("action   {text}"),
            EventKind::Refused(text) => format!("REFUSED  {text}"),
            EventKind::Transfer { from, to, break_ms } => {
                format!("transfer {from:?} → {to:?}, output break {break_ms:.0} ms")
            }
            EventKind::Mode { mode, on_battery } => {
                format!("mode     {mode:?}{}", if *on_battery { " (on battery)" } else { "" })
            }
            EventKind::Condition { name, index, on } => {
                let flags: Vec<String> = flags_for(tables, name, *index).map(describe).collect();
                if flags.is_empty() {
                    continue;
                }
                if tables.alarms.iter().any(|f| flags_for(tables, name, *index).any(|g| g == f)) {
                    if *on { raised += 1 } else { cleared += 1 }
                }
                format!("{}        {}", if *on { "+" } else { "-" }, flags.join("; "))
            }
        };
        println!("{:>12}  {line}", clock(event.time_s));
    }
    for (time_s, estimate_s, truth_s) in battery_starts {
        println!(
            "on battery at {}: the UPS estimated {:.1} min of runtime; the battery physics gave {:.1} min",
            clock(*time_s),
            estimate_s / 60.0,
            truth_s / 60.0
        );
    }
    println!(
        "summary: final mode {:?}; alarms raised {raised}, cleared {cleared}; minimum battery charge {:.1} % at {}; energy balance worst error {:.4} % (converters), battery energy made from nothing {:.4} % of its throughput (at most {:.1} %)",
        runner.ups.mode(),
        totals.min_charge_pct,
        clock(totals.min_charge_at_s),
        totals.max_balance_error * 100.0,
        totals.max_energy_created_share * 100.0,
        sim::battery::invariants::ENERGY_TOLERANCE * 100.0
    );
}
