//! The UPS's own firmware: the operating-mode state machine, transfers and protections.
//! Status and alarm conditions come out of this state and the physics, never from a script.

use super::end_of_discharge::DischargeRate;
use super::inputs::Inputs;
use super::overload::OverloadBudget;
use ups_models::model::BatterySpec;

/// Rectifier soft start: input power ramps from 0 to full over this time.
pub const WALK_IN_S: f64 = 10.0;
/// Auto-test at start before the inverter takes the load.
pub const AUTO_TEST_S: f64 = 5.0;
/// A cause of automatic transfer must be gone this long before the load returns to inverter.
pub const RETRANSFER_DELAY_S: f64 = 5.0;
/// Delay before an automatic restart once the reason for a stop has gone.
pub const AUTO_RESTART_DELAY_S: f64 = 10.0;
/// The inverter stops this long after an output short circuit if it persists.
pub const SHORT_CIRCUIT_TRIP_S: f64 = 0.3;
/// A line-interactive UPS returns to mains once it has been good this long.
pub const MAINS_RETURN_DELAY_S: f64 = 2.0;
/// Battery test: it runs on battery, with mains present, for this share of the runtime the
/// firmware estimates at the test's start (at least 90 s, at most 10 min). It fails if the battery gives out, falls within
/// `BATTERY_TEST_MARGIN_V_PER_CELL` of end of discharge (less at high rates: 0.02 V/cell
/// less per C above 1C, down to 0.04 V/cell), or collapses: once the first 45 s of
/// polarization are past, a healthy battery sags slowly, while a string that loses a block
/// drops out and the bus falls by more than `BATTERY_TEST_COLLAPSE_V_PER_CELL` (times the
/// C-rate above 1C) within a minute.
pub const BATTERY_TEST_SHARE: f64 = 0.10;
pub const BATTERY_TEST_MIN_S: f64 = 90.0;
pub const BATTERY_TEST_MAX_S: f64 = 600.0;
pub const BATTERY_TEST_MARGIN_V_PER_CELL: f64 = 0.1;
pub const BATTERY_TEST_COLLAPSE_V_PER_CELL: f64 = 0.06;
const BATTERY_TEST_SETTLE_S: f64 = 45.0;
/// End-of-backup warning and imminent-stop thresholds on the runtime estimate.
pub const LOW_BATTERY_WARNING_S: f64 = 300.0;
pub const IMMINENT_STOP_S: f64 = 60.0;
/// End-of-backup warning also when the battery is this close to end of discharge.
pub const LOW_BATTERY_MARGIN_V_PER_CELL: f64 = 0.1;
/// Imminent stop also when the battery is this close to end of discharge.
pub const IMMINENT_STOP_MARGIN_V_PER_CELL: f64 = 0.03;

/// What feeds the load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Nothing runs (emergency power off).
    Off,
    /// Automatic start: rectifier walk-in and auto-test; the load waits on bypass if possible.
    Starting,
    /// Load protected by inverter, fed by the rectifier or the battery.
    OnInverter,
    /// Load on the automatic (static) bypass.
    OnBypass,
    /// Load on bypass by choice (eco mode), inverter ready.
    Eco,
    /// A line-interactive UPS passing mains through.
    LineInteractive,
    /// Output off on request, rectifier and charger on, inverter ready.
    Standby,
    /// Output off: command, shutdown, end of backup or a protection without bypass.
    LoadOff,
    /// Load on the manual maintenance bypass.
    MaintenanceBypass,
}

impl Mode {
    /// The load is fed by the inverter path (and so possibly by the battery).
    pub fn inverter_feeds_load(self) -> bool {
        self == Mode::OnInverter
    }

    /// The load is fed from the bypass feed through the static switch.
    pub fn static_bypass_feeds_load(self) -> bool {
        matches!(self, Mode::OnBypass | Mode::Eco)
    }
}

/// Why the output was switched off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StopReason {
    Command,
    Shutdown { restart_delay_s: f64 },
    EndOfBackup,
    Overload,
    Esd,
    InverterUnavailable,
}

/// Why the load is on automatic bypass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BypassReason {
    Command,
    Protection,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rectifier {
    Off,
    WalkIn { started_s: f64 },
    On,
}

/// Alarms that stay until acknowledged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Latches {
    pub battery_test_failed: bool,
    pub battery_test_interrupted: bool,
    pub inverter_stopped_for_overload: bool,
    pub ups_stopped_for_overload: bool,
    pub output_short_circuit: bool,
}

