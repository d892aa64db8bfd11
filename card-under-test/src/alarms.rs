//! The alarm table (NET VISION §12.3): every alarm bit the UPS sets (JBUSP A00–A63, VU-MAP
//! A000–A127), time-stamped when it appears, with its level and the RFC1628 well-known alarm
//! it maps to; the last alarm and the count; acknowledgement. Beside it, the RFC1628 alarm
//! table (upsAlarmTable: well-known alarms with ids), which the SNMP agent serves and traps.

use crate::clock::Stamp;
use crate::database::Database;
use crate::rules::Rules;
use serde::Serialize;
use std::collections::BTreeSet;

pub use crate::severity::Severity;

/// An RFC1628 well-known alarm: `.1.3.6.1.2.1.33.1.6.3.<index>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WellKnownRef {
    pub index: u8,
    pub name: String,
}

/// The card's own alarm when the UPS stops answering (well-known .20, "NV alarm").
pub const COMM_LOST_CODE: &str = "COM";
const COMM_LOST: &str = "UPS communication lost";
const COMM_LOST_WELL_KNOWN: u8 = 20;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alarm {
    /// `A31`, `A031`, or `COM` for the card's communication alarm.
    pub code: String,
    pub description: String,
    pub level: Severity,
    pub since: Stamp,
    pub well_known: Option<WellKnownRef>,
    pub acknowledged: bool,
}

/// A row of the RFC1628 alarm table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WellKnownAlarm {
    /// upsAlarmId: counts up from 1 as alarms appear.
    pub id: u32,
    pub alarm: WellKnownRef,
    pub since: Stamp,
}

/// What changed in an update: log lines and traps are made of these.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Added(Alarm),
    Removed(Alarm),
    WellKnownAdded(WellKnownAlarm),
    WellKnownRemoved(WellKnownAlarm),
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AlarmTable {
    pub active: Vec<Alarm>,
    /// The description of the alarm that appeared last.
    pub last: Option<String>,
    pub well_known: Vec<WellKnownAlarm>,
    #[serde(skip)]
    next_id: u32,
}

impl AlarmTable {
    /// Brings the table to the UPS's bits after a complete poll (`online`), or raises the
    /// communication alarm (`!online`: the UPS's own alarms are then frozen as last read).
    pub fn update(&mut self, database: &Database, rules: &Rules, online: bool, now: Stamp) -> Vec<Change> {
        let mut changes = Vec::new();
        let mut wanted: Vec<Alarm> = if online {
            database
                .flags
                .iter()
                .filter(|f| f.on && f.table == "alarms")
                .map(|f| Alarm {
                    code: f.code.clone(),
                    description: f.description.clone(),
                    level: f.level.into(),
                    since: now,
                    well_known: well_known_of(rules, &f.code),
                    acknowledged: false,
                })
                .collect()
        } else {
            self.active.iter().filter(|a| a.code != COMM_LOST_CODE).cloned().collect()
        };
        if !online {
            wanted.push(Alarm {
                code: COMM_LOST_CODE.to_string(),
                description: COMM_LOST.to_string(),
                level: Severity::Critical,
                since: now,
                well_known: Some(WellKnownRef {
                    index: COMM_LOST_WELL_KNOWN,
                    name: "upsAlarmCommunicationsLost".into(),
                }),
                acknowledged: false,
            });
        }
        let wanted_codes: BTreeSet<&str> = wanted.iter().map(|a| a.code.as_str()).collect();
        let (kept, removed): (Vec<Alarm>, Vec<Alarm>) =
            self.active.drain(..).partition(|a| wanted_codes.contains(a.code.as_str()));
        changes.extend(removed.into_iter().map(Change::Removed));
        self.active = kept;
        for alarm in wanted {
            if !self.active.iter().any(|a| a.code == alarm.code) {
                self.last = Some(alarm.description.clone());
                changes.push(Change::Added(alarm.clone()));
                self.active.push(alarm);
            }
        }
        self.update_well_known(database, rules, online, now, &mut changes);
        changes
    }

