//! The frame trace: every request and reply with time, direction and meaning, kept in a
//! ring for the control API and written to CSV or pcap — the twin's serial debug page.

use crate::modbus::pdu::Request;
use std::collections::VecDeque;
use std::io::Write;
// tokio's clock: the wall clock, or the virtual one of a paused runtime (`--card reference`),
// so a co-simulated capture shows the line's own timing and is the same run after run.
use tokio::time::Instant;

/// Frames kept in memory for the control API.
const RING: usize = 1000;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Record {
    /// Seconds since the twin started serving (wall clock).
    pub wall_s: f64,
    /// The twin's virtual time.
    pub sim_s: f64,
    /// `pty`, `serial` or `tcp:<peer>`.
    pub link: String,
    /// `rx` (to the UPS) or `tx` (from it).
    pub direction: &'static str,
    pub hex: String,
    pub meaning: String,
}

/// Where the trace goes besides the in-memory ring.
#[derive(Debug)]
enum Sink {
    None,
    Csv(std::io::BufWriter<std::fs::File>),
    Pcap(super::pcap::Pcap),
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

/// A frame as kept in the ring: bytes are turned into hex only when someone reads them.
#[derive(Debug, Clone, PartialEq)]
struct Kept {
    wall_s: f64,
    sim_s: f64,
    link: String,
    direction: &'static str,
    bytes: Vec<u8>,
    meaning: Meaning,
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(2 * bytes.len()), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[derive(Debug)]
pub struct Trace {
    started: Instant,
    ring: VecDeque<Kept>,
    sink: Sink,
}

impl Trace {
    /// A trace kept in memory only.
    pub fn in_memory() -> Self {
        Self { started: Instant::now(), ring: VecDeque::with_capacity(RING), sink: Sink::None }
    }

    /// A trace also written to `path`: pcap if it ends in `.pcap`, CSV otherwise.
    pub fn to_file(path: &std::path::Path) -> std::io::Result<Self> {
        let file = std::fs::File::create(path)?;
        let sink = if path.extension().is_some_and(|e| e == "pcap") {
            Sink::Pcap(super::pcap::Pcap::new(file).map_err(std::io::Error::other)?)
        } else {
            let mut csv = std::io::BufWriter::new(file);
            writeln!(csv, "wall_s,sim_s,link,direction,hex,meaning")?;
            Sink::Csv(csv)
        };
        Ok(Self { sink, ..Self::in_memory() })
    }

    pub fn record(
        &mut self,
        sim_s: f64,
        link: &str,
        direction: &'static str,
        bytes: &[u8],
        meaning: Meaning,
    ) {
        let wall_s = self.started.elapsed().as_secs_f64();
        // A full disk must not stop the UPS answering: a trace line that cannot be written is
        // dropped.
        match &mut self.sink {
            Sink::None => {}
            Sink::Csv(file) => {
                let _ = writeln!(
                    file,
                    "{wall_s:.6},{sim_s:.3},{link},{direction},{},\"{}\"",
                    hex(bytes),
                    meaning.describe().replace('"', "'")
                );
                let _ = file.flush();
            }
            Sink::Pcap(pcap) => {
                let wall = std::time::Duration::from_secs_f64(wall_s);
                let _ = pcap.frame(wall, direction == "rx", !link.starts_with("tcp"), bytes);
            }
        }
        if self.ring.len() == RING {
            self.ring.pop_front();
        }
        self.ring.push_back(Kept {
            wall_s,
            sim_s,
            link: link.to_string(),
            direction,
            bytes: bytes.to_vec(),
            meaning,
        });
    }

    /// The most recent frames, oldest first.
    pub fn recent(&self, count: usize) -> Vec<Record> {
        self.ring
            .iter()
            .skip(self.ring.len().saturating_sub(count))
            .map(|kept| Record {
                wall_s: kept.wall_s,
                sim_s: kept.sim_s,
                link: kept.link.clone(),
                direction: kept.direction,
                hex: hex(&kept.bytes),
                meaning: kept.meaning.describe(),
            })
            .collect()
    }
}