/// Settings a card or the panel changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub eco_enabled: bool,
    pub standby_requested: bool,
    pub line_interactive_enabled: bool,
    pub bypass_requested: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PendingShutdown {
    pub at_s: f64,
    pub restart_delay_s: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatteryTestRun {
    pub started_s: f64,
    pub min_v_per_cell: f64,
    /// How long the test runs, s.
    pub duration_s: f64,
    /// Voltage per cell sampled every 30 s once the first 45 s are past, newest last.
    pub samples_v_per_cell: [f64; 3],
    pub next_sample_s: f64,
}

impl BatteryTestRun {
    /// A test for `BATTERY_TEST_SHARE` of `estimated_runtime_s`.
    pub fn new(started_s: f64, estimated_runtime_s: f64) -> Self {
        Self {
            started_s,
            min_v_per_cell: f64::INFINITY,
            duration_s: (BATTERY_TEST_SHARE * estimated_runtime_s)
                .clamp(BATTERY_TEST_MIN_S, BATTERY_TEST_MAX_S),
            samples_v_per_cell: [f64::NAN; 3],
            next_sample_s: started_s + BATTERY_TEST_SETTLE_S,
        }
    }

    /// Samples every 30 s once settled; true when the voltage fell by more than the collapse
    /// threshold since a sample taken 30 to 60 s ago.
    fn collapsing(&mut self, time_s: f64, v_per_cell: f64, c_rate: f64) -> bool {
        if time_s >= self.next_sample_s {
            self.samples_v_per_cell = [self.samples_v_per_cell[1], self.samples_v_per_cell[2], v_per_cell];
            self.next_sample_s += 30.0;
        }
        self.samples_v_per_cell[..2].iter().any(|&earlier| {
            earlier.is_finite() && earlier - v_per_cell > BATTERY_TEST_COLLAPSE_V_PER_CELL * c_rate.max(1.0)
        })
    }
}

/// The battery as the firmware measured it this step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatteryReading {
    pub on_battery: bool,
    /// Discharge current over the bank's rated Ah (1 = 1C).
    pub c_rate: f64,
    pub v_per_cell: f64,
    /// Asked for power it could not give.
    pub gave_out: bool,
}

/// What the firmware knows about this step when it picks the mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Context {
    pub time_s: f64,
    pub inputs: Inputs,
    pub esd: bool,
    pub maintenance_bypass_closed: bool,
    pub rectifier_fault: bool,
    pub bypass_fault: bool,
    /// Inverter fault or no working module.
    pub inverter_fault: bool,
    pub short_circuit: bool,
    /// Inverter load relative to the working inverter capacity, %.
    pub inverter_load_pct: f64,
    /// Output load relative to the UPS's rating, %: what the bypass path carries.
    pub output_load_pct: f64,
    pub over_temperature_alarm: bool,
    pub over_temperature_shutdown: bool,
    /// Cooled below the alarm threshold with hysteresis.
    pub cooled_down: bool,
    pub line_interactive_ups: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Firmware {
    pub mode: Mode,
    pub mode_since_s: f64,
    pub stop_reason: Option<StopReason>,
    pub bypass_reason: Option<BypassReason>,
    pub rectifier: Rectifier,
    pub shutdown: Option<PendingShutdown>,
    pub battery_test: Option<BatteryTestRun>,
    /// A battery test's result (true = failed), taken at the start of the next step.
    battery_test_verdict: Option<bool>,
    pub latches: Latches,
    pub settings: Settings,
    /// Latched at end of discharge; cleared once the rectifier recharges.
    pub battery_discharged: bool,
    pub on_battery_since_s: Option<f64>,
    /// The rate of the discharge under way (reset when the battery stops discharging).
    discharge_rate: DischargeRate,
    /// The end of discharge for the discharge under way, V/cell.
    pub end_v_per_cell: f64,
    /// The inverter's overload budget.
    pub overload: OverloadBudget,
    /// The bypass path's overload budget (static switch, or a line-interactive mains path).
    pub bypass_overload: OverloadBudget,
    /// Share of the inverter's budget spent when the load moves to a usable bypass.
    transfer_at_budget: f64,
    /// The inverter was stopped by a protection (overload, heat, short) and waits for its
    /// cause to be gone for `RETRANSFER_DELAY_S`.
    pub inverter_blocked: bool,
    pub cause_gone_since_s: Option<f64>,
    short_circuit_s: f64,
    mains_good_since_s: Option<f64>,
    /// The reason for a stop went away at this time (for automatic restarts).
    restart_ready_since_s: Option<f64>,
}

