//! Load profiles: recorded or planned load, CSV `time_s,l1_kw,l2_kw,l3_kw` (l2/l3 may be
//! left out for a single-phase output). Step-wise: each row holds until the next.

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

impl LoadProfile {
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        load_text(path, Self::parse)
    }

    pub fn parse(text: &str) -> Result<Self, Located> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| Located::at(1, 1, e.to_string()))?.clone();
        let expected = ["time_s", "l1_kw", "l2_kw", "l3_kw"];
        if headers.len() < 2 || headers.len() > 4 || headers.iter().zip(expected).any(|(h, e)| h != e) {
            return Err(Located::at(1, 1, "expected the header `time_s,l1_kw[,l2_kw,l3_kw]`".into()));
        }
        let mut points: Vec<ProfileRow> = Vec::new();
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
            let mut values = [0.0; 4];
            for (field, value) in values.iter_mut().enumerate().take(record.len()) {
                let text = &record[field];
                let column = record.iter().take(field).map(|f| f.len() + 1).sum::<usize>() + 1;
                *value =
                    text.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0 && *v <= 1e6).ok_or_else(
                        || {
                            Located::at(
                                line,
                                column,
                                format!("expected a number within 0..=1000000, found `{text}`"),
                            )
                        },
                    )?;
            }
            if points.last().is_some_and(|p| values[0] <= p.time_s) {
                return Err(Located::at(
                    line,
                    1,
                    format!(
                        "times must increase, found {} after {}",
                        values[0],
                        points.last().map_or(0.0, |p| p.time_s)
                    ),
                ));
            }
            points.push(ProfileRow { time_s: values[0], power_kw: [values[1], values[2], values[3]] });
        }
        if points.is_empty() {
            return Err(Located::at(1, 1, "the profile has no rows".into()));
        }
        Ok(Self { points })
    }
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
    }
}
