//! The commands the UPS firmware accepts from a card (when its remote control is enabled),
//! with their parameters. The register maps bind these to command registers later.

pub use super::catalogue::Spec as CommandSpec;
use super::catalogue::{ParseError, catalogue};

catalogue! {
    /// A command to the UPS firmware, with its parameters.
    pub enum Command, kinds CommandKind, called "command" {
        BatteryTest = "battery_test": "on battery with mains present for 10 % of the estimated runtime (1 to 10 min); fails if the battery gives out, falls within 0.1 V/cell of end of discharge, or collapses by 0.06 V/cell within a minute",
        EcoOn = "eco_on": "eco mode: load on bypass while the bypass is in tolerance",
        EcoOff = "eco_off": "leave eco mode: load back on inverter",
        StandbyOn = "standby_on": "standby: output off, rectifier and charger on, inverter ready",
        StandbyOff = "standby_off": "leave standby: load on inverter",
        TransferToBypass = "transfer_to_bypass": "load on static bypass until transfer_to_inverter",
        TransferToInverter = "transfer_to_inverter": "load back on inverter",
        LineInteractiveOn = "line_interactive_on": "line-interactive UPS passes mains through when in tolerance",
        LineInteractiveOff = "line_interactive_off": "line-interactive UPS keeps the load on its inverter",
        AlarmAck = "alarm_ack": "silence the buzzer and clear latched alarms",
        Shutdown {
            delay_s: "s" in 0.0..=86_400.0 = 120.0,
            restart_delay_s: "s" in 0.0..=86_400.0 = 0.0,
        }
            = "shutdown": "load off after delay_s; restart restart_delay_s after, once mains is present (0 = stay off)",
        CancelShutdown = "cancel_shutdown": "cancel a pending shutdown",
        LoadOff = "load_off": "output off now",
        LoadOn = "load_on": "output on (restart from load off)",
        PowerShare { plug: "" in 1.0..=4.0, closed: "0/1" in 0.0..=1.0 }
            = "power_share": "open or close a power-share plug (manual mode)",
        PowerShareMode {
            plug: "" in 1.0..=4.0,
            mode: "0-4" in 0.0..=4.0,
            threshold: "% or s" in 0.0..=86_400.0 = 0.0,
        }
            = "power_share_mode": "plug mode: 0 manual, 1 open below battery capacity %, 2 open below remaining time s, 3 open after time on battery s, 4 emergency light (closed only on battery)",
        SetDateTime { epoch_s: "s" in 0.0..=4_102_444_800.0 }
            = "set_date_time": "set the UPS clock (seconds since 1970-01-01 UTC)",
    }
}

/// Every command, in the order the documentation lists them.
pub const COMMANDS: &[CommandSpec] = Command::SPECS;

/// Looks a command up and validates its parameters (`key=value` pairs).
pub fn parse_command(name: &str, params: &[(&str, &str)]) -> Result<Command, ParseError> {
    Command::parse(name, params)
}

/// Why the firmware refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{command} refused: {reason}")]
pub struct Refused {
    pub command: &'static str,
    pub reason: String,
}
