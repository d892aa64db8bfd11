//! What acts on the twin from outside: faults injected and cleared by kind, firmware
//! commands (accepted or refused with a reason), and the power-share plugs they set.

use super::Ups;
use super::catalogue::index;
use super::commands::{Command, Refused};
use super::faults::{Fault, FaultKind, ParseError};
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

fn refused(command: &Command, reason: impl Into<String>) -> Result<(), Refused> {
    Err(Refused { command: command.name(), reason: reason.into() })
}

/// Faults that change the battery bank itself.
fn changes_the_bank(kind: FaultKind) -> bool {
    matches!(kind, FaultKind::WeakBlock | FaultKind::AgedBattery | FaultKind::OpenBlock)
}

/// What a fault names rather than how (which block, input, unit or phase): a fault of the
/// same kind and identity replaces the earlier one.
fn identity(fault: &Fault) -> (FaultKind, [u8; 2]) {
    let which = match *fault {
        Fault::WeakBlock { string, block, .. } | Fault::OpenBlock { string, block } => [string, block],
        Fault::ExternalAlarm { input: one }
        | Fault::UnitFailure { unit: one }
        | Fault::MainsPhaseLoss { phase: one } => [one, 0.0],
        _ => [0.0, 0.0],
    };
    (fault.kind(), which.map(|v| v as u8))
}

impl Ups {
    /// Injects a fault; parameters that depend on the model (which string, which unit) are
    /// checked against it.
    pub fn inject(&mut self, fault: Fault) -> Result<(), ParseError> {
        self.check_fault_fits(&fault)?;
        if let Some(position) =
            self.faults.iter().position(|active| identity(&active.fault) == identity(&fault))
        {
            let old = self.faults.remove(position);
            self.set_at_once(&old.fault, false);
        }
        self.set_at_once(&fault, true);
        let kind = fault.kind();
        self.faults.push(ActiveFault { fault, started_s: self.time_s });
        if changes_the_bank(kind) {
            self.apply_battery_faults();
        }
        Ok(())
    }

    fn check_fault_fits(&self, fault: &Fault) -> Result<(), ParseError> {
        fault.check()?;
        let bank = self.battery.bank();
        let limit = |param: &str, value: f64, count: usize, what: &str| {
            if value as usize > count {
                Err(ParseError(format!(
                    "{}: {param} must be within 1..={count} ({count} {what} on this model), found {value}",
                    fault.name()
                )))
            } else {
                Ok(())
            }
        };
        match *fault {
            Fault::WeakBlock { string, block, .. } | Fault::OpenBlock { string, block } => {
                limit("string", string, bank.strings().len(), "strings")?;
                limit("block", block, bank.strings()[0].len(), "blocks per string")
            }
            Fault::UnitFailure { unit } => {
                limit("unit", unit, self.units.count, if self.units.parallel { "units" } else { "modules" })
            }
            Fault::MainsPhaseLoss { phase } => {
                limit("phase", phase, usize::from(self.model.ratings.input_phases), "input phases")
            }
            _ => Ok(()),
        }
    }

    /// Clears every fault of that kind; returns how many were in force.
    pub fn clear(&mut self, kind: FaultKind) -> usize {
        let (cleared, kept): (Vec<ActiveFault>, Vec<ActiveFault>) =
            std::mem::take(&mut self.faults).into_iter().partition(|f| f.fault.kind() == kind);
        self.faults = kept;
        for active in &cleared {
            self.set_at_once(&active.fault, false);
        }
        if changes_the_bank(kind) {
            self.apply_battery_faults();
        }
        cleared.len()
    }

