//! Login, logout and the password change (§11.5): one session at a time, the first
//! password changed before anything else, failed logins slowed down.

use super::layout::bare;
use crate::run::Shared;
use crate::web::accounts::Refused;
use crate::web::authenticate::{Denied, authenticate};
use crate::web::gate::PeerIp;
use crate::web::session::{Ended, token};
use crate::web::{Caller, Site, Web, cookies, policy};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct EndedQuery {
    ended: Option<String>,
}

fn login_form(csrf: &str, message: Option<&str>) -> Markup {
    bare(
        "Login",
        html! {
            @if let Some(message) = message { p.message role="alert" { (message) } }
            form method="post" action="/login" #login-form {
                input type="hidden" name="csrf" value=(csrf);
                label { "Login" input name="user" autocomplete="username" required autofocus; }
                label { "Password" input type="password" name="password" autocomplete="current-password" required; }
                button type="submit" { "Log in" }
            }
        },
    )
}

/// The login form, its CSRF token in a cookie and in the form: the browser's token if it
/// has one (two tabs on the login page both work), else a new one.
fn login_page(jar: CookieJar, status: StatusCode, message: Option<&str>) -> Response {
    let held = jar.get(cookies::LOGIN).map(|c| c.value().to_owned()).filter(|t| t.len() == 64);
    let csrf = held.unwrap_or_else(token);
    let jar = jar.add(cookies::make(cookies::LOGIN, csrf.clone()));
    (status, jar, login_form(&csrf, message)).into_response()
}

pub async fn get_login(jar: CookieJar, Query(query): Query<EndedQuery>) -> Response {
    // Only the manual's sentences are said back, never text from the address bar.
    let known =
        [Ended::ByNewLogin, Ended::TimedOut, Ended::LoggedOut, Ended::PasswordChanged].map(Ended::message);
    let message = query.ended.as_deref().and_then(|m| known.into_iter().find(|k| *k == m));
    login_page(jar, StatusCode::OK, message)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    csrf: String,
    user: String,
    password: String,
}

pub async fn post_login(
    State(site): State<Site>,
    PeerIp(from): PeerIp,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Response {
    if !cookies::login_token(&headers).is_some_and(|held| crate::web::session::same_token(&held, &form.csrf))
    {
        let message = "The login form expired: please log in again.";
        return login_page(jar, StatusCode::FORBIDDEN, Some(message));
    }
    let who = match authenticate(&site, from, &form.user, &form.password).await {
        Ok(who) => who,
        Err(Denied::Wait(wait_s)) => {
            let message = format!("Too many failed logins: try again in {wait_s} s.");
            return login_page(jar, StatusCode::TOO_MANY_REQUESTS, Some(&message));
        }
        Err(Denied::Wrong | Denied::NoAccounts) => {
            return login_page(jar, StatusCode::UNAUTHORIZED, Some("Wrong login or password."));
        }
    };
    let session = {
        let now_s = site.card.lock().clock.now_s();
        site.web.lock().sessions.open(&who.user, who.role, who.must_change, now_s).token.clone()
    };
    let jar = jar.remove(cookies::removal(cookies::LOGIN)).add(cookies::make(cookies::SESSION, session));
    (jar, Redirect::to(if who.must_change { "/password" } else { "/" })).into_response()
}

pub async fn post_logout(State(web): State<Web>, jar: CookieJar) -> Response {
    web.lock().sessions.end(Ended::LoggedOut);
    let to = format!("/login?ended={}", cookies::encode_query(Ended::LoggedOut.message()));
    (jar.remove(cookies::removal(cookies::SESSION)), Redirect::to(&to)).into_response()
}

fn password_form(caller: &Caller, message: Option<&str>) -> Markup {
    let why = if caller.must_change {
        "Your password must be changed before you go on."
    } else {
        "Change your password."
    };
    bare(
        "Change password",
        html! {
            p { (why) }
            p.hint { (policy::RULE) }
            @if let Some(message) = message { p.message role="alert" { (message) } }
            form method="post" action="/password" #password-form {
                @if let Some(csrf) = &caller.csrf { input type="hidden" name="csrf" value=(csrf); }
                label { "Current password" input type="password" name="current" autocomplete="current-password" required; }
                label { "New password" input type="password" name="new" autocomplete="new-password" required minlength="12"; }
                label { "Confirm new password" input type="password" name="confirm" autocomplete="new-password" required; }
                button type="submit" { "Change password" }
            }
        },
    )
}

pub async fn get_password(Extension(caller): Extension<Caller>) -> Markup {
    password_form(&caller, None)
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// A changed password ends the session: the next one opens with it (§11.5).
pub async fn post_password(
    State(shared): State<Shared>,
    State(web): State<Web>,
    Extension(caller): Extension<Caller>,
    jar: CookieJar,
    Form(form): Form<PasswordForm>,
) -> Response {
    let refuse =
        |message: &str| (StatusCode::BAD_REQUEST, password_form(&caller, Some(message))).into_response();
    if form.new != form.confirm {
        return refuse("The new password and its confirmation differ.");
    }
    // Checked on a copy, outside the card's lock (Argon2 takes a while).
    let Some(snapshot) = web.lock().accounts.clone() else {
        return refuse("This card has no accounts.");
    };
    if snapshot.check(&caller.user, &form.current).is_none() {
        return refuse("The current password is wrong.");
    }
    let now_unix_s = shared.lock().clock.calendar_s() as i64;
    let mut web = web.lock();
    let Some(accounts) = web.accounts.as_mut() else { return refuse("This card has no accounts.") };
    match accounts.set_password(&caller.user, &form.new, true, now_unix_s) {
        Ok(()) => {}
        Err(refused @ (Refused::Policy(_) | Refused::SameAsBefore)) => return refuse(&refused.to_string()),
        Err(other) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, password_form(&caller, Some(&other.to_string())))
                .into_response();
        }
    }
    web.sessions.end(Ended::PasswordChanged);
    let to = format!("/login?ended={}", cookies::encode_query(Ended::PasswordChanged.message()));
    (jar.remove(cookies::removal(cookies::SESSION)), Redirect::to(&to)).into_response()
}
