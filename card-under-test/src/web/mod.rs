//! The card's web interface (NET VISION §11–§21): pages rendered on the card, a little
//! plain JavaScript for live values, no CDN. Every HTTP request passes `gate` (login,
//! sessions, CSRF); the pages read the same JSON API as every other client.

pub mod accounts;
pub mod api;
mod assets;
pub mod authenticate;
pub mod cookies;
pub mod firewall;
pub mod gate;
pub mod headers;
pub mod https;
pub mod identity;
mod pages;
pub mod policy;
mod redirect;
pub mod routes;
pub mod server;
pub mod session;
pub mod throttle;
mod verified;

#[cfg(test)]
mod authorization_tests;

use crate::role::Role;
use crate::run::Shared;
use crate::shutdown::Shutdown;
use axum::Router;
use axum::extract::FromRef;
use axum::middleware;
use std::sync::{Arc, Mutex, MutexGuard};

/// The card as its web interface reaches it: the card itself, the web's own state and
/// shutdown management, each behind its own lock. A handler takes the part it needs
/// (`State<Shared>`, `State<Web>`, `State<Shutdown>`); one that needs the card and another
/// part locks the card first.
#[derive(Debug, Clone)]
pub struct Site {
    pub card: Shared,
    pub web: Web,
    pub shutdown: Shutdown,
}

impl FromRef<Site> for Shared {
    fn from_ref(site: &Site) -> Self {
        site.card.clone()
    }
}

impl FromRef<Site> for Web {
    fn from_ref(site: &Site) -> Self {
        site.web.clone()
    }
}

impl FromRef<Site> for Shutdown {
    fn from_ref(site: &Site) -> Self {
        site.shutdown.clone()
    }
}

/// The web interface's state, shared by its handlers.
#[derive(Debug, Clone, Default)]
pub struct Web(Arc<Mutex<State>>);

impl Web {
    /// No session yet, no failed login, no HTTPS; `accounts` as the card opened them.
    pub fn new(accounts: Option<accounts::Store>) -> Self {
        Self(Arc::new(Mutex::new(State { accounts, ..State::default() })))
    }

    /// The state; a panic elsewhere while it was held does not make it unreadable.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What the web interface keeps: the accounts (`None` until the card opens them: a card in
/// co-simulation has none, and its API is reached in-process only), the one session, the
/// failed logins.
#[derive(Debug, Default)]
pub struct State {
    pub accounts: Option<accounts::Store>,
    pub sessions: session::Sessions,
    pub throttle: throttle::Throttle,
    /// Passwords verified lately (HTTP Basic callers send theirs with every request).
    verified: verified::Verified,
    /// What HTTPS serves, when the card serves it.
    pub tls: Option<https::Tls>,
}

/// Who made a request that passed the gate.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub user: String,
    pub role: Role,
    /// The session's CSRF token, for a browser; `None` for a program using Basic credentials.
    pub csrf: Option<String>,
    pub must_change: bool,
}

/// A caller allowed to change things (admin, Read/Write): a handler that takes it refuses
/// read-only users with 403 before it runs.
#[derive(Debug, Clone)]
pub struct Writer(pub Caller);

/// The administrator: a handler that takes it refuses everyone else with 403 before it runs
/// (the users, power share: §18.4, §16.7).
#[derive(Debug, Clone)]
pub struct Administrator(pub Caller);

type Rejection = (axum::http::StatusCode, String);

/// The caller the gate let in, if they pass `allowed`.
fn caller_with(
    parts: &axum::http::request::Parts,
    allowed: impl FnOnce(Role) -> Result<(), Rejection>,
) -> Result<Caller, Rejection> {
    let caller = (parts.extensions.get::<Caller>().cloned())
        .ok_or((axum::http::StatusCode::UNAUTHORIZED, "not logged in".to_string()))?;
    allowed(caller.role)?;
    Ok(caller)
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Writer {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Rejection> {
        caller_with(parts, Role::may_change).map(Writer)
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Administrator {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Rejection> {
        caller_with(parts, Role::may_administer).map(Administrator)
    }
}

pub fn role_of(account: &accounts::Account) -> Role {
    match (account.name.as_str(), account.level) {
        (accounts::ADMIN, _) => Role::Admin,
        (_, accounts::Level::ReadWrite) => Role::ReadWrite,
        (_, accounts::Level::ReadOnly | accounts::Level::Disabled) => Role::ReadOnly,
    }
}

/// Every route the card serves: the pages, the API, the pages' files.
pub fn routes() -> routes::Routes {
    pages::routes().merge(api::routes()).merge(assets::routes())
}

/// How the card serves its pages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Transport {
    Https,
    /// Plain HTTP; the HTTPS port when HTTPS is served too (pages then redirect there).
    Http {
        https_port: Option<u16>,
    },
}

/// The pages and the API, behind the gate, with the security headers: what the card serves.
pub fn app(site: Site, transport: Transport) -> Router {
    let card = site.card.clone();
    let app = routes()
        .with_state(site.clone())
        .layer(middleware::from_fn_with_state(site, gate::gate))
        .layer(middleware::from_fn(server::in_time));
    let app = match transport {
        Transport::Https => app.layer(middleware::map_response(headers::over_tls)),
        Transport::Http { https_port: None } => app,
        Transport::Http { https_port: Some(https_port) } => app.layer(middleware::from_fn_with_state(
            redirect::ToHttps { card: card.clone(), https_port },
            redirect::to_https,
        )),
    };
    // The firewall answers first: a refused address learns nothing else.
    app.layer(middleware::from_fn_with_state(card, firewall::filter))
        .layer(middleware::map_response(headers::secure))
}
