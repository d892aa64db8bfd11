//! A card's exported logs turned into a scenario: the NET VISION history log (§21.1: input
//! and output voltage per phase, input frequency, output load per phase, battery capacity,
//! UPS temperature, one row per sample) becomes a mains profile and a load profile; the UPS
//! events log (§21.3) becomes expectations, each within one sample period of its record.

use std::fmt::Write as _;
use time::PrimitiveDateTime;
use time::macros::format_description;
use ups_models::Located;

/// One history sample, times in seconds from the first sample.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    pub time_s: f64,
    pub input_v: [f64; 3],
    pub output_v: [f64; 3],
    pub input_hz: f64,
    pub load_pct: [f64; 3],
    pub battery_capacity_pct: f64,
    pub ups_temperature_c: Option<f64>,
}

/// One event log entry: when (the card's clock) and what.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub at: PrimitiveDateTime,
    pub level: String,
    pub description: String,
}

/// The history columns, as NET VISION names them; a column is found by its name with any
/// `(unit)` dropped, case and spacing ignored. `S` and `T` columns may be absent (single
/// phase), as may the temperature.
pub const HISTORY_COLUMNS: &[(&str, bool)] = &[
    ("date time", true),
    ("input voltage r", true),
    ("input voltage s", false),
    ("input voltage t", false),
    ("output voltage r", true),
    ("output voltage s", false),
    ("output voltage t", false),
    ("input frequency", true),
    ("output load r", true),
    ("output load s", false),
    ("output load t", false),
    ("battery capacity", true),
    ("ups temperature", false),
];

/// The events log columns.
pub const EVENT_COLUMNS: &[&str] = &["event time", "event level", "event description"];

/// Event descriptions of §21.3 the twin can be checked against, with the condition that
/// holds while the event is present. "… has been removed" checks the condition's end.
pub const EVENT_CONDITIONS: &[(&str, &str)] = &[
    ("Operating on Battery", "ups.on_battery"),
    ("Load on bypass", "ups.mode == OnBypass"),
    ("Load protected by Inverter", "ups.load_on_inverter"),
    ("Normal mode", "ups.mode == OnInverter and ups.on_battery == false"),
    ("UPS in eco mode", "ups.mode == Eco"),
    ("On standby", "ups.standby"),
    ("Load off", "ups.load_off"),
    ("On maintenance bypass", "ups.load_on_maintenance_bypass"),
    ("Battery test in progress", "ups.battery_test_in_progress"),
    ("Battery Test failed", "ups.battery_test_failed"),
    ("Battery discharged", "ups.battery_discharged"),
    ("End of Backup Time / Battery Low", "ups.battery_near_end_of_backup"),
    ("UPS Imminent Stop", "ups.imminent_stop"),
    ("Overload Alarm", "ups.overload"),
    ("General Alarm", "ups.general_alarm"),
    ("Rectifier Input Supply not OK", "ups.rectifier_input_out_of_tolerance or ups.rectifier_input_fault"),
    ("Bypass Input Supply not OK", "ups.bypass_out_of_tolerance or ups.bypass_input_present == false"),
    ("Output Short circuit detection", "ups.output_short_circuit"),
    ("Phase Rotation fault", "ups.phase_rotation_fault"),
    ("Transfer impossible", "ups.transfer_impossible"),
    ("Transfer locked", "ups.transfer_locked"),
    ("FAN Failure", "ups.fan_failure"),
    ("Battery disconnected", "ups.battery_circuit_open"),
    ("Charger Critical Alarm", "ups.charger_fault"),
    ("Rectifier Critical Alarm", "ups.rectifier_fault"),
    ("Inverter Critical Alarm", "ups.inverter_fault"),
    ("Bypass Critical Alarm", "ups.bypass_fault"),
    ("Redundancy lost", "ups.redundancy_lost"),
    ("Insufficient resource", "ups.insufficient_resources"),
];

