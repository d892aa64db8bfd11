//! One log as the card keeps it in memory: its records (at most `capacity`) and what its
//! file still needs — lines to append, or a whole new file. Appending only queues: the
//! poll path never waits for a disk. The log writer (`disk.rs`) puts the queue on disk
//! outside the card's lock. The file holds at most twice the log's capacity: past that the
//! queue asks for the file to be replaced with the newest records.

use std::collections::VecDeque;

/// What a log's file needs, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskWrite {
    /// A CSV line to append.
    Append(String),
    /// The whole file (header, columns, records), to replace the old one atomically.
    Replace(String),
}

#[derive(Debug)]
pub struct Log {
    header: String,
    columns: Vec<String>,
    capacity: usize,
    records: VecDeque<Vec<String>>,
    /// The lines the file holds once `pending` is written.
    lines_in_file: usize,
    pending: Vec<DiskWrite>,
}

/// A record as one CSV line, `\n` terminated.
fn csv_line(fields: &[String]) -> String {
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    // Writing strings to a Vec cannot fail.
    let _ = writer.write_record(fields);
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

impl Log {
    /// A log of `columns` holding `records` (the newest `capacity` are kept), its file
    /// already written as `file_text` says.
    pub(super) fn new(
        header: String,
        columns: Vec<String>,
        capacity: usize,
        records: VecDeque<Vec<String>>,
    ) -> Self {
        let mut log = Self { header, columns, capacity, records, lines_in_file: 0, pending: Vec::new() };
        log.trim_to_capacity();
        log.lines_in_file = log.records.len();
        log
    }

    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    pub fn records(&self) -> impl DoubleEndedIterator<Item = &Vec<String>> + ExactSizeIterator {
        self.records.iter()
    }

    /// Keeps `record` and queues it for the file.
    pub fn append(&mut self, record: Vec<String>) {
        let line = csv_line(&record);
        self.records.push_back(record);
        self.trim_to_capacity();
        if self.lines_in_file >= 2 * self.capacity || self.pending.len() >= self.capacity {
            // A file grown past twice the log, or a queue as long as the log (a disk that
            // has not taken anything for a while): one new file says it all.
            self.replace_file();
        } else {
            self.pending.push(DiskWrite::Append(line));
            self.lines_in_file += 1;
        }
    }

    pub fn clear(&mut self) {
        self.records.clear();
        self.replace_file();
    }

    /// After a failed write the file's state is unknown: the next write replaces it whole.
    pub fn rewrite_later(&mut self) {
        self.replace_file();
    }

    /// What the file needs, oldest first; the queue is then empty.
    pub fn take_writes(&mut self) -> Vec<DiskWrite> {
        std::mem::take(&mut self.pending)
    }

    pub fn has_writes(&self) -> bool {
        !self.pending.is_empty()
    }

    /// The log as the CSV a user downloads: the column names, then the records.
    pub fn csv(&self) -> String {
        std::iter::once(csv_line(&self.columns)).chain(self.records.iter().map(|r| csv_line(r))).collect()
    }

    /// The whole file: the header naming the log and its schema, then the CSV.
    pub(super) fn file_text(&self) -> String {
        format!("{}\n{}", self.header, self.csv())
    }

    fn trim_to_capacity(&mut self) {
        while self.records.len() > self.capacity {
            self.records.pop_front();
        }
    }

    /// Queues the whole file in place of whatever was queued before (it says it all).
    fn replace_file(&mut self) {
        self.pending = vec![DiskWrite::Replace(self.file_text())];
        self.lines_in_file = self.records.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(capacity: usize) -> Log {
        Log::new("# h".into(), vec!["Time".into(), "Text".into()], capacity, VecDeque::new())
    }

    fn record(n: usize) -> Vec<String> {
        vec![n.to_string(), format!("event {n}")]
    }

    #[test]
    fn appends_are_queued_in_order_and_the_ring_keeps_the_newest() {
        let mut log = log(3);
        log.append(record(0));
        log.append(record(1));
        assert_eq!(log.take_writes(), [0, 1].map(|n| DiskWrite::Append(csv_line(&record(n)))));
        assert!(!log.has_writes());
        for n in 2..5 {
            log.append(record(n));
            assert_eq!(log.take_writes(), [DiskWrite::Append(csv_line(&record(n)))]);
        }
        assert_eq!(log.records().cloned().collect::<Vec<_>>(), [record(2), record(3), record(4)]);
    }

    #[test]
    fn a_file_twice_the_log_is_replaced_with_the_newest_records() {
        let mut log = log(2);
        for n in 0..4 {
            log.append(record(n));
            log.take_writes();
        }
        log.append(record(4));
        assert_eq!(log.take_writes(), [DiskWrite::Replace("# h\nTime,Text\n3,event 3\n4,event 4\n".into())]);
    }

    #[test]
    fn a_queue_as_long_as_the_log_becomes_one_replacement_and_a_failure_rewrites_the_file() {
        let mut log = log(2);
        for n in 0..3 {
            log.append(record(n));
        }
        assert_eq!(log.take_writes(), [DiskWrite::Replace("# h\nTime,Text\n1,event 1\n2,event 2\n".into())]);
        log.rewrite_later();
        log.append(record(3));
        assert_eq!(
            log.take_writes(),
            [
                DiskWrite::Replace("# h\nTime,Text\n1,event 1\n2,event 2\n".into()),
                DiskWrite::Append("3,event 3\n".into())
            ]
        );
        log.clear();
        assert_eq!(log.take_writes(), [DiskWrite::Replace("# h\nTime,Text\n".into())]);
    }
}
