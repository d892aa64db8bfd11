//! The fault panel (left): the presets, every fault and wire fault of the catalogues with
//! their parameters as sliders bounded by the validated ranges, the live sliders (load per
//! phase, mains voltage and frequency, ambient) and the firmware command buttons. Every
//! action is a typed action for the twin's control plane (`control.rs`); the answer is shown.

use crate::control::{self, Asked, Params};
use crate::live::Live;
use bevy::prelude::Resource;
use bevy_egui::egui;
use sim::ups::catalogue::{ParamSpec, Spec};
use sim::ups::commands::COMMANDS;
use sim::ups::faults::FAULTS;
use sim::wire::faults::WIRE_FAULTS;
use std::collections::BTreeMap;

/// The panel's own state: each entry's parameters as set, the sliders, the last answer.
#[derive(Resource, Debug)]
pub struct FaultPanel {
    params: BTreeMap<&'static str, Params>,
    /// Taken from the twin when the panel first shows, then as the person sets it.
    load_pct: Option<[f64; 3]>,
    mains_voltage_pct: f64,
    mains_frequency_hz: Option<f64>,
    ambient_c: f64,
    pub answer: Option<Result<String, String>>,
}

impl Default for FaultPanel {
    fn default() -> Self {
        Self {
            params: BTreeMap::new(),
            load_pct: None,
            mains_voltage_pct: 100.0,
            mains_frequency_hz: None,
            ambient_c: 25.0,
            answer: None,
        }
    }
}

/// A parameter's starting value: its default, else a value that shows the fault, else the
/// bottom of its range.
fn initial(spec: &ParamSpec) -> f64 {
    spec.default.or(spec.example).unwrap_or(spec.min)
}

/// Whether a parameter counts things (a phase, a block, a unit): moved in whole steps.
fn whole(spec: &ParamSpec) -> bool {
    spec.unit.is_empty() && spec.min.fract() == 0.0 && spec.max.fract() == 0.0
}

impl FaultPanel {
    fn params_of(&mut self, spec: &Spec) -> &mut Params {
        self.params
            .entry(spec.name)
            .or_insert_with(|| spec.params.iter().map(|p| (p.name.to_string(), initial(p))).collect())
    }
}

/// The actions the panel asks for this frame.
pub fn show(ui: &mut egui::Ui, panel: &mut FaultPanel, live: &Live) -> Vec<Asked> {
    let mut asked = Vec::new();
    ui.heading("Fault injection");
    ui.horizontal_wrapped(|ui| {
        for (name, effect) in control::PRESETS {
            if ui.button(name).on_hover_text(effect).clicked() {
                asked.extend(control::preset(name, &live.faults).into_iter().map(Ok));
            }
        }
    });
    if let Some(answer) = &panel.answer {
        let (colour, text) = match answer {
            Ok(text) => (crate::palette::egui(crate::palette::GREEN), text.as_str()),
            Err(text) => (crate::palette::egui(crate::palette::RED), text.as_str()),
        };
        ui.colored_label(colour, text);
    }
    ui.separator();
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::CollapsingHeader::new("Load, mains, ambient").default_open(true).show(ui, |ui| {
            live_sliders(ui, panel, live, &mut asked);
        });
        egui::CollapsingHeader::new(format!("UPS faults ({} in force)", live.faults.len()))
            .default_open(true)
            .show(ui, |ui| {
                for spec in FAULTS {
                    catalogue_entry(
                        ui,
                        panel,
                        spec,
                        live.faults.iter().any(|f| f.name() == spec.name),
                        &mut asked,
                        Kind::Fault,
                    );
                }
            });
        egui::CollapsingHeader::new(format!("Wire faults ({} in force)", live.wire_faults.len())).show(
            ui,
            |ui| {
                for spec in WIRE_FAULTS {
                    let active = live.wire_faults.iter().any(|f| f.name() == spec.name);
                    catalogue_entry(ui, panel, spec, active, &mut asked, Kind::Wire);
                }
            },
        );
        egui::CollapsingHeader::new("Firmware commands").show(ui, |ui| {
            for spec in COMMANDS {
                catalogue_entry(ui, panel, spec, false, &mut asked, Kind::Command);
            }
        });
    });
    asked
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Fault,
    Wire,
    Command,
}

