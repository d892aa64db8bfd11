//! The whole twin: sources → rectifier → DC bus ↔ battery → inverter / static bypass → load,
//! with the UPS firmware on top. Pure and deterministic: [`Ups::step`] takes `dt_s`, the RNG
//! is seeded, there is no clock and no I/O.

pub mod battery_port;
pub mod catalogue;
pub mod commands;
pub mod conditions;
mod control;
mod derive;
pub mod end_of_discharge;
pub mod estimate;
pub mod faults;
pub mod firmware;
pub mod inputs;
mod invariants;
pub mod load;
pub mod measurements;
pub mod overload;
mod power_path;
pub mod sources;
pub mod thermal;
pub mod transfer;
pub mod units;

use crate::SimRng;
use crate::battery::{Bank, Charger};
use battery_port::BatteryPort;
use conditions::{Conditions, MAX_PLUGS};
use end_of_discharge::DischargeRate;
use estimate::RuntimeEstimate;
use faults::{Fault, FaultKind};
use firmware::Firmware;
use load::Load;
use measurements::Measurements;
use overload::OverloadBudget;
use rand::SeedableRng;
use sources::Genset;
use thermal::Thermal;
use units::Units;
use ups_models::LoadedModel;
use ups_models::model::{BatterySpec, UpsModel};

pub use control::{Plug, PlugMode};
pub use firmware::Mode;

/// Seconds of float charge a full battery gets before the run starts (5 polarization time
/// constants).
const FLOAT_SETTLE_STEPS: usize = 150;

/// 2026-01-01T00:00:00Z: the UPS clock at the start of every run (commands can set it).
const DEFAULT_EPOCH_S: f64 = 1_767_225_600.0;

/// Where a run starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct StartOptions {
    /// Load as a share of the active-power rating, %, spread evenly over the output phases.
    pub load_pct: f64,
    pub power_factor: f64,
    pub ambient_c: f64,
    /// Battery state of charge, 0–1.
    pub state_of_charge: f64,
    /// Battery state of health, 0–1.
    pub state_of_health: f64,
}

impl Default for StartOptions {
    fn default() -> Self {
        Self {
            load_pct: 50.0,
            power_factor: 0.9,
            ambient_c: 25.0,
            state_of_charge: 1.0,
            state_of_health: 1.0,
        }
    }
}

/// Energy flows of one step, W. Balance: `input + bypass + battery_out = output + losses +
/// battery_in`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Flows {
    pub input_w: f64,
    pub bypass_w: f64,
    pub battery_out_w: f64,
    pub battery_in_w: f64,
    pub output_w: f64,
    pub losses_w: f64,
}

impl Flows {
    /// Relative error of the energy balance (0 when it holds exactly).
    pub fn balance_error(&self) -> f64 {
        let supplied = self.input_w + self.bypass_w + self.battery_out_w;
        let used = self.output_w + self.losses_w + self.battery_in_w;
        (supplied - used).abs() / supplied.max(used).max(1.0)
    }
}

/// A fault in force and when it was injected.
#[derive(Debug, Clone, PartialEq)]
struct ActiveFault {
    fault: Fault,
    started_s: f64,
}

#[derive(Debug, Clone)]
pub struct Ups {
    model: UpsModel,
    time_s: f64,
    rng: SimRng,
    genset: Genset,
    mains_profile: sources::MainsProfile,
    load: Load,
    battery: BatteryPort,
    charger: Charger,
    thermal: Thermal,
    start_ambient_c: f64,
    units: Units,
    firmware: Firmware,
    estimate: RuntimeEstimate,
    faults: Vec<ActiveFault>,
    /// Every block's own state of health while battery faults override it.
    natural_health: Option<Vec<f64>>,
    remote_control_enabled: bool,
    buzzer_silenced: bool,
    plugs: [Plug; MAX_PLUGS],
    clock_epoch_s: f64,
    /// The inverter's output frequency, slewed towards what it follows, Hz.
    inverter_frequency_hz: f64,
    /// The bank steps already checked against the invariants (debug builds).
    checked_bank_steps: u64,
    /// The last time the load moved between paths.
    last_transfer: Option<transfer::Transfer>,
    // Results of the last step.
    inputs: inputs::Inputs,
    flows: Flows,
    measurements: Measurements,
    conditions: Conditions,
}