impl Firmware {
    /// `transfer_at_budget`: share of the inverter's overload budget at which the load moves
    /// to a usable bypass (1 = at the curve's end).
    pub fn new(
        overload: OverloadBudget,
        bypass_overload: OverloadBudget,
        transfer_at_budget: f64,
        line_interactive_ups: bool,
        end_v_per_cell_at_rest: f64,
    ) -> Self {
        Self {
            mode: Mode::Starting,
            mode_since_s: 0.0,
            stop_reason: None,
            bypass_reason: None,
            rectifier: Rectifier::On,
            shutdown: None,
            battery_test: None,
            battery_test_verdict: None,
            latches: Latches::default(),
            settings: Settings {
                eco_enabled: false,
                standby_requested: false,
                line_interactive_enabled: line_interactive_ups,
                bypass_requested: false,
            },
            battery_discharged: false,
            on_battery_since_s: None,
            discharge_rate: DischargeRate::default(),
            end_v_per_cell: end_v_per_cell_at_rest,
            overload,
            bypass_overload,
            transfer_at_budget,
            inverter_blocked: false,
            cause_gone_since_s: None,
            short_circuit_s: 0.0,
            mains_good_since_s: None,
            restart_ready_since_s: None,
        }
    }

    /// A UPS that has been running long before the simulation starts: load on inverter
    /// (or passed through, for a line-interactive UPS), rectifier on.
    pub fn running(mut self, line_interactive_ups: bool) -> Self {
        self.mode = if line_interactive_ups { Mode::LineInteractive } else { Mode::OnInverter };
        // Mains has been good since long before the run.
        self.mains_good_since_s = Some(f64::NEG_INFINITY);
        self
    }

    fn set_mode(&mut self, mode: Mode, time_s: f64) {
        if mode != self.mode {
            self.mode = mode;
            self.mode_since_s = time_s;
            if mode != Mode::OnBypass {
                self.bypass_reason = None;
            }
        }
    }

    fn stop(&mut self, reason: StopReason, time_s: f64) {
        self.shutdown = None;
        self.stop_reason = Some(reason);
        self.restart_ready_since_s = None;
        self.set_mode(if reason == StopReason::Esd { Mode::Off } else { Mode::LoadOff }, time_s);
    }

    /// Whether the static bypass can take the load without a break.
    fn bypass_usable(ctx: &Context) -> bool {
        ctx.inputs.bypass_ok && !ctx.bypass_fault
    }

    /// Picks this step's mode. Protections first, then requests, then the preferred path.
    pub fn decide(&mut self, ctx: &Context, dt_s: f64) {
        let now = ctx.time_s;
        if let Some(failed) = self.battery_test_verdict.take() {
            self.latches.battery_test_failed = failed;
            self.battery_test = None;
        }
        self.update_rectifier(ctx);
        self.update_protections(ctx, dt_s);
        if ctx.esd {
            if self.mode != Mode::Off {
                self.stop(StopReason::Esd, now);
            }
            return;
        }
        if ctx.maintenance_bypass_closed {
            self.set_mode(Mode::MaintenanceBypass, now);
            return;
        }
        match self.mode {
            Mode::Off | Mode::LoadOff => self.try_restart(ctx),
            Mode::MaintenanceBypass => self.set_mode(Mode::Starting, now),
            Mode::Starting => {
                let auto_test_done = now - self.mode_since_s >= AUTO_TEST_S;
                if auto_test_done && self.rectifier == Rectifier::On {
                    self.stop_reason = None;
                    self.set_mode(Mode::OnInverter, now);
                    self.choose_running_mode(ctx);
                } else if !ctx.inputs.rectifier_ok || ctx.rectifier_fault {
                    // Start aborted: mains went away again, or the rectifier cannot start.
                    self.stop(StopReason::InverterUnavailable, now);
                }
            }
            _ => self.choose_running_mode(ctx),
        }
        if self.mode != Mode::OnInverter {
            // A battery test needs the load on the inverter; anything else ends it.
            self.interrupt_battery_test();
        }
    }

