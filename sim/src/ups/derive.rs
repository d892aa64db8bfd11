//! After each step: the conditions (status and alarm flags) and measurements the UPS
//! reports, derived from firmware state and physics, never set directly.

use super::Ups;
use super::catalogue::index;
use super::conditions::{Conditions, MAX_EXTERNAL_INPUTS, MAX_UNITS};
use super::faults::{Fault, FaultKind};
use super::firmware::{self, Mode, Rectifier, StopReason};
use super::measurements::{AcPoint, Measurements};
use super::power_path::PathStep;
use crate::battery::ChargePhase;

/// Output voltage tolerance before the output alarm: ±10 %.
const OUTPUT_VOLTAGE_TOLERANCE: f64 = 0.10;
/// Load-on-bypass alarm after this long on automatic bypass.
const BYPASS_LONG_S: f64 = 3600.0;

impl Ups {
    pub(super) fn derive(&mut self, step: &PathStep, on_battery: bool) {
        let previous = self.conditions;
        self.measurements = self.measure(step, on_battery);
        let mut c = Conditions::default();
        let fw = &self.firmware;
        let mode = fw.mode;
        let inputs = &self.inputs;
        let time_in_mode_s = self.time_s - fw.mode_since_s;
        let capabilities = &self.model.capabilities;
        let starting_on_bypass = step.starting_on_bypass;

        c.rectifier_input_present = inputs.rectifier_present;
        c.rectifier_on = fw.rectifier != Rectifier::Off && mode != Mode::Off;
        c.rectifier_starting = matches!(fw.rectifier, Rectifier::WalkIn { .. });
        c.charger_on =
            c.rectifier_on && fw.rectifier == Rectifier::On && !self.has_fault(FaultKind::ChargerFault);
        c.inverter_on = step.inverter_running || mode == Mode::Eco;
        c.inverter_synchronized = c.inverter_on && inputs.synchronized;
        c.bypass_input_present = inputs.bypass_present;
        c.static_switch_closed =
            mode.static_bypass_feeds_load() && mode != Mode::LineInteractive || starting_on_bypass;
        c.load_on_inverter = mode == Mode::OnInverter;
        c.load_on_automatic_bypass = mode == Mode::OnBypass || starting_on_bypass;
        c.load_on_maintenance_bypass = mode == Mode::MaintenanceBypass;
        c.maintenance_bypass_closed = self.has_fault(FaultKind::MaintenanceBypassClosed);
        c.load_off =
            matches!(mode, Mode::LoadOff | Mode::Off) || mode == Mode::Starting && !starting_on_bypass;
        c.on_battery = on_battery;
        c.eco_mode = mode == Mode::Eco;
        c.standby = mode == Mode::Standby;
        let offline = self.model.capabilities.offline;
        c.line_interactive = mode == Mode::LineInteractive && !offline;
        c.normal_mode_offline = mode == Mode::LineInteractive && offline;
        c.service_mode = mode == Mode::MaintenanceBypass;
        c.auto_start_in_progress = mode == Mode::Starting;
        c.auto_test = mode == Mode::Starting && time_in_mode_s < firmware::AUTO_TEST_S;
        c.ups_off_procedure = fw.shutdown.is_some();
        c.operating = matches!(mode, Mode::OnInverter | Mode::OnBypass | Mode::Eco | Mode::LineInteractive)
            || starting_on_bypass;
        c.available =
            mode != Mode::Off && !self.has_fault(FaultKind::InverterFault) && self.units.working() > 0;
        c.on_genset = inputs.on_genset;
        c.parallel_system = self.units.parallel;

        // Battery.
        let charging = step.battery_current_a < 0.0;
        c.battery_circuit_open = self.battery.breaker_open
            || (0..self.battery.bank().strings().len()).all(|s| self.battery.bank().string_open(s));
        let any_string_open =
            (0..self.battery.bank().strings().len()).any(|s| self.battery.bank().string_open(s));
        c.battery_test_in_progress = fw.battery_test.is_some();
        c.battery_test_supported = capabilities.battery_test;
        c.battery_test_failed = fw.latches.battery_test_failed;
        c.battery_test_interrupted = fw.latches.battery_test_interrupted;
        c.battery_discharged = fw.battery_discharged;
        let cells = f64::from(self.battery.bank().cells_in_series());
        let margin_v_per_cell = step.battery_voltage_v / cells - self.firmware.end_v_per_cell;
        c.battery_near_end_of_backup = on_battery
            && (self.measurements.remaining_runtime_s <= firmware::LOW_BATTERY_WARNING_S
                || margin_v_per_cell <= firmware::LOW_BATTERY_MARGIN_V_PER_CELL);
        c.battery_charging = charging && self.charger.phase() != ChargePhase::Float;
        c.boost_charge = c.battery_charging;
        c.battery_charged =
            !on_battery && !c.battery_circuit_open && self.charger.phase() == ChargePhase::Float;
        c.battery_failure = c.battery_circuit_open || any_string_open || c.battery_test_failed;
        c.battery_ok = !c.battery_failure && !c.battery_discharged && !c.battery_near_end_of_backup;

        // Controls.
        c.remote_controls_disabled = !self.remote_control_enabled;
        c.controls_permission_managed = capabilities.remote_control;
        let plugs = self.plugs();
        for (closed, plug) in c.power_share_plug_closed.iter_mut().zip(plugs) {
            *closed = plug.closed;
        }
        c.power_share_active = plugs.iter().any(|p| !p.closed);
        for input in 0..MAX_EXTERNAL_INPUTS {
            c.external_alarm[input] = self
                .active_faults()
                .any(|f| matches!(*f, Fault::ExternalAlarm { input: i } if index(i) == input));
        }

        // Alarms.
        let output_fed = step.flows.output_w > 0.0 || step.output_voltage_v.iter().any(|&v| v > 0.0);
        let nominal_v = self.model.ratings.nominal_output_voltage_v;
        let phases = usize::from(self.model.ratings.output_phases);
        c.output_voltage_out_of_tolerance = output_fed
            && step.output_voltage_v[..phases]
                .iter()
                .any(|&v| (v / nominal_v - 1.0).abs() > OUTPUT_VOLTAGE_TOLERANCE);
        let load_pct = 100.0 * self.load.inverter_demand_w() / self.units.capacity_w().max(1.0);
        c.overload = c.operating && load_pct > 100.0;
        c.output_short_circuit = fw.latches.output_short_circuit || self.load.short_circuit;
        c.rectifier_input_out_of_tolerance = inputs.rectifier_present && !inputs.rectifier_ok;
        c.rectifier_input_fault = !inputs.rectifier_present;
        c.bypass_out_of_tolerance = !inputs.bypass_ok;
        c.phase_rotation_fault = inputs.phase_rotation_fault;
        c.over_temperature = self.thermal.over_temperature_alarm();
        c.fan_failure = self.thermal.fans_failed;
        c.charger_fault = self.has_fault(FaultKind::ChargerFault);
        c.rectifier_fault = self.has_fault(FaultKind::RectifierFault);
        c.inverter_fault = self.has_fault(FaultKind::InverterFault) || self.units.working() == 0;
        c.bypass_fault = self.has_fault(FaultKind::BypassFault);
        c.inverter_stopped_for_overload = fw.latches.inverter_stopped_for_overload;
        c.ups_stopped_for_overload = fw.latches.ups_stopped_for_overload;
        c.esd_activated = self.has_fault(FaultKind::EmergencyPowerOff);
        c.ups_power_off = mode == Mode::Off
            || mode == Mode::LoadOff
                && matches!(fw.stop_reason, Some(StopReason::Command | StopReason::Shutdown { .. }));
        let shutdown_close = fw.shutdown.is_some_and(|s| s.at_s - self.time_s <= firmware::IMMINENT_STOP_S);
        let near_end_voltage = margin_v_per_cell <= firmware::IMMINENT_STOP_MARGIN_V_PER_CELL;
        let overload_stop_close =
            mode == Mode::OnInverter && fw.overload.spent > 0.8 && (!inputs.bypass_ok || c.bypass_fault);
        c.imminent_stop = on_battery
            && (self.measurements.remaining_runtime_s <= firmware::IMMINENT_STOP_S || near_end_voltage)
            || shutdown_close
            || overload_stop_close;
        c.transfer_locked = c.bypass_fault || c.esd_activated;
        c.transfer_impossible = !inputs.bypass_ok || c.transfer_locked;
        c.eco_disabled_by_ups = fw.settings.eco_enabled && mode != Mode::Eco && !inputs.bypass_ok;
        c.on_bypass_one_hour = mode == Mode::OnBypass && time_in_mode_s >= BYPASS_LONG_S;
        let load_w = self.requested_load_w();
        c.redundancy_lost = self.units.redundancy_lost(load_w);
        c.insufficient_resources = self.units.insufficient(load_w);
        for i in 0..self.units.count.min(MAX_UNITS) {
            let failed = self.units.failed[i];
            c.units[i].present = true;
            c.units[i].available = !failed && mode != Mode::Off;
            c.units[i].operating = !failed && c.operating;
            c.units[i].general_alarm = failed;
            c.units[i].imminent_stop = !failed && c.imminent_stop;
        }
        c.general_alarm = c.battery_failure
            || c.overload
            || c.output_short_circuit
            || c.rectifier_input_out_of_tolerance
            || c.rectifier_input_fault
            || c.bypass_out_of_tolerance
            || c.phase_rotation_fault
            || c.over_temperature
            || c.fan_failure
            || c.charger_fault
            || c.rectifier_fault
            || c.inverter_fault
            || c.bypass_fault
            || c.imminent_stop
            || c.esd_activated
            || c.battery_discharged
            || c.on_battery && !c.battery_test_in_progress
            || c.redundancy_lost
            || c.external_alarm.iter().any(|&a| a)
            || c.units.iter().any(|u| u.general_alarm);
        // The buzzer sounds while alarms are present, until acknowledged; a new alarm
        // sounds it again.
        if self.alarm_set_grew(&previous, &c) || !c.general_alarm {
            self.buzzer_silenced = false;
        }
        c.buzzer_on = c.general_alarm && !self.buzzer_silenced;
        c.alarm_ack_requested = c.buzzer_on;
        self.conditions = c;
    }

