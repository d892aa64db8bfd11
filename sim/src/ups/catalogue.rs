//! The shape every catalogue shares — faults (`faults.rs`), firmware commands
//! (`commands.rs`) and wire faults (`wire::faults`): typed variants with parameters in
//! validated ranges and a sentence on what the UPS does, parsed from their names with a
//! "did you mean" for typos.

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
    /// A value that shows what the entry does (a sag the rectifier cannot ride, 120 % load),
    /// where a required parameter's slider starts.
    pub example: Option<f64>,
}

/// An entry of a catalogue: a fault or a command.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spec {
    pub name: &'static str,
    pub params: &'static [ParamSpec],
    /// What the UPS does, for the documentation table.
    pub effect: &'static str,
}

/// A 1-based index parameter (string, block, unit, phase, input) as a 0-based index.
pub fn index(one_based: f64) -> usize {
    (one_based as usize).saturating_sub(1)
}

/// Why an action could not be parsed or is out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// `Some(default)` for a parameter declared with one, `None` (required) otherwise.
macro_rules! default_value {
    () => {
        None
    };
    ($default:literal) => {
        Some($default)
    };
}
pub(crate) use default_value;

/// Declares a catalogue: an enum whose variants carry their parameters as fields (so the
/// firmware matches on variants and a new one it does not handle fails to compile), the
/// fieldless enum of its kinds (for clearing by kind), and one [`Spec`] per variant, which
/// drives parsing with "did you mean", the documentation tables, the CLI and the GUI.
macro_rules! catalogue {
    (
        $(#[$meta:meta])*
        pub enum $name:ident, kinds $kind:ident, called $what:literal {
            $(
                $variant:ident
                $({ $($field:ident : $unit:literal in $min:literal ..= $max:literal $(= $default:literal)? $(like $example:literal)?),+ $(,)? })?
                = $text:literal : $effect:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub enum $name {
            $(
                #[doc = $effect]
                $variant $({ $($field: f64),+ })?
            ),+
        }

        #[doc = concat!("What kind of ", $what, " it is, without its parameters.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $kind {
            $($variant),+
        }

        impl $kind {
            /// Every kind, in the order the documentation lists them.
            pub const ALL: &'static [$kind] = &[$($kind::$variant),+];

            /// The name users type.
            pub fn name(self) -> &'static str {
                match self {
                    $($kind::$variant => $text),+
                }
            }

            pub fn spec(self) -> &'static $crate::ups::catalogue::Spec {
                &$name::SPECS[self as usize]
            }

            /// Looks a name up, with "did you mean" for a typo.
            pub fn parse(name: &str) -> Result<Self, $crate::ups::catalogue::ParseError> {
                Self::ALL.iter().copied().find(|kind| kind.name() == name).ok_or_else(|| {
                    $crate::ups::catalogue::ParseError(format!(
                        "unknown {} `{name}`{}",
                        $what,
                        $crate::ups::catalogue::suggest(name, Self::ALL.iter().map(|kind| kind.name()))
                    ))
                })
            }
        }

        impl std::fmt::Display for $kind {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl $name {
            /// One spec per variant, in declaration order.
            pub const SPECS: &'static [$crate::ups::catalogue::Spec] = &[$(
                $crate::ups::catalogue::Spec {
                    name: $text,
                    params: &[$($(
                        $crate::ups::catalogue::ParamSpec {
                            name: stringify!($field),
                            unit: $unit,
                            min: $min,
                            max: $max,
                            default: $crate::ups::catalogue::default_value!($($default)?),
                            example: $crate::ups::catalogue::default_value!($($example)?),
                        }
                    ),+)?],
                    effect: $effect,
                }
            ),+];

            pub fn kind(&self) -> $kind {
                match self {
                    $(Self::$variant $({ $($field: _),+ })? => $kind::$variant),+
                }
            }

            /// The name users type.
            pub fn name(&self) -> &'static str {
                self.kind().name()
            }

            /// The parameters by name, as given or defaulted.
            pub fn params(&self) -> std::collections::BTreeMap<&'static str, f64> {
                match self {
                    $(Self::$variant $({ $($field),+ })? => std::collections::BTreeMap::from([
                        $($((stringify!($field), *$field)),+)?
                    ])),+
                }
            }

            /// Looks `name` up and validates its parameters (`key=value` text pairs)
            /// against their ranges, filling in defaults.
            pub fn parse(
                name: &str,
                given: &[(&str, &str)],
            ) -> Result<Self, $crate::ups::catalogue::ParseError> {
                let kind = $kind::parse(name)?;
                let values = $crate::ups::catalogue::parse_params(kind.name(), kind.spec().params, given)?;
                Ok(Self::build(kind, &values))
            }

            /// Looks `name` up and validates its numeric parameters (JSON, scenario files,
            /// the window's sliders) against their ranges, filling in defaults.
            pub fn with_params(
                name: &str,
                given: &std::collections::BTreeMap<String, f64>,
            ) -> Result<Self, $crate::ups::catalogue::ParseError> {
                let kind = $kind::parse(name)?;
                let given: Vec<(&str, f64)> = given.iter().map(|(key, value)| (key.as_str(), *value)).collect();
                let values = $crate::ups::catalogue::check_params(kind.name(), kind.spec().params, &given)?;
                Ok(Self::build(kind, &values))
            }

            /// Checks the parameters against their ranges: for a value built in code
            /// rather than parsed.
            pub fn check(&self) -> Result<(), $crate::ups::catalogue::ParseError> {
                let params: Vec<(&str, f64)> = self.params().into_iter().collect();
                $crate::ups::catalogue::check_params(self.name(), self.kind().spec().params, &params).map(|_| ())
            }

            fn build(kind: $kind, values: &std::collections::BTreeMap<&'static str, f64>) -> Self {
                let value = |field: &str| values.get(field).copied().unwrap_or(f64::NAN);
                match kind {
                    $($kind::$variant => Self::$variant $({ $($field: value(stringify!($field))),+ })?),+
                }
            }
        }
    };
}
pub(crate) use catalogue;

