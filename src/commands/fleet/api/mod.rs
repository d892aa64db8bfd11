//! The fleet's control API: the fleet at a glance, its devices (filtered), one device's
//! state, faults and commands for a device, a group, a feed or a site (now or at an
//! instant), and `/metrics` for Prometheus. Every route is declared with its OpenAPI
//! description (utoipa), so `/api/openapi.json` covers exactly the routes served.

mod acting;
mod reading;

use super::members::Members;
use crate::commands::control_api::{self, BearerToken};
use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "upstwin fleet control API",
        description = "Read a fleet of UPS twins and act on it as a site does: fail a feed, a site, a \
                       group or one device (now, or at an instant every shard agrees on), send commands, \
                       list the devices with their addresses, read one device's state, scrape `/metrics`. \
                       Served by `upstwin fleet --control`; each shard serves its own devices (`fleet status \
                       --shards` asks them all). Loopback only unless a bearer token is given (`--token`). \
                       Bodies are JSON, with or without `Content-Type: application/json`."
    ),
    modifiers(&BearerToken)
)]
struct FleetDoc;

/// The routes and their OpenAPI document, built together.
fn routes() -> (Router<Arc<Members>>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(FleetDoc::openapi())
        .routes(routes!(reading::summary))
        .routes(routes!(reading::devices))
        .routes(routes!(reading::device))
        .routes(routes!(acting::inject))
        .routes(routes!(acting::clear))
        .routes(routes!(acting::command))
        .routes(routes!(acting::scheduled))
        .routes(routes!(acting::cancel))
        .routes(routes!(super::metrics::metrics))
        .split_for_parts()
}

/// The OpenAPI 3 document of the fleet's API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    control_api::with_document_path(routes().1)
}

/// The fleet's API behind `token` when one is given, its document served without one.
pub fn router(members: Arc<Members>, token: Option<String>) -> Router {
    let (routes, openapi) = routes();
    control_api::documented(routes.with_state(members), openapi, token)
}

/// `text/plain` for the content types Prometheus asks for.
pub fn text(body: String, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}
