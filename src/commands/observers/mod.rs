//! The observers of `run --card exec:`: real protocol servers on loopback that keep what the
//! card sends, for `received:`/`not_received:` expectations and a log file each.

pub mod agent;
pub mod reported;
pub mod smtp;
pub mod snmp_trap;
pub mod syslog;
pub mod wake_on_lan;

use scenarios::replay::{Heard, Observer};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Messages received so far: when (wall clock), and what (the observer, the line its log
/// file shows, the decoded mail).
pub type Inbox = Arc<Mutex<Vec<(Instant, Heard)>>>;

pub fn keep_heard(inbox: &Inbox, heard: Heard) {
    inbox.lock().unwrap_or_else(|p| p.into_inner()).push((Instant::now(), heard));
}

pub fn keep(inbox: &Inbox, observer: Observer, line: String) {
    keep_heard(inbox, Heard::line(observer, line));
}

/// What the reference card sent in virtual time (no socket), heard as the observers hear
/// the network: the same decoders, the same lines.
pub fn heard(outgoing: card::outlet::Outgoing, mailbox: &smtp::Mailbox) {
    use card::outlet::Outgoing;
    match outgoing {
        Outgoing::Syslog { message, .. } => {
            keep(&mailbox.inbox, Observer::Syslog, syslog::line(&String::from_utf8_lossy(&message)))
        }
        Outgoing::WakeOnLan { packet, .. } => {
            keep(&mailbox.inbox, Observer::WakeOnLan, wake_on_lan::line(&packet, "the card"))
        }
        Outgoing::Mail { from, to, tls, message } => mailbox.keep_message(&from, &to, &message, tls),
        Outgoing::SnmpTrap { message, .. } => {
            keep(&mailbox.inbox, Observer::SnmpTrap, snmp_trap::decoded(&message, "the card"))
        }
        Outgoing::ShutdownAgents { message } => keep(&mailbox.inbox, Observer::Agent, agent::line(&message)),
    }
}

/// Writes each observer's log file in `dir`: what it received, at which scenario time.
pub fn write_logs(dir: &std::path::Path, received: &[(f64, Heard)]) -> Vec<String> {
    let mut errors = Vec::new();
    for observer in ALL {
        let lines: String = (received.iter())
            .filter(|(_, heard)| heard.observer == observer)
            .map(|(at_s, heard)| format!("{at_s:10.1} s  {}\n", heard.line))
            .collect();
        let file = log_file(observer);
        if let Err(e) = std::fs::write(dir.join(file), lines) {
            errors.push(format!("{file}: {e}"));
        }
    }
    errors
}

/// Every observer, in the order their log files are written.
pub const ALL: [Observer; 5] =
    [Observer::Syslog, Observer::WakeOnLan, Observer::SnmpTrap, Observer::Mail, Observer::Agent];

/// The log file of an observer, in the scenario's directory.
pub fn log_file(observer: Observer) -> &'static str {
    match observer {
        Observer::Syslog => "syslog.log",
        Observer::WakeOnLan => "wake-on-lan.log",
        Observer::SnmpTrap => "snmp-traps.log",
        Observer::Agent => "shutdown-agent.log",
        Observer::Mail => "mail.log",
    }
}
