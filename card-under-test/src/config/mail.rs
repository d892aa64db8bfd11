//! "Email Notification" (§18.9) with "SMTP Support" (§18.3): the mail server and account,
//! and up to 8 recipients, each with a mail type and the event filter traps use.

use super::snmp::{EventFilter, PASSWORD_FORBIDDEN};
use crate::schedules::TimeOfDay;
use serde::{Deserialize, Serialize};

/// Most recipients (§18.9: index 1 … 8).
pub const MAIL_RECIPIENTS: usize = 8;
/// §18.9: "the e-mail address length is limited to 64 characters".
const ADDRESS_CHARS: usize = 64;
/// Longest "Delay before sending": a day.
const MAX_DELAY_MIN: u32 = 1440;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Mail {
    /// "SMTP Support" (§18.3): mails go out at all (off by default).
    pub enabled: bool,
    /// "Mail Server": an IP address or a full name.
    pub server: String,
    /// Default 25 (§18.3).
    pub port: u16,
    /// "Mail support authentication", with "User Account" and "User Password".
    pub authentication: bool,
    pub account: String,
    pub password: String,
    /// "Sender email Address", name@domain.
    pub sender: String,
    /// "Mail Subject Prefix": free text at the start of every subject.
    pub subject_prefix: String,
    /// "Mail Daily Status Report at (hh:mm)", card calendar time (UTC), default 00:00.
    pub daily_report_at: TimeOfDay,
    /// "Mail support TLS": STARTTLS, required (no mail goes out in clear when on).
    pub tls: bool,
    /// A PEM certificate trusted beside the public roots: a private mail server's own, or
    /// its authority's.
    pub trusted_certificate: Option<String>,
    /// "Delay before sending (minute)": an event is mailed only if it is still present then.
    pub delay_min: u32,
    pub recipients: Vec<Recipient>,
}

/// "Mail Type" (§18.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum MailType {
    None,
    /// A mail when an event occurs.
    Events,
    /// The daily status report, with the history log attached.
    DailyStatus,
    /// A mail when an event occurs, with the history log attached.
    EventsStatus,
}

impl MailType {
    pub fn events(self) -> bool {
        matches!(self, MailType::Events | MailType::EventsStatus)
    }
}

/// A row of the recipients table (§18.9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// "Mail account": the address, 64 characters at most.
    pub address: String,
    #[serde(default)]
    pub description: String,
    pub kind: MailType,
    pub filter: EventFilter,
}

impl Default for Mail {
    fn default() -> Self {
        Self {
            enabled: false,
            server: String::new(),
            port: 25,
            authentication: false,
            account: String::new(),
            password: String::new(),
            sender: String::new(),
            subject_prefix: String::new(),
            daily_report_at: TimeOfDay { minute_of_day: 0 },
            tls: false,
            trusted_certificate: None,
            delay_min: 0,
            recipients: Vec::new(),
        }
    }
}

fn is_address(text: &str) -> bool {
    text.parse::<lettre::Address>().is_ok()
}

impl Mail {
    pub(super) fn rule_broken(&self) -> Option<String> {
        if self.recipients.len() > MAIL_RECIPIENTS {
            return Some(format!("at most {MAIL_RECIPIENTS} recipients"));
        }
        if self.enabled && self.server.trim().is_empty() {
            return Some("server: the mail server's address or name when mail is enabled".into());
        }
        if self.port == 0 {
            return Some("port: from 1 to 65535".into());
        }
        if !self.sender.is_empty() && !is_address(&self.sender) || self.enabled && self.sender.is_empty() {
            return Some(format!("sender: an address name@domain, not {:?}", self.sender));
        }
        if self.authentication && self.account.is_empty() {
            return Some("account: the user account when authentication is on".into());
        }
        if self.password.chars().any(|c| PASSWORD_FORBIDDEN.contains(c)) {
            return Some("password: without any of ()[]{}\\$%&/ (§18.9)".into());
        }
        if self.delay_min > MAX_DELAY_MIN {
            return Some(format!("delay_min: minutes from 0 to {MAX_DELAY_MIN}"));
        }
        if let Some(pem) = &self.trusted_certificate
            && crate::tls::certificates(pem).is_err()
        {
            return Some("trusted_certificate: a PEM certificate (-----BEGIN CERTIFICATE-----)".into());
        }
        for recipient in &self.recipients {
            if recipient.address.chars().count() > ADDRESS_CHARS || !is_address(&recipient.address) {
                return Some(format!(
                    "recipients: {:?}: an address name@domain of {ADDRESS_CHARS} characters at most",
                    recipient.address
                ));
            }
            if let Some(why) = recipient.filter.rule_broken() {
                return Some(format!("recipients: {}: {why}", recipient.address));
            }
        }
        None
    }
}
