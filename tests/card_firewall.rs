//! The card's firewall (§18.15) against real clients: with a rule refusing 127.0.0.2, a
//! request from 127.0.0.2 gets no web page (403), no SNMP answer (net-snmp's snmpget) and
//! no Modbus TCP answer, while 127.0.0.1 gets all three (the page over HTTP as its redirect
//! to HTTPS).

mod common;

use common::{Card, Served, peer};
use std::io::{Read, Write};
use std::process::Command;
use std::time::Duration;

const REFUSED: &str = "127.0.0.2";

const CONFIG: &str = "CardConfig(
    synchronize_ups_clock: false,
    modbus_tcp: (allow: [\"127.0.0.*\"]),
    firewall: (enabled: true, rules: [(address: \"127.0.0.2\", prefix_length: 32, action: Reject)]),
)";

/// A TCP connection to `target` from `source` (a loopback address).
fn connect_from(source: &str, target: &str) -> std::net::TcpStream {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
        socket.connect(target.parse().unwrap()).await.unwrap()
    });
    let stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    stream
}

/// The status line of `GET /login` sent from `source`.
fn http_status(source: &str, http: &str) -> String {
    let mut stream = connect_from(source, http);
    stream.write_all(b"GET /login HTTP/1.1\r\nHost: card\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_string()
}

/// The bytes answering a Modbus TCP read of 1 register at 0x1060 sent from `source`.
fn modbus_answer(source: &str, address: &str) -> Vec<u8> {
    let mut stream = connect_from(source, address);
    // MBAP: transaction 1, protocol 0, length 6, unit 1; PDU: read holding registers 0x1060 ×1.
    let _ = stream.write_all(&[0, 1, 0, 0, 0, 6, 1, 3, 0x10, 0x60, 0, 1]);
    let mut answer = vec![0u8; 64];
    let length = stream.read(&mut answer).unwrap_or(0);
    answer.truncate(length);
    answer
}

fn snmpget(source: Option<&str>, target: &str) -> std::process::Output {
    let mut command = Command::new("/usr/bin/snmpget");
    command.args(["-v2c", "-c", "public", "-t", "1", "-r", "0", "-On"]);
    if let Some(source) = source {
        command.arg(format!("--clientaddr={source}"));
    }
    command.args([target, "1.3.6.1.2.1.1.5.0"]).output().expect("snmpget runs")
}

#[test]
fn the_firewall_refuses_web_snmp_and_modbus_from_a_refused_address() {
    if !peer("/usr/bin/snmpget", "snmp") {
        return;
    }
    let served = Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0"]);
    let card = Card::start(
        &served,
        "card-firewall",
        CONFIG,
        &["--snmp", "127.0.0.1:0", "--modbus-tcp", "127.0.0.1:0"],
    );
    let snmp = card.snmp();
    let modbus = card.ready.split("northbound Modbus TCP ").nth(1).and_then(|r| r.split(',').next()).unwrap();

    let (allowed, refused) = (http_status("127.0.0.1", &card.http), http_status(REFUSED, &card.http));
    println!("HTTP from 127.0.0.1: {allowed}; from {REFUSED}: {refused}");
    let served_page = allowed.ends_with("308 Permanent Redirect");
    assert!(served_page && refused.ends_with("403 Forbidden"), "{allowed} / {refused}");

    let (allowed, refused) = (modbus_answer("127.0.0.1", modbus), modbus_answer(REFUSED, modbus));
    println!("Modbus TCP from 127.0.0.1: {allowed:02x?}; from {REFUSED}: {refused:02x?}");
    assert_eq!(allowed.get(7), Some(&3), "a read answered: {allowed:02x?}");
    assert!(refused.is_empty(), "the connection closed unanswered: {refused:02x?}");

    let allowed = snmpget(None, &snmp);
    let refused = snmpget(Some(REFUSED), &snmp);
    let said = |o: &std::process::Output| {
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
            .trim()
            .to_string()
    };
    println!("snmpget from 127.0.0.1: {}\nsnmpget from {REFUSED}: {}", said(&allowed), said(&refused));
    assert!(allowed.status.success() && said(&allowed).contains("Socomec"), "{}", said(&allowed));
    assert!(!refused.status.success() && said(&refused).contains("Timeout"), "{}", said(&refused));

    let (status, _) = card.call("PATCH", "/api/config", r#"{"/firewall/enabled": false}"#);
    assert_eq!(status, 200, "the firewall switched off through the API");
    let now = http_status(REFUSED, &card.http);
    println!("HTTP from {REFUSED} with the firewall off: {now}");
    assert!(now.ends_with("308 Permanent Redirect"), "{now}");
}
