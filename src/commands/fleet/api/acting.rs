//! Acting on the fleet: faults injected and cleared, commands sent, on one device, a
//! group, a feed, a site or every device — now, or held until an instant (`at`) so that
//! every shard acts together; the actions held and those that ran.

use super::super::members::{Members, Outcome, Scope};
use super::super::schedule;
use crate::commands::control_api::body::JsonBody;
use crate::commands::control_api::{ApiError, error};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use sim::twin::control::Control;
use sim::ups::commands::Command;
use sim::ups::faults::{Fault, FaultKind};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Which devices: exactly one of `device`, `group`, `feed`, `site` or `all=true`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct Target {
    /// One device, by name.
    #[param(example = "hq-srv-001")]
    device: Option<String>,
    /// A group of the fleet file.
    group: Option<String>,
    /// A feed of the fleet file.
    feed: Option<String>,
    /// A site of the fleet file.
    site: Option<String>,
    /// Every device of the fleet.
    #[serde(default)]
    all: bool,
    /// Held until this wall-clock instant (RFC 3339) rather than done now.
    at: Option<String>,
}

impl Target {
    /// The one target named; `None` for none or several.
    fn scope(&self) -> Option<Scope> {
        let given = [
            self.device.clone().map(Scope::Device),
            self.group.clone().map(Scope::Group),
            self.feed.clone().map(Scope::Feed),
            self.site.clone().map(Scope::Site),
            self.all.then_some(Scope::All),
        ];
        let mut given = given.into_iter().flatten();
        match (given.next(), given.next()) {
            (Some(scope), None) => Some(scope),
            _ => None,
        }
    }
}

/// A fault or command by name (`upstwin faults`, `upstwin commands` list them), with its
/// parameters, for exactly one of `device`, `group`, `feed`, `site` or `all: true`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "name": "mains_blackout", "feed": "hq-utility" }))]
pub(super) struct Named {
    name: String,
    /// Numeric parameters by name; those left out take their defaults.
    #[serde(default)]
    params: BTreeMap<String, f64>,
    device: Option<String>,
    group: Option<String>,
    feed: Option<String>,
    site: Option<String>,
    #[serde(default)]
    all: bool,
    /// Held until this wall-clock instant (RFC 3339) rather than done now.
    at: Option<String>,
}

impl Named {
    /// The name, its parameters and the devices it is for, taken apart without copies.
    fn split(self) -> (String, BTreeMap<String, f64>, Target) {
        let Named { name, params, device, group, feed, site, all, at } = self;
        (name, params, Target { device, group, feed, site, all, at })
    }
}

/// Applies `control` to the target and answers with how many devices took it: 400 for no
/// (or several) targets, a bad fault or a bad `at`, 404 for a target the fleet does not
/// have. With `at`, holds it until then and answers 202 with its entry in the schedule.
fn act(
    members: &Arc<Members>,
    target: Target,
    control: Result<Control, String>,
    verb: &str,
    name: &str,
) -> Response {
    let Some(scope) = target.scope() else {
        return error(StatusCode::BAD_REQUEST, "name one of device, group, feed, site, or all: true");
    };
    let control = match control {
        Ok(control) => control,
        Err(why) => return error(StatusCode::BAD_REQUEST, why),
    };
    if !members.knows(&scope) {
        return error(StatusCode::NOT_FOUND, format!("the fleet has no {scope}"));
    }
    if let Some(at) = &target.at {
        let at = match schedule::parse_at(at) {
            Ok(at) => at,
            Err(why) => return error(StatusCode::BAD_REQUEST, why),
        };
        let entry = members.schedule.add(members.clone(), at, scope, control, format!("{verb} {name}"));
        return (StatusCode::ACCEPTED, Json(json!({ "scheduled": entry }))).into_response();
    }
    let Outcome { done, refused, first_refusal } = members.apply(&scope, &control);
    let mut answer = json!({ "devices": done, "refused": refused, "first_refusal": first_refusal });
    answer[verb] = json!(name);
    Json(answer).into_response()
}

/// Injects a UPS fault on the target's devices (a feed's blackout: every UPS on it); it
/// holds until cleared.
#[utoipa::path(
    post,
    path = "/api/fleet/faults",
    tag = "acting",
    request_body(content = Named, example = json!({ "name": "mains_blackout", "feed": "hq-utility" })),
    responses(
        (status = 200, description = "Done on this process's devices of the target", body = Object,
         example = json!({ "injected": "mains_blackout", "devices": 60, "refused": 0, "first_refusal": null })),
        (status = 202, description = "Held until `at`", body = Object, example = json!({ "scheduled": {
            "id": 1, "at": "2026-12-06T18:30:00Z", "action": "injected mains_blackout", "scope": "feed hq-utility" } })),
        (status = 400, description = "No target or several, an unknown fault, a parameter out of range, a bad `at`, a body that is not JSON", body = ApiError),
        (status = 404, description = "A target the fleet does not have", body = ApiError),
        (status = 422, description = "A body of another shape", body = ApiError),
    )
)]
pub(super) async fn inject(State(members): State<Arc<Members>>, JsonBody(body): JsonBody<Named>) -> Response {
    let (name, params, target) = body.split();
    let control = Fault::with_params(&name, &params).map(Control::Inject).map_err(|e| e.0);
    act(&members, target, control, "injected", &name)
}

