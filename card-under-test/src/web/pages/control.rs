//! "UPS Control" (§16.1): one radio button per control the UPS allows now, and Apply.
//! Read-only users see the list without the form; the server refuses their POST (403).

use super::layout::{Outcome, TopBar, outcome, page};
use crate::run::Shared;
use crate::web::{Caller, Writer};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use maud::{Markup, html};
use std::collections::{BTreeMap, HashMap};

fn render(shared: &Shared, caller: &Caller, result: Outcome) -> Markup {
    let list = shared.lock().card.controls();
    let writable = caller.role.may_change().is_ok();
    let content = html! {
        (outcome(&result))
        @if list.iter().all(|c| !c.available) { p { "The UPS allows no remote control now." } }
        @if writable {
            form method="post" action="/ups/control" #control-form {
                @if let Some(csrf) = &caller.csrf { input type="hidden" name="csrf" value=(csrf); }
                @for control in list.iter().filter(|c| c.available) {
                    label.choice {
                        input type="radio" name="control" value=(control.name) required;
                        (control.label)
                    }
                    @for param in &control.params {
                        label.param { (crate::controls::param_label(param)) input type="number" name=(param) step="any"; }
                    }
                }
                button type="submit" { "Apply" }
            }
        } @else {
            ul.readonly #control-list {
                @for control in list.iter().filter(|c| c.available) { li { (control.label) } }
            }
            p.hint { "Controls are available for Read/Write user rights and admin accounts." }
        }
    };
    let agent = shared.lock();
    page("UPS Control", "/ups/control", caller, &TopBar::of(&agent), content)
}

pub async fn get(State(shared): State<Shared>, Extension(caller): Extension<Caller>) -> Markup {
    render(&shared, &caller, None)
}

pub async fn post(
    State(shared): State<Shared>,
    Writer(caller): Writer,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(name) = form.get("control").cloned() else {
        return (StatusCode::BAD_REQUEST, render(&shared, &caller, Some(Err("Choose a control.".into()))))
            .into_response();
    };
    let mut params = BTreeMap::new();
    for (key, text) in form.iter().filter(|(k, v)| !matches!(k.as_str(), "control" | "csrf") && !v.is_empty())
    {
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() => params.insert(key.clone(), value),
            _ => {
                let why = format!("{key}: expected a number, got {text:?}");
                return (StatusCode::BAD_REQUEST, render(&shared, &caller, Some(Err(why)))).into_response();
            }
        };
    }
    let outcome = crate::command::send(&shared, &name, &params, "HTTP", &caller.user).await;
    let status = if outcome.is_ok() { StatusCode::OK } else { StatusCode::CONFLICT };
    let outcome = outcome.map(|()| format!("Sent to the UPS: {name}")).map_err(|e| e.to_string());
    (status, render(&shared, &caller, Some(outcome))).into_response()
}
