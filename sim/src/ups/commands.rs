//! The commands the UPS firmware accepts from a card (when its remote control is enabled),
//! with their parameters. The register maps bind these to command registers later.

use super::faults::{ParamSpec, ParseError, parse_params, suggest};
use std::collections::BTreeMap;

/// A command as the catalogue describes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CommandSpec {
    pub name: &'static str,
    pub params: &'static [ParamSpec],
    pub effect: &'static str,
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

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "battery_test",
        params: &[],
        effect: "on battery with mains present for 10 % of the estimated runtime (1 to 10 min); fails if the battery gives out, falls within 0.1 V/cell of end of discharge, or collapses by 0.06 V/cell within a minute",
    },
    CommandSpec {
        name: "eco_on",
        params: &[],
        effect: "eco mode: load on bypass while the bypass is in tolerance",
    },
    CommandSpec { name: "eco_off", params: &[], effect: "leave eco mode: load back on inverter" },
    CommandSpec {
        name: "standby_on",
        params: &[],
        effect: "standby: output off, rectifier and charger on, inverter ready",
    },
    CommandSpec { name: "standby_off", params: &[], effect: "leave standby: load on inverter" },
    CommandSpec {
        name: "transfer_to_bypass",
        params: &[],
        effect: "load on static bypass until transfer_to_inverter",
    },
    CommandSpec { name: "transfer_to_inverter", params: &[], effect: "load back on inverter" },
    CommandSpec {
        name: "line_interactive_on",
        params: &[],
        effect: "line-interactive UPS passes mains through when in tolerance",
    },
    CommandSpec {
        name: "line_interactive_off",
        params: &[],
        effect: "line-interactive UPS keeps the load on its inverter",
    },
    CommandSpec { name: "alarm_ack", params: &[], effect: "silence the buzzer and clear latched alarms" },
    CommandSpec {
        name: "shutdown",
        params: &[
            param("delay_s", "s", 0.0, 86_400.0, Some(120.0)),
            param("restart_delay_s", "s", 0.0, 86_400.0, Some(0.0)),
        ],
        effect: "load off after delay_s; restart restart_delay_s after, once mains is present (0 = stay off)",
    },
    CommandSpec { name: "cancel_shutdown", params: &[], effect: "cancel a pending shutdown" },
    CommandSpec { name: "load_off", params: &[], effect: "output off now" },
    CommandSpec { name: "load_on", params: &[], effect: "output on (restart from load off)" },
    CommandSpec {
        name: "power_share",
        params: &[param("plug", "", 1.0, 4.0, None), param("closed", "0/1", 0.0, 1.0, None)],
        effect: "open or close a power-share plug (manual mode)",
    },
    CommandSpec {
        name: "power_share_mode",
        params: &[
            param("plug", "", 1.0, 4.0, None),
            param("mode", "0-4", 0.0, 4.0, None),
            param("threshold", "% or s", 0.0, 86_400.0, Some(0.0)),
        ],
        effect: "plug mode: 0 manual, 1 open below battery capacity %, 2 open below remaining time s, 3 open after time on battery s, 4 emergency light (closed only on battery)",
    },
    CommandSpec {
        name: "set_date_time",
        params: &[param("epoch_s", "s", 0.0, 4_102_444_800.0, None)],
        effect: "set the UPS clock (seconds since 1970-01-01 UTC)",
    },
];

/// A command with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub name: &'static str,
    pub params: BTreeMap<&'static str, f64>,
}

impl Command {
    pub fn param(&self, name: &str) -> f64 {
        self.params.get(name).copied().unwrap_or(f64::NAN)
    }
}

pub fn parse_command(name: &str, params: &[(&str, &str)]) -> Result<Command, ParseError> {
    let spec = COMMANDS.iter().find(|c| c.name == name).ok_or_else(|| {
        ParseError(format!("unknown command `{name}`{}", suggest(name, COMMANDS.iter().map(|c| c.name))))
    })?;
    Ok(Command { name: spec.name, params: parse_params(spec.name, spec.params, params)? })
}

/// Why the firmware refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{command} refused: {reason}")]
pub struct Refused {
    pub command: &'static str,
    pub reason: String,
}