fn catalogue_entry(
    ui: &mut egui::Ui,
    panel: &mut FaultPanel,
    spec: &Spec,
    active: bool,
    asked: &mut Vec<Asked>,
    kind: Kind,
) {
    ui.horizontal(|ui| {
        let label = egui::RichText::new(spec.name).strong();
        let label = if active { label.color(crate::palette::egui(crate::palette::RED)) } else { label };
        ui.label(label).on_hover_text(spec.effect);
        let params = panel.params_of(spec).clone();
        match kind {
            Kind::Command => {
                if ui.small_button("Send").clicked() {
                    asked.push(control::command(spec.name, &params));
                }
            }
            Kind::Fault | Kind::Wire if active => {
                if ui.small_button("Clear").clicked() {
                    asked.push(if kind == Kind::Fault {
                        control::clear(spec.name)
                    } else {
                        control::clear_wire(spec.name)
                    });
                }
            }
            Kind::Fault | Kind::Wire => {
                if ui.small_button("Inject").clicked() {
                    asked.push(if kind == Kind::Fault {
                        control::inject(spec.name, &params)
                    } else {
                        control::inject_wire(spec.name, &params)
                    });
                }
            }
        }
    });
    for param in spec.params {
        let value = panel.params_of(spec).entry(param.name.to_string()).or_insert_with(|| initial(param));
        let slider =
            egui::Slider::new(value, param.min..=param.max).text(format!("{} {}", param.name, param.unit));
        ui.add(if whole(param) { slider.step_by(1.0) } else { slider });
    }
}

fn live_sliders(ui: &mut egui::Ui, panel: &mut FaultPanel, live: &Live, asked: &mut Vec<Asked>) {
    let phases = usize::from(live.output_phases).clamp(1, 3);
    let mut load_changed = false;
    let load_pct = panel.load_pct.get_or_insert_with(|| {
        let row = live
            .truth
            .view
            .tables
            .iter()
            .find(|t| t.name == "ups")
            .and_then(|t| t.rows.iter().find(|r| r.label == "Output load rate"));
        let mut loads = [0.0; 3];
        for (load, value) in loads.iter_mut().zip(row.map(|r| r.values.as_slice()).unwrap_or_default()) {
            *load = value.unwrap_or(0.0);
        }
        loads
    });
    for (phase, pct) in load_pct.iter_mut().enumerate().take(phases) {
        let slider = egui::Slider::new(pct, 0.0..=150.0).suffix(" %").text(format!("load L{}", phase + 1));
        load_changed |= ui.add(slider).drag_stopped();
    }
    if load_changed {
        asked.push(Ok(control::load_per_phase(&load_pct[..phases])));
    }
    let voltage = ui
        .add(egui::Slider::new(&mut panel.mains_voltage_pct, 0.0..=150.0).suffix(" %").text("mains voltage"));
    if voltage.drag_stopped() {
        asked.extend(control::mains_voltage(panel.mains_voltage_pct).into_iter().map(Ok));
    }
    let nominal = live.nominal_frequency_hz;
    let frequency = panel.mains_frequency_hz.get_or_insert(nominal);
    let moved = ui.add(egui::Slider::new(frequency, 30.0..=80.0).suffix(" Hz").text("mains frequency"));
    if moved.drag_stopped() {
        asked.extend(control::mains_frequency(*frequency, nominal).into_iter().map(Ok));
    }
    let ambient = ui.add(egui::Slider::new(&mut panel.ambient_c, -20.0..=70.0).suffix(" °C").text("ambient"));
    if ambient.drag_stopped() {
        asked.push(Ok(control::ambient(panel.ambient_c)));
    }
}
