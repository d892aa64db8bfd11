//! The card on tokio's clock: the system clock standalone, or virtual time when the runtime
//! started paused. Sends the core's reads through a Modbus master and hands it the answers;
//! the API reads the same `Agent` under a lock held only between awaits.

use crate::alarms::Severity;
use crate::clock::Clock;
use crate::config::Config;
use crate::core::Card;
use crate::link::Master;
use crate::poller::PollEvent;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

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
    /// Where `config` is kept; `None`: settings live in memory only (co-simulation).
    pub config_path: Option<PathBuf>,
}

impl Agent {
    /// Validates `text` as a whole configuration and puts it in force: saved, applied to
    /// the poll and logs, every changed setting logged "… has been changed via `via` by
    /// `by`". A bad file changes nothing.
    pub fn replace_config(&mut self, text: &str, via: &str, by: &str) -> Result<Vec<&'static str>, String> {
        let config = Config::parse(text).map_err(|e| format!("{}:{}: {}", e.line, e.column, e.message))?;
        self.put_config(config, via, by)
    }

    /// Puts `config` (already valid) in force; see `replace_config`.
    pub fn put_config(&mut self, config: Config, via: &str, by: &str) -> Result<Vec<&'static str>, String> {
        if let Some(path) = &self.config_path {
            config.save(path).map_err(|e| format!("cannot save {}: {e}", path.display()))?;
        }
        let changed = config.changed_from(&self.config);
        self.card.configure(config.poll(), config.intervals());
        let stamp = self.clock.stamp();
        for setting in &changed {
            self.card.card_event(
                stamp,
                Severity::Information,
                &format!("{setting} has been changed via {via} by {by}"),
            );
        }
        self.config = config;
        Ok(changed)
    }
}

#[derive(Debug, Clone)]
pub struct Shared(Arc<Mutex<Agent>>);

impl Shared {
    pub fn new(agent: Agent) -> Self {
        Self(Arc::new(Mutex::new(agent)))
    }

    /// The agent; a panic elsewhere while it was held does not make it unreadable.
    pub fn lock(&self) -> MutexGuard<'_, Agent> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Polls for ever; `on_event` hears every poll event with the agent after it.
pub async fn poll(mut master: Master, shared: Shared, mut on_event: impl FnMut(PollEvent, &Agent)) {
    loop {
        let (request, wait_s) = {
            let mut agent = shared.lock();
            let now_s = agent.clock.now_s();
            (agent.card.due(now_s), agent.card.wait_s(now_s))
        };
        let Some(request) = request else {
            // Never spin: a read is due within a polling period.
            tokio::time::sleep(Duration::from_secs_f64(wait_s.max(0.001))).await;
            continue;
        };
        let answer = master.read(request).await;
        let mut agent = shared.lock();
        let (now_s, stamp) = (agent.clock.now_s(), agent.clock.stamp());
        let events = agent.card.answered(now_s, stamp, answer.as_deref().map_err(Clone::clone));
        for event in events {
            on_event(event, &agent);
        }
    }
}
