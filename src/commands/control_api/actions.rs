//! Acting on the twin: faults and wire faults injected and cleared, commands, the load —
//! all through the twin's `ControlPlane`, as the window and the scenario runner act.

use super::body::JsonBody;
use super::{Api, ApiError, error};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use sim::twin::control::{Control, ControlError, Done};
use sim::ups::commands::Command;
use sim::ups::faults::{Fault, FaultKind};
use sim::wire::faults::{WireFault, WireFaultKind};
use std::collections::BTreeMap;

/// A fault, wire fault or command by name (`upstwin faults`, `upstwin faults --wire`,
/// `upstwin commands` list them with their parameters and ranges).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "name": "mains_sag", "params": { "voltage_pct": 70 } }))]
pub(super) struct Named {
    name: String,
    /// Numeric parameters by name; those left out take their defaults.
    #[serde(default)]
    params: BTreeMap<String, f64>,
}

/// Applies an action and answers as the API says: `body` on success; 404 for something
/// not in force, 409 for a refused command, 422 for a fault the model cannot have, 400
/// for the rest.
fn apply(api: &Api, control: Control, body: impl FnOnce(Done) -> Value) -> Response {
    match api.plane.apply(control) {
        Ok(done) => Json(body(done)).into_response(),
        Err(e) => {
            let status = match e {
                ControlError::NotInForce(_) | ControlError::WireNotInForce(_) => StatusCode::NOT_FOUND,
                ControlError::Refused(_) => StatusCode::CONFLICT,
                ControlError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                ControlError::BadLoad(_) | ControlError::NoWire => StatusCode::BAD_REQUEST,
            };
            error(status, e.to_string())
        }
    }
}

/// Injects a UPS fault (mains, bypass, load, battery, internal failures); it holds until
/// cleared.
#[utoipa::path(
    post,
    path = "/api/faults",
    tag = "faults",
    request_body(content = Named, example = json!({ "name": "mains_blackout" })),
    responses(
        (status = 200, description = "In force", body = Object, example = json!({ "injected": "mains_blackout" })),
        (status = 400, description = "Unknown fault (with the close names) or a parameter out of its range", body = ApiError),
        (status = 422, description = "A fault this model cannot have, or a body of another shape", body = ApiError),
    )
)]
pub(super) async fn inject(State(api): State<Api>, JsonBody(body): JsonBody<Named>) -> Response {
    match Fault::with_params(&body.name, &body.params) {
        Ok(fault) => apply(&api, Control::Inject(fault), |_| json!({ "injected": body.name })),
        Err(e) => error(StatusCode::BAD_REQUEST, e.0),
    }
}

/// Clears every fault of the kind.
#[utoipa::path(
    delete,
    path = "/api/faults/{name}",
    tag = "faults",
    params(("name" = String, Path, description = "The fault's name", example = "mains_blackout")),
    responses(
        (status = 200, description = "Cleared", body = Object, example = json!({ "cleared": "mains_blackout", "count": 1 })),
        (status = 404, description = "Unknown fault, or none of the kind in force", body = ApiError),
    )
)]
pub(super) async fn clear(State(api): State<Api>, Path(name): Path<String>) -> Response {
    match FaultKind::parse(&name) {
        Ok(kind) => apply(&api, Control::Clear(kind), |done| match done {
            Done::Cleared(_, count) => json!({ "cleared": name, "count": count }),
            _ => json!({ "cleared": name }),
        }),
        Err(e) => error(StatusCode::NOT_FOUND, e.0),
    }
}

