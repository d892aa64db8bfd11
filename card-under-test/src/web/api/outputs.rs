//! The test buttons of the card's outputs: a test trap (§18.8), a test mail (§18.9), magic
//! packets to chosen targets (§18.11).

use super::{Refusal, json};
use crate::alarms::Severity;
use crate::catalogue;
use crate::notify::Detail;
use crate::role::Role;
use crate::run::Shared;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// `POST /api/traps/test`: trap 40 "TRAP TEST" to the receivers that want it (§18.8).
pub async fn test_trap(role: Role, State(shared): State<Shared>) -> Result<Response, Refusal> {
    role.may_change()?;
    let mut agent = shared.lock();
    let stamp = agent.clock.stamp();
    agent.card.raise(stamp, catalogue::TEST, Detail::None);
    let line = format!("Test trap sent via REST API by {}", role.name());
    agent.card.card_event(stamp, Severity::Information, &line);
    Ok(json(&serde_json::json!({ "raised": catalogue::TEST })))
}

/// `POST /api/mail/test`: the test mail to every recipient with a mail type; 502 with the
/// manual's error code when the server would not take it.
pub async fn test_mail(role: Role, State(shared): State<Shared>) -> Result<Response, Refusal> {
    role.may_change()?;
    if !shared.lock().config.mail.enabled {
        return Err((StatusCode::CONFLICT, "mail is not enabled (mail: (enabled: true, …))".into()));
    }
    match crate::mail::test(&shared, &format!("REST API by {}", role.name())).await {
        Ok(sent_to) => Ok(json(&serde_json::json!({ "sent_to": sent_to }))),
        Err(e) => Err((StatusCode::BAD_GATEWAY, e.to_string())),
    }
}

/// The body of a Wake-on-LAN test: the MACs to wake (the enabled targets when left out).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WakeTest {
    #[serde(default)]
    macs: Option<Vec<String>>,
}

/// `POST /api/wake-on-lan/test`, body empty or `{"macs": ["00:11:22:33:44:55"]}`.
pub async fn test_wake_on_lan(
    role: Role,
    State(shared): State<Shared>,
    body: String,
) -> Result<Response, Refusal> {
    role.may_change()?;
    let test: WakeTest = if body.trim().is_empty() {
        WakeTest { macs: None }
    } else {
        serde_json::from_str(&body).map_err(|e| {
            (StatusCode::BAD_REQUEST, format!("expected {{\"macs\": [\"00:11:22:33:44:55\", …]}}: {e}"))
        })?
    };
    let only = match &test.macs {
        None => None,
        Some(macs) => Some(
            (macs.iter())
                .map(|mac| mac.trim().parse::<macaddr::MacAddr6>().map(|m| m.into_array()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| (StatusCode::BAD_REQUEST, format!("macs: {e}")))?,
        ),
    };
    let why = format!("test via REST API by {}", role.name());
    match crate::wake_on_lan::wake(&shared, only.as_deref(), &why).await {
        Ok(woken) => Ok(json(&serde_json::json!({ "woken": woken }))),
        Err(e @ crate::wake_on_lan::NotWoken::NoTarget) => Err((StatusCode::CONFLICT, e.to_string())),
        Err(e @ crate::wake_on_lan::NotWoken::NotSent(_)) => {
            Err((StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
        }
    }
}