    /// What a fault changes at once in the UPS when it is injected (`on`) and puts back
    /// when it is cleared. Every fault is listed, so a new one must say where it acts.
    fn set_at_once(&mut self, fault: &Fault, on: bool) {
        match *fault {
            Fault::Genset { start_delay_s, rating_pct } if on => {
                self.genset.start(start_delay_s, self.rated_w() * rating_pct / 100.0)
            }
            Fault::Genset { .. } => self.genset.stop(),
            Fault::Overload { load_pct } => {
                self.load.overload_total_w = on.then(|| self.rated_w() * load_pct / 100.0)
            }
            Fault::OutputShortCircuit => self.load.short_circuit = on,
            Fault::AmbientTemperature { temperature_c } => {
                self.set_ambient_c(if on { temperature_c } else { self.start_ambient_c })
            }
            Fault::FanFailure => self.thermal.fans_failed = on,
            Fault::BatteryDisconnected => self.battery.breaker_open = on,
            Fault::MiscalibratedRuntime { factor } => self.estimate.factor = if on { factor } else { 1.0 },
            Fault::UnitFailure { unit } => self.units.failed[index(unit)] = on,
            Fault::RemoteControlDisabled => {
                self.remote_control_enabled = !on && self.model.capabilities.remote_control
            }
            // Read where they act: the supplies (`inputs`), the bank (`apply_battery_faults`),
            // the firmware's conditions (`derive`) and the power path.
            Fault::MainsBlackout
            | Fault::MainsSag { .. }
            | Fault::MainsSwell { .. }
            | Fault::MainsFrequency { .. }
            | Fault::MainsPhaseLoss { .. }
            | Fault::MainsPhaseRotation
            | Fault::MainsFlapping { .. }
            | Fault::BypassOutOfTolerance
            | Fault::BypassBlackout
            | Fault::WeakBlock { .. }
            | Fault::OpenBlock { .. }
            | Fault::AgedBattery { .. }
            | Fault::ChargerFault
            | Fault::RectifierFault
            | Fault::InverterFault
            | Fault::BypassFault
            | Fault::EmergencyPowerOff
            | Fault::MaintenanceBypassClosed
            | Fault::ExternalAlarm { .. } => {}
        }
    }

