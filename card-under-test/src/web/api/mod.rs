//! The card's REST/JSON API (axum): the one API the web pages, the GUI and the scenario
//! observers read. Endpoints are listed in this crate's README. Every handler takes the
//! caller's `Role`; changes need read/write rights.

use crate::alarms::{AlarmTable, Severity};
use crate::command::Refused;
use crate::config::{Config, TemperatureUnit};
use crate::database::{FlagState, Reading};
use crate::derive::View;
use crate::logs::LogKind;
use crate::role::Role;
use crate::run::{Agent, ConfigRefused, Shared};
use crate::web::Site;
use crate::web::gate::PeerIp;
use crate::web::routes::Routes;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

mod https;
mod outputs;
mod schedules;
mod settings;
pub(crate) use settings::MASK;
mod shutdown;
pub(crate) mod users;

type Refusal = (StatusCode, String);

/// A configuration refused: the caller's mistake (400) or the card's disk (500).
pub(crate) fn config_refusal(refused: &ConfigRefused) -> Refusal {
    let status = match refused {
        ConfigRefused::Invalid(_) => StatusCode::BAD_REQUEST,
        ConfigRefused::Unsaved { .. } => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, refused.to_string())
}

/// `GET /api/status`: the UPS as the card sees it now.
#[derive(Debug, Serialize)]
struct Status<'a> {
    comm: crate::poller::Comm,
    map: Option<&'a str>,
    link: &'a str,
    polled_at_s: Option<f64>,
    poll: Option<Poll>,
    reference: Option<&'a str>,
    serial_number: Option<&'a str>,
    clock: Option<crate::database::UpsClock>,
    /// §12.1.5–7.
    ups_status: &'a str,
    battery_status: &'a str,
    output_status: &'a str,
    alarm_count: usize,
    /// Status bits set.
    status: Vec<&'a FlagState>,
    /// Alarm bits set.
    alarms: Vec<&'a FlagState>,
    /// Every value of the map; `value: null` when the UPS does not manage it; temperatures
    /// in the unit set.
    measurements: Cow<'a, [Reading]>,
    /// Why the logs could not be written, if they could not.
    log_error: Option<&'a str>,
}

/// What a poll cycle costs: how many reads, how long the last whole cycle took, and the
/// least the serial line allows for those reads.
#[derive(Debug, Serialize)]
struct Poll {
    requests: usize,
    words: u32,
    last_cycle_s: Option<f64>,
    wire_minimum_s: Option<f64>,
}

fn status(agent: &Agent) -> Status<'_> {
    let card = &agent.card;
    let database = card.database();
    let set = |table: &str| database.flags.iter().filter(|f| f.on && f.table == table).collect();
    let view = card.view();
    Status {
        comm: card.comm(),
        map: card.map().map(|m| m.name.as_str()),
        link: &agent.link,
        polled_at_s: card.polled_at_s(),
        poll: card.poller().map(|poller| Poll {
            requests: poller.requests().len(),
            words: poller.requests().iter().map(|r| u32::from(r.count)).sum(),
            last_cycle_s: poller.last_cycle_s(),
            wire_minimum_s: agent.line_baud.map(|baud| crate::plan::wire_minimum_s(poller.requests(), baud)),
        }),
        reference: database.reference.as_deref(),
        serial_number: database.serial_number.as_deref(),
        clock: database.clock,
        ups_status: view.ups_status,
        battery_status: view.battery_status,
        output_status: view.output_status,
        alarm_count: card.alarms().count(),
        status: set("status"),
        alarms: set("alarms"),
        measurements: in_unit_set(&database.readings, agent.config.temperature_unit),
        log_error: card.log_error(),
    }
}

/// The readings with temperatures in `unit`: borrowed as they are in Celsius.
fn in_unit_set(readings: &[Reading], unit: TemperatureUnit) -> Cow<'_, [Reading]> {
    if unit == TemperatureUnit::Celsius {
        return Cow::Borrowed(readings);
    }
    let shown = readings.iter().map(|reading| {
        let mut reading = reading.clone();
        if let (value, Some(shown_unit)) = unit.show(reading.value, &reading.unit) {
            (reading.value, reading.unit) = (value, shown_unit.to_string());
        }
        reading
    });
    Cow::Owned(shown.collect())
}

