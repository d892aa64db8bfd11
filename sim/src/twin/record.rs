//! What a live session did, kept to be written as a scenario (`upstwin serve --record`):
//! the actions taken through the control API and the modes the twin went through.

use super::control::Control;
use crate::ups::{Mode, Ups};

/// A mode the twin entered: when, the mode, and whether the battery fed the inverter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModeChange {
    pub time_s: f64,
    pub mode: Mode,
    pub on_battery: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recording {
    pub actions: Vec<(f64, Control)>,
    pub modes: Vec<ModeChange>,
}

impl Recording {
    /// Notes an action taken at `time_s`. Per-phase loads are left out: a scenario has no
    /// step for them.
    pub fn action(&mut self, time_s: f64, action: Control) {
        if !matches!(action, Control::PhaseLoads(_)) {
            self.actions.push((time_s, action));
        }
    }

    /// Notes the twin's mode if it changed since the last call.
    pub fn observe(&mut self, ups: &Ups) {
        let (mode, on_battery) = (ups.mode(), ups.conditions().on_battery);
        let changed = self.modes.last().is_none_or(|last| last.mode != mode || last.on_battery != on_battery);
        if changed {
            self.modes.push(ModeChange { time_s: ups.time_s(), mode, on_battery });
        }
    }
}
