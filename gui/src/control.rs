//! What the window asks of the twin, as typed actions for its control plane — the same
//! `ControlPlane` the control API of `upstwin serve --control` calls: the fault panel, the
//! presets, the sliders and the command buttons all end here. Pure: building an action is
//! tested without a window; the panels apply it to the twin they were given.

use sim::twin::control::Control;
use sim::ups::commands::Command;
use sim::ups::faults::{Fault, FaultKind};
use sim::wire::faults::{WireFault, WireFaultKind};
use std::collections::BTreeMap;

/// A fault, wire fault or command's parameters, by name, as the panel's sliders set them.
pub type Params = BTreeMap<String, f64>;

/// An action built from a catalogue entry's name and the panel's parameters; `Err` is the
/// message to show instead.
pub type Asked = Result<Control, String>;

pub fn inject(fault: &str, params: &Params) -> Asked {
    Fault::with_params(fault, params).map(Control::Inject).map_err(|e| e.0)
}

pub fn clear(fault: &str) -> Asked {
    FaultKind::parse(fault).map(Control::Clear).map_err(|e| e.0)
}

pub fn inject_wire(fault: &str, params: &Params) -> Asked {
    WireFault::with_params(fault, params).map(Control::InjectWire).map_err(|e| e.0)
}

pub fn clear_wire(fault: &str) -> Asked {
    WireFaultKind::parse(fault).map(Control::ClearWire).map_err(|e| e.0)
}

pub fn command(name: &str, params: &Params) -> Asked {
    Command::with_params(name, params).map(Control::Command).map_err(|e| e.0)
}

/// The load on each output phase, % of the phase's share of the rating.
pub fn load_per_phase(phases_pct: &[f64]) -> Control {
    Control::PhaseLoads(phases_pct.to_vec())
}

/// The mains voltage as a fault: a sag below nominal, a swell above, none at nominal.
pub fn mains_voltage(voltage_pct: f64) -> Vec<Control> {
    if voltage_pct < 100.0 {
        vec![Control::Clear(FaultKind::MainsSwell), Control::Inject(Fault::MainsSag { voltage_pct })]
    } else if voltage_pct > 100.0 {
        vec![Control::Clear(FaultKind::MainsSag), Control::Inject(Fault::MainsSwell { voltage_pct })]
    } else {
        vec![Control::Clear(FaultKind::MainsSag), Control::Clear(FaultKind::MainsSwell)]
    }
}

/// The mains frequency as a fault; none at the nominal frequency.
pub fn mains_frequency(frequency_hz: f64, nominal_hz: f64) -> Vec<Control> {
    if (frequency_hz - nominal_hz).abs() < 1e-9 {
        vec![Control::Clear(FaultKind::MainsFrequency)]
    } else {
        vec![Control::Inject(Fault::MainsFrequency { frequency_hz })]
    }
}

pub fn ambient(temperature_c: f64) -> Control {
    Control::Inject(Fault::AmbientTemperature { temperature_c })
}

/// The one-click presets of the fault panel.
pub const PRESETS: [(&str, &str); 4] = [
    ("Blackout", "mains fails: the UPS goes on battery"),
    ("Overload", "the load rises to 125 % of the rating"),
    ("Weak battery", "the battery is aged to 40 % of its health"),
    ("Back to normal", "every fault cleared, load back to 50 %"),
];

/// The actions of a preset; `active` are the faults in force (cleared by "Back to normal").
pub fn preset(name: &str, active: &[FaultKind]) -> Vec<Control> {
    match name {
        "Blackout" => vec![Control::Inject(Fault::MainsBlackout)],
        "Overload" => vec![Control::Inject(Fault::Overload { load_pct: 125.0 })],
        "Weak battery" => vec![Control::Inject(Fault::AgedBattery { soh_pct: 40.0 })],
        "Back to normal" => {
            let mut actions: Vec<Control> = active.iter().map(|kind| Control::Clear(*kind)).collect();
            actions.push(load_per_phase(&[50.0, 50.0, 50.0]));
            actions
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_with_its_parameters_is_an_injection_and_its_clearing_a_clear() {
        let weak = inject(
            "weak_block",
            &Params::from([("string".into(), 1.0), ("block".into(), 3.0), ("capacity_pct".into(), 5.0)]),
        );
        assert_eq!(
            weak,
            Ok(Control::Inject(Fault::WeakBlock { string: 1.0, block: 3.0, capacity_pct: 5.0 }))
        );
        assert_eq!(clear("weak_block"), Ok(Control::Clear(FaultKind::WeakBlock)));
        assert_eq!(
            inject_wire("no_response", &Params::new()),
            Ok(Control::InjectWire(WireFault::NoResponse { probability: 1.0 }))
        );
        assert_eq!(clear_wire("line_break"), Ok(Control::ClearWire(WireFaultKind::LineBreak)));
        assert!(inject("weak_block", &Params::new()).unwrap_err().contains("missing parameter string"));
        assert!(
            command("shutdown", &Params::from([("delay_s".into(), -1.0)])).unwrap_err().contains("within")
        );
    }

    #[test]
    fn the_mains_voltage_slider_is_a_sag_a_swell_or_neither() {
        assert_eq!(
            mains_voltage(80.0),
            [Control::Clear(FaultKind::MainsSwell), Control::Inject(Fault::MainsSag { voltage_pct: 80.0 })]
        );
        assert_eq!(mains_voltage(115.0)[1], Control::Inject(Fault::MainsSwell { voltage_pct: 115.0 }));
        assert_eq!(
            mains_voltage(100.0),
            [Control::Clear(FaultKind::MainsSag), Control::Clear(FaultKind::MainsSwell)]
        );
        assert_eq!(mains_frequency(50.0, 50.0), [Control::Clear(FaultKind::MainsFrequency)]);
        assert_eq!(
            mains_frequency(47.0, 50.0),
            [Control::Inject(Fault::MainsFrequency { frequency_hz: 47.0 })]
        );
    }

    #[test]
    fn presets_inject_their_fault_and_back_to_normal_clears_what_is_in_force() {
        assert_eq!(preset("Blackout", &[]), [Control::Inject(Fault::MainsBlackout)]);
        assert_eq!(preset("Overload", &[]), [Control::Inject(Fault::Overload { load_pct: 125.0 })]);
        assert_eq!(preset("Weak battery", &[]), [Control::Inject(Fault::AgedBattery { soh_pct: 40.0 })]);
        let normal = preset("Back to normal", &[FaultKind::MainsBlackout, FaultKind::Overload]);
        assert_eq!(
            normal,
            [
                Control::Clear(FaultKind::MainsBlackout),
                Control::Clear(FaultKind::Overload),
                Control::PhaseLoads(vec![50.0, 50.0, 50.0])
            ]
        );
        assert!(PRESETS.iter().all(|(name, _)| !preset(name, &[]).is_empty() || *name == "Back to normal"));
        assert!(preset("no such preset", &[]).is_empty());
    }
}
