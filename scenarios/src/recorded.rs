//! A live session's recording written as a scenario: the actions at the times they were
//! taken, and as expectations the modes the twin went through, each within a couple of
//! seconds of when it was seen — replaying the file checks the twin still behaves so.

use crate::expr::mode_label;
use sim::twin::control::Control;
use sim::twin::record::Recording;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How far from its recorded time a mode change may come in the replay, s: the live twin is
/// stepped by the wall clock, the replay by `dt`.
const MODE_TOLERANCE_S: f64 = 2.0;

/// Shortest stay in a mode that becomes an expectation, s.
const MIN_HELD_S: f64 = 1.0;

fn params(params: BTreeMap<&str, f64>) -> String {
    let pairs: Vec<String> = params.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
    format!("{{{}}}", pairs.join(", "))
}

/// Times to the millisecond: the live twin is stepped every 10 ms, and an action a few
/// milliseconds later can matter (a blackout cleared before it was detected).
fn seconds(time_s: f64) -> String {
    format!("{:.3}s", time_s.max(0.0))
}

/// What the session's start looked like.
#[derive(Debug)]
pub struct Start<'a> {
    pub model: &'a str,
    pub seed: u64,
    pub load_pct: f64,
}

/// The scenario text; `end_s` is the session's length.
pub fn scenario(recording: &Recording, start: &Start, end_s: f64) -> String {
    let mut text = String::new();
    let _ =
        writeln!(text, "// Recorded by `upstwin serve --record`: the actions taken through the control API,");
    let _ = writeln!(text, "// and the modes the twin went through as expectations.");
    let _ = writeln!(text, "(");
    let _ = writeln!(text, "    name: \"recorded session on {}\",", start.model);
    let _ = writeln!(text, "    model: \"{}\",", start.model);
    let _ = writeln!(text, "    seed: {},", start.seed);
    let _ = writeln!(text, "    duration: \"{}\",", seconds(end_s.max(1.0)));
    // The live clock's tick, so the replay sees what the live twin saw.
    let _ = writeln!(text, "    dt: \"10ms\",");
    let _ = writeln!(text, "    initial: (load_pct: {:.1}),", start.load_pct);
    let _ = writeln!(text, "    needs: [{}],", if has_wire(recording) { "Card" } else { "" });
    let _ = writeln!(text, "    timeline: [");
    for (time_s, action) in &recording.actions {
        let step = match action {
            Control::Inject(fault) => format!("Fault(\"{}\", {})", fault.name(), params(fault.params())),
            Control::Clear(kind) => format!("Clear(\"{kind}\")"),
            Control::InjectWire(fault) => {
                format!("WireFault(\"{}\", {})", fault.name(), params(fault.params()))
            }
            Control::ClearWire(kind) => format!("ClearWireFault(\"{kind}\")"),
            Control::Command(command) => {
                format!("Command(\"{}\", {})", command.name(), params(command.params()))
            }
            Control::Load(pct) => format!("Load({pct:.1})"),
            // Not recorded (a scenario has no per-phase load step).
            Control::PhaseLoads(_) => continue,
        };
        let _ = writeln!(text, "        (at: \"{}\", do: {step}),", seconds(*time_s));
    }
    let _ = writeln!(text, "    ],");
    let _ = writeln!(text, "    expect: [");
    // Modes held for less than a second are transients of the wall-clock stepping (an
    // action landing between two ticks): not a behaviour to hold a replay to.
    let modes = &recording.modes;
    let held = modes.iter().enumerate().filter(|(i, change)| {
        let until_s = modes.get(i + 1).map_or(end_s, |next| next.time_s);
        until_s - change.time_s >= MIN_HELD_S && change.time_s + MODE_TOLERANCE_S < end_s
    });
    for (_, change) in held {
        let mode = mode_label(change.mode, change.on_battery);
        let _ = writeln!(
            text,
            "        (label: \"{mode} at {}\", that: \"ups.mode == {mode}\", from: \"{}\", within: \"{}\"),",
            seconds(change.time_s),
            seconds(change.time_s - MODE_TOLERANCE_S),
            seconds(2.0 * MODE_TOLERANCE_S)
        );
    }
    let _ = writeln!(text, "    ],");
    let _ = writeln!(text, ")");
    text
}

fn has_wire(recording: &Recording) -> bool {
    recording.actions.iter().any(|(_, a)| matches!(a, Control::InjectWire(_) | Control::ClearWire(_)))
}
