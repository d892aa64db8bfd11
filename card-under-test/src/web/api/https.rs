//! The card's HTTPS certificate: what it is, and a new one uploaded (§18.3: key +
//! certificate in one PEM file, at most 8 KB). A file that is refused changes nothing.

use super::{Refusal, json};
use crate::alarms::Severity;
use crate::role::Role;
use crate::run::Shared;
use crate::web::{Web, https};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

fn not_served() -> Refusal {
    (StatusCode::CONFLICT, "this card does not serve HTTPS".into())
}

/// `GET /api/https/certificate`: subject, issuer, validity, self-signed or not.
pub async fn get(_role: Role, State(web): State<Web>) -> Result<Response, Refusal> {
    let tls = web.lock().tls.clone().ok_or_else(not_served)?;
    let info = tls.certificate().await.map_err(|why| (StatusCode::INTERNAL_SERVER_ERROR, why))?;
    Ok(json(&info))
}

/// `PUT /api/https/certificate`, body: the PEM text. 400 with the reason when it is not a
/// key and its certificate; served from the next connection on. The key is a secret: this is
/// the administrator's.
pub async fn put(
    role: Role,
    State(shared): State<Shared>,
    State(web): State<Web>,
    body: String,
) -> Result<Response, Refusal> {
    role.may_administer()?;
    let tls = web.lock().tls.clone().ok_or_else(not_served)?;
    let config = https::server_config(&body).map_err(|why| (StatusCode::BAD_REQUEST, why))?;
    crate::durable::replace_file(&tls.path, body.as_bytes())
        .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, format!("{}: {e}", tls.path.display())))?;
    tls.config.reload_from_config(config);
    let mut agent = shared.lock();
    let stamp = agent.clock.stamp();
    let line = format!("HTTPS certificate has been changed via HTTP by {}", role.name());
    agent.card.card_event(stamp, Severity::Information, &line);
    Ok(json(&https::describe(&body)))
}
