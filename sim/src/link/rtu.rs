//! Modbus RTU slave on a byte stream: a pty master or a real serial port.

use super::SharedTwin;
use super::trace::Meaning;
use crate::modbus::rtu::{self, Scan};
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
    /// clock, where a thread sleep would cost wall time and not advance the clock.
    Simulated(Line),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    pub baud: u32,
    pub parity: bool,
    pub stop_bits: u8,
    /// Time the UPS takes to start answering once the request has ended.
    pub turnaround: Duration,
}

impl Line {
    fn char_s(&self) -> f64 {
        rtu::char_time_s(self.baud, self.parity, self.stop_bits)
    }

    fn gap_s(&self) -> f64 {
        rtu::frame_gap_s(self.baud, self.parity, self.stop_bits)
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

/// Silence that ends a frame when timing is off (a pty delivers a request in one write).
const IDLE_GAP: Duration = Duration::from_millis(2);

/// Serves until the stream fails; the caller reopens the port and calls again.
/// `far_baud` tells the speed the far end's UART is set to, when the link can know it (a
/// pty's slave settings, an in-memory line's): a frame sent at another speed than
/// `ups_baud` reaches the UPS as framing errors and is never answered, as on a real line.
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut port: S,
    twin: SharedTwin,
    timing: Timing,
    link: &str,
    speeds: Speeds<impl Fn(&S) -> Option<u32>>,
) -> std::io::Result<()> {
    let gap = match timing {
        Timing::Off => IDLE_GAP,
        Timing::Emulated(line) | Timing::Physical(line) | Timing::Simulated(line) => {
            Duration::from_secs_f64(line.gap_s()).max(IDLE_GAP)
        }
    };
    let mut buf: Vec<u8> = Vec::with_capacity(rtu::MAX_FRAME * 2);
    let mut chunk = [0u8; 512];
    loop {
        let idle = if buf.is_empty() {
            let n = port.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "port closed"));
            }
            buf.extend_from_slice(&chunk[..n]);
            false
        } else {
            match timeout(gap, port.read(&mut chunk)).await {
                Ok(Ok(0)) => {
                    return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "port closed"));
                }
                Ok(Ok(n)) => {
                    buf.extend_from_slice(&chunk[..n]);
                    false
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => true,
            }
        };
        let arrived = Instant::now();
        let mut garbage = 0;
        loop {
            match rtu::scan_request(&buf[garbage..], idle) {
                Scan::NeedMore => break,
                Scan::Garbage { skip } => garbage = (garbage + skip).min(buf.len()),
                Scan::Frame { len } => {
                    skip_garbage(&mut buf, &mut garbage, &twin, link);
                    let frame: Vec<u8> = buf.drain(..len).collect();
                    match (speeds.far_baud)(&port).filter(|baud| *baud != speeds.ups_baud) {
                        Some(far_baud) => heard_garbled(&twin, &frame, far_baud, link),
                        None => answer(&mut port, &twin, &frame, timing, arrived, link).await?,
                    }
                }
            }
        }
        skip_garbage(&mut buf, &mut garbage, &twin, link);
    }
}

/// Tokio's timer ticks by the millisecond, too coarse for the character times of a 57600-baud
/// line: sleep on the timer to within this margin of `due`, then finish with a thread sleep.
const FINE_MARGIN: Duration = Duration::from_millis(2);

/// Waits until `due` to within tens of microseconds; returns at once if it has passed.
async fn wait_until(due: Instant) {
    let now = Instant::now();
    if due <= now {
        return;
    }
    if due - now > FINE_MARGIN {
        sleep_until(due - FINE_MARGIN).await;
    }
    // Blocks this (single, link-serving) thread for under 2 ms: the price of a faithful
    // character time.
    std::thread::sleep(due.saturating_duration_since(Instant::now()));
}

/// Drops the garbage found at the front of the buffer, as one trace line.
fn skip_garbage(buf: &mut Vec<u8>, garbage: &mut usize, twin: &SharedTwin, link: &str) {
    if *garbage == 0 {
        return;
    }
    let skipped: Vec<u8> = buf.drain(..*garbage).collect();
    *garbage = 0;
    let mut guard = twin.lock();
    let sim_s = guard.ups.time_s();
    let shown = &skipped[..skipped.len().min(64)];
    guard.trace.record(sim_s, link, "rx", shown, Meaning::Garbage { bytes: skipped.len() });
}

/// A frame sent at `far_baud`: the UPS's UART saw only framing errors.
fn heard_garbled(twin: &SharedTwin, frame: &[u8], far_baud: u32, link: &str) {
    let mut guard = twin.lock();
    let sim_s = guard.ups.time_s();
    guard.trace.record(sim_s, link, "rx", frame, Meaning::WrongSpeed { far_baud });
}

async fn answer<S: AsyncWrite + Unpin>(
    port: &mut S,
    twin: &SharedTwin,
    frame: &[u8],
    timing: Timing,
    arrived: Instant,
    link: &str,
) -> std::io::Result<()> {
    let plan = {
        let mut guard = twin.lock();
        let twin = &mut *guard;
        let sim_s = twin.ups.time_s();
        if twin.wire.line_broken() {
            twin.trace.record(sim_s, link, "rx", frame, Meaning::LineBroken);
            return Ok(());
        }
        let (slave, pdu) = (frame[0], &frame[1..frame.len() - 2]);
        let Some(answer) = twin.service.rtu(&mut twin.ups, slave, pdu) else {
            twin.trace.record(sim_s, link, "rx", frame, Meaning::NotForUs { unit: slave });
            return Ok(());
        };
        twin.trace.record(
            sim_s,
            link,
            "rx",
            frame,
            Meaning::Request { unit: slave, request: answer.request.clone() },
        );
        match answer.response {
            Some(response) => twin.wire.plan(slave, response, true, rtu::encode),
            None => return Ok(()), // broadcast
        }
    };
    let mut due = arrived + plan.delay;
    if let Timing::Emulated(line) | Timing::Physical(line) | Timing::Simulated(line) = timing {
        let mut wire_s = line.gap_s() + line.turnaround.as_secs_f64();
        if let Timing::Emulated(_) | Timing::Simulated(_) = timing {
            let chars = frame.len() + plan.before.len() + plan.reply.as_ref().map_or(0, Vec::len);
            wire_s += chars as f64 * line.char_s();
        }
        due += Duration::from_secs_f64(wire_s);
    }
    match timing {
        Timing::Simulated(_) => sleep_until(due).await,
        _ => wait_until(due).await,
    }
    let mut out = plan.before;
    if let Some(reply) = &plan.reply {
        out.extend_from_slice(reply);
    }
    if !out.is_empty() {
        port.write_all(&out).await?;
        port.flush().await?;
        let mut guard = twin.lock();
        let sim_s = guard.ups.time_s();
        let meaning = match &plan.reply {
            Some(reply) if reply.len() >= 3 && reply[1] & 0x80 != 0 => Meaning::Exception { code: reply[2] },
            Some(_) => Meaning::Reply,
            None => Meaning::GarbageSent,
        };
        guard.trace.record(sim_s, link, "tx", &out, meaning);
    }
    Ok(())
}