/// The view with the tables' temperatures in `unit`.
fn view_in_unit_set(view: &View, unit: TemperatureUnit) -> Cow<'_, View> {
    if unit == TemperatureUnit::Celsius {
        return Cow::Borrowed(view);
    }
    let mut view = view.clone();
    for row in view.tables.iter_mut().flat_map(|table| table.rows.iter_mut()) {
        let original_unit = row.unit;
        for value in &mut row.values {
            *value = unit.show(*value, original_unit).0;
        }
        row.unit = unit.show(None, original_unit).1.unwrap_or(original_unit);
    }
    Cow::Owned(view)
}

pub(crate) fn json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn get_status(_role: Role, State(shared): State<Shared>) -> Response {
    json(&status(&shared.lock()))
}

/// `GET /api/flags`: every status and alarm bit of the map, set or not.
async fn get_flags(_role: Role, State(shared): State<Shared>) -> Response {
    json(&shared.lock().card.database().flags)
}

/// `GET /api/view`: status strings, synoptic colours, parameter tables, topology.
async fn get_view(_role: Role, State(shared): State<Shared>) -> Response {
    let agent = shared.lock();
    json(&view_in_unit_set(agent.card.view(), agent.config.temperature_unit))
}

/// `GET /api/alarms`: the alarm table (§12.3) with the manual's time format.
async fn get_alarms(_role: Role, State(shared): State<Shared>) -> Response {
    #[derive(Serialize)]
    struct Alarms<'a> {
        count: usize,
        last: Option<&'a str>,
        active: Vec<serde_json::Value>,
        well_known: &'a [crate::alarms::WellKnownAlarm],
    }
    let agent = shared.lock();
    let table: &AlarmTable = agent.card.alarms();
    let active = table
        .active
        .iter()
        .map(|a| {
            let mut value = serde_json::to_value(a).unwrap_or_default();
            value["time"] = serde_json::Value::String(a.since.to_string());
            value
        })
        .collect();
    json(&Alarms { count: table.count(), last: table.last.as_deref(), active, well_known: &table.well_known })
}

/// `POST /api/alarms/ack`: acknowledges every active alarm.
async fn ack_alarms(role: Role, State(shared): State<Shared>) -> Result<Response, Refusal> {
    role.may_change()?;
    let mut agent = shared.lock();
    let stamp = agent.clock.stamp();
    let acknowledged = agent.card.acknowledge_alarms(stamp);
    Ok(json(&serde_json::json!({ "acknowledged": acknowledged })))
}

/// `GET /api/controls`: the controls of the UPS's map and whether each is allowed now (§16.1).
async fn get_controls(_role: Role, State(shared): State<Shared>) -> Response {
    json(&shared.lock().card.controls())
}

/// `POST /api/controls/{name}`, body `{"param": number, …}` or empty: sends the control to
/// the UPS and answers once the UPS has (§16.1, §16.2, §16.7, §18.1 "Update Now").
async fn send_control(
    role: Role,
    State(shared): State<Shared>,
    Path(name): Path<String>,
    body: String,
) -> Result<Response, Refusal> {
    role.may_change()?;
    let params: BTreeMap<String, f64> = if body.trim().is_empty() {
        BTreeMap::new()
    } else {
        serde_json::from_str(&body)
            .map_err(|e| (StatusCode::BAD_REQUEST, format!("expected {{\"parameter\": number, …}}: {e}")))?
    };
    match crate::command::send(&shared, &name, &params, "REST API", role.name()).await {
        Ok(()) => Ok(json(&serde_json::json!({ "sent": name }))),
        Err(refused) => {
            let status = match &refused {
                Refused::NoUps | Refused::Unavailable(_) => StatusCode::CONFLICT,
                Refused::Unknown(_) => StatusCode::NOT_FOUND,
                Refused::Invalid(_) => StatusCode::BAD_REQUEST,
                Refused::NotDone(_) => StatusCode::BAD_GATEWAY,
            };
            Err((status, refused.to_string()))
        }
    }
}

