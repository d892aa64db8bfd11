//! The frame trace on disk (`serve --trace FILE`, a run's `frames.pcap`): pcap when the
//! name ends in `.pcap`, CSV otherwise. The twin only queues frames; this writer takes them
//! under the lock (a swap) and writes them outside it, so a slow disk never holds up the
//! UPS's answers.

use crate::pcap::Pcap;
use sim::twin::SharedTwin;
use sim::wire::trace::{Direction, Drained, Transport, hex};
use std::io::Write;
use std::path::Path;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How often queued frames are written: seldom enough that a co-simulated day (a paused
/// clock) costs few wake-ups, often enough that a crash loses at most this much.
const PERIOD: Duration = Duration::from_secs(1);

#[derive(Debug)]
enum Sink {
    Csv(std::io::BufWriter<std::fs::File>),
    Pcap(Pcap),
}

/// A file the twin's frames are written to.
#[derive(Debug)]
pub struct FrameFile {
    sink: Sink,
    /// What the file is called, for messages.
    name: String,
}

impl FrameFile {
    /// Creates `path` (pcap if it ends in `.pcap`, CSV otherwise) with its header.
    pub fn create(path: &Path) -> std::io::Result<Self> {
        let file = std::fs::File::create(path)?;
        let sink = if path.extension().is_some_and(|e| e == "pcap") {
            Sink::Pcap(Pcap::new(file).map_err(std::io::Error::other)?)
        } else {
            let mut csv = std::io::BufWriter::new(file);
            writeln!(csv, "wall_s,sim_s,link,direction,hex,meaning")?;
            csv.flush()?;
            Sink::Csv(csv)
        };
        Ok(Self { sink, name: path.display().to_string() })
    }

    /// Writes what the twin queued since the last call.
    pub fn drain(&mut self, twin: &SharedTwin) {
        let drained = twin.lock().trace.drain();
        self.write(drained);
    }

    fn write(&mut self, drained: Drained) {
        if drained.dropped > 0 {
            eprintln!(
                "upstwin: {}: {} frames dropped: the disk is slower than the line",
                self.name, drained.dropped
            );
        }
        if drained.frames.is_empty() {
            return;
        }
        // A full disk must not stop the UPS answering: a frame that cannot be written is lost.
        match &mut self.sink {
            Sink::Csv(csv) => {
                for frame in &drained.frames {
                    let _ = writeln!(
                        csv,
                        "{:.6},{:.3},{},{},{},\"{}\"",
                        frame.wall_s,
                        frame.sim_s,
                        frame.link,
                        frame.direction.as_str(),
                        hex(&frame.bytes),
                        frame.meaning.describe().replace('"', "'")
                    );
                }
                let _ = csv.flush();
            }
            Sink::Pcap(pcap) => {
                for frame in &drained.frames {
                    let wall = Duration::from_secs_f64(frame.wall_s);
                    let rtu = frame.transport == Transport::Rtu;
                    let _ = pcap.frame(wall, frame.direction == Direction::Rx, rtu, &frame.bytes);
                }
            }
        }
    }

    /// Writes the twin's frames every second until the returned writer is finished.
    pub fn spawn(mut self, twin: SharedTwin) -> FrameWriter {
        let (stop, mut stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(PERIOD) => self.drain(&twin),
                    _ = &mut stopped => break,
                }
            }
            self.drain(&twin);
        });
        FrameWriter { stop, task }
    }
}

/// A trace file being written in the background.
#[derive(Debug)]
pub struct FrameWriter {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl FrameWriter {
    /// Writes the last frames and closes the file.
    pub async fn finish(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}
