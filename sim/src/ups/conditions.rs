//! The firmware's map-independent status and alarm conditions. Register maps bind their
//! status and alarm bits (JBUSP S00–S63/A00–A63, VU-MAP S000–S127/A000–A127) to these names
//! in `ups-models/maps/tables/*.csv` (column `signal`), so one firmware serves every map.

/// Units (parallel) or modules (modular) the conditions can describe: VU-MAP has 15 slots.
pub const MAX_UNITS: usize = 15;
/// Power-share plugs and external inputs the maps can describe.
pub const MAX_PLUGS: usize = 4;
pub const MAX_EXTERNAL_INPUTS: usize = 4;

/// Per unit or module.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitConditions {
    pub present: bool,
    pub operating: bool,
    pub available: bool,
    pub general_alarm: bool,
    pub imminent_stop: bool,
}

/// Every condition the firmware derives, one bool each. `Copy` and cheap to compare, so a
/// caller can diff two steps to see what was raised and cleared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Conditions {
    // Power path and modes.
    pub rectifier_input_present: bool,
    pub rectifier_on: bool,
    pub rectifier_starting: bool,
    pub charger_on: bool,
    pub inverter_on: bool,
    pub inverter_synchronized: bool,
    pub bypass_input_present: bool,
    pub static_switch_closed: bool,
    pub load_on_inverter: bool,
    pub load_on_automatic_bypass: bool,
    pub load_on_maintenance_bypass: bool,
    pub maintenance_bypass_closed: bool,
    pub load_off: bool,
    pub on_battery: bool,
    pub eco_mode: bool,
    pub standby: bool,
    pub line_interactive: bool,
    /// An off-line UPS passing mains through ("Normal mode").
    pub normal_mode_offline: bool,
    pub service_mode: bool,
    pub auto_test: bool,
    pub auto_start_in_progress: bool,
    pub ups_off_procedure: bool,
    pub operating: bool,
    pub available: bool,
    pub on_genset: bool,
    pub parallel_system: bool,
    // Battery.
    pub battery_ok: bool,
    pub battery_charged: bool,
    pub battery_charging: bool,
    pub boost_charge: bool,
    pub battery_test_in_progress: bool,
    pub battery_test_supported: bool,
    pub battery_test_failed: bool,
    pub battery_test_interrupted: bool,
    pub battery_near_end_of_backup: bool,
    pub battery_discharged: bool,
    pub battery_circuit_open: bool,
    pub battery_failure: bool,
    // Controls.
    pub remote_controls_disabled: bool,
    pub controls_permission_managed: bool,
    pub buzzer_on: bool,
    pub alarm_ack_requested: bool,
    pub power_share_active: bool,
    pub power_share_plug_closed: [bool; MAX_PLUGS],
    pub external_alarm: [bool; MAX_EXTERNAL_INPUTS],
    // Alarms.
    pub general_alarm: bool,
    pub overload: bool,
    pub output_short_circuit: bool,
    pub output_voltage_out_of_tolerance: bool,
    pub rectifier_input_out_of_tolerance: bool,
    pub rectifier_input_fault: bool,
    pub bypass_out_of_tolerance: bool,
    pub phase_rotation_fault: bool,
    pub over_temperature: bool,
    pub fan_failure: bool,
    pub charger_fault: bool,
    pub rectifier_fault: bool,
    pub inverter_fault: bool,
    pub bypass_fault: bool,
    pub inverter_stopped_for_overload: bool,
    pub ups_stopped_for_overload: bool,
    pub imminent_stop: bool,
    pub esd_activated: bool,
    pub ups_power_off: bool,
    pub transfer_impossible: bool,
    pub transfer_locked: bool,
    pub eco_disabled_by_ups: bool,
    pub on_bypass_one_hour: bool,
    pub redundancy_lost: bool,
    pub insufficient_resources: bool,
    pub units: [UnitConditions; MAX_UNITS],
}

