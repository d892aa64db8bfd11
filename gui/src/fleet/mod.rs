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
    /// What the devices of the feed are asked; why not, when the catalogue refuses it.
    pub fn control(self) -> Result<Control, String> {
        let with = |name: &str, params: BTreeMap<String, f64>| {
            Fault::with_params(name, &params).map(Control::Inject).map_err(|e| e.0)
        };
        match self {
            FeedAction::Blackout => Ok(Control::Inject(Fault::MainsBlackout)),
            FeedAction::Restore => Ok(Control::Clear(FaultKind::MainsBlackout)),
            FeedAction::Sag => with("mains_sag", BTreeMap::from([("voltage_pct".to_string(), SAG_PCT)])),
            FeedAction::EndSag => Ok(Control::Clear(FaultKind::MainsSag)),
            FeedAction::StartGenset(genset) => with("genset", genset.fault_params()),
            FeedAction::StopGenset => Ok(Control::Clear(FaultKind::Genset)),
        }
    }
}

/// The fleet as the window holds it.
#[derive(Resource)]
pub struct FleetView {
    pub name: String,
    devices: Arc<[FleetDevice]>,
    feeds: Vec<FeedPlan>,
    act: FeedActions,
    tiles: Arc<refresh::Tiles>,
    filter: tiles::Filter,
    /// Each device's feed (index into `feeds`) and its words the filter searches, made once.
    feed_of: Vec<Option<usize>>,
    search: Vec<String>,
    /// The sections as last made, for the filter and the sweep they were made with.
    sections: Option<(tiles::Filter, u64, Vec<tiles::Section>)>,
    /// What the last feed button did; set by the thread that did it.
    answer: Arc<std::sync::Mutex<Option<String>>>,
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
        let identities = || setup.devices.iter().map(|d| &d.identity);
        let feed_of = identities()
            .map(|d| setup.feeds.iter().position(|f| f.name == d.feed && f.site == d.site))
            .collect();
        let search = identities().map(tiles::Filter::words).collect();
        let devices: Arc<[FleetDevice]> = setup.devices.into();
        FleetView {
            name: setup.name,
            tiles: refresh::spawn(devices.clone()),
            devices,
            feeds: setup.feeds,
            act: setup.act,
            filter: tiles::Filter::default(),
            feed_of,
            search,
            sections: None,
            answer: Default::default(),
            open: None,
            drawn: Vec::new(),
        }
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.devices.iter().position(|d| d.identity.name == name)
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
                    "name": self.devices[*index].identity.name,
                    "feed": self.devices[*index].identity.feed,
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

impl FleetView {
    fn say(&self, words: String) {
        *self.answer.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(words);
    }

    fn answer(&self) -> Option<String> {
        self.answer.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Applies a feed button on a thread of its own: the fleet takes it between two steps
    /// of every twin, which at 10 000 devices is longer than a frame.
    fn press(&self, feed: &str, action: FeedAction) {
        let control = match action.control() {
            Ok(control) => control,
            Err(why) => return self.say(format!("{feed}: {why}")),
        };
        self.say(format!("{feed}: {action:?}…"));
        let (act, answer, name) = (self.act.clone(), self.answer.clone(), feed.to_string());
        let spawned = std::thread::Builder::new().name("fleet-feed".into()).spawn(move || {
            let said = act(&name, control);
            *answer.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(format!("{name}: {said}"));
        });
        if let Err(e) = spawned {
            self.say(format!("{feed}: not done: {e}"));
        }
    }

    /// The sections for the filter and these states, made again only when either changed.
    fn sections(&mut self, states: &[tiles::TileState]) -> &[tiles::Section] {
        let sweeps = self.tiles.sweeps();
        let fresh =
            self.sections.as_ref().is_some_and(|(filter, at, _)| *filter == self.filter && *at == sweeps);
        if !fresh {
            let (filter, search) = (&self.filter, &self.search);
            let made = tiles::sections(self.devices.iter().map(|d| &d.identity), |i| {
                filter.admits(&search[i], states[i].status)
            });
            self.sections = Some((self.filter.clone(), sweeps, made));
        }
        self.sections.as_ref().map_or(&[], |(_, _, sections)| sections)
    }
}

/// Shows device `index`: the window's panels follow its twin and card from the next frame.
fn open(commands: &mut Commands, fleet: &mut FleetView, index: usize) {
    match fleet.live(index) {
        Ok(live) => {
            let twin = live.twin.clone();
            commands.insert_resource(live);
            commands.insert_resource(Controls(ControlPlane::new(twin)));
            commands.insert_resource(Selection::default());
            commands.insert_resource(FaultPanel::default());
            fleet.open = Some(index);
            // Applied after this pass, as the panels' way back.
            commands.insert_resource(Shown::FleetDevice);
        }
        Err(why) => fleet.say(why),
    }
}

#[derive(Debug)]
pub struct FleetPlugin;

impl Plugin for FleetPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(bevy_egui::EguiPrimaryContextPass, view::show.in_set(crate::frame::PanelsSet));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// A feed button is applied off the window's thread and its answer shown once done;
    /// every button makes a control the catalogue accepts.
    #[test]
    fn a_feed_button_is_applied_on_a_thread_and_answers() {
        let asked: Arc<std::sync::Mutex<Vec<(String, Control)>>> = Default::default();
        let heard = asked.clone();
        let act: FeedActions = Arc::new(move |feed: &str, control: Control| {
            std::thread::sleep(Duration::from_millis(50));
            heard.lock().unwrap().push((feed.to_string(), control));
            "40 devices took it".to_string()
        });
        let view = FleetView::new(FleetSetup {
            name: "t".into(),
            devices: Vec::new(),
            feeds: Vec::new(),
            act,
            open: None,
        });
        view.press("hq-offices", FeedAction::Blackout);
        assert_eq!(view.answer().as_deref(), Some("hq-offices: Blackout…"), "said at once, done later");
        let deadline = Instant::now() + Duration::from_secs(10);
        while view.answer().as_deref() != Some("hq-offices: 40 devices took it") && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(view.answer().as_deref(), Some("hq-offices: 40 devices took it"));
        assert_eq!(
            *asked.lock().unwrap(),
            [("hq-offices".to_string(), Control::Inject(Fault::MainsBlackout))]
        );
        let genset = GensetPlan { start_delay_s: 8.0, rating_pct: 150.0 };
        let actions = [
            FeedAction::Blackout,
            FeedAction::Restore,
            FeedAction::Sag,
            FeedAction::EndSag,
            FeedAction::StartGenset(genset),
            FeedAction::StopGenset,
        ];
        for action in actions {
            assert!(action.control().is_ok(), "{action:?}");
        }
    }
}
