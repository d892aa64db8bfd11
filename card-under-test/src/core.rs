//! The card's core, driven with time like smoltcp: the poller, then everything a complete
//! poll feeds — the derived view, the alarm table, the logs. Its callers own the I/O: a
//! Modbus master on the system clock (`run.rs`), or an in-memory line in virtual time.

use crate::alarms::{AlarmTable, Change, Severity};
use crate::battery_test::BatteryTests;
use crate::catalogue;
use crate::clock::Stamp;
use crate::database::Database;
use crate::derive::{self, View};
use crate::logs::{Intervals, Logs, WriteFailed};
use crate::notify::{Detail, Notifier};
use crate::plan::ReadRequest;
use crate::poller::{Comm, PollConfig, PollEvent, Poller, ReadError};
use crate::rules::{Condition, Rules};
use std::collections::BTreeSet;
use std::sync::Arc;
use ups_models::map::RegisterMap;

/// Status changes the UPS events log records (§21.3, "UPS STATUS EVENTS"): (condition,
/// text when it starts, text when it ends).
const STATUS_EVENTS: &[(Condition, &str, Option<&str>)] = &[
    (Condition::LoadOnBypass, "Transfer Load to Bypass", None),
    (Condition::LoadOnInverter, "Transfer Load to Inverter", None),
    (Condition::EcoMode, "Enable eco mode", Some("Disable eco mode")),
    (Condition::Standby, "Enable standby mode", Some("Disable standby mode")),
    (Condition::BatteryTest, "Battery test in progress", None),
];

static NO_DATABASE: Database =
    Database { serial_number: None, reference: None, clock: None, readings: Vec::new(), flags: Vec::new() };

/// Which map the UPS speaks, and at which speed: at each speed to try, the first table of
/// each candidate is read in turn (JBUSP identifiers at 0x1000, then VU-MAP configuration
/// at 0x0001) until one answers.
/// A map the card may find the UPS speaking, with its rules; shared (never changed).
pub type Candidate = (Arc<RegisterMap>, Arc<Rules>);

#[derive(Debug)]
struct Detection {
    candidates: Vec<Candidate>,
    next: usize,
    /// Serial speeds to try, the setting first (empty over Modbus TCP); the one found stays.
    bauds: Vec<u32>,
    baud_index: usize,
    /// When the round of tries under way started.
    round_started_s: f64,
    started_s: f64,
}

#[derive(Debug)]
pub struct Card {
    detection: Detection,
    /// Set once a map answered.
    poller: Option<Poller>,
    poll: PollConfig,
    /// Whether the card has said the UPS is lost (and not yet found again).
    lost: bool,
    rules: Arc<Rules>,
    alarms: AlarmTable,
    view: View,
    logs: Logs,
    intervals: Intervals,
    /// The conditions of the last complete poll (`None` before the first: the state found
    /// then is no transfer).
    conditions: Option<BTreeSet<Condition>>,
    polled_at_s: Option<f64>,
    battery_tests: BatteryTests,
    /// The last log write error, shown by the API until a write succeeds.
    log_error: Option<String>,
    notifier: Notifier,
}

impl Card {
    /// A card that starts now (card time `now_s`) and will find which of `candidates` the
    /// UPS speaks; it writes "Cold boot" to its events log.
    pub fn new(
        candidates: Vec<Candidate>,
        poll: PollConfig,
        intervals: Intervals,
        logs: Logs,
        now_s: f64,
        stamp: Stamp,
    ) -> Self {
        let rules = candidates.first().map(|(_, rules)| rules.clone()).expect("at least one map to try");
        let view = derive::view(&Database::default(), &rules, false, false);
        let detection = Detection {
            candidates,
            next: 0,
            bauds: Vec::new(),
            baud_index: 0,
            round_started_s: now_s,
            started_s: now_s,
        };
        let mut card = Self {
            detection,
            poller: None,
            poll,
            lost: false,
            rules,
            alarms: AlarmTable::default(),
            view,
            logs,
            intervals,
            conditions: None,
            polled_at_s: None,
            battery_tests: BatteryTests::default(),
            log_error: None,
            notifier: Notifier::default(),
        };
        card.card_event(stamp, Severity::Information, "Cold boot");
        card.notifier.raise(stamp, catalogue::AGENT_RESTARTING, Detail::None);
        card
    }

