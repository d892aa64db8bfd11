//! A real serial port (a USB adapter wired to a card's COM slot): opened at the UPS's
//! speed and parity, served with the RTU pump, reopened when it fails or disappears.

use crate::rtu::{self, Speeds, Timing};
use sim::twin::SharedTwin;
use std::path::PathBuf;
use std::time::Duration;
use ups_models::model::Parity;

/// Serves the port at `path` forever: a port that cannot be opened is retried every
/// second, one that fails is reopened.
pub async fn serve(path: PathBuf, baud: u32, parity: Parity, twin: SharedTwin, timing: Timing) {
    loop {
        let builder = tokio_serial::new(path.to_string_lossy(), baud).parity(match parity {
            Parity::None => tokio_serial::Parity::None,
            Parity::Even => tokio_serial::Parity::Even,
            Parity::Odd => tokio_serial::Parity::Odd,
        });
        match tokio_serial::SerialStream::open(&builder) {
            Ok(port) => {
                if let Err(e) = rtu::serve(port, twin.clone(), timing, "serial", Speeds::unknown(baud)).await
                {
                    eprintln!("upstwin: {}: {e}; reopening", path.display());
                }
            }
            Err(e) => eprintln!("upstwin: {}: {e}; retrying", path.display()),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
