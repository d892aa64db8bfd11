//! One log on disk, crash-safe: a header naming the log and its schema, then one CSV record
//! per line, each appended and fsynced before `append` returns. A crash can tear only the
//! line being written; opening drops that torn tail. The file holds at most twice the
//! log's capacity: past that it is rewritten with the newest records (write, fsync,
//! rename), so a crash leaves the old file or the new one, never a mix.

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

#[derive(Debug)]
pub struct LogFile {
    path: PathBuf,
    header: String,
    columns: Vec<String>,
    capacity: usize,
    records: VecDeque<Vec<String>>,
    file: File,
    lines_in_file: usize,
}

fn csv_line(fields: &[String]) -> String {
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    // Writing strings to a Vec cannot fail.
    let _ = writer.write_record(fields);
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn parse_line(line: &str) -> Option<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
    let record = reader.records().next()?.ok()?;
    Some(record.iter().map(str::to_string).collect())
}

impl LogFile {
    /// Opens `dir/<name>.csv` holding records of `columns` under `schema`.
    pub fn open(
        dir: &Path,
        name: &str,
        schema: u32,
        columns: &[&str],
        capacity: usize,
    ) -> io::Result<(Self, Opened)> {
        let path = dir.join(format!("{name}.csv"));
        let header = format!("# upstwin-card log {name} schema {schema}");
        let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        let (records, opened) = match fs::read(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => (VecDeque::new(), Opened::New),
            Err(e) => return Err(e),
            Ok(bytes) => read_back(&path, &bytes, &header, &columns)?,
        };
        let mut records = records;
        while records.len() > capacity {
            records.pop_front();
        }
        let file = replace(&path, &header, &columns, &records)?;
        let lines_in_file = records.len();
        let opened = match opened {
            Opened::Loaded { torn, .. } => Opened::Loaded { records: records.len(), torn },
            other => other,
        };
        Ok((Self { path, header, columns, capacity, records, file, lines_in_file }, opened))
    }

    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    pub fn records(&self) -> impl DoubleEndedIterator<Item = &Vec<String>> + ExactSizeIterator {
        self.records.iter()
    }

    /// Appends a record and waits until it is on disk.
    pub fn append(&mut self, record: Vec<String>) -> io::Result<()> {
        if self.lines_in_file >= 2 * self.capacity {
            self.trim_to_capacity();
            self.rewrite()?;
        }
        self.file.write_all(csv_line(&record).as_bytes())?;
        self.file.sync_data()?;
        self.lines_in_file += 1;
        self.records.push_back(record);
        self.trim_to_capacity();
        Ok(())
    }

    pub fn clear(&mut self) -> io::Result<()> {
        self.records.clear();
        self.rewrite()
    }

    /// The log as the CSV a user downloads: the column names, then the records.
    pub fn csv(&self) -> String {
        std::iter::once(csv_line(&self.columns)).chain(self.records.iter().map(|r| csv_line(r))).collect()
    }

    fn trim_to_capacity(&mut self) {
        while self.records.len() > self.capacity {
            self.records.pop_front();
        }
    }

    /// Replaces the file with the header and the records held.
    fn rewrite(&mut self) -> io::Result<()> {
        self.file = replace(&self.path, &self.header, &self.columns, &self.records)?;
        self.lines_in_file = self.records.len();
        Ok(())
    }
}

/// Replaces `path` atomically with a log of `records`; returns the new file open for
/// appending.
fn replace(
    path: &Path,
    header: &str,
    columns: &[String],
    records: &VecDeque<Vec<String>>,
) -> io::Result<File> {
    let mut text = format!("{header}\n{}", csv_line(columns));
    text.extend(records.iter().map(|r| csv_line(r)));
    crate::durable::replace_file(path, text.as_bytes())?;
    OpenOptions::new().append(true).open(path)
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
        let (mut log, opened) = LogFile::open(&dir, "events", 1, &["Time", "Text"], 3).unwrap();
        assert_eq!(opened, Opened::New);
        for n in 0..8 {
            log.append(record(n)).unwrap();
        }
        assert_eq!(log.records().cloned().collect::<Vec<_>>(), [record(5), record(6), record(7)]);
        drop(log);
        // A crash in the middle of a line.
        let mut file = OpenOptions::new().append(true).open(dir.join("events.csv")).unwrap();
        file.write_all(b"8,\"event, ").unwrap();
        let (log, opened) = LogFile::open(&dir, "events", 1, &["Time", "Text"], 3).unwrap();
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
        let (mut log, _) = LogFile::open(&dir, "history", 1, &["Time", "V"], 10).unwrap();
        log.append(vec!["t".into(), "230".into()]).unwrap();
        drop(log);
        let (mut log, opened) = LogFile::open(&dir, "history", 2, &["Time", "V", "Hz"], 10).unwrap();
        assert!(matches!(opened, Opened::Recreated { ref kept } if kept.exists()));
        assert_eq!(log.records().len(), 0);
        log.clear().unwrap();
        assert_eq!(log.csv(), "Time,V,Hz\n");
    }
}
