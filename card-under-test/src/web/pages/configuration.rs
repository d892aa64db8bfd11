//! "NET VISION Configuration" (§18.2): the general settings as a form, and the settings
//! file: "Download Configuration" (a backup) and "Upload Configuration" (a restore: taken
//! whole or not at all, a bad file named by line and column).

use super::layout::{Outcome, TopBar, outcome, page};
use crate::config::{Config, TemperatureUnit};
use crate::run::Shared;
use crate::web::api::MASK;
use crate::web::{Caller, Writer};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use maud::{Markup, html};
use std::collections::HashMap;

/// (form field, §18.2 label, value now); the communities masked unless `secrets` may be
/// shown.
fn fields(config: &Config, secrets: bool) -> Vec<(&'static str, &'static str, String)> {
    let secret = |value: &str| if secrets { value.to_owned() } else { MASK.to_owned() };
    vec![
        ("system_name", "System Name", config.system_name.clone()),
        ("system_contact", "System Contact", config.system_contact.clone()),
        ("system_location", "System Location", config.system_location.clone()),
        ("history_interval_s", "History Log Interval (s)", config.history_interval_s.to_string()),
        ("extended_interval_min", "Extend Log Interval (mn)", config.extended_interval_min.to_string()),
        ("polling_s", "Polling Rate (s)", config.polling_s.to_string()),
        ("first_login_reset_days", "First Login Reset (Day)", config.first_login_reset_days.to_string()),
        ("login_timeout_s", "Login Timeout (s)", config.login_timeout_s.to_string()),
        ("read_community", "SNMP read Community", secret(&config.snmp.read_community)),
        ("write_community", "SNMP write Community", secret(&config.snmp.write_community)),
    ]
}

fn render(shared: &Shared, caller: &Caller, result: Outcome) -> Markup {
    let agent = shared.lock();
    let config = &agent.config;
    let writable = caller.role.may_change().is_ok();
    // The settings file holds every secret: backing it up or restoring it is the
    // administrator's.
    let administrator = caller.role.sees_secrets();
    let content = html! {
        (outcome(&result))
        div.toolbar {
            @if administrator {
                a.button href="/api/config/backup" download="card.ron" #download-config { "Download Configuration" }
            }
            a.button href="/api/mib" download="NETVISION-MIB.txt" #download-mib { "Download MIB file" }
        }
        @if administrator {
            form #upload-form data-upload="/api/config" {
                label { "Upload Configuration" input type="file" #upload-file accept=".ron,text/plain" required; }
                button type="submit" { "Upload" }
                p #upload-result role="status" {}
            }
        }
        @if writable {
            form method="post" action="/card/configuration" #configuration-form {
                @if let Some(csrf) = &caller.csrf { input type="hidden" name="csrf" value=(csrf); }
                @for (name, label, value) in fields(config, administrator) {
                    label { (label) input name=(name) value=(value); }
                }
                label { "Temperature unit"
                    select name="temperature_unit" {
                        option value="Celsius" selected[config.temperature_unit == TemperatureUnit::Celsius] { "°C" }
                        option value="Fahrenheit" selected[config.temperature_unit == TemperatureUnit::Fahrenheit] { "°F" }
                    }
                }
                button type="submit" { "Save" }
            }
        } @else {
            table.summary #configuration {
                @for (_, label, value) in fields(config, administrator) { tr { th { (label) } td { (value) } } }
            }
        }
    };
    page("NET VISION Configuration", "/card/configuration", caller, &TopBar::of(&agent), content)
}

pub async fn get(State(shared): State<Shared>, Extension(caller): Extension<Caller>) -> Markup {
    render(&shared, &caller, None)
}

/// The form's values on top of the settings in force; the first one that does not parse.
fn apply(config: &mut Config, form: &HashMap<String, String>) -> Result<(), String> {
    fn number<T: std::str::FromStr>(
        form: &HashMap<String, String>,
        name: &str,
        label: &str,
    ) -> Result<Option<T>, String> {
        form.get(name)
            .map(|text| text.trim().parse().map_err(|_| format!("{label}: expected a number, got {text:?}")))
            .transpose()
    }
    let text = |name: &str| form.get(name).map(|t| t.trim().to_owned());
    // A community shown masked and sent back as it was stays as it is.
    let secret = |name: &str| text(name).filter(|value| value != MASK);
    if let Some(v) = text("system_name") {
        config.system_name = v;
    }
    if let Some(v) = text("system_contact") {
        config.system_contact = v;
    }
    if let Some(v) = text("system_location") {
        config.system_location = v;
    }
    if let Some(v) = secret("read_community") {
        config.snmp.read_community = v;
    }
    if let Some(v) = secret("write_community") {
        config.snmp.write_community = v;
    }
    if let Some(v) = number(form, "history_interval_s", "History Log Interval (s)")? {
        config.history_interval_s = v;
    }
    if let Some(v) = number(form, "extended_interval_min", "Extend Log Interval (mn)")? {
        config.extended_interval_min = v;
    }
    if let Some(v) = number(form, "polling_s", "Polling Rate (s)")? {
        config.polling_s = v;
    }
    if let Some(v) = number(form, "first_login_reset_days", "First Login Reset (Day)")? {
        config.first_login_reset_days = v;
    }
    if let Some(v) = number(form, "login_timeout_s", "Login Timeout (s)")? {
        config.login_timeout_s = v;
    }
    match form.get("temperature_unit").map(String::as_str) {
        Some("Celsius") => config.temperature_unit = TemperatureUnit::Celsius,
        Some("Fahrenheit") => config.temperature_unit = TemperatureUnit::Fahrenheit,
        Some(other) => {
            return Err(format!("Temperature unit: expected Celsius or Fahrenheit, got {other:?}"));
        }
        None => {}
    }
    config.check()
}

pub async fn post(
    State(shared): State<Shared>,
    Writer(caller): Writer,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut config = shared.lock().config.clone();
    let (status, outcome) = match apply(&mut config, &form) {
        Err(why) => (StatusCode::BAD_REQUEST, Err(why)),
        Ok(()) => match shared.lock().put_config(config, "HTTP", &caller.user) {
            Ok(changed) if changed.changed.is_empty() => (StatusCode::OK, Ok("Nothing changed.".to_string())),
            Ok(changed) => (StatusCode::OK, Ok(format!("Saved: {}.", changed.changed.join(", ")))),
            Err(refused) => {
                let (status, why) = crate::web::api::config_refusal(&refused);
                (status, Err(why))
            }
        },
    };
    (status, render(&shared, &caller, Some(outcome))).into_response()
}
