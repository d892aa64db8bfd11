//! `upstwin scenario from-logs`: a card's exported logs become a scenario.

use super::{CommandResult, Failure};
use crate::cli::ScenarioAction;
use scenarios::from_logs::{self, Names};
use std::path::Path;
use ups_models::load_model;

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure::bad_input(format!("{}: {e}", path.display())))
}

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text).map_err(|e| Failure::failed(format!("{}: {e}", path.display())))
}

pub fn run(action: ScenarioAction) -> CommandResult {
    let ScenarioAction::FromLogs { history, events, output, model } = action;
    let loaded = load_model(&model).map_err(Failure::bad_input)?;
    let parsed_history =
        from_logs::parse_history(&read(&history)?).map_err(|e| Failure::bad_input(e.in_file(&history)))?;
    let parsed_events =
        from_logs::parse_events(&read(&events)?).map_err(|e| Failure::bad_input(e.in_file(&events)))?;
    let stem =
        output.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "replay".into());
    let mains_file = format!("{stem}.mains.csv");
    let load_file = format!("{stem}.load.csv");
    let ratings = &loaded.model.ratings;
    let converted = from_logs::convert(
        &parsed_history,
        &parsed_events,
        ratings.active_power_kw,
        ratings.output_phases,
        &Names {
            scenario: &format!("replay of {}", history.display()),
            model: &model,
            mains_file: &mains_file,
            load_file: &load_file,
        },
    );
    if converted.checked == 0 {
        return Err(Failure::bad_input(format!(
            "{}: no event can be checked against the twin (known: {})",
            events.display(),
            from_logs::EVENT_CONDITIONS.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
        )));
    }
    let dir = output.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    write(&dir.join(&mains_file), &converted.mains_csv)?;
    write(&dir.join(&load_file), &converted.load_csv)?;
    write(&output, &converted.scenario)?;
    println!(
        "wrote {} ({} samples, {} events checked, {} not checked) with {mains_file} and {load_file}",
        output.display(),
        parsed_history.rows.len(),
        converted.checked,
        converted.unchecked.len()
    );
    Ok(())
}
