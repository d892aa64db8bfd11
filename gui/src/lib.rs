//! The upstwin window: the UPS synoptic drawn in Bevy beside egui panels — the fault panel,
//! the card under test beside the twin's truth, the architecture tree, plots and the traffic
//! monitor. One plugin per area, as Bevy's own are: `LivePlugin` reads the twin and the
//! card, `SynopticPlugin` draws, `PanelsPlugin` lays the panels out, `CapturePlugin` takes
//! the screenshot the render test checks.
//!
//! Everything the window decides from the twin's state — colours, requests to the control
//! API, plotted samples, the comparison with the card, the traffic marks — is plain code in
//! `truth`, `control`, `samples`, `comparison` and `traffic`, tested without a window.

mod capture;
pub mod comparison;
pub mod control;
pub mod fleet;
mod frame;
mod live;
pub mod palette;
mod panels;
pub mod player;
mod playing;
pub mod samples;
pub mod synoptic;
pub mod traffic;
pub mod truth;

pub use capture::Capture;
pub use playing::ScenarioStart;

use bevy::prelude::*;
use bevy::window::WindowResolution;
use sim::twin::SharedTwin;
use std::sync::Arc;

/// The fonts of the window, built in (`assets/fonts`).
#[derive(Resource)]
struct Fonts {
    regular: Handle<Font>,
    bold: Handle<Font>,
}

const REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// What the window is opened on.
#[derive(Debug)]
pub struct Setup {
    pub twin: SharedTwin,
    /// The card under test, when it runs in-process.
    pub card: Option<card::run::Shared>,
    /// Shown in the top bar: (what, address).
    pub links: Vec<(String, String)>,
    pub capture: Option<Capture>,
    /// A scenario for the player to hold the twin with.
    pub scenario: Option<ScenarioStart>,
    /// A fleet to show as tiles (`twin` is then the device the panels start on).
    pub fleet: Option<fleet::FleetSetup>,
}

/// Whether a window can be opened here (an X11 or Wayland display).
pub fn display_available() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

fn fonts(mut commands: Commands, mut fonts: ResMut<Assets<Font>>) {
    let regular = fonts.add(Font::from_bytes(REGULAR_TTF.to_vec()));
    let bold = fonts.add(Font::from_bytes(BOLD_TTF.to_vec()));
    commands.insert_resource(Fonts { regular, bold });
}

/// The panels' font, once egui's context exists (it comes with the camera).
fn egui_fonts(mut egui: bevy_egui::EguiContexts, mut done: Local<bool>) -> Result {
    if *done {
        return Ok(());
    }
    let mut definitions = bevy_egui::egui::FontDefinitions::default();
    definitions
        .font_data
        .insert("DejaVuSans".into(), Arc::new(bevy_egui::egui::FontData::from_static(REGULAR_TTF)));
    if let Some(family) = definitions.families.get_mut(&bevy_egui::egui::FontFamily::Proportional) {
        family.insert(0, "DejaVuSans".into());
    }
    let ctx = egui.ctx_mut()?;
    ctx.set_fonts(definitions);
    // Light, like the card's pages, with their accent colour.
    let mut visuals = bevy_egui::egui::Visuals::light();
    visuals.selection.bg_fill = palette::egui(palette::ACCENT);
    visuals.hyperlink_color = palette::egui(palette::ACCENT);
    ctx.set_visuals(visuals);
    *done = true;
    Ok(())
}

/// Opens the window and runs until it is closed (or the capture is taken).
pub fn run(setup: Setup) -> Result<(), String> {
    let mut controls = panels::Controls(sim::twin::control::ControlPlane::new(setup.twin.clone()));
    let mut live =
        live::Live::new(setup.twin, setup.card).ok_or("the twin's register map has no card rules")?;
    let mut shown = frame::Shown::Ups;
    let fleet = match setup.fleet {
        Some(fleet_setup) => {
            let first = fleet_setup.open.clone();
            let mut view = fleet::FleetView::new(fleet_setup);
            shown = frame::Shown::Fleet;
            if let Some(name) = first {
                let index = view.index_of(&name).ok_or_else(|| format!("--open {name}: no such device"))?;
                live = view.live(index)?;
                controls = panels::Controls(sim::twin::control::ControlPlane::new(live.twin.clone()));
                view.open = Some(index);
                shown = frame::Shown::FleetDevice;
            }
            Some(view)
        }
        None => None,
    };
    let (playing, bottom) = match setup.scenario {
        Some(start) => (playing::Playing::start(&live, start), panels::Bottom::on(panels::Tab::Scenario)),
        None => Default::default(),
    };
    let title = match &fleet {
        Some(view) => format!("upstwin — fleet {}", view.name),
        None => format!("upstwin — {}", live.title),
    };
    let window = Window { title, resolution: WindowResolution::new(1280, 800), ..default() };
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin { primary_window: Some(window), ..default() })
            .set(bevy::log::LogPlugin { filter: "warn,wgpu=error,naga=error".into(), ..default() }),
    )
    .add_plugins(bevy_egui::EguiPlugin::default())
    .insert_resource(ClearColor(palette::bevy([0xf7, 0xf9, 0xfb])))
    .insert_resource(live)
    .insert_resource(playing)
    .insert_resource(bottom)
    .insert_resource(controls)
    .insert_resource(panels::Links(setup.links))
    .insert_resource(shown)
    .add_systems(PreStartup, fonts)
    .add_systems(bevy_egui::EguiPrimaryContextPass, egui_fonts.before(frame::PanelsSet))
    .add_plugins((
        live::LivePlugin,
        synoptic::SynopticPlugin,
        panels::PanelsPlugin,
        playing::PlayingPlugin,
    ));
    if let Some(view) = fleet {
        app.insert_resource(view).add_plugins(fleet::FleetPlugin);
    }
    if let Some(capture) = setup.capture {
        app.add_plugins(capture::CapturePlugin(capture));
    }
    match app.run() {
        AppExit::Success => Ok(()),
        AppExit::Error(code) => Err(format!("the window ended with error {code}")),
    }
}
