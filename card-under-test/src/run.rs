//! The card on tokio's clock: the system clock standalone, or virtual time when the runtime
//! started paused. Sends the core's reads through a Modbus master and hands it the answers;
//! the API reads the same `Agent` under a lock held only between awaits.

use crate::alarms::Severity;
use crate::clock::Clock;
use crate::config::Config;
use crate::controls::{self, Write};
use crate::core::Card;
use crate::link::Master;
use crate::logs::{LogKind, LogWriter, WriteFailed};
use crate::poller::{PollEvent, ReadError};
use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{Notify, oneshot, watch};

/// How often the UPS clock is set again while synchronisation is on (§18.1).
const CLOCK_SYNC_EVERY_S: f64 = 86_400.0;
/// After a failed setting, it is tried again this much later.
const CLOCK_RETRY_S: f64 = 3_600.0;
/// Longest wait for a write's turn and answer: a poll loop that has stopped answers nobody.
const WRITE_WAIT: Duration = Duration::from_secs(10);
/// After the logs could not be written, the next try comes this much later.
const LOG_RETRY: Duration = Duration::from_secs(1);

/// A write waiting for its turn on the line, and who waits for its outcome.
#[derive(Debug)]
pub struct Pending {
    pub write: Write,
    /// What it does, for the card events log.
    pub label: String,
    pub asker: Asker,
}

/// Who asked for a write, and so who logs its outcome.
#[derive(Debug)]
pub enum Asker {
    /// An API request, waiting for the UPS's answer (it logs the outcome; if it has gone,
    /// the card does).
    Request(oneshot::Sender<Result<(), ReadError>>),
    /// The daily UPS clock setting: tried again later after a failure.
    ClockSync,
    /// A schedule, with what the UPS events log says once the UPS took it (§21.3).
    Schedule { ups_event: Option<&'static str> },
}

/// The card, where its UPS is, and its settings.
#[derive(Debug)]
pub struct Agent {
    pub card: Card,
    /// `/dev/pts/3 at 9600 baud`, `127.0.0.1:1502`.
    pub link: String,
    /// The serial line's speed; `None` over Modbus TCP.
    pub line_baud: Option<u32>,
    pub clock: Clock,
    pub config: Config,
    /// The settings the card started with: the serial line and the Modbus TCP port keep
    /// them until a restart.
    running: Config,
    /// Where `config` is kept; `None`: settings live in memory only (co-simulation).
    pub config_path: Option<PathBuf>,
    /// Writes to send before the next read.
    pub writes: VecDeque<Pending>,
    /// When the UPS clock was last set (card time).
    pub clock_synced_s: Option<f64>,
    /// Up to when the schedules have been looked at (card calendar time, Unix s).
    pub(crate) schedules_seen_s: Option<i64>,
    /// Where mails, syslog messages, magic packets and the agents' messages go.
    pub outlet: crate::outlet::Outlet,
    /// Traps sent since the card started, every receiver counted (a fleet's metrics).
    pub traps_sent: u64,
}

impl Agent {
    /// Validates `text` as a whole configuration and puts it in force: saved, applied to
    /// the poll and logs, every changed setting logged "… has been changed via `via` by
    /// `by`". A bad file changes nothing.
    pub fn replace_config(&mut self, text: &str, via: &str, by: &str) -> Result<Changed, ConfigRefused> {
        let config = Config::parse(text)
            .map_err(|e| ConfigRefused::Invalid(format!("{}:{}: {}", e.line, e.column, e.message)))?;
        self.put_config(config, via, by)
    }

    /// Puts `config` (already valid) in force; see `replace_config`. Settings that take
    /// effect only at the next restart are saved, said in the log line, and listed in
    /// `restart_needed`.
    pub fn put_config(&mut self, config: Config, via: &str, by: &str) -> Result<Changed, ConfigRefused> {
        if let Some(path) = &self.config_path {
            config.save(path).map_err(|error| ConfigRefused::Unsaved { path: path.clone(), error })?;
        }
        let changed = config.changed_from(&self.config);
        // Of the settings changed now, those the card started with still rule until a restart.
        let mut restart_needed = config.needing_restart(&self.running);
        restart_needed.retain(|setting| changed.contains(setting));
        self.card.configure(config.poll(), config.intervals());
        let stamp = self.clock.stamp();
        for setting in &changed {
            let later = if restart_needed.contains(setting) { " (applies at the next restart)" } else { "" };
            self.card.card_event(
                stamp,
                Severity::Information,
                &format!("{setting} has been changed via {via} by {by}{later}"),
            );
        }
        self.config = config;
        Ok(Changed { changed, restart_needed })
    }
}

/// Why a configuration was not put in force; nothing changed either way. The caller's
/// fault or the card's: a form gets 400 for the one, 500 for the other.
#[derive(Debug, thiserror::Error)]
pub enum ConfigRefused {
    /// Not a valid configuration: `line:col: what`.
    #[error("{0}")]
    Invalid(String),
    #[error("cannot save {}: {error}", path.display())]
    Unsaved { path: PathBuf, error: std::io::Error },
}

/// What a new configuration changed, and which of those changes wait for a restart.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Changed {
    pub changed: Vec<&'static str>,
    pub restart_needed: Vec<&'static str>,
}

