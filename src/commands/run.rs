//! `upstwin run`: replay scenario files, in parallel, and say which expectations held.

use super::run_exec::{self, ExecCard};
use super::run_reference;
use super::{CommandResult, Failure};
use crate::cli::RunArgs;
use indicatif::{ProgressBar, ProgressStyle};
use scenarios::compile::{self, Compiled};
use scenarios::format::Need;
use scenarios::report::{self, Report};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Scenario files under the given paths (directories searched recursively), sorted.
fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut files = Vec::new();
    fn walk(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> =
                std::fs::read_dir(path)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
            entries.sort();
            for entry in entries {
                walk(&entry, files)?;
            }
        } else if path.extension().is_some_and(|e| e == "ron") {
            files.push(path.to_path_buf());
        }
        Ok(())
    }
    for path in paths {
        if !path.exists() {
            return Err(Failure::bad_input(format!("{}: no such file or directory", path.display())));
        }
        walk(path, &mut files).map_err(|e| Failure::bad_input(format!("{}: {e}", path.display())))?;
    }
    if files.is_empty() {
        return Err(Failure::bad_input("no scenario (.ron) files found"));
    }
    Ok(files)
}

/// Who plays the card.
enum Card {
    /// Nobody: the twin alone in virtual time.
    None,
    /// Our card stack, in-process, in virtual time.
    Reference,
    Exec(ExecCard),
}

fn card(args: &RunArgs) -> Result<Card, Failure> {
    match args.card.as_str() {
        "none" => return Ok(Card::None),
        "reference" => return Ok(Card::Reference),
        _ => {}
    }
    if let Some(command) = args.card.strip_prefix("exec:") {
        if command.trim().is_empty() {
            return Err(Failure::bad_input(
                "--card exec: needs a command, e.g. --card 'exec:scripts/cards/nut'",
            ));
        }
        if !(args.speed.is_finite() && (0.01..=1000.0).contains(&args.speed)) {
            return Err(Failure::bad_input(format!(
                "--speed must be within 0.01..=1000, found {}",
                args.speed
            )));
        }
        return Ok(Card::Exec(ExecCard { command: command.to_string(), speed: args.speed }));
    }
    Err(Failure::bad_input(format!("--card {}: expected `none`, `reference` or `exec:CMD`", args.card)))
}

pub fn run(args: &RunArgs) -> CommandResult {
    let card = card(args)?;
    let files = scenario_files(&args.paths)?;
    let mut scenarios: Vec<Compiled> = Vec::new();
    let mut errors = Vec::new();
    for file in &files {
        match compile::load(file) {
            Ok(mut scenario) => {
                if let Some(seed) = args.seed {
                    scenario.seed = seed;
                }
                scenarios.push(scenario);
            }
            Err(error) => errors.push(error.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(Failure::bad_input(errors.join("\nupstwin: ")));
    }
    if let Some(out) = &args.out {
        for scenario in &scenarios {
            let dir = output_dir(out, scenario);
            std::fs::create_dir_all(&dir).map_err(|e| Failure::failed(format!("{}: {e}", dir.display())))?;
        }
    }
    let jobs =
        args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let bar = ProgressBar::new(scenarios.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} scenarios {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let next = Mutex::new(0usize);
    let reports: Mutex<Vec<(usize, Report)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(scenarios.len()) {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().unwrap_or_else(|p| p.into_inner());
                        let index = *next;
                        *next += 1;
                        index
                    };
                    let Some(scenario) = scenarios.get(index) else { break };
                    bar.set_message(scenario.name.clone());
                    let report = run_one(scenario, &card, args.out.as_deref());
                    reports.lock().unwrap_or_else(|p| p.into_inner()).push((index, report));
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish_and_clear();
    let mut reports = reports.into_inner().unwrap_or_else(|p| p.into_inner());
    reports.sort_by_key(|(index, _)| *index);
    let reports: Vec<Report> = reports.into_iter().map(|(_, r)| r).collect();
    print_summary(&reports);
    if let Some(path) = &args.junit {
        std::fs::write(path, report::junit(&reports))
            .map_err(|e| Failure::failed(format!("{}: {e}", path.display())))?;
    }
    let failed: Vec<&Report> = reports.iter().filter(|r| r.skipped.is_none() && !r.passed()).collect();
    if failed.is_empty() {
        Ok(())
    } else {
        for report in &failed {
            for error in &report.output_errors {
                eprintln!("FAIL {} — output not written: {error}", report.name);
            }
            for outcome in report.outcomes.iter().filter(|o| !o.passed) {
                eprintln!("FAIL {} — {}: {}", report.name, outcome.label, outcome.detail);
            }
        }
        Err(Failure::failed(format!("{} of {} scenarios failed", failed.len(), reports.len())))
    }
}

fn run_one(scenario: &Compiled, card: &Card, out: Option<&Path>) -> Report {
    if scenario.needs.contains(&Need::ReferenceCard) && !matches!(card, Card::Reference) {
        return Report::skipped(
            &scenario.name,
            &scenario.path,
            "needs the reference card: run with --card reference".into(),
        );
    }
    let dir = out.map(|out| output_dir(out, scenario));
    match card {
        Card::None if scenario.needs.contains(&Need::Card) => Report::skipped(
            &scenario.name,
            &scenario.path,
            "needs a card under test: run with --card reference or --card exec:…".into(),
        ),
        Card::None => scenarios::virtual_run::run(scenario, dir.as_deref()),
        Card::Reference => run_reference::run(scenario, dir.as_deref()),
        Card::Exec(exec) => match dir {
            Some(dir) => run_exec::run(scenario, exec, &dir),
            // Without --out the card's files go to a directory removed after the run.
            None => match tempfile::Builder::new().prefix("upstwin-run-").tempdir() {
                Ok(temp) => run_exec::run(scenario, exec, temp.path()),
                Err(e) => {
                    Report::not_run(&scenario.name, &scenario.path, format!("no temporary directory: {e}"))
                }
            },
        },
    }
}

/// One directory per scenario, named after its file (`01-short-blackout`): names are
/// unique within a directory, and free of spaces for shell users.
fn output_dir(out: &Path, scenario: &Compiled) -> PathBuf {
    out.join(scenario.path.file_stem().unwrap_or(scenario.name.as_ref()))
}

fn print_summary(reports: &[Report]) {
    let width = reports.iter().map(|r| r.name.chars().count()).max().unwrap_or(0).max(8);
    println!("{:<width$} {:>7} {:>12} {:>9}  verdict", "scenario", "checks", "virtual", "wall");
    for report in reports {
        let verdict = match (&report.skipped, report.passed()) {
            (Some(why), _) => format!("SKIPPED ({why})"),
            (None, true) => "pass".to_string(),
            (None, false) => format!("FAIL ({} of {})", report.failures(), report.outcomes.len()),
        };
        println!(
            "{:<width$} {:>7} {:>11.0}s {:>8.2}s  {verdict}",
            report.name,
            report.outcomes.len(),
            report.sim_s,
            report.wall_s
        );
    }
    let passed = reports.iter().filter(|r| r.passed()).count();
    let skipped = reports.iter().filter(|r| r.skipped.is_some()).count();
    let failed = reports.len() - passed - skipped;
    println!("{passed} passed, {failed} failed, {skipped} skipped");
}
