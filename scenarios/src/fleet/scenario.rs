//! Fleet scenarios: a timeline on feeds, sites, groups and devices of a fleet, and
//! expectations that must hold on every device of a scope ("every UPS of feed A on battery
//! within 200 ms", "no UPS of feed B ever on battery"). Each event and expectation is the
//! single-UPS scenario's own (`format::Event`, `format::Expectation`: same triggers,
//! conditions and windows) with the scope it is for; each device then runs as a scenario of
//! its own — its twin as the fleet starts it, the events on it — all on one virtual clock,
//! so a feed's fault reaches every UPS of the feed at the same instant. Format and example:
//! `scenarios/README.md`, "Fleet scenarios".

use super::plan::{Ats, Device, Plan};
use super::scope::Scope;
use crate::compile::{Compiled, Mistake, check_with, locate, mistake};
use crate::format::{Action, Event, Expectation, Initial, Scenario};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use ups_models::{LoadError, Located, ron_text};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetScenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The fleet file, relative to this file; `"campus"`: the bundled demo fleet.
    pub fleet: String,
    /// Virtual time to run, e.g. "5m".
    pub duration: String,
    #[serde(default = "default_dt")]
    pub dt: String,
    #[serde(default)]
    pub timeline: Vec<FleetEvent>,
    pub expect: Vec<FleetExpectation>,
}

fn default_dt() -> String {
    "100ms".into()
}

/// An event of the single-UPS format on every device of `on`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetEvent {
    pub on: Scope,
    pub event: Event,
}

/// An expectation of the single-UPS format that must hold on every device of `every`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetExpectation {
    pub every: Scope,
    pub expect: Expectation,
}

/// A fleet scenario, checked: the fleet expanded, and what each device runs.
#[derive(Debug, Clone)]
pub struct CompiledFleet {
    pub name: String,
    pub description: String,
    pub path: PathBuf,
    pub plan: Plan,
    pub scenario: FleetScenario,
    /// Each expectation's label (as the report names it).
    pub labels: Vec<String>,
    dir: PathBuf,
}

/// Whether a scenario file's text is a fleet scenario (`FleetScenario(…)`), comments and
/// blank lines aside.
pub fn is_fleet_scenario(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with("//"))
        .is_some_and(|line| line.starts_with("FleetScenario"))
}

/// Loads and checks a fleet scenario file.
pub fn load(path: &Path) -> Result<CompiledFleet, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::io(path, &e))?;
    compile(&text, path)
}

pub fn compile(text: &str, path: &Path) -> Result<CompiledFleet, LoadError> {
    let scenario: FleetScenario = ron_text::parse(text).map_err(|e: Located| e.in_file(path))?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let at = |m: Mistake| {
        let (line, column) = locate(text, &m.near);
        Located::at(line, column, m.message).in_file(path)
    };
    let plan = match scenario.fleet.as_str() {
        "campus" => super::compile(super::DEMO, Path::new("campus.ron"))?,
        file => super::load(&dir.join(file)).map_err(|e| match e {
            LoadError::Io { .. } => at(mistake(file, format!("fleet: {e}"))),
            located => located,
        })?,
    };
    let compiled = CompiledFleet {
        name: scenario.name.clone(),
        description: scenario.description.clone(),
        path: path.to_path_buf(),
        labels: scenario
            .expect
            .iter()
            .enumerate()
            .map(|(i, e)| e.expect.label.clone().unwrap_or_else(|| format!("expectation {}", i + 1)))
            .collect(),
        plan,
        scenario,
        dir,
    };
    compiled.check().map_err(at)?;
    Ok(compiled)
}

impl CompiledFleet {
    /// Every scope names something of the fleet, and every device an expectation is for
    /// compiles as a scenario of its own (its events, labels, conditions, windows).
    fn check(&self) -> Result<(), Mistake> {
        let scopes =
            self.scenario.timeline.iter().map(|e| &e.on).chain(self.scenario.expect.iter().map(|e| &e.every));
        for scope in scopes {
            if !self.plan.devices.iter().any(|d| scope.covers(d)) {
                let name = scope.name().unwrap_or("All");
                return Err(mistake(name, format!("{scope}: no such thing in fleet {}", self.plan.name)));
            }
        }
        // Devices with the same model, events, expectations and genset compile alike (their
        // load, health and seed are the fleet's, already checked): one of each is enough.
        let mut checked = std::collections::HashSet::new();
        for device in self.devices() {
            let events: Vec<bool> = self.scenario.timeline.iter().map(|e| e.on.covers(device)).collect();
            let expect: Vec<bool> = self.scenario.expect.iter().map(|e| e.every.covers(device)).collect();
            let genset = self
                .plan
                .feeds
                .iter()
                .any(|f| f.name == device.feed && f.site == device.site && f.genset.is_some());
            if checked.insert((device.model.as_str(), events, expect, genset)) {
                self.device_scenario(device)?;
            }
        }
        Ok(())
    }

