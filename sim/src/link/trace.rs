//! The frame trace: every request and reply with time, direction and meaning, kept in a
//! ring for the control API and written to CSV — the twin's serial debug page.

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

#[derive(Debug)]
pub struct Trace {
    started: Instant,
    ring: VecDeque<Record>,
    csv: Option<std::io::BufWriter<std::fs::File>>,
}

impl Trace {
    pub fn new(csv: Option<std::fs::File>) -> std::io::Result<Self> {
        let mut csv = csv.map(std::io::BufWriter::new);
        if let Some(file) = csv.as_mut() {
            writeln!(file, "wall_s,sim_s,link,direction,hex,meaning")?;
        }
        Ok(Self { started: Instant::now(), ring: VecDeque::with_capacity(RING), csv })
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
        if let Some(file) = self.csv.as_mut() {
            // A full disk must not stop the UPS answering: the trace line is dropped.
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
