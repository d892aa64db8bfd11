//! Every kind of bad input file gets one line: `file:line:col: what was expected`.

use std::path::PathBuf;
use ups_models::datasheet::DatasheetTable;
use ups_models::{load_block, load_model};

fn bad(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bad").join(name).display().to_string()
}

/// Asserts the error is one line, starts with `path:line:col: ` and contains `expected`.
fn assert_error(error: impl std::fmt::Display, file: &str, line: usize, column: usize, expected: &str) {
    let text = error.to_string();
    let prefix = format!("{}:{line}:{column}: ", bad(file));
    assert!(!text.contains('\n'), "one line: {text}");
    assert!(text.starts_with(&prefix), "`{text}` should start with `{prefix}`");
    assert!(text.contains(expected), "`{text}` should say `{expected}`");
}

#[test]
fn model_syntax_error() {
    assert_error(
        load_model(&bad("syntax-missing-comma.ron")).unwrap_err(),
        "syntax-missing-comma.ron",
        10,
        9,
        "in `identity.model_code`: Expected comma",
    );
}

#[test]
fn model_unknown_field() {
    assert_error(load_model(&bad("unknown-field.ron")).unwrap_err(), "unknown-field.ron", 27, 9, "`stringz`");
}

#[test]
fn model_missing_field() {
    assert_error(
        load_model(&bad("missing-field.ron")).unwrap_err(),
        "missing-field.ron",
        66,
        1,
        "`eco_efficiency_pct`",
    );
}

#[test]
fn model_wrong_type() {
    assert_error(
        load_model(&bad("wrong-type.ron")).unwrap_err(),
        "wrong-type.ron",
        68,
        19,
        "in `serial.baud`: Expected integer",
    );
}

#[test]
fn model_nine_modules() {
    assert_error(
        load_model(&bad("nine-modules.ron")).unwrap_err(),
        "nine-modules.ron",
        23,
        23,
        "topology.modules: must be within 1..=8, found 9",
    );
}

#[test]
fn model_unknown_map() {
    assert_error(
        load_model(&bad("unknown-map.ron")).unwrap_err(),
        "unknown-map.ron",
        69,
        5,
        "register_map: unknown map `megatec`; known maps: jbusp, vumap",
    );
}

#[test]
fn model_absurd_baud() {
    assert_error(
        load_model(&bad("absurd-baud.ron")).unwrap_err(),
        "absurd-baud.ron",
        68,
        14,
        "serial.baud: must be one of",
    );
}

#[test]
fn model_boost_below_float() {
    assert_error(
        load_model(&bad("boost-below-float.ron")).unwrap_err(),
        "boost-below-float.ron",
        30,
        13,
        "battery.charger.boost_v_per_cell: must be within 2.27..=3.65",
    );
}

/// An end of discharge above the float voltage would end the backup the moment the mains
/// fail (the model validated, and the UPS dropped its load at once).
#[test]
fn model_end_of_discharge_above_float() {
    assert_error(
        load_model(&bad("end-of-discharge-above-float.ron")).unwrap_err(),
        "end-of-discharge-above-float.ron",
        27,
        9,
        "battery.end_of_discharge_v_per_cell: 2.5 V/cell is above 2.043 V/cell, 90 % of the float voltage",
    );
}

/// VU-MAP has no families: the message says so rather than "it has []".
#[test]
fn model_family_on_a_map_without_families() {
    assert_error(
        load_model(&bad("family-on-a-map-without-families.ron")).unwrap_err(),
        "family-on-a-map-without-families.ron",
        9,
        9,
        "identity.map_family: map `vumap` has no families",
    );
}

#[test]
fn model_efficiency_not_increasing() {
    assert_error(
        load_model(&bad("efficiency-not-increasing.ron")).unwrap_err(),
        "efficiency-not-increasing.ron",
        38,
        5,
        "efficiency[2]: must increase",
    );
}

#[test]
fn model_serial_too_long_for_its_map() {
    assert_error(
        load_model(&bad("serial-too-long-for-jbusp.ron")).unwrap_err(),
        "serial-too-long-for-jbusp.ron",
        10,
        9,
        "identity.serial_number: must be 1..=10 characters",
    );
}

#[test]
fn model_missing_block_file() {
    assert_error(
        load_model(&bad("missing-block.ron")).unwrap_err(),
        "missing-block.ron",
        25,
        9,
        "battery.block: ",
    );
}

#[test]
fn block_negative_capacity() {
    assert_error(
        load_block(&bad("block-negative-capacity.ron")).unwrap_err(),
        "block-negative-capacity.ron",
        6,
        5,
        "nominal_capacity_ah: must be within 0.5..=10000 Ah, found -9",
    );
}

#[test]
fn unknown_bundled_name_lists_the_known_ones() {
    let text = load_model("masterys-gp-6O").unwrap_err().to_string();
    assert!(text.contains("unknown model `masterys-gp-6O`") && text.contains("masterys-gp-60"), "{text}");
}

#[test]
fn table_errors() {
    let cases = [
        ("table-non-numeric.csv", 2, 12, "expected a number, found `abc`"),
        ("table-missing-column.csv", 2, 1, "expected 3 fields like the header, found 2"),
        ("table-negative.csv", 2, 12, "expected a positive value"),
        ("table-bad-duration.csv", 1, 22, "expected a duration such as `10min`"),
        ("table-bad-first-column.csv", 1, 1, "expected the first column to be `end_v_per_cell`"),
        ("table-no-points.csv", 2, 1, "the table holds no data points"),
        ("table-absurd-voltage.csv", 2, 1, "end voltage per cell must be within 0.5..=5.0 V"),
    ];
    for (file, line, column, expected) in cases {
        let error = DatasheetTable::load(std::path::Path::new(&bad(file))).unwrap_err();
        assert_error(error, file, line, column, expected);
    }
}

#[test]
fn model_end_of_discharge_rising_with_the_rate() {
    assert_error(
        load_model(&bad("end-of-discharge-rising.ron")).unwrap_err(),
        "end-of-discharge-rising.ron",
        28,
        9,
        "battery.end_of_discharge_by_rate[1]: the end voltage must not rise with the rate",
    );
}
