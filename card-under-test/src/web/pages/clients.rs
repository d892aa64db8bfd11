//! "Client Table" (§15): the servers whose shutdown agents are connected.

use super::layout::{TopBar, page};
use crate::run::Shared;
use crate::shutdown::Shutdown;
use crate::web::Caller;
use axum::Extension;
use axum::extract::State;
use maud::{Markup, html};

pub async fn get(
    State(shared): State<Shared>,
    State(shutdown): State<Shutdown>,
    Extension(caller): Extension<Caller>,
) -> Markup {
    let agent = shared.lock();
    let clients = shutdown.lock().clients.clone();
    let content = html! {
        table.summary { tr { th { "Connected Client Number" } td #client-count { (clients.len()) } } }
        table.list #client-table {
            thead { tr { th { "Index" } th { "IP Address" } th { "Client Name" } th { "Connected Time" } } }
            tbody {
                @for client in &clients {
                    tr { td { (client.index) } td { (client.ip_address) } td { (client.client_name) } td { (client.connected_time.to_string()) } }
                }
            }
        }
    };
    page("Client Table", "/clients", &caller, &TopBar::of(&agent), content)
}
