//! `upstwin card` standalone against `upstwin serve` on a pty: it says `ready`, its REST API
//! shows the twin's live values, it follows a blackout, says when the UPS is lost, and stops
//! cleanly on SIGTERM.

mod common;

use common::{Served, eventually};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;

fn status(api: &str) -> Value {
    ureq::get(api).call().unwrap_or_else(|e| panic!("{api}: {e}")).body_mut().read_json().unwrap()
}

fn reading(status: &Value, code: &str) -> Option<f64> {
    status["measurements"].as_array()?.iter().find(|m| m["code"] == code)?["value"].as_f64()
}

fn set(status: &Value, table: &str, code: &str) -> bool {
    status[table].as_array().is_some_and(|flags| flags.iter().any(|f| f["code"] == code))
}

#[test]
fn the_card_polls_a_twin_on_a_pty_and_serves_what_it_sees() {
    let served = Served::start(&["--model", "masterys-gp-60", "--pty", "--control", "127.0.0.1:0"]);
    let mut card = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args(["card", "--port", served.field("pty"), "--http", "127.0.0.1:0"])
        .args(["--polling-s", "0.5", "--lost-after-s", "2"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("upstwin card starts");
    let (lines_tx, lines) = mpsc::channel();
    let stdout = card.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let next = |what: &str| {
        let line = lines.recv_timeout(std::time::Duration::from_secs(15)).unwrap_or_default();
        assert!(line.contains(what), "expected `{what}`, got `{line}`");
        line
    };
    let ready = next("ready: ");
    assert!(ready.contains("(jbusp)") && ready.contains("at 9600 baud"), "{ready}");
    let api = ready.rsplit(' ').next().unwrap().to_string();

    let now = status(&api);
    let twin = served.get("/api/state");
    println!("card: {now}\ntwin: {twin}");
    assert_eq!(now["comm"], "Online");
    assert_eq!(reading(&now, "M04"), Some(100.0), "battery charge");
    assert!(set(&now, "status", "S03") && !set(&now, "status", "S05"), "on inverter, not on battery");

    served.post("/api/faults", serde_json::json!({"name": "mains_blackout"}));
    assert!(eventually(5.0, || set(&status(&api), "status", "S05")), "the card sees the blackout");
    let on_battery = status(&api);
    assert_eq!(reading(&on_battery, "M33"), Some(0.0), "rectifier input voltage on battery");

    drop(served);
    next("UPS communication lost");
    assert_eq!(status(&api)["comm"], "Lost");
    let _ = Command::new("kill").args(["-TERM", &card.id().to_string()]).status();
    next("stopped");
    assert!(card.wait().unwrap().success());
}
