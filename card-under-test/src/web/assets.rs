//! The pages' own files, built into the card (no CDN: the card works offline).

use super::routes::Routes;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const APP_CSS: &str = include_str!("../../web/app.css");
const APP_JS: &str = include_str!("../../web/app.js");
const TREE_JS: &str = include_str!("../../web/tree.js");
const API_JS: &str = include_str!("../../web/api.js");
const SETTINGS_JS: &str = include_str!("../../web/settings.js");
const DASHBOARD_JS: &str = include_str!("../../web/dashboard.js");
const REALTIME_JS: &str = include_str!("../../web/realtime.js");
const LOGS_JS: &str = include_str!("../../web/logs.js");
const FAVICON_SVG: &str = include_str!("../../web/favicon.svg");
const UPLOT_JS: &str = include_str!("../../web/vendor/uplot/uPlot.iife.min.js");
const UPLOT_CSS: &str = include_str!("../../web/vendor/uplot/uPlot.min.css");

/// Served fresh at each start: `no-cache` lets the browser keep them but ask again.
fn file(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body)
}

pub fn routes() -> Routes {
    Routes::default()
        .route("/assets/app.css", get(|| async { file("text/css; charset=utf-8", APP_CSS) }))
        .route("/assets/app.js", get(|| async { file("text/javascript; charset=utf-8", APP_JS) }))
        .route("/assets/tree.js", get(|| async { file("text/javascript; charset=utf-8", TREE_JS) }))
        .route("/assets/api.js", get(|| async { file("text/javascript; charset=utf-8", API_JS) }))
        .route("/assets/settings.js", get(|| async { file("text/javascript; charset=utf-8", SETTINGS_JS) }))
        .route("/assets/dashboard.js", get(|| async { file("text/javascript; charset=utf-8", DASHBOARD_JS) }))
        .route("/assets/realtime.js", get(|| async { file("text/javascript; charset=utf-8", REALTIME_JS) }))
        .route("/assets/logs.js", get(|| async { file("text/javascript; charset=utf-8", LOGS_JS) }))
        .route("/favicon.ico", get(|| async { file("image/svg+xml", FAVICON_SVG) }))
        .route(
            "/assets/uPlot.iife.min.js",
            get(|| async { file("text/javascript; charset=utf-8", UPLOT_JS) }),
        )
        .route("/assets/uPlot.min.css", get(|| async { file("text/css; charset=utf-8", UPLOT_CSS) }))
}