    fn try_restart(&mut self, ctx: &Context) {
        let now = ctx.time_s;
        let Some(reason) = self.stop_reason else {
            return;
        };
        let ready = match reason {
            StopReason::Command | StopReason::Overload => false,
            StopReason::Shutdown { restart_delay_s } => {
                restart_delay_s > 0.0 && ctx.inputs.rectifier_ok && now - self.mode_since_s >= restart_delay_s
            }
            StopReason::EndOfBackup | StopReason::Esd | StopReason::InverterUnavailable => {
                ctx.inputs.rectifier_ok
                    && !ctx.rectifier_fault
                    && !ctx.inverter_fault
                    && !self.inverter_blocked
                    && ctx.cooled_down
            }
        };
        if !ready {
            self.restart_ready_since_s = None;
            return;
        }
        let since = *self.restart_ready_since_s.get_or_insert(now);
        let delay_s = if matches!(reason, StopReason::Shutdown { .. }) { 0.0 } else { AUTO_RESTART_DELAY_S };
        if now - since >= delay_s {
            self.set_mode(Mode::Starting, now);
        }
    }

    /// Load off on request (command `load_off`).
    pub fn load_off(&mut self, time_s: f64) {
        self.stop(StopReason::Command, time_s);
    }

    /// Restart from load off (command `load_on`).
    pub fn load_on(&mut self, time_s: f64) {
        if matches!(self.mode, Mode::LoadOff) {
            self.stop_reason = None;
            self.set_mode(Mode::Starting, time_s);
        }
    }

    fn choose_running_mode(&mut self, ctx: &Context) {
        let now = ctx.time_s;
        if let Some(shutdown) = self.shutdown
            && now >= shutdown.at_s
        {
            self.shutdown = None;
            self.stop(StopReason::Shutdown { restart_delay_s: shutdown.restart_delay_s }, now);
            return;
        }
        if self.battery_discharged && self.mode == Mode::OnInverter && self.rectifier != Rectifier::On {
            self.stop(StopReason::EndOfBackup, now);
            return;
        }
        let inverter_available = !ctx.inverter_fault && !self.inverter_blocked;
        if !inverter_available {
            if Self::bypass_usable(ctx) {
                self.set_mode(Mode::OnBypass, now);
                self.bypass_reason = Some(BypassReason::Protection);
            } else if self.mode == Mode::OnBypass && ctx.inputs.bypass_present && !ctx.bypass_fault {
                // Already on bypass: stay while it is there at all.
            } else {
                let reason = if self.latches.inverter_stopped_for_overload {
                    self.latches.ups_stopped_for_overload = true;
                    StopReason::Overload
                } else {
                    StopReason::InverterUnavailable
                };
                self.stop(reason, now);
            }
            return;
        }
        if self.settings.bypass_requested {
            if Self::bypass_usable(ctx) {
                self.set_mode(Mode::OnBypass, now);
                self.bypass_reason = Some(BypassReason::Command);
                return;
            }
            // The bypass went bad under a requested transfer: back to the inverter.
            self.settings.bypass_requested = false;
        }
        if self.settings.standby_requested {
            self.set_mode(Mode::Standby, now);
            return;
        }
        let mains_settled = self.mains_good_since_s.is_some_and(|since| now - since >= MAINS_RETURN_DELAY_S)
            || self.mode != Mode::OnInverter;
        if self.settings.eco_enabled
            && Self::bypass_usable(ctx)
            && ctx.inputs.rectifier_ok
            && self.battery_test.is_none()
        {
            if mains_settled {
                self.set_mode(Mode::Eco, now);
            }
            return;
        }
        let pass_through =
            ctx.line_interactive_ups && self.settings.line_interactive_enabled && ctx.inputs.rectifier_ok;
        if pass_through && self.battery_test.is_none() {
            if mains_settled {
                self.set_mode(Mode::LineInteractive, now);
            }
            return;
        }
        self.set_mode(Mode::OnInverter, now);
    }

    fn update_rectifier(&mut self, ctx: &Context) {
        let now = ctx.time_s;
        let can_run = ctx.inputs.rectifier_ok && !ctx.rectifier_fault && !ctx.esd;
        if can_run {
            self.mains_good_since_s.get_or_insert(now);
        } else {
            self.mains_good_since_s = None;
        }
        self.rectifier = match (self.rectifier, can_run) {
            (_, false) => Rectifier::Off,
            (Rectifier::Off, true) => Rectifier::WalkIn { started_s: now },
            (Rectifier::WalkIn { started_s }, true) if now - started_s >= WALK_IN_S => Rectifier::On,
            (state, true) => state,
        };
        if self.rectifier == Rectifier::On {
            self.battery_discharged = false;
        }
    }

