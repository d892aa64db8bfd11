//! A log's file, crash-safe: a header naming the log and its schema, then one CSV record
//! per line. The log writer appends a batch and fsyncs it once; a crash can tear only the
//! line being written, and opening drops that torn tail. A replacement is written beside
//! the file, fsynced and renamed over it, so a crash leaves the old file or the new one.

use super::store::{DiskWrite, Log};
use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// What the card found when it opened a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// No file yet: a new, empty log.
    New,
    /// Records read back; `torn`: a last line cut by a crash was dropped.
    Loaded { records: usize, torn: bool },
    /// The file had another schema (or no valid header): it was kept as `kept` and the log
    /// re-created empty.
    Recreated { kept: PathBuf },
}

/// A log's file, open for appending.
#[derive(Debug)]
pub struct LogFile {
    path: PathBuf,
    file: File,
}

fn parse_line(line: &str) -> Option<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
    let record = reader.records().next()?.ok()?;
    Some(record.iter().map(str::to_string).collect())
}

/// Opens `dir/<name>.csv` holding records of `columns` under `schema`: the log with the
/// records read back, and its file rewritten with them, open for the writer.
pub fn open(
    dir: &Path,
    name: &str,
    schema: u32,
    columns: &[&str],
    capacity: usize,
) -> io::Result<(Log, LogFile, Opened)> {
    let path = dir.join(format!("{name}.csv"));
    let header = format!("# upstwin-card log {name} schema {schema}");
    let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
    let (records, opened) = match fs::read(&path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => (VecDeque::new(), Opened::New),
        Err(e) => return Err(e),
        Ok(bytes) => read_back(&path, &bytes, &header, &columns)?,
    };
    let log = Log::new(header, columns, capacity, records);
    let file = LogFile::replace(path, &log.file_text())?;
    let opened = match opened {
        Opened::Loaded { torn, .. } => Opened::Loaded { records: log.records().len(), torn },
        other => other,
    };
    Ok((log, file, opened))
}

impl LogFile {
    /// Replaces the file at `path` atomically with `text`, open for appending after it.
    fn replace(path: PathBuf, text: &str) -> io::Result<Self> {
        crate::durable::replace_file(&path, text.as_bytes())?;
        let file = OpenOptions::new().append(true).open(&path)?;
        Ok(Self { path, file })
    }

    /// Puts `writes` on disk, in order; returns once they are there. Lines are not appended
    /// to a file that is no longer at its path (the state directory was removed or the file
    /// replaced): that is an error, so the log is written whole next time.
    pub fn write(&mut self, writes: Vec<DiskWrite>) -> io::Result<()> {
        let mut appended = false;
        for write in writes {
            match write {
                DiskWrite::Append(line) => {
                    if !appended {
                        self.check_still_at_path()?;
                    }
                    self.file.write_all(line.as_bytes())?;
                    appended = true;
                }
                DiskWrite::Replace(text) => {
                    if appended {
                        self.file.sync_data()?;
                        appended = false;
                    }
                    *self = Self::replace(self.path.clone(), &text)?;
                }
            }
        }
        if appended {
            self.file.sync_data()?;
        }
        Ok(())
    }

    /// Whether the open file is still the one at the path (a metadata call each).
    fn check_still_at_path(&self) -> io::Result<()> {
        use std::os::unix::fs::MetadataExt;
        let (open, named) = (self.file.metadata()?, fs::metadata(&self.path)?);
        if (open.dev(), open.ino()) == (named.dev(), named.ino()) {
            Ok(())
        } else {
            Err(io::Error::other(format!("{} was replaced by another file", self.path.display())))
        }
    }
}

