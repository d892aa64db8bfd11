//! The poller's state, driven by its caller with time (as smoltcp is driven): which read is
//! due, when the next cycle starts, and whether the UPS is online, lost or not yet seen. No
//! I/O here: the caller sends the request, waits for the answer or a timeout, and reports it.

use crate::database::{self, Database, Words};
use crate::plan::{ReadRequest, plan};
use std::sync::Arc;
use ups_models::map::RegisterMap;

/// Settings of the poll (NET VISION §18.2 "Polling Rate", iStars "UPS online failure
/// timeout").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollConfig {
    /// Time from the start of one cycle to the start of the next (default 2 s, §18.2).
    pub period_s: f64,
    /// Without an answer for this long the UPS is "lost" (not in the manuals' defaults;
    /// ours: 10 s, five polling periods).
    pub lost_after_s: f64,
}

impl Default for PollConfig {
    fn default() -> Self {
        Self { period_s: 2.0, lost_after_s: 10.0 }
    }
}

/// The link to the UPS as the card sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Comm {
    /// Not answered yet since the card started.
    Unknown,
    Online,
    /// No answer for `lost_after_s`; the status shows "Unknown" until a poll succeeds.
    Lost,
}

/// What happened, for logs and alarms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollEvent {
    /// The first complete poll since start: the card is ready.
    FirstPoll,
    /// A cycle completed with every read answered; the database is new.
    Cycle,
    CommLost,
    CommRestored,
}

