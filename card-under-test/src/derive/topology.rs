//! The UPS topology the card recognises (NET VISION §11.3): a single unit, a modular unit
//! (modules 1–8), or a parallel system of units, with which units or modules are present
//! and the status icon of each node of the tree view.
//! VU-MAP says the topology in its configuration words (T001 installation code, T002 device
//! count, T003 positions present); JBUSP in its status bits (S30 parallel, S32–S37 units
//! present). The per-unit bits are found by the firmware condition the map binds them to
//! (`unit_operating:2`), so one reading serves both maps.

use crate::database::{Database, FlagState};
use crate::rules::Condition;
use serde::Serialize;
use ups_models::flags::Level;
use ups_models::map::ModelField;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    Single,
    Modular,
    Parallel,
}

/// The icon of a system, unit or module in the tree view (§11.3 "Device status management").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DeviceStatus {
    Standby,
    Operating,
    OperatingWithAlarm,
    OperatingWithCriticalAlarm,
    /// Shown flashing.
    ImminentStop,
}

/// The battery icon beside the UPS or system (§11.3, last column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BatteryIcon {
    Disconnected,
    Ok,
    Discharging,
    Alarm,
}

/// One unit (parallel) or module (modular), as its own bits say. A bit the map does not
/// carry is `None` (JBUSP gives presence and general alarm only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Device {
    /// Numbered from 1 as in the cabinet.
    pub number: u8,
    pub status: DeviceStatus,
    pub operating: Option<bool>,
    pub available: Option<bool>,
    pub general_alarm: Option<bool>,
    pub imminent_stop: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Topology {
    pub kind: Kind,
    /// The UPS (single, modular) or the system (parallel).
    pub status: DeviceStatus,
    pub battery: BatteryIcon,
    /// Units (parallel) or modules (modular) present; none for a single unit.
    pub devices: Vec<Device>,
}

fn model_word(database: &Database, field: ModelField) -> Option<u16> {
    database.model_value(field).map(|v| v as u16)
}

/// The bit the map binds to `name:number`, if it has one.
fn unit_flag<'a>(database: &'a Database, name: &str, number: u8) -> Option<&'a FlagState> {
    let signal = format!("{name}:{number}");
    database.flags.iter().find(|f| f.signal.as_deref() == Some(signal.as_str()))
}

/// Which units or modules are present, and whether the UPS is a parallel system or modular.
fn kind_and_present(database: &Database, parallel_bit: bool) -> (Kind, Vec<u8>) {
    if let Some(code) = model_word(database, ModelField::InstallationDevice) {
        let kind = match code >> 8 {
            0x08 | 0x09 => Kind::Modular,
            0x06 => Kind::Parallel,
            _ => Kind::Single,
        };
        let positions = model_word(database, ModelField::DevicesPresent).unwrap_or(0);
        let present = (0..16u8).filter(|bit| positions & (1 << bit) != 0).map(|bit| bit + 1).collect();
        return (kind, if kind == Kind::Single { vec![] } else { present });
    }
    let units: Vec<u8> = database
        .flags
        .iter()
        .filter(|f| f.on)
        .filter_map(|f| f.signal.as_deref()?.strip_prefix("unit_present:")?.parse().ok())
        .collect();
    if parallel_bit { (Kind::Parallel, units) } else { (Kind::Single, vec![]) }
}

/// The icon, gravest first: imminent stop, then a critical or other alarm (so a failed
/// module that stopped still shows its alarm), then standby, else operating.
fn status(imminent_stop: bool, alarm: Option<Level>, standby: bool) -> DeviceStatus {
    match (imminent_stop, alarm) {
        (true, _) => DeviceStatus::ImminentStop,
        (false, Some(Level::Critical)) => DeviceStatus::OperatingWithCriticalAlarm,
        (false, Some(_)) => DeviceStatus::OperatingWithAlarm,
        (false, None) if standby => DeviceStatus::Standby,
        (false, None) => DeviceStatus::Operating,
    }
}

/// A unit's icon from its own bits; where the map has no operating bit for units, the unit
/// is taken to run as the system does.
fn device(database: &Database, number: u8, system_standby: bool) -> Device {
    let bit = |name| unit_flag(database, name, number).map(|f| f.on);
    let (operating, available, imminent_stop) =
        (bit("unit_operating"), bit("unit_available"), bit("unit_imminent_stop"));
    let alarm = unit_flag(database, "unit_general_alarm", number);
    let alarm_level = alarm.filter(|f| f.on).map(|f| f.level.unwrap_or(Level::Warning));
    let standby = !operating.unwrap_or(!system_standby);
    Device {
        number,
        status: status(imminent_stop == Some(true), alarm_level, standby),
        operating,
        available,
        general_alarm: alarm.map(|f| f.on),
        imminent_stop,
    }
}

/// The UPS's or system's icon; standby is the load off or the UPS on standby.
fn system_status(database: &Database, holds: &impl Fn(Condition) -> bool) -> DeviceStatus {
    let alarm_on =
        |level| database.flags.iter().any(|f| f.table == "alarms" && f.on && f.level == Some(level));
    let alarm = if alarm_on(Level::Critical) {
        Some(Level::Critical)
    } else if holds(Condition::GeneralAlarm) || alarm_on(Level::Warning) {
        Some(Level::Warning)
    } else {
        None
    };
    status(holds(Condition::ImminentStop), alarm, holds(Condition::LoadOff) || holds(Condition::Standby))
}

