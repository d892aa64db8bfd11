//! Reading the twin: its state, its register image as a Modbus master would read it, the
//! frames on its wire.

use super::{Api, ApiError, error};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use sim::image::signals::{MEASUREMENTS, measurement};
use sim::twin::Twin;

/// The UPS now: virtual time, mode, every firmware condition, every measurement
/// (`name:phase` for phased ones), the faults and wire faults in force.
#[utoipa::path(
    get,
    path = "/api/state",
    tag = "twin",
    responses((status = 200, description = "The UPS now", body = Object, example = json!({
        "time_s": 61.0,
        "mode": "OnInverter",
        "conditions": { "on_battery": true, "overload": false, "unit_present:2": false },
        "measurements": { "battery_charge_pct": 99.2, "input_voltage_v:1": 0.0, "output_voltage_v:1": 230.1 },
        "faults": [{ "name": "mains_blackout", "params": {} }],
        "wire_faults": []
    })))
)]
pub(super) async fn state(State(api): State<Api>) -> Json<Value> {
    Json(state_of(&api.twin.lock()))
}

/// A twin's state as `GET /api/state` shows it (also each device of a fleet).
pub fn state_of(twin: &Twin) -> Value {
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
    json!({
        "time_s": ups.time_s(),
        "mode": format!("{:?}", ups.mode()),
        "conditions": conditions,
        "measurements": measurements,
        "faults": ups.active_faults().map(|f| json!({ "name": f.name(), "params": f.params() })).collect::<Vec<_>>(),
        "wire_faults": twin.wire.active().map(|f| json!({ "name": f.name(), "params": f.params() })).collect::<Vec<_>>(),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct TraceQuery {
    /// How many of the newest frames (default 100, at most 1000).
    #[param(example = 20)]
    count: Option<usize>,
}

/// The newest frames on the twin's wire, oldest first, each with both clocks, its bytes
/// and what the twin made of it.
#[utoipa::path(
    get,
    path = "/api/trace",
    tag = "twin",
    params(TraceQuery),
    responses((status = 200, description = "The newest frames", body = Object, example = json!([{
        "wall_s": 12.004, "sim_s": 12.0, "link": "pty", "direction": "rx",
        "hex": "01 03 10 60 00 30 41 0A", "meaning": "unit 1: read fc03 0x1060 ×48"
    }])))
)]
pub(super) async fn trace(State(api): State<Api>, Query(query): Query<TraceQuery>) -> Json<Value> {
    Json(json!(api.twin.lock().trace.recent(query.count.unwrap_or(100).min(1000))))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct RegistersQuery {
    /// The first register, decimal or `0x` hex.
    #[param(example = "0x1060")]
    address: String,
    /// How many registers (default 1), decimal or `0x` hex.
    #[param(example = "48")]
    count: Option<String>,
}

/// A register address or count as people write them: `4192` or `0x1060`.
fn register_number(name: &str, text: &str) -> Result<u16, String> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u16::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.map_err(|e| format!("{name} `{text}`: {e} (0 to 65535, decimal or 0x hex)"))
}

/// The register image at this moment, as a Modbus read would see it (for comparing a
/// card's reading with the twin's truth).
#[utoipa::path(
    get,
    path = "/api/registers",
    tag = "twin",
    params(RegistersQuery),
    responses(
        (status = 200, description = "The words", body = Object, example = json!({ "words": [2300, 2301, 2299, 500] })),
        (status = 400, description = "A bad address or count, or the Modbus exception a read would get", body = ApiError),
    )
)]
pub(super) async fn registers(
    State(api): State<Api>,
    query: Result<Query<RegistersQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return error(StatusCode::BAD_REQUEST, "expected ?address=0x1060&count=48 (decimal or 0x hex)");
    };
    let address = register_number("address", &query.address);
    let count = query.count.as_deref().map_or(Ok(1), |count| register_number("count", count));
    let (address, count) = match (address, count) {
        (Ok(address), Ok(count)) => (address, count),
        (Err(why), _) | (_, Err(why)) => return error(StatusCode::BAD_REQUEST, why),
    };
    let twin = api.twin.lock();
    match twin.service.image.read(&twin.ups, address, count) {
        Ok(words) => Json(json!({ "words": words })).into_response(),
        Err(exception) => error(StatusCode::BAD_REQUEST, format!("Modbus exception {}", exception as u8)),
    }
}
