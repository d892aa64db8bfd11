//! The gate every HTTP request passes (the in-process API has none): who is calling — the
//! session cookie of a browser, or HTTP Basic credentials of a program — and whether they
//! may: a first or expired password allows only its change; a change sent from a page must
//! carry the session's CSRF token. What passes carries the caller's `Role`.

use super::authenticate::{Denied, authenticate};
use super::{Caller, Site, cookies};
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Header a page's script sends its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Header a page's own refresh sends: it does not keep the session alive.
pub const REFRESH_HEADER: &str = "x-refresh";
/// The most a form body may hold.
const FORM_LIMIT_BYTES: usize = 64 * 1024;

/// Paths anyone may ask for: the login page and the pages' files.
fn public(path: &str) -> bool {
    path == "/login" || path == "/favicon.ico" || path.starts_with("/assets/")
}

/// Paths a caller whose password must change may still use.
fn allowed_before_change(path: &str) -> bool {
    path == "/password" || path == "/logout"
}

/// Who could not be let in, and how to say it: a page goes to the login page, a program
/// gets the status.
enum Refusal {
    NotLoggedIn(Option<&'static str>),
    Status(StatusCode, String),
}

fn peer_of(extensions: &axum::http::Extensions) -> IpAddr {
    extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

/// The address a request came from (unspecified when served without one, in-process).
#[derive(Debug, Clone, Copy)]
pub struct PeerIp(pub IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PeerIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(PeerIp(peer_of(&parts.extensions)))
    }
}

pub async fn gate(State(site): State<Site>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if public(&path) {
        return next.run(request).await;
    }
    let page = !path.starts_with("/api/");
    let peer = peer_of(request.extensions());
    let caller = match identify(&site, request.headers(), peer).await {
        Ok(caller) => caller,
        Err(Refusal::NotLoggedIn(why)) if page => {
            let to = match why {
                Some(message) => format!("/login?ended={}", cookies::encode_query(message)),
                None => "/login".into(),
            };
            return Redirect::to(&to).into_response();
        }
        Err(Refusal::NotLoggedIn(why)) => {
            return (StatusCode::UNAUTHORIZED, why.unwrap_or("not logged in").to_string()).into_response();
        }
        Err(Refusal::Status(status, why)) => return (status, why).into_response(),
    };
    if caller.must_change && !allowed_before_change(&path) {
        return if page {
            Redirect::to("/password").into_response()
        } else {
            (StatusCode::FORBIDDEN, "the password must be changed first (web interface)".to_string())
                .into_response()
        };
    }
    if changes(request.method()) && caller.csrf.is_some() {
        let (checked, back) = csrf_checked(request, caller.csrf.as_deref().unwrap_or_default()).await;
        match checked {
            Ok(()) => request = back,
            Err(why) => return (StatusCode::FORBIDDEN, why).into_response(),
        }
    }
    request.extensions_mut().insert(caller.role);
    request.extensions_mut().insert(caller);
    next.run(request).await
}

fn changes(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

async fn identify(site: &Site, headers: &HeaderMap, peer: IpAddr) -> Result<Caller, Refusal> {
    if let Some((name, password)) = basic_credentials(headers) {
        return match authenticate(site, peer, &name, &password).await {
            Ok(who) => {
                Ok(Caller { user: who.user, role: who.role, csrf: None, must_change: who.must_change })
            }
            Err(Denied::Wait(wait_s)) => Err(Refusal::Status(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many failed logins: wait {wait_s} s"),
            )),
            Err(Denied::Wrong) => {
                Err(Refusal::Status(StatusCode::UNAUTHORIZED, "wrong user name or password".into()))
            }
            Err(Denied::NoAccounts) => {
                Err(Refusal::Status(StatusCode::UNAUTHORIZED, "this card has no accounts".into()))
            }
        };
    }
    let token = cookies::session_token(headers).ok_or(Refusal::NotLoggedIn(None))?;
    let active = !headers.contains_key(REFRESH_HEADER);
    let (timeout_s, now_s) = {
        let agent = site.card.lock();
        (f64::from(agent.config.login_timeout_s), agent.clock.now_s())
    };
    match site.web.lock().sessions.find(&token, timeout_s, active, now_s) {
        Ok(session) => Ok(Caller {
            user: session.user.clone(),
            role: session.role,
            csrf: Some(session.csrf.clone()),
            must_change: session.must_change,
        }),
        Err(why) => Err(Refusal::NotLoggedIn(why.map(super::session::Ended::message))),
    }
}

/// `Authorization: Basic …` as (name, password).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (name, password) = text.split_once(':')?;
    Some((name.to_owned(), password.to_owned()))
}

/// Whether a change carries the session's token: in the header (scripts), or as the form's
/// `csrf` field (forms). The request comes back whole either way.
async fn csrf_checked(request: Request, expected: &str) -> (Result<(), String>, Request) {
    // Compared in constant time: how long it takes says nothing of the token.
    let same = |given: &str| super::session::same_token(given, expected);
    if let Some(given) = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let ok = same(given);
        return (if ok { Ok(()) } else { Err("wrong CSRF token".into()) }, request);
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (Err("missing CSRF token".into()), request);
    }
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, FORM_LIMIT_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return (Err("form too large".into()), Request::from_parts(parts, Body::empty())),
    };
    let ok = form_urlencoded::parse(&bytes).any(|(key, value)| key == "csrf" && same(&value));
    let request = Request::from_parts(parts, Body::from(bytes));
    (if ok { Ok(()) } else { Err("missing or wrong CSRF token".into()) }, request)
}
