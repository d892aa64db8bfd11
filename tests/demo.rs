//! `upstwin demo` with no display: it says so and serves headless — the twin on two pty
//! pairs and Modbus TCP, the reference card on the first pty with its web pages, the
//! control API. mbpoll, a real Modbus master, reads the UPS on the second pty and over TCP
//! while the card polls the first; a blackout injected through the control API reaches the
//! card's status; SIGTERM stops everything.

mod common;

use common::mbpoll::{MBPOLL, Target, read};
use common::{KillOnDrop, admin, admin_password_file, eventually, peer};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The word after `marker` in `line`.
fn after<'a>(line: &'a str, marker: &str) -> &'a str {
    let rest = line.split(marker).nth(1).unwrap_or_else(|| panic!("{marker} in {line}"));
    rest.split([' ', ',', ';']).next().unwrap()
}

#[test]
fn the_headless_demo_serves_the_card_the_peers_and_the_control_api() {
    if !peer(MBPOLL, "mbpoll") {
        return;
    }
    let state = std::env::temp_dir().join(format!("upstwin-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    let mut child = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args(["demo", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0", "--http", "127.0.0.1:0"])
        .args(["--https", "127.0.0.1:0", "--state-dir"])
        .arg(&state)
        .arg("--admin-password-file")
        .arg(admin_password_file())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::piped())
        .spawn()
        .expect("upstwin demo starts");
    let stdout = child.stdout.take().unwrap();
    let pid = child.id();
    let mut demo = KillOnDrop(child);
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            let _ = lines_tx.send(line);
        }
    });
    let mut said = Vec::new();
    while !(said.iter().any(|l: &String| l.starts_with("demo: twin"))
        && said.iter().any(|l| l.contains("headless")))
    {
        said.push(lines.recv_timeout(Duration::from_secs(20)).expect("the demo says where everything is"));
    }
    let line = said.iter().find(|l| l.starts_with("demo: twin")).unwrap().clone();
    let peer_pty = after(&line, "(the card's line) and ");
    let tcp_port = after(&line, "Modbus TCP ").rsplit(':').next().unwrap().to_string();
    let control = after(&line, "control API ").trim_end_matches('/').to_string();
    let pages = after(&line, "card pages ").trim_end_matches('/').to_string();
    let card = after(&line, "also on HTTP ").trim_end_matches('/').to_string();

    for target in [Target::Rtu { path: peer_pty, baud: 9600 }, Target::Tcp { port: &tcp_port }] {
        let identification = read(target, 0x1000, 3).unwrap();
        println!("mbpoll 0x1000 ×3: {identification:?}");
        assert_eq!(identification[0], 257, "MASTERYS 3/3 UPS, the demo's model");
    }
    while !said.iter().any(|l| l.starts_with("ready: ")) {
        said.push(lines.recv_timeout(Duration::from_secs(20)).expect("the card says ready"));
    }
    let ready = said.iter().find(|l| l.starts_with("ready: ")).unwrap();
    assert!(ready.starts_with("ready: UPS MGP6000042 (jbusp) on /dev/pts/"), "{ready}");

    let agent =
        ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().new_agent();
    let login = agent.get(format!("{card}/login")).call().unwrap();
    let location = login.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert_eq!(login.status().as_u16(), 308, "the login page over HTTP goes to HTTPS");
    assert_eq!(location, format!("{pages}/login"), "to the pages the demo links");
    let blackout = agent
        .post(format!("{control}/api/faults"))
        .send_json(serde_json::json!({ "name": "mains_blackout" }))
        .unwrap();
    assert_eq!(blackout.status().as_u16(), 200);
    let status = || {
        let mut response = admin(agent.get(format!("{card}/api/status"))).call().unwrap();
        response.body_mut().read_to_string().unwrap_or_default()
    };
    assert!(
        eventually(30.0, || status().contains("\"ups_status\":\"Operating on Battery\"")),
        "the card sees the blackout: {}",
        status()
    );

    Command::new("kill").arg(pid.to_string()).status().unwrap();
    assert!(eventually(30.0, || demo.0.try_wait().unwrap().is_some()), "SIGTERM stops the demo");
    assert!(demo.0.wait().unwrap().success());
}