/// The parameter `key` of `owner`, or an error naming the ones it takes.
fn spec_of<'a>(owner: &str, specs: &'a [ParamSpec], key: &str) -> Result<&'a ParamSpec, ParseError> {
    specs.iter().find(|p| p.name == key).ok_or_else(|| {
        let known: Vec<&str> = specs.iter().map(|p| p.name).collect();
        ParseError(if known.is_empty() {
            format!("`{owner}` takes no parameters, found `{key}`")
        } else {
            format!("`{owner}` has no parameter `{key}`; it takes {}", known.join(", "))
        })
    })
}

/// Validates `key=value` text pairs (the command line, `--at`, a map's command registers)
/// against a parameter list.
pub fn parse_params(
    owner: &str,
    specs: &[ParamSpec],
    given: &[(&str, &str)],
) -> Result<BTreeMap<&'static str, f64>, ParseError> {
    let mut numbers = Vec::with_capacity(given.len());
    for (key, text) in given {
        spec_of(owner, specs, key)?;
        let value: f64 = text
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| ParseError(format!("{owner}: {key} must be a number, found `{text}`")))?;
        numbers.push((*key, value));
    }
    check_params(owner, specs, &numbers)
}

/// Validates numeric parameters (JSON, scenario files, the window, values built in code)
/// against a parameter list: known names, ranges, none twice, defaults for the rest.
pub fn check_params(
    owner: &str,
    specs: &[ParamSpec],
    given: &[(&str, f64)],
) -> Result<BTreeMap<&'static str, f64>, ParseError> {
    let mut values = BTreeMap::new();
    for &(key, value) in given {
        let spec = spec_of(owner, specs, key)?;
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
    let known: Vec<&str> = known.collect();
    let mut close: Vec<&str> =
        known.iter().copied().filter(|k| edit_distance(k, name) <= 2 || k.contains(name)).collect();
    close.truncate(3);
    match (close.is_empty(), known.len()) {
        (false, _) => format!(", did you mean `{}`?", close.join("`, `")),
        // Nothing close: a short catalogue is listed whole, so the user sees what exists.
        (true, 1..=MAX_LISTED) => format!("; expected one of `{}`", known.join("`, `")),
        (true, _) => String::new(),
    }
}

/// The most names an unknown name's message lists when none is close.
const MAX_LISTED: usize = 40;

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
