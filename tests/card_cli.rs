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
    common::admin(ureq::get(api))
        .call()
        .unwrap_or_else(|e| panic!("{api}: {e}"))
        .body_mut()
        .read_json()
        .unwrap()
}

/// GET `url` with the administrator's credentials: the JSON answer.
fn get_json(url: impl AsRef<str>) -> Value {
    common::admin(ureq::get(url.as_ref())).call().unwrap().body_mut().read_json().unwrap()
}

/// GET `url` with the administrator's credentials: the text answer.
fn get_text(url: impl AsRef<str>) -> String {
    common::admin(ureq::get(url.as_ref())).call().unwrap().body_mut().read_to_string().unwrap()
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
    let state = std::env::temp_dir().join(format!("upstwin-card-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    let mut card = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args(["card", "--port", served.field("pty"), "--http", "127.0.0.1:0", "--https", "127.0.0.1:0"])
        .arg("--admin-password-file")
        .arg(common::admin_password_file())
        .arg("--state-dir")
        .arg(&state)
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
    assert_eq!(now["ups_status"], "Load protected by Inverter");

    served.post("/api/faults", serde_json::json!({"name": "mains_blackout"}));
    assert!(eventually(30.0, || set(&status(&api), "status", "S05")), "the card sees the blackout");
    let on_battery = status(&api);
    assert_eq!(reading(&on_battery, "M33"), Some(0.0), "rectifier input voltage on battery");
    assert_eq!(on_battery["ups_status"], "Operating on Battery");
    assert_eq!(on_battery["battery_status"], "Battery discharging");
    let view = get_json(api.replace("/status", "/view"));
    let synoptic = view["synoptic"].as_array().unwrap();
    let colour = |number: u64| synoptic.iter().find(|e| e["number"] == number).unwrap()["colour"].clone();
    assert_eq!((colour(1), colour(5), colour(8)), ("Grey".into(), "Yellow".into(), "Yellow".into()));
    let alarms_api = api.replace("/status", "/alarms");
    let alarms = get_json(&alarms_api);
    println!("alarms: {alarms}");
    let active = alarms["active"].as_array().unwrap();
    let general = active.iter().find(|a| a["code"] == "A00").expect("the general alarm is in the table");
    assert_eq!(general["level"], "Warning");
    assert_eq!(general["well_known"]["name"], "upsAlarmGeneralFault");
    assert!(
        alarms["well_known"].as_array().unwrap().iter().any(|w| w["alarm"]["name"] == "upsAlarmOnBattery")
    );
    served.delete("/api/faults/mains_blackout");
    assert!(eventually(30.0, || status(&api)["ups_status"] == "Load protected by Inverter"), "mains back");

    drop(served);
    next("UPS communication lost");
    assert_eq!(status(&api)["comm"], "Lost");
    let _ = Command::new("kill").args(["-TERM", &card.id().to_string()]).status();
    next("stopped");
    assert!(card.wait().unwrap().success());

    let ups_events = std::fs::read_to_string(state.join("ups-events.csv")).unwrap();
    let card_events = std::fs::read_to_string(state.join("card-events.csv")).unwrap();
    println!("{ups_events}\n{card_events}");
    let has =
        |log: &str, level: &str, text: &str| log.lines().any(|l| l.ends_with(&format!(",{level},{text}")));
    assert!(has(&ups_events, "Information", "UPS connected"));
    assert!(has(&ups_events, "Information", "Operating on Battery"));
    assert!(has(&ups_events, "Warning", "General Alarm"));
    assert!(has(&ups_events, "Warning", "General Alarm has been removed"));
    assert!(has(&ups_events, "Critical", "UPS not connected"));
    assert!(has(&card_events, "Information", "Cold boot"));
    assert!(has(&card_events, "Critical", "UPS communication lost"));
    let history = std::fs::read_to_string(state.join("history.csv")).unwrap();
    assert!(history.lines().nth(1).unwrap().starts_with("Time,Input voltage L1 (V),"), "{history}");
    assert!(history.lines().count() >= 3, "the header and at least one record: {history}");
}

/// Starts `upstwin card` on the twin's Modbus TCP port with its state in `state`; returns
/// the card and its API base (`http://127.0.0.1:port`).
fn card_on_tcp(tcp: &str, state: &std::path::Path, extra: &[&str]) -> (std::process::Child, String) {
    let mut card = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args(["card", "--tcp", tcp, "--http", "127.0.0.1:0", "--https", "127.0.0.1:0", "--polling-s", "0.2"])
        .arg("--admin-password-file")
        .arg(common::admin_password_file())
        .args(extra)
        .arg("--state-dir")
        .arg(state)
        .stdout(Stdio::piped())
        .spawn()
        .expect("upstwin card starts");
    let mut line = String::new();
    BufReader::new(card.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("ready: "), "{line}");
    let api = line.trim().rsplit(' ').next().unwrap().trim_end_matches("/api/status").to_string();
    (card, api)
}

#[test]
fn the_configuration_is_backed_up_restored_whole_or_not_at_all_and_reset() {
    let served = Served::start(&["--model", "itys-2k", "--tcp", "127.0.0.1:0"]);
    let state = std::env::temp_dir().join(format!("upstwin-card-config-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    let (mut card, api) = card_on_tcp(served.field("tcp"), &state, &[]);
    let backup = get_text(format!("{api}/api/config/backup"));
    assert!(backup.starts_with("CardConfig(") && backup.contains("polling_s: 0.2"), "{backup}");

    let bad = backup
        .replace("history_interval_s: 60.0", "history_interval_s: -5.0")
        .replace("polling_s: 0.2", "polling_s: 1.0");
    let (code, message) = send(common::admin(ureq::put(format!("{api}/api/config"))), &bad);
    println!("bad file: {code} {message}");
    assert_eq!(code, 400);
    assert!(message.contains("history_interval_s: seconds from 0.02 to 86400"), "{message}");
    let line = bad.lines().position(|l| l.contains("history_interval_s")).unwrap() + 1;
    assert!(message.starts_with(&format!("{line}:")), "the line of the bad setting: {message}");
    let now = get_json(format!("{api}/api/config"));
    assert_eq!(now["polling_s"], 0.2, "a refused file changes nothing");

    let celsius = status(&format!("{api}/api/status"));
    let ambient_c = reading(&celsius, "M22").expect("the ambient temperature");
    let good = backup
        .replace("polling_s: 0.2", "polling_s: 1.0")
        .replace("temperature_unit: Celsius", "temperature_unit: Fahrenheit")
        .replace("port: 502", "port: 1502");
    let answer = common::admin(ureq::put(format!("{api}/api/config")))
        .send(&good)
        .unwrap()
        .body_mut()
        .read_json::<Value>()
        .unwrap();
    println!("good file: {answer}");
    assert_eq!(
        answer["changed"],
        serde_json::json!(["Polling Rate", "Temperature unit", "Modbus TCP settings"])
    );
    assert_eq!(answer["restart_needed"], serde_json::json!(["Modbus TCP settings"]));
    let saved = std::fs::read_to_string(state.join("card.ron")).unwrap();
    assert!(saved.contains("polling_s: 1.0") && saved.contains("port: 1502"), "{saved}");
    let fahrenheit = status(&format!("{api}/api/status"));
    let shown = fahrenheit["measurements"].as_array().unwrap().iter().find(|m| m["code"] == "M22").unwrap();
    println!("ambient {ambient_c} °C shown as {shown}");
    assert_eq!(shown["unit"], "°F");
    assert!((shown["value"].as_f64().unwrap() - (ambient_c * 1.8 + 32.0)).abs() < 1.5, "{shown}");

    let reset = common::admin(ureq::post(format!("{api}/api/config/factory-reset")))
        .send_empty()
        .unwrap()
        .body_mut()
        .read_json::<Value>()
        .unwrap();
    println!("factory reset changed {}", reset["changed"]);
    let now = get_json(format!("{api}/api/config"));
    assert_eq!((now["polling_s"].as_f64(), now["history_interval_s"].as_f64()), (Some(2.0), Some(60.0)));

    let events = get_json(format!("{api}/api/logs/card-events"));
    let texts: Vec<&str> =
        events["records"].as_array().unwrap().iter().filter_map(|r| r[2].as_str()).collect();
    println!("{texts:?}");
    for expected in [
        "Upload configuration with 1 error(s) via REST API by admin",
        "Polling Rate has been changed via REST API by admin",
        "Modbus TCP settings has been changed via REST API by admin (applies at the next restart)",
        "Upload configuration successfully via REST API by admin",
        "NET VISION UPS Agent Parameters reset to default",
    ] {
        assert!(texts.contains(&expected), "card events lack {expected:?}");
    }
    let csv = get_text(format!("{api}/api/logs/card-events.csv"));
    assert!(csv.starts_with("Event Time (dd/mm/yyyy hh:mm:ss),Event Level,Event Description\n"), "{csv}");
    let cleared = common::admin(ureq::delete(format!("{api}/api/logs/history"))).call().unwrap();
    assert_eq!(cleared.status(), 204);
    let _ = card.kill();
    let _ = card.wait();
}

/// Sends `request` with `body`; (status, answer), refusals included.
fn send(request: ureq::RequestBuilder<ureq::typestate::WithBody>, body: &str) -> (u16, String) {
    let answer = request.config().http_status_as_error(false).build().send(body).unwrap();
    let status = answer.status().as_u16();
    (status, answer.into_body().read_to_string().unwrap())
}

/// POSTs `body` to a control; (status, answer).
fn control(api: &str, name: &str, body: &str) -> (u16, String) {
    send(common::admin(ureq::post(format!("{api}/api/controls/{name}"))), body)
}

/// Controls over a real link: bad forms get 4xx and change nothing; a good one is written
/// to the twin, which acts on it; the card logs who sent it.
#[test]
fn controls_reach_the_ups_and_bad_forms_are_refused() {
    let served =
        Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"]);
    let state = std::env::temp_dir().join(format!("upstwin-card-controls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    let (card, api) = card_on_tcp(served.field("tcp"), &state, &[]);
    let _card = common::KillOnDrop(card);
    let listed = get_json(format!("{api}/api/controls"));
    let names: Vec<&str> = listed.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    println!("controls: {names:?}");
    assert!(names.contains(&"eco_on") && names.contains(&"shutdown"), "{names:?}");
    // NET VISION §16.1: transfers are for VU-MAP UPSs only; MASTERYS speaks JBUSP.
    assert!(!names.contains(&"transfer_to_bypass"), "{names:?}");
    // This MASTERYS has no power share plug (JBUSP T10 = 0): the card offers none (§16.7).
    let no_plug = |controls: Value| {
        controls.as_array().unwrap().iter().any(|c| {
            c["name"] == "power_share"
                && c["available"] == false
                && c["why_not"] == "the UPS has no power share plug"
        })
    };
    assert!(
        eventually(30.0, || no_plug(get_json(format!("{api}/api/controls")))),
        "power share without plugs"
    );
    for (name, body, wanted, says) in [
        ("self_destruct", "", 404, "no control self_destruct"),
        ("shutdown", "{not json", 400, "expected"),
        ("shutdown", r#"{"delay_s": 30}"#, 400, "missing parameter `restart_delay_s`"),
        ("shutdown", r#"{"delay_s": -1, "restart_delay_s": 0}"#, 400, "whole number from 0 to 65535"),
        ("battery_test", r#"{"now": 1}"#, 400, "takes no parameter"),
    ] {
        let (status, message) = control(&api, name, body);
        println!("{name} {body}: {status} {message}");
        assert_eq!(status, wanted, "{name} {body}: {message}");
        assert!(message.contains(says), "{name} {body}: {message}");
    }
    let (status, message) = control(&api, "eco_on", "");
    assert_eq!((status, message.as_str()), (200, r#"{"sent":"eco_on"}"#));
    let mut mode = String::new();
    for _ in 0..50 {
        mode = served.get("/api/state")["mode"].as_str().unwrap_or_default().to_string();
        if mode == "Eco" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(mode, "Eco", "the twin took the card's control");
    let events = get_text(format!("{api}/api/logs/card-events"));
    assert!(events.contains("Enable eco mode sent to the UPS via REST API by admin"), "{events}");
    assert_eq!(events.matches("sent to the UPS").count(), 1, "refused forms are not sent: {events}");
}

/// The first line `upstwin card` prints on the pty `port` with `extra` options.
fn first_line_on_pty(port: &str, name: &str, extra: &[&str]) -> String {
    let state = std::env::temp_dir().join(format!("upstwin-card-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    let mut card = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args([
            "card",
            "--port",
            port,
            "--http",
            "127.0.0.1:0",
            "--https",
            "127.0.0.1:0",
            "--lost-after-s",
            "2",
        ])
        .args(extra)
        .arg("--state-dir")
        .arg(&state)
        .stdout(Stdio::piped())
        .spawn()
        .expect("upstwin card starts");
    let stdout = card.stdout.take().unwrap();
    let _card = common::KillOnDrop(card);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    line
}

/// Automatic discovery (§18.2): out of the box the card starts at 9600 baud and finds an
/// ITYS at 2400; pinned to 9600 (`--baud`) it says the UPS does not answer, since the twin
/// ignores frames at another speed than its own.
#[test]
fn the_card_finds_the_ups_speed_unless_pinned() {
    let served = Served::start(&["--model", "itys-2k", "--pty"]);
    let found = first_line_on_pty(served.field("pty"), "found", &[]);
    assert!(found.starts_with("ready: ") && found.contains("at 2400 baud"), "{found}");
    let pinned = first_line_on_pty(served.field("pty"), "pinned", &["--baud", "9600"]);
    assert!(pinned.contains("the UPS does not answer") && pinned.contains("at 9600 baud"), "{pinned}");
    assert!(!pinned.contains("2400"), "pinned means no other speed is tried: {pinned}");
}

fn put_schedules(api: &str, body: &str) -> (u16, String) {
    send(common::admin(ureq::put(format!("{api}/api/schedules"))), body)
}

/// Schedules (§16.3–16.6) through the API on a JBUSP UPS: bad forms get 400, a battery test
/// schedule 409 (VU-MAP only), and nothing of a refused form is kept; a good one is in force,
/// says when it next falls due, and is saved with the configuration.
#[test]
fn schedules_are_validated_whole_and_kept_with_the_settings() {
    let served = Served::start(&["--model", "netys-pr-3k", "--tcp", "127.0.0.1:0"]);
    let state = std::env::temp_dir().join(format!("upstwin-card-schedules-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    let (card, api) = card_on_tcp(served.field("tcp"), &state, &[]);
    let _card = common::KillOnDrop(card);
    let weekly = r#""weekly_shutdown": [{"shutdown": {"day": "Friday", "at": "20:00"}, "restart": null}]"#;
    for (body, wanted, says) in [
        ("{not json".to_string(), 400, "expected the schedules"),
        (
            format!(r#"{{{weekly}, "eco": [{{"on": {{"day": "Monday", "at": "25:00"}}, "off": null}}]}}"#),
            400,
            "a time hh:mm",
        ),
        (
            format!(
                r#"{{{weekly}, "special_days": [{{"shutdown": {{"date": "31/02/2027", "at": "12:00"}}, "restart": null}}]}}"#
            ),
            400,
            "a date dd/mm/yyyy",
        ),
        (
            format!(r#"{{{weekly}, "battery_test": {{"every_weeks": 60, "day": "Monday", "hour": 1}}}}"#),
            400,
            "every_weeks",
        ),
        (
            format!(r#"{{{weekly}, "battery_test": {{"every_weeks": 2, "day": "Monday", "hour": 1}}}}"#),
            409,
            "VU-MAP UPSs only",
        ),
    ] {
        let (status, message) = put_schedules(&api, &body);
        println!("{body}: {status} {message}");
        assert_eq!(status, wanted, "{body}: {message}");
        assert!(message.contains(says), "{body}: {message}");
    }
    let unchanged = status(&format!("{api}/api/schedules"));
    assert_eq!(
        unchanged["schedules"]["weekly_shutdown"],
        serde_json::json!([]),
        "refused forms change nothing"
    );
    assert_eq!(unchanged["next"]["shutdown"], Value::Null);

    let (code, message) = put_schedules(&api, &format!("{{{weekly}}}"));
    assert_eq!((code, message.as_str()), (200, r#"{"changed":["Weekly Schedule"],"restart_needed":[]}"#));
    let now = status(&format!("{api}/api/schedules"));
    println!("{now}");
    let next = now["next"]["shutdown"].as_str().expect("a next shutdown");
    assert!(next.ends_with(" 20:00:00"), "{next}");
    assert_eq!(now["battery_test_schedule_allowed"], false);
    let saved = std::fs::read_to_string(state.join("card.ron")).unwrap();
    assert!(saved.contains("day: Friday") && saved.contains("at: \"20:00\""), "{saved}");
}

/// Accounts for programs: a user added with a first password must change it before the API
/// takes it; one provisioned with `"must_change": false` is usable at once (CI).
#[test]
fn a_user_provisioned_for_programs_is_usable_at_once() {
    let served = Served::start(&["--model", "itys-2k", "--tcp", "127.0.0.1:0"]);
    let state = tempfile::tempdir().unwrap();
    let (mut card, api) = card_on_tcp(served.field("tcp"), state.path(), &[]);
    let put =
        |name: &str, body: &str| send(common::admin(ureq::put(format!("{api}/api/users/{name}"))), body);
    let status_as = |basic: &str| {
        let answer = ureq::get(format!("{api}/api/status"))
            .header("Authorization", basic)
            .config()
            .http_status_as_error(false)
            .build()
            .call()
            .unwrap();
        let code = answer.status().as_u16();
        (code, answer.into_body().read_to_string().unwrap())
    };
    let (code, body) = put("op", r#"{"level": "ReadOnly", "password": "Operator#2026"}"#);
    assert_eq!(code, 200, "{body}");
    let (code, body) = status_as("Basic b3A6T3BlcmF0b3IjMjAyNg==");
    assert_eq!((code, body.as_str()), (403, "the password must be changed first (web interface)"));
    let (code, body) =
        put("ci", r#"{"level": "ReadWrite", "password": "Ci#Provision2026", "must_change": false}"#);
    assert_eq!(code, 200, "{body}");
    let (code, body) = status_as("Basic Y2k6Q2kjUHJvdmlzaW9uMjAyNg==");
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"ups_status\""), "{body}");
    let _ = card.kill();
    let _ = card.wait();
}
