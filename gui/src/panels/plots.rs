//! The plots (bottom tab): the chosen signals against the twin's clock over a chosen window
//! (egui_plot), the UPS's remaining-time estimate beside the physics' truth.

use crate::live::Live;
use crate::samples::{SIGNALS, WINDOWS_S};
use bevy_egui::egui;
use egui_plot::{Legend, Line, Plot, PlotPoints};

/// Which signals are drawn, and the window.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotsState {
    pub shown: Vec<bool>,
    pub window_s: f64,
}

impl Default for PlotsState {
    fn default() -> Self {
        // Load, battery charge and the two remaining times: the story of an outage.
        let shown = SIGNALS
            .iter()
            .map(|s| {
                s.label.starts_with("Load")
                    || s.label.starts_with("Battery charge")
                    || s.label.starts_with("Remaining")
            })
            .collect();
        Self { shown, window_s: WINDOWS_S[1] }
    }
}

pub fn show(ui: &mut egui::Ui, live: &Live, state: &mut PlotsState) {
    ui.horizontal_top(|ui| {
        // The choices on the left, the plot beside them.
        ui.vertical(|ui| {
            ui.set_width(250.0);
            ui.horizontal_wrapped(|ui| {
                ui.label("Window:");
                for window in WINDOWS_S {
                    let label = if window < 3600.0 { format!("{} min", window / 60.0) } else { "1 h".into() };
                    if ui.selectable_label(state.window_s == window, label).clicked() {
                        state.window_s = window;
                    }
                }
            });
            egui::ScrollArea::vertical().show(ui, |ui| {
                for (signal, shown) in SIGNALS.iter().zip(state.shown.iter_mut()) {
                    ui.checkbox(shown, signal.label);
                }
            });
        });
        let legend = Legend::default().position(egui_plot::Corner::LeftTop).background_alpha(0.6);
        Plot::new("signals").legend(legend).x_axis_label("twin time (s)").show(ui, |plot| {
            for (index, signal) in SIGNALS.iter().enumerate().filter(|(i, _)| state.shown[*i]) {
                let points = PlotPoints::from(live.samples.series(index, state.window_s));
                plot.line(Line::new(signal.label, points));
            }
        });
    });
}
