//! A settings page (`settings_table`) drawn: its form by `settings.js` from the settings'
//! JSON Schema and saved with `PATCH /api/config`, a summary drawn on the card (the clocks)
//! and buttons that act now (tests).

use super::layout::{TopBar, page};
use super::settings_table::{NET_VISION_MANAGEMENT, SettingsPage, UPS_MANAGEMENT};
use crate::run::{Agent, Shared};
use crate::web::Caller;
use axum::Extension;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

fn find(path: &str) -> Option<&'static SettingsPage> {
    UPS_MANAGEMENT.iter().chain(NET_VISION_MANAGEMENT).find(|p| p.path == path)
}

fn render(settings: &SettingsPage, caller: &Caller, agent: &Agent) -> Markup {
    let writable = caller.role.may_change().is_ok();
    let fields: Vec<serde_json::Value> = (settings.fields.iter())
        .map(|(pointer, label)| serde_json::json!({ "pointer": pointer, "label": label }))
        .collect();
    let content = html! {
        p.intro { (settings.intro) }
        @if let Some(summary) = settings.summary { (summary(agent)) }
        @if writable && !settings.actions.is_empty() {
            div.toolbar #actions {
                @for (label, post) in settings.actions { button type="button" data-post=(post) { (label) } }
            }
            p #action-result {}
        }
        div #settings data-writable=(writable) data-fields=(serde_json::Value::from(fields).to_string()) {
            p.loading { "Reading the settings…" }
        }
    };
    page(settings.title, settings.path, caller, &TopBar::of(agent), content)
}

/// Any settings page, found by its path.
pub async fn get(State(shared): State<Shared>, Extension(caller): Extension<Caller>, uri: Uri) -> Response {
    match find(uri.path()) {
        Some(settings) => render(settings, &caller, &shared.lock()).into_response(),
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}