    /// Whether an alarm that is part of the general alarm appeared this step.
    fn alarm_set_grew(&self, before: &Conditions, now: &Conditions) -> bool {
        let alarms = |c: &Conditions| {
            [
                c.battery_failure,
                c.overload,
                c.output_short_circuit,
                c.rectifier_input_out_of_tolerance,
                c.rectifier_input_fault,
                c.bypass_out_of_tolerance,
                c.phase_rotation_fault,
                c.over_temperature,
                c.fan_failure,
                c.charger_fault,
                c.rectifier_fault,
                c.inverter_fault,
                c.bypass_fault,
                c.imminent_stop,
                c.esd_activated,
                c.battery_discharged,
                c.on_battery,
                c.redundancy_lost,
            ]
        };
        alarms(now).iter().zip(alarms(before)).any(|(&now, before)| now && !before)
    }

    fn measure(&self, step: &PathStep, on_battery: bool) -> Measurements {
        let ratings = &self.model.ratings;
        let output_phases = usize::from(ratings.output_phases);
        let per_phase_rating_w = self.rated_w() / output_phases as f64;
        let power_factor = self.load.power_factor;
        let mut output = AcPoint { frequency_hz: step.output_frequency_hz, ..AcPoint::default() };
        let mut output_apparent_power_va = [0.0; 3];
        let mut output_power_factor = [0.0; 3];
        let mut output_load_pct = [0.0; 3];
        for phase in 0..output_phases {
            let voltage_v = step.output_voltage_v[phase];
            output.voltage_v[phase] = voltage_v;
            let power_w = step.output_power_w[phase];
            if voltage_v > 0.0 && power_w > 0.0 {
                output.current_a[phase] = power_w / (voltage_v * power_factor);
                output_apparent_power_va[phase] = voltage_v * output.current_a[phase];
                output_power_factor[phase] = power_factor;
            }
            output_load_pct[phase] = 100.0 * power_w / per_phase_rating_w;
        }
        if self.load.short_circuit && self.firmware.mode == Mode::OnInverter {
            // The inverter current-limits into the short at twice its rating.
            let limit_a = 2.0 * per_phase_rating_w / ratings.nominal_output_voltage_v;
            output.current_a[..output_phases].iter_mut().for_each(|a| *a = limit_a);
        }
        let input_phases = usize::from(ratings.input_phases);
        let mut input =
            AcPoint { frequency_hz: self.inputs.rectifier_feed.frequency_hz, ..AcPoint::default() };
        input.voltage_v[..input_phases]
            .copy_from_slice(&self.inputs.rectifier_feed.voltage_v[..input_phases]);
        input.current_a = self.input_current_a(step.flows.input_w);
        let mut bypass = AcPoint { frequency_hz: self.inputs.bypass_feed.frequency_hz, ..AcPoint::default() };
        bypass.voltage_v[..input_phases].copy_from_slice(&self.inputs.bypass_feed.voltage_v[..input_phases]);
        if step.flows.bypass_w > 0.0 {
            bypass.current_a = output.current_a;
        }
        let output_w: f64 = step.output_power_w.iter().sum();
        let cells = f64::from(self.battery.bank().cells_in_series());
        let margin_v_per_cell = step.battery_voltage_v / cells - self.firmware.end_v_per_cell;
        let remaining_runtime_s = if self.battery.breaker_open {
            0.0
        } else {
            self.estimate.remaining_s(on_battery.then_some(margin_v_per_cell))
        };
        let inverter_on = step.inverter_running;
        let battery_voltage_v = if self.battery.breaker_open { 0.0 } else { step.battery_voltage_v };
        Measurements {
            input,
            input_power_w: step.flows.input_w,
            bypass,
            bypass_power_w: step.flows.bypass_w,
            output,
            output_power_w: step.output_power_w,
            output_apparent_power_va,
            output_power_factor,
            output_crest_factor: if output_w > 0.0 { self.load.crest_factor } else { 0.0 },
            output_load_pct,
            output_neutral_current_a: neutral_current_a(&output.current_a, output_phases),
            inverter_voltage_v: if inverter_on { step.output_voltage_v } else { [0.0; 3] },
            inverter_frequency_hz: if inverter_on { step.output_frequency_hz } else { 0.0 },
            dc_bus_voltage_v: step.dc_bus_v,
            battery_voltage_v,
            battery_half_voltage_v: if self.model.battery.midpoint {
                let negative_v = battery_voltage_v * self.battery.negative_half_share();
                [battery_voltage_v - negative_v, negative_v]
            } else {
                [battery_voltage_v, 0.0]
            },
            battery_current_a: step.battery_current_a,
            battery_charge_pct: self.estimate.charge_pct(),
            battery_capacity_ah: self.battery.bank().nominal_capacity_ah(),
            battery_temperature_c: self.battery.temperature_c(),
            remaining_runtime_s,
            time_on_battery_s: if on_battery {
                self.firmware.on_battery_since_s.map_or(0.0, |since| self.time_s - since)
            } else {
                0.0
            },
            ambient_temperature_c: self.thermal.ambient_c,
            internal_temperature_c: self.thermal.internal_c,
            losses_w: step.flows.losses_w,
        }
    }
}

/// Neutral current of a star-connected output: the phasor sum of the phase currents, which
/// share one power factor, 120° apart. A single-phase output returns its line current.
fn neutral_current_a(current_a: &[f64; 3], phases: usize) -> f64 {
    if phases == 1 {
        return current_a[0];
    }
    let (mut re, mut im) = (0.0, 0.0);
    for (k, &i) in current_a.iter().enumerate() {
        let angle = -2.0 * std::f64::consts::PI * k as f64 / 3.0;
        re += i * angle.cos();
        im += i * angle.sin();
    }
    re.hypot(im)
}
