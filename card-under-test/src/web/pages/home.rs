//! "Comprehensive View" (§11.1, §12.1): the synoptic, the UPS status strings and the
//! parameter table of the element clicked (§12.1.4; the UPS table by default).

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
    let content = html! {
        section.synoptic-view data-refresh="view" {
            div.statuses {
                div { span.label { "UPS Status" } span #ups-status { (view.ups_status) } }
                div { span.label { "Battery Status" } span #battery-status { (view.battery_status) } }
                div { span.label { "Output Status" } span #output-status { (view.output_status) } }
            }
            (synoptic::svg(&view.synoptic))
            div.table-bar {
                h2 #table-title { "UPS Parameters" }
                button #show-ups type="button" hidden { "UPS Parameters" }
            }
            table.parameters #parameters { tbody { tr { td { "Loading…" } } } }
        }
    };
    page("Comprehensive View", "/", &caller, &TopBar::of(&agent), content)
}
