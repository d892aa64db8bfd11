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
use crate::web::Site;
use axum::Router;
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

pub fn router(site: Site) -> Router {
    let settings_pages = settings_table::UPS_MANAGEMENT.iter().chain(settings_table::NET_VISION_MANAGEMENT);
    let with_settings =
        settings_pages.fold(Router::new(), |router, page| router.route(page.path, get(settings::get)));
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
        .with_state(site)
}
