//! The events the card raised, in order, kept for the services that send them.

use crate::alarms::{Change, Severity};
use crate::catalogue::{self, ON_BATTERY};
use crate::clock::Stamp;
use crate::rules::Rules;
use serde::Serialize;
use std::collections::{BTreeSet, VecDeque};

/// RFC1628: upsTrapOnBattery "is sent … every minute" while on battery.
const ON_BATTERY_REPEAT_S: f64 = 60.0;
/// Events kept for services that fall behind (a slow mail server); older ones are dropped.
const KEPT: usize = 1024;

/// What an event carries besides its number (the varbinds of RFC1628's traps).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Detail {
    None,
    /// Trap 1: upsEstimatedMinutesRemaining, upsSecondsOnBattery.
    OnBattery {
        minutes_remaining: Option<i32>,
        seconds_on_battery: i32,
    },
    /// Traps 3 and 4: the upsAlarmTable row (upsAlarmId, upsAlarmDescr).
    AlarmEntry {
        id: u32,
        well_known: u8,
    },
    /// Trap 2: upsTestResultsSummary (1 donePass, 3 doneError, 4 aborted).
    TestCompleted {
        summary: i32,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    /// Counts up from 1 for the card's life.
    pub seq: u64,
    pub at: Stamp,
    /// The vendor trap number (1–40).
    pub trap: u8,
    pub level: Severity,
    pub text: &'static str,
    pub detail: Detail,
}

#[derive(Debug, Default)]
pub struct Notifier {
    /// The bit-raised traps holding at the last complete poll (`None` before the first).
    holding: Option<BTreeSet<u8>>,
    /// Card time the UPS went on battery, and when trap 1 was last sent.
    on_battery: Option<(f64, f64)>,
    recent: VecDeque<Notice>,
    next_seq: u64,
    /// Times the UPS went on battery (RFC1628 upsInputLineBads).
    line_bads: u32,
}

impl Notifier {
    pub fn raise(&mut self, at: Stamp, trap: u8, detail: Detail) {
        let Some(kind) = catalogue::trap(trap) else { return };
        self.next_seq += 1;
        let notice = Notice { seq: self.next_seq, at, trap, level: kind.level, text: kind.text, detail };
        if self.recent.len() == KEPT {
            self.recent.pop_front();
        }
        self.recent.push_back(notice);
    }

    /// The events after `seq`, oldest first.
    pub fn since(&self, seq: u64) -> impl Iterator<Item = &Notice> {
        self.recent.iter().filter(move |n| n.seq > seq)
    }

    /// The sequence number of the last event (0: none yet).
    pub fn last_seq(&self) -> u64 {
        self.next_seq
    }

    /// Whether the bits that raise trap `trap` hold at the last complete poll.
    pub fn holding(&self, trap: u8) -> bool {
        self.holding.as_ref().is_some_and(|holding| holding.contains(&trap))
    }

    /// Times the UPS went on battery since the card started.
    pub fn line_bads(&self) -> u32 {
        self.line_bads
    }

    /// Seconds on battery at card time `now_s` (RFC1628 upsSecondsOnBattery: 0 on mains).
    pub fn seconds_on_battery(&self, now_s: f64) -> i32 {
        self.on_battery.map_or(0, |(since_s, _)| (now_s - since_s).max(0.0) as i32)
    }

    /// After a complete poll: the traps the bits raise now that they did not before, trap 1
    /// again each minute on battery, and the alarm table's RFC1628 traps. At the first poll
    /// only alarms are raised, not the "back to normal" Information traps.
    pub fn after_poll(
        &mut self,
        now_s: f64,
        at: Stamp,
        rules: &Rules,
        on: &BTreeSet<&str>,
        minutes_remaining: Option<i32>,
        changes: &[Change],
    ) {
        let holding: BTreeSet<u8> =
            rules.traps.iter().filter(|t| t.when.holds(on)).map(|t| t.number).collect();
        let first = self.holding.is_none();
        let before = self.holding.take().unwrap_or_default();
        for &trap in holding.difference(&before) {
            let information = catalogue::trap(trap).is_some_and(|k| k.level == Severity::Information);
            if trap == ON_BATTERY || (first && information) {
                continue;
            }
            self.raise(at, trap, Detail::None);
        }
        self.on_battery = match (holding.contains(&ON_BATTERY), self.on_battery) {
            (false, _) => None,
            (true, None) => {
                self.line_bads = self.line_bads.wrapping_add(1);
                Some((now_s, f64::NEG_INFINITY))
            }
            (true, kept) => kept,
        };
        if let Some((since_s, sent_s)) = self.on_battery
            && now_s - sent_s >= ON_BATTERY_REPEAT_S
        {
            self.on_battery = Some((since_s, now_s));
            let seconds_on_battery = self.seconds_on_battery(now_s);
            self.raise(at, ON_BATTERY, Detail::OnBattery { minutes_remaining, seconds_on_battery });
        }
        self.holding = Some(holding);
        for change in changes {
            let (trap, row) = match change {
                Change::WellKnownAdded(row) => (catalogue::ALARM_ENTRY_ADDED, row),
                Change::WellKnownRemoved(row) => (catalogue::ALARM_ENTRY_REMOVED, row),
                Change::Added(_) | Change::Removed(_) => continue,
            };
            let detail = Detail::AlarmEntry { id: row.id, well_known: row.alarm.index };
            self.raise(at, trap, detail);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jbusp() -> Rules {
        crate::rules::bundled(&ups_models::maps::bundled("jbusp").unwrap()).unwrap()
    }

    fn traps(notifier: &Notifier, after: u64) -> Vec<u8> {
        notifier.since(after).map(|n| n.trap).collect()
    }

    #[test]
    fn edges_raise_traps_and_on_battery_repeats_each_minute() {
        let rules = jbusp();
        let mut notifier = Notifier::default();
        let at = Stamp::default();
        // On inverter, mains present: trap 22 (normal) and 23 (power restored) hold but are
        // not news at the first poll.
        notifier.after_poll(0.0, at, &rules, &["S00", "S02", "S03"].into(), Some(30), &[]);
        assert_eq!(traps(&notifier, 0), Vec::<u8>::new());
        // Mains lost: on battery (trap 15 once, trap 1 now and each minute).
        let on_battery = ["S02", "S03", "S05"].into();
        notifier.after_poll(10.0, at, &rules, &on_battery, Some(29), &[]);
        assert_eq!(traps(&notifier, 0), [15, 1]);
        let first = notifier.since(0).last().unwrap().clone();
        assert_eq!(first.detail, Detail::OnBattery { minutes_remaining: Some(29), seconds_on_battery: 0 });
        notifier.after_poll(40.0, at, &rules, &on_battery, Some(28), &[]);
        notifier.after_poll(70.0, at, &rules, &on_battery, Some(27), &[]);
        assert_eq!(traps(&notifier, 0), [15, 1, 1]);
        assert_eq!(notifier.seconds_on_battery(70.0), 60);
        // Mains back: power restored; no more trap 1.
        notifier.after_poll(80.0, at, &rules, &["S00", "S02", "S03"].into(), Some(27), &[]);
        notifier.after_poll(200.0, at, &rules, &["S00", "S02", "S03"].into(), Some(27), &[]);
        assert_eq!(traps(&notifier, 3), [23]);
        assert_eq!(notifier.seconds_on_battery(200.0), 0);
        assert_eq!(notifier.line_bads(), 1);
    }
}
