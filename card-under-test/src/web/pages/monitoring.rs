//! "UPS Dashboard" (§13) and "Real Time Graph" (§14): frames the page scripts fill from
//! `/api/view` (`dashboard.js`, `realtime.js`).

use super::layout::{TopBar, page, page_with_charts};
use crate::run::Shared;
use crate::web::Caller;
use axum::Extension;
use axum::extract::State;
use maud::{Markup, html};

pub async fn dashboard(State(shared): State<Shared>, Extension(caller): Extension<Caller>) -> Markup {
    let content = html! {
        p.intro { "An overview of the UPS's values. Values the UPS does not give are not shown. For a parallel \
                   system, the values are those of the system." }
        div.widgets #dashboard { p.loading { "Reading the UPS…" } }
        p { a href="/" { "Back to the synoptic" } }
    };
    page("UPS Dashboard", "/dashboard", &caller, &TopBar::of(&shared.lock()), content)
}

pub async fn realtime(State(shared): State<Shared>, Extension(caller): Extension<Caller>) -> Markup {
    let content = html! {
        p.intro { "Scans the UPS's values in real time. Select the measurements to draw. The values scanned are \
                   not stored by NET VISION." }
        div #realtime {
            div.toolbar {
                button type="button" #scan-start { "▶ Start scan" }
                button type="button" #scan-stop { "■ Stop scan" }
                span #scan-state role="status" {}
                span.muted { " Points: " span #scan-points { "0" } }
            }
            div.chart #realtime-chart {}
            fieldset #measurements { legend { "Measurements" } }
        }
        p { a href="/" { "Back to the synoptic" } }
    };
    page_with_charts("Real Time Graph", "/realtime", &caller, &TopBar::of(&shared.lock()), content)
}
