//! The pages, one file each; `layout` frames them.

mod alarms;
mod battery_test;
mod certificate;
mod clients;
mod configuration;
mod control;
mod history;
mod home;
mod layout;
mod login;
mod monitoring;
mod power_share;
mod settings;
mod settings_table;
mod synoptic;
mod users;

use crate::run::Shared;
use crate::web::routes::Routes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

/// "Alarm Acknowledgement" from the alarm table's form, then back to the table.
async fn acknowledge(State(shared): State<Shared>, _: crate::web::Writer) -> Response {
    let mut agent = shared.lock();
    let stamp = agent.clock.stamp();
    agent.card.acknowledge_alarms(stamp);
    Redirect::to("/alarms").into_response()
}

/// The settings pages' paths (§16.3–16.8, §18), one page of the same kind each.
pub fn settings_paths() -> Vec<&'static str> {
    let pages = settings_table::UPS_MANAGEMENT.iter().chain(settings_table::NET_VISION_MANAGEMENT);
    pages.map(|page| page.path).collect()
}

pub fn routes() -> Routes {
    let with_settings = settings_paths()
        .into_iter()
        .fold(Routes::default(), |routes, path| routes.route(path, get(settings::get)));
    with_settings
        .route("/login", get(login::get_login).post(login::post_login))
        .route("/logout", post(login::post_logout))
        .route("/password", get(login::get_password).post(login::post_password))
        .route("/", get(home::get))
        .route("/alarms", get(alarms::get))
        .route("/alarms/ack", post(acknowledge))
        .route("/clients", get(clients::get))
        .route("/dashboard", get(monitoring::dashboard))
        .route("/realtime", get(monitoring::realtime))
        .route("/ups/battery-test", get(battery_test::get).post(battery_test::post))
        .route("/ups/power-share", get(power_share::get).post(power_share::post))
        .route("/card/users", get(users::get).post(users::post))
        .route("/card/https", get(certificate::get))
        .route("/ups/control", get(control::get).post(control::post))
        .route("/card/configuration", get(configuration::get).post(configuration::post))
        .route("/history/save", get(history::save_and_clear))
        .route("/history/{name}", get(history::get))
        .route("/history/{name}/clear", post(history::clear))
}
