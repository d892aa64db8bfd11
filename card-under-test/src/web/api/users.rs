//! The Multi-User Table (§18.4) through the API: the administrator lists, adds, changes
//! and removes up to 8 users. A password set here is a first password: its user changes it
//! at the next login. Hashes never leave the card.

use super::{Refusal, json};
use crate::alarms::Severity;
use crate::role::Role;
use crate::run::Shared;
use crate::web::Web;
use crate::web::accounts::{Level, Refused};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// `GET /api/users`: the administrator, then the users (name, level, password age).
pub async fn list(role: Role, State(web): State<Web>) -> Result<Response, Refusal> {
    role.may_administer()?;
    let web = web.lock();
    let accounts = web.accounts.as_ref().ok_or(no_accounts())?;
    let rows: Vec<_> = std::iter::once(&accounts.accounts.admin)
        .chain(&accounts.accounts.users)
        .map(|a| {
            serde_json::json!({
                "name": a.name,
                "level": if a.name == crate::web::accounts::ADMIN { None } else { Some(a.level) },
                "must_change": a.must_change,
                "password_set_unix_s": a.password_set_unix_s,
            })
        })
        .collect();
    Ok(json(&rows))
}

fn no_accounts() -> Refusal {
    (StatusCode::CONFLICT, "this card has no accounts (co-simulation)".into())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserForm {
    level: Level,
    password: Option<String>,
    /// `false`: the password is the user's own, usable by programs at once (an account
    /// provisioned for CI); by default it is a first password to change at the next login.
    #[serde(default = "first_password")]
    must_change: bool,
}

fn first_password() -> bool {
    true
}

fn refusal(refused: Refused) -> Refusal {
    let status = match refused {
        Refused::NoSuchUser => StatusCode::NOT_FOUND,
        Refused::Full => StatusCode::CONFLICT,
        Refused::Unsaved(_) => StatusCode::INTERNAL_SERVER_ERROR,
        Refused::Policy(_) | Refused::SameAsBefore | Refused::BadName => StatusCode::BAD_REQUEST,
    };
    (status, refused.to_string())
}

/// `PUT /api/users/{name}`, body `{"level": "ReadOnly", "password": "…"}`: adds the user
/// (a password is then needed) or changes their level and, if given, password.
pub async fn put(
    role: Role,
    State(shared): State<Shared>,
    State(web): State<Web>,
    Path(name): Path<String>,
    body: String,
) -> Result<Response, Refusal> {
    role.may_administer()?;
    let form: UserForm = serde_json::from_str(&body).map_err(|e| {
        (
            StatusCode::BAD_REQUEST,
            format!(
                "expected {{\"level\": \"Disabled\"|\"ReadOnly\"|\"ReadWrite\", \"password\": \"…\", \"must_change\": true|false}}: {e}"
            ),
        )
    })?;
    let now_unix_s = shared.lock().clock.calendar_s() as i64;
    {
        let mut web = web.lock();
        let accounts = web.accounts.as_mut().ok_or(no_accounts())?;
        accounts
            .put_user(&name, form.level, form.password.as_deref(), form.must_change, now_unix_s)
            .map_err(refusal)?;
    }
    changed(&mut shared.lock(), "REST API", role.name());
    Ok(json(&serde_json::json!({ "user": name, "level": form.level })))
}

/// `DELETE /api/users/{name}`.
pub async fn delete(
    role: Role,
    State(shared): State<Shared>,
    State(web): State<Web>,
    Path(name): Path<String>,
) -> Result<Response, Refusal> {
    role.may_administer()?;
    {
        let mut web = web.lock();
        let accounts = web.accounts.as_mut().ok_or(no_accounts())?;
        accounts.remove_user(&name).map_err(refusal)?;
    }
    changed(&mut shared.lock(), "REST API", role.name());
    Ok(json(&serde_json::json!({ "removed": name })))
}

/// The card events log line of a change to the table (§21.4 "??? has been changed via ???
/// by ???").
pub(crate) fn changed(agent: &mut crate::run::Agent, via: &str, by: &str) {
    let stamp = agent.clock.stamp();
    let line = format!("Multi-User Table has been changed via {via} by {by}");
    agent.card.card_event(stamp, Severity::Information, &line);
}
