//! The shutdown sequence of §16.8, driven with time: given which shutdown events are
//! present now, what the card is to do — warn the servers, tell them to shut down, shut the
//! UPS off, cancel, wake the servers again. Pure: no clock, no I/O; the service feeds it.
//!
//! An enabled event starts a procedure. Its warning period is the reversible period:
//! warnings go out from `first_warning_s` every `warning_interval_s`; if the event goes
//! away meanwhile the servers get a cancel. At the end the servers are told to shut down
//! and, when enabled, the UPS gets its shut-off command. Once the event that shut them down
//! has gone (mains back, the schedule's restart), the servers get a cancel (so an agent is
//! ready again) and, as soon as the UPS output is on, a Wake-on-LAN.

use crate::config::{Shutdown, ShutdownAction, ShutdownEvent};
use serde::Serialize;
use std::collections::BTreeSet;

/// §16.8 "SHUTDOWN TEST PROCEDURE": the cancel follows the shutdown command "around 2
/// minutes" later.
pub const TEST_CANCEL_AFTER_S: f64 = 120.0;

/// What the card is to do now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Order {
    /// Warn the servers: the shutdown command follows in `shutdown_in_s` (`None`: the
    /// event's action is Warning only).
    Warning { event: ShutdownEvent, test: bool, shutdown_in_s: Option<u32> },
    /// Tell the servers to shut down.
    Shutdown { event: ShutdownEvent, test: bool },
    /// The UPS shut-off command: output off after `delay_s`, restart `restart_delay_s` after
    /// (0: no restart).
    UpsShutOff { delay_s: u32, restart_delay_s: u32 },
    /// Tell the servers the shutdown is off.
    Cancel { event: ShutdownEvent, test: bool },
    /// The schedule's restart: turn the UPS output on again.
    UpsOn,
    /// Wake the servers (§18.11).
    WakeOnLan { event: ShutdownEvent },
}

/// What the manager needs to know of the UPS at a step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    pub present: BTreeSet<ShutdownEvent>,
    /// The UPS feeds its output (on inverter or bypass).
    pub output_on: bool,
}

/// An event's procedure during its reversible period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Procedure {
    pub event: ShutdownEvent,
    pub test: bool,
    pub started_s: f64,
    /// `None`: warnings only.
    pub shutdown_at_s: Option<f64>,
    #[serde(skip)]
    next_warning_s: Option<f64>,
    #[serde(skip)]
    interval_s: f64,
    pub warnings_sent: u32,
}

/// The servers have been told to shut down.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShutDown {
    pub event: ShutdownEvent,
    pub test: bool,
    pub at_s: f64,
    /// The UPS got its shut-off command.
    pub ups_shut_off: bool,
    /// The event has gone: waiting for the UPS output to wake the servers.
    pub awaiting_power: bool,
    /// The test's cancel time.
    #[serde(skip)]
    cancel_at_s: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Manager {
    pub procedures: Vec<Procedure>,
    pub shut_down: Option<ShutDown>,
    /// The events present at the last step: a procedure starts when its event appears.
    #[serde(skip)]
    seen: BTreeSet<ShutdownEvent>,
    /// A test asked for, started at the next step.
    #[serde(skip)]
    test_asked: bool,
}

impl Manager {
    /// Starts the shutdown test (a simulated AC fail with the AC Failed settings); refused
    /// when that action is not Enabled or a procedure or shutdown is under way.
    pub fn start_test(&mut self, settings: &Shutdown) -> Result<(), String> {
        let enabled =
            settings.rule(ShutdownEvent::AcFailed).is_some_and(|r| r.action == ShutdownAction::Enabled);
        if !enabled {
            return Err("the AC Failed shutdown action is not Enabled: the test is disabled (§16.8)".into());
        }
        if self.test_running() || !self.procedures.is_empty() || self.shut_down.is_some() {
            return Err("a shutdown procedure is under way".into());
        }
        self.test_asked = true;
        Ok(())
    }

    /// A test is under way (the page's button is disabled).
    pub fn test_running(&self) -> bool {
        self.test_asked
            || self.procedures.iter().any(|p| p.test)
            || self.shut_down.as_ref().is_some_and(|s| s.test)
    }

