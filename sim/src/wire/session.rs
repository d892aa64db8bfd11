//! One pure session per transport, as smoltcp drives its sockets: bytes in with the link
//! clock's time, replies out with how long after the request they are due. Framing, wire
//! faults (on the twin's clock, seeded) and line timing are decided here; the edges
//! (`link`: a pty, a serial port, TCP, an in-memory line, later the fleet) only move bytes
//! and wait.

use super::faults::Plan;
use super::trace::{Direction, Frame, Meaning, Transport};
use crate::modbus::{rtu, tcp};
use crate::twin::Twin;
use std::time::Duration;

/// A serial line's settings, for its timing.
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

/// How much of a serial line's timing a reply waits for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LineTiming {
    /// Answer as fast as possible.
    Off,
    /// A pty or an in-memory line has no baud rate: wait as long as the request and reply
    /// would take on a real line at this speed, plus the 3.5-character gap and the
    /// turnaround.
    Emulated(Line),
    /// A real port paces the characters itself: only the gap and the turnaround are added.
    Physical(Line),
}

/// Silence that ends a frame when timing is off (a pty delivers a request in one write).
const IDLE_GAP: Duration = Duration::from_millis(2);

/// Bytes for the edge to send, `after` the arrival of the request they answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub bytes: Vec<u8>,
    pub after: Duration,
    meaning: Meaning,
}

/// Modbus RTU on a byte stream: frames delimited by the line's silence and the CRC.
#[derive(Debug)]
pub struct RtuSession {
    link: String,
    timing: LineTiming,
    ups_baud: u32,
    buf: Vec<u8>,
}

impl RtuSession {
    /// A session traced as `link`, for a UPS whose UART runs at `ups_baud`.
    pub fn new(link: &str, timing: LineTiming, ups_baud: u32) -> Self {
        Self { link: link.to_string(), timing, ups_baud, buf: Vec::with_capacity(rtu::MAX_FRAME * 2) }
    }

    /// How long the line must stay silent, once bytes are buffered, before what is buffered
    /// is all there will be (the edge's read timeout); `None` with nothing buffered (wait).
    pub fn gap(&self) -> Option<Duration> {
        if self.buf.is_empty() {
            return None;
        }
        Some(match self.timing {
            LineTiming::Off => IDLE_GAP,
            LineTiming::Emulated(line) | LineTiming::Physical(line) => {
                Duration::from_secs_f64(line.gap_s()).max(IDLE_GAP)
            }
        })
    }

    /// Takes `bytes` read at `clock_s` (empty and `idle` when the gap passed in silence)
    /// and answers every whole frame. `far_baud` is the speed the far end's UART is set to,
    /// when the link can know it (a pty's slave, an in-memory line): a frame sent at another
    /// speed than the UPS's reaches it as framing errors and is never answered, as on a real
    /// line.
    pub fn received(
        &mut self,
        twin: &mut Twin,
        clock_s: f64,
        bytes: &[u8],
        idle: bool,
        far_baud: Option<u32>,
    ) -> Vec<Outgoing> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        let mut garbage = 0;
        loop {
            match rtu::scan_request(&self.buf[garbage..], idle) {
                rtu::Scan::NeedMore => break,
                rtu::Scan::Garbage { skip } => garbage = (garbage + skip).min(self.buf.len()),
                rtu::Scan::Frame { len } => {
                    self.skip_garbage(twin, clock_s, &mut garbage);
                    let frame: Vec<u8> = self.buf.drain(..len).collect();
                    match far_baud.filter(|baud| *baud != self.ups_baud) {
                        Some(far_baud) => {
                            self.trace(twin, clock_s, Direction::Rx, &frame, Meaning::WrongSpeed { far_baud })
                        }
                        None => out.extend(self.answer(twin, clock_s, &frame)),
                    }
                }
            }
        }
        self.skip_garbage(twin, clock_s, &mut garbage);
        out
    }

    /// The edge has sent `outgoing` at `clock_s`.
    pub fn sent(&self, twin: &mut Twin, clock_s: f64, outgoing: &Outgoing) {
        self.trace(twin, clock_s, Direction::Tx, &outgoing.bytes, outgoing.meaning.clone());
    }

    /// Drops the garbage found at the front of the buffer, as one trace line.
    fn skip_garbage(&mut self, twin: &mut Twin, clock_s: f64, garbage: &mut usize) {
        if *garbage == 0 {
            return;
        }
        let skipped: Vec<u8> = self.buf.drain(..*garbage).collect();
        *garbage = 0;
        let shown = &skipped[..skipped.len().min(64)];
        self.trace(twin, clock_s, Direction::Rx, shown, Meaning::Garbage { bytes: skipped.len() });
    }

    fn answer(&self, twin: &mut Twin, clock_s: f64, frame: &[u8]) -> Option<Outgoing> {
        let (slave, pdu) = (frame[0], &frame[1..frame.len() - 2]);
        if twin.wire.line_broken(twin.ups.time_s()) {
            self.trace(twin, clock_s, Direction::Rx, frame, Meaning::LineBroken);
            return None;
        }
        let Some(answer) = twin.service.rtu(&mut twin.ups, slave, pdu) else {
            self.trace(twin, clock_s, Direction::Rx, frame, Meaning::NotForUs { unit: slave });
            return None;
        };
        let meaning = Meaning::Request { unit: slave, request: answer.request };
        self.trace(twin, clock_s, Direction::Rx, frame, meaning);
        let response = answer.response?; // a broadcast is never answered
        let plan = twin.wire.plan(twin.ups.time_s(), slave, response, true, rtu::encode);
        let mut outgoing = outgoing(plan, Transport::Rtu)?;
        if let LineTiming::Emulated(line) | LineTiming::Physical(line) = self.timing {
            let mut wire_s = line.gap_s() + line.turnaround.as_secs_f64();
            if let LineTiming::Emulated(_) = self.timing {
                wire_s += (frame.len() + outgoing.bytes.len()) as f64 * line.char_s();
            }
            outgoing.after += Duration::from_secs_f64(wire_s);
        }
        Some(outgoing)
    }

    fn trace(&self, twin: &mut Twin, clock_s: f64, direction: Direction, bytes: &[u8], meaning: Meaning) {
        trace(twin, clock_s, &self.link, Transport::Rtu, direction, bytes, meaning);
    }
}

