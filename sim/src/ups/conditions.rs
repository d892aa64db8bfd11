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

/// Declares [`Conditions`] from one list of its plain (unindexed) conditions: the struct's
/// fields and the names [`Conditions::visit`] gives them come from the same words, so a new
/// condition cannot be declared without a name, nor named without a field.
macro_rules! conditions {
    ($($(#[$meta:meta])* $field:ident,)*) => {
        /// Every condition the firmware derives, one bool each. `Copy` and cheap to compare, so
        /// a caller can diff two steps to see what was raised and cleared.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct Conditions {
            $($(#[$meta])* pub $field: bool,)*
            pub power_share_plug_closed: [bool; MAX_PLUGS],
            pub external_alarm: [bool; MAX_EXTERNAL_INPUTS],
            pub units: [UnitConditions; MAX_UNITS],
        }

        impl Conditions {
            /// Visits the plain conditions, in declaration order.
            fn visit_plain(&self, visit: &mut impl FnMut(&'static str, Option<usize>, bool)) {
                $(visit(stringify!($field), None, self.$field);)*
            }
        }
    };
}

conditions! {
    // Power path and modes.
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
    /// An off-line UPS passing mains through ("Normal mode").
    normal_mode_offline,
    service_mode,
    auto_test,
    auto_start_in_progress,
    ups_off_procedure,
    operating,
    available,
    on_genset,
    parallel_system,
    // Battery.
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
    // Controls.
    remote_controls_disabled,
    controls_permission_managed,
    buzzer_on,
    alarm_ack_requested,
    power_share_active,
    // Alarms.
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
}

impl Conditions {
    /// Calls `visit(name, index, value)` for every condition; indexed conditions (units,
    /// plugs, external inputs) are visited once per index, counted from 1 as the maps do.
    pub fn visit(&self, mut visit: impl FnMut(&'static str, Option<usize>, bool)) {
        self.visit_plain(&mut visit);
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
