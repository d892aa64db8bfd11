//! "Multi-User Table" (§18.4): up to 8 users, each Disabled, Read Only or Read/Write, for
//! the administrator only (whose own account is not in the table). A password set here is
//! a first password: the user changes it at the next login.

use super::layout::{Outcome, TopBar, forbidden, outcome, page};
use crate::web::accounts::{Level, MAX_USERS};
use crate::web::{Administrator, Caller, Site};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use maud::{Markup, html};
use std::collections::HashMap;

const LEVELS: [(Level, &str, &str); 3] = [
    (Level::Disabled, "Disabled", "Disabled"),
    (Level::ReadOnly, "ReadOnly", "Read Only"),
    (Level::ReadWrite, "ReadWrite", "Read/Write"),
];

fn level_select(current: Option<Level>) -> Markup {
    html! {
        select name="level" {
            @for (level, value, label) in LEVELS {
                option value=(value) selected[current == Some(level)] { (label) }
            }
        }
    }
}

fn render(site: &Site, caller: &Caller, result: Outcome) -> Markup {
    let users: Vec<(String, Level, bool)> = (site.web.lock().accounts.as_ref())
        .map(|store| store.accounts.users.iter().map(|a| (a.name.clone(), a.level, a.must_change)).collect())
        .unwrap_or_default();
    let csrf = html! { @if let Some(csrf) = &caller.csrf { input type="hidden" name="csrf" value=(csrf); } };
    let content = html! {
        (outcome(&result))
        p.intro { "Up to " (MAX_USERS) " user accounts. The admin account is not managed in this table; it is always active. "
                  "A password set here must be changed by its user at the next login." }
        table.grid #users {
            thead { tr { th { "Index" } th { "User Name" } th { "Password" } th { "Access type" } th {} } }
            tbody {
                @for (index, (name, level, must_change)) in users.iter().enumerate() {
                    tr {
                        td { (index + 1) }
                        td { (name) @if *must_change { span.muted { " (first password)" } } }
                        td colspan="3" {
                            form.row method="post" action="/card/users" {
                                (csrf)
                                input type="hidden" name="name" value=(name);
                                input type="password" name="password" placeholder="unchanged" autocomplete="new-password";
                                (level_select(Some(*level)))
                                button type="submit" name="action" value="save" { "Save" }
                                button.link type="submit" name="action" value="remove" { "Remove" }
                            }
                        }
                    }
                }
                @if users.len() < MAX_USERS {
                    tr #new-user {
                        td { (users.len() + 1) }
                        td colspan="4" {
                            form.row method="post" action="/card/users" #add-user {
                                (csrf)
                                input name="name" placeholder="user name" required pattern="[A-Za-z0-9._\\-]{1,32}";
                                input type="password" name="password" placeholder="first password" required autocomplete="new-password";
                                (level_select(Some(Level::ReadOnly)))
                                button type="submit" name="action" value="save" { "Add" }
                            }
                        }
                    }
                }
            }
        }
        p.muted { (crate::web::policy::RULE) }
    };
    page("Multi-User Table", "/card/users", caller, &TopBar::of(&site.card.lock()), content)
}

pub async fn get(State(site): State<Site>, Extension(caller): Extension<Caller>) -> Response {
    match caller.role.may_administer() {
        Ok(()) => render(&site, &caller, None).into_response(),
        Err((_, why)) => {
            forbidden("Multi-User Table", "/card/users", &caller, &TopBar::of(&site.card.lock()), &why)
        }
    }
}

pub async fn post(
    State(site): State<Site>,
    Administrator(caller): Administrator,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let name = form.get("name").map(|n| n.trim()).unwrap_or("");
    let level = LEVELS.iter().find(|(_, value, _)| form.get("level").map(String::as_str) == Some(*value));
    let password = form.get("password").map(String::as_str).filter(|p| !p.is_empty());
    let outcome = {
        let now_unix_s = site.card.lock().clock.calendar_s() as i64;
        let done = match (site.web.lock().accounts.as_mut(), form.get("action").map(String::as_str), level) {
            (None, ..) => Err("this card has no accounts".to_string()),
            (Some(store), Some("remove"), _) => {
                store.remove_user(name).map(|()| format!("{name} removed.")).map_err(|e| e.to_string())
            }
            (Some(store), Some("save"), Some((level, _, label))) => (store
                .put_user(name, *level, password, true, now_unix_s))
            .map(|()| format!("{name} saved: {label}."))
            .map_err(|e| e.to_string()),
            _ => Err("expected action save (with a level) or remove".to_string()),
        };
        if done.is_ok() {
            crate::web::api::users::changed(&mut site.card.lock(), "HTTP", &caller.user);
        }
        done
    };
    let status = if outcome.is_ok() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    (status, render(&site, &caller, Some(outcome))).into_response()
}
