//! HTTP's pages sent to HTTPS (§3 "Enabled HTTPS protocol and disable HTTP"): while the
//! card serves HTTPS too and `web.http_redirects` is on, a page asked over HTTP answers 308
//! to the same path on the HTTPS port, so that a browser never logs in over HTTP. The API
//! stays on HTTP for the programs that poll it.

use crate::run::Shared;
use axum::extract::{Request, State};
use axum::http::uri::Authority;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The HTTPS port pages go to.
#[derive(Debug, Clone)]
pub struct ToHttps {
    pub card: Shared,
    pub https_port: u16,
}

pub async fn to_https(State(to): State<ToHttps>, request: Request, next: Next) -> Response {
    let page = !request.uri().path().starts_with("/api/");
    let redirects = page && to.card.lock().config.web.http_redirects;
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<Authority>().ok());
    let (true, Some(host)) = (redirects, host) else { return next.run(request).await };
    let port = if to.https_port == 443 { String::new() } else { format!(":{}", to.https_port) };
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let location = format!("https://{}{port}{path}", host.host());
    (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response()
}
