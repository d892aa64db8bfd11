//! Battery data-sheet discharge tables: rows are end voltages per cell, columns durations,
//! cells the constant power per cell (W) or constant current (A) the block sustains for that
//! long. Empty cells are allowed, so a table may hold only a few points.

use crate::error::{LoadError, Located, load_text};
use std::path::Path;

/// One published point: the block sustains `value` for `minutes` down to `end_v_per_cell`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TablePoint {
    pub end_v_per_cell: f64,
    pub minutes: f64,
    /// W per cell or A, as the table's kind says.
    pub value: f64,
}

/// A parsed table: its points in row order.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasheetTable {
    pub points: Vec<TablePoint>,
}

impl DatasheetTable {
    /// Reads and validates a table file.
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        load_text(path, Self::parse)
    }

    /// Parses table text; errors carry line and column.
    pub fn parse(text: &str) -> Result<Self, Located> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header_line = header_line_number(text);
        let headers = reader
            .headers()
            .map_err(|e| Located::at(csv_line(&e).unwrap_or(header_line), 1, e.to_string()))?
            .clone();
        if headers.get(0) != Some("end_v_per_cell") {
            return Err(Located::at(
                header_line,
                1,
                format!(
                    "expected the first column to be `end_v_per_cell`, found `{}`",
                    headers.get(0).unwrap_or("")
                ),
            ));
        }
        if headers.len() < 2 {
            return Err(Located::at(
                header_line,
                1,
                "expected at least one duration column (e.g. `10min`)".into(),
            ));
        }
        let mut durations_min = Vec::with_capacity(headers.len() - 1);
        for (index, name) in headers.iter().enumerate().skip(1) {
            let column = column_in(text, header_line, index);
            let minutes = parse_duration_min(name).ok_or_else(|| {
                Located::at(
                    header_line,
                    column,
                    format!("expected a duration such as `10min` or `2h` (at most 1000 h), found `{name}`"),
                )
            })?;
            if let Some(&last) = durations_min.last()
                && minutes <= last
            {
                return Err(Located::at(
                    header_line,
                    column,
                    format!("durations must increase left to right; `{name}` is not after {last} min"),
                ));
            }
            durations_min.push(minutes);
        }
        let mut points = Vec::new();
        let mut end_voltages: Vec<f64> = Vec::new();
        for record in reader.records() {
            let record =
                record.map_err(|e| Located::at(csv_line(&e).unwrap_or(header_line), 1, e.to_string()))?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            if record.len() != headers.len() {
                return Err(Located::at(
                    line,
                    1,
                    format!("expected {} fields like the header, found {}", headers.len(), record.len()),
                ));
            }
            let end_v_per_cell = parse_number(text, &record, 0, line)?;
            if !(0.5..=5.0).contains(&end_v_per_cell) {
                return Err(Located::at(
                    line,
                    1,
                    format!("end voltage per cell must be within 0.5..=5.0 V, found {end_v_per_cell}"),
                ));
            }
            if end_voltages.contains(&end_v_per_cell) {
                return Err(Located::at(
                    line,
                    1,
                    format!("end voltage {end_v_per_cell} V/cell appears twice"),
                ));
            }
            end_voltages.push(end_v_per_cell);
            for (index, &minutes) in durations_min.iter().enumerate() {
                let field = index + 1;
                if record[field].is_empty() {
                    continue;
                }
                let value = parse_number(text, &record, field, line)?;
                if !(value > 0.0 && value < 100_000.0) {
                    return Err(Located::at(
                        line,
                        column_in(text, line, field),
                        format!("expected a positive value below 100000 (W/cell or A), found {value}"),
                    ));
                }
                points.push(TablePoint { end_v_per_cell, minutes, value });
            }
        }
        if points.is_empty() {
            return Err(Located::at(header_line, 1, "the table holds no data points".into()));
        }
        Ok(Self { points })
    }
}

fn csv_line(error: &csv::Error) -> Option<usize> {
    error.position().map(|p| p.line() as usize)
}

/// Line of the header: the first line that is neither a comment nor blank.
fn header_line_number(text: &str) -> usize {
    text.lines().position(|l| !l.trim().is_empty() && !l.starts_with('#')).map_or(1, |i| i + 1)
}

/// 1-based column where field `field` starts on line `line` of the raw text (the CSV
/// reader trims fields, so the column is counted on the line as written).
fn column_in(text: &str, line: usize, field: usize) -> usize {
    let raw = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let start: usize = raw.split(',').take(field).map(|f| f.len() + 1).sum();
    let leading_spaces = raw.get(start..).map_or(0, |rest| rest.len() - rest.trim_start().len());
    start + leading_spaces + 1
}

fn parse_number(text: &str, record: &csv::StringRecord, field: usize, line: usize) -> Result<f64, Located> {
    let value = &record[field];
    value.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
        Located::at(line, column_in(text, line, field), format!("expected a number, found `{value}`"))
    })
}

/// Longest duration a table may hold: beyond 1000 h no UPS battery table goes.
const MAX_DURATION_MIN: f64 = 1000.0 * 60.0;

/// `10min`, `2h`, `90` (minutes), within (0, 1000 h].
fn parse_duration_min(text: &str) -> Option<f64> {
    let (number, scale) = if let Some(n) = text.strip_suffix("min") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('h') {
        (n, 60.0)
    } else {
        (text, 1.0)
    };
    let minutes = number.trim().parse::<f64>().ok()? * scale;
    (minutes > 0.0 && minutes <= MAX_DURATION_MIN).then_some(minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sparse_table() {
        let table =
            DatasheetTable::parse("# comment\nend_v_per_cell,10min,1h\n1.75,169.8,\n1.80,,50.5\n").unwrap();
        assert_eq!(
            table.points,
            vec![
                TablePoint { end_v_per_cell: 1.75, minutes: 10.0, value: 169.8 },
                TablePoint { end_v_per_cell: 1.80, minutes: 60.0, value: 50.5 },
            ]
        );
    }

    #[test]
    fn locates_a_bad_cell() {
        let error = DatasheetTable::parse("end_v_per_cell,10min,60min\n1.75,169.8,abc\n").unwrap_err();
        assert_eq!((error.line, error.column), (2, 12));
        assert!(error.message.contains("`abc`"), "{}", error.message);
        let spaced = DatasheetTable::parse("end_v_per_cell, 10min, 60min\n1.75, 169.8, abc\n").unwrap_err();
        assert_eq!((spaced.line, spaced.column), (2, 14));
    }

    #[test]
    fn refuses_durations_beyond_1000_hours() {
        let error = DatasheetTable::parse("end_v_per_cell,10min,1e307h\n1.75,169.8,1\n").unwrap_err();
        assert_eq!((error.line, error.column), (1, 22));
    }
}
