//! Reading the fleet: the whole at a glance, the devices with their addresses (filtered),
//! one device's state.

use super::super::members::Members;
use crate::commands::control_api::reading::state_of;
use crate::commands::control_api::{ApiError, error};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// The fleet now, as this process serves it: devices by mode, on battery, per feed; its
/// reference cards and how many have found their UPS; the twins' clock and how far it lags
/// behind the wall clock × speed.
#[utoipa::path(
    get,
    path = "/api/fleet",
    tag = "fleet",
    responses((status = 200, description = "This process's share of the fleet", body = Object, example = json!({
        "name": "campus", "time_s": 42.0, "clock_lag_s": 0.0, "devices": 300, "fleet_devices": 300,
        "shard": { "first": 0, "end": 300 },
        "addresses": { "first": "127.1.0.1", "last": "127.1.1.44" },
        "modes": { "OnInverter": 299, "OnBypass": 1 }, "on_battery": 100,
        "cards": { "devices": 100, "online": 100 },
        "feeds": [{ "name": "hq-utility", "site": "hq", "genset": true, "devices": 100, "on_battery": 100 }]
    })))
)]
pub(super) async fn summary(State(members): State<Arc<Members>>) -> Json<Value> {
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
        // Reference cards (`card: Reference`), and those polling their UPS now.
        "cards": { "devices": members.cards, "online": members.cards_online.load(Ordering::Relaxed) },
        "feeds": feeds,
    }))
}

/// Which devices to list: every one given must match.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct Filter {
    /// A site of the fleet file.
    #[param(example = "hq")]
    site: Option<String>,
    /// A feed of the fleet file.
    #[param(example = "hq-utility")]
    feed: Option<String>,
    /// A group of the fleet file.
    #[param(example = "hq-servers")]
    group: Option<String>,
    /// A mode as `/api/fleet/devices/{name}` names it (`OnInverter`, `OnBypass`, `LoadOff`, …).
    #[param(example = "OnInverter")]
    mode: Option<String>,
}

/// This process's devices, filtered, with their identity, address and mode (and the SNMP
/// port of those a reference card speaks for).
#[utoipa::path(
    get,
    path = "/api/fleet/devices",
    tag = "fleet",
    params(Filter),
    responses(
        (status = 200, description = "The devices that match, in fleet order", body = [Object], example = json!([{
            "name": "hq-srv-001", "address": "127.1.0.1", "modbus_port": 5020, "model": "masterys-gp-60",
            "serial": "HQS0000001", "mac": "02:55:50:00:00:01", "site": "hq", "feed": "hq-utility",
            "group": "hq-servers", "mode": "OnInverter", "on_battery": false, "snmp_port": 1161
        }])),
        (status = 400, description = "A filter the API does not know", body = ApiError),
    )
)]
pub(super) async fn devices(
    State(members): State<Arc<Members>>,
    filter: Result<Query<Filter>, QueryRejection>,
) -> Response {
    let Ok(Query(filter)) = filter else {
        return error(StatusCode::BAD_REQUEST, "filter by site, feed, group or mode, e.g. ?feed=hq-utility");
    };
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
                    "snmp_port": d.snmp.map(|s| s.port()),
                })
            })
        })
        .collect();
    Json(Value::Array(rows)).into_response()
}

/// One device's state, as `GET /api/state` of `upstwin serve` shows a twin.
#[utoipa::path(
    get,
    path = "/api/fleet/devices/{name}",
    tag = "fleet",
    params(("name" = String, Path, description = "The device's name (the inventory's first column)", example = "hq-srv-001")),
    responses(
        (status = 200, description = "The device now", body = Object, example = json!({
            "name": "hq-srv-001", "time_s": 61.0, "mode": "OnInverter",
            "conditions": { "on_battery": true, "overload": false },
            "measurements": { "battery_charge_pct": 99.2, "input_voltage_v:1": 0.0, "output_voltage_v:1": 230.1 },
            "faults": [{ "name": "mains_blackout", "params": {} }], "wire_faults": []
        })),
        (status = 404, description = "No such device, or one another shard serves", body = ApiError),
    )
)]
pub(super) async fn device(State(members): State<Arc<Members>>, Path(name): Path<String>) -> Response {
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
