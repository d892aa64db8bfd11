//! What acts on the twin from outside: faults injected and cleared by name, firmware
//! commands (accepted or refused with a reason), and the power-share plugs they set.

use super::Ups;
use super::commands::{Command, Refused};
use super::faults::{Fault, ParseError};
use super::firmware::{BatteryTestRun, Mode, PendingShutdown};
use super::{ActiveFault, MAX_PLUGS};

/// How a power-share plug decides, on battery, to shed its load.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum PlugMode {
    /// Open or closed by command only.
    #[default]
    Manual,
    /// Opens when the battery charge falls below the threshold, %.
    BatteryCapacity,
    /// Opens when the remaining time falls below the threshold, s.
    RemainingTime,
    /// Opens after this long on battery, s.
    TimeOnBattery,
    /// Closed (powered) only while on battery.
    EmergencyLight,
}

/// A power-share plug: `closed` means its outlets are powered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plug {
    pub closed: bool,
    pub mode: PlugMode,
    pub threshold: f64,
}

impl Default for Plug {
    fn default() -> Self {
        Self { closed: true, mode: PlugMode::Manual, threshold: 0.0 }
    }
}

/// Faults that change the battery bank itself.
const BATTERY_FAULTS: [&str; 3] = ["weak_block", "aged_battery", "open_block"];

/// Fault parameters that say which thing is faulty rather than how: a fault with the same
/// name and the same identity replaces the earlier one.
const IDENTITY_PARAMS: [&str; 5] = ["string", "block", "input", "unit", "phase"];

fn refused(command: &'static str, reason: impl Into<String>) -> Result<(), Refused> {
    Err(Refused { command, reason: reason.into() })
}

impl Ups {
    /// Injects a fault; parameters that depend on the model (which string, which unit) are
    /// checked against it.
    pub fn inject(&mut self, fault: Fault) -> Result<(), ParseError> {
        self.check_fault_fits(&fault)?;
        let same = |active: &ActiveFault| {
            active.fault.name == fault.name
                && IDENTITY_PARAMS.iter().all(|p| active.fault.params.get(p) == fault.params.get(p))
        };
        if let Some(position) = self.faults.iter().position(same) {
            let old = self.faults.remove(position);
            self.undo(&old);
        }
        match fault.name {
            "genset" => self
                .genset
                .start(fault.param("start_delay_s"), self.rated_w() * fault.param("rating_pct") / 100.0),
            "overload" => self.load.overload_total_w = Some(self.rated_w() * fault.param("load_pct") / 100.0),
            "output_short_circuit" => self.load.short_circuit = true,
            "ambient_temperature" => self.set_ambient_c(fault.param("temperature_c")),
            "fan_failure" => self.thermal.fans_failed = true,
            "battery_disconnected" => self.battery.breaker_open = true,
            "miscalibrated_runtime" => self.estimate.factor = fault.param("factor"),
            "unit_failure" => self.units.failed[fault.index("unit")] = true,
            "remote_control_disabled" => self.remote_control_enabled = false,
            _ => {}
        }
        let battery_fault = BATTERY_FAULTS.contains(&fault.name);
        self.faults.push(ActiveFault { fault, started_s: self.time_s });
        if battery_fault {
            self.apply_battery_faults();
        }
        Ok(())
    }

    fn check_fault_fits(&self, fault: &Fault) -> Result<(), ParseError> {
        let bank = self.battery.bank();
        let limit = |param: &str, count: usize, what: &str| {
            let value = fault.param(param);
            if fault.params.contains_key(param) && value as usize > count {
                Err(ParseError(format!(
                    "{}: {param} must be within 1..={count} ({count} {what} on this model), found {value}",
                    fault.name
                )))
            } else {
                Ok(())
            }
        };
        limit("string", bank.strings().len(), "strings")?;
        limit("block", bank.strings()[0].len(), "blocks per string")?;
        limit("unit", self.units.count, if self.units.parallel { "units" } else { "modules" })?;
        limit("phase", usize::from(self.model.ratings.input_phases), "input phases")
    }

    /// Clears every fault of that name; returns how many were in force.
    pub fn clear(&mut self, name: &str) -> usize {
        let (cleared, kept): (Vec<ActiveFault>, Vec<ActiveFault>) =
            std::mem::take(&mut self.faults).into_iter().partition(|f| f.fault.name == name);
        self.faults = kept;
        for fault in &cleared {
            self.undo(fault);
        }
        if BATTERY_FAULTS.contains(&name) {
            self.apply_battery_faults();
        }
        cleared.len()
    }

