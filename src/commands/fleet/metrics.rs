//! `GET /metrics`: the fleet for Prometheus (OpenMetrics text): devices by mode, devices on
//! battery by feed, Modbus requests and replies, reference cards online and the traps they
//! sent, the twins' clock and how far it lags behind the wall clock.

use super::api::text;
use super::members::Members;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ModeLabels {
    mode: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FeedLabels {
    site: String,
    feed: String,
}

/// How the devices were asked.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
enum Protocol {
    ModbusTcp,
}

impl EncodeLabelValue for Protocol {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        use std::fmt::Write;
        encoder.write_str(match self {
            Protocol::ModbusTcp => "modbus_tcp",
        })
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProtocolLabels {
    protocol: Protocol,
}

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The fleet for Prometheus: devices by mode, on battery by feed, Modbus requests and
/// replies, reference cards online and the traps they sent, the twins' clock and its lag
/// (OpenMetrics text).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "fleet",
    responses((status = 200, description = "OpenMetrics text", content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8",
        body = String, example = json!("# TYPE upstwin_fleet_on_battery gauge\n# HELP upstwin_fleet_on_battery Devices on battery, by feed\nupstwin_fleet_on_battery{site=\"hq\",feed=\"hq-utility\"} 60\n# EOF\n")))
)]
pub async fn metrics(State(members): State<Arc<Members>>) -> Response {
    let mut registry = Registry::with_prefix("upstwin_fleet");
    let devices = Family::<ModeLabels, Gauge>::default();
    registry.register("devices", "Devices this process serves, by UPS mode", devices.clone());
    let on_battery = Family::<FeedLabels, Gauge>::default();
    registry.register("on_battery", "Devices on battery, by feed", on_battery.clone());
    for feed in &members.feeds {
        on_battery.get_or_create(&FeedLabels { site: feed.site.clone(), feed: feed.name.clone() }).set(0);
    }
    let (mut requests, mut replies) = (0, 0);
    for member in &members.members {
        let twin = member.twin.lock();
        let (received, sent) = twin.trace.counts();
        (requests, replies) = (requests + received, replies + sent);
        devices.get_or_create(&ModeLabels { mode: format!("{:?}", twin.ups.mode()) }).inc();
        if twin.ups.conditions().on_battery {
            let labels = FeedLabels { site: member.device.site.clone(), feed: member.device.feed.clone() };
            on_battery.get_or_create(&labels).inc();
        }
    }
    // Every device of a fleet answers Modbus TCP (its twin's own server, `card: none`).
    let frames = Family::<ProtocolLabels, Counter>::default();
    registry.register(
        "modbus_requests",
        "Modbus requests received by the devices, by protocol",
        frames.clone(),
    );
    frames.get_or_create(&ProtocolLabels { protocol: Protocol::ModbusTcp }).inc_by(requests);
    let answered = Family::<ProtocolLabels, Counter>::default();
    registry.register("modbus_replies", "Modbus replies sent by the devices, by protocol", answered.clone());
    answered.get_or_create(&ProtocolLabels { protocol: Protocol::ModbusTcp }).inc_by(replies);
    let time = Gauge::<f64, AtomicU64>::default();
    time.set(members.time_s());
    registry.register("twin_time_seconds", "The twins' clock (they step together)", time);
    let cards = Gauge::<i64>::default();
    cards.set(i64::try_from(members.cards_online.load(Ordering::Relaxed)).unwrap_or(i64::MAX));
    registry.register("cards_online", "Reference cards polling their UPS now", cards);
    let traps: u64 =
        members.card_states.get().into_iter().flatten().map(|(_, card)| card.lock().traps_sent).sum();
    let sent = Counter::<u64>::default();
    sent.inc_by(traps);
    registry.register("traps_sent", "SNMP traps the reference cards sent, every receiver counted", sent);
    let lag = Gauge::<f64, AtomicU64>::default();
    lag.set(members.clock_lag_s());
    registry.register("clock_lag_seconds", "How far the twins' clock is behind the wall clock × speed", lag);
    let mut body = String::new();
    match encode(&mut body, &registry) {
        Ok(()) => text(body, OPENMETRICS),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("the metrics could not be encoded: {e}\n"))
            .into_response(),
    }
}
