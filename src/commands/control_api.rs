//! The control API of `upstwin serve`: HTTP/JSON to read the twin and act on it — faults,
//! wire faults, commands, load — and to read the frame trace. Bad requests get 4xx with a
//! message; refused commands 409 with the firmware's reason.

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sim::image::signals::{MEASUREMENTS, measurement};
use sim::twin::SharedTwin;
use sim::twin::control::{Control, ControlError, ControlPlane, Done};
use sim::ups::commands::Command;
use sim::ups::faults::{Fault, FaultKind};
use sim::wire::faults::{WireFault, WireFaultKind};
use std::collections::BTreeMap;

#[derive(Clone)]
struct Api {
    twin: SharedTwin,
    plane: ControlPlane,
    token: Option<String>,
}

/// The router, behind a bearer token when one is given.
pub fn router(twin: SharedTwin, token: Option<String>) -> Router {
    let api = Api { plane: ControlPlane::new(twin.clone()), twin, token };
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

/// A JSON body, whatever its `Content-Type` says (`curl -d '{…}'` labels JSON as a form).
/// As axum's `Json` answers: 400 for a body that is not JSON, 422 for JSON of another shape,
/// here with why, in the API's error shape.
struct JsonBody<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let bytes = Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => error(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
            _ => error(StatusCode::BAD_REQUEST, format!("expected a JSON body: {e}")),
        })
    }
}

/// A fault, wire fault or command by name with numeric parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Named {
    name: String,
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
        "faults": ups.active_faults().map(|f| json!({ "name": f.name(), "params": f.params() })).collect::<Vec<_>>(),
        "wire_faults": twin.wire.active().map(|f| json!({ "name": f.name(), "params": f.params() })).collect::<Vec<_>>(),
    }))
}

async fn inject(State(api): State<Api>, JsonBody(body): JsonBody<Named>) -> Response {
    match Fault::with_params(&body.name, &body.params) {
        Ok(fault) => apply(&api, Control::Inject(fault), |_| json!({ "injected": body.name })),
        Err(e) => error(StatusCode::BAD_REQUEST, e.0),
    }
}

async fn clear(State(api): State<Api>, Path(name): Path<String>) -> Response {
    match FaultKind::parse(&name) {
        Ok(kind) => apply(&api, Control::Clear(kind), |done| match done {
            Done::Cleared(_, count) => json!({ "cleared": name, "count": count }),
            _ => json!({ "cleared": name }),
        }),
        Err(e) => error(StatusCode::NOT_FOUND, e.0),
    }
}

async fn inject_wire(State(api): State<Api>, JsonBody(body): JsonBody<Named>) -> Response {
    match WireFault::with_params(&body.name, &body.params) {
        Ok(fault) => apply(&api, Control::InjectWire(fault), |_| json!({ "injected": body.name })),
        Err(e) => error(StatusCode::BAD_REQUEST, e.0),
    }
}

async fn clear_wire(State(api): State<Api>, Path(name): Path<String>) -> Response {
    match WireFaultKind::parse(&name) {
        Ok(kind) => apply(&api, Control::ClearWire(kind), |_| json!({ "cleared": name })),
        Err(e) => error(StatusCode::NOT_FOUND, e.0),
    }
}

async fn command(State(api): State<Api>, JsonBody(body): JsonBody<Named>) -> Response {
    match Command::with_params(&body.name, &body.params) {
        Ok(command) => apply(&api, Control::Command(command), |_| json!({ "accepted": body.name })),
        Err(e) => error(StatusCode::BAD_REQUEST, e.0),
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

async fn load(State(api): State<Api>, JsonBody(body): JsonBody<LoadBody>) -> Response {
    match (body.pct, body.phases_pct) {
        (Some(pct), None) => apply(&api, Control::Load(pct), |_| json!({ "load_pct": pct })),
        (None, Some(phases)) if (1..=3).contains(&phases.len()) => {
            apply(&api, Control::PhaseLoads(phases.clone()), |_| json!({ "phases_pct": phases }))
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
