//! The card on the system clock: finds which map the UPS speaks, then polls it for ever and
//! keeps the latest state where the API reads it. Events go to a callback (console, logs).

use crate::database::Database;
use crate::link::Master;
use crate::plan::plan;
use crate::poller::{Comm, PollConfig, PollEvent, Poller};
use serde::Serialize;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use ups_models::map::RegisterMap;

/// What the API shows: the latest complete poll and the link's state.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    pub comm: Comm,
    /// The register map in use (`jbusp`, `vumap`); empty until one answered.
    pub map: String,
    /// Where the UPS is (`/dev/pts/3 at 9600 baud`, `127.0.0.1:1502`).
    pub link: String,
    /// Seconds since the card started, at the last complete poll.
    pub polled_at_s: Option<f64>,
    pub database: Database,
}

pub type Shared = Arc<RwLock<Snapshot>>;

pub fn shared(link: String) -> Shared {
    Arc::new(RwLock::new(Snapshot {
        comm: Comm::Unknown,
        map: String::new(),
        link,
        polled_at_s: None,
        database: Database::default(),
    }))
}

/// The bundled map whose first table the UPS answers: JBUSP (identifiers at 0x1000), then
/// VU-MAP (configuration at 0x0001). `None` when neither answers.
pub async fn detect(master: &mut Master) -> Option<RegisterMap> {
    for name in ["jbusp", "vumap"] {
        let map = ups_models::maps::bundled(name)?;
        let first = *plan(&map).first()?;
        if master.read(first).await.is_ok() {
            return Some(map);
        }
    }
    None
}

/// Polls for ever; `on_event` hears every poll event with the state after it.
pub async fn poll(
    mut master: Master,
    map: RegisterMap,
    config: PollConfig,
    started: Instant,
    shared: Shared,
    mut on_event: impl FnMut(PollEvent, &Snapshot),
) {
    let now_s = || started.elapsed().as_secs_f64();
    let mut poller = Poller::new(map, config, now_s());
    if let Ok(mut snapshot) = shared.write() {
        snapshot.map = poller.map().name.clone();
    }
    loop {
        let Some(request) = poller.due(now_s()) else {
            tokio::time::sleep(Duration::from_secs_f64(poller.wait_s(now_s()))).await;
            continue;
        };
        let answer = master.read(request).await;
        let events = poller.answered(now_s(), answer.as_deref().map_err(Clone::clone));
        if events.is_empty() {
            continue;
        }
        let snapshot = {
            let mut snapshot = shared.write().unwrap_or_else(|p| p.into_inner());
            snapshot.comm = poller.comm();
            if events.contains(&PollEvent::Cycle) {
                snapshot.database = poller.database().clone();
                snapshot.polled_at_s = Some(now_s());
            }
            snapshot.clone()
        };
        for event in events {
            on_event(event, &snapshot);
        }
    }
}
