//! "Shutdown Management" (§16.8): which events shut the servers down and when, the UPS
//! shut-off sent with the servers' shutdown, and where the shutdown agents connect.

use serde::{Deserialize, Serialize};

/// The events of §16.8 "SHUTDOWN EVENT SELECTION". The EMD events are not offered: the
/// reference card has no EMD port.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum ShutdownEvent {
    /// "UPS on battery (AC Failed)".
    AcFailed,
    /// "Battery Low or Battery Discharged".
    BatteryLow,
    /// "Battery Level": the battery charge at or under `battery_level_pct`.
    BatteryLevel,
    ImminentStop,
    /// "UPS Overload".
    Overload,
    TemperatureAlarm,
    OnBypass,
    /// "Weekly Schedule": from a weekly shutdown moment to its restart (§16.5).
    WeeklySchedule,
    /// "Special Day": from a special day's shutdown moment to its restart (§16.6).
    SpecialDay,
}

impl ShutdownEvent {
    pub const ALL: [ShutdownEvent; 9] = [
        ShutdownEvent::AcFailed,
        ShutdownEvent::BatteryLow,
        ShutdownEvent::BatteryLevel,
        ShutdownEvent::ImminentStop,
        ShutdownEvent::Overload,
        ShutdownEvent::TemperatureAlarm,
        ShutdownEvent::OnBypass,
        ShutdownEvent::WeeklySchedule,
        ShutdownEvent::SpecialDay,
    ];

    /// As the manual's event list writes it.
    pub fn label(self) -> &'static str {
        match self {
            ShutdownEvent::AcFailed => "UPS on battery (AC Failed)",
            ShutdownEvent::BatteryLow => "Battery Low or Battery Discharged",
            ShutdownEvent::BatteryLevel => "Battery Level",
            ShutdownEvent::ImminentStop => "Imminent Stop",
            ShutdownEvent::Overload => "UPS Overload",
            ShutdownEvent::TemperatureAlarm => "Temperature Alarm",
            ShutdownEvent::OnBypass => "On Bypass",
            ShutdownEvent::WeeklySchedule => "Weekly Schedule",
            ShutdownEvent::SpecialDay => "Special Day",
        }
    }
}

/// "Shutdown Actions": §16.8 offers Disabled and Enabled; the EMD table of §17 also shows
/// "Warning" (warn the servers, never shut them down).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum ShutdownAction {
    Disabled,
    Warning,
    Enabled,
}

/// A row of the event table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRule {
    pub event: ShutdownEvent,
    pub action: ShutdownAction,
    /// "Warning Period (Min)": from the event to the servers' shutdown command (0: at once).
    /// This is the reversible period.
    pub warning_period_min: u32,
    /// "1st Warning (Sec)": from the event to the first warning.
    pub first_warning_s: u32,
    /// "Warning Interval (Sec)" between two warnings (0: one warning only).
    pub warning_interval_s: u32,
}

/// Where the shutdown agents connect (ours: the manual names no port).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AgentsListener {
    pub enabled: bool,
    pub port: u16,
    /// The secret shared with the agents; an agent that does not prove it is refused.
    /// Empty: no agent is accepted.
    pub secret: String,
}

impl Default for AgentsListener {
    fn default() -> Self {
        Self { enabled: false, port: DEFAULT_AGENTS_PORT, secret: String::new() }
    }
}

/// The agents' port (ours).
pub const DEFAULT_AGENTS_PORT: u16 = 6010;
/// A shared secret shorter than this is refused: it would be guessed.
pub const MIN_SECRET_CHARS: usize = 12;
/// Longest warning period accepted (ours: a day).
const MAX_WARNING_PERIOD_MIN: u32 = 1440;
/// Longest UPS shut-off delay and restart delay the UPS command takes (one day).
const MAX_DELAY_S: u32 = 86_400;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Shutdown {
    /// "UPS Shut Off": Enabled sends the UPS shut-off with the servers' shutdown command.
    pub ups_shut_off: bool,
    /// "UPS Shut Off Delay (Sec)": the UPS turns its output off this long after the command.
    pub ups_shut_off_delay_s: u32,
    /// "UPS On Delay (mn)": the UPS restarts this long after mains returns; 0: no restart.
    pub ups_on_delay_min: u32,
    /// "Level of battery capacity (%)" for the Battery Level event.
    pub battery_level_pct: u8,
    pub events: Vec<EventRule>,
    pub agents: AgentsListener,
}

impl Default for Shutdown {
    fn default() -> Self {
        let disabled = |event| EventRule {
            event,
            action: ShutdownAction::Disabled,
            warning_period_min: 5,
            first_warning_s: 0,
            warning_interval_s: 60,
        };
        Self {
            ups_shut_off: false,
            ups_shut_off_delay_s: 300,
            ups_on_delay_min: 1,
            battery_level_pct: 30,
            events: ShutdownEvent::ALL.into_iter().map(disabled).collect(),
            agents: AgentsListener::default(),
        }
    }
}

impl Shutdown {
    /// The rule for `event`; an event left out of the table is Disabled.
    pub fn rule(&self, event: ShutdownEvent) -> Option<&EventRule> {
        self.events.iter().find(|rule| rule.event == event && rule.action != ShutdownAction::Disabled)
    }

    pub(super) fn rule_broken(&self) -> Option<String> {
        for (at, rule) in self.events.iter().enumerate() {
            if self.events[..at].iter().any(|earlier| earlier.event == rule.event) {
                return Some(format!("events: {:?} is listed twice", rule.event));
            }
            if rule.warning_period_min > MAX_WARNING_PERIOD_MIN {
                return Some(format!(
                    "events: {:?}: warning_period_min from 0 to {MAX_WARNING_PERIOD_MIN}",
                    rule.event
                ));
            }
        }
        if self.battery_level_pct > 100 {
            return Some("battery_level_pct: from 0 to 100".into());
        }
        if self.ups_shut_off_delay_s > MAX_DELAY_S
            || u64::from(self.ups_on_delay_min) * 60 > u64::from(MAX_DELAY_S)
        {
            return Some(format!(
                "ups_shut_off_delay_s up to {MAX_DELAY_S}, ups_on_delay_min up to {}",
                MAX_DELAY_S / 60
            ));
        }
        let secret = self.agents.secret.chars().count();
        if self.agents.enabled && secret < MIN_SECRET_CHARS {
            return Some(format!("agents: a secret of at least {MIN_SECRET_CHARS} characters"));
        }
        None
    }
}