impl Ups {
    /// A UPS that has been running on mains, load on inverter, battery as `options` say.
    pub fn new(loaded: &LoadedModel, seed: u64, options: &StartOptions) -> Self {
        Self::calibrated(loaded, seed, options, Self::factory_calibration(loaded, seed, options.ambient_c))
    }

    /// The factory calibration of the model's runtime estimate: a new, full battery (the one
    /// `seed` draws, at `ambient_c`) discharged at the rated load, with the converters'
    /// losses it also carries, and at half of it. A full discharge simulated twice: a fleet
    /// of one model computes it once and starts every device with it (`Ups::calibrated`).
    pub fn factory_calibration(loaded: &LoadedModel, seed: u64, ambient_c: f64) -> FactoryCalibration {
        let model = &loaded.model;
        let battery_spec = &model.battery;
        let mut rng = SimRng::seed_from_u64(seed);
        let bank = Bank::new(
            loaded.block.clone(),
            battery_spec.strings as usize,
            battery_spec.blocks_per_string as usize,
            ambient_c,
            &mut rng,
        );
        let rated_w = model.ratings.active_power_kw * 1000.0;
        let units = Units::new(&model.topology, rated_w);
        let full_load_dc_w =
            rated_w + power_path::conversion_losses_w(&model.efficiency, units.capacity_w(), rated_w);
        let full = discharge_at_power(&bank, full_load_dc_w, battery_spec, 24.0 * 3600.0);
        let half_load_dc_w = rated_w / 2.0
            + power_path::conversion_losses_w(&model.efficiency, units.capacity_w(), rated_w / 2.0);
        let half_load_backup_s = runtime_at_power_s(&bank, half_load_dc_w, battery_spec, 24.0 * 3600.0);
        FactoryCalibration { full_load_s: full.seconds, full_load_ah: full.ah, half_load_backup_s }
    }

    /// The UPS with a factory calibration already made (`Ups::factory_calibration`).
    pub fn calibrated(
        loaded: &LoadedModel,
        seed: u64,
        options: &StartOptions,
        calibration: FactoryCalibration,
    ) -> Self {
        let model = loaded.model.clone();
        let mut rng = SimRng::seed_from_u64(seed);
        let battery_spec = &model.battery;
        let mut bank = Bank::new(
            loaded.block.clone(),
            battery_spec.strings as usize,
            battery_spec.blocks_per_string as usize,
            options.ambient_c,
            &mut rng,
        );
        let rated_w = model.ratings.active_power_kw * 1000.0;
        let units = Units::new(&model.topology, rated_w);
        for string in 0..battery_spec.strings as usize {
            for index in 0..battery_spec.blocks_per_string as usize {
                if let Some(block) = bank.block_mut(string, index) {
                    block.set_state_of_health(options.state_of_health);
                    block.set_state_of_charge(&loaded.block, options.state_of_charge);
                }
            }
        }
        let output_phases = usize::from(model.ratings.output_phases);
        let mut power_w = [0.0; 3];
        for phase in power_w.iter_mut().take(output_phases) {
            *phase = rated_w * options.load_pct / 100.0 / output_phases as f64;
        }
        let line_interactive_ups = model.capabilities.line_interactive || model.capabilities.offline;
        let mut estimate = RuntimeEstimate::new(
            calibration.full_load_s,
            calibration.full_load_ah,
            calibration.half_load_backup_s,
        );
        estimate.set_left(options.state_of_charge);
        let nominal = sources::Feed::nominal(
            model.ratings.nominal_input_voltage_v,
            model.ratings.nominal_input_frequency_hz,
        );
        let mut ups = Self {
            time_s: 0.0,
            rng,
            genset: Genset::stopped(),
            mains_profile: sources::MainsProfile::default(),
            load: Load::new(power_w, options.power_factor, output_phases),
            battery: BatteryPort::new(bank),
            charger: Charger::new(battery_spec.charger.clone()),
            thermal: Thermal::new(model.thermal.clone(), options.ambient_c),
            start_ambient_c: options.ambient_c,
            units,
            firmware: Firmware::new(
                OverloadBudget::new(model.overload.clone()),
                OverloadBudget::new(model.overload_protection.bypass.clone()),
                model.overload_protection.transfer_at_budget_pct / 100.0,
                line_interactive_ups,
                battery_spec.end_of_discharge_v_per_cell_at(0.0),
            )
            .running(line_interactive_ups),
            estimate,
            faults: Vec::new(),
            natural_health: None,
            remote_control_enabled: model.capabilities.remote_control,
            buzzer_silenced: false,
            plugs: [Plug::default(); MAX_PLUGS],
            clock_epoch_s: DEFAULT_EPOCH_S,
            inverter_frequency_hz: model.ratings.nominal_output_frequency_hz,
            checked_bank_steps: 0,
            last_transfer: None,
            inputs: inputs::Inputs {
                rectifier_feed: nominal,
                bypass_feed: nominal,
                on_genset: false,
                rectifier_present: true,
                rectifier_ok: true,
                phase_rotation_fault: false,
                bypass_present: true,
                bypass_ok: true,
                synchronized: true,
            },
            flows: Flows::default(),
            measurements: Measurements::default(),
            conditions: Conditions::default(),
            model,
        };
        if options.state_of_charge < 0.999 {
            ups.charger.start_boost();
        } else {
            // A charged battery has floated for long before the run: bring its polarization
            // to the float equilibrium instead of starting with a burst of charge current.
            for _ in 0..FLOAT_SETTLE_STEPS {
                ups.charger.step(&mut ups.battery, 1.0);
            }
        }
        ups.step(1e-3);
        ups
    }

