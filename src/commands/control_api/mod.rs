//! The control API of `upstwin serve`: HTTP/JSON to read the twin and act on it — faults,
//! wire faults, commands, load — and to read the frame trace and the registers. Bad
//! requests get 4xx with a message; refused commands 409 with the firmware's reason.
//! Every route is declared with its OpenAPI description (utoipa), so the document served
//! at `/api/openapi.json` covers exactly the routes served.

mod actions;
pub(crate) mod body;
pub mod reading;
#[cfg(test)]
mod window_requests;

use axum::Json;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sim::twin::SharedTwin;
use sim::twin::control::ControlPlane;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Clone)]
struct Api {
    twin: SharedTwin,
    plane: ControlPlane,
}

/// What every refusal carries.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({ "error": "unknown fault `mains_blakout`, did you mean `mains_blackout`?" }))]
pub(crate) struct ApiError {
    error: String,
}

pub(crate) fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(ApiError { error: message.into() })).into_response()
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "upstwin control API",
        description = "Read the UPS twin and act on it as a test bench does: inject and clear faults \
                       (the UPS's and the wire's), send commands, set the load, read the register image \
                       as a Modbus master would and the frame trace. Served by `upstwin serve --control` and \
                       the demo; loopback only unless a bearer token is given (`--token`). Bodies are JSON, \
                       with or without `Content-Type: application/json`."
    ),
    modifiers(&BearerToken)
)]
struct ApiDoc;

/// The bearer token `--token` asks for (the twin's API and the fleet's).
pub(crate) struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some(
            "Required on every route but this document when the server was started with --token.",
        ));
        components.add_security_scheme("token", SecurityScheme::Http(scheme.build()));
    }
}

/// The routes and their OpenAPI document, built together.
fn routes() -> (Router<Api>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(reading::state))
        .routes(routes!(reading::registers))
        .routes(routes!(reading::trace))
        .routes(routes!(actions::inject))
        .routes(routes!(actions::clear))
        .routes(routes!(actions::inject_wire))
        .routes(routes!(actions::clear_wire))
        .routes(routes!(actions::command))
        .routes(routes!(actions::load))
        .split_for_parts()
}

/// The OpenAPI 3 document of this API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    with_document_path(routes().1)
}

/// The routes' document finished: every route says it takes the bearer token (or none,
/// when the server was started without `--token`) and answers 401 without it; then the
/// document's own route, which needs no token.
pub(crate) fn with_document_path(mut openapi: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::security::SecurityRequirement;
    let token_or_none =
        vec![SecurityRequirement::new("token", Vec::<String>::new()), SecurityRequirement::default()];
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            operation.security = Some(token_or_none.clone());
            operation.responses.responses.insert("401".into(), unauthorized().into());
        }
    }
    openapi.paths.paths.insert("/api/openapi.json".into(), document_path());
    openapi
}

/// What `authorize` answers a request without the token.
fn unauthorized() -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ApiError")))
        .example(Some(serde_json::json!({ "error": UNAUTHORIZED })))
        .build();
    ResponseBuilder::new()
        .description("No `Authorization: Bearer TOKEN`, or the wrong one (servers started with --token)")
        .content("application/json", content)
        .build()
}

/// The refusal without the right token.
const UNAUTHORIZED: &str = "a bearer token is required";

/// `/api/openapi.json` as the document describes it (served without the token).
fn document_path() -> utoipa::openapi::PathItem {
    use utoipa::openapi::path::{HttpMethod, OperationBuilder};
    use utoipa::openapi::{ContentBuilder, ResponseBuilder};
    let answer = ResponseBuilder::new()
        .description("This document (OpenAPI 3.1).")
        .content("application/json", ContentBuilder::new().build())
        .build();
    let operation = OperationBuilder::new()
        .summary(Some("The OpenAPI document of this API"))
        .response("200", answer)
        .build();
    utoipa::openapi::PathItem::new(HttpMethod::Get, operation)
}

/// The router, behind a bearer token when one is given; its OpenAPI document is served
/// without one.
pub fn router(twin: SharedTwin, token: Option<String>) -> Router {
    let api = Api { plane: ControlPlane::new(twin.clone()), twin };
    let (routes, openapi) = routes();
    documented(routes.with_state(api), openapi, token)
}

/// `router` behind the token, with `openapi` (and its own route) served at
/// `/api/openapi.json` without one: the twin's control API and the fleet's.
pub(crate) fn documented(router: Router, openapi: utoipa::openapi::OpenApi, token: Option<String>) -> Router {
    let document = Arc::new(with_document_path(openapi).to_pretty_json().unwrap_or_default());
    behind_token(router, token).route(
        "/api/openapi.json",
        axum::routing::get(move || async move {
            ([(header::CONTENT_TYPE, "application/json")], document.as_str().to_owned())
        }),
    )
}

/// `router` answering only requests that carry `Authorization: Bearer TOKEN`, when a token
/// is given (the twin's control API, the fleet's).
fn behind_token(router: Router, token: Option<String>) -> Router {
    match token {
        Some(token) => {
            router.layer(middleware::from_fn_with_state(Arc::new(format!("Bearer {token}")), authorize))
        }
        None => router,
    }
}

async fn authorize(State(expected): State<Arc<String>>, request: Request, next: Next) -> Response {
    let given =
        request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    // Compared in constant time: how long the refusal takes says nothing about the token.
    if !bool::from(subtle::ConstantTimeEq::ct_eq(given.as_bytes(), expected.as_bytes())) {
        return error(StatusCode::UNAUTHORIZED, UNAUTHORIZED);
    }
    next.run(request).await
}
