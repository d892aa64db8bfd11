//! The vendor traps 1–40 (NET VISION "APPENDIX: NET VISION 7 TRAP DESCRIPTION"): number,
//! name, level, and the sentence §18.8 gives each. Traps, e-mails and syslog messages all
//! speak of events by these numbers; receivers filter on their levels (§18.8, §18.9).

use crate::severity::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrapKind {
    pub number: u8,
    pub name: &'static str,
    pub level: Severity,
    pub text: &'static str,
}

use Severity::{Critical as C, Information as I, Warning as W};

/// Levels are the trap appendix's (trap 1 Critical there, listed under WARNING in §18.8's
/// filter table: the appendix is the one that gives levels). Trap 2 is "Not managed" in the
/// vendor table (it is RFC1628's test completed): Information.
const TRAPS: [(&str, Severity, &str); 40] = [
    ("upsTrapOnBattery", C, "The UPS is operating on battery power"),
    ("upsTrapTestCompleted", I, "This trap is sent upon completion of a UPS diagnostic test"),
    ("upsTrapAlarmEntryAdded", W, "This TRAP is sent each time an alarm is inserted into to the alarm table"),
    ("upsTrapAlarmEntryRemoved", I, "This trap is sent each time an alarm is removed from the alarm table"),
    ("upsTrapImminentStop", C, "The UPS is about to switch off the output power"),
    ("upsTrapOverload", W, "The UPS output is in overload"),
    ("upsTrapRedundancyLost", W, "Redundancy is lost"),
    ("upsTrapBatteryCircuitOpen", C, "The battery has been disconnected from the UPS"),
    ("upsTrapBatteryDischarged", C, "The battery has been detected as discharged"),
    ("upsTrapBatteryLow", C, "The battery is near of the end of backup time"),
    ("upsTrapBatteryAlarm", W, "The battery is in alarm"),
    ("upsTrapUpsCriticalAlarm", C, "A critical alarm has been detected on the UPS"),
    ("upsTrapLoadOFF", C, "The load has been disconnected from the UPS"),
    ("upsTrapCommunicationLost", C, "UPS is no longer communicating with the agent"),
    ("upsTrapOnBatteryPower", W, "The UPS has switched to battery backup power"),
    ("upsTrapBatteryTestfailed", W, "The battery test has detected a weak battery"),
    ("upsTrapTemperatureAlarm", W, "The UPS internal temperature has reached the threshold"),
    ("upsTrapOnBypass", W, "Load supplied by automatic Bypass"),
    ("upsTrapUpsPreventiveAlarm", W, "A preventive alarm has been detected by the UPS"),
    ("upsTrapShutdownWarning", W, "A warning message has been sent to shutdown agent"),
    ("upsTrapShutdownrequest", W, "A shutdown command has been sent to agent"),
    ("upsTrapUpsNormal", I, "The UPS status is normal. Load protected by UPS"),
    ("upsTrapPowerRestored", I, "The Input supply has been restored"),
    ("upsTrapAlarmCancelled", I, "Alarm cancelled. All alarms are disabled"),
    ("upsTrapComEstablished", I, "The communication between UPS and the agent has been restored"),
    ("upsTrapShutdwonCancelled", I, "The UPS has cancelled the shutdown procedure to agent"),
    ("upsTrapAgentRestarting", I, "NET VISION is restarting"),
    ("upsTrapEmdTempLow", C, "EMD Sensor detected low temperature"),
    ("upsTrapEmdTempNotLow", I, "EMD Sensor Not under low temperature"),
    ("upsTrapEmdTempHigh", C, "EMD Sensor detected high temperature"),
    ("upsTrapEmdTempNotHigh", I, "EMD Sensor Not over high temperature"),
    ("upsTrapEmdHumidityLow", C, "EMD Sensor detected low humidity"),
    ("upsTrapEmdHumidityNotLow", I, "EMD Sensor Not under low humidity"),
    ("upsTrapEmdHumidityHigh", C, "EMD Sensor detected high humidity"),
    ("upsTrapEmdHumidityNotHigh", I, "EMD Sensor Not over high humidity"),
    ("upsTrapEmdFirstInputActive", C, "EMD input1 is active"),
    ("upsTrapEmdFirstInputRestored", I, "EMD input1 is restored"),
    ("upsTrapEmdSecondInputActive", C, "EMD input2 is active"),
    ("upsTrapEmdSecondInputRestored", I, "EMD input2 is restored"),
    ("upsTrapTest", I, "TRAP TEST"),
];

/// Trap 1: on battery, repeated every minute (RFC1628 upsTrapOnBattery).
pub const ON_BATTERY: u8 = 1;
pub const TEST_COMPLETED: u8 = 2;
pub const ALARM_ENTRY_ADDED: u8 = 3;
pub const ALARM_ENTRY_REMOVED: u8 = 4;
pub const COMMUNICATION_LOST: u8 = 14;
pub const SHUTDOWN_WARNING: u8 = 20;
pub const SHUTDOWN_REQUEST: u8 = 21;
pub const COM_ESTABLISHED: u8 = 25;
pub const SHUTDOWN_CANCELLED: u8 = 26;
pub const AGENT_RESTARTING: u8 = 27;
pub const TEST: u8 = 40;

/// Vendor trap `number` (1–40).
pub fn trap(number: u8) -> Option<TrapKind> {
    let (name, level, text) = *TRAPS.get(usize::from(number).checked_sub(1)?)?;
    Some(TrapKind { number, name, level, text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_the_manuals() {
        assert_eq!((1..=40).filter_map(trap).count(), 40);
        let imminent = trap(5).unwrap();
        assert_eq!((imminent.name, imminent.level), ("upsTrapImminentStop", Severity::Critical));
        assert_eq!(trap(22).map(|t| t.level), Some(Severity::Information));
        assert_eq!(trap(40).map(|t| t.text), Some("TRAP TEST"));
        assert_eq!((trap(0), trap(41)), (None, None));
    }
}

#[cfg(test)]
mod mib_tests {
    /// The MIB the card ships (`/api/mib`) declares every trap of the catalogue under its
    /// number, with its name and its sentence: an NMS loading it reads what the card sends.
    #[test]
    fn the_shipped_mib_has_every_trap_under_its_number() {
        let mib = include_str!("../mibs/NETVISION-MIB.txt");
        for number in 1..=40 {
            let kind = super::trap(number).expect("traps 1 to 40");
            let start = mib.find(&format!("{} NOTIFICATION-TYPE", kind.name)).expect(kind.name);
            let body = &mib[start..];
            let end = body.find("::=").expect("an OID");
            let oid_line = body[end..].lines().next().unwrap_or_default();
            assert_eq!(oid_line.trim(), format!("::= {{ upsTrapsPrefix {number} }}"), "{}", kind.name);
            let description = body[..end].split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(description.contains(kind.text), "{}: {description}", kind.name);
        }
    }
}
