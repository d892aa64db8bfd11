//! The scenario player's tab: play/pause, speed (1×–1000×, virtual time), seek, the timeline
//! of the scenario's events and its expectations' verdicts as they pass or fail; with no
//! scenario, a field to open one (the library's are listed).

use crate::palette;
use crate::player::{Player, SPEEDS, Verdict};
use bevy_egui::egui;
use std::path::PathBuf;

/// What the person asked of the player this frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Asked {
    Open(PathBuf),
    Seek(f64),
}

/// The tab's own state: the path typed, the seek slider while dragged, the last error.
#[derive(Debug, Default)]
pub struct ScenarioTab {
    pub path: String,
    seek_s: Option<f64>,
    pub error: Option<String>,
}

/// The library's scenarios, when the window runs from the repository.
fn library() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("scenarios/library")
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "ron"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

pub fn show(
    ui: &mut egui::Ui,
    tab: &mut ScenarioTab,
    player: Option<&mut Player>,
    now_s: f64,
) -> Option<Asked> {
    let mut asked = None;
    if let Some(error) = &tab.error {
        ui.colored_label(palette::egui(palette::RED), error);
    }
    let Some(player) = player else {
        ui.label("No scenario is playing: the twin runs on the wall clock. Open a scenario file:");
        ui.horizontal(|ui| {
            ui.text_edit_singleline(&mut tab.path);
            if ui.button("Open").clicked() {
                asked = Some(Asked::Open(PathBuf::from(tab.path.trim())));
            }
        });
        ui.horizontal_wrapped(|ui| {
            for file in library() {
                let name = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                if ui.small_button(name).clicked() {
                    asked = Some(Asked::Open(file));
                }
            }
        });
        return asked;
    };
    // The name on a line of its own, cut to the panel's width (the whole name on hover), so a
    // long one never pushes the controls out of the panel.
    let name = &player.scenario().name;
    ui.add(egui::Label::new(egui::RichText::new(name).strong()).truncate()).on_hover_text(name);
    ui.horizontal_wrapped(|ui| {
        let label = if player.playing { "⏸ Pause" } else { "⏵ Play" };
        if ui.button(label).clicked() {
            player.playing = !player.playing;
        }
        ui.add(egui::Slider::new(&mut player.speed, SPEEDS).logarithmic(true).suffix("×").text("speed"));
        ui.checkbox(&mut player.looping, "loop");
    });
    let duration = player.duration_s();
    let seek = tab.seek_s.get_or_insert(now_s);
    let response =
        ui.add(egui::Slider::new(seek, 0.0..=duration).suffix(" s").text(format!("of {duration:.0} s")));
    if response.drag_stopped() || (response.changed() && !response.dragged()) {
        asked = Some(Asked::Seek(*seek));
    }
    if !response.dragged() {
        tab.seek_s = None;
    }
    ui.columns(2, |columns| {
        columns[0].strong("Timeline");
        egui::ScrollArea::vertical().id_salt("events").show(&mut columns[0], |ui| {
            for (label, at) in player.events() {
                let when = at.map_or_else(|| "waiting".into(), |t| format!("{t:.1} s"));
                ui.label(format!("{when:>9}  {label}"));
            }
        });
        columns[1].strong("Expectations");
        egui::ScrollArea::vertical().id_salt("verdicts").show(&mut columns[1], |ui| {
            for (label, verdict) in player.verdicts(now_s) {
                match verdict {
                    Verdict::Passed(detail) => {
                        ui.colored_label(palette::egui(palette::GREEN), format!("✔ {label}"))
                            .on_hover_text(detail);
                    }
                    Verdict::Failed(detail) => {
                        ui.colored_label(palette::egui(palette::RED), format!("✘ {label}: {detail}"));
                    }
                    Verdict::Skipped(why) => {
                        ui.weak(format!("– {label} (skipped)")).on_hover_text(why);
                    }
                    Verdict::Waiting => {
                        ui.label(format!("… {label}"));
                    }
                }
            }
        });
    });
    asked
}
