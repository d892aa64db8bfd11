//! The card's mails with a real SMTP server, Python's aiosmtpd: the test mail, event mails
//! and the daily status report arrive over STARTTLS with the history log attached; a mail
//! server that is down is logged with the manual's error code and the card goes on. And the
//! Wake-on-LAN test button's magic packets on a UDP port.

mod common;

use common::ports::{RefusingPort, Transport, bound_port};
use common::{Card, KillOnDrop, Served, eventually};
use mail_parser::{MessageParser, MimeHeaders};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const PYTHON: &str = "python3";

/// Whether aiosmtpd is installed; under CI a missing one fails loudly (scripts/test installs it).
fn aiosmtpd() -> bool {
    let found = Command::new(PYTHON).args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success());
    if !found && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("aiosmtpd is missing: pip install aiosmtpd (scripts/test does)");
    }
    if !found {
        eprintln!("SKIPPED: aiosmtpd is not installed; scripts/test installs it");
    }
    found
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("upstwin-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The mails aiosmtpd's Mailbox handler stored, as raw messages.
fn maildir(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("new"))
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files.iter().filter_map(|f| std::fs::read(f).ok()).collect()
}

fn subject(raw: &[u8]) -> String {
    MessageParser::default().parse(raw).and_then(|m| m.subject().map(str::to_string)).unwrap_or_default()
}

fn headers(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    text.split("\n\n").next().unwrap_or_default().replace('\r', "")
}

/// The next minute boundary at least 5 s away, as `hh:mm` (UTC), and the seconds until it.
fn next_minute() -> (String, u64) {
    let now_s = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let mut at_s = (now_s / 60 + 1) * 60;
    if at_s - now_s < 5 {
        at_s += 60;
    }
    let minute = (at_s / 60) % 1440;
    (format!("{:02}:{:02}", minute / 60, minute % 60), at_s - now_s)
}

#[test]
fn aiosmtpd_receives_the_test_mail_event_mails_and_the_daily_report() {
    if !aiosmtpd() {
        return;
    }
    let dir = temp_dir("mail");
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let (cert, key) = (made.cert.pem(), made.signing_key.serialize_pem());
    std::fs::write(dir.join("cert.pem"), &cert).unwrap();
    std::fs::write(dir.join("key.pem"), key).unwrap();
    let server = Command::new(PYTHON)
        .args(["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:0"])
        .args([
            "--tlscert",
            dir.join("cert.pem").to_str().unwrap(),
            "--tlskey",
            dir.join("key.pem").to_str().unwrap(),
        ])
        .args(["-c", "aiosmtpd.handlers.Mailbox", dir.join("maildir").to_str().unwrap()])
        .stdout(Stdio::null())
        .spawn()
        .expect("aiosmtpd starts");
    let pid = server.id();
    let _server = KillOnDrop(server);
    let port = bound_port(pid, Transport::Tcp, 10.0);

    let (report_at, report_in_s) = next_minute();
    let config = format!(
        r##"CardConfig(synchronize_ups_clock: false, system_name: "Server room", mail: (
            enabled: true, server: "127.0.0.1", port: {port}, tls: true,
            trusted_certificate: Some(r#"{cert}"#),
            sender: "ups-card@example.com", subject_prefix: "[UPS]", daily_report_at: "{report_at}",
            recipients: [
                (address: "ops@example.com", kind: Events, filter: Severity(Warning)),
                (address: "manager@example.com", kind: EventsStatus, filter: Events([15])),
                (address: "night@example.com", kind: DailyStatus, filter: Severity(Critical)),
            ],
        ))"##
    );
    let served =
        Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"]);
    let card = Card::start(&served, "card-mail", &config, &[]);

    let (status, body) = card.call("POST", "/api/mail/test", "");
    println!("POST /api/mail/test → {status} {body}");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("night@example.com"), "every recipient with a type: {body}");
    served.post("/api/faults", serde_json::json!({ "name": "mains_blackout" }));
    let stored = || maildir(&dir.join("maildir"));
    let has = |to: &str, words: &str| {
        stored().iter().any(|raw| headers(raw).contains(&format!("To: {to}")) && subject(raw).contains(words))
    };
    assert!(
        eventually(30.0, || has("manager@example.com", "switched to battery backup power")),
        "event mail"
    );
    assert!(has("ops@example.com", "switched to battery backup power"), "to the Warning recipient too");
    let waited = eventually(report_in_s as f64 + 15.0, || has("night@example.com", "Daily status report"));
    let mails = stored();
    for raw in &mails {
        println!("--- {}\n{}", subject(raw), headers(raw));
    }
    assert!(waited, "the daily report at {report_at}");
    assert!(has("ops@example.com", "[UPS] Server room - Test mail"), "the test mail");
    assert!(
        !has("manager@example.com", "operating on battery power"),
        "trap 1 is not among the manager's events"
    );
    assert!(
        !has("ops@example.com", "Daily status report"),
        "only the Daily Status recipient gets the report"
    );

    let report = mails.iter().find(|raw| subject(raw).contains("Daily status report")).unwrap();
    let parsed = MessageParser::default().parse(report).unwrap();
    let headers_text = headers(report);
    assert!(headers_text.contains("From: ups-card@example.com"), "{headers_text}");
    // The card dates its mails (aiosmtpd adds X-Peer itself, so only the card's own headers count).
    assert!(parsed.date().is_some() && parsed.message_id().is_some(), "{headers_text}");
    let attachment = parsed.attachments().next().expect("the history log attached");
    assert_eq!(attachment.attachment_name(), Some("history.csv"));
    let csv_text = String::from_utf8_lossy(attachment.contents()).into_owned();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let columns = reader.headers().unwrap().clone();
    assert_eq!(columns.get(0), Some("Time"), "{csv_text}");
    assert!(columns.iter().any(|c| c.starts_with("Input voltage L1")), "{columns:?}");
    assert!(reader.records().count() >= 1, "at least the first record: {csv_text}");

    // The server stores the mail before it answers; the card logs the sending once the answer is in.
    let logged = "Mail sent to night@example.com: [UPS] Server room - Daily status report";
    let sent_logged = eventually(30.0, || card.get("/api/logs/card-events").1.contains(logged));
    let (_, log) = card.get("/api/logs/card-events");
    assert!(sent_logged, "{log}");
}

