//! The card's four logs (NET VISION §21): UPS events, card events, history and extended
//! history, each a crash-safe file in the state directory, 2048 records at most, cleared
//! one by one and exported as CSV with the manual's columns. The card keeps them in memory
//! and queues what their files need; the `LogWriter` puts that on disk, off the poll path.

pub mod disk;
pub mod history;
pub mod store;

use crate::alarms::Severity;
use crate::clock::Stamp;
use crate::database::Database;
use disk::{LogFile, Opened};
use serde::Serialize;
use std::collections::VecDeque;
use std::io;
use std::path::Path;
use store::{DiskWrite, Log};

/// Event lines kept in memory for syslog, which pushes every one (§18.13) at its own pace.
const FEED_KEPT: usize = 1024;

/// Records a log keeps (§11.2.4: 2048 for the history logs; the same for the event logs).
pub const CAPACITY: usize = 2048;

/// Bumped when a log's columns change: an older file is then kept aside and re-created.
const SCHEMA: u32 = 1;

const EVENT_COLUMNS: &[&str] = &["Event Time (dd/mm/yyyy hh:mm:ss)", "Event Level", "Event Description"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogKind {
    History,
    Extended,
    UpsEvents,
    CardEvents,
}

impl LogKind {
    pub const ALL: [LogKind; 4] =
        [LogKind::History, LogKind::Extended, LogKind::UpsEvents, LogKind::CardEvents];

    /// The file name and the name in the API (`/api/logs/ups-events`).
    pub fn name(self) -> &'static str {
        match self {
            LogKind::History => "history",
            LogKind::Extended => "extended",
            LogKind::UpsEvents => "ups-events",
            LogKind::CardEvents => "card-events",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The manual's title (§21.5), as events about the log say it.
    fn title(self) -> &'static str {
        match self {
            LogKind::History => "History log",
            LogKind::Extended => "Extended history log",
            LogKind::UpsEvents => "UPS event log",
            LogKind::CardEvents => "NET VISION UPS Agent event log",
        }
    }
}

/// The groups of the "Syslog filter" (§18.13) an event line belongs to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub enum Group {
    /// The UPS events log (§21.3).
    Ups,
    /// The card events log (§21.4): its configuration changes and its own events.
    NetVision,
    /// Also in the card events log: what the card's services did — messages to the
    /// shutdown agents, shutdown commands to the UPS, mails, Wake-on-LAN.
    Service,
}

/// A line written to an events log, as syslog sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventLine {
    /// Counts up from 1 for the card's life.
    pub seq: u64,
    pub group: Group,
    pub stamp: Stamp,
    pub level: Severity,
    pub text: String,
}

#[derive(Debug)]
pub struct Logs {
    history: Log,
    extended: Log,
    ups_events: Log,
    card_events: Log,
    extremes: history::Extremes,
    /// Card time (s) of the next history and extended records.
    next_history_s: f64,
    next_extended_s: f64,
    feed: VecDeque<EventLine>,
    feed_seq: u64,
}

impl Logs {
    /// Opens the logs in `dir` (created if missing): the logs with what their files held,
    /// and the writer of those files. A log found with another schema is re-created, and the
    /// card events log says so.
    pub fn open(dir: &Path, now: Stamp) -> io::Result<(Self, LogWriter)> {
        std::fs::create_dir_all(dir)?;
        let history_columns = history::history_columns();
        let extended_columns = history::extended_columns();
        let extended_columns: Vec<&str> = extended_columns.iter().map(String::as_str).collect();
        let open = |kind: LogKind, columns: &[&str]| disk::open(dir, kind.name(), SCHEMA, columns, CAPACITY);
        let (history, history_file, h) = open(LogKind::History, &history_columns)?;
        let (extended, extended_file, x) = open(LogKind::Extended, &extended_columns)?;
        let (ups_events, ups_events_file, u) = open(LogKind::UpsEvents, EVENT_COLUMNS)?;
        let (card_events, card_events_file, c) = open(LogKind::CardEvents, EVENT_COLUMNS)?;
        let mut logs = Self {
            history,
            extended,
            ups_events,
            card_events,
            extremes: history::Extremes::default(),
            next_history_s: 0.0,
            next_extended_s: 0.0,
            feed: VecDeque::new(),
            feed_seq: 0,
        };
        let kinds = [LogKind::CardEvents, LogKind::UpsEvents, LogKind::History, LogKind::Extended];
        for (kind, opened) in kinds.into_iter().zip([c, u, h, x]) {
            if matches!(opened, Opened::Recreated { .. }) {
                let text = format!("{} schema changed. Log has been re-created.", kind.title());
                logs.card_event(now, Severity::Warning, &text);
            }
        }
        let writer = LogWriter { files: [history_file, extended_file, ups_events_file, card_events_file] };
        Ok((logs, writer))
    }

    fn file(&self, kind: LogKind) -> &Log {
        match kind {
            LogKind::History => &self.history,
            LogKind::Extended => &self.extended,
            LogKind::UpsEvents => &self.ups_events,
            LogKind::CardEvents => &self.card_events,
        }
    }

    fn file_mut(&mut self, kind: LogKind) -> &mut Log {
        match kind {
            LogKind::History => &mut self.history,
            LogKind::Extended => &mut self.extended,
            LogKind::UpsEvents => &mut self.ups_events,
            LogKind::CardEvents => &mut self.card_events,
        }
    }

