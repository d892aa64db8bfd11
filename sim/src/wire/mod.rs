//! The twin on the wire, still pure: a session per transport that turns bytes into answers
//! (`session`), the faults a line can have (`faults`) and the frame trace (`trace`). The
//! `link` crate moves the bytes and keeps the time.

pub mod faults;
pub mod session;
pub mod trace;