impl Conditions {
    /// Calls `visit(name, index, value)` for every condition; indexed conditions (units,
    /// plugs, external inputs) are visited once per index, counted from 1 as the maps do.
    pub fn visit(&self, mut visit: impl FnMut(&'static str, Option<usize>, bool)) {
        macro_rules! plain {
            ($($field:ident),* $(,)?) => { $(visit(stringify!($field), None, self.$field);)* };
        }
        plain!(
            rectifier_input_present,
            rectifier_on,
            rectifier_starting,
            charger_on,
            inverter_on,
            inverter_synchronized,
            bypass_input_present,
            static_switch_closed,
            load_on_inverter,
            load_on_automatic_bypass,
            load_on_maintenance_bypass,
            maintenance_bypass_closed,
            load_off,
            on_battery,
            eco_mode,
            standby,
            line_interactive,
            service_mode,
            auto_test,
            auto_start_in_progress,
            ups_off_procedure,
            operating,
            available,
            on_genset,
            parallel_system,
            battery_ok,
            battery_charged,
            battery_charging,
            boost_charge,
            battery_test_in_progress,
            battery_test_supported,
            battery_test_failed,
            battery_test_interrupted,
            battery_near_end_of_backup,
            battery_discharged,
            battery_circuit_open,
            battery_failure,
            remote_controls_disabled,
            controls_permission_managed,
            buzzer_on,
            alarm_ack_requested,
            power_share_active,
            general_alarm,
            overload,
            output_short_circuit,
            output_voltage_out_of_tolerance,
            rectifier_input_out_of_tolerance,
            rectifier_input_fault,
            bypass_out_of_tolerance,
            phase_rotation_fault,
            over_temperature,
            fan_failure,
            charger_fault,
            rectifier_fault,
            inverter_fault,
            bypass_fault,
            inverter_stopped_for_overload,
            ups_stopped_for_overload,
            imminent_stop,
            esd_activated,
            ups_power_off,
            transfer_impossible,
            transfer_locked,
            eco_disabled_by_ups,
            on_bypass_one_hour,
            redundancy_lost,
            insufficient_resources,
        );
        for (i, &closed) in self.power_share_plug_closed.iter().enumerate() {
            visit("power_share_plug_closed", Some(i + 1), closed);
        }
        for (i, &alarm) in self.external_alarm.iter().enumerate() {
            visit("external_alarm", Some(i + 1), alarm);
        }
        for (i, unit) in self.units.iter().enumerate() {
            visit("unit_present", Some(i + 1), unit.present);
            visit("unit_operating", Some(i + 1), unit.operating);
            visit("unit_available", Some(i + 1), unit.available);
            visit("unit_general_alarm", Some(i + 1), unit.general_alarm);
            visit("unit_imminent_stop", Some(i + 1), unit.imminent_stop);
        }
    }

    /// The value of a named condition (`None` if there is no such name or index).
    pub fn get(&self, name: &str, index: Option<usize>) -> Option<bool> {
        let mut found = None;
        self.visit(|n, i, value| {
            if n == name && i == index {
                found = Some(value);
            }
        });
        found
    }

    /// Position of a condition in [`Conditions::visit`] order, for [`Conditions::flat`].
    pub fn index_of(name: &str, index: Option<usize>) -> Option<usize> {
        let mut position = 0;
        let mut found = None;
        Conditions::default().visit(|n, i, _| {
            if found.is_none() && n == name && i == index {
                found = Some(position);
            }
            position += 1;
        });
        found
    }

    /// Every condition's value in [`Conditions::visit`] order.
    pub fn flat(&self) -> Vec<bool> {
        let mut values = Vec::with_capacity(256);
        self.visit(|_, _, value| values.push(value));
        values
    }

    /// Whether `name` (with or without an index) is a condition at all.
    pub fn is_known(name: &str, index: Option<usize>) -> bool {
        Conditions::default().get(name, index).is_some()
    }

    /// Conditions that differ between two snapshots, with their new value.
    pub fn changes(&self, before: &Conditions) -> Vec<(&'static str, Option<usize>, bool)> {
        let mut now = Vec::new();
        self.visit(|name, index, value| now.push((name, index, value)));
        let mut changed = Vec::new();
        let mut i = 0;
        before.visit(|_, _, value| {
            if now[i].2 != value {
                changed.push(now[i]);
            }
            i += 1;
        });
        changed
    }
}

/// Name with its index, as written in map tables: `unit_present:3`.
pub fn display_name(name: &str, index: Option<usize>) -> String {
    match index {
        Some(i) => format!("{name}:{i}"),
        None => name.to_string(),
    }
}