/// Why a read brought nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// No (valid) answer in time: silence, a bad CRC, another slave's answer.
    Timeout,
    /// The UPS answered with a Modbus exception (code).
    Exception(u8),
    /// The link itself failed (the port went away).
    Link(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Timeout => write!(f, "no answer in time"),
            ReadError::Exception(code) => write!(f, "the UPS answered exception {code:02X}"),
            ReadError::Link(why) => write!(f, "{why}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Poller {
    map: Arc<RegisterMap>,
    requests: Vec<ReadRequest>,
    config: PollConfig,
    /// The next request of the cycle under way.
    next: usize,
    /// When the cycle under way started (`None` before the first).
    cycle_started_s: Option<f64>,
    started_s: f64,
    last_answer_s: Option<f64>,
    comm: Comm,
    /// Whether every read of the cycle under way was answered.
    cycle_whole: bool,
    polled_once: bool,
    /// How long the last whole cycle took, first request to last answer.
    last_cycle_s: Option<f64>,
    words: Words,
    database: Database,
}

impl Poller {
    pub fn new(map: Arc<RegisterMap>, config: PollConfig, now_s: f64) -> Self {
        let requests = plan(&map);
        Self {
            map,
            requests,
            config,
            next: 0,
            cycle_started_s: None,
            started_s: now_s,
            last_answer_s: None,
            comm: Comm::Unknown,
            cycle_whole: true,
            polled_once: false,
            last_cycle_s: None,
            words: Words::default(),
            database: Database::default(),
        }
    }

    /// New settings take effect from the next cycle.
    pub fn set_config(&mut self, config: PollConfig) {
        self.config = config;
    }

    pub fn comm(&self) -> Comm {
        self.comm
    }

    pub fn database(&self) -> &Database {
        &self.database
    }

    /// The words as last read from the UPS.
    pub fn words(&self) -> &Words {
        &self.words
    }

    pub fn map(&self) -> &RegisterMap {
        &self.map
    }

    /// The reads of one cycle.
    pub fn requests(&self) -> &[ReadRequest] {
        &self.requests
    }

    pub fn last_cycle_s(&self) -> Option<f64> {
        self.last_cycle_s
    }

    /// Seconds from `now_s` until a read is due (0 = now).
    pub fn wait_s(&self, now_s: f64) -> f64 {
        match self.cycle_started_s {
            Some(_) if self.next < self.requests.len() => 0.0,
            Some(started) => (started + self.config.period_s - now_s).max(0.0),
            None => 0.0,
        }
    }

    /// The read due at `now_s`, if one is; starts a new cycle when its time has come.
    pub fn due(&mut self, now_s: f64) -> Option<ReadRequest> {
        if self.wait_s(now_s) > 0.0 {
            return None;
        }
        if self.cycle_started_s.is_none() || self.next >= self.requests.len() {
            self.cycle_started_s = Some(now_s);
            self.next = 0;
            self.cycle_whole = true;
        }
        self.requests.get(self.next).copied()
    }

    /// What became of the read `due` gave; returns what it changed.
    pub fn answered(&mut self, now_s: f64, answer: Result<&[u16], ReadError>) -> Vec<PollEvent> {
        let mut events = Vec::new();
        let Some(request) = self.requests.get(self.next).copied() else { return events };
        self.next += 1;
        match answer {
            Ok(words) if words.len() == usize::from(request.count) => {
                self.words.store(request.start, words);
                self.last_answer_s = Some(now_s);
            }
            // An exception is an answer: the UPS is there. Illegal function, address or value
            // mean it does not have this table (not managed: shown as such); anything else
            // (busy, device failure) leaves the last complete picture in place.
            Err(ReadError::Exception(code)) => {
                self.last_answer_s = Some(now_s);
                if matches!(code, 1..=3) {
                    self.words.forget(request.start, request.count);
                } else {
                    self.cycle_whole = false;
                }
            }
            _ => self.cycle_whole = false,
        }
        let silent_since = self.last_answer_s.unwrap_or(self.started_s);
        if self.comm != Comm::Lost && now_s - silent_since >= self.config.lost_after_s {
            self.comm = Comm::Lost;
            events.push(PollEvent::CommLost);
        }
        if self.next >= self.requests.len() && self.cycle_whole {
            self.last_cycle_s = self.cycle_started_s.map(|started| now_s - started);
            self.database = database::decode(&self.map, &self.words);
            if self.comm == Comm::Lost {
                events.push(PollEvent::CommRestored);
            }
            self.comm = Comm::Online;
            if !self.polled_once {
                self.polled_once = true;
                events.push(PollEvent::FirstPoll);
            }
            events.push(PollEvent::Cycle);
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poller() -> Poller {
        Poller::new(Arc::new(ups_models::maps::bundled("jbusp").unwrap()), PollConfig::default(), 0.0)
    }

    /// Answers every read of one cycle at `now_s` (with zeros, or with `error`).
    fn cycle(p: &mut Poller, now_s: f64, error: Option<ReadError>) -> Vec<PollEvent> {
        let mut events = Vec::new();
        while let Some(request) = p.due(now_s) {
            let words = vec![0u16; usize::from(request.count)];
            let answer = match &error {
                Some(e) => Err(e.clone()),
                None => Ok(words.as_slice()),
            };
            events.extend(p.answered(now_s, answer));
            if p.wait_s(now_s) > 0.0 {
                break;
            }
        }
        events
    }

    #[test]
    fn polls_every_period_and_reports_loss_and_recovery() {
        let mut p = poller();
        assert_eq!(p.comm(), Comm::Unknown);
        assert_eq!(cycle(&mut p, 0.0, None), [PollEvent::FirstPoll, PollEvent::Cycle]);
        assert_eq!(p.comm(), Comm::Online);
        assert_eq!(p.wait_s(0.5), 1.5, "the next cycle 2 s after the last began");
        assert_eq!(p.last_cycle_s(), Some(0.0));
        assert_eq!(p.due(1.0), None);
        assert_eq!(cycle(&mut p, 2.0, None), [PollEvent::Cycle]);
        // Silence: lost once 10 s have passed since the last answer, and said once.
        let mut lost = Vec::new();
        for t in [4.0, 6.0, 8.0, 10.0, 12.0, 14.0] {
            lost.extend(cycle(&mut p, t, Some(ReadError::Timeout)));
        }
        assert_eq!(lost, [PollEvent::CommLost], "lost at 12 s, 10 s after the last answer");
        assert_eq!(p.comm(), Comm::Lost);
        assert_eq!(cycle(&mut p, 16.0, None), [PollEvent::CommRestored, PollEvent::Cycle]);
        assert_eq!(p.comm(), Comm::Online);
    }

    #[test]
    fn a_ups_that_never_answers_is_lost_after_the_timeout() {
        let mut p = poller();
        let mut events = Vec::new();
        for t in (0..=12).step_by(2) {
            events.extend(cycle(&mut p, f64::from(t), Some(ReadError::Timeout)));
        }
        assert_eq!(events, [PollEvent::CommLost]);
        assert_eq!(p.database(), &Database::default(), "nothing decoded from nothing");
    }

    #[test]
    fn an_exception_is_an_answer() {
        let mut p = poller();
        assert_eq!(cycle(&mut p, 0.0, None), [PollEvent::FirstPoll, PollEvent::Cycle]);
        let whole = p.database().clone();
        // Busy for 20 s: never lost, and the last complete picture stays.
        let mut events = Vec::new();
        for t in (2..=20).step_by(2) {
            events.extend(cycle(&mut p, f64::from(t), Some(ReadError::Exception(6))));
        }
        assert_eq!(events, []);
        assert_eq!((p.comm(), p.database()), (Comm::Online, &whole));
        // "Illegal data address": the UPS has no such table, so its values are not managed.
        assert_eq!(cycle(&mut p, 22.0, Some(ReadError::Exception(2))), [PollEvent::Cycle]);
        assert!(p.database().readings.iter().all(|r| r.value.is_none()), "nothing shown as read");
        assert!(whole.readings.iter().any(|r| r.value.is_some()));
    }
}
