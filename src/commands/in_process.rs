//! The twin's control API called in-process: the window's fault panel sends its requests
//! through the same router `upstwin serve --control` serves, with no socket.

use axum::Router;
use axum::body::Body;
use gui::Request;
use tower::ServiceExt;

#[derive(Debug)]
pub struct InProcess {
    router: Router,
    /// A runtime running elsewhere (the demo's servers), or one for the calls alone.
    runtime: tokio::runtime::Handle,
}

impl InProcess {
    /// The control API of `twin`, called on `runtime`, for the window.
    pub fn control(
        twin: &sim::link::SharedTwin,
        runtime: tokio::runtime::Handle,
    ) -> std::sync::Arc<dyn gui::Control> {
        std::sync::Arc::new(Self { router: super::control_api::router(twin.clone(), None), runtime })
    }
}

/// Answers this large at most are read.
const MAX_ANSWER_BYTES: usize = 1 << 20;

impl gui::Control for InProcess {
    fn send(&self, request: &Request) -> Result<String, String> {
        let body = request.body.as_ref().map_or_else(Body::empty, |json| Body::from(json.to_string()));
        let http = axum::http::Request::builder()
            .method(request.method)
            .uri(&request.path)
            .header("content-type", "application/json")
            .body(body)
            .map_err(|e| e.to_string())?;
        let router = self.router.clone();
        self.runtime.block_on(async move {
            let response = router.oneshot(http).await.map_err(|e| e.to_string())?;
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), MAX_ANSWER_BYTES)
                .await
                .map_err(|e| e.to_string())?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if status.is_success() { Ok(text) } else { Err(format!("{status}: {text}")) }
        })
    }
}