/// `GET /api/battery-test`: status, last test, result, next test (§16.2; the next test
/// from the schedule, §16.3).
async fn get_battery_test(_role: Role, State(shared): State<Shared>) -> Response {
    json(&shared.lock().battery_test())
}

/// `GET /api/logs`: the logs and how many records each holds.
async fn get_logs(_role: Role, State(shared): State<Shared>) -> Response {
    let agent = shared.lock();
    let logs = agent.card.logs();
    let list: Vec<_> = LogKind::ALL
        .iter()
        .map(|k| serde_json::json!({ "name": k.name(), "records": logs.records(*k).len() }))
        .collect();
    json(&list)
}

fn log_kind(name: &str) -> Result<(LogKind, bool), Refusal> {
    let (name, csv) = name.strip_suffix(".csv").map_or((name, false), |n| (n, true));
    let known = LogKind::ALL.map(LogKind::name).join(", ");
    LogKind::parse(name)
        .map(|kind| (kind, csv))
        .ok_or((StatusCode::NOT_FOUND, format!("no log {name}; the logs are {known}")))
}

#[derive(Debug, Deserialize)]
struct LogQuery {
    /// Only the newest records.
    last: Option<usize>,
}

/// `GET /api/logs/{name}`: `{columns, records}`; `{name}.csv` downloads the CSV (§21.5).
async fn get_log(
    _role: Role,
    State(shared): State<Shared>,
    Path(name): Path<String>,
    Query(query): Query<LogQuery>,
) -> Result<Response, Refusal> {
    let (kind, csv) = log_kind(&name)?;
    let agent = shared.lock();
    let logs = agent.card.logs();
    if csv {
        let disposition = format!("attachment; filename=\"{}.csv\"", kind.name());
        let headers = [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ];
        return Ok((headers, logs.csv(kind)).into_response());
    }
    let records: Vec<_> = logs.records(kind).collect();
    let skip = records.len().saturating_sub(query.last.unwrap_or(records.len()));
    Ok(json(&serde_json::json!({ "columns": logs.columns(kind), "records": &records[skip..] })))
}