const REMOVED: &str = "has been removed";

fn timestamp(text: &str) -> Option<PrimitiveDateTime> {
    PrimitiveDateTime::parse(
        text.trim(),
        format_description!("[day]/[month]/[year] [hour]:[minute]:[second]"),
    )
    .ok()
}

/// A header cell as compared: `Input Voltage R (V)` → `input voltage r`.
fn column_key(header: &str) -> String {
    let without_unit = header.split('(').next().unwrap_or(header);
    without_unit.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes())
}

/// Column (1-based, in characters) where field `index` of a record starts.
fn field_column(record: &csv::StringRecord, index: usize) -> usize {
    record.iter().take(index).map(|f| f.chars().count() + 1).sum::<usize>() + 1
}

fn line_of(record: &csv::StringRecord) -> usize {
    record.position().map_or(1, |p| p.line() as usize)
}

/// Where each wanted column is in the header, or which required one is missing.
fn header_positions<'a>(
    headers: &csv::StringRecord,
    wanted: impl Iterator<Item = (&'a str, bool)>,
) -> Result<Vec<Option<usize>>, Located> {
    let keys: Vec<String> = headers.iter().map(column_key).collect();
    wanted
        .map(|(name, required)| {
            let found = keys.iter().position(|k| k == name);
            match (found, required) {
                (None, true) => Err(Located::at(1, 1, format!("expected a column `{name}` in the header"))),
                (found, _) => Ok(found),
            }
        })
        .collect()
}

/// A history log: its first sample's time, and the samples timed from it.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub first: PrimitiveDateTime,
    pub rows: Vec<HistoryRow>,
}

/// Parses an exported history log (CSV, `dd/mm/yyyy hh:mm:ss` times, oldest first or not:
/// rows are sorted).
pub fn parse_history(text: &str) -> Result<History, Located> {
    let mut reader = reader(text);
    let headers = reader.headers().map_err(|e| Located::at(1, 1, e.to_string()))?.clone();
    let positions = header_positions(&headers, HISTORY_COLUMNS.iter().copied())?;
    let mut rows: Vec<(PrimitiveDateTime, HistoryRow)> = Vec::new();
    for record in reader.records() {
        let record = record
            .map_err(|e| Located::at(e.position().map_or(1, |p| p.line() as usize), 1, e.to_string()))?;
        let line = line_of(&record);
        let cell = |column: usize| positions[column].and_then(|i| record.get(i)).filter(|t| !t.is_empty());
        let at_field = |column: usize| positions[column].map_or(1, |i| field_column(&record, i));
        let number = |column: usize, min: f64, max: f64| -> Result<Option<f64>, Located> {
            match cell(column) {
                None => Ok(None),
                Some(text) => {
                    text.parse::<f64>().ok().filter(|v| (min..=max).contains(v)).map(Some).ok_or_else(|| {
                        Located::at(
                            line,
                            at_field(column),
                            format!("expected a number within {min}..={max}, found `{text}`"),
                        )
                    })
                }
            }
        };
        let required = |column: usize, min: f64, max: f64| -> Result<f64, Located> {
            number(column, min, max)?.ok_or_else(|| {
                Located::at(line, at_field(column), format!("`{}` is empty", HISTORY_COLUMNS[column].0))
            })
        };
        let date_text = cell(0).unwrap_or("");
        let at = timestamp(date_text).ok_or_else(|| {
            Located::at(
                line,
                at_field(0),
                format!("expected a time `dd/mm/yyyy hh:mm:ss`, found `{date_text}`"),
            )
        })?;
        let voltage = |first: usize| -> Result<[f64; 3], Located> {
            Ok([
                required(first, 0.0, 1000.0)?,
                number(first + 1, 0.0, 1000.0)?.unwrap_or(0.0),
                number(first + 2, 0.0, 1000.0)?.unwrap_or(0.0),
            ])
        };
        rows.push((
            at,
            HistoryRow {
                time_s: 0.0,
                input_v: voltage(1)?,
                output_v: voltage(4)?,
                input_hz: required(7, 0.0, 100.0)?,
                load_pct: [
                    required(8, 0.0, 1000.0)?,
                    number(9, 0.0, 1000.0)?.unwrap_or(0.0),
                    number(10, 0.0, 1000.0)?.unwrap_or(0.0),
                ],
                battery_capacity_pct: required(11, 0.0, 100.0)?,
                ups_temperature_c: number(12, -40.0, 120.0)?,
            },
        ));
    }
    if rows.is_empty() {
        return Err(Located::at(2, 1, "expected at least one sample after the header".into()));
    }
    rows.sort_by_key(|(at, _)| *at);
    let first = rows[0].0;
    let rows = rows
        .into_iter()
        .map(|(at, row)| HistoryRow { time_s: (at - first).as_seconds_f64(), ..row })
        .collect();
    Ok(History { first, rows })
}

