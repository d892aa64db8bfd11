//! An events log line as an RFC 5424 message. Written here rather than by a syslog crate:
//! those stamp messages with the system clock, and the card's clock may be virtual
//! (co-simulation), where the log's own time is the one that means something.

use crate::alarms::Severity;
use crate::logs::{EventLine, Group};

/// local0: the card is no system daemon; sites sort its messages by this facility.
const FACILITY: u8 = 16;
const APP_NAME: &str = "netvision";

/// RFC 5424 severities: crit, warning, informational.
fn severity(level: Severity) -> u8 {
    match level {
        Severity::Critical => 2,
        Severity::Warning => 4,
        Severity::Information => 6,
    }
}

/// MSGID: the group of the filter the line belongs to.
fn message_id(group: Group) -> &'static str {
    match group {
        Group::Ups => "UPS",
        Group::NetVision => "NETVISION",
        Group::Service => "SERVICE",
    }
}

/// `<PRI>1 TIMESTAMP HOSTNAME APP-NAME - MSGID - MSG`.
pub fn message(line: &EventLine, host_name: &str) -> String {
    let priority = FACILITY * 8 + severity(line.level);
    format!(
        "<{priority}>1 {} {} {APP_NAME} - {} - {}",
        line.stamp.rfc3339(),
        host_name,
        message_id(line.group),
        line.text
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Stamp;

    #[test]
    fn a_line_becomes_an_rfc5424_message() {
        let line = EventLine {
            seq: 1,
            group: Group::Ups,
            stamp: Stamp { unix_ms: 1_795_000_000_250 },
            level: Severity::Critical,
            text: "Operating on Battery".into(),
        };
        assert_eq!(
            message(&line, "Server-room-UPS"),
            "<130>1 2026-11-18T11:06:40.250Z Server-room-UPS netvision - UPS - Operating on Battery"
        );
    }
}