    pub fn model(&self) -> &UpsModel {
        &self.model
    }

    pub fn time_s(&self) -> f64 {
        self.time_s
    }

    pub fn mode(&self) -> Mode {
        self.firmware.mode
    }

    /// The last time the load moved between paths, and how long its supply broke.
    pub fn last_transfer(&self) -> Option<transfer::Transfer> {
        self.last_transfer
    }

    pub fn conditions(&self) -> &Conditions {
        &self.conditions
    }

    pub fn measurements(&self) -> &Measurements {
        &self.measurements
    }

    pub fn flows(&self) -> &Flows {
        &self.flows
    }

    pub fn battery(&self) -> &Bank {
        self.battery.bank()
    }

    /// Whether eco mode is enabled (by command), whether or not the UPS is in it now.
    pub fn eco_enabled(&self) -> bool {
        self.firmware.settings.eco_enabled
    }

    /// The UPS clock, seconds since 1970-01-01 UTC.
    pub fn clock_epoch_s(&self) -> f64 {
        self.clock_epoch_s
    }

    pub fn plugs(&self) -> &[Plug] {
        &self.plugs[..usize::from(self.model.capabilities.power_share_plugs).min(MAX_PLUGS)]
    }

    /// Rated active power, W.
    pub fn rated_w(&self) -> f64 {
        self.model.ratings.active_power_kw * 1000.0
    }

    /// Sets the load to `load_pct` of the rating, spread over the output phases.
    pub fn set_load_pct(&mut self, load_pct: f64) {
        let phases = usize::from(self.model.ratings.output_phases);
        let per_phase_w = self.rated_w() * load_pct / 100.0 / phases as f64;
        self.load.power_w = [0.0; 3];
        for phase in self.load.power_w.iter_mut().take(phases) {
            *phase = per_phase_w;
        }
    }

    /// Sets each output phase's load to its share of the rating: `phases_pct[i]` % of the
    /// rating over the output phases. Phases past the model's are ignored.
    pub fn set_phase_loads_pct(&mut self, phases_pct: &[f64]) {
        let phases = usize::from(self.model.ratings.output_phases);
        let share_w = self.rated_w() / phases as f64;
        self.load.power_w = [0.0; 3];
        for (phase, pct) in self.load.power_w.iter_mut().zip(phases_pct).take(phases) {
            *phase = share_w * pct / 100.0;
        }
    }

    pub fn load_mut(&mut self) -> &mut Load {
        &mut self.load
    }

