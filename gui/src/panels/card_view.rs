//! The right panel: the card under test beside the twin's truth (`comparison.rs`), the
//! card's alarm table, the UPS architecture tree (§11.3) and the parameter table of the
//! synoptic element clicked (§12.1.4).

use crate::comparison;
use crate::live::Live;
use crate::palette;
use crate::synoptic::Selection;
use bevy_egui::egui;
use card::derive::topology::Kind;

pub fn show(ui: &mut egui::Ui, live: &Live, selection: &mut Selection) {
    egui::ScrollArea::vertical().show(ui, |ui| {
        card_beside_truth(ui, live);
        ui.separator();
        tree(ui, live, selection);
        ui.separator();
        parameters(ui, live, selection);
    });
}

fn card_beside_truth(ui: &mut egui::Ui, live: &Live) {
    ui.heading("Card beside the truth");
    let Some(report) = &live.card_report else {
        ui.label("No card in this window: the truth alone.");
        return;
    };
    // What the card reports; under it, the twin's truth when the two differ.
    egui::Grid::new("comparison").striped(true).num_columns(2).show(ui, |ui| {
        for row in comparison::compare(report, &live.truth, live.true_runtime_min) {
            ui.label(row.label);
            ui.vertical(|ui| {
                if row.differs {
                    ui.label(egui::RichText::new(&row.card).color(palette::egui(palette::RED)).strong());
                    ui.label(egui::RichText::new(format!("twin: {}", row.truth)).small());
                } else {
                    ui.label(&row.card).on_hover_text(format!("twin: {}", row.truth));
                }
            });
            ui.end_row();
        }
    });
    ui.add_space(6.0);
    ui.strong(format!("Card's alarm table ({})", report.alarms.len()));
    for (code, description, level) in &report.alarms {
        let colour = match level.as_str() {
            "Critical" => palette::RED,
            "Warning" => palette::YELLOW,
            _ => palette::INK,
        };
        ui.colored_label(palette::egui(colour), format!("{code}  {description}  ({level})"));
    }
}

/// §11.3: the UPS (or the SYSTEM) with its units or modules; a click chooses the view.
fn tree(ui: &mut egui::Ui, live: &Live, selection: &mut Selection) {
    let topology = &live.truth.view.topology;
    ui.heading("UPS architecture");
    let reference = live.truth.database.reference_or_serial().unwrap_or("UPS");
    let root =
        if topology.kind == Kind::Parallel { format!("SYSTEM {reference}") } else { reference.to_string() };
    let dot = |ui: &mut egui::Ui, status| ui.colored_label(palette::egui(palette::of_status(status)), "●");
    ui.horizontal(|ui| {
        dot(ui, topology.status);
        if ui.selectable_label(selection.device.is_none(), root).clicked() {
            selection.device = None;
        }
    });
    let noun = if topology.kind == Kind::Parallel { "Unit" } else { "Module" };
    for device in &topology.devices {
        ui.horizontal(|ui| {
            ui.add_space(16.0);
            dot(ui, device.status);
            let label = format!("{noun} {}", device.number);
            if ui
                .selectable_label(selection.device == Some(device.number), label)
                .on_hover_text(format!("{:?}", device.status))
                .clicked()
            {
                selection.device = Some(device.number);
            }
        });
    }
}

/// The table of the element clicked, per phase (§12.1.5–10).
fn parameters(ui: &mut egui::Ui, live: &Live, selection: &Selection) {
    let tables = &live.truth.view.tables;
    let Some(table) =
        tables.iter().find(|t| t.name == selection.table).or_else(|| tables.iter().find(|t| t.name == "ups"))
    else {
        return;
    };
    ui.heading(table.title);
    egui::Grid::new("parameters").striped(true).num_columns(2).show(ui, |ui| {
        for row in &table.rows {
            ui.label(if row.unit.is_empty() {
                row.label.to_string()
            } else {
                format!("{} ({})", row.label, row.unit)
            });
            let values: Vec<String> = row
                .values
                .iter()
                .map(|v| v.map_or_else(|| "—".into(), |v| format!("{}", (v * 10.0).round() / 10.0)))
                .collect();
            ui.label(values.join(" / "));
            ui.end_row();
        }
    });
}
