//! `upstwin serve --record`: a live session driven through the control API is written as a
//! scenario on stop, and that scenario replays to the same modes in `upstwin run`.

mod common;

use common::{Served, eventually};
use serde_json::json;
use std::process::Command;

#[test]
fn a_recorded_session_replays_as_a_passing_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.ron");
    let served = Served::start(&[
        "--model",
        "masterys-gp-60",
        "--pty",
        "--control",
        "127.0.0.1:0",
        "--record",
        file.to_str().unwrap(),
    ]);
    served.post("/api/faults", json!({ "name": "mains_blackout" }));
    assert!(eventually(30.0, || served.get("/api/state")["conditions"]["on_battery"] == true));
    std::thread::sleep(std::time::Duration::from_secs(1));
    served.post("/api/load", json!({ "pct": 80.0 }));
    served.delete("/api/faults/mains_blackout");
    assert!(eventually(30.0, || served.get("/api/state")["conditions"]["on_battery"] == false));
    std::thread::sleep(std::time::Duration::from_secs(2));
    served.post("/api/commands", json!({ "name": "transfer_to_bypass" }));
    std::thread::sleep(std::time::Duration::from_secs(3));
    drop(served); // SIGINT: the recording is written on the way out

    let scenario = std::fs::read_to_string(&file).expect("the recording is written");
    println!("{scenario}");
    for wanted in [
        "do: Fault(\"mains_blackout\", {})",
        "do: Load(80.0)",
        "do: Clear(\"mains_blackout\")",
        "do: Command(\"transfer_to_bypass\", {})",
        "that: \"ups.mode == OnBattery\"",
        "that: \"ups.mode == OnInverter\"",
        "that: \"ups.mode == OnBypass\"",
    ] {
        assert!(scenario.contains(wanted), "`{wanted}` missing");
    }
    let output =
        Command::new(env!("CARGO_BIN_EXE_upstwin")).args(["run", file.to_str().unwrap()]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("1 passed, 0 failed"), "{stdout}");
}