    /// Serial speeds to try when looking for the UPS, in order (automatic discovery, §18.2).
    pub fn trying_bauds(mut self, bauds: Vec<u32>) -> Self {
        self.detection.bauds = bauds;
        self
    }

    /// The speed the next read goes out at: the one being tried, or the one found; `None`
    /// when no speeds were given (Modbus TCP, or a fixed line left as it is).
    pub fn baud(&self) -> Option<u32> {
        self.detection.bauds.get(self.detection.baud_index).copied()
    }

    /// The read due at card time `now_s`, if one is.
    pub fn due(&mut self, now_s: f64) -> Option<ReadRequest> {
        let waiting = self.wait_s(now_s) > 0.0;
        match &mut self.poller {
            Some(poller) => poller.due(now_s),
            None if waiting => None,
            None => {
                let (map, _) = &self.detection.candidates[self.detection.next];
                crate::plan::plan(map).first().copied()
            }
        }
    }

    /// Seconds from `now_s` until a read is due.
    pub fn wait_s(&self, now_s: f64) -> f64 {
        match &self.poller {
            Some(poller) => poller.wait_s(now_s),
            // A round of tries starts every polling period.
            None if self.detection.next == 0 => (self.detection.round_started_s - now_s).max(0.0),
            None => 0.0,
        }
    }

    /// A detection try answered: the map is found, or the next one is tried.
    fn detecting(&mut self, now_s: f64, answer: Result<&[u16], ReadError>) -> Vec<PollEvent> {
        let detection = &mut self.detection;
        if answer.is_ok() {
            let (map, rules) = detection.candidates.swap_remove(detection.next);
            self.rules = rules;
            self.poller = Some(Poller::new(map, self.poll, now_s));
            return Vec::new();
        }
        detection.next += 1;
        if detection.next == detection.candidates.len() {
            detection.next = 0;
            detection.baud_index += 1;
            if detection.baud_index >= detection.bauds.len() {
                detection.baud_index = 0;
                detection.round_started_s += self.poll.period_s;
            }
        }
        let silent_s = now_s - detection.started_s;
        if !self.lost && silent_s >= self.poll.lost_after_s { vec![PollEvent::CommLost] } else { Vec::new() }
    }

    /// What became of the read `due` gave, at card time `now_s` and calendar time `stamp`.
    pub fn answered(
        &mut self,
        now_s: f64,
        stamp: Stamp,
        answer: Result<&[u16], ReadError>,
    ) -> Vec<PollEvent> {
        let mut events = match &mut self.poller {
            Some(poller) => poller.answered(now_s, answer),
            None => self.detecting(now_s, answer),
        };
        if self.lost && events.contains(&PollEvent::FirstPoll) {
            // Lost while looking for the map, found now.
            events.insert(0, PollEvent::CommRestored);
        }
        for event in &events {
            match event {
                PollEvent::FirstPoll => {}
                PollEvent::CommLost => {
                    self.lost = true;
                    self.ups_event(stamp, Severity::Critical, "UPS not connected");
                    self.card_event(stamp, Severity::Critical, "UPS communication lost");
                    self.notifier.raise(stamp, catalogue::COMMUNICATION_LOST, Detail::None);
                    self.refresh(now_s, stamp, false);
                }
                PollEvent::CommRestored => {
                    self.lost = false;
                    if self.polled_at_s.is_some() {
                        self.ups_event(stamp, Severity::Information, "UPS connected");
                    }
                    self.card_event(stamp, Severity::Information, "UPS communication restored");
                    self.notifier.raise(stamp, catalogue::COM_ESTABLISHED, Detail::None);
                }
                PollEvent::Cycle => {
                    if self.polled_at_s.is_none() {
                        self.ups_event(stamp, Severity::Information, "UPS connected");
                    }
                    self.polled_at_s = Some(now_s);
                    self.refresh(now_s, stamp, true);
                    let database = self.poller.as_ref().map_or(&NO_DATABASE, Poller::database);
                    self.logs.on_cycle(now_s, stamp, database, self.intervals);
                }
            }
        }
        events
    }