    /// Sets the battery from its natural state plus every battery fault in force, so faults
    /// can be injected and cleared in any order: each block's health is the lowest any
    /// fault gives it (or its own, with none), and a string is open while any `open_block`
    /// names it.
    fn apply_battery_faults(&mut self) {
        let health_faults: Vec<Fault> = self
            .active_faults()
            .filter(|f| matches!(f, Fault::WeakBlock { .. } | Fault::AgedBattery { .. }))
            .copied()
            .collect();
        let open_strings: Vec<usize> = self
            .active_faults()
            .filter_map(|f| match *f {
                Fault::OpenBlock { string, .. } => Some(index(string)),
                _ => None,
            })
            .collect();
        if !health_faults.is_empty() && self.natural_health.is_none() {
            self.natural_health = Some(self.battery.bank().blocks().map(|b| b.state_of_health()).collect());
        }
        let natural =
            if health_faults.is_empty() { self.natural_health.take() } else { self.natural_health.clone() };
        let bank = self.battery.bank_mut();
        let blocks = bank.strings()[0].len();
        if let Some(natural) = natural {
            for (i, &own) in natural.iter().enumerate() {
                let (string, block) = (i / blocks, i % blocks);
                let forced = health_faults
                    .iter()
                    .filter_map(|f| match *f {
                        Fault::AgedBattery { soh_pct } => Some(soh_pct / 100.0),
                        Fault::WeakBlock { string: s, block: b, capacity_pct }
                            if index(s) == string && index(b) == block =>
                        {
                            Some(capacity_pct / 100.0)
                        }
                        _ => None,
                    })
                    .fold(None, |lowest: Option<f64>, soh| Some(lowest.map_or(soh, |l| l.min(soh))));
                if let Some(block) = bank.block_mut(string, block) {
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
        command.check().map_err(|e| Refused { command: command.name(), reason: e.0 })?;
        let capabilities = self.model.capabilities.clone();
        if !capabilities.remote_control {
            return refused(command, "this UPS has no remote control");
        }
        if !self.remote_control_enabled {
            return refused(command, "remote control is disabled on the UPS panel");
        }
        let now = self.time_s;
        let mode = self.firmware.mode;
        match *command {
            Command::BatteryTest => {
                if !capabilities.battery_test {
                    return refused(command, "this UPS has no battery test");
                }
                if self.firmware.battery_test.is_some() {
                    return refused(command, "a battery test is already running");
                }
                if !self.inputs.rectifier_ok {
                    return refused(command, "mains is not in tolerance");
                }
                if !matches!(mode, Mode::OnInverter | Mode::Eco | Mode::LineInteractive)
                    || self.conditions.on_battery
                {
                    return refused(
                        command,
                        format!("the load is not on the UPS with mains (mode {mode:?})"),
                    );
                }
                if self.battery.breaker_open {
                    return refused(command, "the battery is disconnected");
                }
                let charge_pct = self.estimate.charge_pct();
                if charge_pct < 90.0 {
                    return refused(command, format!("the battery is not charged ({charge_pct:.0} %)"));
                }
                self.firmware.latches.battery_test_failed = false;
                self.firmware.latches.battery_test_interrupted = false;
                self.firmware.battery_test =
                    Some(BatteryTestRun::new(now, self.measurements.remaining_runtime_s));
            }
            Command::EcoOn | Command::EcoOff => {
                if !capabilities.eco_mode {
                    return refused(command, "this UPS has no eco mode");
                }
                self.firmware.settings.eco_enabled = *command == Command::EcoOn;
            }
            Command::StandbyOn | Command::StandbyOff => {
                if !capabilities.standby {
                    return refused(command, "this UPS has no standby mode");
                }
                self.firmware.settings.standby_requested = *command == Command::StandbyOn;
            }
            Command::LineInteractiveOn | Command::LineInteractiveOff => {
                if !capabilities.line_interactive {
                    return refused(command, "this UPS is not line-interactive");
                }
                self.firmware.settings.line_interactive_enabled = *command == Command::LineInteractiveOn;
            }
            Command::TransferToBypass => {
                if self.has_fault(FaultKind::BypassFault) {
                    return refused(command, "the bypass is faulty (transfer locked)");
                }
                if !self.inputs.bypass_ok {
                    return refused(
                        command,
                        "the bypass is out of tolerance or not synchronised (transfer impossible)",
                    );
                }
                self.firmware.settings.bypass_requested = true;
            }
            Command::TransferToInverter => {
                if self.has_fault(FaultKind::InverterFault)
                    || self.firmware.inverter_blocked
                    || self.units.working() == 0
                {
                    return refused(command, "the inverter is not available");
                }
                self.firmware.settings.bypass_requested = false;
            }
            Command::AlarmAck => {
                self.buzzer_silenced = true;
                self.firmware.latches = Default::default();
            }
            Command::Shutdown { delay_s, restart_delay_s } => {
                self.firmware.shutdown = Some(PendingShutdown { at_s: now + delay_s, restart_delay_s });
            }
            Command::CancelShutdown => {
                if self.firmware.shutdown.take().is_none() {
                    return refused(command, "no shutdown is pending");
                }
            }
            Command::LoadOff => {
                if matches!(mode, Mode::LoadOff | Mode::Off) {
                    return refused(command, "the load is already off");
                }
                self.firmware.load_off(now);
            }
            Command::LoadOn => {
                if mode != Mode::LoadOff {
                    return refused(command, format!("the load is not off (mode {mode:?})"));
                }
                self.firmware.load_on(now);
            }
            Command::PowerShare { plug, closed } => {
                let plug = self.plug(command, plug)?;
                plug.mode = PlugMode::Manual;
                plug.closed = closed > 0.5;
            }
            Command::PowerShareMode { plug, mode: plug_mode, threshold } => {
                let plug = self.plug(command, plug)?;
                plug.mode = match plug_mode as u8 {
                    0 => PlugMode::Manual,
                    1 => PlugMode::BatteryCapacity,
                    2 => PlugMode::RemainingTime,
                    3 => PlugMode::TimeOnBattery,
                    _ => PlugMode::EmergencyLight,
                };
                plug.threshold = threshold;
            }
            Command::SetDateTime { epoch_s } => {
                if !capabilities.date_time {
                    return refused(command, "this UPS has no clock");
                }
                self.clock_epoch_s = epoch_s;
            }
        }
        Ok(())
    }

    /// The power-share plug a command names (1-based), if this UPS has it.
    fn plug(&mut self, command: &Command, number: f64) -> Result<&mut Plug, Refused> {
        let plugs = usize::from(self.model.capabilities.power_share_plugs).min(MAX_PLUGS);
        let number = number as usize;
        if number > plugs {
            return Err(Refused {
                command: command.name(),
                reason: format!("this UPS has {plugs} power-share plugs"),
            });
        }
        Ok(&mut self.plugs[number - 1])
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