    /// What to do at card time `now_s`.
    pub fn step(&mut self, now_s: f64, inputs: &Inputs, settings: &Shutdown) -> Vec<Order> {
        let mut orders = Vec::new();
        let appeared: Vec<ShutdownEvent> = inputs.present.difference(&self.seen).copied().collect();
        self.seen.clone_from(&inputs.present);
        if self.shut_down.is_none() {
            for event in appeared {
                self.start(event, false, now_s, settings);
            }
            if std::mem::take(&mut self.test_asked) {
                self.start(ShutdownEvent::AcFailed, true, now_s, settings);
            }
        }
        self.cancel_gone(inputs, &mut orders);
        self.warn(now_s, &mut orders);
        self.shut_down_if_due(now_s, settings, &mut orders);
        self.after_shutdown(now_s, inputs, &mut orders);
        orders
    }

    /// The next card time at which `step` has something to do without a change of inputs.
    pub fn next_s(&self) -> Option<f64> {
        let procedures = self.procedures.iter().flat_map(|p| [p.next_warning_s, p.shutdown_at_s]);
        let test_cancel = self.shut_down.as_ref().and_then(|s| s.cancel_at_s);
        procedures.chain([test_cancel]).flatten().min_by(f64::total_cmp)
    }

    fn start(&mut self, event: ShutdownEvent, test: bool, now_s: f64, settings: &Shutdown) {
        let Some(rule) = settings.rule(event) else { return };
        if self.procedures.iter().any(|p| p.event == event && p.test == test) {
            return;
        }
        let shutdown_at_s = (rule.action == ShutdownAction::Enabled)
            .then(|| now_s + f64::from(rule.warning_period_min) * 60.0);
        let first_s = now_s + f64::from(rule.first_warning_s);
        let next_warning_s = Some(first_s).filter(|at_s| shutdown_at_s.is_none_or(|end_s| *at_s < end_s));
        self.procedures.push(Procedure {
            event,
            test,
            started_s: now_s,
            shutdown_at_s,
            next_warning_s,
            interval_s: f64::from(rule.warning_interval_s),
            warnings_sent: 0,
        });
    }

    /// The reversible period: a procedure whose event has gone is cancelled (the servers
    /// hear of it if they were warned).
    fn cancel_gone(&mut self, inputs: &Inputs, orders: &mut Vec<Order>) {
        self.procedures.retain(|p| {
            let holds = p.test || inputs.present.contains(&p.event);
            if !holds && p.warnings_sent > 0 {
                orders.push(Order::Cancel { event: p.event, test: false });
            }
            holds
        });
    }

    fn warn(&mut self, now_s: f64, orders: &mut Vec<Order>) {
        for p in &mut self.procedures {
            let Some(at_s) = p.next_warning_s.filter(|at_s| *at_s <= now_s) else { continue };
            let shutdown_in_s = p.shutdown_at_s.map(|end_s| (end_s - now_s).max(0.0).round() as u32);
            orders.push(Order::Warning { event: p.event, test: p.test, shutdown_in_s });
            p.warnings_sent += 1;
            // One warning per step: the next one on the interval's grid, never a burst.
            p.next_warning_s = (p.interval_s > 0.0)
                .then(|| at_s + p.interval_s * ((now_s - at_s) / p.interval_s).floor() + p.interval_s)
                .filter(|next_s| p.shutdown_at_s.is_none_or(|end_s| *next_s < end_s));
        }
    }

    fn shut_down_if_due(&mut self, now_s: f64, settings: &Shutdown, orders: &mut Vec<Order>) {
        let due = self.procedures.iter().filter(|p| p.shutdown_at_s.is_some_and(|end_s| end_s <= now_s));
        let Some(first) =
            due.min_by(|a, b| a.shutdown_at_s.unwrap_or(0.0).total_cmp(&b.shutdown_at_s.unwrap_or(0.0)))
        else {
            return;
        };
        let (event, test) = (first.event, first.test);
        orders.push(Order::Shutdown { event, test });
        // The test tells the servers only; the UPS keeps its load.
        let ups_shut_off = settings.ups_shut_off && !test;
        if ups_shut_off {
            // A schedule restarts the UPS at its own moment; otherwise the UPS restarts by
            // itself once mains is back.
            let scheduled = matches!(event, ShutdownEvent::WeeklySchedule | ShutdownEvent::SpecialDay);
            let restart_delay_s = if scheduled { 0 } else { settings.ups_on_delay_min * 60 };
            orders.push(Order::UpsShutOff { delay_s: settings.ups_shut_off_delay_s, restart_delay_s });
        }
        self.procedures.retain(|p| p.test != test);
        let cancel_at_s = test.then_some(now_s + TEST_CANCEL_AFTER_S);
        self.shut_down =
            Some(ShutDown { event, test, at_s: now_s, ups_shut_off, awaiting_power: false, cancel_at_s });
    }