/// What a TCP connection's bytes gave.
#[derive(Debug, Default, PartialEq)]
pub struct TcpReceived {
    pub replies: Vec<Outgoing>,
    /// The bytes are not Modbus TCP: close the connection after the replies.
    pub close: bool,
}

/// Modbus TCP on one connection: requests framed by their MBAP header.
#[derive(Debug)]
pub struct TcpSession {
    link: String,
    buf: Vec<u8>,
}

impl TcpSession {
    /// A session traced as `link` (`tcp:<peer>`).
    pub fn new(link: String) -> Self {
        Self { link, buf: Vec::with_capacity(512) }
    }

    /// Takes `bytes` read at `clock_s` and answers every whole request.
    pub fn received(&mut self, twin: &mut Twin, clock_s: f64, bytes: &[u8]) -> TcpReceived {
        self.buf.extend_from_slice(bytes);
        let mut received = TcpReceived::default();
        loop {
            match tcp::scan(&self.buf) {
                tcp::Scan::NeedMore => break,
                tcp::Scan::Invalid => {
                    received.close = true;
                    break;
                }
                tcp::Scan::Frame { len, transaction, unit } => {
                    let frame: Vec<u8> = self.buf.drain(..len).collect();
                    received.replies.extend(self.answer(twin, clock_s, &frame, transaction, unit));
                }
            }
        }
        received
    }

    /// The edge has sent `outgoing` at `clock_s`.
    pub fn sent(&self, twin: &mut Twin, clock_s: f64, outgoing: &Outgoing) {
        self.trace(twin, clock_s, Direction::Tx, &outgoing.bytes, outgoing.meaning.clone());
    }

    fn answer(
        &self,
        twin: &mut Twin,
        clock_s: f64,
        frame: &[u8],
        transaction: u16,
        unit: u8,
    ) -> Option<Outgoing> {
        if twin.wire.line_broken(twin.ups.time_s()) {
            self.trace(twin, clock_s, Direction::Rx, frame, Meaning::LineBroken);
            return None;
        }
        let answer = twin.service.tcp(&mut twin.ups, unit, &frame[tcp::HEADER..]);
        self.trace(twin, clock_s, Direction::Rx, frame, Meaning::Request { unit, request: answer.request });
        let response = answer.response.unwrap_or_default();
        let plan = twin
            .wire
            .plan(twin.ups.time_s(), unit, response, false, |unit, pdu| tcp::encode(transaction, unit, pdu));
        outgoing(plan, Transport::Tcp)
    }

    fn trace(&self, twin: &mut Twin, clock_s: f64, direction: Direction, bytes: &[u8], meaning: Meaning) {
        trace(twin, clock_s, &self.link, Transport::Tcp, direction, bytes, meaning);
    }
}

/// Puts a frame in the twin's trace, stamped with both clocks.
fn trace(
    twin: &mut Twin,
    clock_s: f64,
    link: &str,
    transport: Transport,
    direction: Direction,
    bytes: &[u8],
    meaning: Meaning,
) {
    twin.trace.record(Frame {
        wall_s: clock_s,
        sim_s: twin.ups.time_s(),
        link: link.to_string(),
        transport,
        direction,
        bytes: bytes.to_vec(),
        meaning,
    });
}

/// What a wire plan puts on the line, and what it means; `None` when it stays silent.
fn outgoing(plan: Plan, transport: Transport) -> Option<Outgoing> {
    // Where the function code sits in a framed reply: after the slave id, or the MBAP header.
    let function_at = match transport {
        Transport::Rtu => 1,
        Transport::Tcp => tcp::HEADER,
    };
    let meaning = match &plan.reply {
        Some(reply) if reply.len() > function_at + 1 && reply[function_at] & 0x80 != 0 => {
            Meaning::Exception { code: reply[function_at + 1] }
        }
        Some(_) => Meaning::Reply,
        None => Meaning::GarbageSent,
    };
    let mut bytes = plan.before;
    bytes.extend(plan.reply.unwrap_or_default());
    (!bytes.is_empty()).then_some(Outgoing { bytes, after: plan.delay, meaning })
}