    /// Re-derives the view and the alarm table, logging what changed.
    fn refresh(&mut self, now_s: f64, stamp: Stamp, online: bool) {
        let database = self.poller.as_ref().map_or(&NO_DATABASE, Poller::database);
        let changes = self.alarms.update(database, &self.rules, online, stamp);
        let on = database.bits_on();
        let conditions = if online { Some(self.rules.holding(&on)) } else { self.conditions.clone() };
        let view = derive::view(database, &self.rules, online, self.alarms.count() > 0);
        if online {
            let minutes =
                derive::tables::values(database, "remaining_runtime_min").into_iter().flatten().next();
            let minutes = minutes.map(|m| m.round() as i32);
            self.notifier.after_poll(now_s, stamp, &self.rules, &on, minutes, &changes);
        }
        let mut lines = Vec::new();
        for change in changes {
            match change {
                Change::Added(alarm) => lines.push((alarm.level, alarm.description)),
                Change::Removed(alarm) => {
                    lines.push((alarm.level, format!("{} has been removed", alarm.description)))
                }
                Change::WellKnownAdded(_) | Change::WellKnownRemoved(_) => {}
            }
        }
        if online && view.ups_status != self.view.ups_status {
            lines.push((Severity::Information, view.ups_status.to_string()));
        }
        if let (Some(before), Some(after)) = (&self.conditions, &conditions) {
            if let Some(summary) = crate::battery_test::ended(before, after) {
                self.notifier.raise(stamp, catalogue::TEST_COMPLETED, Detail::TestCompleted { summary });
            }
            self.battery_tests.observe(before, after, stamp);
            for (condition, starts, ends) in STATUS_EVENTS {
                match (before.contains(condition), after.contains(condition)) {
                    (false, true) => lines.push((Severity::Information, starts.to_string())),
                    (true, false) => lines.extend(ends.map(|text| (Severity::Information, text.to_string()))),
                    _ => {}
                }
            }
        }
        for (level, text) in lines {
            self.ups_event(stamp, level, &text);
        }
        self.view = view;
        self.conditions = conditions;
    }

    /// What the log writer made of the last writes: a failure is shown by the API until a
    /// write succeeds, and the logs it hit are written whole next time.
    pub fn logs_written(&mut self, result: Result<(), WriteFailed>) {
        self.log_error = match result {
            Ok(()) => None,
            Err(failed) => {
                self.logs.rewrite_later(&failed.kinds);
                Some(format!("cannot write the logs: {}", failed.error))
            }
        };
    }

    pub fn ups_event(&mut self, stamp: Stamp, level: Severity, text: &str) {
        self.logs.ups_event(stamp, level, text);
    }

    /// A card events log line about what a service did (mails, Wake-on-LAN, shutdown).
    pub fn service_event(&mut self, stamp: Stamp, level: Severity, text: &str) {
        self.logs.service_event(stamp, level, text);
    }

    pub fn card_event(&mut self, stamp: Stamp, level: Severity, text: &str) {
        self.logs.card_event(stamp, level, text);
    }

    /// New poll and log settings, from the next cycle on.
    pub fn configure(&mut self, poll: PollConfig, intervals: Intervals) {
        self.poll = poll;
        self.intervals = intervals;
        if let Some(poller) = &mut self.poller {
            poller.set_config(poll);
        }
    }

