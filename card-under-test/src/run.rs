//! The card on tokio's clock: the system clock standalone, or virtual time when the runtime
//! started paused. Sends the core's reads through a Modbus master and hands it the answers;
//! the API reads the same `Agent` under a lock held only between awaits.

use crate::clock::Clock;
use crate::core::Card;
use crate::link::Master;
use crate::poller::PollEvent;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The card and where its UPS is.
#[derive(Debug)]
pub struct Agent {
    pub card: Card,
    /// `/dev/pts/3 at 9600 baud`, `127.0.0.1:1502`.
    pub link: String,
    pub clock: Clock,
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
