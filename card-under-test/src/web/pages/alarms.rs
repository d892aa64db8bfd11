//! "Alarm Table" (§12.3): the active alarms, time-stamped, with their level, and the last
//! incoming one; read/write users acknowledge them.

use super::layout::{TopBar, page};
use crate::alarms::Severity;
use crate::run::Shared;
use crate::web::Caller;
use axum::Extension;
use axum::extract::State;
use maud::{Markup, html};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Information => "Information",
        Severity::Warning => "Warning",
        Severity::Critical => "Critical",
    }
}

pub async fn get(State(shared): State<Shared>, Extension(caller): Extension<Caller>) -> Markup {
    let agent = shared.lock();
    let table = agent.card.alarms();
    let content = html! {
        section data-refresh="alarms" {
            table.summary {
                tr { th { "Number of Active Alarms" } td #active-count { (table.count()) } }
                tr { th { "Last Alarm" } td #last-alarm { (table.last.as_deref().unwrap_or("")) } }
            }
            table.list #alarm-table {
                thead { tr { th { "Index" } th { "Alarm Time" } th { "UPS Alarm Description" } th { "Level" } } }
                tbody {
                    @for alarm in &table.active {
                        tr class={ "level-" (level(alarm.level).to_lowercase()) } {
                            td { (alarm.code) } td { (alarm.since.to_string()) } td { (alarm.description) } td { (level(alarm.level)) }
                        }
                    }
                }
            }
            @if caller.role.may_change().is_ok() {
                form method="post" action="/alarms/ack" #ack-form {
                    @if let Some(csrf) = &caller.csrf { input type="hidden" name="csrf" value=(csrf); }
                    button type="submit" { "Alarm Acknowledgement" }
                }
            }
        }
    };
    page("Alarm Table", "/alarms", &caller, &TopBar::of(&agent), content)
}