impl Agent {
    /// §16.2's row: the card's view of the last test, with the next one from the schedule
    /// (§16.3) where the UPS allows a schedule.
    pub fn battery_test(&self) -> crate::battery_test::BatteryTestView {
        let mut view = self.card.battery_test();
        if self.card.map().is_some_and(|map| crate::schedules::battery_test_schedule_allowed(&map.name)) {
            view.next_test_days =
                self.config.schedules.battery_test_in_days(self.clock.calendar_s().floor() as i64);
        }
        view
    }

    /// The card with no write waiting and the UPS clock not yet set.
    pub fn new(card: Card, link: String, line_baud: Option<u32>, clock: Clock, config: Config) -> Self {
        Self {
            card,
            link,
            line_baud,
            clock,
            running: config.clone(),
            config,
            config_path: None,
            writes: VecDeque::new(),
            clock_synced_s: None,
            schedules_seen_s: None,
            outlet: crate::outlet::Outlet::Network,
            traps_sent: 0,
        }
    }

    /// Queues the UPS clock setting when synchronisation is on (§18.1: at the first poll,
    /// then daily) and the map has a clock.
    fn sync_clock_if_due(&mut self) {
        let now_s = self.clock.now_s();
        let due = self.clock_synced_s.is_none_or(|at| now_s - at >= CLOCK_SYNC_EVERY_S);
        if !(self.config.synchronize_ups_clock && due && self.card.online()) {
            return;
        }
        let Some(map) = self.card.map() else { return };
        let Ok(write) = controls::write(map, controls::SET_CLOCK, &BTreeMap::new(), self.clock.stamp())
        else {
            return;
        };
        // Marked now so one setting is queued; moved back on failure (see `note_write`).
        self.clock_synced_s = Some(now_s);
        let label = format!("UPS date and time set to {}", self.clock.stamp());
        self.writes.push_back(Pending { write, label, asker: Asker::ClockSync });
    }
}

/// The card shared by the poll loop, the API and the services.
#[derive(Debug, Clone)]
pub struct Shared {
    agent: Arc<Mutex<Agent>>,
    /// Wakes the poll loop when a write is queued.
    wake_poll: Arc<Notify>,
    /// The news the services wait on: the last event raised, the last events log line.
    news: Arc<watch::Sender<News>>,
    /// The logs' files; held while a batch is written so batches reach the disk in order.
    log_writer: Arc<tokio::sync::Mutex<LogWriter>>,
    /// Wakes the log writer when a lock released leaves log records to write.
    wake_log_writer: Arc<Notify>,
}

/// What the services wait on: the sequence numbers of the last event raised and of the
/// last events log line written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct News {
    pub last_event: u64,
    pub last_log_line: u64,
}

fn news(agent: &Agent) -> News {
    News { last_event: agent.card.notices().last_seq(), last_log_line: agent.card.logs().last_event_line() }
}

/// The agent, locked; whatever was raised or logged meanwhile is announced on release, and
/// records left to write wake the log writer.
#[derive(Debug)]
pub struct Locked<'a> {
    guard: MutexGuard<'a, Agent>,
    news: &'a watch::Sender<News>,
    wake_log_writer: &'a Notify,
}

impl std::ops::Deref for Locked<'_> {
    type Target = Agent;

    fn deref(&self) -> &Agent {
        &self.guard
    }
}

impl std::ops::DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut Agent {
        &mut self.guard
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        let now = news(&self.guard);
        self.news.send_if_modified(|seen| std::mem::replace(seen, now) != now);
        if self.guard.card.logs().has_writes() {
            self.wake_log_writer.notify_one();
        }
    }
}

