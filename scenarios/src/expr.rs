//! Conditions in scenarios: `battery.charge_pct < 30`, `ups.mode == OnBattery`,
//! `ups.on_battery and output.voltage_v[1] > 200`,
//! `ups.remaining_runtime_min <= truth.remaining_runtime_min`. Comparisons of a signal with a
//! value or with another numeric signal, joined by `and`, alternatives by `or` (`and` binds
//! tighter); a signal alone means "is true".

use sim::Ups;
use sim::image::signals::{self, Measurement};
use sim::ups::Mode;
use sim::ups::catalogue::suggest;
use sim::ups::conditions::Conditions;

/// What a condition can look at.
#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    /// The UPS mode, with `OnBattery` for the inverter fed by the battery.
    Mode,
    /// A firmware condition, by its position in `Conditions::flat`.
    Condition(usize),
    Measurement(Measurement, Option<u8>),
    /// Virtual time, s.
    Time,
    /// The physics' remaining runtime (simulates a copy of the bank; evaluated sparingly).
    TrueRuntimeMin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64),
    Bool(bool),
    Word(String),
    /// Another numeric signal, read at the same moment.
    Signal(Signal, String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub signal: Signal,
    /// The signal as the scenario wrote it (`battery.charge_pct`), for what a failure saw.
    pub name: String,
    pub op: Op,
    pub value: Value,
}

/// A signal's value at one moment, as a failure says what was seen.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    Number(f64),
    Bool(bool),
    Word(&'static str),
    /// Not measured by this model (or the truth not computed at that moment).
    Unknown,
}

/// A parsed condition, ready to evaluate at every step: it holds when every term of one of
/// its alternatives holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub text: String,
    pub alternatives: Vec<Vec<Term>>,
}

/// Mode names a condition may compare `ups.mode` with.
pub const MODES: &[&str] = &[
    "Off",
    "Starting",
    "OnInverter",
    "OnBattery",
    "OnBypass",
    "Eco",
    "LineInteractive",
    "Standby",
    "LoadOff",
    "MaintenanceBypass",
];

/// The mode as conditions see it: `OnBattery` when the inverter runs from the battery.
pub fn mode_name(ups: &Ups) -> &'static str {
    mode_label(ups.mode(), ups.conditions().on_battery)
}

/// A mode's name in conditions, given whether the battery feeds the inverter.
pub fn mode_label(mode: Mode, on_battery: bool) -> &'static str {
    match mode {
        Mode::OnInverter if on_battery => "OnBattery",
        Mode::Off => "Off",
        Mode::Starting => "Starting",
        Mode::OnInverter => "OnInverter",
        Mode::OnBypass => "OnBypass",
        Mode::Eco => "Eco",
        Mode::LineInteractive => "LineInteractive",
        Mode::Standby => "Standby",
        Mode::LoadOff => "LoadOff",
        Mode::MaintenanceBypass => "MaintenanceBypass",
    }
}

/// The scenario name of a measurement: its first word becomes a group when it is one of
/// input, bypass, output, battery (`battery_charge_pct` → `battery.charge_pct`); others go
/// under `ups.` (`ups.remaining_runtime_min`).
fn measurement_name(name: &str) -> String {
    match name.split_once('_') {
        Some((group @ ("input" | "bypass" | "output" | "battery"), rest)) => format!("{group}.{rest}"),
        _ => format!("ups.{name}"),
    }
}

/// Every signal name a condition may use (phased ones written `name[1]`).
pub fn signal_names() -> Vec<String> {
    let mut names = vec!["ups.mode".to_string(), "time_s".into(), "truth.remaining_runtime_min".into()];
    Conditions::default().visit(|name, index, _| {
        names.push(match index {
            Some(i) => format!("ups.{name}[{i}]"),
            None => format!("ups.{name}"),
        })
    });
    for (_, name, phased) in signals::MEASUREMENTS {
        if *phased {
            names.extend((1..=3).map(|p| format!("{}[{p}]", measurement_name(name))));
        } else {
            names.push(measurement_name(name));
        }
    }
    names
}

