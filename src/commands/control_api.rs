//! The control API of `upstwin serve`: HTTP/JSON to read the twin and act on it — faults,
//! wire faults, commands, load — and to read the frame trace. Bad requests get 4xx with a
//! message; refused commands 409 with the firmware's reason.

use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use sim::image::signals::{MEASUREMENTS, measurement};
use sim::link::record::Recorded;
use sim::link::wire_faults;
use sim::link::{SharedTwin, Twin};
use sim::ups::commands::parse_command;
use sim::ups::faults::parse_fault;
use std::collections::BTreeMap;

#[derive(Clone)]
struct Api {
    twin: SharedTwin,
    token: Option<String>,
}

/// Notes an action in the session's recording, if it is being recorded.
fn record(twin: &mut Twin, action: Recorded) {
    let time_s = twin.ups.time_s();
    if let Some(recording) = twin.recording.as_mut() {
        recording.action(time_s, action);
    }
}

/// The router, behind a bearer token when one is given.
pub fn router(twin: SharedTwin, token: Option<String>) -> Router {
    let api = Api { twin, token };
    Router::new()
        .route("/api/state", get(state))
        .route("/api/faults", post(inject))
        .route("/api/faults/{name}", delete(clear))
        .route("/api/wire-faults", post(inject_wire))
        .route("/api/wire-faults/{name}", delete(clear_wire))
        .route("/api/commands", post(command))
        .route("/api/load", post(load))
        .route("/api/trace", get(trace))
        .route("/api/registers", get(registers))
        .layer(middleware::from_fn_with_state(api.clone(), authorize))
        .with_state(api)
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

async fn authorize(State(api): State<Api>, request: Request, next: Next) -> Response {
    if let Some(token) = &api.token {
        let given = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        if given != Some(format!("Bearer {token}").as_str()) {
            return error(StatusCode::UNAUTHORIZED, "a bearer token is required");
        }
    }
    next.run(request).await
}

/// A fault, wire fault or command by name with numeric parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Named {
    name: String,
    #[serde(default)]
    params: BTreeMap<String, f64>,
}

impl Named {
    fn pairs(&self) -> Vec<(String, String)> {
        self.params.iter().map(|(k, v)| (k.clone(), v.to_string())).collect()
    }
}

fn as_refs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn state(State(api): State<Api>) -> Json<Value> {
    let twin = api.twin.lock();
    let ups = &twin.ups;
    let mut conditions = serde_json::Map::new();
    ups.conditions().visit(|name, index, on| {
        conditions.insert(sim::ups::conditions::display_name(name, index), Value::Bool(on));
    });
    let mut measurements = serde_json::Map::new();
    for (_, name, phased) in MEASUREMENTS {
        let phases: Vec<Option<u8>> = if *phased { vec![Some(1), Some(2), Some(3)] } else { vec![None] };
        for phase in phases {
            if let Some(value) = measurement(ups, name, phase) {
                let key = phase.map_or(name.to_string(), |p| format!("{name}:{p}"));
                measurements.insert(key, json!(value));
            }
        }
    }
    Json(json!({
        "time_s": ups.time_s(),
        "mode": format!("{:?}", ups.mode()),
        "conditions": conditions,
        "measurements": measurements,
        "faults": ups.active_faults().map(|f| json!({ "name": f.name, "params": f.params })).collect::<Vec<_>>(),
        "wire_faults": twin.wire.active().map(|f| json!({ "name": f.name, "params": f.params })).collect::<Vec<_>>(),
    }))
}

async fn inject(State(api): State<Api>, Json(body): Json<Named>) -> Response {
    let pairs = body.pairs();
    let fault = match parse_fault(&body.name, &as_refs(&pairs)) {
        Ok(fault) => fault,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.0),
    };
    let mut twin = api.twin.lock();
    match twin.ups.inject(fault.clone()) {
        Ok(()) => {
            record(&mut twin, Recorded::Fault(fault));
            Json(json!({ "injected": body.name })).into_response()
        }
        Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, e.0),
    }
}

