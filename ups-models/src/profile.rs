//! Profiles: recorded or planned load and mains, as CSV with a header line. Step-wise: each
//! row holds until the next.
//!
//! - load: `time_s,l1_kw[,l2_kw,l3_kw]`
//! - mains: `time_s,l1_v,l2_v,l3_v,frequency_hz`

use crate::error::{LoadError, Located, load_text};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProfileRow {
    pub time_s: f64,
    pub power_kw: [f64; 3],
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoadProfile {
    pub points: Vec<ProfileRow>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MainsRow {
    pub time_s: f64,
    pub voltage_v: [f64; 3],
    pub frequency_hz: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MainsProfile {
    pub points: Vec<MainsRow>,
}

impl LoadProfile {
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        load_text(path, Self::parse)
    }

    pub fn parse(text: &str) -> Result<Self, Located> {
        let rows = numeric_rows(text, &["time_s", "l1_kw", "l2_kw", "l3_kw"], 2, 1e6)?;
        let points = rows.iter().map(|r| ProfileRow { time_s: r[0], power_kw: [r[1], r[2], r[3]] }).collect();
        Ok(Self { points })
    }
}

impl MainsProfile {
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        load_text(path, Self::parse)
    }

    pub fn parse(text: &str) -> Result<Self, Located> {
        let rows = numeric_rows(text, &["time_s", "l1_v", "l2_v", "l3_v", "frequency_hz"], 5, 1e6)?;
        let points = rows
            .iter()
            .map(|r| MainsRow { time_s: r[0], voltage_v: [r[1], r[2], r[3]], frequency_hz: r[4] })
            .collect();
        Ok(Self { points })
    }
}

/// Rows of numbers under a header that must start with `columns[..required]` (and may carry
/// the rest); missing trailing columns read 0. Times (first column) must increase.
fn numeric_rows(text: &str, columns: &[&str], required: usize, max: f64) -> Result<Vec<[f64; 5]>, Located> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| Located::at(1, 1, e.to_string()))?.clone();
    if headers.len() < required
        || headers.len() > columns.len()
        || headers.iter().zip(columns).any(|(h, c)| h != *c)
    {
        let optional = if required < columns.len() {
            format!("[,{}]", columns[required..].join(","))
        } else {
            String::new()
        };
        return Err(Located::at(
            1,
            1,
            format!("expected the header `{}{optional}`", columns[..required].join(",")),
        ));
    }
    let mut rows: Vec<[f64; 5]> = Vec::new();
    for record in reader.records() {
        let record = record
            .map_err(|e| Located::at(e.position().map_or(1, |p| p.line() as usize), 1, e.to_string()))?;
        let line = record.position().map_or(1, |p| p.line() as usize);
        if record.len() != headers.len() {
            return Err(Located::at(
                line,
                1,
                format!("expected {} fields like the header, found {}", headers.len(), record.len()),
            ));
        }
        let mut values = [0.0; 5];
        for (field, value) in values.iter_mut().enumerate().take(record.len()) {
            let text = &record[field];
            let column = record.iter().take(field).map(|f| f.len() + 1).sum::<usize>() + 1;
            *value = text
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0 && *v <= max)
                .ok_or_else(|| {
                    Located::at(line, column, format!("expected a number within 0..={max}, found `{text}`"))
                })?;
        }
        if let Some(last) = rows.last()
            && values[0] <= last[0]
        {
            return Err(Located::at(
                line,
                1,
                format!("times must increase, found {} after {}", values[0], last[0]),
            ));
        }
        rows.push(values);
    }
    if rows.is_empty() {
        return Err(Located::at(1, 1, "the profile has no rows".into()));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_locates_errors() {
        let profile = LoadProfile::parse("time_s,l1_kw,l2_kw,l3_kw\n0,10,10,10\n60,20,20,20\n").unwrap();
        assert_eq!(profile.points[1].power_kw, [20.0; 3]);
        let error = LoadProfile::parse("time_s,l1_kw\n0,10\n60,x\n").unwrap_err();
        assert_eq!((error.line, error.column), (3, 4));
        assert!(
            LoadProfile::parse("time_s,l1_kw\n60,1\n30,1\n")
                .unwrap_err()
                .message
                .contains("times must increase")
        );
        let mains =
            MainsProfile::parse("time_s,l1_v,l2_v,l3_v,frequency_hz\n0,230,230,230,50\n10,190,0,230,49.5\n")
                .unwrap();
        assert_eq!(mains.points[1].voltage_v, [190.0, 0.0, 230.0]);
        assert!(MainsProfile::parse("time_s,l1_v\n0,230\n").is_err());
    }
}
