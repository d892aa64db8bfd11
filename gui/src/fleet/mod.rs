//! The fleet view: every device of a fleet a tile in its NET VISION status colour, by site
//! and feed, with the counts, a filter and the feed buttons; a click on a tile opens that
//! device in the window's usual panels (synoptic, card beside the truth, faults), and the
//! top bar leads back. `tiles` decides (plain code), `refresh` reads the twins on a thread of
//! its own, `view` draws.

mod refresh;
pub mod tiles;
mod view;

use crate::frame::Shown;
use crate::live::Live;
use crate::panels::{Controls, FaultPanel};
use crate::synoptic::Selection;
use bevy::prelude::*;
use bevy_egui::egui;
use scenarios::fleet::plan::{FeedPlan, GensetPlan};
use serde_json::{Value, json};
use sim::twin::SharedTwin;
use sim::twin::control::{Control, ControlPlane};
use sim::ups::faults::{Fault, FaultKind};
use std::collections::BTreeMap;
use std::sync::Arc;
pub use tiles::Identity;

/// One device of the fleet, as the window reaches it.
#[derive(Debug, Clone)]
pub struct FleetDevice {
    pub identity: Identity,
    pub twin: SharedTwin,
    /// Its reference card, when the fleet gives it one.
    pub card: Option<card::run::Shared>,
}

/// Applies an action to every device of a feed at one twin instant (the fleet's own
/// `Members::apply`); says what it did.
pub type FeedActions = Arc<dyn Fn(&str, Control) -> String + Send + Sync>;

/// What the window is opened on when it shows a fleet.
pub struct FleetSetup {
    pub name: String,
    pub devices: Vec<FleetDevice>,
    pub feeds: Vec<FeedPlan>,
    pub act: FeedActions,
    /// A device to show first instead of the tiles.
    pub open: Option<String>,
}

impl std::fmt::Debug for FleetSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetSetup")
            .field("name", &self.name)
            .field("devices", &self.devices.len())
            .field("feeds", &self.feeds)
            .field("open", &self.open)
            .finish_non_exhaustive()
    }
}

/// The sag the feed button makes: below the rectifier's window (−15 %), so on battery.
pub const SAG_PCT: f64 = 70.0;

/// A feed button.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FeedAction {
    Blackout,
    Restore,
    Sag,
    EndSag,
    StartGenset(GensetPlan),
    StopGenset,
}

impl FeedAction {
    pub fn control(self) -> Control {
        let with = |name: &str, params: &[(&str, f64)]| {
            let params: BTreeMap<String, f64> = params.iter().map(|(k, v)| (k.to_string(), *v)).collect();
            Fault::with_params(name, &params).map(Control::Inject)
        };
        match self {
            FeedAction::Blackout => Control::Inject(Fault::MainsBlackout),
            FeedAction::Restore => Control::Clear(FaultKind::MainsBlackout),
            FeedAction::Sag => with("mains_sag", &[("voltage_pct", SAG_PCT)])
                .unwrap_or(Control::Inject(Fault::MainsBlackout)),
            FeedAction::EndSag => Control::Clear(FaultKind::MainsSag),
            FeedAction::StartGenset(genset) => {
                with("genset", &[("start_delay_s", genset.start_delay_s), ("rating_pct", genset.rating_pct)])
                    .unwrap_or(Control::Clear(FaultKind::Genset))
            }
            FeedAction::StopGenset => Control::Clear(FaultKind::Genset),
        }
    }
}

/// The fleet as the window holds it.
#[derive(Resource)]
pub struct FleetView {
    pub name: String,
    devices: Arc<[FleetDevice]>,
    identities: Vec<Identity>,
    feeds: Vec<FeedPlan>,
    act: FeedActions,
    tiles: Arc<refresh::Tiles>,
    filter: tiles::Filter,
    /// What the last feed button did.
    answer: Option<String>,
    /// The device shown, when one is.
    pub open: Option<usize>,
    /// Where the last frame drew each tile it drew (logical pixels): the capture's probes.
    drawn: Vec<(usize, egui::Rect)>,
}

impl std::fmt::Debug for FleetView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetView")
            .field("name", &self.name)
            .field("devices", &self.devices.len())
            .field("filter", &self.filter)
            .field("open", &self.open)
            .finish_non_exhaustive()
    }
}

impl FleetView {
    pub fn new(setup: FleetSetup) -> FleetView {
        let identities = setup.devices.iter().map(|d| d.identity.clone()).collect();
        let devices: Arc<[FleetDevice]> = setup.devices.into();
        FleetView {
            name: setup.name,
            tiles: refresh::spawn(devices.clone()),
            devices,
            identities,
            feeds: setup.feeds,
            act: setup.act,
            filter: tiles::Filter::default(),
            answer: None,
            open: None,
            drawn: Vec::new(),
        }
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.identities.iter().position(|d| d.name == name)
    }

    pub fn device(&self, index: usize) -> Option<&FleetDevice> {
        self.devices.get(index)
    }

    /// The window's `Live` on device `index`, its name first in the title.
    pub(crate) fn live(&self, index: usize) -> Result<Live, String> {
        let device = self.devices.get(index).ok_or("no such device")?;
        let mut live = Live::new(device.twin.clone(), device.card.clone())
            .ok_or_else(|| format!("{}: its register map has no card rules", device.identity.name))?;
        live.title = format!("{} · {}", device.identity.name, live.title);
        Ok(live)
    }

    /// What the screenshot test reads: each tile drawn, its device, status and centre in
    /// physical pixels; the counts.
    pub fn probes(&self, scale: f32) -> Value {
        let states = self.tiles.states();
        let tiles: Vec<Value> = self
            .drawn
            .iter()
            .map(|(index, rect)| {
                let centre = rect.center();
                json!({
                    "name": self.identities[*index].name,
                    "feed": self.identities[*index].feed,
                    "status": format!("{:?}", states[*index].status),
                    "pixel": [(centre.x * scale).round(), (centre.y * scale).round()],
                })
            })
            .collect();
        let counts: serde_json::Map<String, Value> = tiles::Status::ALL
            .iter()
            .zip(tiles::counts(&states))
            .map(|(status, count)| (format!("{status:?}"), json!(count)))
            .collect();
        json!({ "name": self.name, "devices": self.devices.len(), "sweeps": self.tiles.sweeps(), "counts": counts, "tiles": tiles })
    }
}

/// Shows device `index`: the window's panels follow its twin and card from the next frame.
fn open(commands: &mut Commands, fleet: &mut FleetView, shown: &mut Shown, index: usize) {
    match fleet.live(index) {
        Ok(live) => {
            let twin = live.twin.clone();
            commands.insert_resource(live);
            commands.insert_resource(Controls(ControlPlane::new(twin)));
            commands.insert_resource(Selection::default());
            commands.insert_resource(FaultPanel::default());
            fleet.open = Some(index);
            *shown = Shown::FleetDevice;
        }
        Err(why) => fleet.answer = Some(why),
    }
}

#[derive(Debug)]
pub struct FleetPlugin;

impl Plugin for FleetPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(bevy_egui::EguiPrimaryContextPass, view::show.in_set(crate::frame::PanelsSet));
    }
}
