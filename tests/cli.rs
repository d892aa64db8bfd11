//! The `upstwin` binary end to end: listing, validation, bad files, and the data-sheet
//! fit → discharge round trip a user runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn upstwin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_upstwin")).args(args).output().expect("upstwin runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn help_lists_the_subcommands() {
    let output = upstwin(&["--help"]);
    assert!(output.status.success());
    let text = stdout(&output);
    for command in ["models", "battery"] {
        assert!(text.contains(command), "--help misses `{command}`:\n{text}");
    }
}

#[test]
fn models_lists_the_five_bundled_models() {
    let output = upstwin(&["models"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let names: Vec<String> =
        stdout(&output).lines().map(|l| l.split('\t').next().unwrap().to_string()).collect();
    assert_eq!(names, ["netys-pr-3k", "itys-2k", "masterys-gp-60", "delphys-mx-300", "modulys-gp2-100"]);
}

#[test]
fn a_shown_model_validates_as_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let shown = upstwin(&["models", "show", "modulys-gp2-100"]);
    let path = dir.path().join("mine.ron");
    std::fs::write(&path, &shown.stdout).unwrap();
    let output = upstwin(&["models", "validate", path.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("ok: "));
}

#[test]
fn every_bad_file_gives_one_line_and_exit_code_2() {
    let bad = repo("ups-models/tests/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&bad).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 8);
    for file in files {
        let path = file.to_str().unwrap();
        let output = if path.ends_with(".csv") {
            upstwin(&["battery", "fit", "--table", path])
        } else if path.contains("block-") {
            upstwin(&["battery", "discharge", "--block", path, "--current-a", "3", "--end-v-per-cell", "1.8"])
        } else {
            upstwin(&["models", "validate", path])
        };
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{path}: {message}");
        assert_eq!(message.lines().count(), 1, "{path}: one line expected:\n{message}");
        assert!(message.starts_with(&format!("upstwin: {path}:")), "{message}");
        assert!(!message.contains("panicked"), "{message}");
    }
}

#[test]
fn bad_arguments_are_refused() {
    let output = upstwin(&[
        "battery",
        "discharge",
        "--block",
        "vrla-12v-38ah",
        "--current-a=-3",
        "--end-v-per-cell",
        "1.8",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--current-a must be a positive number"));
    let output = upstwin(&[
        "battery",
        "discharge",
        "--block",
        "no-such-block",
        "--current-a",
        "3",
        "--end-v-per-cell",
        "1.8",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown block `no-such-block`"));
    let output = upstwin(&["battery", "typical", "--capacity-ah", "38", "--cells", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--cells must be within 1..=24, found 0"));
    let output = upstwin(&["battery", "typical", "--capacity-ah", "1e9"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--capacity-ah must be within 0.5..=10000"));
}

/// Reads a shared-format table into (end V/cell, minutes, value) rows, through the library
/// so the test does not parse CSV a second way.
fn points(path: &Path) -> Vec<(f64, f64, f64)> {
    ups_models::datasheet::DatasheetTable::load(path)
        .unwrap()
        .points
        .iter()
        .map(|p| (p.end_v_per_cell, p.minutes, p.value))
        .collect()
}

#[test]
fn fit_from_three_points_then_discharge_reproduces_both_tables() {
    let dir = tempfile::tempdir().unwrap();
    let three = dir.path().join("three.csv");
    std::fs::write(&three, "end_v_per_cell,10min,60min,600min\n1.75,169.8,51.5,8.20\n").unwrap();
    let fitted = upstwin(&[
        "battery",
        "fit",
        "--table",
        three.to_str().unwrap(),
        "--capacity-ah",
        "38",
        "--resistance-mohm",
        "4.9",
    ]);
    assert!(fitted.status.success(), "{}", stderr(&fitted));
    let block = dir.path().join("block.ron");
    std::fs::write(&block, &fitted.stdout).unwrap();

    let mut errors = Vec::new();
    for (file, flag) in [
        ("vrla-12v-38ah-constant-power-25c.csv", "--power-per-cell-w"),
        ("vrla-12v-38ah-constant-current-25c.csv", "--current-a"),
    ] {
        for (end_v, minutes, value) in points(&repo("ups-models/datasheets").join(file)) {
            let output = upstwin(&[
                "battery",
                "discharge",
                "--block",
                block.to_str().unwrap(),
                flag,
                &value.to_string(),
                "--end-v-per-cell",
                &end_v.to_string(),
            ]);
            assert!(output.status.success(), "{}", stderr(&output));
            let printed = stdout(&output);
            let predicted: f64 = printed.split_whitespace().next().unwrap().parse().unwrap();
            let error_pct = (predicted / minutes - 1.0) * 100.0;
            println!(
                "{flag:<20} {end_v:.2} V/cell {value:>7} → {minutes:>6} min published, {predicted:>7.1} predicted ({error_pct:+.1} %)"
            );
            errors.push(error_pct.abs());
        }
    }
    errors.sort_by(f64::total_cmp);
    let max = errors[errors.len() - 1];
    let median = errors[errors.len() / 2];
    println!("{} points: max {max:.1} %, median {median:.1} %", errors.len());
    assert_eq!(errors.len(), 156);
    assert!(max <= 10.0 && median <= 5.0, "max {max:.1} %, median {median:.1} %");
}
