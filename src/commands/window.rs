//! `upstwin gui SCENARIO --at-s T`: the window on a scenario's twin, played in virtual time
//! up to `T` (its events up to then fired) and held there — what the render test
//! photographs, and a way to look at any instant of a scenario.

use super::in_process::InProcess;
use super::{CommandResult, Failure};
use crate::cli::GuiArgs;
use scenarios::replay::Replay;
use sim::link::trace::Trace;
use sim::link::{SharedTwin, Twin};
use std::sync::Arc;

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
    let mut ups = scenario.start_ups();
    let mut replay = Replay::new(&scenario);
    while ups.time_s() + scenario.dt_s / 2.0 <= args.at_s {
        replay.fire_due(&mut ups, None);
        ups.step(scenario.dt_s);
        replay.observe(&ups);
    }
    let slave_id = scenario.model.model.serial.slave_id;
    let twin = SharedTwin::new(Twin::new(ups, &scenario.model, slave_id, scenario.seed, Trace::in_memory()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(Failure::failed)?;
    let control = InProcess {
        router: super::control_api::router(twin.clone(), None),
        runtime: runtime.handle().clone(),
    };
    let setup = gui::Setup {
        twin,
        control: Arc::new(control),
        card: None,
        links: vec![("Scenario".into(), args.scenario.display().to_string())],
        capture: args.screenshot.clone().map(|path| gui::Capture { path, after_s: args.screenshot_after_s }),
    };
    gui::run(setup).map_err(Failure::failed)
}
