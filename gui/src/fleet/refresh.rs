//! Reads every device's tile on a thread of its own, sweep after sweep, so that the
//! window's frame rate does not depend on the fleet's size. A tile is the twin's truth
//! (`truth::of`: its register image decoded and coloured by the card's rules), so a tile is
//! the colour the device's own synoptic shows.

use super::FleetDevice;
use super::tiles::{Status, TileState};
use crate::truth;
use card::rules::Rules;
use sim::twin::Twin;
use sim::ups::faults::FaultKind;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// The tiles as last read, shared with the window.
#[derive(Debug, Default)]
pub struct Tiles {
    states: Mutex<Vec<TileState>>,
    /// Whole sweeps done.
    sweeps: AtomicU64,
}

impl Tiles {
    pub fn states(&self) -> Vec<TileState> {
        self.states.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    pub fn sweeps(&self) -> u64 {
        self.sweeps.load(Ordering::Relaxed)
    }
}

/// Devices read before their states are published (the view fills in as a sweep goes).
const BATCH: usize = 256;
/// Shortest time from one sweep's start to the next: small fleets are read five times a
/// second; a sweep that takes longer is followed by twice as long a rest (a third of a core
/// at most: 10 000 twins are read in about half a second, every second and a half).
const EVERY: Duration = Duration::from_millis(200);

/// Starts the reader; it stops once the window has dropped the tiles.
pub fn spawn(devices: Arc<[FleetDevice]>) -> Arc<Tiles> {
    let tiles =
        Arc::new(Tiles { states: Mutex::new(vec![TileState::default(); devices.len()]), ..Tiles::default() });
    let weak = Arc::downgrade(&tiles);
    let spawned =
        std::thread::Builder::new().name("fleet-tiles".into()).spawn(move || sweep_forever(&devices, &weak));
    if let Err(e) = spawned {
        eprintln!("upstwin: the fleet's tiles will not be read: {e}");
    }
    tiles
}

fn sweep_forever(devices: &[FleetDevice], tiles: &Weak<Tiles>) {
    let mut rules: HashMap<String, Option<Rules>> = HashMap::new();
    loop {
        let started = Instant::now();
        for (first, batch) in devices.chunks(BATCH).enumerate() {
            let read: Vec<TileState> = batch
                .iter()
                .map(|device| {
                    let twin = device.twin.lock();
                    let map = &twin.ups.model().register_map;
                    if !rules.contains_key(map) {
                        rules.insert(map.clone(), truth::rules(&twin));
                    }
                    state(&twin, rules.get(map).and_then(Option::as_ref))
                })
                .collect();
            let Some(tiles) = tiles.upgrade() else { return };
            let mut states = tiles.states.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            states[first * BATCH..first * BATCH + read.len()].copy_from_slice(&read);
        }
        let Some(live) = tiles.upgrade() else { return };
        live.sweeps.fetch_add(1, Ordering::Relaxed);
        drop(live);
        std::thread::sleep(EVERY.saturating_sub(started.elapsed()).max(2 * started.elapsed()));
    }
}

/// One device's tile now.
pub fn state(twin: &Twin, rules: Option<&Rules>) -> TileState {
    let conditions = twin.ups.conditions();
    let load_fed = !(conditions.load_off || conditions.standby);
    let status = rules.map_or(Status::Unread, |rules| Status::of(&truth::of(twin, rules).view, load_fed));
    let mut state = TileState { status, ..TileState::default() };
    for fault in twin.ups.active_faults() {
        match fault.kind() {
            FaultKind::MainsBlackout => state.blackout = true,
            FaultKind::MainsSag => state.sag = true,
            FaultKind::Genset => state.genset = true,
            _ => {}
        }
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::twin::SharedTwin;
    use sim::ups::faults::Fault;
    use sim::wire::trace::Trace;
    use sim::{StartOptions, Ups};

    fn device(name: &str) -> FleetDevice {
        device_of("masterys-gp-60", name)
    }

    fn device_of(model: &str, name: &str) -> FleetDevice {
        let loaded = ups_models::load_model(model).unwrap();
        let ups = Ups::new(&loaded, 3, &StartOptions::default());
        FleetDevice {
            identity: super::super::tiles::Identity {
                name: name.into(),
                site: "hq".into(),
                feed: "hq-utility".into(),
                group: "servers".into(),
                model: model.into(),
                address: "127.1.0.1:502".into(),
            },
            twin: SharedTwin::new(Twin::new(ups, &loaded, 1, 3, Trace::in_memory())),
            card: None,
        }
    }

    /// A line-interactive UPS on mains feeds its load through its regulator: a normal tile
    /// (its synoptic's output element is grey: neither inverter nor bypass). An online UPS
    /// told to switch its load off is grey; an emergency power off, with its critical alarm,
    /// red.
    #[test]
    fn a_line_interactive_ups_on_mains_is_normal_and_a_load_off_grey() {
        let floor = device_of("netys-pr-3k", "floor");
        let mut twin = floor.twin.lock();
        twin.ups.step(5.0);
        assert_eq!(state(&twin, truth::rules(&twin).as_ref()).status, Status::Normal);
        let server = device("server");
        let mut twin = server.twin.lock();
        let rules = truth::rules(&twin);
        twin.ups.step(5.0);
        twin.ups.command(&sim::ups::commands::Command::LoadOff).unwrap();
        twin.ups.step(1.0);
        assert_eq!(state(&twin, rules.as_ref()).status, Status::LoadOff);
        twin.ups.inject(Fault::EmergencyPowerOff).unwrap();
        twin.ups.step(1.0);
        assert_eq!(state(&twin, rules.as_ref()).status, Status::Alarm);
    }

    /// A blackout turns the tile from green to yellow and says the blackout is in force;
    /// the reader fills every tile and stops when the window lets go of them.
    #[test]
    fn a_blackout_shows_on_the_tile_and_the_reader_stops_with_the_window() {
        let devices: Arc<[FleetDevice]> = (0..3).map(|i| device(&format!("d{i}"))).collect();
        for d in devices.iter() {
            d.twin.lock().ups.step(5.0);
        }
        let rules = truth::rules(&devices[0].twin.lock());
        assert_eq!(state(&devices[0].twin.lock(), rules.as_ref()).status, Status::Normal);
        {
            let mut twin = devices[1].twin.lock();
            twin.ups.inject(Fault::MainsBlackout).unwrap();
            twin.ups.step(2.0);
        }
        let tiles = spawn(devices.clone());
        let deadline = Instant::now() + Duration::from_secs(20);
        while tiles.sweeps() == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let states = tiles.states();
        assert_eq!(
            states.iter().map(|s| (s.status, s.blackout)).collect::<Vec<_>>(),
            [(Status::Normal, false), (Status::OnBypassOrBattery, true), (Status::Normal, false)]
        );
        let weak = Arc::downgrade(&tiles);
        drop(tiles);
        assert!(weak.upgrade().is_none());
        // The thread holds the devices until it sees that: then only ours is left.
        let deadline = Instant::now() + Duration::from_secs(20);
        while Arc::strong_count(&devices) > 1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(Arc::strong_count(&devices), 1, "the reader has stopped");
    }
}