    fn update_well_known(
        &mut self,
        database: &Database,
        rules: &Rules,
        online: bool,
        now: Stamp,
        changes: &mut Vec<Change>,
    ) {
        let on = database.bits_on();
        let mut wanted: Vec<WellKnownRef> = if online {
            rules
                .well_known
                .iter()
                .filter(|w| w.when.holds(&on))
                .map(|w| WellKnownRef { index: w.index, name: w.name.clone() })
                .collect()
        } else {
            self.well_known
                .iter()
                .map(|w| w.alarm.clone())
                .filter(|w| w.index != COMM_LOST_WELL_KNOWN)
                .collect()
        };
        if !online {
            wanted.push(WellKnownRef {
                index: COMM_LOST_WELL_KNOWN,
                name: "upsAlarmCommunicationsLost".into(),
            });
        }
        let (kept, removed): (Vec<_>, Vec<_>) =
            self.well_known.drain(..).partition(|w| wanted.contains(&w.alarm));
        changes.extend(removed.into_iter().map(Change::WellKnownRemoved));
        self.well_known = kept;
        for alarm in wanted {
            if !self.well_known.iter().any(|w| w.alarm == alarm) {
                self.next_id += 1;
                let row = WellKnownAlarm { id: self.next_id, alarm, since: now };
                changes.push(Change::WellKnownAdded(row.clone()));
                self.well_known.push(row);
            }
        }
    }

    /// Acknowledges every active alarm; returns how many were not acknowledged yet.
    pub fn acknowledge(&mut self) -> usize {
        let fresh = self.active.iter().filter(|a| !a.acknowledged).count();
        self.active.iter_mut().for_each(|a| a.acknowledged = true);
        fresh
    }

    pub fn count(&self) -> usize {
        self.active.len()
    }
}

/// The well-known alarm whose rule names `code` as a bit that must be set.
fn well_known_of(rules: &Rules, code: &str) -> Option<WellKnownRef> {
    rules
        .well_known
        .iter()
        .find(|w| w.when.positive_codes().contains(&code))
        .map(|w| WellKnownRef { index: w.index, name: w.name.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::{Words, decode};

    fn database(map: &ups_models::map::RegisterMap, alarm_words: &[u16]) -> Database {
        let mut words = Words::default();
        words.store(0x1040, alarm_words);
        decode(map, &words)
    }

    #[test]
    fn alarms_appear_stamped_with_levels_and_well_known_and_disappear() {
        let map = ups_models::maps::bundled("jbusp").unwrap();
        let rules = crate::rules::bundled(&map).unwrap();
        let mut table = AlarmTable::default();
        let t0 = Stamp::from_unix_s(1000.0);
        // A00 general alarm, A02 overload.
        let changes = table.update(&database(&map, &[0b101, 0, 0, 0]), &rules, true, t0);
        assert_eq!(table.count(), 2);
        assert_eq!(table.last.as_deref(), Some("UPS overload"));
        let overload = table.active.iter().find(|a| a.code == "A02").unwrap();
        assert_eq!((overload.level, overload.since), (Severity::Warning, t0));
        assert_eq!(overload.well_known.as_ref().map(|w| w.index), Some(8));
        let added = changes.iter().filter(|c| matches!(c, Change::Added(_))).count();
        let well_known: Vec<u8> = table.well_known.iter().map(|w| w.alarm.index).collect();
        assert_eq!(added, 2);
        // With no status bits read, S03 and S04 are clear: output off and system off hold.
        assert_eq!(well_known, [8, 14, 15, 18]);

        let t1 = Stamp::from_unix_s(1002.0);
        let changes = table.update(&database(&map, &[0b1, 0, 0, 0]), &rules, true, t1);
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert!(matches!(&changes[0], Change::Removed(a) if a.code == "A02"));
        assert!(matches!(&changes[1], Change::WellKnownRemoved(w) if w.alarm.index == 8 && w.id == 1));
        assert_eq!(table.active[0].since, t0, "a standing alarm keeps its time");
        assert_eq!(table.acknowledge(), 1);
        assert_eq!(table.acknowledge(), 0);
    }

    #[test]
    fn losing_the_ups_raises_the_communication_alarm_and_freezes_the_rest() {
        let map = ups_models::maps::bundled("jbusp").unwrap();
        let rules = crate::rules::bundled(&map).unwrap();
        let mut table = AlarmTable::default();
        let with_overload = database(&map, &[0b100, 0, 0, 0]);
        table.update(&with_overload, &rules, true, Stamp::default());
        let changes = table.update(&Database::default(), &rules, false, Stamp::from_unix_s(10.0));
        assert!(
            matches!(&changes[0], Change::Added(a) if a.code == COMM_LOST_CODE && a.level == Severity::Critical)
        );
        assert!(table.active.iter().any(|a| a.code == "A02"));
        assert!(table.well_known.iter().any(|w| w.alarm.index == 20));
        let changes = table.update(&with_overload, &rules, true, Stamp::from_unix_s(20.0));
        assert!(changes.iter().any(|c| matches!(c, Change::Removed(a) if a.code == COMM_LOST_CODE)));
        assert_eq!(table.count(), 1);
    }
}
