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
        && peer("/usr/bin/snmptrap", "snmp"))
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
    println!("{timeline}\n{syslog}\n{wake_on_lan}\n{traps}");
    assert!(output.status.success(), "{stdout}\n{timeline}\n{syslog}");
    assert!(timeline.contains("PASS on battery over UDP within 3 s: received at 1"), "{timeline}");
    assert!(syslog.contains("warning testcard: UPS on battery | <28>1 "), "RFC 5424 over UDP:\n{syslog}");
    assert!(syslog.contains("notice testcard: UPS back on mains | <29>"), "RFC 3164 over TCP:\n{syslog}");
    assert!(timeline.contains("PASS servers woken once back on mains: received at 2"), "{timeline}");
    assert!(wake_on_lan.contains("magic packet for 00:11:22:aa:bb:cc from 127.0.0.1:"), "{wake_on_lan}");
    assert!(traps.contains("v2c trap 1.3.6.1.2.1.33.2.1 from 127.0.0.1:"), "net-snmp's v2c trap:\n{traps}");
    assert!(traps.contains("v1 trap 1.3.6.1.2.1.33.2.0.99 from 127.0.0.1:"), "net-snmp's v1 trap:\n{traps}");
}
