//! Draws the fleet: the top bar, the feeds and their buttons on the left, the counts, the
//! filter and the tiles in the middle. Only the rows in view are painted, so 10 000 tiles
//! cost what a screenful does.

use super::tiles::{self, Placed, Status, TileState};
use super::{FeedAction, FleetView, open};
use crate::frame::{Central, Shown};
use crate::live::Live;
use crate::palette;
use crate::panels::Links;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

pub(super) fn show(
    mut commands: Commands,
    mut contexts: EguiContexts,
    fleet: Option<ResMut<FleetView>>,
    shown: Res<Shown>,
    mut central: ResMut<Central>,
    live: Res<Live>,
    links: Res<Links>,
) -> Result {
    let (Some(mut fleet), Shown::Fleet) = (fleet, *shown) else { return Ok(()) };
    let ctx = contexts.ctx_mut()?.clone();
    let mut root = egui::Ui::new(
        ctx.clone(),
        "fleet".into(),
        egui::UiBuilder::new().layer_id(egui::LayerId::background()).max_rect(ctx.viewport_rect()),
    );
    let states = fleet.tiles.states();
    let bar =
        egui::Frame::new().fill(palette::egui(palette::BAR)).inner_margin(egui::Margin::symmetric(12, 8));
    egui::Panel::top("top").frame(bar).show(&mut root, |ui| {
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new("upstwin").strong().size(18.0).color(egui::Color32::WHITE));
            let title = format!("fleet {} · {} devices", fleet.name, fleet.devices.len());
            ui.label(egui::RichText::new(title).color(egui::Color32::WHITE));
            ui.separator();
            let time = format!("twin t = {:.0} s", live.truth.time_s);
            ui.label(egui::RichText::new(time).color(egui::Color32::LIGHT_GRAY));
            crate::panels::draw_links(ui, &links);
        });
    });
    let pressed = egui::Panel::left("feeds")
        .resizable(true)
        .default_size(300.0)
        .show(&mut root, |ui| feeds(ui, &fleet, &states))
        .inner;
    if let Some((feed, action)) = pressed {
        fleet.press(&feed, action);
    }
    let frame = egui::Frame::new().fill(palette::egui(palette::CANVAS)).inner_margin(egui::Margin::same(12));
    let clicked = egui::CentralPanel::default()
        .frame(frame)
        .show(&mut root, |ui| {
            counts_and_filter(ui, &mut fleet, &states);
            ui.add_space(6.0);
            tiles_area(ui, &mut fleet, &states)
        })
        .inner;
    // The synoptic's camera is off while the tiles are shown.
    central.0 = None;
    if let Some(index) = clicked {
        open(&mut commands, &mut fleet, index);
    }
    Ok(())
}

/// The feeds by site, each with its devices' counts and its buttons; the button pressed.
fn feeds(ui: &mut egui::Ui, fleet: &FleetView, states: &[TileState]) -> Option<(String, FeedAction)> {
    // Per feed, in one pass: its devices' counts, and whether all of them have each supply
    // fault.
    let mut counts = vec![[0usize; 5]; fleet.feeds.len()];
    let mut all = vec![(true, true, true); fleet.feeds.len()];
    for (feed, state) in fleet.feed_of.iter().zip(states) {
        let Some(feed) = *feed else { continue };
        counts[feed][Status::ALL.iter().position(|s| *s == state.status).unwrap_or(0)] += 1;
        let has = &mut all[feed];
        *has = (has.0 && state.blackout, has.1 && state.sag, has.2 && state.genset);
    }
    let mut pressed = None;
    ui.heading("Feeds");
    egui::ScrollArea::vertical().show(ui, |ui| {
        let mut site = None;
        for (index, feed) in fleet.feeds.iter().enumerate() {
            if site != Some(&feed.site) {
                site = Some(&feed.site);
                ui.add_space(6.0);
                ui.label(egui::RichText::new(format!("Site {}", feed.site)).strong());
            }
            if counts[index].iter().sum::<usize>() == 0 {
                continue;
            }
            ui.horizontal(|ui| {
                ui.label(&feed.name);
                for (status, count) in Status::ALL.iter().zip(counts[index]) {
                    if count > 0 {
                        ui.label(
                            egui::RichText::new(format!("■ {count}")).color(palette::egui(status.rgb())),
                        )
                        .on_hover_text(status.label());
                    }
                }
            });
            ui.horizontal(|ui| {
                let (blackout, sag, genset) = all[index];
                let toggle = |ui: &mut egui::Ui, on: bool, off_text: &str, on_text: &str| {
                    ui.selectable_label(on, if on { on_text } else { off_text }).clicked()
                };
                if toggle(ui, blackout, "Blackout", "Restore mains") {
                    let action = if blackout { FeedAction::Restore } else { FeedAction::Blackout };
                    pressed = Some((feed.name.clone(), action));
                }
                let sag_text = format!("Sag to {:.0} %", super::SAG_PCT);
                if toggle(ui, sag, &sag_text, "End sag") {
                    pressed =
                        Some((feed.name.clone(), if sag { FeedAction::EndSag } else { FeedAction::Sag }));
                }
                if let Some(set) = feed.genset
                    && toggle(ui, genset, "Start genset", "Stop genset")
                {
                    let action = if genset { FeedAction::StopGenset } else { FeedAction::StartGenset(set) };
                    pressed = Some((feed.name.clone(), action));
                }
            });
        }
        if let Some(answer) = fleet.answer() {
            ui.add_space(8.0);
            ui.label(answer);
        }
    });
    pressed
}

