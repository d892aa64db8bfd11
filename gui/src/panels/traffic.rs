//! The traffic monitor (bottom tab): the last frames on the twin's links, newest first,
//! decoded (function, addresses, meaning), with what a wire fault did highlighted.

use crate::live::Live;
use crate::palette;
use crate::traffic::{Mark, mark};
use bevy_egui::egui;

pub fn show(ui: &mut egui::Ui, live: &Live) {
    if !live.wire_faults.is_empty() {
        ui.colored_label(
            palette::egui(palette::RED),
            format!(
                "Wire faults in force: {}",
                live.wire_faults.iter().map(|kind| kind.name()).collect::<Vec<_>>().join(", ")
            ),
        );
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        egui::Grid::new("traffic").striped(true).num_columns(5).show(ui, |ui| {
            for heading in ["twin s", "link", "dir", "meaning", "bytes"] {
                ui.strong(heading);
            }
            ui.end_row();
            for record in live.frames.iter().rev() {
                let colour = match mark(record) {
                    Mark::Normal => palette::egui(palette::INK),
                    Mark::Exception => palette::egui(palette::YELLOW),
                    Mark::Wire => palette::egui(palette::RED),
                };
                ui.label(format!("{:.1}", record.sim_s));
                ui.label(&record.link);
                ui.label(record.direction.as_str());
                ui.colored_label(colour, &record.meaning);
                ui.monospace(&record.hex);
                ui.end_row();
            }
        });
    });
}
