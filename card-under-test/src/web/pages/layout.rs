//! The frame of every page after login (§11.1): the top bar — system name and location,
//! UPS reference, the alarm icon with its count, the login state — the menu of §11.2, and
//! the page's content.

use super::settings_table::{NET_VISION_MANAGEMENT, SettingsPage, UPS_MANAGEMENT};
use crate::role::Role;
use crate::run::Agent;
use crate::web::Caller;
use maud::{DOCTYPE, Markup, html};

type MenuGroup = (&'static str, Vec<(&'static str, &'static str)>);

/// The menu (§11.2): group, then (path, item). The paths are this card's; the settings
/// pages come from their table.
fn menu() -> Vec<MenuGroup> {
    let settings = |pages: &'static [SettingsPage]| pages.iter().map(|p| (p.path, p.title));
    let mut management = vec![("/ups/control", "UPS Control"), ("/ups/battery-test", "Battery Test")];
    management.extend(settings(UPS_MANAGEMENT));
    management.push(("/ups/power-share", "Power Share"));
    let mut card = vec![("/card/configuration", "NET VISION Configuration")];
    card.extend(settings(NET_VISION_MANAGEMENT));
    card.extend([("/card/users", "Multi-User Table"), ("/card/https", "HTTPS Certificate")]);
    vec![
        (
            "UPS Monitoring",
            vec![
                ("/", "Comprehensive View"),
                ("/dashboard", "UPS Dashboard"),
                ("/realtime", "Real Time Graph"),
                ("/alarms", "Alarm Table"),
                ("/clients", "Client Table"),
            ],
        ),
        ("UPS Management", management),
        ("NET VISION Management", card),
        (
            "History Log",
            vec![
                ("/history/history", "UPS History Log"),
                ("/history/extended", "UPS Extend History log"),
                ("/history/ups-events", "UPS event Log"),
                ("/history/card-events", "NET VISION Event Log"),
                ("/history/save", "Clear and save Logs"),
            ],
        ),
    ]
}

/// What the top bar shows, taken under the lock.
pub struct TopBar {
    system_name: String,
    location: String,
    ups_reference: String,
    alarm_count: usize,
    last_alarm: Option<String>,
}

impl TopBar {
    pub fn of(agent: &Agent) -> TopBar {
        TopBar {
            system_name: agent.config.system_name.clone(),
            location: agent.config.system_location.clone(),
            ups_reference: agent.card.database().ups_name(),
            alarm_count: agent.card.alarms().count(),
            last_alarm: agent.card.alarms().last.clone(),
        }
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::ReadWrite => "Read/Write",
        Role::ReadOnly => "Read Only",
    }
}

/// The head of every page: its title, the CSRF token for the page's script, the files
/// (uPlot only on pages with charts; `logs.js` draws the logs' tables and charts).
fn head(title: &str, csrf: Option<&str>, script: bool, charts: bool) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            @if let Some(csrf) = csrf { meta name="csrf-token" content=(csrf); }
            title { (title) }
            link rel="icon" href="/favicon.ico" type="image/svg+xml";
            @if charts {
                link rel="stylesheet" href="/assets/uPlot.min.css";
                script src="/assets/uPlot.iife.min.js" defer {}
            }
            link rel="stylesheet" href="/assets/app.css";
            @if script {
                script src="/assets/api.js" defer {}
                script src="/assets/logs.js" defer {}
                script src="/assets/tree.js" defer {}
                script src="/assets/app.js" defer {}
                script src="/assets/settings.js" defer {}
                script src="/assets/dashboard.js" defer {}
                script src="/assets/realtime.js" defer {}
            }
        }
    }
}

/// A whole page: `title`, the top bar, the menu with `path` current, `content`.
pub fn page(title: &str, path: &str, caller: &Caller, bar: &TopBar, content: Markup) -> Markup {
    framed(title, path, caller, bar, content, false)
}

/// A whole page whose content draws charts.
pub fn page_with_charts(title: &str, path: &str, caller: &Caller, bar: &TopBar, content: Markup) -> Markup {
    framed(title, path, caller, bar, content, true)
}

fn framed(title: &str, path: &str, caller: &Caller, bar: &TopBar, content: Markup, charts: bool) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(&format!("{title} — {}", bar.system_name), caller.csrf.as_deref(), true, charts))
            body {
                header.topbar {
                    div.brand { span.logo { "NET VISION" } span.by { "upstwin" } }
                    div.system {
                        strong #system-name { (bar.system_name) }
                        @if !bar.location.is_empty() { span.location { (bar.location) } }
                    }
                    div.ups #ups-reference { (bar.ups_reference) }
                    a.alarm-icon #alarm-icon href="/alarms" title=(bar.last_alarm.as_deref().unwrap_or("No alarm"))
                        hidden[bar.alarm_count == 0] {
                        span.bell aria-hidden="true" { "⚠" }
                        span #alarm-count { (bar.alarm_count) }
                    }
                    div.login {
                        span.user #login-state { "Logged: " (caller.user) " (" (role_name(caller.role)) ")" }
                        form method="post" action="/logout" {
                            @if let Some(csrf) = &caller.csrf { input type="hidden" name="csrf" value=(csrf); }
                            button.link type="submit" #logout { "Log out" }
                        }
                    }
                }
                div.frame {
                    nav.menu {
                        @for (group, items) in menu() {
                            h2 { (group) }
                            ul {
                                @for (href, label) in items {
                                    li { a href=(href) aria-current=[(href == path).then_some("page")] { (label) } }
                                }
                            }
                        }
                    }
                    main #content { h1 { (title) } (content) }
                }
            }
        }
    }
}

/// A page the caller may not open (403), framed like the others so the menu stays.
pub fn forbidden(
    title: &str,
    path: &str,
    caller: &Caller,
    bar: &TopBar,
    why: &str,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let content = html! { p.message role="alert" #forbidden { (why) } };
    (axum::http::StatusCode::FORBIDDEN, page(title, path, caller, bar, content)).into_response()
}

/// What became of a form sent: done, or refused and why.
pub type Outcome = Option<Result<String, String>>;

pub fn outcome(outcome: &Outcome) -> Markup {
    html! {
        @match outcome {
            Some(Ok(done)) => p.message.ok role="status" { (done) },
            Some(Err(why)) => p.message role="alert" { (why) },
            None => {},
        }
    }
}

/// A page outside the frame (login, password change).
pub fn bare(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(&format!("{title} — NET VISION"), None, false, false))
            body.bare {
                div.popup {
                    div.brand { span.logo { "NET VISION" } span.by { "upstwin" } }
                    h1 { (title) }
                    (content)
                }
            }
        }
    }
}
