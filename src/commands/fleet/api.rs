//! The fleet's control API: the fleet at a glance, its devices (filtered), one device's
//! state, faults and commands for a device, a group, a feed or a site, and `/metrics` for
//! Prometheus.

use super::members::{Members, Outcome, Scope};
use super::schedule;
use crate::commands::control_api::body::JsonBody;
use crate::commands::control_api::error;
use crate::commands::control_api::reading::state_of;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use sim::twin::control::Control;
use sim::ups::commands::Command;
use sim::ups::faults::{Fault, FaultKind};
use std::collections::BTreeMap;
use std::sync::Arc;

pub fn router(members: Arc<Members>) -> Router {
    Router::new()
        .route("/api/fleet", get(summary))
        .route("/api/fleet/devices", get(devices))
        .route("/api/fleet/devices/{name}", get(device))
        .route("/api/fleet/faults", post(inject))
        .route("/api/fleet/faults/{name}", delete(clear))
        .route("/api/fleet/commands", post(command))
        .route("/api/fleet/scheduled", get(scheduled))
        .route("/api/fleet/scheduled/{id}", delete(cancel))
        .route("/metrics", get(super::metrics::metrics))
        .with_state(members)
}

/// Which devices: at most one of these (`all` for the whole fleet).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    device: Option<String>,
    group: Option<String>,
    feed: Option<String>,
    site: Option<String>,
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

/// A fault or command by name, with its parameters, for a target (one of device, group,
/// feed, site, or all).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Named {
    name: String,
    #[serde(default)]
    params: BTreeMap<String, f64>,
    device: Option<String>,
    group: Option<String>,
    feed: Option<String>,
    site: Option<String>,
    #[serde(default)]
    all: bool,
    at: Option<String>,
}

impl Named {
    fn target(&self) -> Target {
        let Named { device, group, feed, site, all, at, .. } = self;
        let (device, group, feed, site, at) =
            (device.clone(), group.clone(), feed.clone(), site.clone(), at.clone());
        Target { device, group, feed, site, all: *all, at }
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

async fn inject(State(members): State<Arc<Members>>, JsonBody(body): JsonBody<Named>) -> Response {
    let control = Fault::with_params(&body.name, &body.params).map(Control::Inject).map_err(|e| e.0);
    act(&members, body.target(), control, "injected", &body.name)
}

async fn clear(
    State(members): State<Arc<Members>>,
    Path(name): Path<String>,
    Query(target): Query<Target>,
) -> Response {
    let control = FaultKind::parse(&name).map(Control::Clear).map_err(|e| e.0);
    act(&members, target, control, "cleared", &name)
}

async fn command(State(members): State<Arc<Members>>, JsonBody(body): JsonBody<Named>) -> Response {
    let control = Command::with_params(&body.name, &body.params).map(Control::Command).map_err(|e| e.0);
    act(&members, body.target(), control, "sent", &body.name)
}

/// Actions held for an instant, and those that ran (when, how late, on how many devices).
async fn scheduled(State(members): State<Arc<Members>>) -> Json<Value> {
    let (pending, ran) = members.schedule.list();
    Json(json!({ "pending": pending, "ran": ran }))
}

async fn cancel(State(members): State<Arc<Members>>, Path(id): Path<u64>) -> Response {
    if members.schedule.cancel(id) {
        Json(json!({ "cancelled": id })).into_response()
    } else {
        error(StatusCode::NOT_FOUND, format!("no pending action {id} (it may have run)"))
    }
}

/// The fleet now: devices by mode, on battery, per feed.
async fn summary(State(members): State<Arc<Members>>) -> Json<Value> {
    let mut modes: BTreeMap<String, usize> = BTreeMap::new();
    let mut on_battery = 0;
    let mut feeds: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for member in &members.members {
        let twin = member.twin.lock();
        *modes.entry(format!("{:?}", twin.ups.mode())).or_default() += 1;
        let battery = twin.ups.conditions().on_battery;
        on_battery += usize::from(battery);
        let feed = feeds.entry(member.device.feed.as_str()).or_default();
        feed.0 += 1;
        feed.1 += usize::from(battery);
    }
    let feeds: Vec<Value> = members
        .feeds
        .iter()
        .map(|f| {
            let (devices, on_battery) = feeds.get(f.name.as_str()).copied().unwrap_or_default();
            json!({ "name": f.name, "site": f.site, "genset": f.genset.is_some(), "devices": devices, "on_battery": on_battery })
        })
        .collect();
    Json(json!({
        "name": members.name,
        "time_s": members.time_s(),
        // How far the twins are behind the wall clock × speed: above a tick or two, this
        // process has more twins than its cores step in real time.
        "clock_lag_s": members.clock_lag_s(),
        "devices": members.members.len(),
        "fleet_devices": members.fleet_devices,
        "shard": { "first": members.shard.start, "end": members.shard.end },
        "addresses": {
            "first": members.members.first().map(|m| m.device.modbus.ip().to_string()),
            "last": members.members.last().map(|m| m.device.modbus.ip().to_string()),
        },
        "modes": modes,
        "on_battery": on_battery,
        "feeds": feeds,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Filter {
    site: Option<String>,
    feed: Option<String>,
    group: Option<String>,
    /// A mode as `/api/state` names it (`OnInverter`, `LoadOff`, …).
    mode: Option<String>,
}

/// This process's devices, filtered, with their identity, address and mode.
async fn devices(State(members): State<Arc<Members>>, Query(filter): Query<Filter>) -> Json<Value> {
    let same = |wanted: &Option<String>, value: &str| wanted.as_deref().is_none_or(|w| w == value);
    let rows: Vec<Value> = members
        .members
        .iter()
        .filter(|m| same(&filter.site, &m.device.site) && same(&filter.feed, &m.device.feed))
        .filter(|m| same(&filter.group, &m.device.group))
        .filter_map(|m| {
            let twin = m.twin.lock();
            let mode = format!("{:?}", twin.ups.mode());
            same(&filter.mode, &mode).then(|| {
                let d = &m.device;
                json!({
                    "name": d.name, "address": d.modbus.ip().to_string(), "modbus_port": d.modbus.port(),
                    "model": d.model, "serial": d.serial, "mac": d.mac_text(), "site": d.site,
                    "feed": d.feed, "group": d.group, "mode": mode,
                    "on_battery": twin.ups.conditions().on_battery,
                })
            })
        })
        .collect();
    Json(Value::Array(rows))
}

/// One device's state, as `GET /api/state` of `upstwin serve` shows a twin.
async fn device(State(members): State<Arc<Members>>, Path(name): Path<String>) -> Response {
    match members.find(&name) {
        Some(member) => {
            let mut state = state_of(&member.twin.lock());
            state["name"] = json!(name);
            Json(state).into_response()
        }
        None if members.names.devices.contains(&name) => {
            error(StatusCode::NOT_FOUND, format!("{name} is served by another shard"))
        }
        None => error(StatusCode::NOT_FOUND, format!("the fleet has no device {name}")),
    }
}

/// `text/plain` for the content types Prometheus asks for.
pub fn text(body: String, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}
