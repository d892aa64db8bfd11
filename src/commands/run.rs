//! `upstwin run`: replay scenario files, in parallel, and say which expectations held.

use super::run_exec::{self, ExecCard};
use super::run_reference;
use super::{CommandResult, Failure};
use crate::cli::RunArgs;
use indicatif::{ProgressBar, ProgressStyle};
use scenarios::compile::{self, Compiled};
use scenarios::fleet::scenario::{self as fleet_scenario, CompiledFleet};
use scenarios::format::Need;
use scenarios::report::{self, Report};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use ups_models::LoadError;

/// A scenario file to run, or why a path given gave none.
enum Found {
    File(PathBuf),
    /// A path that does not exist or cannot be read: reported as a scenario not run.
    Unreadable {
        path: PathBuf,
        why: String,
    },
}

/// Scenario files under the given paths (directories searched recursively), sorted, each
/// once however often it was named.
fn scenario_files(paths: &[PathBuf]) -> Vec<Found> {
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
    let mut found = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in paths {
        let mut files = Vec::new();
        let walked = if path.exists() {
            walk(path, &mut files)
        } else {
            Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"))
        };
        if let Err(e) = walked {
            found.push(Found::Unreadable { path: path.clone(), why: format!("{}: {e}", path.display()) });
        }
        for file in files {
            if seen.insert(file.canonicalize().unwrap_or_else(|_| file.clone())) {
                found.push(Found::File(file));
            }
        }
    }
    found
}

/// A scenario file loaded: one UPS's, or a fleet's.
enum Loaded {
    Ups(Box<Compiled>),
    Fleet(Box<CompiledFleet>),
}

impl Loaded {
    /// A fleet scenario (`FleetScenario(…)`) or a UPS's, by what the file starts with.
    fn load(file: &Path) -> Result<Loaded, LoadError> {
        let text = std::fs::read_to_string(file).map_err(|e| LoadError::io(file, &e))?;
        if fleet_scenario::is_fleet_scenario(&text) {
            fleet_scenario::compile(&text, file).map(|f| Loaded::Fleet(Box::new(f)))
        } else {
            compile::compile(&text, file).map(|s| Loaded::Ups(Box::new(s)))
        }
    }

    fn name(&self) -> &str {
        match self {
            Loaded::Ups(scenario) => &scenario.name,
            Loaded::Fleet(fleet) => &fleet.name,
        }
    }

    fn path(&self) -> &Path {
        match self {
            Loaded::Ups(scenario) => &scenario.path,
            Loaded::Fleet(fleet) => &fleet.path,
        }
    }
}

/// A scenario loaded, with the directory of its artefacts; or the report of a file that
/// gave none.
enum Planned {
    Run(Loaded, Option<PathBuf>),
    NotRun(Report),
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
    let found = scenario_files(&args.paths);
    if found.is_empty() {
        write_junit(args, &[])?;
        return Err(Failure::bad_input("no scenario (.ron) files found"));
    }
    // A file that does not load is reported as a scenario not run, and the others still run.
    let mut runs: Vec<Planned> = found
        .into_iter()
        .map(|found| match found {
            Found::File(file) => match Loaded::load(&file) {
                Ok(mut loaded) => {
                    // A fleet's devices take their seeds from the fleet file.
                    if let (Some(seed), Loaded::Ups(scenario)) = (args.seed, &mut loaded) {
                        scenario.seed = seed;
                    }
                    Planned::Run(loaded, None)
                }
                Err(error) => Planned::NotRun(Report::not_run(&stem(&file), &file, error.to_string())),
            },
            Found::Unreadable { path, why } => Planned::NotRun(Report::not_run(&stem(&path), &path, why)),
        })
        .collect();
    let bad_files = runs.iter().filter(|run| matches!(run, Planned::NotRun(_))).count();
    if let Some(out) = &args.out {
        let paths: Vec<PathBuf> = (runs.iter())
            .filter_map(|run| match run {
                Planned::Run(loaded, _) => Some(loaded.path().to_path_buf()),
                Planned::NotRun(_) => None,
            })
            .collect();
        let mut dirs = output_dirs(out, &paths).into_iter();
        for run in &mut runs {
            // One directory per scenario loaded, in order; files that gave none take none.
            let Planned::Run(_, slot) = run else { continue };
            let dir = dirs.next();
            if let Some(dir) = &dir {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Failure::failed(format!("{}: {e}", dir.display())))?;
            }
            *slot = dir;
        }
    }
    let jobs =
        args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let bar = ProgressBar::new(runs.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} scenarios {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let next = Mutex::new(0usize);
    let reports: Mutex<Vec<(usize, Report)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(runs.len()) {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().unwrap_or_else(|p| p.into_inner());
                        let index = *next;
                        *next += 1;
                        index
                    };
                    let Some(run) = runs.get(index) else { break };
                    let report = match run {
                        Planned::Run(loaded, dir) => {
                            bar.set_message(loaded.name().to_string());
                            match loaded {
                                Loaded::Ups(scenario) => run_one(scenario, &card, dir.as_deref()),
                                Loaded::Fleet(fleet) => run_fleet(fleet, &card, jobs, dir.as_deref()),
                            }
                        }
                        Planned::NotRun(report) => report.clone(),
                    };
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
    write_junit(args, &reports)?;
    let failed: Vec<&Report> = reports.iter().filter(|r| r.skipped.is_none() && !r.passed()).collect();
    for report in &failed {
        if let Some(why) = &report.error {
            eprintln!("ERROR {} — not run: {why}", report.name);
        }
        for error in &report.output_errors {
            eprintln!("FAIL {} — output not written: {error}", report.name);
        }
        for outcome in report.outcomes.iter().filter(|o| !o.passed) {
            eprintln!("FAIL {} — {}: {}", report.name, outcome.label, outcome.detail);
        }
    }
    let summary = format!("{} of {} scenarios failed", failed.len(), reports.len());
    match (bad_files, failed.len()) {
        (0, 0) => Ok(()),
        (0, _) => Err(Failure::failed(summary)),
        (bad, _) => Err(Failure::bad_input(format!("{summary} ({bad} could not be loaded)"))),
    }
}