fn parse_signal(text: &str) -> Result<Signal, String> {
    let (base, index) = match text.split_once('[') {
        Some((base, rest)) => {
            let index: usize = rest
                .strip_suffix(']')
                .and_then(|i| i.parse().ok())
                .ok_or_else(|| format!("bad index in `{text}`: expected e.g. output.voltage_v[1]"))?;
            (base, Some(index))
        }
        None => (text, None),
    };
    match base {
        "ups.mode" if index.is_none() => return Ok(Signal::Mode),
        "time_s" if index.is_none() => return Ok(Signal::Time),
        "truth.remaining_runtime_min" if index.is_none() => return Ok(Signal::TrueRuntimeMin),
        _ => {}
    }
    if let Some(condition) = base.strip_prefix("ups.")
        && let Some(position) = Conditions::index_of(condition, index)
    {
        return Ok(Signal::Condition(position));
    }
    for (measurement, name, phased) in signals::MEASUREMENTS {
        if measurement_name(name) == base && *phased == index.is_some() {
            let phase = index.map(|i| u8::try_from(i).unwrap_or(0)).filter(|p| (1..=3).contains(p));
            if *phased && phase.is_none() {
                return Err(format!("`{text}`: phases are 1 to 3"));
            }
            return Ok(Signal::Measurement(*measurement, phase));
        }
    }
    let names = signal_names();
    Err(format!("unknown signal `{text}`{}", suggest(text, names.iter().map(String::as_str))))
}

/// The truth a reported value is compared with: a measurement or `time_s`.
pub fn parse_number_signal(text: &str) -> Result<Signal, String> {
    match parse_signal(text.trim())? {
        signal @ (Signal::Measurement(..) | Signal::Time) => Ok(signal),
        _ => Err(format!("`{text}` is not a number: expected a measurement such as battery.charge_pct")),
    }
}

impl Signal {
    /// The number now, for a measurement (if measured) or the time.
    pub fn number(&self, ups: &Ups) -> Option<f64> {
        match self {
            Signal::Measurement(measurement, phase) => signals::value(ups, *measurement, *phase),
            Signal::Time => Some(ups.time_s()),
            Signal::Mode | Signal::Condition(_) | Signal::TrueRuntimeMin => None,
        }
    }

    /// Whether it is read as a number (and so may be compared with another).
    fn is_numeric(&self) -> bool {
        matches!(self, Signal::Measurement(..) | Signal::Time | Signal::TrueRuntimeMin)
    }

    /// The value now; `truth_min` is the physical runtime when it was computed.
    pub fn reading(&self, ups: &Ups, flat: &[bool], truth_min: Option<f64>) -> Reading {
        let number = |value: Option<f64>| value.map_or(Reading::Unknown, Reading::Number);
        match self {
            Signal::Mode => Reading::Word(mode_name(ups)),
            Signal::Condition(position) => {
                flat.get(*position).map_or(Reading::Unknown, |on| Reading::Bool(*on))
            }
            Signal::TrueRuntimeMin => number(truth_min),
            Signal::Measurement(..) | Signal::Time => number(self.number(ups)),
        }
    }
}

fn parse_term(text: &str) -> Result<Term, String> {
    const OPS: [(&str, Op); 6] =
        [("==", Op::Eq), ("!=", Op::Ne), ("<=", Op::Le), (">=", Op::Ge), ("<", Op::Lt), (">", Op::Gt)];
    let found = OPS.iter().find_map(|(symbol, op)| text.find(symbol).map(|at| (at, *symbol, *op)));
    let (signal_text, op, value_text) = match found {
        Some((at, symbol, op)) => (text[..at].trim(), op, text[at + symbol.len()..].trim()),
        None => (text.trim(), Op::Eq, "true"),
    };
    let signal = parse_signal(signal_text)?;
    let value = match value_text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        word if word.parse::<f64>().is_ok() => Value::Number(word.parse().unwrap_or_default()),
        // A signal's name on the right: compared with that signal at the same moment.
        word if signal.is_numeric() && (word.contains('.') || word == "time_s") => {
            let other = parse_signal(word)?;
            if !other.is_numeric() {
                return Err(format!(
                    "`{text}`: `{word}` is not a number: a number is compared with a number"
                ));
            }
            Value::Signal(other, word.to_string())
        }
        word => Value::Word(word.to_string()),
    };
    match (&signal, &value, op) {
        (Signal::Mode, Value::Word(word), Op::Eq | Op::Ne) => {
            if !MODES.contains(&word.as_str()) {
                return Err(format!("unknown mode `{word}`{}", suggest(word, MODES.iter().copied())));
            }
        }
        (Signal::Mode, _, _) => {
            return Err(format!("`{text}`: ups.mode is compared with == or != and a mode name"));
        }
        (Signal::Condition(_), Value::Bool(_), Op::Eq | Op::Ne) => {}
        (Signal::Condition(_), _, _) => {
            return Err(format!("`{text}`: a condition is compared with == or != and true/false"));
        }
        (_, Value::Number(_) | Value::Signal(..), _) => {}
        (_, _, _) => {
            return Err(format!(
                "`{text}`: expected a number or a numeric signal (e.g. truth.remaining_runtime_min) to compare with"
            ));
        }
    }
    Ok(Term { signal, name: signal_text.to_string(), op, value })
}