    fn undo(&mut self, active: &ActiveFault) {
        let fault = &active.fault;
        match fault.name {
            "genset" => self.genset.stop(),
            "overload" => self.load.overload_total_w = None,
            "output_short_circuit" => self.load.short_circuit = false,
            "ambient_temperature" => self.set_ambient_c(self.start_ambient_c),
            "fan_failure" => self.thermal.fans_failed = false,
            "battery_disconnected" => self.battery.breaker_open = false,
            "miscalibrated_runtime" => self.estimate.factor = 1.0,
            "unit_failure" => self.units.failed[fault.index("unit")] = false,
            "remote_control_disabled" => self.remote_control_enabled = self.model.capabilities.remote_control,
            _ => {}
        }
    }

    /// Sets the battery from its natural state plus every battery fault in force, so faults
    /// can be injected and cleared in any order: each block's health is the lowest any
    /// fault gives it (or its own, with none), and a string is open while any `open_block`
    /// names it.
    fn apply_battery_faults(&mut self) {
        let health_faults: Vec<Fault> = self
            .active_faults()
            .filter(|f| f.name == "weak_block" || f.name == "aged_battery")
            .cloned()
            .collect();
        let open_strings: Vec<usize> =
            self.active_faults().filter(|f| f.name == "open_block").map(|f| f.index("string")).collect();
        if !health_faults.is_empty() && self.natural_health.is_none() {
            self.natural_health = Some(self.battery.bank().blocks().map(|b| b.state_of_health()).collect());
        }
        let natural =
            if health_faults.is_empty() { self.natural_health.take() } else { self.natural_health.clone() };
        let bank = self.battery.bank_mut();
        let blocks = bank.strings()[0].len();
        if let Some(natural) = natural {
            for (i, &own) in natural.iter().enumerate() {
                let (string, index) = (i / blocks, i % blocks);
                let forced = health_faults
                    .iter()
                    .filter_map(|f| match f.name {
                        "aged_battery" => Some(f.param("soh_pct") / 100.0),
                        _ if f.index("string") == string && f.index("block") == index => {
                            Some(f.param("capacity_pct") / 100.0)
                        }
                        _ => None,
                    })
                    .fold(None, |lowest: Option<f64>, soh| Some(lowest.map_or(soh, |l| l.min(soh))));
                if let Some(block) = bank.block_mut(string, index) {
                    block.set_state_of_health(forced.unwrap_or(own));
                }
            }
        }
        for string in 0..bank.strings().len() {
            bank.set_string_open(string, open_strings.contains(&string));
        }
    }

    fn set_ambient_c(&mut self, ambient_c: f64) {
        self.thermal.ambient_c = ambient_c;
        self.battery.bank_mut().set_temperature_c(ambient_c);
    }

