//! The firewall (§18.15) in front of the web server: a request from an address the rules
//! refuse gets 403 before anything else looks at it (the login page included). Requests
//! without a peer address (in-process) are not filtered.

use crate::run::Shared;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

pub async fn filter(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if let Some(peer) = peer
        && !shared.lock().config.firewall.allows(peer)
    {
        return (StatusCode::FORBIDDEN, format!("{peer} is refused by the card's firewall")).into_response();
    }
    next.run(request).await
}
