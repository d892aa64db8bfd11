//! One step of the power path for the mode the firmware chose: output voltages, load power
//! per phase, who supplies it (rectifier, battery, bypass), the charger, and every loss.
//! The energy balance holds by construction of each converter (in = out + loss), and the
//! battery's share is what the battery really gave.

use super::faults::FaultKind;
use super::firmware::{Mode, Rectifier};
use super::{Flows, Ups};
use crate::battery::ChargeTarget;
use crate::ups::battery_port::BatteryPort;
use ups_models::model::EfficiencyPoint;

/// Charger efficiency, DC bus to battery.
const CHARGER_EFFICIENCY: f64 = 0.95;
/// Rectifier input power factor (PFC).
const INPUT_POWER_FACTOR: f64 = 0.99;
/// Share of the no-load loss the UPS draws with its output off (controls, fans, charger).
const IDLE_LOSS_SHARE: f64 = 0.5;
/// How fast the inverter's frequency may move, Hz/s (published: ±1 Hz/s AEG; 2 Hz/s single,
/// 1 Hz/s parallel Riello): a load never sees the bypass's jumps, nor a step at a blackout.
const INVERTER_SLEW_HZ_PER_S: f64 = 1.0;
/// The least overload a rectifier is sized for, % of the rating.
const RECTIFIER_MIN_OVERLOAD_PCT: f64 = 125.0;
/// A line-interactive UPS's AVR holds the output within ±10 % of nominal.
const AVR_WINDOW: f64 = 0.10;

/// What the power path did this step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PathStep {
    pub flows: Flows,
    pub output_voltage_v: [f64; 3],
    pub output_frequency_hz: f64,
    pub output_power_w: [f64; 3],
    pub battery_voltage_v: f64,
    /// Positive while discharging.
    pub battery_current_a: f64,
    /// The battery was asked for power it could not give.
    pub battery_gave_out: bool,
    pub dc_bus_v: f64,
    pub inverter_running: bool,
    /// Starting, with the load waiting on the bypass.
    pub starting_on_bypass: bool,
}

impl ChargeTarget for BatteryPort {
    fn hold_voltage(&mut self, voltage_v: f64, limit_a: f64, dt_s: f64) -> (f64, f64) {
        let step = self.charge(voltage_v, limit_a, dt_s);
        (step.current_a, step.voltage_v)
    }
    fn temperature_c(&self) -> f64 {
        BatteryPort::temperature_c(self)
    }
    fn cells_in_series(&self) -> u32 {
        self.bank().cells_in_series()
    }
    fn nominal_capacity_ah(&self) -> f64 {
        self.bank().nominal_capacity_ah()
    }
}

impl Ups {
    /// Double-conversion losses (rectifier + inverter) at output `output_w`, W: the model's
    /// efficiency curve at the working modules' load, never below the no-load loss.
    pub(super) fn double_conversion_losses_w(&self, output_w: f64) -> f64 {
        conversion_losses_w(&self.model.efficiency, self.units.capacity_w(), output_w)
    }

    fn bypass_losses_w(&self, output_w: f64) -> f64 {
        output_w * (100.0 / self.model.eco_efficiency_pct - 1.0)
    }

