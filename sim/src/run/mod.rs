//! Headless runs in virtual time: apply a timeline of actions to a [`Ups`], step it, and
//! record what happened (mode changes, conditions raised and cleared, refusals). The CLI's
//! `simulate` and, later, the scenario runner drive this.

pub mod script;

use crate::battery::invariants::{Violation, energy_created_share};
use crate::ups::conditions::Conditions;
use crate::ups::{Mode, Ups};
use script::{Action, TimedAction};

/// Something worth a line in a report.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    Action(String),
    Refused(String),
    Mode {
        mode: Mode,
        on_battery: bool,
    },
    /// The load moved between paths; its supply broke this long, ms.
    Transfer {
        from: Mode,
        to: Mode,
        break_ms: f64,
    },
    Condition {
        name: &'static str,
        index: Option<usize>,
        on: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub time_s: f64,
    pub kind: EventKind,
}

/// What a run found beyond its events.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Totals {
    pub min_charge_pct: f64,
    pub min_charge_at_s: f64,
    pub max_balance_error: f64,
    /// Most energy the battery seemed to make, as a share of its terminal throughput.
    pub max_energy_created_share: f64,
    /// The first law of physics the twin broke, and when.
    pub first_violation: Option<(f64, Violation)>,
    pub steps: u64,
}

/// Steps a UPS through a timeline.
#[derive(Debug)]
pub struct Runner {
    pub ups: Ups,
    actions: Vec<TimedAction>,
    next_action: usize,
    pub events: Vec<Event>,
    pub totals: Totals,
    last_conditions: Conditions,
    last_mode: (Mode, bool),
    last_transfer: Option<crate::ups::transfer::Transfer>,
    /// When the blocks were last checked (once per simulated second: they change slowly).
    last_full_check_s: f64,
}

impl Runner {
    pub fn new(ups: Ups, mut actions: Vec<TimedAction>) -> Self {
        actions.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
        let last_conditions = *ups.conditions();
        let last_mode = (ups.mode(), ups.conditions().on_battery);
        let charge = ups.measurements().battery_charge_pct;
        let events =
            vec![Event { time_s: 0.0, kind: EventKind::Mode { mode: last_mode.0, on_battery: last_mode.1 } }];
        Self {
            ups,
            actions,
            next_action: 0,
            events,
            totals: Totals {
                min_charge_pct: charge,
                min_charge_at_s: 0.0,
                max_balance_error: 0.0,
                max_energy_created_share: 0.0,
                first_violation: None,
                steps: 0,
            },
            last_full_check_s: 0.0,
            last_conditions,
            last_mode,
            last_transfer: None,
        }
    }

    /// Runs until `until_s` of virtual time with steps of `dt_s`, calling `observe` after
    /// every step (for traces).
    pub fn run(&mut self, until_s: f64, dt_s: f64, mut observe: impl FnMut(&Ups)) {
        // Step count from the duration, so float sums do not add or drop a step.
        let start_s = self.ups.time_s();
        let steps = ((until_s - start_s) / dt_s).round().max(0.0) as u64;
        for n in 1..=steps {
            let target_s = start_s + n as f64 * dt_s;
            self.apply_due_actions(target_s - dt_s);
            self.ups.step(dt_s);
            self.totals.steps += 1;
            self.record();
            observe(&self.ups);
        }
    }

    fn apply_due_actions(&mut self, now_s: f64) {
        while let Some(timed) = self.actions.get(self.next_action) {
            if timed.at_s > now_s + 1e-9 {
                break;
            }
            let timed = timed.clone();
            self.next_action += 1;
            let time_s = self.ups.time_s();
            let result = match &timed.action {
                Action::Inject(fault) => self.ups.inject(*fault).map_err(|e| e.0),
                Action::Clear(kind) => {
                    if self.ups.clear(*kind) == 0 {
                        Err(format!("{kind} was not in force"))
                    } else {
                        Ok(())
                    }
                }
                Action::Command(command) => self.ups.command(command).map_err(|e| e.to_string()),
                Action::LoadPct(pct) => {
                    self.ups.set_load_pct(*pct);
                    Ok(())
                }
            };
            let kind = match result {
                Ok(()) => EventKind::Action(timed.text.clone()),
                Err(reason) => EventKind::Refused(format!("{}: {reason}", timed.text)),
            };
            self.events.push(Event { time_s, kind });
        }
    }

    fn record(&mut self) {
        let time_s = self.ups.time_s();
        let conditions = *self.ups.conditions();
        let mode = (self.ups.mode(), conditions.on_battery);
        let transfer = self.ups.last_transfer();
        if transfer != self.last_transfer {
            if let Some(t) = transfer {
                let kind = EventKind::Transfer { from: t.from, to: t.to, break_ms: t.break_ms };
                self.events.push(Event { time_s: t.time_s, kind });
            }
            self.last_transfer = transfer;
        }
        if mode != self.last_mode {
            self.events.push(Event { time_s, kind: EventKind::Mode { mode: mode.0, on_battery: mode.1 } });
            self.last_mode = mode;
        }
        if conditions != self.last_conditions {
            for (name, index, on) in conditions.changes(&self.last_conditions) {
                self.events.push(Event { time_s, kind: EventKind::Condition { name, index, on } });
            }
            self.last_conditions = conditions;
        }
        let charge = self.ups.measurements().battery_charge_pct;
        if charge < self.totals.min_charge_pct {
            self.totals.min_charge_pct = charge;
            self.totals.min_charge_at_s = time_s;
        }
        self.totals.max_balance_error = self.totals.max_balance_error.max(self.ups.flows().balance_error());
        let full = time_s - self.last_full_check_s >= 1.0;
        let checked = if full {
            self.last_full_check_s = time_s;
            let share = energy_created_share(self.ups.battery());
            self.totals.max_energy_created_share = self.totals.max_energy_created_share.max(share);
            self.ups.check_invariants()
        } else {
            self.ups.check_step_invariants()
        };
        if let (Err(violation), None) = (checked, self.totals.first_violation) {
            self.totals.first_violation = Some((time_s, violation));
        }
    }
}
