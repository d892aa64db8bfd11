//! The window's actions through the control API's real router: each action of the window's
//! presets, sliders, fault panel and command buttons (`gui::control`) is sent as the HTTP
//! request the API documents for it, through `router` (a tower Service, in-process). The
//! twin then is in the state its user expects, and in the same state as an identical twin
//! the window's own path (its `ControlPlane`) acted on.

use super::router;
use axum::body::Body;
use axum::http::{Method, Request};
use gui::control::{self, Params};
use serde_json::{Value, json};
use sim::twin::control::{Control, ControlPlane};
use sim::twin::{SharedTwin, Twin};
use sim::wire::trace::Trace;
use sim::{StartOptions, Ups};
use tower::ServiceExt;

const MODEL: &str = "masterys-gp-60";
const SEED: u64 = 7;

fn twin() -> SharedTwin {
    let loaded = ups_models::load_model(MODEL).unwrap();
    let ups = Ups::new(&loaded, SEED, &StartOptions::default());
    SharedTwin::new(Twin::new(ups, &loaded, loaded.model.serial.slave_id, SEED, Trace::in_memory()))
}

/// The request the control API documents for `control`.
fn request(control: &Control) -> (Method, String, Option<Value>) {
    match control {
        Control::Inject(fault) => (
            Method::POST,
            "/api/faults".into(),
            Some(json!({ "name": fault.name(), "params": fault.params() })),
        ),
        Control::Clear(kind) => (Method::DELETE, format!("/api/faults/{}", kind.name()), None),
        Control::InjectWire(fault) => (
            Method::POST,
            "/api/wire-faults".into(),
            Some(json!({ "name": fault.name(), "params": fault.params() })),
        ),
        Control::ClearWire(kind) => (Method::DELETE, format!("/api/wire-faults/{}", kind.name()), None),
        Control::Command(command) => (
            Method::POST,
            "/api/commands".into(),
            Some(json!({ "name": command.name(), "params": command.params() })),
        ),
        Control::Load(pct) => (Method::POST, "/api/load".into(), Some(json!({ "pct": pct }))),
        Control::PhaseLoads(phases) => {
            (Method::POST, "/api/load".into(), Some(json!({ "phases_pct": phases })))
        }
    }
}