/// Clears every fault of the kind on the target's devices.
#[utoipa::path(
    delete,
    path = "/api/fleet/faults/{name}",
    tag = "acting",
    params(("name" = String, Path, description = "The fault's name", example = "mains_blackout"), Target),
    responses(
        (status = 200, description = "Cleared on this process's devices of the target", body = Object,
         example = json!({ "cleared": "mains_blackout", "devices": 60, "refused": 0, "first_refusal": null })),
        (status = 202, description = "Held until `at`", body = Object, example = json!({ "scheduled": {
            "id": 2, "at": "2026-12-06T18:31:00Z", "action": "cleared mains_blackout", "scope": "feed hq-utility" } })),
        (status = 400, description = "No target or several, an unknown fault, a bad `at` or query", body = ApiError),
        (status = 404, description = "A target the fleet does not have", body = ApiError),
    )
)]
pub(super) async fn clear(
    State(members): State<Arc<Members>>,
    Path(name): Path<String>,
    target: Result<Query<Target>, QueryRejection>,
) -> Response {
    let Ok(Query(target)) = target else {
        return error(
            StatusCode::BAD_REQUEST,
            "name one of ?device=, group=, feed=, site= or all=true (and at=)",
        );
    };
    let control = FaultKind::parse(&name).map(Control::Clear).map_err(|e| e.0);
    act(&members, target, control, "cleared", &name)
}

/// Sends a command to the target's devices, as a card would write it (each firmware may
/// refuse it: the answer counts refusals and gives the first reason).
#[utoipa::path(
    post,
    path = "/api/fleet/commands",
    tag = "acting",
    request_body(content = Named, example = json!({ "name": "battery_test", "group": "hq-servers" })),
    responses(
        (status = 200, description = "Sent to this process's devices of the target", body = Object,
         example = json!({ "sent": "battery_test", "devices": 0, "refused": 60,
                           "first_refusal": "hq-srv-001: battery_test refused: a battery test is already running" })),
        (status = 202, description = "Held until `at`", body = Object, example = json!({ "scheduled": {
            "id": 3, "at": "2026-12-06T18:30:00Z", "action": "sent battery_test", "scope": "group hq-servers" } })),
        (status = 400, description = "No target or several, an unknown command, a parameter out of range, a bad `at`, a body that is not JSON", body = ApiError),
        (status = 404, description = "A target the fleet does not have", body = ApiError),
        (status = 422, description = "A body of another shape", body = ApiError),
    )
)]
pub(super) async fn command(
    State(members): State<Arc<Members>>,
    JsonBody(body): JsonBody<Named>,
) -> Response {
    let (name, params, target) = body.split();
    let control = Command::with_params(&name, &params).map(Control::Command).map_err(|e| e.0);
    act(&members, target, control, "sent", &name)
}

/// Actions held for an instant, and the newest that ran (when, how late, on how many
/// devices).
#[utoipa::path(
    get,
    path = "/api/fleet/scheduled",
    tag = "acting",
    responses((status = 200, description = "Pending and ran", body = Object, example = json!({
        "pending": [{ "id": 2, "at": "2026-12-06T18:31:00Z", "action": "cleared mains_blackout", "scope": "feed hq-utility" }],
        "ran": [{ "id": 1, "at": "2026-12-06T18:30:00Z", "action": "injected mains_blackout", "scope": "feed hq-utility",
                  "ran_at": "2026-12-06T18:30:00.001Z", "late_ms": 1.2, "devices": 60 }]
    })))
)]
pub(super) async fn scheduled(State(members): State<Arc<Members>>) -> Json<Value> {
    let (pending, ran) = members.schedule.list();
    Json(json!({ "pending": pending, "ran": ran }))
}

/// Cancels an action held for an instant.
#[utoipa::path(
    delete,
    path = "/api/fleet/scheduled/{id}",
    tag = "acting",
    params(("id" = u64, Path, description = "The action's id, as the 202 answer gave it", example = 2)),
    responses(
        (status = 200, description = "Cancelled", body = Object, example = json!({ "cancelled": 2 })),
        (status = 400, description = "An id that is not a number", body = ApiError),
        (status = 404, description = "No such action pending (it may have run)", body = ApiError),
    )
)]
pub(super) async fn cancel(
    State(members): State<Arc<Members>>,
    id: Result<Path<u64>, axum::extract::rejection::PathRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        return error(StatusCode::BAD_REQUEST, "the id is a number, as the 202 answer gave it");
    };
    if members.schedule.cancel(id) {
        Json(json!({ "cancelled": id })).into_response()
    } else {
        error(StatusCode::NOT_FOUND, format!("no pending action {id} (it may have run)"))
    }
}