#[test]
fn a_down_mail_server_is_logged_with_its_code_and_the_card_goes_on() {
    let refusing = RefusingPort::new();
    let closed = refusing.port;
    let config = |server: &str, port: u16| {
        format!(
            r#"CardConfig(synchronize_ups_clock: false, polling_s: 0.2, mail: (enabled: true, server: "{server}", port: {port},
                sender: "ups-card@example.com",
                recipients: [(address: "ops@example.com", kind: Events, filter: Severity(Information))]))"#
        )
    };
    let served =
        Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"]);
    let card = Card::start(&served, "card-mail-down", &config("127.0.0.1", closed), &[]);
    let (status, body) = card.call("POST", "/api/mail/test", "");
    println!("refused: {status} {body}");
    assert_eq!(status, 502);
    assert!(body.starts_with("Cannot connect to mail server (error 111: "), "{body}");

    served.post("/api/faults", serde_json::json!({ "name": "mains_blackout" }));
    let log = || card.get("/api/logs/card-events").1;
    assert!(
        // The boot's event (trap 27), the test mail, then the blackout's events.
        eventually(30.0, || log()
            .matches(
                "Cannot connect to mail server (error 111: Connection refused (os error 111)), mail to ops@"
            )
            .count()
            >= 3),
        "the event mails' failures are logged: {}",
        log()
    );
    let (status, _) = card.call("PUT", "/api/config", &config("no-such-host.invalid", 25));
    assert_eq!(status, 200);
    let (status, body) = card.call("POST", "/api/mail/test", "");
    println!("unresolved: {status} {body}");
    assert_eq!(status, 502);
    assert!(body.starts_with("Incorrect Mail server name/IP address (error 001: "), "{body}");
    let on_battery = |body: &str| body.contains("\"ups_status\":\"Operating on Battery\"");
    assert!(eventually(30.0, || on_battery(&card.get("/api/status").1)), "the card goes on polling");
}

#[test]
fn the_wake_on_lan_test_sends_magic_packets_to_the_chosen_targets() {
    let receiver = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    receiver.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
    let config = format!(
        r#"CardConfig(synchronize_ups_clock: false, wake_on_lan: (enabled: true, repeat: 2, interval_s: 1,
            broadcast: "{}", targets: [(mac: "00:11:22:33:44:55"), (mac: "66:77:88:99:aa:bb", enabled: false)]))"#,
        receiver.local_addr().unwrap()
    );
    let served =
        Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"]);
    let card = Card::start(&served, "card-wol", &config, &[]);
    let (status, body) = card.call("POST", "/api/wake-on-lan/test", "");
    assert_eq!((status, body.as_str()), (200, r#"{"woken":1}"#));
    let mut packets = Vec::new();
    let mut buffer = [0u8; 256];
    for _ in 0..2 {
        let (length, _) = receiver.recv_from(&mut buffer).expect("a magic packet, then its repeat");
        packets.push(buffer[..length].to_vec());
    }
    let mut magic = vec![0xFF; 6];
    (0..16).for_each(|_| magic.extend_from_slice(&[0x00, 0x11, 0x22, 0x33, 0x44, 0x55]));
    assert_eq!(packets, [magic.clone(), magic], "6 × FF then the MAC 16 times, repeated once");
    let (status, body) = card.call("POST", "/api/wake-on-lan/test", r#"{"macs": ["66:77:88:99:aa:bb"]}"#);
    assert_eq!((status, body.as_str()), (200, r#"{"woken":1}"#), "a disabled target can be tested");
    let (status, body) = card.call("POST", "/api/wake-on-lan/test", r#"{"macs": ["not a mac"]}"#);
    assert_eq!(status, 400, "{body}");
    let (_, log) = card.get("/api/logs/card-events");
    assert!(log.contains("Wake On LAN packet sent to clients (1, test via REST API by admin)"), "{log}");
}