/// Sends one request through the router: (status, body).
async fn send(twin: &SharedTwin, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let builder = Request::builder().method(method).uri(path).header("content-type", "application/json");
    let request = builder.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
    let response = router(twin.clone(), None).oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// The window and the API, side by side on two identical twins.
struct Pair {
    window: SharedTwin,
    api: SharedTwin,
}

impl Pair {
    fn new() -> Pair {
        Pair { window: twin(), api: twin() }
    }

    /// `actions` as the window applies them and as requests through the router: each is
    /// taken, or refused, by both alike.
    async fn act(&self, what: &str, actions: Vec<Control>) {
        let plane = ControlPlane::new(self.window.clone());
        for action in actions {
            let by_window = plane.apply(action.clone());
            let (method, path, body) = request(&action);
            let (status, answer) = send(&self.api, method.clone(), &path, body.clone()).await;
            assert_eq!(
                by_window.is_ok(),
                (200..300).contains(&status),
                "{what}: the window got {by_window:?}, {method} {path} {body:?} got {status} {answer}"
            );
        }
    }

    /// Runs both twins `seconds` further, in the same steps.
    fn run(&self, seconds: f64) {
        for twin in [&self.window, &self.api] {
            let mut twin = twin.lock();
            for _ in 0..(seconds / 0.5).round() as usize {
                twin.ups.step(0.5);
            }
        }
    }

    /// The API twin's state, after checking that the window's twin is in the same one.
    async fn state(&self, what: &str) -> Value {
        let (_, by_window) = send(&self.window, Method::GET, "/api/state", None).await;
        let (_, by_api) = send(&self.api, Method::GET, "/api/state", None).await;
        assert_eq!(by_window, by_api, "{what}: the window's twin and the API's twin differ");
        by_api
    }
}

fn measurement(state: &Value, name: &str) -> f64 {
    state["measurements"][name].as_f64().unwrap_or_else(|| panic!("{name} in {state}"))
}

fn faults(state: &Value) -> Vec<String> {
    let names = state["faults"].as_array().unwrap().iter();
    names.map(|f| f["name"].as_str().unwrap().to_string()).collect()
}

fn active(state: &Value) -> Vec<sim::ups::faults::FaultKind> {
    faults(state).iter().map(|name| sim::ups::faults::FaultKind::parse(name).unwrap()).collect()
}

#[tokio::test]
async fn the_windows_presets_and_sliders_through_the_router_leave_the_twin_as_the_window_does() {
    let pair = Pair::new();
    let normal = pair.state("at the start").await;
    assert_eq!(normal["mode"], "OnInverter");

    pair.act("Blackout", control::preset("Blackout", &[])).await;
    pair.run(10.0);
    let blackout = pair.state("Blackout").await;
    assert_eq!(blackout["conditions"]["on_battery"], true, "{blackout}");
    assert_eq!(measurement(&blackout, "input_voltage_v:1"), 0.0);

    pair.act("Back to normal", control::preset("Back to normal", &active(&blackout))).await;
    pair.run(30.0);
    let back = pair.state("Back to normal").await;
    assert!(faults(&back).is_empty(), "every fault cleared: {back}");
    assert_eq!(back["conditions"]["on_battery"], false);
    assert!((measurement(&back, "output_total_load_pct") - 50.0).abs() < 2.0, "load back to 50 %: {back}");

    pair.act("Overload", control::preset("Overload", &[])).await;
    pair.run(1.0);
    let overload = pair.state("Overload").await;
    assert!(measurement(&overload, "output_total_load_pct") > 120.0, "{overload}");
    pair.act("Back to normal", control::preset("Back to normal", &active(&overload))).await;

    pair.act("Weak battery", control::preset("Weak battery", &[])).await;
    assert_eq!(faults(&pair.state("Weak battery").await), ["aged_battery"]);
    pair.act(
        "Back to normal",
        control::preset("Back to normal", &[sim::ups::faults::FaultKind::AgedBattery]),
    )
    .await;

    pair.act("mains voltage 80 %", control::mains_voltage(80.0)).await;
    pair.run(2.0);
    let sag = pair.state("mains voltage 80 %").await;
    assert!((measurement(&sag, "input_voltage_v:1") - 184.0).abs() < 5.0, "230 V × 80 %: {sag}");
    pair.act("mains voltage 100 %", control::mains_voltage(100.0)).await;
    pair.run(2.0);
    assert!(faults(&pair.state("mains voltage 100 %").await).is_empty());

    pair.act("mains frequency 51 Hz", control::mains_frequency(51.0, 50.0)).await;
    pair.act("ambient 35 °C", vec![control::ambient(35.0)]).await;
    pair.act("load per phase", vec![control::load_per_phase(&[100.0, 50.0, 0.0])]).await;
    pair.run(5.0);
    let sliders = pair.state("sliders").await;
    assert!((measurement(&sliders, "input_frequency_hz") - 51.0).abs() < 0.1, "{sliders}");
    assert!((measurement(&sliders, "output_load_pct:1") - 100.0).abs() < 2.0, "{sliders}");
    assert!((measurement(&sliders, "output_load_pct:2") - 50.0).abs() < 2.0, "{sliders}");
    assert!(measurement(&sliders, "output_load_pct:3") < 1.0, "{sliders}");
}

#[tokio::test]
async fn the_windows_fault_panel_and_command_buttons_through_the_router_leave_the_twin_as_the_window_does() {
    let pair = Pair::new();
    let params =
        |pairs: &[(&str, f64)]| -> Params { pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect() };

    pair.act("wire fault", vec![control::inject_wire("no_response", &Params::new()).unwrap()]).await;
    let wired = pair.state("wire fault").await;
    assert_eq!(wired["wire_faults"][0]["name"], "no_response", "{wired}");
    pair.act("wire fault cleared", vec![control::clear_wire("no_response").unwrap()]).await;
    // Clearing what is not in force is refused by both (404 through the router).
    pair.act("cleared twice", vec![control::clear_wire("no_response").unwrap()]).await;

    let weak = params(&[("string", 1.0), ("block", 3.0), ("capacity_pct", 5.0)]);
    pair.act("weak block", vec![control::inject("weak_block", &weak).unwrap()]).await;
    assert_eq!(faults(&pair.state("weak block").await), ["weak_block"]);
    pair.act("weak block cleared", vec![control::clear("weak_block").unwrap()]).await;

    let shutdown = params(&[("delay_s", 5.0), ("restart_delay_s", 0.0)]);
    pair.act("shutdown button", vec![control::command("shutdown", &shutdown).unwrap()]).await;
    pair.run(3.0);
    assert_eq!(pair.state("before the delay").await["mode"], "OnInverter");
    pair.run(5.0);
    assert_eq!(pair.state("after the delay").await["mode"], "LoadOff");
    pair.act("load on button", vec![control::command("load_on", &Params::new()).unwrap()]).await;
    pair.run(60.0);
    assert_eq!(pair.state("load on").await["mode"], "OnInverter");
}