async fn clear(State(api): State<Api>, Path(name): Path<String>) -> Response {
    let mut twin = api.twin.lock();
    match twin.ups.clear(&name) {
        0 => error(StatusCode::NOT_FOUND, format!("{name} is not in force")),
        count => {
            record(&mut twin, Recorded::Clear(name.clone()));
            Json(json!({ "cleared": name, "count": count })).into_response()
        }
    }
}

async fn inject_wire(State(api): State<Api>, Json(body): Json<Named>) -> Response {
    let pairs = body.pairs();
    match wire_faults::parse(&body.name, &as_refs(&pairs)) {
        Ok(fault) => {
            let mut twin = api.twin.lock();
            twin.wire.inject(fault.clone());
            record(&mut twin, Recorded::WireFault(fault));
            Json(json!({ "injected": body.name })).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, e.0),
    }
}

async fn clear_wire(State(api): State<Api>, Path(name): Path<String>) -> Response {
    let mut twin = api.twin.lock();
    if twin.wire.clear(&name) {
        record(&mut twin, Recorded::ClearWireFault(name.clone()));
        Json(json!({ "cleared": name })).into_response()
    } else {
        error(StatusCode::NOT_FOUND, format!("{name} is not in force"))
    }
}

async fn command(State(api): State<Api>, Json(body): Json<Named>) -> Response {
    let pairs = body.pairs();
    let command = match parse_command(&body.name, &as_refs(&pairs)) {
        Ok(command) => command,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.0),
    };
    let mut twin = api.twin.lock();
    match twin.ups.command(&command) {
        Ok(()) => {
            record(&mut twin, Recorded::Command(command));
            Json(json!({ "accepted": body.name })).into_response()
        }
        Err(refused) => error(StatusCode::CONFLICT, refused.to_string()),
    }
}

/// The whole load (`pct`, spread over the phases) or each phase's (`phases_pct`, % of its
/// share of the rating).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoadBody {
    pct: Option<f64>,
    phases_pct: Option<Vec<f64>>,
}

/// Why a load is refused, if it is.
fn load_refused(name: &str, pct: f64) -> Option<String> {
    (!(pct.is_finite() && (0.0..=1000.0).contains(&pct)))
        .then(|| format!("{name} must be within 0..=1000, found {pct}"))
}

async fn load(State(api): State<Api>, Json(body): Json<LoadBody>) -> Response {
    match (body.pct, body.phases_pct) {
        (Some(pct), None) => {
            if let Some(why) = load_refused("pct", pct) {
                return error(StatusCode::BAD_REQUEST, why);
            }
            let mut twin = api.twin.lock();
            twin.ups.set_load_pct(pct);
            record(&mut twin, Recorded::Load(pct));
            Json(json!({ "load_pct": pct })).into_response()
        }
        (None, Some(phases)) if (1..=3).contains(&phases.len()) => {
            if let Some(why) = phases.iter().find_map(|&pct| load_refused("phases_pct", pct)) {
                return error(StatusCode::BAD_REQUEST, why);
            }
            let mut twin = api.twin.lock();
            twin.ups.set_phase_loads_pct(&phases);
            Json(json!({ "phases_pct": phases })).into_response()
        }
        _ => error(StatusCode::BAD_REQUEST, "give pct, or phases_pct with one to three values"),
    }
}

#[derive(Debug, Deserialize)]
struct TraceQuery {
    count: Option<usize>,
}

async fn trace(State(api): State<Api>, Query(query): Query<TraceQuery>) -> Json<Value> {
    Json(json!(api.twin.lock().trace.recent(query.count.unwrap_or(100).min(1000))))
}

#[derive(Debug, Deserialize)]
struct RegistersQuery {
    address: u16,
    count: u16,
}

/// The register image at this moment, as a Modbus read would see it (for comparing a
/// card's reading with the twin's truth).
async fn registers(State(api): State<Api>, Query(query): Query<RegistersQuery>) -> Response {
    let twin = api.twin.lock();
    match twin.service.image.read(&twin.ups, query.address, query.count) {
        Ok(words) => Json(json!({ "words": words })).into_response(),
        Err(exception) => error(StatusCode::BAD_REQUEST, format!("Modbus exception {}", exception as u8)),
    }
}