    /// Runs a firmware command, or says why the UPS refuses it.
    pub fn command(&mut self, command: &Command) -> Result<(), Refused> {
        let name = command.name;
        let capabilities = self.model.capabilities.clone();
        if !capabilities.remote_control {
            return refused(name, "this UPS has no remote control");
        }
        if !self.remote_control_enabled {
            return refused(name, "remote control is disabled on the UPS panel");
        }
        let now = self.time_s;
        let mode = self.firmware.mode;
        match name {
            "battery_test" => {
                if !capabilities.battery_test {
                    return refused(name, "this UPS has no battery test");
                }
                if self.firmware.battery_test.is_some() {
                    return refused(name, "a battery test is already running");
                }
                if !self.inputs.rectifier_ok {
                    return refused(name, "mains is not in tolerance");
                }
                if !matches!(mode, Mode::OnInverter | Mode::Eco | Mode::LineInteractive)
                    || self.conditions.on_battery
                {
                    return refused(name, format!("the load is not on the UPS with mains (mode {mode:?})"));
                }
                if self.battery.breaker_open {
                    return refused(name, "the battery is disconnected");
                }
                let charge_pct = self.estimate.charge_pct();
                if charge_pct < 90.0 {
                    return refused(name, format!("the battery is not charged ({charge_pct:.0} %)"));
                }
                self.firmware.latches.battery_test_failed = false;
                self.firmware.latches.battery_test_interrupted = false;
                self.firmware.battery_test =
                    Some(BatteryTestRun::new(now, self.measurements.remaining_runtime_s));
            }
            "eco_on" | "eco_off" => {
                if !capabilities.eco_mode {
                    return refused(name, "this UPS has no eco mode");
                }
                self.firmware.settings.eco_enabled = name == "eco_on";
            }
            "standby_on" | "standby_off" => {
                if !capabilities.standby {
                    return refused(name, "this UPS has no standby mode");
                }
                self.firmware.settings.standby_requested = name == "standby_on";
            }
            "line_interactive_on" | "line_interactive_off" => {
                if !capabilities.line_interactive {
                    return refused(name, "this UPS is not line-interactive");
                }
                self.firmware.settings.line_interactive_enabled = name == "line_interactive_on";
            }
            "transfer_to_bypass" => {
                if self.has_fault("bypass_fault") {
                    return refused(name, "the bypass is faulty (transfer locked)");
                }
                if !self.inputs.bypass_ok {
                    return refused(
                        name,
                        "the bypass is out of tolerance or not synchronised (transfer impossible)",
                    );
                }
                self.firmware.settings.bypass_requested = true;
            }
            "transfer_to_inverter" => {
                if self.has_fault("inverter_fault")
                    || self.firmware.inverter_blocked
                    || self.units.working() == 0
                {
                    return refused(name, "the inverter is not available");
                }
                self.firmware.settings.bypass_requested = false;
            }
            "alarm_ack" => {
                self.buzzer_silenced = true;
                self.firmware.latches = Default::default();
            }
            "shutdown" => {
                self.firmware.shutdown = Some(PendingShutdown {
                    at_s: now + command.param("delay_s"),
                    restart_delay_s: command.param("restart_delay_s"),
                });
            }
            "cancel_shutdown" => {
                if self.firmware.shutdown.take().is_none() {
                    return refused(name, "no shutdown is pending");
                }
            }
            "load_off" => {
                if matches!(mode, Mode::LoadOff | Mode::Off) {
                    return refused(name, "the load is already off");
                }
                self.firmware.load_off(now);
            }
            "load_on" => {
                if mode != Mode::LoadOff {
                    return refused(name, format!("the load is not off (mode {mode:?})"));
                }
                self.firmware.load_on(now);
            }
            "power_share" | "power_share_mode" => {
                let plugs = usize::from(capabilities.power_share_plugs).min(MAX_PLUGS);
                let plug = command.param("plug") as usize;
                if plug > plugs {
                    return refused(name, format!("this UPS has {plugs} power-share plugs"));
                }
                let plug = &mut self.plugs[plug - 1];
                if name == "power_share" {
                    plug.mode = PlugMode::Manual;
                    plug.closed = command.param("closed") > 0.5;
                } else {
                    plug.mode = match command.param("mode") as u8 {
                        0 => PlugMode::Manual,
                        1 => PlugMode::BatteryCapacity,
                        2 => PlugMode::RemainingTime,
                        3 => PlugMode::TimeOnBattery,
                        _ => PlugMode::EmergencyLight,
                    };
                    plug.threshold = command.param("threshold");
                }
            }
            "set_date_time" => {
                if !capabilities.date_time {
                    return refused(name, "this UPS has no clock");
                }
                self.clock_epoch_s = command.param("epoch_s");
            }
            other => return refused(name, format!("`{other}` is not handled by this firmware")),
        }
        Ok(())
    }

    /// Automatic plug modes follow the battery.
    pub(super) fn update_plugs(&mut self, on_battery: bool) {
        let charge_pct = self.estimate.charge_pct();
        let remaining_s = self.measurements.remaining_runtime_s;
        let on_battery_s = self.firmware.on_battery_since_s.map_or(0.0, |since| self.time_s - since);
        for plug in &mut self.plugs {
            plug.closed = match plug.mode {
                PlugMode::Manual => plug.closed,
                PlugMode::BatteryCapacity => !on_battery || charge_pct >= plug.threshold,
                PlugMode::RemainingTime => !on_battery || remaining_s >= plug.threshold,
                PlugMode::TimeOnBattery => !on_battery || on_battery_s < plug.threshold,
                PlugMode::EmergencyLight => on_battery,
            };
        }
    }
}