/// Parses an exported UPS events log (CSV: event time, level, description).
pub fn parse_events(text: &str) -> Result<Vec<EventRow>, Located> {
    let mut reader = reader(text);
    let headers = reader.headers().map_err(|e| Located::at(1, 1, e.to_string()))?.clone();
    let positions = header_positions(&headers, EVENT_COLUMNS.iter().map(|c| (*c, true)))?;
    let mut events = Vec::new();
    for record in reader.records() {
        let record = record
            .map_err(|e| Located::at(e.position().map_or(1, |p| p.line() as usize), 1, e.to_string()))?;
        let field = |column: usize| positions[column].and_then(|i| record.get(i)).unwrap_or("");
        let at = timestamp(field(0)).ok_or_else(|| {
            let column = positions[0].map_or(1, |i| field_column(&record, i));
            Located::at(
                line_of(&record),
                column,
                format!("expected a time `dd/mm/yyyy hh:mm:ss`, found `{}`", field(0)),
            )
        })?;
        events.push(EventRow { at, level: field(1).to_string(), description: field(2).to_string() });
    }
    events.sort_by_key(|e| e.at);
    Ok(events)
}

/// What a conversion gives: the scenario text, its two profiles, and what it left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    pub scenario: String,
    pub mains_csv: String,
    pub load_csv: String,
    /// Events turned into expectations.
    pub checked: usize,
    /// Events with no counterpart in the twin, listed in the scenario as comments.
    pub unchecked: Vec<String>,
}

/// Names of the files the scenario refers to, relative to it.
#[derive(Debug)]
pub struct Names<'a> {
    pub scenario: &'a str,
    pub model: &'a str,
    pub mains_file: &'a str,
    pub load_file: &'a str,
}

fn minutes_seconds(time_s: f64) -> String {
    format!("{}s", time_s.round() as i64)
}

