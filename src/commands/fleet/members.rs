//! The devices a fleet process serves, each a twin, stepped together on one clock so that a
//! feed's fault reaches all its UPSs at the same twin instant; acting on a device, a group,
//! a feed or a site.

use scenarios::fleet::plan::{Ats, Device, FeedPlan, Plan};
pub use scenarios::fleet::scope::Scope;
use sim::image::RegisterImage;
use sim::twin::control::{Control, Done};
use sim::twin::{SharedTwin, Twin};
use sim::ups::FactoryCalibration;
use sim::ups::faults::{Fault, FaultKind};
use sim::wire::trace::{FLEET_RING, Trace};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Longest step a twin takes at once (as `serve`'s clock).
const MAX_STEP_S: f64 = 0.1;
/// Below this many twins one thread steps them all (a thread per core costs more).
const PARALLEL_FROM: usize = 500;

pub struct Member {
    pub device: Device,
    pub twin: SharedTwin,
}

/// What an action did across the scope.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    /// Devices that took it.
    pub done: usize,
    /// Devices that refused it, with the first reason.
    pub refused: usize,
    pub first_refusal: Option<String>,
}

pub struct Members {
    pub name: String,
    pub feeds: Vec<FeedPlan>,
    pub members: Vec<Member>,
    /// How many devices the whole fleet has (this process may serve a shard of them).
    pub fleet_devices: usize,
    /// Which part of the fleet this is.
    pub shard: Range<usize>,
    /// Every name of the fleet, this shard's or not.
    pub names: Names,
    /// How far the twins' clock is behind the wall clock × speed, s (f64 bits).
    clock_lag_s: AtomicU64,
    /// Actions held until a wall-clock instant.
    pub schedule: super::schedule::Schedule,
    /// Devices with a reference card (`card: Reference`), and how many of those cards
    /// have found their UPS and not lost it since.
    pub cards: usize,
    pub cards_online: AtomicUsize,
    /// The cards' shared state by member index, once they are started (their counters for
    /// `/metrics`, the window's card beside the truth).
    pub card_states: std::sync::OnceLock<Vec<(usize, card::run::Shared)>>,
    /// Held through a whole step of the fleet and through an action on it, so that an
    /// action finds every twin at the same instant.
    pass: Mutex<()>,
}

impl Members {
    /// Twins for the devices of `plan` in `shard`, each with its model, serial, load,
    /// state of health and seed.
    pub fn build(plan: &Plan, shard: Range<usize>) -> Members {
        let devices = &plan.devices[shard.clone()];
        let calibrations = scenarios::fleet::twins::calibrations(plan, devices);
        // One register image per model, shared by its twins (it never changes).
        let mut images: HashMap<&str, Arc<RegisterImage>> = HashMap::new();
        for device in devices {
            images
                .entry(device.model.as_str())
                .or_insert_with(|| Arc::new(Twin::image_of(&plan.models[&device.model])));
        }
        // The twins themselves, on every core: a shard of 100 000 starts in a minute.
        let (calibrations, images) = (&calibrations, &images);
        let members = on_every_core(devices, |part| {
            part.iter().map(|d| member(plan, d, calibrations, images)).collect::<Vec<Member>>()
        })
        .into_iter()
        .flatten()
        .collect();
        Members {
            name: plan.name.clone(),
            feeds: plan.feeds.clone(),
            members,
            fleet_devices: plan.devices.len(),
            shard,
            names: Names::of(plan),
            clock_lag_s: AtomicU64::new(0),
            schedule: Default::default(),
            cards: devices.iter().filter(|d| d.snmp.is_some()).count(),
            cards_online: AtomicUsize::new(0),
            card_states: std::sync::OnceLock::new(),
            pass: Mutex::new(()),
        }
    }

    pub fn clock_lag_s(&self) -> f64 {
        f64::from_bits(self.clock_lag_s.load(Ordering::Relaxed))
    }

    pub fn set_clock_lag_s(&self, lag_s: f64) {
        self.clock_lag_s.store(lag_s.to_bits(), Ordering::Relaxed);
    }

    /// Steps every twin `dt_s` further, in steps of at most `MAX_STEP_S`.
    /// Large fleets are stepped on every core, each thread a contiguous part.
    pub fn step(&self, dt_s: f64) {
        let _pass = self.pass.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let step_part = |part: &[Member]| {
            for member in part {
                let mut twin = member.twin.lock();
                let mut left_s = dt_s;
                while left_s > 1e-9 {
                    let step_s = left_s.min(MAX_STEP_S);
                    twin.ups.step(step_s);
                    left_s -= step_s;
                }
            }
        };
        if self.members.len() < PARALLEL_FROM {
            step_part(&self.members);
        } else {
            on_every_core(&self.members, step_part);
        }
    }

