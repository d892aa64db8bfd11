//! "Battery Test" (§16.2): the last test and its result, the next programmed one, and Apply
//! to start one now — offered when the UPS allows remote controls and the test.

use super::layout::{Outcome, TopBar, outcome, page};
use crate::run::Shared;
use crate::web::{Caller, Writer};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use std::collections::BTreeMap;

fn render(shared: &Shared, caller: &Caller, result: Outcome) -> Markup {
    let agent = shared.lock();
    let view = agent.battery_test();
    let control = agent.card.controls().into_iter().find(|c| c.name == "battery_test");
    let writable = caller.role.may_change().is_ok();
    let content = html! {
        (outcome(&result))
        p.intro { "Sends an immediate battery test to the UPS. The result of the last battery test, if any, is reported here." }
        table.grid #battery-test {
            thead { tr {
                th { "Battery test status" } th { "Last Battery test" } th { "Result" } th { "Next test (in day)" }
                @if writable { th { "Battery test control" } }
            } }
            tbody { tr {
                td #test-status { (view.status) }
                td #test-last { (view.last_test) }
                td #test-result { (view.result) }
                td #test-next { (view.next_test_days) }
                @if writable {
                    td {
                        @match &control {
                            Some(c) if c.available => form method="post" action="/ups/battery-test" {
                                @if let Some(csrf) = &caller.csrf { input type="hidden" name="csrf" value=(csrf); }
                                button type="submit" #start-test { "Apply" }
                            },
                            Some(c) => span.muted { (c.why_not.as_deref().unwrap_or("not available")) },
                            None => span.muted { "This UPS has no battery test control." },
                        }
                    }
                }
            } }
        }
    };
    page("Battery Test", "/ups/battery-test", caller, &TopBar::of(&agent), content)
}

pub async fn get(State(shared): State<Shared>, Extension(caller): Extension<Caller>) -> Markup {
    render(&shared, &caller, None)
}

pub async fn post(State(shared): State<Shared>, Writer(caller): Writer) -> Response {
    let sent = crate::command::send(&shared, "battery_test", &BTreeMap::new(), "HTTP", &caller.user).await;
    let status = if sent.is_ok() { StatusCode::OK } else { StatusCode::CONFLICT };
    let outcome = sent.map(|()| "Battery test sent to the UPS.".to_string()).map_err(|e| e.to_string());
    (status, render(&shared, &caller, Some(outcome))).into_response()
}
