//! `upstwin battery`: fit a block to a data sheet, print a typical block, discharge a block.

use super::{CommandResult, Failure};
use crate::cli::{BatteryAction, BlockArgs, DischargeArgs, FitArgs, TableKindArg, TypicalArgs};
use sim::battery::fit::{self, FitInput, TableKind};
use sim::battery::{Load, minutes_to_end_voltage, priors};
use ups_models::battery::BlockParams;
use ups_models::datasheet::DatasheetTable;
use ups_models::{load_block, ron_text, validate};

/// Discharges longer than this are reported as not reaching the end voltage.
const MAX_DISCHARGE_MIN: f64 = 100.0 * 60.0;

pub fn run(action: BatteryAction) -> CommandResult {
    match action {
        BatteryAction::Fit(args) => fit_block(&args),
        BatteryAction::Typical(args) => typical(&args),
        BatteryAction::Discharge(args) => discharge(&args),
    }
}

/// Checks an optional numeric argument against its allowed range (bad input, exit 2).
fn within(name: &str, value: Option<f64>, min: f64, max: f64) -> Result<(), Failure> {
    match value {
        Some(v) if !(v.is_finite() && v > 0.0) => {
            Err(Failure::bad_input(format!("--{name} must be a positive number, found {v}")))
        }
        Some(v) if !(min..=max).contains(&v) => {
            Err(Failure::bad_input(format!("--{name} must be within {min}..={max}, found {v}")))
        }
        _ => Ok(()),
    }
}

/// Checks what `fit` and `typical` share before any work is done.
fn check_block_args(capacity_ah: Option<f64>, block: &BlockArgs) -> Result<(), Failure> {
    within("capacity-ah", capacity_ah, 0.5, 10_000.0)?;
    within("resistance-mohm", block.resistance_mohm, 0.01, 1000.0)?;
    if !(1..=24).contains(&block.cells) {
        return Err(Failure::bad_input(format!("--cells must be within 1..=24, found {}", block.cells)));
    }
    Ok(())
}

fn fit_block(args: &FitArgs) -> CommandResult {
    check_block_args(args.capacity_ah, &args.block)?;
    if !(args.temperature_c.is_finite() && (-20.0..=60.0).contains(&args.temperature_c)) {
        return Err(Failure::bad_input(format!(
            "--temperature-c must be within -20..=60, found {}",
            args.temperature_c
        )));
    }
    let table = DatasheetTable::load(&args.table).map_err(Failure::bad_input)?;
    let kind = match args.kind {
        TableKindArg::Power => TableKind::PowerPerCell,
        TableKindArg::Current => TableKind::Current,
    };
    let input = FitInput {
        kind,
        cells: args.block.cells,
        capacity_ah: args.capacity_ah,
        block_resistance_ohm: args.block.resistance_mohm.map(|r| r / 1000.0),
        source: format!("upstwin battery fit --table {}", args.table.display()),
        temperature_c: args.temperature_c,
        shape: priors::VRLA,
    };
    let mut block = fit::fit(&table.points, &input).map_err(Failure::failed)?;
    if let Some(name) = &args.block.name {
        block.name = name.clone();
    }
    validate::block(&block).map_err(|e| {
        Failure::failed(format!("the fit gave an implausible block: {}: {}", e.field, e.message))
    })?;
    let residuals = fit::residuals(&block, kind, &table.points, args.temperature_c);
    let mut errors: Vec<f64> = residuals.iter().map(|r| r.error_pct().abs()).collect();
    errors.sort_by(f64::total_cmp);
    eprintln!(
        "fitted {} points: max error {:.1} %, median {:.1} %",
        errors.len(),
        errors.last().copied().unwrap_or(0.0),
        errors[errors.len() / 2]
    );
    print!("{}", block_file(&block, &residual_comment(&residuals)));
    Ok(())
}

fn typical(args: &TypicalArgs) -> CommandResult {
    check_block_args(Some(args.capacity_ah), &args.block)?;
    let resistance_ohm = args
        .block
        .resistance_mohm
        .map_or(priors::vrla_block_resistance_ohm(args.capacity_ah), |r| r / 1000.0);
    let mut block = priors::vrla(args.block.cells, args.capacity_ah, resistance_ohm);
    if let Some(name) = &args.block.name {
        block.name = name.clone();
    }
    validate::block(&block).map_err(|e| Failure::bad_input(format!("{}: {}", e.field, e.message)))?;
    print!("{}", block_file(&block, ""));
    Ok(())
}

fn discharge(args: &DischargeArgs) -> CommandResult {
    within("power-per-cell-w", args.power_per_cell_w, 1e-3, 100_000.0)?;
    within("current-a", args.current_a, 1e-3, 100_000.0)?;
    if !(0.5..=5.0).contains(&args.end_v_per_cell) {
        return Err(Failure::bad_input(format!(
            "--end-v-per-cell must be within 0.5..=5.0 V, found {}",
            args.end_v_per_cell
        )));
    }
    if !(-40.0..=80.0).contains(&args.temperature_c) {
        return Err(Failure::bad_input(format!(
            "--temperature-c must be within -40..=80 °C, found {}",
            args.temperature_c
        )));
    }
    let block = load_block(&args.block).map_err(Failure::bad_input)?;
    let load = match (args.power_per_cell_w, args.current_a) {
        (Some(w), _) => Load::PowerPerCellW(w),
        (None, Some(a)) => Load::CurrentA(a),
        (None, None) => unreachable!("clap requires one of the two"),
    };
    match minutes_to_end_voltage(&block, load, args.end_v_per_cell, args.temperature_c, MAX_DISCHARGE_MIN) {
        None => Err(Failure::failed(format!(
            "{}: the block is below {} V/cell as soon as the load is applied",
            block.name, args.end_v_per_cell
        ))),
        Some(minutes) if minutes >= MAX_DISCHARGE_MIN => {
            println!("{minutes:.1} min (end voltage not reached)");
            Ok(())
        }
        Some(minutes) => {
            println!("{minutes:.1} min");
            Ok(())
        }
    }
}

/// The block as a RON file, headed by a comment (RON keeps `//` comments out of the data).
fn block_file(block: &BlockParams, comment: &str) -> String {
    format!("// Battery block for upstwin ({}).\n{comment}{}\n", block.source, ron_text::to_pretty(block))
}

/// The fit's error table as comment lines: end voltage, minutes published and predicted.
fn residual_comment(residuals: &[fit::Residual]) -> String {
    let mut text = String::from("// Fit check: end V/cell, published min, predicted min, error %\n");
    for r in residuals {
        let predicted = r.predicted_minutes.map_or("-".to_string(), |m| format!("{m:.1}"));
        text.push_str(&format!(
            "//   {:.2} V  {:>7.1}  {:>7}  {:+6.1} %\n",
            r.point.end_v_per_cell,
            r.point.minutes,
            predicted,
            r.error_pct()
        ));
    }
    text
}
