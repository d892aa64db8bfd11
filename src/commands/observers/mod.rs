//! The observers of `run --card exec:`: real protocol servers on loopback that keep what the
//! card sends, for `received:`/`not_received:` expectations and a log file each.

pub mod snmp_trap;
pub mod syslog;
pub mod wake_on_lan;

use scenarios::replay::Observer;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Messages received so far: when (wall clock), by which observer, and the line its log
/// file shows (what expectations match against).
pub type Inbox = Arc<Mutex<Vec<(Instant, Observer, String)>>>;

pub fn keep(inbox: &Inbox, observer: Observer, line: String) {
    inbox.lock().unwrap_or_else(|p| p.into_inner()).push((Instant::now(), observer, line));
}

/// The log file of an observer, in the scenario's directory.
pub fn log_file(observer: Observer) -> &'static str {
    match observer {
        Observer::Syslog => "syslog.log",
        Observer::WakeOnLan => "wake-on-lan.log",
        Observer::SnmpTrap => "snmp-traps.log",
    }
}