    fn event(stamp: Stamp, level: Severity, text: &str) -> Vec<String> {
        vec![stamp.to_string(), format!("{level:?}"), text.to_string()]
    }

    /// A line of the UPS events log (§21.3).
    pub fn ups_event(&mut self, stamp: Stamp, level: Severity, text: &str) {
        self.event_line(Group::Ups, stamp, level, text)
    }

    /// A line of the card events log (§21.4).
    pub fn card_event(&mut self, stamp: Stamp, level: Severity, text: &str) {
        self.event_line(Group::NetVision, stamp, level, text)
    }

    /// A line of the card events log about what a service did (syslog's SERVICE group).
    pub fn service_event(&mut self, stamp: Stamp, level: Severity, text: &str) {
        self.event_line(Group::Service, stamp, level, text)
    }

    /// Writes the line to its log and to the feed syslog reads.
    fn event_line(&mut self, group: Group, stamp: Stamp, level: Severity, text: &str) {
        self.feed_seq += 1;
        if self.feed.len() == FEED_KEPT {
            self.feed.pop_front();
        }
        let line = EventLine { seq: self.feed_seq, group, stamp, level, text: text.to_string() };
        self.feed.push_back(line);
        let file = if group == Group::Ups { &mut self.ups_events } else { &mut self.card_events };
        file.append(Self::event(stamp, level, text));
    }

    /// The event lines written after `seq`, oldest first (the last `FEED_KEPT` at most).
    pub fn event_lines_since(&self, seq: u64) -> impl Iterator<Item = &EventLine> {
        self.feed.iter().filter(move |line| line.seq > seq)
    }

    /// The sequence number of the last event line (0: none yet).
    pub fn last_event_line(&self) -> u64 {
        self.feed_seq
    }

    /// After a complete poll: a history record when its interval is due, and the sample for
    /// the extended record, written when its period ends.
    pub fn on_cycle(&mut self, now_s: f64, stamp: Stamp, database: &Database, intervals: Intervals) {
        let sample = history::sample(database);
        self.extremes.add(sample);
        if now_s >= self.next_history_s {
            self.next_history_s = now_s + intervals.history_s;
            let record =
                std::iter::once(stamp.to_string()).chain(sample.iter().map(i64::to_string)).collect();
            self.history.append(record);
        }
        if self.next_extended_s == 0.0 {
            self.next_extended_s = now_s + intervals.extended_s;
        } else if now_s >= self.next_extended_s {
            self.next_extended_s = now_s + intervals.extended_s;
            let values = self.extremes.take();
            let record =
                std::iter::once(stamp.to_string()).chain(values.iter().map(i64::to_string)).collect();
            self.extended.append(record);
        }
    }

    /// Empties a log; the card events log records who did it (§21.4 "… log cleared").
    pub fn clear(&mut self, kind: LogKind, stamp: Stamp) {
        self.file_mut(kind).clear();
        self.card_event(stamp, Severity::Information, &format!("{} cleared", kind.title()));
    }

    /// What the four files need, for the writer; the queues are then empty.
    pub fn take_writes(&mut self) -> Writes {
        Writes(LogKind::ALL.map(|kind| self.file_mut(kind).take_writes()))
    }

    pub fn has_writes(&self) -> bool {
        LogKind::ALL.into_iter().any(|kind| self.file(kind).has_writes())
    }

    /// After the writer failed on `kinds`, their files are written whole next time.
    pub fn rewrite_later(&mut self, kinds: &[LogKind]) {
        for kind in kinds {
            self.file_mut(*kind).rewrite_later();
        }
    }

    pub fn csv(&self, kind: LogKind) -> String {
        self.file(kind).csv()
    }

    pub fn columns(&self, kind: LogKind) -> &[String] {
        self.file(kind).columns()
    }

    pub fn records(
        &self,
        kind: LogKind,
    ) -> impl DoubleEndedIterator<Item = &Vec<String>> + ExactSizeIterator {
        self.file(kind).records()
    }
}

/// What the four files need, in `LogKind::ALL`'s order.
#[derive(Debug, Default)]
pub struct Writes([Vec<DiskWrite>; 4]);

impl Writes {
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Vec::is_empty)
    }
}

/// The logs' files: takes the writes the card queued and puts them on disk. It does
/// blocking I/O (fsync), so it runs beside the card, never under its lock.
#[derive(Debug)]
pub struct LogWriter {
    /// In `LogKind::ALL`'s order.
    files: [LogFile; 4],
}

/// Which logs could not be written, and why (the first error).
#[derive(Debug)]
pub struct WriteFailed {
    pub kinds: Vec<LogKind>,
    pub error: io::Error,
}

impl LogWriter {
    /// Writes every log's queue; a log that fails does not stop the others.
    pub fn write(&mut self, writes: Writes) -> Result<(), WriteFailed> {
        let mut failed: Option<WriteFailed> = None;
        for ((kind, file), writes) in LogKind::ALL.into_iter().zip(&mut self.files).zip(writes.0) {
            if let Err(error) = file.write(writes) {
                match &mut failed {
                    Some(failed) => failed.kinds.push(kind),
                    None => failed = Some(WriteFailed { kinds: vec![kind], error }),
                }
            }
        }
        failed.map_or(Ok(()), Err)
    }
}

/// How often the history logs take a record (§18.2: 60 s and 60 min by default).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Intervals {
    pub history_s: f64,
    pub extended_s: f64,
}

impl Default for Intervals {
    fn default() -> Self {
        Self { history_s: 60.0, extended_s: 3600.0 }
    }
}