    /// Follows recorded mains (times relative to now) instead of the nominal supply.
    pub fn follow_mains(&mut self, points: Vec<sources::MainsPoint>) {
        self.mains_profile.start(points, self.time_s);
    }

    /// Faults in force, with their parameters.
    pub fn active_faults(&self) -> impl Iterator<Item = &Fault> {
        self.faults.iter().map(|f| &f.fault)
    }

    fn has_fault(&self, kind: FaultKind) -> bool {
        self.active_faults().any(|f| f.kind() == kind)
    }

    /// Advances the twin by `dt_s`.
    pub fn step(&mut self, dt_s: f64) {
        self.time_s += dt_s;
        self.clock_epoch_s += dt_s;
        self.load.follow_profile(self.time_s);
        self.mains_profile.follow(self.time_s);
        // What the UPS draws from the genset: the rectifier, and the bypass when the genset
        // feeds it too.
        let genset_load_w =
            if self.inputs.on_genset { self.flows.input_w + self.flows.bypass_w } else { 0.0 };
        self.genset.step(genset_load_w, dt_s, &mut self.rng);
        let wiring = inputs::Wiring {
            nominal_v: self.model.ratings.nominal_input_voltage_v,
            nominal_hz: self.model.ratings.nominal_input_frequency_hz,
            input_phases: usize::from(self.model.ratings.input_phases),
            separate_bypass_feed: self.model.installation.separate_bypass_feed,
            recorded_mains: self.mains_profile.current,
        };
        self.inputs = inputs::evaluate(
            self.faults.iter().map(|f| (&f.fault, f.started_s)),
            self.time_s,
            &self.genset,
            wiring,
        );
        let context = self.firmware_context();
        let charger_was_floating = self.charger.phase() == crate::battery::ChargePhase::Float;
        let mode_before = self.firmware.mode;
        self.firmware.decide(&context, dt_s);
        if let Some(moved) =
            transfer::between(mode_before, self.firmware.mode, self.time_s, &self.model.transfer)
        {
            self.last_transfer = Some(moved);
        }
        if !self.inputs.rectifier_ok {
            self.firmware.interrupt_battery_test();
        }
        let step = self.run_power_path(dt_s);
        self.flows = step.flows;
        let cells = f64::from(self.battery.bank().cells_in_series());
        let on_battery = step.flows.battery_out_w > 0.0 && self.firmware.mode == Mode::OnInverter;
        let reading = firmware::BatteryReading {
            on_battery,
            c_rate: step.battery_current_a / self.battery.bank().nominal_capacity_ah(),
            v_per_cell: step.battery_voltage_v / cells,
            gave_out: step.battery_gave_out,
        };
        self.firmware.after_step(self.time_s, dt_s, reading, &self.model.battery);
        self.estimate.count(step.battery_current_a, step.flows.output_w / self.rated_w(), dt_s);
        self.estimate.observe_load(step.flows.output_w, self.rated_w());
        if self.firmware.battery_discharged {
            self.estimate.mark_empty();
        }
        if !charger_was_floating && self.charger.phase() == crate::battery::ChargePhase::Float {
            self.estimate.mark_full();
        }
        if on_battery || step.battery_gave_out {
            self.charger.start_boost();
        }
        self.thermal.step(step.flows.losses_w, dt_s);
        // Plugs shed load in a real outage, not during a battery test.
        self.update_plugs(on_battery && self.firmware.battery_test.is_none());
        let bank_steps = self.battery.bank_steps();
        self.derive(&step, on_battery);
        if cfg!(debug_assertions) {
            // The blocks only change when the bank is stepped: check them then.
            let checked = if bank_steps != self.checked_bank_steps {
                self.checked_bank_steps = bank_steps;
                self.check_invariants()
            } else {
                self.check_step_invariants()
            };
            if let Err(violation) = checked {
                panic!("the twin broke a law of physics at {:.3} s: {violation}", self.time_s);
            }
        }
    }

