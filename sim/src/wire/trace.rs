//! The frame trace: every request and reply with time, direction and meaning, kept in a ring
//! for the control API and the window, and queued for a file writer that drains the queue
//! outside the twin's lock (`link::frame_file`) — the twin's serial debug page.

use crate::modbus::pdu::Request;
use std::collections::VecDeque;

/// Frames kept in memory for the control API.
const RING: usize = 1000;
/// Frames a twin of a fleet keeps: thousands of twins polled for hours must not hold a
/// thousand frames each (≈ 250 KiB), and one device's last exchanges are what anyone asks.
pub const FLEET_RING: usize = 16;
/// Frames waiting for the file writer; beyond this the oldest are dropped and counted, so a
/// slow disk costs frames in the file, never the UPS's answers or memory.
const QUEUE: usize = 65_536;

/// Which way a frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// To the UPS.
    Rx,
    /// From the UPS.
    Tx,
}

impl Direction {
    /// `rx` or `tx`, as the trace files and the window show it.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Rx => "rx",
            Direction::Tx => "tx",
        }
    }
}

/// How the frame was framed on the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Slave id, PDU, CRC (a pty, a serial port, an in-memory line).
    Rtu,
    /// MBAP header, PDU.
    Tcp,
}

/// What a traced frame was, kept as data and put into words only when someone reads the
/// trace, so tracing costs the UPS almost nothing per request.
#[derive(Debug, Clone, PartialEq)]
pub enum Meaning {
    /// A request addressed to `unit` (slave id or TCP unit id).
    Request {
        unit: u8,
        request: Request,
    },
    /// A request for another slave id, left alone.
    NotForUs {
        unit: u8,
    },
    /// Read while the line is broken (wire fault): dropped.
    LineBroken,
    /// A frame sent at another speed than the UPS's: its UART saw framing errors only.
    WrongSpeed {
        far_baud: u32,
    },
    /// Bytes that were no frame.
    Garbage {
        bytes: usize,
    },
    /// What went back: a reply, an exception, or garbage from a wire fault.
    Reply,
    Exception {
        code: u8,
    },
    GarbageSent,
}

impl Meaning {
    pub fn describe(&self) -> String {
        match self {
            Meaning::Request { unit, request } => format!("unit {unit}: {}", request.describe()),
            Meaning::NotForUs { unit } => format!("unit {unit}: not for this UPS"),
            Meaning::LineBroken => "line broken: not read".into(),
            Meaning::WrongSpeed { far_baud } => format!("sent at {far_baud} baud: not understood"),
            Meaning::Garbage { bytes } => format!("{bytes} garbage bytes skipped"),
            Meaning::Reply => "reply".into(),
            Meaning::Exception { code } => format!("exception {code}"),
            Meaning::GarbageSent => "garbage".into(),
        }
    }
}

/// One traced frame, as kept: bytes are turned into hex only when someone reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Seconds on the link's clock since the trace's first frame (wall time, or the virtual
    /// time of a co-simulated run).
    pub wall_s: f64,
    /// The twin's time.
    pub sim_s: f64,
    /// `pty`, `serial`, `line` or `tcp:<peer>`.
    pub link: String,
    pub transport: Transport,
    pub direction: Direction,
    pub bytes: Vec<u8>,
    pub meaning: Meaning,
}

/// A frame as the control API and the window show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Record {
    pub wall_s: f64,
    pub sim_s: f64,
    pub link: String,
    pub direction: Direction,
    pub hex: String,
    pub meaning: String,
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(2 * bytes.len()), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Frames taken from the queue for a file, and how many were dropped before them.
#[derive(Debug, Default)]
pub struct Drained {
    pub frames: Vec<Frame>,
    pub dropped: u64,
}

#[derive(Debug)]
pub struct Trace {
    /// The link clock's reading at the first frame.
    origin_s: Option<f64>,
    ring: VecDeque<Frame>,
    /// How many frames the ring keeps.
    ring_frames: usize,
    /// Frames to and from the UPS since the start, for metrics.
    received: u64,
    sent: u64,
    /// Frames for a file writer; `None` when nobody writes the trace to a file.
    queue: Option<VecDeque<Frame>>,
    dropped: u64,
}

