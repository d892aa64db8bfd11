//! "Comprehensive View" (§11.1, §11.3, §12.1, §12.2): the UPS architecture tree, the
//! synoptic, the UPS status strings and the parameter table of the element or tree node
//! clicked (§12.1.4; the UPS table by default). The tree and the switch between the
//! system view and a unit view are drawn by the page's script (`tree.js`) from `/api/view`.

use super::layout::{TopBar, page};
use super::synoptic;
use crate::run::Shared;
use crate::web::Caller;
use axum::Extension;
use axum::extract::State;
use maud::{Markup, html};

pub async fn get(State(shared): State<Shared>, Extension(caller): Extension<Caller>) -> Markup {
    let agent = shared.lock();
    let view = agent.card.view();
    // The tree's top node: "SYSTEM reference" for a parallel system (§11.3), else the UPS's.
    let reference = agent.card.database().reference_or_serial().unwrap_or("UPS");
    let content = html! {
        section.synoptic-view data-refresh="view" {
            div.statuses {
                div { span.label { "UPS Status" } span #ups-status { (view.ups_status) } }
                div { span.label { "Battery Status" } span #battery-status { (view.battery_status) } }
                div { span.label { "Output Status" } span #output-status { (view.output_status) } }
            }
            div.synoptic-layout {
                nav #tree aria-label="UPS architecture" data-reference=(reference) {}
                div.synoptic-main {
                    h2 #view-title { "Unit view" }
                    p #view-note .hint hidden {}
                    (synoptic::svg(&view.synoptic))
                }
            }
            div.table-bar {
                h2 #table-title { "UPS Parameters" }
                button #show-ups type="button" hidden { "UPS Parameters" }
            }
            table.parameters #parameters { tbody { tr { td { "Loading…" } } } }
        }
    };
    page("Comprehensive View", "/", &caller, &TopBar::of(&agent), content)
}
