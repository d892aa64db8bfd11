//! Syslog (§18.13): every line of the UPS and card events logs, as the filter's groups
//! choose, pushed to one server over UDP, TCP or TLS.

mod format;
mod service;

pub use format::message;
pub use service::send;