    /// The devices some expectation is for, in fleet order: the ones that run.
    pub fn devices(&self) -> impl Iterator<Item = &Device> {
        self.plan.devices.iter().filter(|d| self.scenario.expect.iter().any(|e| e.every.covers(d)))
    }

    /// What `device` runs: the events on it (a mains failure of its feed, site or fleet also
    /// starts its feed's genset, and clearing it stops it, as the fleet does live) and the
    /// expectations for it, with each one's index among the fleet's expectations.
    pub(crate) fn device_scenario(&self, device: &Device) -> Result<(Compiled, Vec<usize>), Mistake> {
        let feed = self.plan.feeds.iter().find(|f| f.name == device.feed && f.site == device.site);
        let mut timeline = Vec::new();
        for (index, fleet_event) in
            self.scenario.timeline.iter().enumerate().filter(|(_, e)| e.on.covers(device))
        {
            // Named by its place in the fleet's timeline, not in the device's.
            let label = fleet_event.event.label.clone().unwrap_or_else(|| format!("event {}", index + 1));
            timeline.push(Event { label: Some(label.clone()), ..fleet_event.event.clone() });
            let blackout_starts = match &fleet_event.event.action {
                Action::Fault(name, _) if name == "mains_blackout" => Some(true),
                Action::Clear(name) if name == "mains_blackout" => Some(false),
                _ => None,
            };
            let follows =
                blackout_starts.zip(feed).and_then(|(starts, feed)| feed.ats(&fleet_event.on, starts));
            let follows = follows.map(|ats| match ats {
                Ats::StartGenset(params) => Action::Fault("genset".into(), params),
                Ats::StopGenset => Action::Clear("genset".into()),
            });
            if let Some(action) = follows {
                timeline.push(Event {
                    label: Some(format!("{label} (genset)")),
                    action,
                    ..fleet_event.event.clone()
                });
            }
        }
        let (indices, expect): (Vec<usize>, Vec<Expectation>) = (self.scenario.expect.iter().enumerate())
            .filter(|(_, e)| e.every.covers(device))
            .map(|(i, e)| (i, e.expect.clone()))
            .unzip();
        self.refers_to_events_on(device, &expect)?;
        twins_alone(&timeline, &expect)?;
        let scenario = Scenario {
            name: format!("{} — {}", self.scenario.name, device.name),
            description: String::new(),
            model: device.model.clone(),
            seed: device.seed,
            duration: self.scenario.duration.clone(),
            dt: self.scenario.dt.clone(),
            needs: Vec::new(),
            card_settings: None,
            initial: Initial {
                load_pct: device.load_pct,
                state_of_health_pct: device.soh_pct,
                ..Initial::default()
            },
            timeline,
            expect,
        };
        let mut compiled = check_with(&scenario, &self.dir, super::twins::model_of(&self.plan, device))
            .map_err(|m| Mistake { message: format!("on {}: {}", device.name, m.message), ..m })?;
        compiled.path = self.path.clone();
        Ok((compiled, indices))
    }

