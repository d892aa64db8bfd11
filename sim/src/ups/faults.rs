//! The fault catalogue: every fault a user can inject by name, its parameters with their
//! validated ranges, and what the UPS does about it. `upstwin faults` prints this table; the
//! GUI builds its fault panel from it.

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

const fn param(
    name: &'static str,
    unit: &'static str,
    min: f64,
    max: f64,
    default: Option<f64>,
) -> ParamSpec {
    ParamSpec { name, unit, min, max, default }
}

/// A fault as the catalogue describes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaultSpec {
    pub name: &'static str,
    pub params: &'static [ParamSpec],
    /// What the UPS does, for the documentation table.
    pub effect: &'static str,
}

/// Every fault, in the order the documentation lists them.
pub const FAULTS: &[FaultSpec] = &[
    FaultSpec {
        name: "mains_blackout",
        params: &[],
        effect: "rectifier input lost: UPS on battery; on return, rectifier walk-in and recharge",
    },
    FaultSpec {
        name: "mains_sag",
        params: &[param("voltage_pct", "% of nominal", 0.0, 100.0, None)],
        effect: "below the rectifier window (−15 %) the UPS goes on battery (eco leaves the bypass for the inverter)",
    },
    FaultSpec {
        name: "mains_swell",
        params: &[param("voltage_pct", "% of nominal", 100.0, 200.0, None)],
        effect: "above the rectifier window (+15 %) the UPS goes on battery",
    },
    FaultSpec {
        name: "mains_frequency",
        params: &[param("frequency_hz", "Hz", 30.0, 80.0, None)],
        effect: "outside ±5 Hz the rectifier drops out (on battery); outside ±2 Hz the inverter stops following the bypass and transfers become impossible",
    },
    FaultSpec {
        name: "mains_phase_loss",
        params: &[param("phase", "", 1.0, 3.0, None)],
        effect: "one input phase at 0 V: rectifier input out of tolerance, UPS on battery (3-phase input only)",
    },
    FaultSpec {
        name: "mains_phase_rotation",
        params: &[],
        effect: "L2 and L3 swapped: phase rotation alarm, rectifier refuses to start, UPS on battery",
    },
    FaultSpec {
        name: "mains_flapping",
        params: &[param("period_s", "s", 0.2, 3600.0, Some(10.0))],
        effect: "mains toggles off and on every half period: repeated transfers to and from battery",
    },
    FaultSpec {
        name: "bypass_out_of_tolerance",
        params: &[],
        effect: "bypass feed at 80 % voltage and 47 Hz: bypass alarm, eco left for inverter, transfers impossible",
    },
    FaultSpec {
        name: "bypass_blackout",
        params: &[],
        effect: "the bypass supply fails (its own feed on a dual-feed installation, else the bypass side of the shared feed): bypass absent, transfers impossible",
    },
    FaultSpec {
        name: "genset",
        params: &[param("start_delay_s", "s", 0.0, 600.0, Some(10.0))],
        effect: "a genset starts and, once up, feeds rectifier and bypass when mains is down; its frequency wanders under load (clear = stop)",
    },
    FaultSpec {
        name: "overload",
        params: &[param("load_pct", "% of rating", 0.0, 1000.0, None)],
        effect: "load set to this share of the rating: overload alarm above 100 %, transfer to bypass after the overload curve, or stop without bypass",
    },
    FaultSpec {
        name: "output_short_circuit",
        params: &[],
        effect: "output shorted: inverter current-limits, stops after 0.3 s, load transferred to bypass (or off)",
    },
    FaultSpec {
        name: "ambient_temperature",
        params: &[param("temperature_c", "°C", -20.0, 70.0, None)],
        effect: "ambient (and battery) temperature: cabinet heats up, over-temperature alarm, then transfer to bypass",
    },
    FaultSpec {
        name: "fan_failure",
        params: &[],
        effect: "fans stop: cabinet cooling 5× worse, over-temperature alarm, then transfer to bypass",
    },
    FaultSpec {
        name: "battery_disconnected",
        params: &[],
        effect: "battery breaker open: battery circuit open alarm; a mains failure drops the load",
    },
    FaultSpec {
        name: "weak_block",
        params: &[
            param("string", "", 1.0, 16.0, None),
            param("block", "", 1.0, 80.0, None),
            param("capacity_pct", "%", 1.0, 100.0, None),
        ],
        effect: "one block keeps this share of its capacity: shorter runtime; a battery test fails if the block runs dry during it and its string drops out",
    },
    FaultSpec {
        name: "open_block",
        params: &[param("string", "", 1.0, 16.0, None), param("block", "", 1.0, 80.0, None)],
        effect: "a block opens: its string is cut off (all strings: battery circuit open)",
    },
    FaultSpec {
        name: "aged_battery",
        params: &[param("soh_pct", "%", 1.0, 100.0, None)],
        effect: "every block at this state of health: shorter runtime",
    },
    FaultSpec {
        name: "charger_fault",
        params: &[],
        effect: "charger stops: charger alarm, battery no longer recharged",
    },
    FaultSpec {
        name: "rectifier_fault",
        params: &[],
        effect: "rectifier stops: rectifier critical alarm, UPS on battery with mains present",
    },
    FaultSpec {
        name: "inverter_fault",
        params: &[],
        effect: "inverter stops: inverter critical alarm, load on bypass (or off without bypass)",
    },
    FaultSpec {
        name: "bypass_fault",
        params: &[],
        effect: "static bypass unusable: bypass critical alarm, transfers locked, eco impossible",
    },
    FaultSpec {
        name: "emergency_power_off",
        params: &[],
        effect: "ESD: inverter, rectifier and bypass off, load off; restart when cleared",
    },
    FaultSpec {
        name: "maintenance_bypass_closed",
        params: &[],
        effect: "manual bypass switch closed: load on maintenance bypass",
    },
    FaultSpec {
        name: "external_alarm",
        params: &[param("input", "", 1.0, 4.0, None)],
        effect: "external alarm contact closed: external alarm raised",
    },
    FaultSpec {
        name: "miscalibrated_runtime",
        params: &[param("factor", "×", 0.1, 10.0, None)],
        effect: "the UPS's runtime estimate is multiplied by this factor; the physics is unchanged",
    },
    FaultSpec {
        name: "unit_failure",
        params: &[param("unit", "", 1.0, 15.0, None)],
        effect: "a module or parallel unit fails: unit alarm, redundancy lost or insufficient resources",
    },
    FaultSpec {
        name: "remote_control_disabled",
        params: &[],
        effect: "the UPS panel's remote-control switch is off: every remote command is refused",
    },
];

