//! Shutdown management (§16.8) and the client table (§15): the sequence under way, the
//! agents connected, the test button.

use super::{Refusal, json};
use crate::role::Role;
use crate::run::Shared;
use crate::shutdown::Shutdown;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

/// `GET /api/shutdown`: the procedures in their reversible period, the shutdown under way,
/// whether a test runs, the events present.
pub async fn get(_role: Role, State(shutdown): State<Shutdown>) -> Response {
    let state = shutdown.lock();
    json(&serde_json::json!({
        "procedures": state.manager.procedures,
        "shut_down": state.manager.shut_down,
        "test_running": state.manager.test_running(),
        "scheduled": state.scheduled,
        "clients": state.clients.len(),
    }))
}

/// `GET /api/clients`: the client table (§15), "Connected Client Number" and the rows.
pub async fn clients(_role: Role, State(shutdown): State<Shutdown>) -> Response {
    let rows = &shutdown.lock().clients;
    json(&serde_json::json!({ "connected_client_number": rows.len(), "clients": rows }))
}

/// `POST /api/shutdown/test`: the shutdown test procedure (a simulated AC fail); 409 when
/// the AC Failed action is not Enabled or a procedure is under way.
pub async fn test(
    role: Role,
    State(shared): State<Shared>,
    State(shutdown): State<Shutdown>,
) -> Result<Response, Refusal> {
    role.may_change()?;
    crate::shutdown::start_test(&shared, &shutdown, &format!("REST API by {}", role.name()))
        .map_err(|why| (StatusCode::CONFLICT, why))?;
    Ok(json(&serde_json::json!({ "started": true })))
}