    /// Share of its full input power the rectifier may draw now (walk-in ramp).
    pub fn rectifier_share(&self, time_s: f64) -> f64 {
        match self.rectifier {
            Rectifier::Off => 0.0,
            Rectifier::WalkIn { started_s } => ((time_s - started_s) / WALK_IN_S).clamp(0.0, 1.0),
            Rectifier::On => 1.0,
        }
    }

    /// Overload budget, short-circuit timer and heat: they block the inverter, and the
    /// block lifts once the cause has been gone for the retransfer delay.
    fn update_protections(&mut self, ctx: &Context, dt_s: f64) {
        let now = ctx.time_s;
        let inverter_loaded = self.mode == Mode::OnInverter;
        let load_pct = if inverter_loaded { ctx.inverter_load_pct } else { 0.0 };
        // With a bypass to go to, the load leaves the inverter at the model's share of the
        // budget; without one, the inverter carries it to the curve's end.
        let trip_share = if Self::bypass_usable(ctx) { self.transfer_at_budget } else { 1.0 };
        if self.overload.step_to(load_pct, dt_s, trip_share) && inverter_loaded {
            self.inverter_blocked = true;
            self.latches.inverter_stopped_for_overload = true;
        }
        // The bypass path has its own budget: spent, the load is disconnected.
        let bypass_loaded = matches!(self.mode, Mode::OnBypass | Mode::Eco | Mode::LineInteractive);
        let bypass_load_pct = if bypass_loaded { ctx.output_load_pct } else { 0.0 };
        if self.bypass_overload.step(bypass_load_pct, dt_s) && bypass_loaded {
            self.latches.ups_stopped_for_overload = true;
            self.stop(StopReason::Overload, now);
        }
        if ctx.short_circuit && inverter_loaded {
            self.short_circuit_s += dt_s;
            self.latches.output_short_circuit = true;
            if self.short_circuit_s >= SHORT_CIRCUIT_TRIP_S {
                self.inverter_blocked = true;
            }
        } else {
            self.short_circuit_s = 0.0;
        }
        if ctx.over_temperature_shutdown && self.mode != Mode::LoadOff {
            self.inverter_blocked = true;
        }
        if self.inverter_blocked {
            // The cause is gone when the inverter would not be overloaded, shorted or hot.
            let cause_present = ctx.inverter_load_pct > 100.0 || ctx.short_circuit || !ctx.cooled_down;
            if cause_present {
                self.cause_gone_since_s = None;
            } else if now - *self.cause_gone_since_s.get_or_insert(now) >= RETRANSFER_DELAY_S {
                self.inverter_blocked = false;
                self.cause_gone_since_s = None;
                self.overload.spent = 0.0;
            }
        }
    }

    /// Runs once the power path has run: battery test, on-battery timer, end of discharge.
    pub fn after_step(&mut self, time_s: f64, dt_s: f64, battery: BatteryReading, spec: &BatterySpec) {
        if battery.c_rate > 0.0 {
            self.discharge_rate.add(battery.c_rate, dt_s);
        } else {
            self.discharge_rate = DischargeRate::default();
        }
        self.end_v_per_cell = self.discharge_rate.end_v_per_cell(spec);
        let end_v_per_cell = self.end_v_per_cell;
        if battery.on_battery {
            self.on_battery_since_s.get_or_insert(time_s);
            if battery.v_per_cell <= end_v_per_cell {
                self.battery_discharged = true;
            }
        } else {
            self.on_battery_since_s = None;
        }
        // Asked for power and could not give it (empty, or behind an open breaker).
        if battery.gave_out {
            self.battery_discharged = true;
        }
        if let Some(mut test) = self.battery_test {
            test.min_v_per_cell = test.min_v_per_cell.min(battery.v_per_cell);
            let margin_v =
                (BATTERY_TEST_MARGIN_V_PER_CELL - 0.02 * (battery.c_rate - 1.0).max(0.0)).max(0.04);
            let failed = battery.gave_out
                || test.collapsing(time_s, battery.v_per_cell, battery.c_rate)
                || test.min_v_per_cell < end_v_per_cell + margin_v;
            let elapsed_s = time_s - test.started_s;
            let done = elapsed_s >= test.duration_s;
            self.battery_test = Some(test);
            if failed || done {
                // Applied when the next step starts, so the rectifier takes the load back
                // in the same step the test ends.
                self.battery_test_verdict = Some(failed);
            }
        }
    }

    /// Ends a running battery test because mains failed or the load left the inverter.
    pub fn interrupt_battery_test(&mut self) {
        self.battery_test_verdict = None;
        if self.battery_test.take().is_some() {
            self.latches.battery_test_interrupted = true;
        }
    }
}
