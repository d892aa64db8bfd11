//! What the schedules ask of the UPS (§16.3 battery test, §16.4 eco mode), turned into the
//! card's writes when their moment comes. Shutdowns and restarts (§16.5–16.6) are the
//! shutdown manager's to act on.

use crate::alarms::Severity;
use crate::controls;
use crate::run::{Agent, Asker, Pending};
use crate::schedules::{self, Due};
use std::collections::BTreeMap;

/// The control a schedule's moment sends, and the UPS events log line once taken (§21.3).
fn control(due: Due) -> Option<(&'static str, Option<&'static str>)> {
    match due {
        Due::BatteryTest => Some(("battery_test", None)),
        Due::EcoOn => Some(("eco_on", Some("Eco mode schedule sent"))),
        Due::EcoOff => Some(("eco_off", Some("Eco mode schedule sent"))),
        Due::Shutdown(_) | Due::Restart(_) => None,
    }
}

impl Agent {
    /// Queues what the schedules ask of the UPS once their moment has passed, each only if
    /// the UPS allows it then: a moment that finds it not allowed (or the UPS not found
    /// yet) is logged, never sent late.
    pub(crate) fn run_schedules(&mut self) {
        let now_s = self.clock.calendar_s().floor() as i64;
        let from_s = self.schedules_seen_s.replace(now_s).unwrap_or(now_s);
        let due = self.config.schedules.due_between(from_s, now_s);
        let stamp = self.clock.stamp();
        let mut refused = Vec::new();
        for (name, ups_event) in due.into_iter().filter_map(|(_, due)| control(due)) {
            let label = format!("{} by the schedule", controls::label(name));
            let Some(map) = self.card.map() else {
                refused.push(format!("Not done: {label} (the UPS has not answered yet)"));
                continue;
            };
            let why_not = if name == "battery_test" && !schedules::battery_test_schedule_allowed(&map.name) {
                Some(schedules::BATTERY_TEST_SCHEDULE_VU_MAP_ONLY.to_string())
            } else {
                match self.card.controls().into_iter().find(|c| c.name == name) {
                    Some(control) => control.why_not,
                    None => Some("the UPS has no such control".to_string()),
                }
            };
            match why_not.map_or_else(|| controls::write(map, name, &BTreeMap::new(), stamp), Err) {
                Ok(write) => {
                    let label = format!("{} sent to the UPS by the schedule", controls::label(name));
                    self.writes.push_back(Pending { write, label, asker: Asker::Schedule { ups_event } });
                }
                Err(why) => refused.push(format!("Not done: {label} ({why})")),
            }
        }
        for line in refused {
            self.card.card_event(stamp, Severity::Warning, &line);
        }
    }

    /// Seconds (card time) until the next moment a schedule asks something of the UPS, so
    /// the poll loop wakes for it even between slow polls.
    pub(crate) fn schedule_wait_s(&self) -> Option<f64> {
        let now_s = self.clock.calendar_s();
        let next_s = self.config.schedules.next_ups_moment_s(now_s.floor() as i64)?;
        Some((next_s as f64 - now_s).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use crate::clock::Clock;
    use crate::config::Config;
    use crate::core::Card;
    use crate::logs::{Intervals, LogKind, Logs};
    use crate::poller::PollConfig;
    use crate::run::Agent;
    use crate::schedules::{Day, EcoPeriod, TimeOfDay, Weekly};

    /// Thursday 1 January 2026, 00:00 UTC.
    const THURSDAY_S: f64 = 1_767_225_600.0;

    fn agent(dir: &std::path::Path) -> Agent {
        let clock = Clock::starting_at(THURSDAY_S);
        let candidates = crate::stack::bundled_maps();
        let (logs, _files) = Logs::open(dir, clock.stamp()).unwrap();
        let card =
            Card::new(candidates, PollConfig::default(), Intervals::default(), logs, 0.0, clock.stamp());
        let mut config = Config::default();
        let at =
            |hh_mm: &str| Weekly { day: Day::Thursday, at: TimeOfDay::try_from(hh_mm.to_string()).unwrap() };
        config.schedules.eco = vec![EcoPeriod { on: at("00:10"), off: Some(at("00:20")) }];
        Agent::new(card, "nowhere".into(), None, clock, config)
    }

    /// The loop is told when to wake for the next moment; a moment that passes before the
    /// UPS is found is logged as not done, never sent later.
    #[tokio::test(start_paused = true)]
    async fn moments_wake_the_loop_and_are_logged_when_they_cannot_be_sent() {
        let dir = std::env::temp_dir().join(format!("upstwin-scheduled-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut agent = agent(&dir);
        agent.run_schedules();
        assert_eq!(agent.schedule_wait_s(), Some(600.0));
        tokio::time::advance(std::time::Duration::from_secs(601)).await;
        assert_eq!(agent.schedule_wait_s(), Some(599.0), "the eco off moment is next");
        agent.run_schedules();
        agent.run_schedules();
        assert!(agent.writes.is_empty(), "nothing sent without a UPS");
        let records: Vec<&Vec<String>> = agent.card.logs().records(LogKind::CardEvents).collect();
        let not_done: Vec<_> =
            records.iter().filter(|r| r.iter().any(|f| f.starts_with("Not done"))).collect();
        assert_eq!(not_done.len(), 1, "logged once: {records:?}");
        assert!(
            not_done[0]
                .iter()
                .any(|f| f == "Not done: Enable eco mode by the schedule (the UPS has not answered yet)")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