/// A chip per status (a click shows only those, again shows all) and the text filter.
fn counts_and_filter(ui: &mut egui::Ui, fleet: &mut FleetView, states: &[TileState]) {
    let counts = tiles::counts(states);
    ui.horizontal_wrapped(|ui| {
        for (status, count) in Status::ALL.iter().zip(counts) {
            let chosen = fleet.filter.status == Some(*status);
            // "Not read yet" only while some are, or while it is the one chosen (to unchoose).
            if count == 0 && *status == Status::Unread && !chosen {
                continue;
            }
            let text = egui::RichText::new(format!("■ {count} {}", status.label()))
                .color(palette::egui(status.rgb()));
            if ui.selectable_label(chosen, text).clicked() {
                fleet.filter.status = if chosen { None } else { Some(*status) };
            }
        }
        ui.separator();
        ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut fleet.filter.text)
                .hint_text("name, group, model, site or feed")
                .desired_width(220.0),
        );
    });
}

/// The tiles by site and feed, only the rows in view painted; the device clicked.
fn tiles_area(ui: &mut egui::Ui, fleet: &mut FleetView, states: &[TileState]) -> Option<usize> {
    let sections = fleet.sections(states).to_vec();
    let devices = fleet.devices.clone();
    let placed = Placed::new(&sections, ui.available_width());
    let mut drawn = Vec::new();
    let mut clicked = None;
    egui::ScrollArea::vertical().auto_shrink(false).show_viewport(ui, |ui, viewport| {
        let (whole, response) = ui.allocate_exact_size(
            egui::vec2(ui.available_width(), placed.height.max(viewport.height())),
            egui::Sense::click(),
        );
        let origin = whole.min;
        let painter = ui.painter();
        // One mesh of plain quads for every tile in view: no rounding, no anti-aliased rim
        // (a screenful is thousands of tiles; software rendering pays per vertex).
        let mut mesh = egui::Mesh::default();
        for s in placed.between(viewport.min.y, viewport.max.y) {
            let section = &sections[s];
            let heading = format!("{} · {} · {} UPS", section.site, section.feed, section.devices.len());
            painter.text(
                origin + placed.heading(s).to_vec2(),
                egui::Align2::LEFT_TOP,
                heading,
                egui::FontId::proportional(14.0),
                palette::egui(palette::INK),
            );
            for k in placed.tiles_between(&sections, s, viewport.min.y, viewport.max.y) {
                let device = section.devices[k];
                let rect = placed.tile(s, k).translate(origin.to_vec2());
                mesh.add_colored_rect(rect, palette::egui(states[device].status.rgb()));
                if ui.clip_rect().contains_rect(rect) {
                    drawn.push((device, rect));
                }
            }
        }
        painter.add(egui::Shape::mesh(mesh));
        if let Some(pointer) = response.hover_pos() {
            let under = placed.at(&sections, pointer - origin.to_vec2());
            if let Some(device) = under {
                let identity = &devices[device].identity;
                let text = format!(
                    "{}\n{} at {}\n{} · {}\n{}",
                    identity.name,
                    identity.model,
                    identity.address,
                    identity.site,
                    identity.feed,
                    states[device].status.label()
                );
                response.clone().on_hover_text_at_pointer(text);
                if response.clicked() {
                    clicked = Some(device);
                }
            }
        }
        if sections.is_empty() {
            ui.label("No device matches the filter.");
        }
    });
    fleet.drawn = drawn;
    clicked
}