impl Shared {
    /// The card and the writer of its logs' files.
    pub fn new(agent: Agent, log_writer: LogWriter) -> Self {
        let last = news(&agent);
        Self {
            agent: Arc::new(Mutex::new(agent)),
            wake_poll: Arc::new(Notify::new()),
            news: Arc::new(watch::channel(last).0),
            log_writer: Arc::new(tokio::sync::Mutex::new(log_writer)),
            wake_log_writer: Arc::new(Notify::new()),
        }
    }

    /// Puts the log records written so far on disk (blocking I/O, off the runtime's
    /// threads); says why when it could not. What the writer made of it is also kept for
    /// the API (`Card::log_error`).
    pub async fn flush_logs(&self) -> Result<(), String> {
        let mut writer = self.log_writer.clone().lock_owned().await;
        let writes = self.lock().card.logs_mut().take_writes();
        if writes.is_empty() {
            return Ok(());
        }
        let result = tokio::task::spawn_blocking(move || writer.write(writes)).await;
        let result = result.unwrap_or_else(|e| {
            Err(WriteFailed { kinds: LogKind::ALL.to_vec(), error: std::io::Error::other(e.to_string()) })
        });
        let why = result.as_ref().err().map(|failed| failed.error.to_string());
        self.lock().card.logs_written(result);
        why.map_or(Ok(()), Err)
    }

    /// The log writer: writes whatever the card logged, as soon as it is logged; after a
    /// failure it tries again a second later, writing the failed logs whole.
    pub async fn write_logs(self) {
        loop {
            self.wake_log_writer.notified().await;
            if self.flush_logs().await.is_err() {
                tokio::time::sleep(LOG_RETRY).await;
            }
        }
    }

    /// Changes whenever the card raises events or writes an events log line.
    pub fn notices(&self) -> watch::Receiver<News> {
        self.news.subscribe()
    }

    /// The agent; a panic elsewhere while it was held does not make it unreadable.
    pub fn lock(&self) -> Locked<'_> {
        Locked {
            guard: self.agent.lock().unwrap_or_else(|p| p.into_inner()),
            news: &self.news,
            wake_log_writer: &self.wake_log_writer,
        }
    }

    /// Sends `write` to the UPS before the next read; resolves with the UPS's answer.
    pub async fn send(&self, write: Write, label: String) -> Result<(), ReadError> {
        let (reply, outcome) = oneshot::channel();
        self.lock().writes.push_back(Pending { write, label, asker: Asker::Request(reply) });
        self.wake_poll.notify_one();
        match tokio::time::timeout(WRITE_WAIT, outcome).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(_)) | Err(_) => Err(ReadError::Link("the card's poll loop did not take the write".into())),
        }
    }
}

/// Says in the logs what became of a write nobody waits for: the clock setting, a
/// schedule's control, or (`asker` `None`) a control whose requester has gone. A failed
/// clock setting is tried again later.
fn note_write(agent: &mut Agent, label: &str, asker: Option<&Asker>, outcome: &Result<(), ReadError>) {
    let stamp = agent.clock.stamp();
    match outcome {
        Ok(()) => {
            agent.card.card_event(stamp, Severity::Information, label);
            if let Some(Asker::Schedule { ups_event: Some(event) }) = asker {
                agent.card.ups_event(stamp, Severity::Information, event);
            }
        }
        Err(why) => {
            agent.card.card_event(stamp, Severity::Warning, &format!("Not done: {label} ({why})"));
            if let Some(Asker::ClockSync) = asker {
                agent.clock_synced_s = Some(agent.clock.now_s() - CLOCK_SYNC_EVERY_S + CLOCK_RETRY_S);
            }
        }
    }
}