    pub(super) fn run_power_path(&mut self, dt_s: f64) -> PathStep {
        let mode = self.firmware.mode;
        let ratings = &self.model.ratings;
        let nominal_v = ratings.nominal_output_voltage_v;
        let output_phases = usize::from(ratings.output_phases);
        let inputs = self.inputs;
        let starting_on_bypass =
            mode == Mode::Starting && inputs.bypass_ok && !self.has_fault(FaultKind::BypassFault);
        // Output voltage and frequency by path.
        // The inverter follows the bypass while synchronized, its own clock otherwise, and
        // moves between them at its slew rate; stopped, it is ready at the bypass's.
        let inverter_target_hz = if inputs.synchronized {
            inputs.bypass_feed.frequency_hz
        } else {
            ratings.nominal_output_frequency_hz
        };
        self.inverter_frequency_hz = if mode == Mode::OnInverter {
            let max_step_hz = INVERTER_SLEW_HZ_PER_S * dt_s;
            self.inverter_frequency_hz
                + (inverter_target_hz - self.inverter_frequency_hz).clamp(-max_step_hz, max_step_hz)
        } else {
            inverter_target_hz
        };
        let (mut voltage_v, frequency_hz) = match mode {
            Mode::OnInverter => ([nominal_v; 3], self.inverter_frequency_hz),
            Mode::OnBypass | Mode::Eco | Mode::MaintenanceBypass => {
                (inputs.bypass_feed.voltage_v, inputs.bypass_feed.frequency_hz)
            }
            Mode::Starting if starting_on_bypass => {
                (inputs.bypass_feed.voltage_v, inputs.bypass_feed.frequency_hz)
            }
            // An off-line UPS passes mains straight through; a line-interactive one's AVR
            // holds the output within its window.
            Mode::LineInteractive if self.model.capabilities.offline => {
                (inputs.rectifier_feed.voltage_v, inputs.rectifier_feed.frequency_hz)
            }
            Mode::LineInteractive => (
                inputs
                    .rectifier_feed
                    .voltage_v
                    .map(|v| v.clamp(nominal_v * (1.0 - AVR_WINDOW), nominal_v * (1.0 + AVR_WINDOW))),
                inputs.rectifier_feed.frequency_hz,
            ),
            _ => ([0.0; 3], 0.0),
        };
        if self.load.short_circuit {
            voltage_v = [0.0; 3];
        }
        if output_phases == 1 {
            voltage_v = [voltage_v[0], 0.0, 0.0];
        }
        let mut output_power_w = [0.0; 3];
        for (phase, power_w) in output_power_w.iter_mut().enumerate().take(output_phases) {
            *power_w = self.load.phase_power_w(phase, voltage_v[phase], nominal_v);
        }
        let output_w: f64 = output_power_w.iter().sum();

        let mut flows = Flows { output_w, ..Flows::default() };
        let rectifier_share = self.firmware.rectifier_share(self.time_s);
        let battery_test = self.firmware.battery_test.is_some();
        let mut battery = None;
        let mut inverter_running = false;
        match mode {
            Mode::OnInverter => {
                inverter_running = true;
                let losses_w = self.double_conversion_losses_w(output_w);
                let inverter_loss_w = losses_w / 2.0;
                let dc_need_w = output_w + inverter_loss_w;
                let rectifier_max_w = if battery_test { 0.0 } else { rectifier_share * self.rated_dc_w() };
                let from_rectifier_w = dc_need_w.min(rectifier_max_w);
                let from_battery_w = dc_need_w - from_rectifier_w;
                let rectifier_loss_w = losses_w / 2.0 * from_rectifier_w / dc_need_w.max(1e-9);
                // The battery reaches the DC bus through the booster (or the rectifier working
                // as one), which loses what the rectifier would: a UPS is no more efficient
                // on battery than on mains.
                let booster_loss_w = losses_w / 2.0 * from_battery_w / dc_need_w.max(1e-9);
                flows.input_w = from_rectifier_w + rectifier_loss_w;
                flows.losses_w = inverter_loss_w + rectifier_loss_w;
                if from_battery_w > 1e-9 {
                    let step = self.battery.discharge(from_battery_w + booster_loss_w, dt_s);
                    let rectifier_can_w = rectifier_share * self.rated_dc_w();
                    if step.delivered {
                        flows.battery_out_w = from_battery_w + booster_loss_w;
                        flows.losses_w += booster_loss_w;
                    } else if rectifier_can_w >= dc_need_w {
                        // A battery test drew on a battery that gave out: the rectifier,
                        // which is running, takes the whole DC load back at once.
                        flows.input_w = dc_need_w + losses_w / 2.0;
                        flows.losses_w = losses_w;
                    } else {
                        // The battery gave out: the DC bus collapses and the output with it.
                        flows = Flows::default();
                        output_power_w = [0.0; 3];
                        voltage_v = [0.0; 3];
                    }
                    battery = Some(step);
                }
            }
            Mode::OnBypass | Mode::Eco | Mode::Starting if mode != Mode::Starting || starting_on_bypass => {
                flows.bypass_w = output_w + self.bypass_losses_w(output_w);
                flows.losses_w = flows.bypass_w - output_w;
            }
            Mode::MaintenanceBypass => flows.bypass_w = output_w,
            Mode::LineInteractive => {
                let losses_w = self.double_conversion_losses_w(output_w);
                flows.input_w = output_w + losses_w;
                flows.losses_w = losses_w;
            }
            _ => {}
        }
        // Idle draw with the output off but the rectifier running.
        if matches!(mode, Mode::Standby | Mode::LoadOff | Mode::Starting) && rectifier_share > 0.0 {
            let idle_w = IDLE_LOSS_SHARE * self.double_conversion_losses_w(0.0);
            flows.input_w += idle_w;
            flows.losses_w += idle_w;
        }
        // The charger runs from a fully started rectifier, except during a battery test.
        let charger_runs = battery.is_none()
            && self.firmware.rectifier == Rectifier::On
            && !battery_test
            && !self.has_fault(FaultKind::ChargerFault)
            && mode != Mode::Off;
        let battery = match battery {
            Some(step) => step,
            None if charger_runs => {
                let (current_a, voltage_v) = self.charger.step(&mut self.battery, dt_s);
                let charge_w = -current_a * voltage_v;
                let charger_in_w = charge_w / CHARGER_EFFICIENCY;
                flows.battery_in_w = charge_w;
                flows.input_w += charger_in_w;
                flows.losses_w += charger_in_w - charge_w;
                super::battery_port::PortStep { voltage_v, current_a, delivered: true }
            }
            None => self.battery.idle(dt_s),
        };
        let dc_bus_v = if inverter_running || charger_runs { battery.voltage_v } else { 0.0 };
        PathStep {
            flows,
            output_voltage_v: voltage_v,
            output_frequency_hz: if output_w > 0.0 || voltage_v.iter().any(|&v| v > 0.0) {
                frequency_hz
            } else {
                0.0
            },
            output_power_w,
            battery_voltage_v: battery.voltage_v,
            battery_current_a: battery.current_a,
            battery_gave_out: !battery.delivered,
            dc_bus_v,
            inverter_running,
            starting_on_bypass,
        }
    }

