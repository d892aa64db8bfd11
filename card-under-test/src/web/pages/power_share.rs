//! "Power Share" (§16.7): each plug's mode and threshold, and the plugs opened or closed at
//! once. Offered when the UPS manages plugs and allows remote controls; for the
//! administrator only, as the manual says.

use super::layout::{Outcome, TopBar, forbidden, outcome, page};
use crate::run::Shared;
use crate::web::{Administrator, Caller};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use maud::{Markup, html};
use std::collections::{BTreeMap, HashMap};

/// §16.7's modes, by the number the UPS takes (0 = None: the plug follows the controls).
const MODES: [(u8, &str); 5] = [
    (0, "None"),
    (1, "Battery Capacity"),
    (2, "Remaining backup time"),
    (3, "Time since on battery"),
    (4, "Emergency light ON"),
];

/// The plugs the UPS manages, each with whether it is closed now, if the map says.
fn plugs(shared: &Shared) -> Vec<(u8, Option<bool>)> {
    let agent = shared.lock();
    let database = agent.card.database();
    let closed = |plug: u8| {
        let signal = format!("power_share_plug_closed:{plug}");
        (database.flags.iter()).find(|f| f.signal.as_deref() == Some(&signal)).map(|f| f.on)
    };
    let declared = (database.readings.iter())
        .find(|r| r.name == "Number of Power Share Plugs Available")
        .and_then(|r| r.value)
        .map(|n| n.clamp(0.0, 4.0) as u8);
    let count = declared.unwrap_or_else(|| (1..=4).filter(|p| closed(*p).is_some()).count() as u8);
    (1..=count).map(|plug| (plug, closed(plug))).collect()
}

fn available(shared: &Shared) -> Result<(), String> {
    match shared.lock().card.controls().into_iter().find(|c| c.name == "power_share_mode") {
        Some(c) if c.available => Ok(()),
        Some(c) => Err(c.why_not.unwrap_or_default()),
        None => Err("this UPS has no power-share controls".into()),
    }
}

fn render(shared: &Shared, caller: &Caller, result: Outcome) -> Markup {
    let plugs = plugs(shared);
    let allowed = available(shared);
    let csrf = html! { @if let Some(csrf) = &caller.csrf { input type="hidden" name="csrf" value=(csrf); } };
    let content = html! {
        (outcome(&result))
        @if plugs.is_empty() {
            p #no-plugs { "This UPS manages no power-share plugs." }
        } @else if let Err(why) = &allowed {
            p #no-control { "Power share cannot be set now: " (why) "." }
        } @else {
            form method="post" action="/ups/power-share" #plug-modes {
                (csrf)
                input type="hidden" name="action" value="modes";
                table.grid {
                    thead { tr { th { "Available Plugs" } th { "Mode" } th { "Value (% or s)" } } }
                    tbody {
                        @for (plug, _) in &plugs {
                            tr {
                                td { "Plug " (plug) }
                                td { select name={ "mode" (plug) } {
                                    @for (value, label) in MODES { option value=(value) { (label) } }
                                } }
                                td { input type="number" name={ "threshold" (plug) } min="0" max="86400" value="0"; }
                            }
                        }
                    }
                }
                button type="submit" { "Apply" }
            }
            form method="post" action="/ups/power-share" #plug-control {
                (csrf)
                input type="hidden" name="action" value="plugs";
                p { "Power share Plugs: select to close, unselect to open, then apply." }
                @for (plug, closed) in &plugs {
                    label.inline { input type="checkbox" name={ "closed" (plug) } checked[closed == &Some(true)]; " " (plug) }
                }
                button type="submit" { "Apply" }
            }
            p.muted { "The UPS ignores the immediate control if the plug is set to a specific mode." }
        }
    };
    let agent = shared.lock();
    page("Power Share", "/ups/power-share", caller, &TopBar::of(&agent), content)
}

pub async fn get(State(shared): State<Shared>, Extension(caller): Extension<Caller>) -> Response {
    match caller.role.may_administer() {
        Ok(()) => render(&shared, &caller, None).into_response(),
        Err((_, why)) => {
            forbidden("Power Share", "/ups/power-share", &caller, &TopBar::of(&shared.lock()), &why)
        }
    }
}

/// A control to send: its name and parameters.
type Control = (&'static str, BTreeMap<String, f64>);

/// The commands a form asks for: (`power_share_mode`, plug, mode, threshold) per plug, or
/// (`power_share`, plug, closed) per plug.
fn commands(form: &HashMap<String, String>, plugs: &[(u8, Option<bool>)]) -> Result<Vec<Control>, String> {
    let number = |name: &str| -> Result<f64, String> {
        let text = form.get(name).map(|t| t.trim()).unwrap_or("");
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or(format!("{name}: expected a number, got {text:?}"))
    };
    let mut list = Vec::new();
    for (plug, _) in plugs {
        let mut params = BTreeMap::from([("plug".to_string(), f64::from(*plug))]);
        match form.get("action").map(String::as_str) {
            Some("modes") => {
                params.insert("mode".into(), number(&format!("mode{plug}"))?);
                params.insert("threshold".into(), number(&format!("threshold{plug}"))?);
                list.push(("power_share_mode", params));
            }
            Some("plugs") => {
                params.insert(
                    "closed".into(),
                    if form.contains_key(&format!("closed{plug}")) { 1.0 } else { 0.0 },
                );
                list.push(("power_share", params));
            }
            _ => return Err("action: expected modes or plugs".into()),
        }
    }
    Ok(list)
}

pub async fn post(
    State(shared): State<Shared>,
    Administrator(caller): Administrator,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let outcome = match commands(&form, &plugs(&shared)) {
        Err(why) => Err(why),
        Ok(list) => {
            let mut outcome = Ok(format!("Sent to the UPS for {} plug(s).", list.len()));
            for (name, params) in list {
                if let Err(e) = crate::command::send(&shared, name, &params, "HTTP", &caller.user).await {
                    outcome = Err(e.to_string());
                    break;
                }
            }
            outcome
        }
    };
    let status = if outcome.is_ok() { StatusCode::OK } else { StatusCode::CONFLICT };
    (status, render(&shared, &caller, Some(outcome))).into_response()
}