    /// The twins' time (they all step together).
    pub fn time_s(&self) -> f64 {
        self.members.first().map_or(0.0, |m| m.twin.lock().ups.time_s())
    }

    pub fn find(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.device.name == name)
    }

    /// Whether the scope names something of the fleet (a shard may hold none of it).
    pub fn knows(&self, scope: &Scope) -> bool {
        match scope {
            Scope::Device(name) => self.names.devices.contains(name),
            Scope::Group(name) => self.names.groups.contains(name),
            Scope::Feed(name) => self.feeds.iter().any(|f| f.name == *name),
            Scope::Site(name) => self.feeds.iter().any(|f| f.site == *name),
            Scope::All => true,
        }
    }

    /// The actions a device takes for `control` over `scope`: a mains failure of a feed
    /// backed by a genset starts that genset too (its ATS), and clearing it stops it.
    fn actions(&self, scope: &Scope, device: &Device, control: &Control) -> Vec<Control> {
        let mut actions = vec![control.clone()];
        let blackout_starts = match control {
            Control::Inject(Fault::MainsBlackout) => Some(true),
            Control::Clear(FaultKind::MainsBlackout) => Some(false),
            _ => None,
        };
        let feed = self.feeds.iter().find(|f| f.name == device.feed);
        match blackout_starts.zip(feed).and_then(|(starts, feed)| feed.ats(scope, starts)) {
            Some(Ats::StartGenset(params)) => {
                if let Ok(fault) = Fault::with_params("genset", &params) {
                    actions.push(Control::Inject(fault));
                }
            }
            Some(Ats::StopGenset) => actions.push(Control::Clear(FaultKind::Genset)),
            None => {}
        }
        actions
    }

    /// Applies `control` to every device in `scope` between two clock steps: all at the
    /// same twin instant.
    pub fn apply(&self, scope: &Scope, control: &Control) -> Outcome {
        let _pass = self.pass.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut outcome = Outcome::default();
        for member in self.members.iter().filter(|m| scope.covers(&m.device)) {
            let mut twin = member.twin.lock();
            let mut first: Option<Result<Done, String>> = None;
            for action in self.actions(scope, &member.device, control) {
                let done = twin.control(action).map_err(|e| e.to_string());
                first.get_or_insert(done);
            }
            match first {
                Some(Ok(_)) => outcome.done += 1,
                Some(Err(why)) => {
                    outcome.refused += 1;
                    outcome.first_refusal.get_or_insert(format!("{}: {why}", member.device.name));
                }
                None => {}
            }
        }
        outcome
    }
}

/// `work` on a contiguous part of `items` per core, at once; its results in order.
fn on_every_core<T: Sync, R: Send>(items: &[T], work: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = items.len().div_ceil(cores).max(1);
    let work = &work;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items.chunks(chunk).map(|part| scope.spawn(move || work(part))).collect();
        parts.into_iter().map(|part| part.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    })
}

/// The twin of one device (`scenarios::fleet::twins`) with its model's register image.
fn member(
    plan: &Plan,
    device: &Device,
    calibrations: &HashMap<String, FactoryCalibration>,
    images: &HashMap<&str, Arc<RegisterImage>>,
) -> Member {
    let (loaded, ups) = scenarios::fleet::twins::start_ups(plan, device, calibrations);
    let slave_id = loaded.model.serial.slave_id;
    let image = images[device.model.as_str()].clone();
    let trace = Trace::in_memory_keeping(FLEET_RING);
    Member {
        device: device.clone(),
        twin: SharedTwin::new(Twin::with_image(ups, image, slave_id, device.seed, trace)),
    }
}

/// The fleet's names (every shard knows them all), to tell "not here" from "no such".
#[derive(Debug, Default)]
pub struct Names {
    pub devices: HashSet<String>,
    pub groups: HashSet<String>,
}