    /// DC power the rectifier can give at full input: the inverter at the top of its
    /// overload curve (a rectifier is sized for what its inverter may carry, so an overload
    /// on mains never draws on the battery) plus the charger at its limit, W.
    fn rated_dc_w(&self) -> f64 {
        let charger_w = self.model.battery.charger.current_limit_a
            * self.model.battery.charger.boost_v_per_cell
            * f64::from(self.battery.bank().cells_in_series());
        let top_pct = self.model.overload.last().map_or(RECTIFIER_MIN_OVERLOAD_PCT, |p| p.load_pct);
        self.rated_w() * top_pct.max(RECTIFIER_MIN_OVERLOAD_PCT) / 100.0 + charger_w
    }

    /// Input current per phase for `input_w` drawn from the rectifier feed, A.
    pub(super) fn input_current_a(&self, input_w: f64) -> [f64; 3] {
        let phases = usize::from(self.model.ratings.input_phases);
        let feed = &self.inputs.rectifier_feed;
        let live: f64 = feed.voltage_v[..phases].iter().sum();
        let mut current_a = [0.0; 3];
        if live > 0.0 {
            for (phase, current) in current_a.iter_mut().enumerate().take(phases) {
                // Phases share power in proportion to their voltage: equal current.
                *current =
                    if feed.voltage_v[phase] > 0.0 { input_w / (live * INPUT_POWER_FACTOR) } else { 0.0 };
            }
        }
        current_a
    }
}

/// Double-conversion losses (rectifier + inverter) of converters of `capacity_w` at output
/// `output_w`, W. The curve's points give the losses at their loads; between them the losses
/// are interpolated, never falling (a curve whose efficiency climbs steeply would otherwise
/// make more load cost less); below the first point they are the no-load loss, beyond the
/// last they follow its efficiency.
pub(super) fn conversion_losses_w(curve: &[EfficiencyPoint], capacity_w: f64, output_w: f64) -> f64 {
    let capacity_w = capacity_w.max(1.0);
    let load_pct = 100.0 * output_w / capacity_w;
    let losses_w =
        |load_pct: f64, efficiency_pct: f64| capacity_w * load_pct / 100.0 * (100.0 / efficiency_pct - 1.0);
    let mut previous: Option<(f64, f64)> = None;
    for point in curve {
        let at_w = losses_w(point.load_pct, point.efficiency_pct).max(previous.map_or(0.0, |(_, w)| w));
        if load_pct <= point.load_pct {
            return match previous {
                None => at_w,
                Some((x, w)) => w + (at_w - w) * (load_pct - x) / (point.load_pct - x),
            };
        }
        previous = Some((point.load_pct, at_w));
    }
    let last = curve[curve.len() - 1];
    losses_w(load_pct, last.efficiency_pct).max(previous.map_or(0.0, |(_, w)| w))
}

#[cfg(test)]
mod tests {
    use super::conversion_losses_w;
    use ups_models::model::EfficiencyPoint;

    #[test]
    fn losses_follow_the_curve_points_and_never_fall() {
        // NETYS PR's curve: 25 % would cost more than 50 % if efficiency were interpolated.
        let curve = [
            EfficiencyPoint { load_pct: 10.0, efficiency_pct: 90.0 },
            EfficiencyPoint { load_pct: 50.0, efficiency_pct: 96.0 },
            EfficiencyPoint { load_pct: 100.0, efficiency_pct: 97.0 },
        ];
        let at = |pct: f64| conversion_losses_w(&curve, 1000.0, 10.0 * pct);
        assert!((at(50.0) - 500.0 * (100.0 / 96.0 - 1.0)).abs() < 1e-9);
        assert!((at(0.0) - at(10.0)).abs() < 1e-9, "the no-load loss below the first point");
        let mut previous = 0.0;
        for pct in 0..=150 {
            let losses_w = at(f64::from(pct));
            assert!(losses_w >= previous, "at {pct} %: {losses_w} < {previous}");
            previous = losses_w;
        }
    }
}
