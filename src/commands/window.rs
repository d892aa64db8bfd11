//! `upstwin gui SCENARIO --at-s T`: the window on a scenario's twin, held by the scenario
//! player at `T` (its events up to then fired), paused (`--play` plays on) — what the render
//! test photographs, and a way to look at any instant of a scenario.

use super::{CommandResult, Failure};
use crate::cli::GuiArgs;
use sim::twin::{SharedTwin, Twin};
use sim::wire::trace::Trace;

pub fn run(args: &GuiArgs) -> CommandResult {
    let scenario = scenarios::compile::load(&args.scenario).map_err(|e| Failure::bad_input(e.to_string()))?;
    if !(args.at_s.is_finite() && (0.0..=scenario.duration_s).contains(&args.at_s)) {
        return Err(Failure::bad_input(format!(
            "--at-s must be within 0..={} (the scenario's duration), found {}",
            scenario.duration_s, args.at_s
        )));
    }
    if !gui::display_available() {
        return Err(Failure::failed("no display: DISPLAY and WAYLAND_DISPLAY are not set (try xvfb-run)"));
    }
    let slave_id = scenario.model.model.serial.slave_id;
    let ups = scenario.start_ups();
    let twin = SharedTwin::new(Twin::new(ups, &scenario.model, slave_id, scenario.seed, Trace::in_memory()));
    let setup = gui::Setup {
        fleet: None,
        twin,
        card: None,
        links: vec![("Scenario".into(), args.scenario.display().to_string())],
        capture: args.screenshot.clone().map(|path| gui::Capture { path, after_s: args.screenshot_after_s }),
        scenario: Some(gui::ScenarioStart {
            scenario,
            at_s: args.at_s,
            playing: args.play,
            speed: args.speed,
            looping: false,
            captions: false,
        }),
    };
    gui::run(setup).map_err(Failure::failed)
}
