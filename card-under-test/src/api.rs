//! The card's REST/JSON API (axum): the one API the web pages, the GUI and the scenario
//! observers read. Endpoints are listed in this crate's README.

use crate::database::{FlagState, Reading};
use crate::run::{Shared, Snapshot};
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Serialize;

/// `GET /api/status`: the UPS as the card sees it now.
#[derive(Debug, Serialize)]
struct Status<'a> {
    comm: crate::poller::Comm,
    map: &'a str,
    link: &'a str,
    polled_at_s: Option<f64>,
    reference: Option<&'a str>,
    serial_number: Option<&'a str>,
    clock: Option<crate::database::UpsClock>,
    /// Status bits set.
    status: Vec<&'a FlagState>,
    /// Alarm bits set.
    alarms: Vec<&'a FlagState>,
    /// Every value of the map; `value: null` when the UPS does not manage it.
    measurements: &'a [Reading],
}

fn status(snapshot: &Snapshot) -> Status<'_> {
    let database = &snapshot.database;
    let set = |table: &str| database.flags.iter().filter(|f| f.on && f.table == table).collect();
    Status {
        comm: snapshot.comm,
        map: &snapshot.map,
        link: &snapshot.link,
        polled_at_s: snapshot.polled_at_s,
        reference: database.reference.as_deref(),
        serial_number: database.serial_number.as_deref(),
        clock: database.clock,
        status: set("status"),
        alarms: set("alarms"),
        measurements: &database.readings,
    }
}

async fn get_status(State(shared): State<Shared>) -> axum::Json<serde_json::Value> {
    let snapshot = shared.read().unwrap_or_else(|p| p.into_inner());
    axum::Json(serde_json::to_value(status(&snapshot)).unwrap_or_default())
}

/// `GET /api/flags`: every status and alarm bit of the map, set or not.
async fn get_flags(State(shared): State<Shared>) -> axum::Json<Vec<FlagState>> {
    axum::Json(shared.read().unwrap_or_else(|p| p.into_inner()).database.flags.clone())
}

pub fn router(shared: Shared) -> Router {
    Router::new().route("/api/status", get(get_status)).route("/api/flags", get(get_flags)).with_state(shared)
}
