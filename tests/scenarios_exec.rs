//! `upstwin run --card exec:` with NUT (socomec_jbus + upsd) as the external card: the
//! runner serves the twin on a pty, starts NUT through `scripts/cards/nut`, and checks with
//! `upsc` probes that NUT follows a blackout.

mod common;

use common::peer;
use std::path::PathBuf;
use std::process::Command;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn nut_as_the_card_reports_ob_within_10_s_of_a_blackout() {
    if !(peer("/lib/nut/socomec_jbus", "nut-modbus")
        && peer("/lib/nut/upsd", "nut-server")
        && peer("/usr/bin/upsc", "nut-client"))
    {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let junit = out.path().join("out.xml");
    let card = format!("exec:{}", repo("scripts/cards/nut").display());
    let output = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args(["run", repo("tests/scenarios/nut-blackout.ron").to_str().unwrap(), "--card", &card])
        .args(["--out", out.path().to_str().unwrap(), "--junit", junit.to_str().unwrap()])
        .output()
        .expect("upstwin runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let dir = out.path().join("nut-blackout");
    let timeline = std::fs::read_to_string(dir.join("timeline.txt")).unwrap_or_default();
    let card_log = std::fs::read_to_string(dir.join("card.log")).unwrap_or_default();
    println!("{stdout}\n{timeline}");
    assert!(
        output.status.success(),
        "{stdout}\n{}\n{timeline}\ncard.log:\n{card_log}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("1 passed, 0 failed, 0 skipped"), "{stdout}");
    assert!(timeline.contains("PASS upsc shows OB within 10 s: held at 2"), "{timeline}");
    // The runner's own outputs: NUT's frames in the pcap, the card's log.
    assert!(std::fs::metadata(dir.join("frames.pcap")).unwrap().len() > 1000);
    assert!(card_log.contains("upsd"), "{card_log}");
}

#[test]
fn the_observers_receive_what_a_card_sends() {
    if !(peer("/usr/bin/mbpoll", "mbpoll")
        && peer("/usr/bin/logger", "bsdutils")
        && peer("/usr/bin/wakeonlan", "wakeonlan")
        && peer("/usr/bin/snmptrap", "snmp")
        && peer("/usr/bin/curl", "curl"))
    {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let card = format!("exec:{}", repo("tests/cards/mbpoll-card").display());
    let output = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args(["run", repo("tests/scenarios/observers-card.ron").to_str().unwrap(), "--card", &card])
        .args(["--out", out.path().to_str().unwrap()])
        .output()
        .expect("upstwin runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let dir = out.path().join("observers-card");
    let timeline = std::fs::read_to_string(dir.join("timeline.txt")).unwrap_or_default();
    let syslog = std::fs::read_to_string(dir.join("syslog.log")).unwrap_or_default();
    let wake_on_lan = std::fs::read_to_string(dir.join("wake-on-lan.log")).unwrap_or_default();
    let traps = std::fs::read_to_string(dir.join("snmp-traps.log")).unwrap_or_default();
    let mail = std::fs::read_to_string(dir.join("mail.log")).unwrap_or_default();
    println!("{timeline}\n{syslog}\n{wake_on_lan}\n{traps}\n{mail}");
    assert!(output.status.success(), "{stdout}\n{timeline}\n{syslog}");
    assert!(timeline.contains("PASS on battery over UDP within 3 s: received at 1"), "{timeline}");
    assert!(syslog.contains("warning testcard: UPS on battery | <28>1 "), "RFC 5424 over UDP:\n{syslog}");
    assert!(syslog.contains("notice testcard: UPS back on mains | <29>"), "RFC 3164 over TCP:\n{syslog}");
    assert!(timeline.contains("PASS servers woken once back on mains: received at 2"), "{timeline}");
    assert!(wake_on_lan.contains("magic packet for 00:11:22:aa:bb:cc from 127.0.0.1:"), "{wake_on_lan}");
    assert!(traps.contains("v2c trap 1.3.6.1.2.1.33.2.1 from 127.0.0.1:"), "net-snmp's v2c trap:\n{traps}");
    assert!(traps.contains("v1 trap 1.3.6.1.2.1.33.2.0.99 from 127.0.0.1:"), "net-snmp's v1 trap:\n{traps}");
    // curl's mails: over STARTTLS trusting the generated certificate, then authenticated.
    assert!(mail.contains("subject \"UPS on battery\" over STARTTLS (mail-1.eml)"), "{mail}");
    assert!(
        mail.contains("subject \"UPS back on mains\" in clear authenticated as card (mail-2.eml)"),
        "{mail}"
    );
    let first = std::fs::read_to_string(dir.join("mail-1.eml")).unwrap_or_default();
    assert!(first.contains("Subject: UPS on battery\r\n"), "the whole mail is kept:\n{first}");
    assert!(
        std::fs::read_to_string(dir.join("smtp-cert.pem"))
            .unwrap_or_default()
            .starts_with("-----BEGIN CERTIFICATE")
    );
}

#[test]
fn value_probes_compare_what_a_card_reports_with_the_truth() {
    if !(peer("/usr/bin/mbpoll", "mbpoll")
        && peer("/usr/bin/socat", "socat")
        && peer("/usr/sbin/snmpd", "snmpd"))
    {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let card = format!("exec:{}", repo("tests/cards/gateway-card").display());
    let output = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args(["run", repo("tests/scenarios/gateway-card.ron").to_str().unwrap(), "--card", &card])
        .args(["--out", out.path().to_str().unwrap()])
        .output()
        .expect("upstwin runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let timeline = std::fs::read_to_string(out.path().join("gateway-card/timeline.txt")).unwrap_or_default();
    println!("{stdout}\n{timeline}");
    // The expectation that is wrong on purpose fails the run, and it alone.
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL (1 of 5)"), "{stdout}");
    for (label, reported) in [
        ("charge over Modbus TCP", "reported 73 where the truth was 7"),
        ("input voltage 0 once on battery", "reported 0 where the truth was 0.000"),
        ("charge over HTTP", "reported 7"),
        ("charge over SNMP", "reported 7"),
    ] {
        let line = timeline.lines().find(|line| line.contains(label)).unwrap_or_default();
        assert!(line.starts_with("  PASS") && line.contains(reported), "{label}: {line}\n{timeline}");
    }
    assert!(
        timeline.contains(
            "FAIL twice the charge (wrong on purpose): never within tolerance in its window; last reported 14"
        ),
        "{timeline}"
    );
}

#[test]
fn the_reference_card_as_an_external_card_reaches_the_observers() {
    let out = tempfile::tempdir().unwrap();
    let card = format!("exec:{}", repo("scripts/cards/upstwin-card").display());
    let output = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args(["run", repo("tests/scenarios/reference-card-exec.ron").to_str().unwrap(), "--card", &card])
        .args(["--out", out.path().to_str().unwrap()])
        .env("UPSTWIN_BIN", env!("CARGO_BIN_EXE_upstwin"))
        .output()
        .expect("upstwin runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let dir = out.path().join("reference-card-exec");
    let read = |file: &str| std::fs::read_to_string(dir.join(file)).unwrap_or_default();
    let (timeline, syslog, mail) = (read("timeline.txt"), read("syslog.log"), read("mail.log"));
    println!("{timeline}\n{syslog}\n{mail}\n{}", read("card.log"));
    assert!(output.status.success(), "{stdout}\n{timeline}");
    assert!(timeline.contains("PASS the on-battery mail, over STARTTLS"), "{timeline}");
    assert!(
        mail.contains("over STARTTLS authenticated as card"),
        "STARTTLS trusting the run's certificate, then AUTH:\n{mail}"
    );
    let first = read("mail-1.eml");
    assert!(first.contains("Content-Disposition: attachment; filename=\"history.csv\""), "{first}");
    assert!(syslog.contains("<134>1 "), "RFC 5424 over TCP, local0.info:\n{syslog}");
}

/// Two exec cards side by side (`--jobs 2`) with 127.0.0.1:8443 taken: every port a card
/// opens comes from the runner's variables, so neither collides with the other or with
/// whatever else holds the default ports; files of the same name in two folders keep their
/// artefacts apart.
#[test]
fn two_exec_cards_side_by_side_never_collide() {
    // Held for the test (if something else holds it already, the point stands).
    let _https_default = std::net::TcpListener::bind("127.0.0.1:8443");
    let suite = tempfile::tempdir().unwrap();
    for dir in ["suite-a", "suite-b"] {
        std::fs::create_dir_all(suite.path().join(dir)).unwrap();
        std::fs::copy(
            repo("tests/scenarios/reference-card-exec.ron"),
            suite.path().join(dir).join("card.ron"),
        )
        .unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let junit = out.path().join("junit.xml");
    let card = format!("exec:{}", repo("scripts/cards/upstwin-card").display());
    let output = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args(["run", suite.path().to_str().unwrap(), "--card", &card, "--jobs", "2"])
        .args(["--out", out.path().to_str().unwrap(), "--junit", junit.to_str().unwrap()])
        .env("UPSTWIN_BIN", env!("CARGO_BIN_EXE_upstwin"))
        .output()
        .expect("upstwin runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let read = |path: &str| std::fs::read_to_string(out.path().join(path)).unwrap_or_default();
    for dir in ["suite-a", "suite-b"] {
        println!(
            "{dir}:\n{}\n{}",
            read(&format!("{dir}/card/timeline.txt")),
            read(&format!("{dir}/card/card.log"))
        );
    }
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("2 passed, 0 failed"), "{stdout}");
    for dir in ["suite-a", "suite-b"] {
        let timeline = read(&format!("{dir}/card/timeline.txt"));
        assert!(timeline.contains(&format!("{dir}/card.ron")), "{dir} has its own artefacts: {timeline}");
        assert!(timeline.contains("PASS the on-battery mail, over STARTTLS"), "{timeline}");
        assert!(!read(&format!("{dir}/card/card.log")).contains("Address already in use"));
    }
    assert!(read("junit.xml").contains("failures=\"0\" errors=\"0\""), "{}", read("junit.xml"));
}