/// The scenario: mains and load follow the history from 0 s; each event becomes an
/// expectation that its condition starts (or ends, when removed) within one sample period
/// either side of the record — the resolution of the history itself.
pub fn convert(
    history: &History,
    events: &[EventRow],
    rating_kw: f64,
    phases: u8,
    names: &Names,
) -> Converted {
    let first_sample = history.first;
    let history = &history.rows;
    let phases = usize::from(phases.clamp(1, 3));
    let period_s = history.windows(2).map(|w| w[1].time_s - w[0].time_s).fold(f64::INFINITY, f64::min);
    let tolerance_s = if period_s.is_finite() { period_s.max(30.0) } else { 60.0 };
    let duration_s = history.last().map_or(0.0, |r| r.time_s) + tolerance_s;

    let mut mains_csv = String::from("time_s,l1_v,l2_v,l3_v,frequency_hz\n");
    let mut load_csv = String::from("time_s,l1_kw,l2_kw,l3_kw\n");
    let phase_kw = rating_kw / phases as f64;
    for row in history {
        let v = row.input_v;
        let _ = writeln!(mains_csv, "{},{:.1},{:.1},{:.1},{:.2}", row.time_s, v[0], v[1], v[2], row.input_hz);
        let kw = row.load_pct.map(|pct| pct / 100.0 * phase_kw);
        let _ = writeln!(load_csv, "{},{:.3},{:.3},{:.3}", row.time_s, kw[0], kw[1], kw[2]);
    }

    let mut expectations = String::new();
    let mut unchecked = Vec::new();
    let mut checked = 0;
    for event in events {
        let offset_s = (event.at - first_sample).as_seconds_f64();
        let (name, removed) = match event.description.strip_suffix(REMOVED) {
            Some(name) => (name.trim().trim_matches('\'').trim(), true),
            None => (event.description.trim(), false),
        };
        let Some((_, condition)) = EVENT_CONDITIONS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) else {
            unchecked.push(format!("{} {}", minutes_seconds(offset_s), event.description));
            continue;
        };
        if offset_s < 0.0 || offset_s > duration_s {
            unchecked.push(format!(
                "{} {} (outside the history)",
                minutes_seconds(offset_s),
                event.description
            ));
            continue;
        }
        checked += 1;
        let check =
            if removed { format!("never: \"{condition}\"") } else { format!("that: \"{condition}\"") };
        // A removal is checked as "not present at the end of its window": `never` over
        // the second half of the window, after the tolerance has let it go.
        let (from, within) = if removed {
            (offset_s + tolerance_s, tolerance_s / 2.0)
        } else {
            ((offset_s - tolerance_s).max(0.0), 2.0 * tolerance_s)
        };
        let label = format!(
            "{} at {} ({})",
            name,
            minutes_seconds(offset_s),
            if removed { "removed" } else { &event.level }
        );
        let _ = writeln!(
            expectations,
            "        (label: \"{}\", {check}, from: \"{}\", within: \"{}\"),",
            label.replace('"', "'"),
            minutes_seconds(from),
            minutes_seconds(within)
        );
    }
    let first = history.first();
    let mut scenario = String::new();
    let _ = writeln!(
        scenario,
        "// Generated by `upstwin scenario from-logs` from a card's history and events logs."
    );
    let _ = writeln!(
        scenario,
        "// Mains and load follow the record; each recorded event is expected within {tolerance_s:.0} s"
    );
    let _ = writeln!(scenario, "// (the history's sample period) of its time.");
    for line in &unchecked {
        let _ = writeln!(scenario, "// not checked (no counterpart in the twin): {line}");
    }
    let _ = writeln!(scenario, "(");
    let _ = writeln!(scenario, "    name: \"{}\",", names.scenario.replace('"', "'"));
    let _ = writeln!(scenario, "    model: \"{}\",", names.model);
    let _ = writeln!(scenario, "    duration: \"{}\",", minutes_seconds(duration_s));
    let _ = writeln!(scenario, "    dt: \"1s\",");
    let _ = writeln!(
        scenario,
        "    initial: (load_profile: \"{}\", state_of_charge_pct: {:.1}{}),",
        names.load_file,
        first.map_or(100.0, |r| r.battery_capacity_pct),
        first
            .and_then(|r| r.ups_temperature_c)
            .map_or(String::new(), |t| format!(", ambient_c: {:.1}", t.clamp(-20.0, 70.0)))
    );
    let _ = writeln!(scenario, "    timeline: [");
    let _ = writeln!(
        scenario,
        "        (label: \"recorded mains\", at: \"0s\", do: MainsProfile(\"{}\")),",
        names.mains_file
    );
    let _ = writeln!(scenario, "    ],");
    let _ = writeln!(scenario, "    expect: [");
    scenario.push_str(&expectations);
    let _ = writeln!(scenario, "    ],");
    let _ = writeln!(scenario, ")");
    Converted { scenario, mains_csv, load_csv, checked, unchecked }
}
