//! What the card tells the world (NET VISION §18.8–§18.13, §22): events numbered as the
//! vendor traps 1–40, raised by the UPS's bits (the rules files' `traps`), by the alarm
//! table (RFC1628 traps 3 and 4), by the communication with the UPS and by the card itself.
//! Pure: the core raises them; the trap sender, the mailer and syslog read them by sequence
//! number, each at its own pace.

mod notifier;

pub use notifier::{Detail, Notice, Notifier};
