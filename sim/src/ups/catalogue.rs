//! The shape both catalogues share — faults (`faults.rs`) and firmware commands
//! (`commands.rs`): named entries with parameters in validated ranges and a sentence on what
//! the UPS does, looked up by name with a "did you mean" for typos.

use std::collections::BTreeMap;

/// One parameter of a fault or command.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    /// Used when the parameter is not given; `None` makes it required.
    pub default: Option<f64>,
}

pub(crate) const fn param(
    name: &'static str,
    unit: &'static str,
    min: f64,
    max: f64,
    default: Option<f64>,
) -> ParamSpec {
    ParamSpec { name, unit, min, max, default }
}

/// An entry of a catalogue: a fault or a command.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spec {
    pub name: &'static str,
    pub params: &'static [ParamSpec],
    /// What the UPS does, for the documentation table.
    pub effect: &'static str,
}

/// A fault or command with its validated parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub name: &'static str,
    pub params: BTreeMap<&'static str, f64>,
}

impl Action {
    /// A parameter the catalogue guarantees is present (NaN for a name it does not have).
    pub fn param(&self, name: &str) -> f64 {
        self.params.get(name).copied().unwrap_or(f64::NAN)
    }

    /// A 1-based index parameter as a 0-based index.
    pub fn index(&self, name: &str) -> usize {
        (self.param(name) as usize).saturating_sub(1)
    }
}

/// Why an action could not be parsed or is out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// Looks `name` up in `catalogue` (of `kind`s, for messages) and validates its parameters
/// (`key=value` pairs).
pub fn parse(
    kind: &str,
    catalogue: &[Spec],
    name: &str,
    params: &[(&str, &str)],
) -> Result<Action, ParseError> {
    let spec = catalogue.iter().find(|s| s.name == name).ok_or_else(|| {
        ParseError(format!("unknown {kind} `{name}`{}", suggest(name, catalogue.iter().map(|s| s.name))))
    })?;
    Ok(Action { name: spec.name, params: parse_params(spec.name, spec.params, params)? })
}

/// Validates `key=value` pairs against a parameter list.
pub fn parse_params(
    owner: &str,
    specs: &[ParamSpec],
    given: &[(&str, &str)],
) -> Result<BTreeMap<&'static str, f64>, ParseError> {
    let mut values = BTreeMap::new();
    for (key, text) in given {
        let spec = specs.iter().find(|p| p.name == *key).ok_or_else(|| {
            let known: Vec<&str> = specs.iter().map(|p| p.name).collect();
            ParseError(if known.is_empty() {
                format!("`{owner}` takes no parameters, found `{key}`")
            } else {
                format!("`{owner}` has no parameter `{key}`; it takes {}", known.join(", "))
            })
        })?;
        let value: f64 = text
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| ParseError(format!("{owner}: {key} must be a number, found `{text}`")))?;
        if !(spec.min..=spec.max).contains(&value) {
            return Err(ParseError(format!(
                "{owner}: {key} must be within {}..={} {}, found {value}",
                spec.min, spec.max, spec.unit
            )));
        }
        if values.insert(spec.name, value).is_some() {
            return Err(ParseError(format!("{owner}: {key} given twice")));
        }
    }
    for spec in specs {
        if !values.contains_key(spec.name) {
            let default = spec.default.ok_or_else(|| {
                ParseError(format!("{owner}: missing parameter {}=… ({})", spec.name, spec.unit))
            })?;
            values.insert(spec.name, default);
        }
    }
    Ok(values)
}

/// ", did you mean `x`?" when a known name is within two edits.
pub fn suggest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> String {
    let mut close: Vec<&str> = known.filter(|k| edit_distance(k, name) <= 2 || k.contains(name)).collect();
    close.truncate(3);
    if close.is_empty() { String::new() } else { format!(", did you mean `{}`?", close.join("`, `")) }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}
