//! The card's traps with net-snmp's snmptrapd: during a blackout run to depletion, an NMS
//! taking every NET VISION trap receives them in the order the UPS went through, with their
//! varbinds; an RFC1628 v1 receiver gets the UPS-MIB's traps; a receiver filtering on
//! "Critical" gets only critical ones.

mod common;

use common::snmp::{SNMPTRAPD, SnmpCard};
use common::{KillOnDrop, Served, eventually, free_udp_port, peer};
use std::process::{Command, Stdio};

/// The vendor trap numbers snmptrapd logged as received on `port`, in order.
fn vendor_traps(log: &str, port: u16) -> Vec<u32> {
    let to = format!("->[127.0.0.1]:{port}]");
    let mut numbers = Vec::new();
    let mut lines = log.lines();
    while let Some(line) = lines.next() {
        if !line.contains(&to) || line.contains("TRAP, SNMP v1") {
            continue;
        }
        let body = lines.next().unwrap_or_default();
        if let Some(rest) = body.split(".1.3.6.1.4.1.4555.1.1.7.2.0.").nth(1) {
            numbers.extend(rest.split_whitespace().next().and_then(|n| n.parse::<u32>().ok()));
        }
    }
    numbers
}

fn position(traps: &[u32], number: u32) -> usize {
    traps.iter().position(|n| *n == number).unwrap_or_else(|| panic!("trap {number} in {traps:?}"))
}

#[test]
fn snmptrapd_receives_the_blackout_traps_in_order() {
    if !peer(SNMPTRAPD, "snmptrapd") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("upstwin-traps-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (all, critical) = (free_udp_port(), free_udp_port());
    std::fs::write(dir.join("snmptrapd.conf"), "disableAuthorization yes\n").unwrap();
    let log_path = dir.join("snmptrapd.log");
    let trapd = Command::new(SNMPTRAPD)
        .env("MIBS", "")
        .args(["-f", "-On", "-Lf"])
        .arg(&log_path)
        .arg("-C")
        .arg("-c")
        .arg(dir.join("snmptrapd.conf"))
        .arg(format!("udp:127.0.0.1:{all},udp:127.0.0.1:{critical}"))
        .stdout(Stdio::null())
        .spawn()
        .expect("snmptrapd starts");
    let _trapd = KillOnDrop(trapd);
    assert!(eventually(5.0, || std::fs::read_to_string(&log_path).is_ok_and(|l| l.contains("NET-SNMP"))));

    let config = format!(
        r#"CardConfig(synchronize_ups_clock: false, snmp: (trap_receivers: [
            (address: "127.0.0.1:{all}", community: "public", kind: NetVision, version: V2c, filter: Severity(Information)),
            (address: "127.0.0.1:{all}", community: "public", kind: Rfc1628, version: V1, filter: Severity(Information)),
            (address: "127.0.0.1:{critical}", community: "public", kind: NetVision, version: V2c, filter: Severity(Critical)),
        ]))"#
    );
    let served = Served::start(&[
        "--model",
        "masterys-gp-60",
        "--tcp",
        "127.0.0.1:0",
        "--control",
        "127.0.0.1:0",
        "--speed",
        "200",
        "--load-pct",
        "100",
    ]);
    let _card = SnmpCard::start(&served, "card-traps", &config);
    let log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(eventually(10.0, || vendor_traps(&log(), all).contains(&27)), "trap 27 at the card's start");

    served.post("/api/faults", serde_json::json!({ "name": "mains_blackout" }));
    let depleted = eventually(120.0, || vendor_traps(&log(), all).contains(&13));
    let text = log();
    println!("{text}");
    assert!(depleted, "the load went off (trap 13) within 120 s at 200× speed");
    let traps = vendor_traps(&text, all);
    println!("every NET VISION trap, in order: {traps:?}");
    // On battery (15 once, 1 with the remaining time), battery low (10), then the stop.
    assert!(position(&traps, 27) < position(&traps, 15));
    assert!(position(&traps, 15) < position(&traps, 10), "on battery before battery low");
    assert!(position(&traps, 1) < position(&traps, 10));
    assert!(position(&traps, 10) < position(&traps, 13), "battery low before the load goes off");
    assert!(traps.contains(&3), "alarm entries added: {traps:?}");
    assert!(
        text.contains(".1.3.6.1.4.1.4555.1.1.7.1.2.3.0 = INTEGER:"),
        "trap 1 carries the minutes remaining"
    );
    assert!(text.contains(".1.3.6.1.2.1.33.1.6.3.2"), "trap 3 names upsAlarmOnBattery");

    let critical_only = vendor_traps(&text, critical);
    println!("the Critical receiver got: {critical_only:?}");
    assert!(critical_only.contains(&1) && critical_only.contains(&10) && critical_only.contains(&13));
    for dropped in [3, 15, 19, 27] {
        assert!(!critical_only.contains(&dropped), "trap {dropped} is not critical: {critical_only:?}");
    }
    let v1 = text.matches("TRAP, SNMP v1").count();
    assert!(v1 >= 2, "the RFC1628 v1 receiver got traps: {v1}");
    assert!(text.contains(".1.3.6.1.2.1.33.2 Enterprise Specific Trap (1)"), "upsTrapOnBattery as v1");
    assert!(
        text.contains("192.168.7.18 [192.168.7.18]"),
        "v1 agent-addr: the card's address (§18.2 default)"
    );
}
