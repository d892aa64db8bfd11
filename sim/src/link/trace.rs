//! The frame trace: every request and reply with time, direction and meaning, kept in a
//! ring for the control API and written to CSV or pcap — the twin's serial debug page.

use std::collections::VecDeque;
use std::io::Write;
use std::time::Instant;

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

#[derive(Debug)]
pub struct Trace {
    started: Instant,
    ring: VecDeque<Record>,
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

    pub fn record(&mut self, sim_s: f64, link: &str, direction: &'static str, bytes: &[u8], meaning: String) {
        let record = Record {
            wall_s: self.started.elapsed().as_secs_f64(),
            sim_s,
            link: link.to_string(),
            direction,
            hex: bytes.iter().map(|b| format!("{b:02x}")).collect(),
            meaning,
        };
        // A full disk must not stop the UPS answering: a trace line that cannot be written is
        // dropped.
        match &mut self.sink {
            Sink::None => {}
            Sink::Csv(file) => {
                let _ = writeln!(
                    file,
                    "{:.6},{:.3},{},{},{},\"{}\"",
                    record.wall_s,
                    record.sim_s,
                    record.link,
                    record.direction,
                    record.hex,
                    record.meaning.replace('"', "'")
                );
                let _ = file.flush();
            }
            Sink::Pcap(pcap) => {
                let wall = std::time::Duration::from_secs_f64(record.wall_s);
                let _ = pcap.frame(wall, direction == "rx", !link.starts_with("tcp"), bytes);
            }
        }
        if self.ring.len() == RING {
            self.ring.pop_front();
        }
        self.ring.push_back(record);
    }

    /// The most recent frames, oldest first.
    pub fn recent(&self, count: usize) -> Vec<Record> {
        self.ring.iter().skip(self.ring.len().saturating_sub(count)).cloned().collect()
    }
}