impl Trace {
    /// A trace kept in memory only.
    pub fn in_memory() -> Self {
        Self::in_memory_keeping(RING)
    }

    /// A trace kept in memory, its last `frames` frames only (at least one).
    pub fn in_memory_keeping(frames: usize) -> Self {
        Self {
            origin_s: None,
            ring: VecDeque::new(),
            ring_frames: frames.max(1),
            received: 0,
            sent: 0,
            queue: None,
            dropped: 0,
        }
    }

    /// Frames received (requests) and sent (replies) since the start.
    pub fn counts(&self) -> (u64, u64) {
        (self.received, self.sent)
    }

    /// A trace whose frames are also queued for a file writer to drain.
    pub fn queued() -> Self {
        Self { queue: Some(VecDeque::new()), ..Self::in_memory() }
    }

    /// Records a frame whose `wall_s` is the link clock's reading; it is kept as the time
    /// since the trace's first frame.
    pub fn record(&mut self, mut frame: Frame) {
        let origin_s = *self.origin_s.get_or_insert(frame.wall_s);
        frame.wall_s = (frame.wall_s - origin_s).max(0.0);
        match frame.direction {
            Direction::Rx => self.received += 1,
            Direction::Tx => self.sent += 1,
        }
        if let Some(queue) = &mut self.queue {
            if queue.len() == QUEUE {
                queue.pop_front();
                self.dropped += 1;
            }
            queue.push_back(frame.clone());
        }
        if self.ring.len() >= self.ring_frames {
            self.ring.pop_front();
        }
        self.ring.push_back(frame);
    }

    /// Takes the frames queued for the file writer: a swap, cheap enough under a lock.
    pub fn drain(&mut self) -> Drained {
        let frames = self.queue.as_mut().map(|queue| Vec::from(std::mem::take(queue))).unwrap_or_default();
        Drained { frames, dropped: std::mem::take(&mut self.dropped) }
    }

    /// The most recent frames, oldest first.
    pub fn recent(&self, count: usize) -> Vec<Record> {
        self.ring
            .iter()
            .skip(self.ring.len().saturating_sub(count))
            .map(|frame| Record {
                wall_s: frame.wall_s,
                sim_s: frame.sim_s,
                link: frame.link.clone(),
                direction: frame.direction,
                hex: hex(&frame.bytes),
                meaning: frame.meaning.describe(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_drops_its_oldest_frames_and_counts_them() {
        let mut trace = Trace::queued();
        for i in 0..QUEUE + 3 {
            trace.record(Frame {
                wall_s: i as f64,
                sim_s: 0.0,
                link: "pty".into(),
                transport: Transport::Rtu,
                direction: Direction::Rx,
                bytes: vec![i as u8],
                meaning: Meaning::Reply,
            });
        }
        let drained = trace.drain();
        assert_eq!((drained.frames.len(), drained.dropped), (QUEUE, 3));
        assert_eq!(drained.frames[0].wall_s, 3.0);
        assert_eq!(trace.recent(usize::MAX).len(), RING);
        assert!(trace.drain().frames.is_empty());
        assert!(Trace::in_memory().drain().frames.is_empty());
        assert_eq!(trace.counts(), ((QUEUE + 3) as u64, 0));
    }

    /// A fleet's twin keeps its last few frames only, and counts every one.
    #[test]
    fn a_short_ring_keeps_the_newest_frames_and_counts_all() {
        let mut trace = Trace::in_memory_keeping(FLEET_RING);
        for i in 0..100u8 {
            let direction = if i % 2 == 0 { Direction::Rx } else { Direction::Tx };
            let meaning = Meaning::Reply;
            trace.record(Frame {
                wall_s: 0.0,
                sim_s: 0.0,
                link: "tcp".into(),
                transport: Transport::Tcp,
                direction,
                bytes: vec![i],
                meaning,
            });
        }
        let recent = trace.recent(usize::MAX);
        assert_eq!(recent.len(), FLEET_RING);
        assert_eq!(recent.last().unwrap().hex, "63");
        assert_eq!(trace.counts(), (50, 50));
    }
}
