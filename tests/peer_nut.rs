//! NUT's own `socomec_jbus` driver and `upsd` against `upstwin serve` on a pty, read with
//! `upsc`: every value upsc reports equals the twin's truth at that moment (within the map's
//! resolution and NUT's own decoding), and a blackout shows up and clears.

mod common;

use common::ports::{Transport, bound_port};
use common::{Served, eventually, peer};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command};

const DRIVER: &str = "/lib/nut/socomec_jbus";
const UPSD: &str = "/lib/nut/upsd";
const UPSC: &str = "/usr/bin/upsc";

/// NUT's driver and upsd for one UPS, stopped when dropped.
struct Nut {
    children: Vec<Child>,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Nut {
    fn start(pty: &str) -> Nut {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path();
        let state = conf.join("state");
        std::fs::create_dir(&state).unwrap();
        std::fs::write(conf.join("ups.conf"), format!("[twin]\n  driver = socomec_jbus\n  port = {pty}\n"))
            .unwrap();
        std::fs::write(conf.join("nut.conf"), "MODE=standalone\n").unwrap();
        // Port 0: upsd takes the port the kernel gives it, read back from /proc.
        std::fs::write(conf.join("upsd.conf"), "LISTEN 127.0.0.1 0\n").unwrap();
        std::fs::write(conf.join("upsd.users"), "").unwrap();
        // The driver and upsd drop to user `nut`.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(conf, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o777)).unwrap();
        let spawn = |binary: &str, args: &[&str]| {
            Command::new(binary)
                .args(args)
                .env("NUT_CONFPATH", conf)
                .env("NUT_STATEPATH", &state)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("{binary}: {e}"))
        };
        let driver = spawn(DRIVER, &["-a", "twin", "-u", "nut", "-D"]);
        // upsd needs the driver's socket.
        assert!(
            eventually(30.0, || std::fs::read_dir(&state).is_ok_and(|d| d.count() > 0)),
            "the driver did not start"
        );
        let upsd = spawn(UPSD, &["-u", "nut", "-D"]);
        let port = bound_port(upsd.id(), Transport::Tcp, 20.0);
        Nut { children: vec![driver, upsd], port, _dir: dir }
    }

    /// `upsc twin@…` as a map, empty while upsd has no data yet.
    fn upsc(&self) -> BTreeMap<String, String> {
        let output =
            Command::new(UPSC).arg(format!("twin@127.0.0.1:{}", self.port)).output().expect("upsc runs");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

impl Drop for Nut {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn number(values: &BTreeMap<String, String>, key: &str) -> f64 {
    values.get(key).unwrap_or_else(|| panic!("upsc has no {key}: {values:?}")).parse().unwrap()
}

/// An upsc key, the twin's signal, how NUT decodes the register, and the tolerance in NUT's
/// unit.
type Check = (&'static str, &'static str, fn(f64) -> f64, f64);

/// Compares upsc's reading with the twin's measurements read just before and just after it.
fn compare(nut: &Nut, served: &Served) -> BTreeMap<String, String> {
    let before = served.get("/api/state");
    let values = nut.upsc();
    let after = served.get("/api/state");
    let truth = |name: &str| -> (f64, f64) {
        let a = before["measurements"][name].as_f64().unwrap_or_else(|| panic!("no {name}"));
        let b = after["measurements"][name].as_f64().unwrap();
        (a.min(b), a.max(b))
    };
    let checks: &[Check] = &[
        ("ups.load", "output_total_load_pct", f64::round, 1.0),
        ("ups.L1.load", "output_load_pct:1", f64::round, 1.0),
        ("ups.L3.load", "output_load_pct:3", f64::round, 1.0),
        ("output.L1-N.voltage", "output_voltage_v:1", f64::round, 1.0),
        ("output.L2-N.voltage", "output_voltage_v:2", f64::round, 1.0),
        ("input.bypass.L1-N.voltage", "bypass_voltage_v:1", f64::round, 1.0),
        // NUT divides the ×10 words by 10 in integers, and leaves M15 (A×10) as it is.
        ("output.frequency", "output_frequency_hz", |v| (v * 10.0).round().div_euclid(10.0), 1.0),
        ("input.bypass.frequency", "bypass_frequency_hz", |v| (v * 10.0).round().div_euclid(10.0), 1.0),
        ("output.L1.current", "output_current_a:1", |v| (v * 10.0).round(), 5.0),
        ("battery.voltage", "battery_voltage_v", |v| (v * 10.0).round() / 10.0, 1.0),
        ("battery.charge", "battery_charge_pct", f64::round, 1.0),
        ("ambient.1.temperature", "ambient_temperature_c", f64::round, 1.0),
    ];
    for (key, signal, decode, tolerance) in checks {
        let (low, high) = truth(signal);
        let reported = number(&values, key);
        assert!(
            reported >= decode(low) - tolerance && reported <= decode(high) + tolerance,
            "{key}: upsc {reported}, twin {low}..{high}"
        );
        println!("{key:<28} upsc {reported:>9}   twin {:>9.2}", (low + high) / 2.0);
    }
    values
}

#[test]
fn nut_socomec_jbus_reads_the_twin() {
    if !(peer(DRIVER, "nut-modbus") && peer(UPSD, "nut-server") && peer(UPSC, "nut-client")) {
        return;
    }
    let served = Served::start(&["--model", "delphys-mx-300", "--pty", "--control", "127.0.0.1:0"]);
    assert!(Path::new(served.field("pty")).exists());
    let nut = Nut::start(served.field("pty"));
    assert!(
        eventually(30.0, || nut.upsc().get("ups.status").is_some_and(|s| s == "OL")),
        "upsc never showed OL"
    );

    let values = compare(&nut, &served);
    assert_eq!(values["ups.model"], "DELPHYS MX");
    assert_eq!(values["ups.serial"], "DMX3000007");
    assert_eq!(values["ups.power"], "300000");
    assert_eq!(values["input.voltage"], "230");
    assert_eq!(values["input.phases"], "3");
    assert_eq!(values["battery.capacity"], "400");
    assert_eq!(values["battery.runtime"], "65535", "on line: no remaining time");
    assert_eq!(values["ups.date"], "2026/01/01");

    served.post("/api/faults", serde_json::json!({ "name": "mains_blackout" }));
    assert!(
        eventually(30.0, || nut.upsc().get("ups.status").is_some_and(|s| s.contains("OB"))),
        "upsc never showed OB"
    );
    let values = compare(&nut, &served);
    println!("on battery: ups.status = {}; ups.alarm = {}", values["ups.status"], values["ups.alarm"]);
    assert_eq!(values["ups.status"], "ALARM OB");
    assert!(values["ups.alarm"].contains("General Alarm present."));
    assert!(values["ups.alarm"].contains("Bypass input supply out of tolerance."));
    let state = served.get("/api/state");
    let runtime_min = state["measurements"]["remaining_runtime_min"].as_f64().unwrap();
    assert!(
        (number(&values, "battery.runtime") - runtime_min).abs() <= 1.5,
        "runtime {values:?} vs {runtime_min}"
    );

    served.delete("/api/faults/mains_blackout");
    assert!(
        eventually(30.0, || nut.upsc().get("ups.status").is_some_and(|s| s == "OL")),
        "upsc never came back to OL"
    );
}