    fn after_shutdown(&mut self, now_s: f64, inputs: &Inputs, orders: &mut Vec<Order>) {
        let Some(done) = &mut self.shut_down else { return };
        if done.test {
            if done.cancel_at_s.is_some_and(|at_s| at_s <= now_s) {
                orders.push(Order::Cancel { event: done.event, test: true });
                self.shut_down = None;
            }
            return;
        }
        if !done.awaiting_power && !inputs.present.contains(&done.event) {
            orders.push(Order::Cancel { event: done.event, test: false });
            let scheduled = matches!(done.event, ShutdownEvent::WeeklySchedule | ShutdownEvent::SpecialDay);
            if scheduled && done.ups_shut_off {
                orders.push(Order::UpsOn);
            }
            done.awaiting_power = true;
        }
        if done.awaiting_power && inputs.output_on {
            orders.push(Order::WakeOnLan { event: done.event });
            self.shut_down = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EventRule;

    fn settings(rules: &[(ShutdownEvent, ShutdownAction, u32, u32, u32)]) -> Shutdown {
        let events = rules
            .iter()
            .map(|&(event, action, warning_period_min, first_warning_s, warning_interval_s)| EventRule {
                event,
                action,
                warning_period_min,
                first_warning_s,
                warning_interval_s,
            })
            .collect();
        Shutdown {
            ups_shut_off: true,
            ups_shut_off_delay_s: 180,
            ups_on_delay_min: 2,
            events,
            ..Shutdown::default()
        }
    }

    fn inputs(present: &[ShutdownEvent], output_on: bool) -> Inputs {
        Inputs { present: present.iter().copied().collect(), output_on }
    }

    /// Runs the manager each second from `from_s` to `to_s`; the orders with their times.
    fn run(m: &mut Manager, s: &Shutdown, from_s: u32, to_s: u32, at: &Inputs) -> Vec<(u32, Order)> {
        (from_s..=to_s).flat_map(|t| m.step(f64::from(t), at, s).into_iter().map(move |o| (t, o))).collect()
    }

    use ShutdownAction::{Enabled, Warning};
    use ShutdownEvent::{AcFailed, BatteryLow, WeeklySchedule};

    #[test]
    fn an_ac_fail_warns_on_its_grid_then_shuts_down_and_wakes_once_power_is_back() {
        let s = settings(&[(AcFailed, Enabled, 5, 30, 60)]);
        let mut m = Manager::default();
        let orders = run(&mut m, &s, 0, 300, &inputs(&[AcFailed], true));
        let times: Vec<u32> = orders.iter().map(|(t, _)| *t).collect();
        assert_eq!(times, [30, 90, 150, 210, 270, 300, 300], "{orders:?}");
        assert_eq!(orders[0].1, Order::Warning { event: AcFailed, test: false, shutdown_in_s: Some(270) });
        assert_eq!(orders[5].1, Order::Shutdown { event: AcFailed, test: false });
        assert_eq!(orders[6].1, Order::UpsShutOff { delay_s: 180, restart_delay_s: 120 });
        // The UPS output goes off, mains stays away: nothing more.
        assert!(run(&mut m, &s, 301, 900, &inputs(&[AcFailed], false)).is_empty());
        // Mains back: the agents are told; the servers are woken once the UPS output is on.
        let back = run(&mut m, &s, 901, 1000, &inputs(&[], false));
        assert_eq!(back, [(901, Order::Cancel { event: AcFailed, test: false })]);
        let on = run(&mut m, &s, 1001, 1002, &inputs(&[], true));
        assert_eq!(on, [(1001, Order::WakeOnLan { event: AcFailed })]);
        assert!(m.shut_down.is_none() && m.procedures.is_empty());
    }

    #[test]
    fn an_event_gone_in_its_reversible_period_is_cancelled_and_no_warning_means_no_cancel() {
        let s = settings(&[(AcFailed, Enabled, 5, 30, 60)]);
        let mut m = Manager::default();
        run(&mut m, &s, 0, 40, &inputs(&[AcFailed], true));
        assert_eq!(
            run(&mut m, &s, 41, 41, &inputs(&[], true)),
            [(41, Order::Cancel { event: AcFailed, test: false })]
        );
        // A glitch shorter than the first warning: neither warning nor cancel.
        run(&mut m, &s, 42, 50, &inputs(&[AcFailed], true));
        assert!(run(&mut m, &s, 51, 400, &inputs(&[], true)).is_empty());
    }

    #[test]
    fn a_later_event_with_a_shorter_period_shuts_down_first_and_a_zero_period_is_immediate() {
        let s = settings(&[(AcFailed, Enabled, 10, 0, 60), (BatteryLow, Enabled, 0, 0, 0)]);
        let mut m = Manager::default();
        run(&mut m, &s, 0, 100, &inputs(&[AcFailed], true));
        let low = m.step(101.0, &inputs(&[AcFailed, BatteryLow], true), &s);
        assert_eq!(low[0], Order::Shutdown { event: BatteryLow, test: false }, "{low:?}");
        assert!(m.procedures.is_empty(), "one shutdown ends every procedure");
    }

    #[test]
    fn the_test_warns_shuts_down_the_servers_only_and_cancels_two_minutes_later() {
        let s = settings(&[(AcFailed, Enabled, 1, 10, 20)]);
        let mut m = Manager::default();
        m.start_test(&s).unwrap();
        assert!(m.start_test(&s).is_err(), "one test at a time");
        let orders = run(&mut m, &s, 0, 200, &inputs(&[], true));
        let shown: Vec<(u32, Order)> = orders;
        assert_eq!(
            shown,
            [
                (10, Order::Warning { event: AcFailed, test: true, shutdown_in_s: Some(50) }),
                (30, Order::Warning { event: AcFailed, test: true, shutdown_in_s: Some(30) }),
                (50, Order::Warning { event: AcFailed, test: true, shutdown_in_s: Some(10) }),
                (60, Order::Shutdown { event: AcFailed, test: true }),
                (180, Order::Cancel { event: AcFailed, test: true }),
            ]
        );
        assert!(!m.test_running());
        let disabled = settings(&[(AcFailed, Warning, 1, 10, 20)]);
        assert!(Manager::default().start_test(&disabled).unwrap_err().contains("not Enabled"));
    }

    #[test]
    fn a_schedule_shuts_the_ups_off_without_restart_and_turns_it_on_at_its_restart() {
        let s = settings(&[(WeeklySchedule, Enabled, 0, 0, 0)]);
        let mut m = Manager::default();
        let orders = run(&mut m, &s, 0, 10, &inputs(&[WeeklySchedule], true));
        assert_eq!(orders[1].1, Order::UpsShutOff { delay_s: 180, restart_delay_s: 0 });
        let restart = run(&mut m, &s, 11, 12, &inputs(&[], false));
        assert_eq!(
            restart.iter().map(|(_, o)| o.clone()).collect::<Vec<_>>(),
            [Order::Cancel { event: WeeklySchedule, test: false }, Order::UpsOn]
        );
        assert_eq!(
            run(&mut m, &s, 13, 13, &inputs(&[], true)),
            [(13, Order::WakeOnLan { event: WeeklySchedule })]
        );
    }

    #[test]
    fn a_warning_only_action_warns_until_the_event_goes_and_never_shuts_down() {
        let s = settings(&[(AcFailed, Warning, 0, 0, 100)]);
        let mut m = Manager::default();
        let orders = run(&mut m, &s, 0, 1000, &inputs(&[AcFailed], true));
        assert_eq!(orders.len(), 11);
        assert!(orders.iter().all(|(_, o)| matches!(o, Order::Warning { shutdown_in_s: None, .. })));
        assert_eq!(m.next_s(), Some(1100.0));
    }
}
