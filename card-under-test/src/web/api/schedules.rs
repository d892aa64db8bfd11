//! `/api/schedules`: the battery test, eco mode and shutdown schedules (§16.3–16.6) and
//! when each next falls due.

use super::{Refusal, json};
use crate::clock::Stamp;
use crate::role::Role;
use crate::run::Shared;
use crate::schedules::{self, Schedules};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

/// The next moment of each kind, as the pages print times (`dd/mm/yyyy hh:mm:ss`).
#[derive(Debug, Serialize)]
struct NextPrinted {
    battery_test: Option<String>,
    eco_on: Option<String>,
    eco_off: Option<String>,
    shutdown: Option<String>,
    restart: Option<String>,
}

fn printed(at_s: Option<i64>) -> Option<String> {
    at_s.map(|s| Stamp::from_unix_s(s as f64).to_string())
}

/// `GET /api/schedules`: the schedules in force and their next moments.
pub async fn get(_role: Role, State(shared): State<Shared>) -> Response {
    let agent = shared.lock();
    let schedules = &agent.config.schedules;
    let next = schedules.next(agent.clock.calendar_s().floor() as i64);
    let map = agent.card.map().map(|m| m.name.as_str());
    json(&serde_json::json!({
        "schedules": schedules,
        "battery_test_schedule_allowed": map.is_some_and(schedules::battery_test_schedule_allowed),
        "next": NextPrinted {
            battery_test: printed(next.battery_test_s),
            eco_on: printed(next.eco_on_s),
            eco_off: printed(next.eco_off_s),
            shutdown: printed(next.shutdown_s),
            restart: printed(next.restart_s),
        },
    }))
}

/// `PUT /api/schedules`, body the schedules as `GET` gives them: put in force whole and
/// saved with the configuration, or refused whole: 400 for a bad form, 409 for a new
/// battery test schedule on a UPS that is not VU-MAP (§16.3) or not found yet. The
/// battery test schedule in force may be sent back unchanged whatever the UPS.
pub async fn put(role: Role, State(shared): State<Shared>, body: String) -> Result<Response, Refusal> {
    role.may_change()?;
    let schedules: Schedules = serde_json::from_str(&body)
        .map_err(|e| (StatusCode::BAD_REQUEST, format!("expected the schedules as GET gives them: {e}")))?;
    if let Some(broken) = schedules.rule_broken() {
        return Err((StatusCode::BAD_REQUEST, broken));
    }
    let mut agent = shared.lock();
    let test = schedules.battery_test;
    if test != agent.config.schedules.battery_test && test.every_weeks.is_some() {
        match agent.card.map() {
            None => return Err((StatusCode::CONFLICT, "the UPS has not answered yet".into())),
            Some(map) if !schedules::battery_test_schedule_allowed(&map.name) => {
                return Err((StatusCode::CONFLICT, schedules::BATTERY_TEST_SCHEDULE_VU_MAP_ONLY.into()));
            }
            Some(_) => {}
        }
    }
    let mut config = agent.config.clone();
    config.schedules = schedules;
    let changed = agent
        .put_config(config, "REST API", role.name())
        .map_err(|refused| super::config_refusal(&refused))?;
    Ok(json(&changed))
}