    /// Every label the device's events and expectations refer to is an event on it: a
    /// label of an event on other devices only is named as such.
    fn refers_to_events_on(&self, device: &Device, expect: &[Expectation]) -> Result<(), Mistake> {
        let events = self.scenario.timeline.iter().filter(|e| e.on.covers(device));
        let referred = (events.filter_map(|e| e.event.after.as_ref().map(|(label, _)| label)))
            .chain(expect.iter().flat_map(|e| [&e.of, &e.from, &e.until]).flatten());
        for label in referred {
            let labelled = |e: &&FleetEvent| e.event.label.as_ref() == Some(label);
            let here = self.scenario.timeline.iter().filter(labelled).any(|e| e.on.covers(device));
            let elsewhere = self.scenario.timeline.iter().find(labelled).filter(|_| !here);
            if let Some(event) = elsewhere {
                return Err(mistake(
                    label,
                    format!(
                        "on {}: the event labelled `{label}` is on {}, not on this device",
                        device.name, event.on
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A fleet scenario runs its twins alone: nothing in it may ask or check a card.
fn twins_alone(timeline: &[Event], expect: &[Expectation]) -> Result<(), Mistake> {
    const WHY: &str = "a fleet scenario runs its twins alone: no card to act on or to check (yet)";
    for event in timeline {
        if let Action::WireFault(name, _) | Action::ClearWireFault(name) | Action::CardAction(name) =
            &event.action
        {
            return Err(mistake(name, WHY));
        }
    }
    for expectation in expect {
        let on_a_card = expectation.probe.is_some()
            || expectation.reports.is_some()
            || expectation.received.is_some()
            || expectation.not_received.is_some()
            || expectation.api.is_some()
            || expectation.api_never.is_some();
        if on_a_card {
            let near = expectation.label.clone().unwrap_or_else(|| "expect".into());
            return Err(mistake(&near, WHY));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::Instant;

    fn fleet(timeline: &str, expect: &str) -> Result<CompiledFleet, LoadError> {
        let text = format!(
            "FleetScenario(name: \"t\", fleet: \"campus\", duration: \"1m\",\n timeline: [{timeline}],\n expect: [{expect}])"
        );
        compile(&text, Path::new("t.ron"))
    }

    fn device<'a>(fleet: &'a CompiledFleet, name: &str) -> &'a Device {
        fleet.plan.devices.iter().find(|d| d.name == name).unwrap()
    }

    /// Each feed's own blackout, both labelled "blackout": every device has one, so an
    /// expectation on all of them may start with it.
    #[test]
    fn one_label_on_disjoint_scopes_is_each_devices_own_event() {
        let compiled = fleet(
            r#"(on: Feed("hq-utility"), event: (label: "blackout", at: "10s", do: Fault("mains_blackout", {}))),
               (on: Feed("hq-offices"), event: (label: "blackout", at: "20s", do: Fault("mains_blackout", {})))"#,
            r#"(every: Site("hq"), expect: (that: "ups.on_battery", of: "blackout", within: "1s"))"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let (offices, _) = compiled
            .device_scenario(device(&compiled, "hq-floor-001"))
            .unwrap_or_else(|m| panic!("{}", m.message));
        let from = &offices.expectations[0].from;
        assert!(matches!(from, Instant::Event(i) if offices.events[*i].label == "blackout"));
    }

    /// `event 2` is the fleet file's second event on every device, also where a genset
    /// event was added after the first.
    #[test]
    fn unlabelled_events_are_named_by_their_place_in_the_fleets_timeline() {
        let compiled = fleet(
            r#"(on: Feed("hq-utility"), event: (at: "10s", do: Fault("mains_blackout", {}))),
               (on: All, event: (at: "20s", do: Load(80)))"#,
            r#"(every: Feed("hq-utility"), expect: (that: "ups.on_battery", of: "event 2", within: "1s"))"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let (server, _) = compiled
            .device_scenario(device(&compiled, "hq-srv-001"))
            .unwrap_or_else(|m| panic!("{}", m.message));
        let labels: Vec<&str> = server.events.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["event 1", "event 1 (genset)", "event 2"]);
        assert_eq!(server.expectations[0].from, Instant::Event(2));
    }

    #[test]
    fn a_card_expectation_or_action_is_refused_saying_why() {
        let refused = fleet(
            "",
            r#"(every: All, expect: (label: "trap", received: SnmpTrap("1.3.6.1.2.1.33.2.1"), within: "1s"))"#,
        )
        .unwrap_err()
        .to_string();
        assert!(refused.starts_with("t.ron:3:") && refused.contains("runs its twins alone"), "{refused}");
        let refused = fleet(
            r#"(on: All, event: (at: "1s", do: CardAction("POST /api/alarms/ack")))"#,
            r#"(every: All, expect: (never: "ups.on_battery"))"#,
        )
        .unwrap_err()
        .to_string();
        assert!(refused.contains("runs its twins alone"), "{refused}");
    }
}
