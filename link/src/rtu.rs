//! The Modbus RTU pump on a byte stream (a pty master, a real serial port, an in-memory
//! line): reads until the line falls silent, hands the bytes to `sim`'s `RtuSession` under
//! the twin's lock, and sends each reply when it is due.

use crate::wall;
use sim::twin::SharedTwin;
pub use sim::wire::session::Line;
use sim::wire::session::{LineTiming, RtuSession};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{Instant, sleep_until, timeout};

/// How the line's timing is reproduced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Timing {
    /// Answer as fast as possible.
    Off,
    /// A pty has no baud rate: wait as long as the request and reply would take on a real
    /// line at this speed, plus the 3.5-character gap and the turnaround.
    Emulated(Line),
    /// A real port paces the characters itself: only the gap and the turnaround are added.
    Physical(Line),
    /// As `Emulated`, on tokio's timer alone: for an in-memory line on a paused (virtual)
    /// clock, where waiting on the wall clock would cost wall time and not advance the clock.
    Simulated(Line),
}

impl Timing {
    fn line_timing(self) -> LineTiming {
        match self {
            Timing::Off => LineTiming::Off,
            Timing::Emulated(line) | Timing::Simulated(line) => LineTiming::Emulated(line),
            Timing::Physical(line) => LineTiming::Physical(line),
        }
    }
}

/// The UPS's speed, and how to learn the far end's (`None`: unknown, taken to match).
#[derive(Debug, Clone, Copy)]
pub struct Speeds<F> {
    pub ups_baud: u32,
    pub far_baud: F,
}

impl<S> Speeds<fn(&S) -> Option<u32>> {
    /// A line whose far end's speed cannot be known (a real port, where a mismatch garbles
    /// the bytes physically).
    pub fn unknown(ups_baud: u32) -> Self {
        Speeds { ups_baud, far_baud: |_| None }
    }
}

fn closed() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "port closed")
}

/// Serves until the stream fails; the caller reopens the port and calls again. `link`
/// names the line in the trace.
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut port: S,
    twin: SharedTwin,
    timing: Timing,
    link: &str,
    speeds: Speeds<impl Fn(&S) -> Option<u32>>,
) -> std::io::Result<()> {
    let mut session = RtuSession::new(link, timing.line_timing(), speeds.ups_baud);
    let mut chunk = [0u8; 512];
    loop {
        let (n, idle) = match session.gap() {
            None => (port.read(&mut chunk).await?, false),
            Some(gap) => match timeout(gap, port.read(&mut chunk)).await {
                Ok(read) => (read?, false),
                Err(_) => (0, true),
            },
        };
        if n == 0 && !idle {
            return Err(closed());
        }
        let arrived = Instant::now();
        let far_baud = (speeds.far_baud)(&port);
        let replies = session.received(&mut twin.lock(), wall::now_s(), &chunk[..n], idle, far_baud);
        for reply in replies {
            let due = arrived + reply.after;
            match timing {
                Timing::Simulated(_) if due > Instant::now() => sleep_until(due).await,
                Timing::Simulated(_) => {}
                _ => wait_until(due).await,
            }
            port.write_all(&reply.bytes).await?;
            port.flush().await?;
            session.sent(&mut twin.lock(), wall::now_s(), &reply);
        }
    }
}

/// Tokio's timer ticks by the millisecond, too coarse for the character times of a 57600-baud
/// line: sleep on the timer to within this margin of `due`, then yield until it passes.
const FINE_MARGIN: Duration = Duration::from_millis(2);

/// Waits until `due` to within tens of microseconds; returns at once if it has passed.
/// The last stretch yields to the runtime in a loop rather than blocking its thread, so
/// other links and the clock keep running.
async fn wait_until(due: Instant) {
    if due.saturating_duration_since(Instant::now()) > FINE_MARGIN {
        sleep_until(due - FINE_MARGIN).await;
    }
    // Counted on the thread's clock, so the loop ends even on a paused runtime's clock.
    let end = std::time::Instant::now() + due.saturating_duration_since(Instant::now());
    while std::time::Instant::now() < end {
        tokio::task::yield_now().await;
    }
}
