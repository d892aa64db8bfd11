//! `--card none`: the twin alone in virtual time, as fast as the CPU allows, deterministic
//! for the scenario's seed.

use crate::compile::Compiled;
use crate::replay::Replay;
use crate::report::Report;
use crate::trace::TraceFile;
use std::path::Path;
use std::time::Instant;

/// Runs a scenario in virtual time; writes its trace and timeline under `out` if given.
pub fn run(scenario: &Compiled, out: Option<&Path>) -> Report {
    let wall = Instant::now();
    let mut ups = scenario.start_ups();
    let mut trace = TraceFile::open(out, &scenario.model.flags);
    let mut replay = Replay::new(scenario);
    let steps = (scenario.duration_s / scenario.dt_s).round() as u64;
    for _ in 0..steps {
        replay.fire_due(&mut ups, None);
        ups.step(scenario.dt_s);
        replay.observe(&ups);
        trace.sample(&ups);
    }
    let mut report = replay.finish(ups.time_s(), wall.elapsed().as_secs_f64());
    report.output_errors = trace.finish();
    if let Some(dir) = out {
        report.write_reports(dir);
    }
    report
}