impl Condition {
    pub fn parse(text: &str) -> Result<Condition, String> {
        if text.trim().is_empty() {
            return Err("empty condition".into());
        }
        let alternatives = text
            .split(" or ")
            .map(|alternative| alternative.split(" and ").map(parse_term).collect::<Result<Vec<_>, _>>())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Condition { text: text.to_string(), alternatives })
    }

    /// Whether the condition needs the (costly) physical runtime.
    pub fn needs_truth(&self) -> bool {
        self.signals().any(|(signal, _)| *signal == Signal::TrueRuntimeMin)
    }

    /// Every signal the condition reads, with its name as written (once each).
    pub fn signals(&self) -> impl Iterator<Item = (&Signal, &str)> {
        let mut all: Vec<(&Signal, &str)> = Vec::new();
        for term in self.alternatives.iter().flatten() {
            let right = match &term.value {
                Value::Signal(signal, name) => Some((signal, name.as_str())),
                _ => None,
            };
            for (signal, name) in std::iter::once((&term.signal, term.name.as_str())).chain(right) {
                if !all.iter().any(|(_, seen)| *seen == name) {
                    all.push((signal, name));
                }
            }
        }
        all.into_iter()
    }

    /// Evaluates the condition now; `flat` is `ups.conditions().flat()`, `truth_min` the
    /// physical runtime if it was computed.
    pub fn holds(&self, ups: &Ups, flat: &[bool], truth_min: Option<f64>) -> bool {
        self.alternatives.iter().any(|terms| terms.iter().all(|term| term_holds(term, ups, flat, truth_min)))
    }
}

fn term_holds(term: &Term, ups: &Ups, flat: &[bool], truth_min: Option<f64>) -> bool {
    let number = |value: f64| match &term.value {
        Value::Number(target) => compare(value, *target, term.op),
        Value::Signal(other, _) => match other.reading(ups, flat, truth_min) {
            Reading::Number(target) => compare(value, target, term.op),
            _ => false,
        },
        Value::Bool(_) | Value::Word(_) => false,
    };
    match &term.signal {
        Signal::Mode => {
            let Value::Word(word) = &term.value else { return false };
            (mode_name(ups) == word) == (term.op == Op::Eq)
        }
        Signal::Condition(position) => {
            let Value::Bool(wanted) = term.value else { return false };
            (flat[*position] == wanted) == (term.op == Op::Eq)
        }
        Signal::Measurement(measurement, phase) => {
            signals::value(ups, *measurement, *phase).is_some_and(number)
        }
        Signal::Time => number(ups.time_s()),
        Signal::TrueRuntimeMin => truth_min.is_some_and(number),
    }
}

fn compare(value: f64, target: f64, op: Op) -> bool {
    match op {
        Op::Eq => (value - target).abs() < 1e-9,
        Op::Ne => (value - target).abs() >= 1e-9,
        Op::Lt => value < target,
        Op::Le => value <= target,
        Op::Gt => value > target,
        Op::Ge => value >= target,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_suggests() {
        assert!(Condition::parse("battery.charge_pct < 30").is_ok());
        assert!(Condition::parse("ups.mode == OnBattery and output.voltage_v[1] > 200").is_ok());
        assert!(Condition::parse("ups.on_battery").is_ok());
        let either = Condition::parse("ups.overload or ups.on_battery and battery.charge_pct < 30").unwrap();
        assert_eq!(either.alternatives.iter().map(Vec::len).collect::<Vec<_>>(), [1, 2]);
        assert!(Condition::parse("ups.unit_present[2] == true").is_ok());
        let error = Condition::parse("battery.charge < 30").unwrap_err();
        assert!(error.contains("did you mean `battery.charge_pct`"), "{error}");
        assert!(Condition::parse("ups.mode == OnBatery").unwrap_err().contains("did you mean `OnBattery`"));
        assert!(Condition::parse("ups.mode < 3").is_err());
        assert!(Condition::parse("output.voltage_v[4] > 1").is_err());
    }

    /// The runtime-accuracy check a QA engineer writes first: the UPS's estimate against
    /// the physics', read at the same moment.
    #[test]
    fn compares_two_signals() {
        let runtime = Condition::parse("ups.remaining_runtime_min <= truth.remaining_runtime_min").unwrap();
        assert!(runtime.needs_truth());
        let names: Vec<&str> = runtime.signals().map(|(_, name)| name).collect();
        assert_eq!(names, ["ups.remaining_runtime_min", "truth.remaining_runtime_min"]);
        assert!(Condition::parse("output.voltage_v[1] > input.voltage_v[1]").is_ok());
        let error = Condition::parse("battery.charge_pct < ups.on_battery").unwrap_err();
        assert!(error.contains("is not a number"), "{error}");
        let error = Condition::parse("battery.charge_pct < battery.charge").unwrap_err();
        assert!(error.contains("did you mean `battery.charge_pct`"), "{error}");
    }
}