    fn firmware_context(&self) -> firmware::Context {
        let inverter_capacity_w = self.units.capacity_w();
        let load_w = self.flows.output_w.max(self.load.inverter_demand_w());
        firmware::Context {
            time_s: self.time_s,
            inputs: self.inputs,
            esd: self.has_fault(FaultKind::EmergencyPowerOff),
            maintenance_bypass_closed: self.has_fault(FaultKind::MaintenanceBypassClosed),
            rectifier_fault: self.has_fault(FaultKind::RectifierFault),
            bypass_fault: self.has_fault(FaultKind::BypassFault),
            inverter_fault: self.has_fault(FaultKind::InverterFault) || inverter_capacity_w <= 0.0,
            short_circuit: self.load.short_circuit,
            output_load_pct: 100.0 * load_w / self.rated_w(),
            inverter_load_pct: if inverter_capacity_w > 0.0 {
                100.0 * load_w / inverter_capacity_w
            } else {
                0.0
            },
            over_temperature_alarm: self.thermal.over_temperature_alarm(),
            over_temperature_shutdown: self.thermal.over_temperature_shutdown(),
            cooled_down: self.thermal.cooled_down(),
            line_interactive_ups: self.model.capabilities.line_interactive || self.model.capabilities.offline,
        }
    }

    /// Load the connected equipment asks for at nominal voltage, W.
    fn requested_load_w(&self) -> f64 {
        self.load.requested_w()
    }

    /// The physical truth the estimate is compared with: how long the battery, as it is now,
    /// would carry the present battery load (or, off battery, the present output load) to
    /// end of discharge, s. Simulates a copy of the bank; costs milliseconds.
    pub fn true_remaining_runtime_s(&self) -> f64 {
        let power_w = if self.flows.battery_out_w > 0.0 {
            self.flows.battery_out_w
        } else {
            self.flows.output_w + self.double_conversion_losses_w(self.flows.output_w)
        };
        runtime_at_power_s(self.battery.bank(), power_w, &self.model.battery, 24.0 * 3600.0)
    }

    /// The physical truth for a load: how long the battery, as it is now, would carry the
    /// UPS's output at `load_pct` of its rating to end of discharge, s (the data-sheet
    /// backup time when the battery is new and full).
    pub fn true_backup_at_load_s(&self, load_pct: f64) -> f64 {
        let output_w = self.rated_w() * load_pct / 100.0;
        runtime_at_power_s(
            self.battery.bank(),
            output_w + self.double_conversion_losses_w(output_w),
            &self.model.battery,
            24.0 * 3600.0,
        )
    }

    /// The estimate the firmware reports, s.
    pub fn estimated_remaining_runtime_s(&self) -> f64 {
        self.measurements.remaining_runtime_s
    }
}

/// The runtime estimate's factory calibration (`Ups::factory_calibration`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FactoryCalibration {
    /// A new, full battery at the rated load: how long, and the charge it gave.
    pub full_load_s: f64,
    pub full_load_ah: f64,
    /// The same battery at half the rated load.
    pub half_load_backup_s: f64,
}

/// How long a copy of `bank` carried a power, and the charge it drew.
struct Discharge {
    seconds: f64,
    ah: f64,
}

/// Discharges a copy of `bank` at `power_w` until the end voltage the firmware would pick for
/// such a discharge (at most `max_s`).
fn discharge_at_power(bank: &Bank, power_w: f64, battery: &BatterySpec, max_s: f64) -> Discharge {
    let mut bank = bank.clone();
    let cells = f64::from(bank.cells_in_series());
    let capacity_ah = bank.nominal_capacity_ah();
    let dt_s = 5.0;
    let mut rate = DischargeRate::default();
    let mut run = Discharge { seconds: 0.0, ah: 0.0 };
    while run.seconds < max_s {
        let step = bank.step_power(power_w.max(1.0), dt_s);
        rate.add(step.current_a / capacity_ah, dt_s);
        if !step.delivered || step.voltage_v <= rate.end_v_per_cell(battery) * cells {
            break;
        }
        run.seconds += dt_s;
        run.ah += step.current_a * dt_s / 3600.0;
    }
    run
}

/// Seconds a copy of `bank` carries `power_w` until its end of discharge (capped at `max_s`).
fn runtime_at_power_s(bank: &Bank, power_w: f64, battery: &BatterySpec, max_s: f64) -> f64 {
    discharge_at_power(bank, power_w, battery, max_s).seconds
}