impl Names {
    pub fn of(plan: &Plan) -> Names {
        Names {
            devices: plan.devices.iter().map(|d| d.name.clone()).collect(),
            groups: plan.devices.iter().map(|d| d.group.clone()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scenarios::fleet;

    fn demo() -> Members {
        let plan = fleet::compile(fleet::DEMO, std::path::Path::new("campus.ron")).unwrap();
        let part = fleet::shard(plan.devices.len(), 0, 1);
        Members::build(&plan, part)
    }

    /// A device's twin is the same whichever shard serves it (its load, health, seed and its
    /// model's calibration come from the whole fleet), on mains and on battery.
    #[test]
    fn a_device_is_the_same_twin_in_any_shard() {
        use crate::commands::control_api::reading::state_of;
        let plan = fleet::compile(fleet::DEMO, std::path::Path::new("campus.ron")).unwrap();
        let whole = Members::build(&plan, fleet::shard(plan.devices.len(), 0, 1));
        let part = fleet::shard(plan.devices.len(), 1, 2);
        let shard = Members::build(&plan, part.clone());
        // A device of the shard whose model's first device is in the other shard.
        let index = (0..shard.members.len())
            .find(|&i| {
                let model = &shard.members[i].device.model;
                plan.devices.iter().position(|d| &d.model == model).is_some_and(|first| first < part.start)
            })
            .expect("the demo has such a device");
        let name = &shard.members[index].device.name;
        let among = &whole.members[part.start + index];
        assert_eq!(name, &among.device.name);
        // On battery, where the estimate the calibration makes shows.
        let blackout = Control::Inject(Fault::with_params("mains_blackout", &Default::default()).unwrap());
        for members in [&whole, &shard] {
            members.apply(&Scope::Device(name.clone()), &blackout);
            members.step(30.0);
        }
        let (alone, among) = (state_of(&shard.members[index].twin.lock()), state_of(&among.twin.lock()));
        assert_eq!(alone, among, "{name}");
    }

    /// While the clock steps the fleet on another thread, a feed's blackout reaches every
    /// UPS of the feed at one twin instant, and no other UPS.
    #[test]
    fn a_feed_fault_reaches_every_ups_of_the_feed_at_one_instant_and_no_other() {
        let members = std::sync::Arc::new(demo());
        let stepping = members.clone();
        let clock = std::thread::spawn(move || {
            for _ in 0..50 {
                stepping.step(0.1);
            }
        });
        std::thread::sleep(std::time::Duration::from_millis(5));
        let blackout = Control::Inject(Fault::MainsBlackout);
        let outcome = members.apply(&Scope::Feed("dh-feed-b".into()), &blackout);
        clock.join().unwrap();
        assert_eq!(outcome, Outcome { done: 80, refused: 0, first_refusal: None });
        let with_fault =
            |m: &Member| m.twin.lock().ups.active_faults().any(|f| f.kind() == FaultKind::MainsBlackout);
        let hit: Vec<&Member> = members.members.iter().filter(|m| with_fault(m)).collect();
        assert_eq!(hit.len(), 80);
        assert!(hit.iter().all(|m| m.device.feed == "dh-feed-b"));
        // The same instant: every twin of the fleet at the same time, and every hit one on
        // battery after the same number of steps.
        let times: HashSet<u64> =
            members.members.iter().map(|m| m.twin.lock().ups.time_s().to_bits()).collect();
        assert_eq!(times.len(), 1, "the fleet steps together");
        members.step(0.5);
        assert!(hit.iter().all(|m| m.twin.lock().ups.conditions().on_battery));
        let others = members.members.iter().filter(|m| m.device.feed != "dh-feed-b");
        assert!(others.clone().all(|m| !m.twin.lock().ups.conditions().on_battery));
        // Its ATS starts each UPS's genset; clearing the blackout stops it.
        assert!(hit.iter().all(|m| m.twin.lock().ups.active_faults().any(|f| f.kind() == FaultKind::Genset)));
        let cleared =
            members.apply(&Scope::Feed("dh-feed-b".into()), &Control::Clear(FaultKind::MainsBlackout));
        assert_eq!(cleared.done, 80);
        assert!(hit.iter().all(|m| m.twin.lock().ups.active_faults().next().is_none()));
    }

    #[test]
    fn a_device_or_group_blackout_starts_no_genset_and_a_refusal_is_counted() {
        let members = demo();
        let blackout = Control::Inject(Fault::MainsBlackout);
        assert_eq!(members.apply(&Scope::Device("hq-srv-002".into()), &blackout).done, 1);
        let device = members.find("hq-srv-002").unwrap();
        assert_eq!(
            device.twin.lock().ups.active_faults().count(),
            1,
            "its own input, not the feed: no genset"
        );
        let clear = Control::Clear(FaultKind::Overload);
        let refused = members.apply(&Scope::Group("branch-racks".into()), &clear);
        assert_eq!((refused.done, refused.refused), (0, 40));
        assert!(refused.first_refusal.unwrap().starts_with("br-001: "), "names the device");
        assert!(
            members.knows(&Scope::Site("datahall".into())) && !members.knows(&Scope::Feed("nowhere".into()))
        );
    }
}
