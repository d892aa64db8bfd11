//! What the window asks of the twin, as requests to its control API (the one
//! `upstwin serve --control` serves and `upstwin inject` calls): the fault panel, the
//! presets, the sliders and the command buttons all end here. Pure: building a request is
//! tested without a window; sending it is the `Control` the window is given.

use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// `GET`, `POST` or `DELETE`.
    pub method: &'static str,
    pub path: String,
    pub body: Option<Value>,
}

/// Sends requests to the twin's control API; `Ok` carries the answer's body, `Err` the
/// refusal (status and message).
pub trait Control: Send + Sync + std::fmt::Debug {
    fn send(&self, request: &Request) -> Result<String, String>;
}

/// A fault, wire fault or command's parameters, by name.
pub type Params = BTreeMap<String, f64>;

pub fn inject(fault: &str, params: &Params) -> Request {
    Request {
        method: "POST",
        path: "/api/faults".into(),
        body: Some(json!({ "name": fault, "params": params })),
    }
}

pub fn clear(fault: &str) -> Request {
    Request { method: "DELETE", path: format!("/api/faults/{fault}"), body: None }
}

pub fn inject_wire(fault: &str, params: &Params) -> Request {
    Request {
        method: "POST",
        path: "/api/wire-faults".into(),
        body: Some(json!({ "name": fault, "params": params })),
    }
}

pub fn clear_wire(fault: &str) -> Request {
    Request { method: "DELETE", path: format!("/api/wire-faults/{fault}"), body: None }
}

pub fn command(name: &str, params: &Params) -> Request {
    Request {
        method: "POST",
        path: "/api/commands".into(),
        body: Some(json!({ "name": name, "params": params })),
    }
}

/// The load on each output phase, % of the phase's share of the rating.
pub fn load_per_phase(phases_pct: &[f64]) -> Request {
    Request { method: "POST", path: "/api/load".into(), body: Some(json!({ "phases_pct": phases_pct })) }
}

/// The mains voltage as a fault: a sag below nominal, a swell above, none at nominal.
pub fn mains_voltage(voltage_pct: f64) -> Vec<Request> {
    let params = Params::from([("voltage_pct".to_string(), voltage_pct)]);
    if voltage_pct < 100.0 {
        vec![clear("mains_swell"), inject("mains_sag", &params)]
    } else if voltage_pct > 100.0 {
        vec![clear("mains_sag"), inject("mains_swell", &params)]
    } else {
        vec![clear("mains_sag"), clear("mains_swell")]
    }
}

/// The mains frequency as a fault; none at the nominal frequency.
pub fn mains_frequency(frequency_hz: f64, nominal_hz: f64) -> Vec<Request> {
    if (frequency_hz - nominal_hz).abs() < 1e-9 {
        vec![clear("mains_frequency")]
    } else {
        vec![inject("mains_frequency", &Params::from([("frequency_hz".to_string(), frequency_hz)]))]
    }
}

pub fn ambient(temperature_c: f64) -> Request {
    inject("ambient_temperature", &Params::from([("temperature_c".to_string(), temperature_c)]))
}

/// The one-click presets of the fault panel.
pub const PRESETS: [(&str, &str); 4] = [
    ("Blackout", "mains fails: the UPS goes on battery"),
    ("Overload", "the load rises to 125 % of the rating"),
    ("Weak battery", "the battery is aged to 40 % of its health"),
    ("Back to normal", "every fault cleared, load back to 50 %"),
];

/// The requests of a preset; `active` are the faults in force (cleared by "Back to normal").
pub fn preset(name: &str, active: &[String]) -> Vec<Request> {
    let one = |key: &str, value: f64| Params::from([(key.to_string(), value)]);
    match name {
        "Blackout" => vec![inject("mains_blackout", &Params::new())],
        "Overload" => vec![inject("overload", &one("load_pct", 125.0))],
        "Weak battery" => vec![inject("aged_battery", &one("soh_pct", 40.0))],
        "Back to normal" => {
            let mut requests: Vec<Request> = active.iter().map(|fault| clear(fault)).collect();
            requests.push(load_per_phase(&[50.0, 50.0, 50.0]));
            requests
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_with_its_parameters_is_a_post_and_its_clearing_a_delete() {
        let request = inject("weak_block", &Params::from([("string".into(), 1.0), ("block".into(), 3.0)]));
        assert_eq!((request.method, request.path.as_str()), ("POST", "/api/faults"));
        assert_eq!(
            request.body,
            Some(json!({ "name": "weak_block", "params": { "block": 3.0, "string": 1.0 } }))
        );
        assert_eq!(
            clear("weak_block"),
            Request { method: "DELETE", path: "/api/faults/weak_block".into(), body: None }
        );
        assert_eq!(inject_wire("no_response", &Params::new()).path, "/api/wire-faults");
        assert_eq!(clear_wire("line_break").path, "/api/wire-faults/line_break");
    }

    #[test]
    fn the_mains_voltage_slider_is_a_sag_a_swell_or_neither() {
        let paths = |requests: Vec<Request>| {
            requests.into_iter().map(|r| format!("{} {}", r.method, r.path)).collect::<Vec<_>>()
        };
        assert_eq!(paths(mains_voltage(80.0)), ["DELETE /api/faults/mains_swell", "POST /api/faults"]);
        assert_eq!(mains_voltage(80.0)[1].body.as_ref().unwrap()["name"], "mains_sag");
        assert_eq!(mains_voltage(115.0)[1].body.as_ref().unwrap()["name"], "mains_swell");
        assert_eq!(
            paths(mains_voltage(100.0)),
            ["DELETE /api/faults/mains_sag", "DELETE /api/faults/mains_swell"]
        );
        assert_eq!(paths(mains_frequency(50.0, 50.0)), ["DELETE /api/faults/mains_frequency"]);
        assert_eq!(mains_frequency(47.0, 50.0)[0].body.as_ref().unwrap()["params"]["frequency_hz"], 47.0);
    }

    #[test]
    fn presets_inject_their_fault_and_back_to_normal_clears_what_is_in_force() {
        assert_eq!(preset("Blackout", &[])[0].body.as_ref().unwrap()["name"], "mains_blackout");
        assert_eq!(preset("Overload", &[])[0].body.as_ref().unwrap()["params"]["load_pct"], 125.0);
        assert_eq!(preset("Weak battery", &[])[0].body.as_ref().unwrap()["params"]["soh_pct"], 40.0);
        let normal = preset("Back to normal", &["mains_blackout".into(), "overload".into()]);
        let paths: Vec<&str> = normal.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["/api/faults/mains_blackout", "/api/faults/overload", "/api/load"]);
        assert!(PRESETS.iter().all(|(name, _)| !preset(name, &[]).is_empty() || *name == "Back to normal"));
        assert!(preset("no such preset", &[]).is_empty());
    }
}
