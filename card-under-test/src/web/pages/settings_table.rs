//! The settings pages (§16.3–16.8, §18.1, §18.3, §18.7–18.15) as a table: each is a list
//! of settings by JSON pointer, so a setting added to `Config` needs only a line here. The
//! menu and the page renderer (`settings`) both read it.

use crate::run::Agent;
use maud::{Markup, html};

/// One settings page.
pub struct SettingsPage {
    pub path: &'static str,
    pub title: &'static str,
    /// What the page is for, in the manual's words.
    pub intro: &'static str,
    /// The settings shown: a JSON pointer, and the label when the field's own would not do.
    pub fields: &'static [(&'static str, Option<&'static str>)],
    /// Buttons that ask the card to act now: (label, API path to POST).
    pub actions: &'static [(&'static str, &'static str)],
    /// What the card shows above the form, read under the lock.
    pub summary: Option<fn(&Agent) -> Markup>,
}

pub const UPS_MANAGEMENT: &[SettingsPage] = &[
    SettingsPage {
        path: "/ups/battery-test-schedule",
        title: "Battery Test Schedule",
        intro: "The battery test can be programmed automatically to start on a specific day and hour with a \
                frequency given in weeks (VU-MAP UPSs only).",
        fields: &[("/schedules/battery_test", None)],
        actions: &[],
        summary: None,
    },
    SettingsPage {
        path: "/ups/eco-schedule",
        title: "Eco mode Schedule",
        intro: "NET VISION can manage a running period in eco mode, then switch again to normal mode. Make sure \
                that the eco mode schedule is not activated on the UPS itself.",
        fields: &[("/schedules/eco", Some("Eco mode periods"))],
        actions: &[],
        summary: None,
    },
    SettingsPage {
        path: "/ups/weekly-schedule",
        title: "Weekly Schedule",
        intro: "Active when the \u{201c}Weekly Schedule\u{201d} event is enabled in Shutdown Management.",
        fields: &[("/schedules/weekly_shutdown", Some("Shutdown and restart periods"))],
        actions: &[],
        summary: None,
    },
    SettingsPage {
        path: "/ups/special-schedule",
        title: "Special Schedule",
        intro: "Active when the \u{201c}Special Schedule\u{201d} event is enabled in Shutdown Management.",
        fields: &[("/schedules/special_days", Some("Special days"))],
        actions: &[],
        summary: None,
    },
    SettingsPage {
        path: "/ups/shutdown",
        title: "Shutdown Management",
        intro: "The events that shut the servers down (through their shutdown agents) and then the UPS, and \
                the delays.",
        fields: &[("/shutdown", None)],
        actions: &[("Shutdown test", "/api/shutdown/test")],
        summary: None,
    },
];

pub const NET_VISION_MANAGEMENT: &[SettingsPage] = &[
    SettingsPage {
        path: "/card/date-time",
        title: "Date and Time",
        intro: "NET VISION sends its date and time to the UPS when they change, if Synchronize UPS is enabled; \
                Update Now sends them at once.",
        fields: &[("/synchronize_ups_clock", Some("Synchronize UPS"))],
        actions: &[("Update Now", "/api/controls/set_clock")],
        summary: Some(clocks),
    },
    SettingsPage {
        path: "/card/control",
        title: "NET VISION Control",
        intro: "The card's services. Port changes apply at the next restart.",
        fields: &[
            ("/network/dhcp", Some("BootP/DHCP")),
            ("/web/https_enabled", Some("HTTPs")),
            ("/web/https_port", Some("HTTPs Port")),
            ("/web/http_enabled", Some("HTTP")),
            ("/web/http_port", Some("HTTP Port")),
            ("/web/http_redirects", Some("HTTP pages redirect to HTTPS")),
            ("/snmp/enabled", Some("SNMP Support")),
            ("/snmp/port", Some("SNMP Port")),
            ("/mail/enabled", Some("SMTP Support")),
            ("/wake_on_lan/enabled", Some("WOL Target")),
            ("/modbus_tcp/enabled", Some("Modbus Configuration")),
            ("/syslog/enabled", Some("Syslog Setup")),
            ("/firewall/enabled", Some("Firewall Setup")),
            ("/snmp/trap_filter", Some("SNMP TRAP / email Filter")),
        ],
        actions: &[],
        summary: None,
    },
    SettingsPage {
        path: "/card/network",
        title: "Network and serial line",
        intro: "The card's addresses (§18.2) and the UPS serial line. Serial changes apply at the next restart.",
        fields: &[("/network", Some("Network")), ("/serial", Some("UPS serial line"))],
        actions: &[],
        summary: None,
    },
    SettingsPage {
        path: "/card/snmp-users",
        title: "SNMP v3 USM Table Configuration",
        intro: "The SNMP v3 users: their security level, authentication and privacy.",
        fields: &[("/snmp/users", Some("SNMP v3 users")), ("/snmp/managers", Some("SNMP managers"))],
        actions: &[],
        summary: None,
    },
    SettingsPage {
        path: "/card/traps",
        title: "SNMP Trap Receivers Configuration",
        intro: "Where the traps go, in which version, and which events each receiver gets.",
        fields: &[("/snmp/trap_receivers", Some("Trap receivers"))],
        actions: &[("Send test trap", "/api/traps/test")],
        summary: None,
    },
    SettingsPage {
        path: "/card/email",
        title: "Email Notification",
        intro: "The mail server, and the recipients with their mail type and event filter.",
        fields: &[("/mail", None)],
        actions: &[("Send test e-mail", "/api/mail/test")],
        summary: None,
    },
    SettingsPage {
        path: "/card/wol",
        title: "WOL Targets",
        intro: "The servers woken when NET VISION restarts after a shutdown due to AC failure.",
        fields: &[("/wake_on_lan", None)],
        actions: &[("Wake the targets now", "/api/wake-on-lan/test")],
        summary: None,
    },
    SettingsPage {
        path: "/card/modbus",
        title: "Modbus TCP Configuration",
        intro: "The UPS registers served to Modbus TCP clients, and who may connect.",
        fields: &[("/modbus_tcp", None)],
        actions: &[],
        summary: None,
    },
    SettingsPage {
        path: "/card/syslog",
        title: "Syslog Setup",
        intro: "The syslog server and which events it gets.",
        fields: &[("/syslog", None)],
        actions: &[],
        summary: None,
    },
    SettingsPage {
        path: "/card/firewall",
        title: "Firewall Setup",
        intro: "Which addresses may reach the web pages, SNMP and Modbus TCP. The first rule that covers an \
                address decides; with an Accept rule in the list, addresses no rule covers are refused.",
        fields: &[("/firewall", None)],
        actions: &[],
        summary: None,
    },
];

/// "Date on UPS", "Time on UPS" and the card's own clock (§18.1).
fn clocks(agent: &Agent) -> Markup {
    let card_now = agent.clock.stamp().to_string();
    let ups = agent.card.database().clock.map(|c| {
        (
            format!("{:02}/{:02}/{:04}", c.day, c.month, c.year),
            format!("{:02}:{:02}:{:02}", c.hour, c.minute, c.second),
        )
    });
    html! {
        table.summary #clocks {
            @if let Some((date, time)) = ups {
                tr { th { "Date on UPS (dd/mm/yyyy)" } td #ups-date { (date) } }
                tr { th { "Time on UPS (hh:mm:ss)" } td #ups-time { (time) } }
            } @else {
                tr { th { "UPS date and time" } td { "This UPS does not manage its date and time." } }
            }
            tr { th { "System date and time (UTC)" } td #card-time { (card_now) } }
        }
    }
}
