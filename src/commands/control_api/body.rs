//! A JSON body, whatever its `Content-Type` says: `curl -d '{…}'` labels JSON as a form.

use super::error;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// As axum's `Json` answers: 400 for a body that is not JSON, 422 for JSON of another shape,
/// here with why, in the API's error shape.
pub(crate) struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let bytes = Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => error(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
            _ => error(StatusCode::BAD_REQUEST, format!("expected a JSON body: {e}")),
        })
    }
}
