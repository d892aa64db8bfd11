//! The egui panels around the synoptic, laid out in one pass each frame (egui panels take
//! their room in the order shown): the top bar, the fault panel on the left, the card and
//! the tree on the right, the plots and the traffic monitor below. What is left in the
//! middle is the synoptic's viewport (`Central`).

mod card_view;
mod faults;
mod plots;
mod scenario;
mod traffic;

use crate::live::Live;
use crate::palette;
use crate::synoptic::Selection;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
pub use faults::FaultPanel;
use sim::twin::control::ControlPlane;

use crate::frame::{Central, PanelsSet, Shown};

/// The twin's control plane: the panels' actions go straight to it, typed, as the control
/// API's do.
#[derive(Resource, Clone, Debug)]
pub struct Controls(pub ControlPlane);

/// The links shown in the top bar: (what, address).
#[derive(Resource, Debug, Clone, Default)]
pub struct Links(pub Vec<(String, String)>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Plots,
    Traffic,
    Scenario,
}

/// The bottom panel: which tab, and each tab's state.
#[derive(Resource, Debug, Default)]
pub struct Bottom {
    pub tab: Tab,
    plots: plots::PlotsState,
    scenario: scenario::ScenarioTab,
}

impl Bottom {
    /// The panel opened on `tab`.
    pub fn on(tab: Tab) -> Self {
        Self { tab, ..Self::default() }
    }
}

/// The top bar; whether "back to the fleet" was pressed (offered on a fleet's device).
fn top_bar(ui: &mut egui::Ui, live: &Live, links: &Links, in_fleet: bool) -> bool {
    let view = &live.truth.view;
    let mut back = false;
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new("upstwin").strong().size(18.0).color(egui::Color32::WHITE));
        if in_fleet {
            back = ui.button("◀ Fleet").on_hover_text("Back to every device's tile").clicked();
        }
        ui.label(egui::RichText::new(&live.title).color(egui::Color32::WHITE));
        ui.separator();
        let mode = match (view.load_fed, view.discharging) {
            (false, _) => palette::RED,
            (true, true) => palette::YELLOW,
            (true, false) => palette::GREEN,
        };
        ui.label(egui::RichText::new(view.ups_status).strong().color(palette::egui(mode)));
        ui.label(egui::RichText::new(view.battery_status).color(egui::Color32::WHITE));
        ui.label(
            egui::RichText::new(format!("twin t = {:.0} s", live.truth.time_s))
                .color(egui::Color32::LIGHT_GRAY),
        );
        draw_links(ui, links);
    });
    back
}

/// The links, right-aligned in the top bar.
pub(crate) fn draw_links(ui: &mut egui::Ui, links: &Links) {
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        for (what, address) in links.0.iter().rev() {
            let text = egui::RichText::new(what).color(egui::Color32::WHITE);
            if address.starts_with("http") {
                ui.hyperlink_to(text, address).on_hover_text(address);
            } else {
                ui.label(text).on_hover_text(address);
            }
        }
    });
}

// A Bevy system takes each resource it reads as an argument.
#[allow(clippy::too_many_arguments)]
fn layout(
    mut contexts: EguiContexts,
    live: Res<Live>,
    links: Res<Links>,
    controls: Res<Controls>,
    mut faults: ResMut<FaultPanel>,
    mut bottom: ResMut<Bottom>,
    mut selection: ResMut<Selection>,
    mut central: ResMut<Central>,
    mut playing: ResMut<crate::playing::Playing>,
    shown: Res<Shown>,
    mut commands: Commands,
) -> Result {
    if *shown == Shown::Fleet {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let mut root = egui::Ui::new(
        ctx.clone(),
        "upstwin".into(),
        egui::UiBuilder::new().layer_id(egui::LayerId::background()).max_rect(ctx.viewport_rect()),
    );
    let bar =
        egui::Frame::new().fill(palette::egui(palette::BAR)).inner_margin(egui::Margin::symmetric(12, 8));
    let in_fleet = *shown == Shown::FleetDevice;
    let back =
        egui::Panel::top("top").frame(bar).show(&mut root, |ui| top_bar(ui, &live, &links, in_fleet)).inner;
    if back {
        // Applied after this pass: the fleet's view draws from the next frame, never with
        // this one.
        commands.insert_resource(Shown::Fleet);
    }
    let asked = egui::Panel::left("faults")
        .resizable(true)
        .default_size(280.0)
        .show(&mut root, |ui| faults::show(ui, &mut faults, &live))
        .inner;
    egui::Panel::right("card").resizable(true).default_size(310.0).max_size(420.0).show(&mut root, |ui| {
        card_view::show(ui, &live, &mut selection);
    });
    let bottom = &mut *bottom;
    let asked_of_player = egui::Panel::bottom("below")
        .resizable(true)
        .default_size(230.0)
        .show(&mut root, |ui| {
            ui.horizontal(|ui| {
                ui.selectable_value(&mut bottom.tab, Tab::Plots, "Plots");
                ui.selectable_value(&mut bottom.tab, Tab::Traffic, "Traffic monitor");
                ui.selectable_value(&mut bottom.tab, Tab::Scenario, "Scenario player");
            });
            ui.separator();
            match bottom.tab {
                Tab::Plots => plots::show(ui, &live, &mut bottom.plots),
                Tab::Traffic => traffic::show(ui, &live),
                Tab::Scenario => {
                    return scenario::show(
                        ui,
                        &mut bottom.scenario,
                        playing.player.as_mut(),
                        live.truth.time_s,
                    );
                }
            }
            None
        })
        .inner;
    central.0 = Some(root.available_rect_before_wrap());
    match asked_of_player {
        Some(scenario::Asked::Open(path)) => bottom.scenario.error = playing.open(&live, &path).err(),
        Some(scenario::Asked::Seek(to_s)) => {
            if let Some(player) = playing.player.as_mut() {
                player.seek(&mut live.twin.lock(), to_s);
            }
        }
        None => {}
    }
    for asked in asked {
        let answer = asked.and_then(|control| controls.0.apply(control).map_err(|e| e.to_string()));
        faults.answer = Some(answer.map(|done| done.to_string()));
    }
    Ok(())
}

#[derive(Debug)]
pub struct PanelsPlugin;

impl Plugin for PanelsPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<FaultPanel>()
            .init_resource::<Central>()
            .init_resource::<Shown>()
            .add_systems(EguiPrimaryContextPass, layout.in_set(PanelsSet));
    }
}