/// The JUnit file, when asked for: written whatever happened, so CI always shows results.
fn write_junit(args: &RunArgs, reports: &[Report]) -> Result<(), Failure> {
    let Some(path) = &args.junit else { return Ok(()) };
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Failure::failed(format!("{}: {e}", dir.display())))?;
    }
    std::fs::write(path, report::junit(reports))
        .map_err(|e| Failure::failed(format!("{}: {e}", path.display())))
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap_or(path.as_os_str()).to_string_lossy().into_owned()
}

fn run_one(scenario: &Compiled, card: &Card, dir: Option<&Path>) -> Report {
    if scenario.needs.contains(&Need::ReferenceCard) && !matches!(card, Card::Reference) {
        return Report::skipped(
            &scenario.name,
            &scenario.path,
            "needs the reference card: run with --card reference".into(),
        );
    }
    match card {
        Card::None if scenario.needs.contains(&Need::Card) => Report::skipped(
            &scenario.name,
            &scenario.path,
            "needs a card under test: run with --card reference or --card exec:…".into(),
        ),
        Card::None => scenarios::virtual_run::run(scenario, dir),
        Card::Reference => run_reference::run(scenario, dir),
        Card::Exec(exec) => match dir {
            Some(dir) => run_exec::run(scenario, exec, dir),
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

/// A fleet scenario: its twins alone, in virtual time, its devices split over `jobs`
/// threads (each device's run is deterministic; the fold keeps fleet order).
fn run_fleet(fleet: &CompiledFleet, card: &Card, jobs: usize, dir: Option<&Path>) -> Report {
    use scenarios::fleet::run::{fold, run_device};
    match card {
        Card::None => {
            let wall = std::time::Instant::now();
            let devices: Vec<_> = fleet.devices().cloned().collect();
            let calibrations = scenarios::fleet::twins::calibrations(&fleet.plan, &devices);
            let chunk = devices.len().div_ceil(jobs.max(1)).max(1);
            let parts: Vec<Result<Vec<_>, String>> = std::thread::scope(|scope| {
                let running: Vec<_> = devices
                    .chunks(chunk)
                    .map(|part| {
                        let calibrations = &calibrations;
                        scope.spawn(move || part.iter().map(|d| run_device(fleet, d, calibrations)).collect())
                    })
                    .collect();
                running
                    .into_iter()
                    .map(|part| part.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                    .collect()
            });
            match parts.into_iter().collect::<Result<Vec<Vec<_>>, String>>() {
                Ok(parts) => {
                    fold(fleet, parts.into_iter().flatten().collect(), wall.elapsed().as_secs_f64(), dir)
                }
                Err(why) => Report::not_run(&fleet.name, &fleet.path, why),
            }
        }
        Card::Reference | Card::Exec(_) => Report::skipped(
            &fleet.name,
            &fleet.path,
            "a fleet scenario runs its twins alone: run it with --card none".into(),
        ),
    }
}

/// One directory per scenario, named after its file (`01-short-blackout`): free of spaces
/// for shell users. Files that share a name (`suiteA/blackout.ron`, `suiteB/blackout.ron`)
/// each get their path below the directories they have in common (`suiteA/blackout`,
/// `suiteB/blackout`), so no run overwrites another's artefacts.
fn output_dirs(out: &Path, files: &[PathBuf]) -> Vec<PathBuf> {
    let absolute: Vec<PathBuf> =
        files.iter().map(|f| f.canonicalize().unwrap_or_else(|_| f.to_path_buf())).collect();
    let mut count: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for file in &absolute {
        *count.entry(stem(file)).or_default() += 1;
    }
    let shared: Vec<&Path> = absolute.iter().filter(|f| count[&stem(f)] > 1).map(PathBuf::as_path).collect();
    let common = shared.iter().filter_map(|f| f.parent()).fold(None::<PathBuf>, |common, parent| {
        Some(match common {
            None => parent.to_path_buf(),
            Some(common) => common
                .components()
                .zip(parent.components())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        })
    });
    absolute
        .iter()
        .map(|file| match (&common, count[&stem(file)] > 1) {
            (Some(common), true) => {
                let below = file.strip_prefix(common).unwrap_or(file);
                out.join(below.with_extension(""))
            }
            _ => out.join(stem(file)),
        })
        .collect()
}

fn print_summary(reports: &[Report]) {
    let width = reports.iter().map(|r| r.name.chars().count()).max().unwrap_or(0).max(8);
    println!("{:<width$} {:>7} {:>12} {:>9}  verdict", "scenario", "checks", "virtual", "wall");
    for report in reports {
        let verdict = match (&report.skipped, report.passed()) {
            (Some(why), _) => format!("SKIPPED ({why})"),
            (None, false) if report.error.is_some() => {
                "NOT RUN (its file or this machine: see below)".to_string()
            }
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