/// `DELETE /api/logs/{name}`: clears a log (§21.5).
async fn clear_log(
    role: Role,
    State(shared): State<Shared>,
    Path(name): Path<String>,
) -> Result<Response, Refusal> {
    role.may_change()?;
    let (kind, _) = log_kind(&name)?;
    {
        let mut agent = shared.lock();
        let stamp = agent.clock.stamp();
        agent.card.logs_mut().clear(kind, stamp);
    }
    // The answer waits until the file is cleared too.
    (shared.flush_logs().await)
        .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, format!("cannot clear {}: {e}", kind.name())))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/config`: the settings in force, as JSON; only the administrator is shown the
/// passwords, secrets and communities (others see them masked).
async fn get_config(role: Role, State(shared): State<Shared>) -> Response {
    let config = serde_json::to_value(&shared.lock().config).unwrap_or_default();
    json(&if role.sees_secrets() { config } else { settings::without_secrets(config) })
}

/// `GET /api/config/backup`: the configuration file, to download (§18.2 "Download
/// Configuration"); it holds every secret, so it is the administrator's.
async fn backup_config(role: Role, State(shared): State<Shared>) -> Result<Response, Refusal> {
    role.may_administer()?;
    let text = shared.lock().config.to_text();
    let headers = [
        (header::CONTENT_TYPE, "application/ron; charset=utf-8"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"card.ron\""),
    ];
    Ok((headers, text).into_response())
}

/// `PUT /api/config`: restores a configuration file (§18.2 "Upload Configuration"). A file
/// that does not parse or breaks a rule is refused whole (400, `line:col: what`), and
/// nothing changes. It replaces secrets, so it is the administrator's; 409 when the
/// firewall of the file would refuse the caller's own address.
async fn restore_config(
    role: Role,
    PeerIp(peer): PeerIp,
    State(shared): State<Shared>,
    body: String,
) -> Result<Response, Refusal> {
    role.may_administer()?;
    let mut agent = shared.lock();
    if let Ok(config) = Config::parse(&body) {
        settings::keeps_caller_in(&config, peer)?;
    }
    let changed = agent.replace_config(&body, "REST API", role.name()).map_err(|refused| {
        let stamp = agent.clock.stamp();
        let line = match &refused {
            ConfigRefused::Invalid(_) => {
                format!("Upload configuration with 1 error(s) via REST API by {}", role.name())
            }
            ConfigRefused::Unsaved { .. } => {
                format!("Upload configuration not saved via REST API by {} ({refused})", role.name())
            }
        };
        agent.card.card_event(stamp, Severity::Warning, &line);
        config_refusal(&refused)
    })?;
    let stamp = agent.clock.stamp();
    agent.card.card_event(
        stamp,
        Severity::Information,
        &format!("Upload configuration successfully via REST API by {}", role.name()),
    );
    Ok(json(&changed))
}

/// `POST /api/config/factory-reset`: every setting back to the manual's default.
async fn factory_reset(role: Role, State(shared): State<Shared>) -> Result<Response, Refusal> {
    role.may_administer()?;
    let mut agent = shared.lock();
    let changed = agent
        .put_config(Config::default(), "REST API", role.name())
        .map_err(|refused| config_refusal(&refused))?;
    let stamp = agent.clock.stamp();
    agent.card.card_event(stamp, Severity::Information, "NET VISION UPS Agent Parameters reset to default");
    Ok(json(&changed))
}

/// `GET /api/mib`: the NET VISION vendor MIB (SMIv2) for NMSs to load (§18.2 "Download
/// MIB file").
async fn get_mib(_role: Role) -> Response {
    const MIB: &str = include_str!("../../../mibs/NETVISION-MIB.txt");
    let headers = [
        (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"NETVISION-MIB.txt\""),
    ];
    (headers, MIB).into_response()
}

/// The API for callers in this process (the scenario runner, the GUI): every request is the
/// administrator's. Never serve it on a socket — `web::app` is what the card serves.
pub fn in_process(site: Site) -> Router {
    routes().with_state(site).layer(axum::Extension(Role::Admin))
}

/// The API; each request must carry the caller's `Role` (see `web::gate`).
pub fn routes() -> Routes {
    Routes::default()
        .route("/api/status", get(get_status))
        .route("/api/flags", get(get_flags))
        .route("/api/view", get(get_view))
        .route("/api/alarms", get(get_alarms))
        .route("/api/alarms/ack", post(ack_alarms))
        .route("/api/controls", get(get_controls))
        .route("/api/controls/{name}", post(send_control))
        .route("/api/battery-test", get(get_battery_test))
        .route("/api/traps/test", post(outputs::test_trap))
        .route("/api/mail/test", post(outputs::test_mail))
        .route("/api/wake-on-lan/test", post(outputs::test_wake_on_lan))
        .route("/api/shutdown", get(shutdown::get))
        .route("/api/shutdown/test", post(shutdown::test))
        .route("/api/clients", get(shutdown::clients))
        .route("/api/schedules", get(schedules::get).put(schedules::put))
        .route("/api/logs", get(get_logs))
        .route("/api/logs/{name}", get(get_log).delete(clear_log))
        .route("/api/config", get(get_config).put(restore_config).patch(settings::patch))
        .route("/api/config/schema", get(settings::schema))
        .route("/api/config/backup", get(backup_config))
        .route("/api/config/factory-reset", post(factory_reset))
        .route("/api/mib", get(get_mib))
        .route("/api/https/certificate", get(https::get).put(https::put))
        .route("/api/users", get(users::list))
        .route("/api/users/{name}", axum::routing::put(users::put).delete(users::delete))
}
