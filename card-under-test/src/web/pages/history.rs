//! History Log (§21): the UPS history and extended history logs as charts (last 30 min by
//! default; 30 min … 1 day presets, or a date range) and as paged tables; the UPS and card
//! events logs as paged tables sorted by time or level; each log's CSV and, for read/write
//! users, its clearing (§21.5). The page's script reads `/api/logs/{name}`.

use super::layout::{TopBar, page, page_with_charts};
use crate::logs::LogKind;
use crate::run::Shared;
use crate::web::{Caller, Writer};
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

/// (log, menu item, path) as §11.2.4 names them.
pub const LOGS: [(LogKind, &str, &str); 4] = [
    (LogKind::History, "UPS History Log", "/history/history"),
    (LogKind::Extended, "UPS Extend History log", "/history/extended"),
    (LogKind::UpsEvents, "UPS event Log", "/history/ups-events"),
    (LogKind::CardEvents, "NET VISION Event Log", "/history/card-events"),
];

fn find(name: &str) -> Option<(LogKind, &'static str, &'static str)> {
    LOGS.into_iter().find(|(kind, ..)| kind.name() == name)
}

/// §21.1–21.2 graph presets.
const PRESETS: [(&str, u32); 6] = [
    ("30 minutes", 1800),
    ("60 minutes", 3600),
    ("3 hours", 10_800),
    ("6 hours", 21_600),
    ("12 hours", 43_200),
    ("1 day", 86_400),
];

fn clear_form(caller: &Caller, kind: LogKind) -> Markup {
    html! {
        @if caller.role.may_change().is_ok() {
            form.inline method="post" action={ "/history/" (kind.name()) "/clear" } {
                @if let Some(csrf) = &caller.csrf { input type="hidden" name="csrf" value=(csrf); }
                button.danger type="submit" { "Clear" }
            }
        }
    }
}

pub async fn get(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Response {
    let Some((kind, title, path)) = find(&name) else {
        return (StatusCode::NOT_FOUND, "no such log").into_response();
    };
    let chart = matches!(kind, LogKind::History | LogKind::Extended);
    let content = html! {
        section data-log=(kind.name()) {
            div.toolbar {
                a.button href={ "/api/logs/" (kind.name()) ".csv" } download={ (kind.name()) ".csv" } #download { "Download CSV" }
                (clear_form(&caller, kind))
            }
            @if chart {
                div.chart-controls {
                    @for (label, span_s) in PRESETS {
                        button.preset type="button" data-span-s=(span_s) aria-pressed=[(span_s == 1800).then_some("true")] { (label) }
                    }
                    label.range { "From" input type="datetime-local" #range-from step="1"; }
                    label.range { "To" input type="datetime-local" #range-to step="1"; }
                    button #range-apply type="button" { "Show" }
                }
                div #series {}
                div #chart {}
            }
            div.table-controls {
                label { "Log count per page"
                    select #per-page { @for n in [5, 10, 25, 50, 100] { option value=(n) selected[n == 5] { (n) } } }
                }
                @if !chart {
                    label { "Sort by"
                        select #sort { option value="time" selected { "Time ▼" } option value="level" { "Level ▼" } }
                    }
                }
                span #record-count {}
            }
            table.list #log-table { thead { tr {} } tbody {} }
            nav.pager #pager {}
        }
    };
    let agent = shared.lock();
    let frame = if chart { page_with_charts } else { page };
    frame(title, path, &caller, &TopBar::of(&agent), content).into_response()
}

/// "Clear and save Logs" (§21.5): each log's CSV and its clearing; "accessible for admin or
/// Read/write account users" (§21).
pub async fn save_and_clear(State(shared): State<Shared>, Writer(caller): Writer) -> Markup {
    let agent = shared.lock();
    let logs = agent.card.logs();
    let content = html! {
        table.list #logs {
            thead { tr { th { "Log" } th { "Records" } th { "Download" } th { "Clear" } } }
            tbody {
                @for (kind, title, path) in LOGS {
                    tr {
                        td { a href=(path) { (title) } }
                        td { (logs.records(kind).len()) }
                        td { a href={ "/api/logs/" (kind.name()) ".csv" } download={ (kind.name()) ".csv" } { "CSV" } }
                        td { (clear_form(&caller, kind)) }
                    }
                }
            }
        }
    };
    page("Clear and save Logs", "/history/save", &caller, &TopBar::of(&agent), content)
}

/// Clears a log from its page's form, then back to the page.
pub async fn clear(State(shared): State<Shared>, _: Writer, Path(name): Path<String>) -> Response {
    let Some((kind, _, path)) = find(&name) else {
        return (StatusCode::NOT_FOUND, "no such log").into_response();
    };
    {
        let mut agent = shared.lock();
        let stamp = agent.clock.stamp();
        agent.card.logs_mut().clear(kind, stamp);
    }
    // The page comes back once the file is cleared too.
    if let Err(e) = shared.flush_logs().await {
        return (StatusCode::INTERNAL_SERVER_ERROR, format!("cannot clear {}: {e}", kind.name()))
            .into_response();
    }
    Redirect::to(path).into_response()
}