/// A fault with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub name: &'static str,
    pub params: BTreeMap<&'static str, f64>,
}

impl Fault {
    /// A parameter the catalogue guarantees is present.
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

/// Looks a fault up and validates its parameters (`key=value` pairs).
pub fn parse_fault(name: &str, params: &[(&str, &str)]) -> Result<Fault, ParseError> {
    let spec = FAULTS.iter().find(|f| f.name == name).ok_or_else(|| {
        ParseError(format!("unknown fault `{name}`{}", suggest(name, FAULTS.iter().map(|f| f.name))))
    })?;
    Ok(Fault { name: spec.name, params: parse_params(spec.name, spec.params, params)? })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_validates() {
        let fault =
            parse_fault("weak_block", &[("string", "1"), ("block", "3"), ("capacity_pct", "5")]).unwrap();
        assert_eq!(fault.index("block"), 2);
        assert!(
            parse_fault("weak_block", &[("string", "1")]).unwrap_err().0.contains("missing parameter block")
        );
        assert!(parse_fault("overload", &[("load_pct", "2000")]).unwrap_err().0.contains("within 0..=1000"));
        assert!(parse_fault("mains_blakout", &[]).unwrap_err().0.contains("did you mean `mains_blackout`"));
        assert_eq!(parse_fault("mains_flapping", &[]).unwrap().param("period_s"), 10.0);
    }
}