    /// Acknowledges the active alarms (§12.1.4), logged as "Alarm Acknowledgement".
    pub fn acknowledge_alarms(&mut self, stamp: Stamp) -> usize {
        let count = self.alarms.acknowledge();
        self.ups_event(stamp, Severity::Information, "Alarm Acknowledgement");
        count
    }

    /// Whether the UPS answers now (what the controls and the agents' "not managed" need).
    pub fn online(&self) -> bool {
        self.comm() == Comm::Online
    }

    pub fn comm(&self) -> Comm {
        match &self.poller {
            Some(poller) => poller.comm(),
            None if self.lost => Comm::Lost,
            None => Comm::Unknown,
        }
    }

    /// The map the UPS speaks, once found.
    pub fn map(&self) -> Option<&RegisterMap> {
        self.poller.as_ref().map(Poller::map)
    }

    /// The UPS's registers as last read, once the map is found.
    pub fn words(&self) -> Option<&crate::database::Words> {
        self.poller.as_ref().map(Poller::words)
    }

    pub fn database(&self) -> &Database {
        self.poller.as_ref().map_or(&NO_DATABASE, Poller::database)
    }

    pub fn view(&self) -> &View {
        &self.view
    }

    pub fn alarms(&self) -> &AlarmTable {
        &self.alarms
    }

    pub fn logs(&self) -> &Logs {
        &self.logs
    }

    pub fn logs_mut(&mut self) -> &mut Logs {
        &mut self.logs
    }

    /// The conditions of the last complete poll.
    pub fn conditions(&self) -> Option<&BTreeSet<Condition>> {
        self.conditions.as_ref()
    }

    /// The controls of the UPS's map and whether each is allowed now (§16.1); none before
    /// the map is known.
    pub fn controls(&self) -> Vec<crate::controls::Control> {
        let online = self.online();
        let plugs = self.database().model_value(ups_models::map::ModelField::PowerSharePlugs);
        self.map().map(|map| crate::controls::list(map, self.conditions(), online, plugs)).unwrap_or_default()
    }

    /// The battery test page (§16.2).
    pub fn battery_test(&self) -> crate::battery_test::BatteryTestView {
        self.battery_tests.view(self.conditions.as_ref())
    }

    /// The poller, once the map is known: its reads and how long the last cycle took.
    pub fn poller(&self) -> Option<&Poller> {
        self.poller.as_ref()
    }

    pub fn polled_at_s(&self) -> Option<f64> {
        self.polled_at_s
    }

    /// The rules of the map found (or of the first candidate before one is).
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The events raised so far (traps, mails and syslog are made of them).
    pub fn notices(&self) -> &Notifier {
        &self.notifier
    }

    /// Whether what `notice` reported still holds (the mail "delay before sending",
    /// §18.9): an event of the UPS's bits while they hold, an alarm row while it is in the
    /// table, a lost or found link while it stays so; the card's one-off events always.
    pub fn still_present(&self, notice: &crate::notify::Notice) -> bool {
        match (notice.trap, &notice.detail) {
            (catalogue::ALARM_ENTRY_ADDED, Detail::AlarmEntry { id, .. }) => {
                self.alarms.well_known.iter().any(|row| row.id == *id)
            }
            (catalogue::COMMUNICATION_LOST, _) => self.comm() == Comm::Lost,
            (catalogue::COM_ESTABLISHED, _) => self.online(),
            (trap, _) if self.rules.traps.iter().any(|rule| rule.number == trap) => {
                self.notifier.holding(trap)
            }
            _ => true,
        }
    }

    /// Raises an event of the card's own (a test trap, the shutdown manager's warnings).
    pub fn raise(&mut self, stamp: Stamp, trap: u8, detail: Detail) {
        self.notifier.raise(stamp, trap, detail);
    }

    pub fn log_error(&self) -> Option<&str> {
        self.log_error.as_deref()
    }
}