fn battery(holds: &impl Fn(Condition) -> bool) -> BatteryIcon {
    use Condition::*;
    if holds(BatteryDisconnected) {
        BatteryIcon::Disconnected
    } else if [BatteryAlarm, BatteryRoomAlarm, BatteryTemperatureAlarm, BatteryTestFailed, BatteryDischarged]
        .into_iter()
        .any(holds)
    {
        BatteryIcon::Alarm
    } else if holds(OnBattery) {
        BatteryIcon::Discharging
    } else {
        BatteryIcon::Ok
    }
}

/// The tree view of a UPS the card talks to; `holds` says which conditions hold (none when
/// the UPS is lost, so everything then shows on standby).
pub fn topology(database: &Database, holds: &impl Fn(Condition) -> bool) -> Topology {
    let (kind, present) = kind_and_present(database, holds(Condition::ParallelSystem));
    let status = system_status(database, holds);
    let standby = status == DeviceStatus::Standby;
    Topology {
        kind,
        status,
        battery: battery(holds),
        devices: present.into_iter().map(|number| device(database, number, standby)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::FlagState;

    fn flag(code: &str, table: &str, signal: &str, level: Option<Level>, on: bool) -> FlagState {
        FlagState {
            code: code.into(),
            description: code.into(),
            level,
            table: table.into(),
            on,
            signal: Some(signal.into()),
        }
    }

    /// JBUSP-like: units 1–3 present, unit 2 in general alarm (a Warning bit).
    fn parallel(unit_2_alarm: bool) -> Database {
        let mut flags: Vec<FlagState> = (1..=3)
            .map(|n| flag(&format!("S3{}", n + 1), "status", &format!("unit_present:{n}"), None, true))
            .collect();
        flags.push(flag("S35", "status", "unit_present:4", None, false));
        flags.extend((1..=4).map(|n| {
            let on = n == 2 && unit_2_alarm;
            flag(
                &format!("A3{}", n + 1),
                "alarms",
                &format!("unit_general_alarm:{n}"),
                Some(Level::Warning),
                on,
            )
        }));
        Database { flags, ..Database::default() }
    }

    #[test]
    fn a_parallel_system_lists_the_units_present_with_their_alarm() {
        let database = parallel(true);
        let holds = |c| matches!(c, Condition::ParallelSystem | Condition::GeneralAlarm);
        let topology = topology(&database, &holds);
        assert_eq!(topology.kind, Kind::Parallel);
        assert_eq!(topology.status, DeviceStatus::OperatingWithAlarm);
        let statuses: Vec<_> = topology.devices.iter().map(|d| (d.number, d.status)).collect();
        assert_eq!(
            statuses,
            [
                (1, DeviceStatus::Operating),
                (2, DeviceStatus::OperatingWithAlarm),
                (3, DeviceStatus::Operating)
            ]
        );
        assert_eq!(topology.devices[1].operating, None, "JBUSP has no per-unit operating bit");
        assert_eq!(topology.devices[1].general_alarm, Some(true));
    }

    #[test]
    fn without_the_parallel_bit_the_ups_is_a_single_unit() {
        let topology = topology(&parallel(false), &|_| false);
        assert_eq!((topology.kind, topology.devices.len()), (Kind::Single, 0));
    }

    #[test]
    fn units_follow_a_system_on_standby_when_the_map_has_no_unit_operating_bit() {
        let holds = |c| matches!(c, Condition::ParallelSystem | Condition::LoadOff);
        let topology = topology(&parallel(false), &holds);
        assert_eq!(topology.status, DeviceStatus::Standby);
        assert!(topology.devices.iter().all(|d| d.status == DeviceStatus::Standby));
    }

    fn module(operating: bool, imminent_stop: bool) -> Database {
        let bits =
            [("unit_operating", operating), ("unit_available", true), ("unit_imminent_stop", imminent_stop)];
        let flags = bits.map(|(name, on)| flag("S1xx", "status", &format!("{name}:1"), None, on)).to_vec();
        Database { flags, ..Database::default() }
    }

    #[test]
    fn a_module_s_own_bits_give_its_icon() {
        let standing = device(&module(false, false), 1, false);
        assert_eq!(standing.status, DeviceStatus::Standby, "present but not operating");
        assert_eq!((standing.available, standing.general_alarm), (Some(true), None));
        assert_eq!(device(&module(true, false), 1, false).status, DeviceStatus::Operating);
        assert_eq!(device(&module(true, true), 1, false).status, DeviceStatus::ImminentStop);
        let mut failed = module(false, false);
        failed.flags.push(flag("A097", "alarms", "unit_general_alarm:1", Some(Level::Warning), true));
        assert_eq!(
            device(&failed, 1, false).status,
            DeviceStatus::OperatingWithAlarm,
            "stopped, its alarm shows"
        );
    }

    #[test]
    fn the_system_icon_shows_the_gravest_alarm_and_the_battery_icon_its_state() {
        let mut database = parallel(false);
        database.flags.push(flag("A00", "alarms", "imminent_stop", Some(Level::Critical), true));
        let holds = |c| matches!(c, Condition::ParallelSystem | Condition::OnBattery);
        let topology = topology(&database, &holds);
        assert_eq!(topology.status, DeviceStatus::OperatingWithCriticalAlarm);
        assert_eq!(topology.battery, BatteryIcon::Discharging);
        let lost = super::topology(&database, &|c| c == Condition::BatteryDisconnected);
        assert_eq!(lost.battery, BatteryIcon::Disconnected);
    }
}