/// Polls for ever; `on_event` hears every poll event with the agent after it.
pub async fn poll(mut master: Master, shared: Shared, mut on_event: impl FnMut(PollEvent, &Agent)) {
    loop {
        let (pending, request, wait_s) = {
            let mut agent = shared.lock();
            if master.set_baud(agent.card.baud()) {
                agent.line_baud = master.link().baud();
                agent.link = master.link().to_string();
            }
            agent.run_schedules();
            let now_s = agent.clock.now_s();
            let wait_s = agent.card.wait_s(now_s).min(agent.schedule_wait_s().unwrap_or(f64::INFINITY));
            match agent.writes.pop_front() {
                Some(pending) => (Some(pending), None, 0.0),
                None => (None, agent.card.due(now_s), wait_s),
            }
        };
        if let Some(Pending { write, label, asker }) = pending {
            let outcome = master.write(&write).await;
            let unheard = match asker {
                Asker::Request(reply) => reply.send(outcome).err().map(|outcome| (None, outcome)),
                other => Some((Some(other), outcome)),
            };
            if let Some((asker, outcome)) = unheard {
                note_write(&mut shared.lock(), &label, asker.as_ref(), &outcome);
            }
            continue;
        }
        let Some(request) = request else {
            // Never spin: a read or a schedule's moment is due then; a write wakes the loop.
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs_f64(wait_s.max(0.001))) => {}
                () = shared.wake_poll.notified() => {}
            }
            continue;
        };
        let answer = master.read(request).await;
        let mut agent = shared.lock();
        let (now_s, stamp) = (agent.clock.now_s(), agent.clock.stamp());
        let events = agent.card.answered(now_s, stamp, answer.as_deref().map_err(Clone::clone));
        for event in events {
            on_event(event, &agent);
        }
        agent.sync_clock_if_due();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::{Intervals, Logs};
    use crate::poller::PollConfig;

    fn agent_in(dir: &std::path::Path) -> (Agent, LogWriter) {
        let clock = Clock::starting_at(1_767_225_600.0);
        let (logs, writer) = Logs::open(dir, clock.stamp()).unwrap();
        let card = Card::new(
            crate::stack::bundled_maps(),
            PollConfig::default(),
            Intervals::default(),
            logs,
            0.0,
            clock.stamp(),
        );
        (Agent::new(card, "nowhere".into(), None, clock, Config::default()), writer)
    }

    /// A bad file is the caller's fault, a disk that refuses the card's: the API answers
    /// 400 for one and 500 for the other, and neither changes a setting.
    #[test]
    fn a_refused_configuration_says_whose_fault_it_is_and_changes_nothing() {
        let dir = std::env::temp_dir().join(format!("upstwin-config-refused-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (mut agent, _writer) = agent_in(&dir);
        let good =
            ron::ser::to_string(&Config { system_name: "Room 4".into(), ..Config::default() }).unwrap();

        let invalid = agent.replace_config("(system_name: 4)", "REST API", "admin").unwrap_err();
        assert!(matches!(&invalid, ConfigRefused::Invalid(why) if why.starts_with("1:")), "{invalid}");

        agent.config_path = Some(dir.join("no-such-directory").join("card.ron"));
        let unsaved = agent.replace_config(&good, "REST API", "admin").unwrap_err();
        println!("saving into a missing directory: {unsaved}");
        assert!(matches!(unsaved, ConfigRefused::Unsaved { .. }), "{unsaved}");
        assert_eq!(agent.config, Config::default(), "nothing changed");

        agent.config_path = Some(dir.join("card.ron"));
        let changed = agent.replace_config(&good, "REST API", "admin").unwrap();
        assert_eq!(changed.changed, ["System Name"]);
        assert_eq!(agent.config.system_name, "Room 4");
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn card_events(dir: &std::path::Path) -> String {
        std::fs::read_to_string(dir.join("card-events.csv")).unwrap_or_default()
    }

    /// The poll path only queues log records; the writer puts them on disk, says when it
    /// cannot, and once the disk is back writes whole every log it could not write.
    #[tokio::test]
    async fn the_log_writer_says_why_it_cannot_write_and_loses_nothing_once_it_can() {
        let dir = std::env::temp_dir().join(format!("upstwin-log-writer-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (agent, writer) = agent_in(&dir);
        let shared = Shared::new(agent, writer);
        assert!(!card_events(&dir).contains("Cold boot"), "queued, not yet written");
        shared.flush_logs().await.unwrap();
        assert!(card_events(&dir).contains("Cold boot"));

        std::fs::remove_dir_all(&dir).unwrap();
        let stamp = shared.lock().clock.stamp();
        shared.lock().card.card_event(stamp, Severity::Warning, "logged while the disk was away");
        let why = shared.flush_logs().await.unwrap_err();
        println!("with the state directory removed: {why}");
        assert_eq!(shared.lock().card.log_error(), Some(format!("cannot write the logs: {why}").as_str()));

        std::fs::create_dir_all(&dir).unwrap();
        shared.flush_logs().await.unwrap();
        assert_eq!(shared.lock().card.log_error(), None);
        let text = card_events(&dir);
        assert!(text.contains("Cold boot") && text.contains("logged while the disk was away"), "{text}");
    }
}
