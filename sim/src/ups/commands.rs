//! The commands the UPS firmware accepts from a card (when its remote control is enabled),
//! with their parameters. The register maps bind these to command registers later.

pub use super::catalogue::{Action as Command, Spec as CommandSpec};
use super::catalogue::{ParseError, param, parse};

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

/// Looks a command up and validates its parameters (`key=value` pairs).
pub fn parse_command(name: &str, params: &[(&str, &str)]) -> Result<Command, ParseError> {
    parse("command", COMMANDS, name, params)
}

/// Why the firmware refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{command} refused: {reason}")]
pub struct Refused {
    pub command: &'static str,
    pub reason: String,
}
