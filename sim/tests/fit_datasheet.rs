//! The fitter against the shared 38 Ah data sheet: fit from three constant-power points
//! (10, 60 and 600 min at 1.75 V/cell), then predict every point of both published tables.

use sim::battery::fit::{self, FitInput, Residual, TableKind};
use std::path::PathBuf;
use ups_models::datasheet::DatasheetTable;

fn table(name: &str) -> DatasheetTable {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ups-models/datasheets").join(name);
    DatasheetTable::load(&path).expect("bundled data sheet loads")
}

#[test]
fn three_points_predict_both_tables() {
    let power = table("vrla-12v-38ah-constant-power-25c.csv");
    let current = table("vrla-12v-38ah-constant-current-25c.csv");
    let three: Vec<_> = power
        .points
        .iter()
        .filter(|p| p.end_v_per_cell == 1.75 && [10.0, 60.0, 600.0].contains(&p.minutes))
        .copied()
        .collect();
    assert_eq!(three.len(), 3);
    let input = FitInput {
        kind: TableKind::PowerPerCell,
        cells: 6,
        capacity_ah: Some(38.0),
        block_resistance_ohm: Some(0.0049),
        source: "three points".into(),
    };
    let block = fit::fit(&three, &input).expect("fit converges");

    let mut all: Vec<Residual> = fit::residuals(&block, TableKind::PowerPerCell, &power.points);
    all.extend(fit::residuals(&block, TableKind::Current, &current.points));
    println!("table    end V/cell  published min  predicted min  error %");
    for r in &all {
        println!(
            "{:<8} {:>10.2} {:>14.1} {:>14.1} {:>+8.1}",
            match r.kind {
                TableKind::PowerPerCell => "W/cell",
                TableKind::Current => "A",
            },
            r.point.end_v_per_cell,
            r.point.minutes,
            r.predicted_minutes.unwrap_or(f64::NAN),
            r.error_pct()
        );
    }
    let mut errors: Vec<f64> = all.iter().map(|r| r.error_pct().abs()).collect();
    errors.sort_by(f64::total_cmp);
    let max = errors[errors.len() - 1];
    let median = errors[errors.len() / 2];
    println!("{} points: max |error| {max:.1} %, median {median:.1} %", errors.len());
    assert_eq!(all.len(), 156, "both tables are complete: 2 × 6 × 13 points");
    assert!(max <= 10.0, "max error {max:.1} % > 10 %");
    assert!(median <= 5.0, "median error {median:.1} % > 5 %");
}

#[test]
fn full_table_fit_is_tighter_than_three_point_fit() {
    let power = table("vrla-12v-38ah-constant-power-25c.csv");
    let input = FitInput {
        kind: TableKind::PowerPerCell,
        cells: 6,
        capacity_ah: Some(38.0),
        block_resistance_ohm: Some(0.0049),
        source: "all points".into(),
    };
    let block = fit::fit(&power.points, &input).expect("fit converges");
    let residuals = fit::residuals(&block, TableKind::PowerPerCell, &power.points);
    let mut errors: Vec<f64> = residuals.iter().map(|r| r.error_pct().abs()).collect();
    errors.sort_by(f64::total_cmp);
    let median = errors[errors.len() / 2];
    assert!(median <= 3.0, "median error {median:.1} %");
}
