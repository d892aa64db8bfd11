//! The twin's edges: thin byte pumps between the world and `sim`'s pure sessions. A pty
//! (`pty`), a real serial port (`serial`) and an in-memory line all run the RTU pump
//! (`rtu`); TCP runs one pump per connection (`tcp`); `clock` steps the twin against the
//! wall clock; `frame_file` writes the frame trace to CSV or pcap outside the twin's lock.
//! Time here is tokio's: the wall clock, or the virtual clock of a paused runtime when a
//! run is co-simulated.

pub mod clock;
pub mod frame_file;
pub mod pcap;
pub mod pty;
pub mod rtu;
pub mod serial;
pub mod tcp;
pub mod wall;