/// Reads a log file back: its records, or a re-created log when the header is not ours.
fn read_back(
    path: &Path,
    bytes: &[u8],
    header: &str,
    columns: &[String],
) -> io::Result<(VecDeque<Vec<String>>, Opened)> {
    let torn = !bytes.is_empty() && !bytes.ends_with(b"\n");
    let whole_lines = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let bytes = &bytes[..whole_lines];
    let mut lines = BufReader::new(bytes).lines().map_while(Result::ok);
    let same_schema = lines.next().as_deref() == Some(header)
        && lines.next().and_then(|l| parse_line(&l)).as_deref() == Some(columns);
    if !same_schema {
        let kept = path.with_extension("csv.old");
        fs::rename(path, &kept)?;
        return Ok((VecDeque::new(), Opened::Recreated { kept }));
    }
    let records: VecDeque<Vec<String>> =
        lines.filter_map(|l| parse_line(&l)).filter(|r| r.len() == columns.len()).collect();
    let count = records.len();
    Ok((records, Opened::Loaded { records: count, torn }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("upstwin-card-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn record(n: usize) -> Vec<String> {
        vec![n.to_string(), format!("event, \"{n}\"")]
    }

    #[test]
    fn records_survive_reopening_a_torn_tail_is_dropped_and_the_ring_keeps_the_newest() {
        let dir = temp_dir("ring");
        let (mut log, mut file, opened) = open(&dir, "events", 1, &["Time", "Text"], 3).unwrap();
        assert_eq!(opened, Opened::New);
        for n in 0..8 {
            log.append(record(n));
            file.write(log.take_writes()).unwrap();
        }
        assert_eq!(log.records().cloned().collect::<Vec<_>>(), [record(5), record(6), record(7)]);
        // The file was compacted at twice the log (6 lines): the 7th append replaced it with
        // the newest 3, the 8th was appended after them.
        let text = fs::read_to_string(dir.join("events.csv")).unwrap();
        let kept: Vec<&str> = text.lines().skip(2).map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(kept, ["4", "5", "6", "7"], "{text}");
        drop(file);
        // A crash in the middle of a line.
        let mut raw = OpenOptions::new().append(true).open(dir.join("events.csv")).unwrap();
        raw.write_all(b"8,\"event, ").unwrap();
        let (log, _, opened) = open(&dir, "events", 1, &["Time", "Text"], 3).unwrap();
        assert_eq!(opened, Opened::Loaded { records: 3, torn: true });
        assert_eq!(log.records().last(), Some(&record(7)));
        assert_eq!(
            log.csv(),
            "Time,Text\n5,\"event, \"\"5\"\"\"\n6,\"event, \"\"6\"\"\"\n7,\"event, \"\"7\"\"\"\n"
        );
    }

    #[test]
    fn another_schema_is_kept_aside_and_the_log_recreated() {
        let dir = temp_dir("schema");
        let (mut log, mut file, _) = open(&dir, "history", 1, &["Time", "V"], 10).unwrap();
        log.append(vec!["t".into(), "230".into()]);
        file.write(log.take_writes()).unwrap();
        drop(file);
        let (mut log, mut file, opened) = open(&dir, "history", 2, &["Time", "V", "Hz"], 10).unwrap();
        assert!(matches!(opened, Opened::Recreated { ref kept } if kept.exists()));
        assert_eq!(log.records().len(), 0);
        log.clear();
        file.write(log.take_writes()).unwrap();
        assert_eq!(log.csv(), "Time,V,Hz\n");
        assert_eq!(
            fs::read_to_string(dir.join("history.csv")).unwrap(),
            "# upstwin-card log history schema 2\nTime,V,Hz\n"
        );
    }

    #[test]
    fn a_batch_with_a_replacement_leaves_the_file_as_the_log() {
        let dir = temp_dir("batch");
        let (mut log, mut file, _) = open(&dir, "events", 1, &["Time", "Text"], 2).unwrap();
        for n in 0..7 {
            log.append(record(n));
        }
        file.write(log.take_writes()).unwrap();
        let (reopened, _, _) = open(&dir, "events", 1, &["Time", "Text"], 2).unwrap();
        assert_eq!(reopened.csv(), log.csv());
    }
}
