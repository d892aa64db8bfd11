//! The player in the window: steps the twin each frame with the wall time that passed
//! (`player.rs` does the stepping), opens and seeks scenarios as the Scenario tab asks, and
//! shows the caption of the story over the synoptic.

use crate::frame::PanelsSet;
use crate::live::Live;
use crate::player::Player;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use scenarios::compile::Compiled;

/// The scenario the window opens on, where, and how it plays.
#[derive(Debug, Clone)]
pub struct ScenarioStart {
    pub scenario: Compiled,
    pub at_s: f64,
    pub playing: bool,
    pub speed: f64,
    pub looping: bool,
    /// Show the story's captions over the synoptic.
    pub captions: bool,
}

#[derive(Resource, Debug, Default)]
pub struct Playing {
    pub player: Option<Player>,
    pub captions: bool,
}

impl Playing {
    pub fn start(live: &Live, start: ScenarioStart) -> Self {
        let mut twin = live.twin.lock();
        let mut player = Player::new(start.scenario, &mut twin, start.at_s);
        player.playing = start.playing;
        player.speed = start.speed;
        player.looping = start.looping;
        Self { player: Some(player), captions: start.captions }
    }

    /// Opens a scenario file for the twin of `live`; the error names the file, line and
    /// column, as every loader does.
    pub fn open(&mut self, live: &Live, path: &std::path::Path) -> Result<(), String> {
        let scenario = scenarios::compile::load(path).map_err(|e| e.to_string())?;
        let twin_map = live.twin.lock().ups.model().register_map.clone();
        if scenario.model.model.register_map != twin_map {
            return Err(format!(
                "{}: its model speaks {}, this window's twin {}: open it with `upstwin gui {}`",
                path.display(),
                scenario.model.model.register_map,
                twin_map,
                path.display()
            ));
        }
        let mut twin = live.twin.lock();
        self.player = Some(Player::new(scenario, &mut twin, 0.0));
        Ok(())
    }
}

fn advance(time: Res<Time>, live: Res<Live>, mut playing: ResMut<Playing>) {
    if let Some(player) = playing.player.as_mut() {
        player.advance(&mut live.twin.lock(), time.delta_secs_f64());
    }
}

/// The story's caption, across the top of the synoptic.
fn caption(mut contexts: EguiContexts, playing: Res<Playing>, central: Res<crate::frame::Central>) -> Result {
    let (Some(player), Some(rect), true) = (&playing.player, central.0, playing.captions) else {
        return Ok(());
    };
    let text = player.caption().unwrap_or("A normal day: mains present, the load protected by the inverter");
    let ctx = contexts.ctx_mut()?;
    egui::Area::new("caption".into()).fixed_pos(rect.min + egui::vec2(12.0, 12.0)).show(ctx, |ui| {
        egui::Frame::new()
            .fill(crate::palette::egui(crate::palette::BAR))
            .corner_radius(6.0)
            .inner_margin(egui::Margin::symmetric(14, 10))
            .show(ui, |ui| {
                ui.set_max_width(rect.width() - 48.0);
                ui.label(egui::RichText::new(text).size(18.0).color(egui::Color32::WHITE));
            });
    });
    Ok(())
}

#[derive(Debug)]
pub struct PlayingPlugin;

impl Plugin for PlayingPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Playing>()
            .add_systems(Update, advance)
            .add_systems(EguiPrimaryContextPass, caption.after(PanelsSet));
    }
}