/// Injects a fault on the wire (late or lost replies, CRC errors, a line break…); a
/// duration runs on the twin's clock.
#[utoipa::path(
    post,
    path = "/api/wire-faults",
    tag = "faults",
    request_body(content = Named, example = json!({ "name": "late_response", "params": { "delay_ms": 800, "probability": 0.3 } })),
    responses(
        (status = 200, description = "In force", body = Object, example = json!({ "injected": "late_response" })),
        (status = 400, description = "Unknown wire fault, a parameter out of range, or no wire served", body = ApiError),
        (status = 422, description = "A body of another shape", body = ApiError),
    )
)]
pub(super) async fn inject_wire(State(api): State<Api>, JsonBody(body): JsonBody<Named>) -> Response {
    match WireFault::with_params(&body.name, &body.params) {
        Ok(fault) => apply(&api, Control::InjectWire(fault), |_| json!({ "injected": body.name })),
        Err(e) => error(StatusCode::BAD_REQUEST, e.0),
    }
}

/// Clears a wire fault.
#[utoipa::path(
    delete,
    path = "/api/wire-faults/{name}",
    tag = "faults",
    params(("name" = String, Path, description = "The wire fault's name", example = "late_response")),
    responses(
        (status = 200, description = "Cleared", body = Object, example = json!({ "cleared": "late_response" })),
        (status = 404, description = "Unknown wire fault, or not in force", body = ApiError),
    )
)]
pub(super) async fn clear_wire(State(api): State<Api>, Path(name): Path<String>) -> Response {
    match WireFaultKind::parse(&name) {
        Ok(kind) => apply(&api, Control::ClearWire(kind), |_| json!({ "cleared": name })),
        Err(e) => error(StatusCode::NOT_FOUND, e.0),
    }
}

/// Sends a command as the UPS's front panel or a card would (battery test, eco,
/// transfers, shutdown…); the firmware may refuse it.
#[utoipa::path(
    post,
    path = "/api/commands",
    tag = "commands",
    request_body(content = Named, example = json!({ "name": "shutdown", "params": { "delay_s": 60, "restart_delay_s": 120 } })),
    responses(
        (status = 200, description = "Taken", body = Object, example = json!({ "accepted": "battery_test" })),
        (status = 400, description = "Unknown command or a parameter out of range", body = ApiError),
        (status = 409, description = "Refused by the firmware, with its reason", body = ApiError),
        (status = 422, description = "A body of another shape", body = ApiError),
    )
)]
pub(super) async fn command(State(api): State<Api>, JsonBody(body): JsonBody<Named>) -> Response {
    match Command::with_params(&body.name, &body.params) {
        Ok(command) => apply(&api, Control::Command(command), |_| json!({ "accepted": body.name })),
        Err(e) => error(StatusCode::BAD_REQUEST, e.0),
    }
}

/// The whole load (`pct`, spread over the phases) or each phase's (`phases_pct`, % of its
/// share of the rating).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "pct": 75 }))]
pub(super) struct LoadBody {
    /// % of the rating, spread over the phases.
    pct: Option<f64>,
    /// % of each phase's share of the rating, one to three values.
    phases_pct: Option<Vec<f64>>,
}

/// Sets the load the UPS feeds.
#[utoipa::path(
    post,
    path = "/api/load",
    tag = "load",
    request_body(content = LoadBody, example = json!({ "phases_pct": [100, 50, 0] })),
    responses(
        (status = 200, description = "Set", body = Object, example = json!({ "load_pct": 75.0 })),
        (status = 400, description = "Neither or both of pct and phases_pct, or a load out of range", body = ApiError),
        (status = 422, description = "A body of another shape", body = ApiError),
    )
)]
pub(super) async fn load(State(api): State<Api>, JsonBody(body): JsonBody<LoadBody>) -> Response {
    match (body.pct, body.phases_pct) {
        (Some(pct), None) => apply(&api, Control::Load(pct), |_| json!({ "load_pct": pct })),
        (None, Some(phases)) if (1..=3).contains(&phases.len()) => {
            apply(&api, Control::PhaseLoads(phases.clone()), |_| json!({ "phases_pct": phases }))
        }
        _ => error(StatusCode::BAD_REQUEST, "give pct, or phases_pct with one to three values"),
    }
}
