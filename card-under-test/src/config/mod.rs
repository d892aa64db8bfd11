//! The card's settings (NET VISION §18.2, §18.3, §18.12; iStars "northbound settings"): one
//! RON file, every field validated before anything is applied. A file that does not parse
//! or breaks a rule is refused whole with `line:col` and what was expected; the settings in
//! force stay as they were. Written atomically, so a crash leaves the old file or the new.

mod firewall;
mod mail;
mod shutdown;
mod snmp;
mod syslog;
mod wake_on_lan;
mod web;

pub use firewall::{FIREWALL_RULES, Firewall, FirewallAction, FirewallRule};
pub use mail::{Mail, MailType, Recipient};
pub use shutdown::{
    AgentsListener, DEFAULT_AGENTS_PORT, EventRule, MIN_SECRET_CHARS, Shutdown, ShutdownAction, ShutdownEvent,
};
pub use snmp::*;
pub use syslog::{Syslog, SyslogGroup, SyslogTransport};
pub use wake_on_lan::{WakeOnLan, WolTarget};
pub use web::Web;

use crate::schedules::Schedules;
use serde::{Deserialize, Serialize};
use std::io;
use std::net::Ipv4Addr;
use std::path::Path;
use ups_models::Located;
use ups_models::ron_text;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default, rename = "CardConfig")]
pub struct Config {
    /// "System Name" (§18.2): shown in the top bar, SNMP and e-mails.
    pub system_name: String,
    pub system_contact: String,
    pub system_location: String,
    /// "Polling Rate (s)", default 2.
    pub polling_s: f64,
    /// Without an answer for this long the UPS is lost (iStars "UPS online failure
    /// timeout"; ours: 10 s).
    pub lost_after_s: f64,
    /// "History Log Interval (s)", default 60.
    pub history_interval_s: f64,
    /// "Extend Log Interval (mn)", default 60.
    pub extended_interval_min: f64,
    pub temperature_unit: TemperatureUnit,
    /// "Login Timeout (s)", default 300.
    pub login_timeout_s: u32,
    /// "First Login Reset (Day)", default 90, at most 720.
    pub first_login_reset_days: u32,
    pub network: Network,
    pub serial: Serial,
    pub snmp: Snmp,
    pub modbus_tcp: ModbusTcp,
    /// "HTTPs Port", "HTTP Port" (§18.3).
    pub web: Web,
    /// "Firewall Setup" (§18.15).
    pub firewall: Firewall,
    /// "Email Notification" (§18.9).
    pub mail: Mail,
    /// "Syslog Setup" (§18.13).
    pub syslog: Syslog,
    /// "WOL Targets" (§18.11).
    pub wake_on_lan: WakeOnLan,
    /// "Shutdown Management" (§16.8) and the shutdown agents' listener.
    pub shutdown: Shutdown,
    /// "Synchronize UPS" (§18.1): send the card's time to the UPS when it changes.
    pub synchronize_ups_clock: bool,
    /// Battery test, eco mode and shutdown schedules (§16.3–16.6).
    pub schedules: Schedules,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum TemperatureUnit {
    Celsius,
    Fahrenheit,
}

impl TemperatureUnit {
    /// A value in `unit` as the pages show it: degrees Celsius become Fahrenheit when that
    /// is the setting (§18.2 "Temperature unit"); anything else is left alone.
    pub fn show(self, value: Option<f64>, unit: &str) -> (Option<f64>, Option<&'static str>) {
        match self {
            TemperatureUnit::Fahrenheit if unit == "°C" => (value.map(|c| c * 9.0 / 5.0 + 32.0), Some("°F")),
            _ => (value, None),
        }
    }
}

/// The card's own network settings (§18.2), kept, validated and shown in `/api/config`. A
/// card built for a host runs on the host's network, which the operating system
/// configures: these are never applied to the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Network {
    /// "BootP/DHCP": DHCP enabled (default); `false` = Static, with the addresses below.
    pub dhcp: bool,
    /// "IP Address", default 192.168.7.18.
    pub ip_address: Ipv4Addr,
    pub gateway: Option<Ipv4Addr>,
    pub subnet_mask: Option<Ipv4Addr>,
    pub dns: Option<Ipv4Addr>,
    /// "IPv6 Configuration", default Automatic.
    pub ipv6: Ipv6Mode,
    /// "IPv6 Global Address" with its prefix length, `2001:db8::18/64`.
    pub ipv6_global_address: Option<String>,
    pub ipv6_router: Option<std::net::Ipv6Addr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Ipv6Mode {
    Automatic,
    Static,
    Disabled,
}

impl Default for Network {
    fn default() -> Self {
        Self {
            dhcp: true,
            ip_address: Ipv4Addr::new(192, 168, 7, 18),
            gateway: None,
            subnet_mask: None,
            dns: None,
            ipv6: Ipv6Mode::Automatic,
            ipv6_global_address: None,
            ipv6_router: None,
        }
    }
}

impl Network {
    /// The first rule broken, as "what was expected".
    fn rule_broken(&self) -> Option<String> {
        let contiguous =
            |mask: Ipv4Addr| u32::from(mask).leading_ones() + u32::from(mask).trailing_zeros() == 32;
        if self.subnet_mask.is_some_and(|mask| !contiguous(mask)) {
            return Some("subnet_mask: a mask such as 255.255.255.0 (ones, then zeros)".into());
        }
        let global_ok = |text: &String| {
            text.split_once('/').is_some_and(|(address, prefix)| {
                address.parse::<std::net::Ipv6Addr>().is_ok() && prefix.parse::<u8>().is_ok_and(|p| p <= 128)
            })
        };
        if self.ipv6_global_address.as_ref().is_some_and(|text| !global_ok(text)) {
            return Some("ipv6_global_address: an IPv6 address with its prefix, 2001:db8::18/64".into());
        }
        None
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Serial {
    /// "Baud rate Setting": 2400, 9600 (default), 19200 or 57600 — the speed tried first.
    pub baud: u32,
    /// Automatic discovery (§18.2): when the UPS does not answer at `baud`, the other
    /// speeds are tried until it does. Off pins the line to `baud`.
    pub find_baud: bool,
    pub slave: u8,
    /// "Serial Timeout (ms)": the additional timeout; `None` = by baud (100 ms at 9600,
    /// 50 ms at 19200, 20 ms at 57600).
    pub timeout_ms: Option<u32>,
}

impl Serial {
    /// The speeds to try, in order: the setting, then (with discovery) the others.
    pub fn bauds_to_try(&self) -> Vec<u32> {
        let mut bauds = vec![self.baud];
        if self.find_baud {
            bauds.extend(BAUDS.into_iter().filter(|b| *b != self.baud));
        }
        bauds
    }

    /// The additional serial timeout when set; `None`: by baud.
    pub fn fixed_timeout(&self) -> Option<std::time::Duration> {
        self.timeout_ms.map(|ms| std::time::Duration::from_millis(u64::from(ms)))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ModbusTcp {
    pub enabled: bool,
    /// "Modbus Port", default 502.
    pub port: u16,
    /// Addresses allowed to connect, `*` for any octet; empty or `*.*.*.*` = anyone.
    pub allow: Vec<String>,
    /// A connection silent this long is closed (§18.12: one minute).
    pub idle_close_s: f64,
}

/// Baud rates the card speaks (§18.2).
pub const BAUDS: [u32; 4] = [2400, 9600, 19200, 57600];

impl Default for Config {
    fn default() -> Self {
        Self {
            system_name: "Socomec".into(),
            system_contact: String::new(),
            system_location: String::new(),
            polling_s: 2.0,
            lost_after_s: 10.0,
            history_interval_s: 60.0,
            extended_interval_min: 60.0,
            temperature_unit: TemperatureUnit::Celsius,
            login_timeout_s: 300,
            first_login_reset_days: 90,
            network: Network::default(),
            serial: Serial::default(),
            snmp: Snmp::default(),
            modbus_tcp: ModbusTcp::default(),
            web: Web::default(),
            firewall: Firewall::default(),
            mail: Mail::default(),
            syslog: Syslog::default(),
            wake_on_lan: WakeOnLan::default(),
            shutdown: Shutdown::default(),
            synchronize_ups_clock: true,
            schedules: Schedules::default(),
        }
    }
}

impl Default for Serial {
    fn default() -> Self {
        Self { baud: 9600, find_baud: true, slave: 1, timeout_ms: None }
    }
}

impl Default for ModbusTcp {
    fn default() -> Self {
        Self { enabled: false, port: 502, allow: vec!["*.*.*.*".into()], idle_close_s: 60.0 }
    }
}

impl ModbusTcp {
    /// Whether `address` may connect.
    pub fn allows(&self, address: Ipv4Addr) -> bool {
        self.allow.is_empty() || self.allow.iter().any(|pattern| matches_pattern(pattern, address))
    }
}

fn matches_pattern(pattern: &str, address: Ipv4Addr) -> bool {
    let parts: Vec<&str> = pattern.trim().split('.').collect();
    parts.len() == 4
        && parts.iter().zip(address.octets()).all(|(part, octet)| *part == "*" || part.parse() == Ok(octet))
}

fn valid_pattern(pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.trim().split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| *p == "*" || p.parse::<u8>().is_ok())
}

impl Config {
    /// Parses and validates a configuration file's text.
    pub fn parse(text: &str) -> Result<Config, Located> {
        let config: Config = ron_text::parse(text)?;
        match config.rule_broken() {
            Some((field, message)) => {
                let (line, column) = ron_text::locate(text, field);
                Err(Located::at(line, column, format!("{field}: {message}")))
            }
            None => Ok(config),
        }
    }

    /// Whether the settings keep every rule (for settings made in code or on a command line).
    pub fn check(&self) -> Result<(), String> {
        self.rule_broken().map_or(Ok(()), |(field, message)| Err(format!("{field}: {message}")))
    }

    /// The first rule this configuration breaks: (field, what was expected).
    fn rule_broken(&self) -> Option<(&'static str, String)> {
        let seconds = |value: f64, low: f64, high: f64| !(low..=high).contains(&value);
        let schedules = self.schedules.rule_broken();
        let network = self.network.rule_broken();
        let snmp = self.snmp.rule_broken();
        let mail = self.mail.rule_broken();
        let syslog = self.syslog.rule_broken();
        let wake_on_lan = self.wake_on_lan.rule_broken();
        let shutdown = self.shutdown.rule_broken();
        let web = self.web.rule_broken();
        let firewall = self.firewall.rule_broken();
        let checks: [(bool, &str, String); 20] = [
            (seconds(self.polling_s, 0.02, 3600.0), "polling_s", "seconds from 0.02 to 3600".into()),
            (
                self.lost_after_s < self.polling_s || seconds(self.lost_after_s, 0.02, 86400.0),
                "lost_after_s",
                "seconds, at least polling_s, at most 86400".into(),
            ),
            (
                seconds(self.history_interval_s, 0.02, 86400.0),
                "history_interval_s",
                "seconds from 0.02 to 86400".into(),
            ),
            (
                seconds(self.extended_interval_min, 0.001, 1440.0),
                "extended_interval_min",
                "minutes from 0.001 to 1440".into(),
            ),
            (
                !(1..=86400).contains(&self.login_timeout_s),
                "login_timeout_s",
                "seconds from 1 to 86400".into(),
            ),
            (
                !(1..=720).contains(&self.first_login_reset_days),
                "first_login_reset_days",
                "days from 1 to 720 (§18.2)".into(),
            ),
            (!BAUDS.contains(&self.serial.baud), "serial", format!("baud one of {BAUDS:?}")),
            (
                self.serial.timeout_ms.is_some_and(|ms| !(1..=5000).contains(&ms)),
                "serial",
                "timeout_ms: None (by baud) or Some(milliseconds from 1 to 5000)".into(),
            ),
            (!(1..=247).contains(&self.serial.slave), "serial", "slave from 1 to 247".into()),
            (
                self.modbus_tcp.allow.iter().any(|p| !valid_pattern(p)),
                "modbus_tcp",
                "allow: addresses like 192.168.1.* (four octets, * for any)".into(),
            ),
            (
                seconds(self.modbus_tcp.idle_close_s, 0.01, 86400.0),
                "modbus_tcp",
                "idle_close_s from 0.01 to 86400".into(),
            ),
            (schedules.is_some(), "schedules", schedules.unwrap_or_default()),
            (network.is_some(), "network", network.unwrap_or_default()),
            (snmp.is_some(), "snmp", snmp.unwrap_or_default()),
            (mail.is_some(), "mail", mail.unwrap_or_default()),
            (syslog.is_some(), "syslog", syslog.unwrap_or_default()),
            (wake_on_lan.is_some(), "wake_on_lan", wake_on_lan.unwrap_or_default()),
            (shutdown.is_some(), "shutdown", shutdown.unwrap_or_default()),
            (web.is_some(), "web", web.unwrap_or_default()),
            (firewall.is_some(), "firewall", firewall.unwrap_or_default()),
        ];
        checks.into_iter().find(|(broken, ..)| *broken).map(|(_, field, message)| (field, message))
    }

    /// The card's name on the network (syslog's HOSTNAME, SMTP's EHLO): the system name
    /// (§18.2) as printable ASCII with `-` for spaces, else its address.
    pub fn host_name(&self) -> String {
        let name: String = (self.system_name.chars())
            .filter(|c| c.is_ascii_graphic() || *c == ' ')
            .map(|c| if c == ' ' { '-' } else { c })
            .take(255)
            .collect();
        if name.is_empty() { self.network.ip_address.to_string() } else { name }
    }

    pub fn poll(&self) -> crate::poller::PollConfig {
        crate::poller::PollConfig { period_s: self.polling_s, lost_after_s: self.lost_after_s }
    }

    pub fn intervals(&self) -> crate::logs::Intervals {
        crate::logs::Intervals {
            history_s: self.history_interval_s,
            extended_s: self.extended_interval_min * 60.0,
        }
    }

    /// The file's text, as written to disk and downloaded as a backup.
    pub fn to_text(&self) -> String {
        ron_text::to_pretty(self)
    }

    /// Loads `path`; a missing file is the factory configuration.
    pub fn load(path: &Path) -> Result<Config, ups_models::LoadError> {
        match std::fs::read_to_string(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(ups_models::LoadError::io(path, &e)),
            Ok(text) => Config::parse(&text).map_err(|e| e.in_file(path)),
        }
    }

    /// Writes `path` atomically.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        crate::durable::replace_file(path, self.to_text().as_bytes())
    }

    /// The changed settings (from `other`) that take effect only when the card restarts:
    /// the serial line is opened with its settings at start, and the Modbus TCP and SNMP
    /// ports are bound then. Everything else applies at once.
    pub fn needing_restart(&self, other: &Config) -> Vec<&'static str> {
        let (mine, theirs) = (&self.modbus_tcp, &other.modbus_tcp);
        let fields = [
            ("Serial settings", self.serial != other.serial),
            ("Modbus TCP settings", (mine.enabled, mine.port) != (theirs.enabled, theirs.port)),
            ("SNMP settings", (self.snmp.enabled, self.snmp.port) != (other.snmp.enabled, other.snmp.port)),
            ("HTTP and HTTPS ports", self.web != other.web),
            ("Shutdown Management", {
                let (mine, theirs) = (&self.shutdown.agents, &other.shutdown.agents);
                (mine.enabled, mine.port) != (theirs.enabled, theirs.port)
            }),
        ];
        fields.iter().filter(|(_, changed)| *changed).map(|(name, _)| *name).collect()
    }

    /// The settings that differ from `other`, by the manual's names (ours for the groups it
    /// has no single name for: network, serial, SNMP, Modbus TCP settings), for the events log
    /// ("??? has been changed via ??? by ???", §21.4).
    pub fn changed_from(&self, other: &Config) -> Vec<&'static str> {
        let fields: [(&str, bool); 14] = [
            ("System Name", self.system_name != other.system_name),
            ("System Contact", self.system_contact != other.system_contact),
            ("System Location", self.system_location != other.system_location),
            ("Polling Rate", self.polling_s != other.polling_s),
            ("UPS online failure timeout", self.lost_after_s != other.lost_after_s),
            ("History Log Interval", self.history_interval_s != other.history_interval_s),
            ("Extend Log Interval", self.extended_interval_min != other.extended_interval_min),
            ("Temperature unit", self.temperature_unit != other.temperature_unit),
            ("Login Timeout", self.login_timeout_s != other.login_timeout_s),
            ("First Login Reset", self.first_login_reset_days != other.first_login_reset_days),
            ("Network settings", self.network != other.network),
            ("Serial settings", self.serial != other.serial),
            ("SNMP settings", self.snmp != other.snmp),
            ("Modbus TCP settings", self.modbus_tcp != other.modbus_tcp),
        ];
        let (mine, theirs) = (&self.schedules, &other.schedules);
        let more: [(&str, bool); 11] = [
            ("HTTP and HTTPS ports", self.web != other.web),
            ("Firewall Setup", self.firewall != other.firewall),
            ("Shutdown Management", self.shutdown != other.shutdown),
            ("Email Notification", self.mail != other.mail),
            ("Syslog Setup", self.syslog != other.syslog),
            ("WOL Targets", self.wake_on_lan != other.wake_on_lan),
            ("Synchronize UPS", self.synchronize_ups_clock != other.synchronize_ups_clock),
            ("Battery Test Schedule", mine.battery_test != theirs.battery_test),
            ("Eco mode Schedule", mine.eco != theirs.eco),
            ("Weekly Schedule", mine.weekly_shutdown != theirs.weekly_shutdown),
            ("Special Schedule", mine.special_days != theirs.special_days),
        ];
        fields.iter().chain(&more).filter(|(_, c)| *c).map(|(name, _)| *name).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_factory_settings_are_the_manuals_and_round_trip() {
        let config = Config::default();
        assert_eq!(
            (config.polling_s, config.history_interval_s, config.extended_interval_min),
            (2.0, 60.0, 60.0)
        );
        assert_eq!((config.login_timeout_s, config.serial.baud, config.modbus_tcp.port), (300, 9600, 502));
        assert_eq!(config.snmp.read_community, "public");
        assert_eq!(Config::parse(&config.to_text()), Ok(config));
        assert_eq!(Config::parse("CardConfig()").unwrap(), Config::default(), "every field has its default");
    }

    #[test]
    fn a_bad_file_says_where_and_what_was_expected() {
        let error =
            Config::parse("CardConfig(\n  polling_s: 2.0,\n  history_interval_s: 0.0,\n)").unwrap_err();
        assert_eq!((error.line, error.column), (3, 3));
        assert_eq!(error.message, "history_interval_s: seconds from 0.02 to 86400");
        let error = Config::parse("CardConfig(polling: 2.0)").unwrap_err();
        assert!(error.message.contains("polling"), "{}", error.message);
        let error = Config::parse(
            "CardConfig(\n  schedules: (\n    eco: [(on: (day: Monday, at: \"25:00\"), off: None)],\n  ),\n)",
        )
        .unwrap_err();
        assert_eq!(error.line, 3, "{error:?}");
        assert!(error.message.contains("a time hh:mm"), "{}", error.message);
        let error = Config::parse("CardConfig(network: (subnet_mask: Some(\"255.0.255.0\")))").unwrap_err();
        assert!(error.message.starts_with("network: subnet_mask"), "{}", error.message);
        let error = Config::parse("CardConfig(network: (ip_address: \"192.168.7\"))").unwrap_err();
        assert_eq!((error.line, error.column), (1, 35), "{error:?}");
        let error = Config::parse("CardConfig(serial: (baud: 4800))").unwrap_err();
        assert!(error.message.starts_with("serial: baud one of"), "{}", error.message);
    }

    #[test]
    fn the_host_name_is_the_system_name_without_spaces() {
        let mut config = Config { system_name: "Server room UPS".into(), ..Config::default() };
        assert_eq!(config.host_name(), "Server-room-UPS");
        config.system_name = "é".into();
        assert_eq!(config.host_name(), "192.168.7.18");
    }

    #[test]
    fn temperatures_show_in_the_unit_set() {
        assert_eq!(TemperatureUnit::Fahrenheit.show(Some(25.0), "°C"), (Some(77.0), Some("°F")));
        assert_eq!(TemperatureUnit::Fahrenheit.show(Some(230.0), "V"), (Some(230.0), None));
        assert_eq!(TemperatureUnit::Fahrenheit.show(None, "°C"), (None, Some("°F")));
        assert_eq!(TemperatureUnit::Celsius.show(Some(25.0), "°C"), (Some(25.0), None));
    }

    #[test]
    fn the_allow_list_takes_wildcards() {
        let mut modbus = ModbusTcp::default();
        assert!(modbus.allows(Ipv4Addr::new(10, 1, 2, 3)));
        modbus.allow = vec!["192.168.1.*".into(), "10.0.0.5".into()];
        assert!(modbus.allows(Ipv4Addr::new(192, 168, 1, 77)) && modbus.allows(Ipv4Addr::new(10, 0, 0, 5)));
        assert!(!modbus.allows(Ipv4Addr::new(10, 0, 0, 6)));
    }
}
