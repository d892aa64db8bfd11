//! The card's traps with net-snmp's snmptrapd: during a blackout run to depletion, an NMS
//! taking every NET VISION trap receives them in the order the UPS went through, with their
//! varbinds; an RFC1628 v1 receiver gets the UPS-MIB's traps; a receiver filtering on
//! "Critical" gets only critical ones; receivers filtering on chosen events, the TRAP/email
//! filter and the test button; v3 traps authenticated and encrypted for the USM users of an
//! NMS that knows them, refused by one with a wrong key.

mod common;

use common::snmp::{SNMPTRAPD, SnmpCard, Trapd};
use common::{Served, eventually, peer};

/// The vendor trap numbers an snmptrapd logged, in order.
fn vendor_traps(log: &str) -> Vec<u32> {
    let mut numbers = Vec::new();
    let mut lines = log.lines();
    while let Some(line) = lines.next() {
        if !line.contains("->[127.0.0.1]:") || line.contains("TRAP, SNMP v1") {
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

/// How many times `trap` reached `trapd`.
fn count(trapd: &Trapd, trap: u32) -> usize {
    vendor_traps(&trapd.log()).iter().filter(|n| **n == trap).count()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("upstwin-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The twin a test's card polls: fast enough for a blackout to run its course.
fn twin() -> Served {
    Served::start(&[
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
    ])
}

/// snmptrapd taking any v1/v2c trap.
const ANY_COMMUNITY: &str = "disableAuthorization yes\n";

#[test]
fn snmptrapd_receives_the_blackout_traps_in_order() {
    if !peer(SNMPTRAPD, "snmptrapd") {
        return;
    }
    let dir = temp_dir("traps");
    let (all, critical) =
        (Trapd::start(&dir, "all", ANY_COMMUNITY), Trapd::start(&dir, "critical", ANY_COMMUNITY));
    let config = format!(
        r#"CardConfig(synchronize_ups_clock: false, snmp: (trap_receivers: [
            (address: "127.0.0.1:{all}", community: "public", kind: NetVision, version: V2c, filter: Severity(Information)),
            (address: "127.0.0.1:{all}", community: "public", kind: Rfc1628, version: V1, filter: Severity(Information)),
            (address: "127.0.0.1:{critical}", community: "public", kind: NetVision, version: V2c, filter: Severity(Critical)),
        ]))"#,
        all = all.port,
        critical = critical.port,
    );
    let served = twin();
    let _card = SnmpCard::start(&served, "card-traps", &config);
    assert!(eventually(30.0, || count(&all, 27) > 0), "trap 27 at the card's start");

    served.post("/api/faults", serde_json::json!({ "name": "mains_blackout" }));
    let depleted = eventually(120.0, || count(&all, 13) > 0);
    let text = all.log();
    println!("{text}");
    assert!(depleted, "the load went off (trap 13) within 120 s at 200× speed");
    let traps = vendor_traps(&text);
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

    assert!(eventually(30.0, || count(&critical, 13) > 0), "the Critical receiver got the load off");
    let critical_only = vendor_traps(&critical.log());
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

/// §18.3's TRAP/email filter and §18.8's event filters, with `POST /api/traps/test`: a
/// severity receiver gets the test trap and the blackout's traps but not the alarm-table
/// traps (3) the filter drops; a receiver choosing events gets those and nothing else.
#[test]
fn event_filters_trap_filter_and_the_test_button_reach_snmptrapd_as_configured() {
    if !peer(SNMPTRAPD, "snmptrapd") {
        return;
    }
    let dir = temp_dir("trap-filters");
    let severity = Trapd::start(&dir, "severity", ANY_COMMUNITY);
    let test_only = Trapd::start(&dir, "test-only", ANY_COMMUNITY);
    let alarm_table = Trapd::start(&dir, "alarm-table", ANY_COMMUNITY);
    let config = format!(
        r#"CardConfig(synchronize_ups_clock: false, snmp: (trap_filter: true, trap_receivers: [
            (address: "127.0.0.1:{}", community: "public", kind: NetVision, version: V2c, filter: Severity(Information)),
            (address: "127.0.0.1:{}", community: "public", kind: NetVision, version: V2c, filter: Events([40])),
            (address: "127.0.0.1:{}", community: "public", kind: NetVision, version: V2c, filter: Events([3, 40])),
        ]))"#,
        severity.port, test_only.port, alarm_table.port,
    );
    let served = twin();
    let card = SnmpCard::start(&served, "card-trap-filters", &config).card;
    assert!(eventually(30.0, || count(&severity, 27) > 0), "trap 27 at the card's start");

    let (status, body) = card.call("POST", "/api/traps/test", "");
    assert_eq!(status, 200, "{body}");
    assert!(eventually(30.0, || count(&severity, 40) == 1 && count(&test_only, 40) == 1), "the test trap");

    served.post("/api/faults", serde_json::json!({ "name": "mains_blackout" }));
    let on_battery = || count(&severity, 15) > 0 && count(&severity, 1) > 0 && count(&alarm_table, 3) > 0;
    assert!(eventually(30.0, on_battery), "on battery: {:?}", vendor_traps(&severity.log()));

    // The card sends each event to every receiver in turn: once the second test trap has
    // reached all three, everything raised before it has been sent to each of them.
    let (status, body) = card.call("POST", "/api/traps/test", "");
    assert_eq!(status, 200, "{body}");
    let all_twice = || [&severity, &test_only, &alarm_table].iter().all(|trapd| count(trapd, 40) == 2);
    assert!(eventually(30.0, all_twice), "the second test trap reached every receiver");

    let (severity, test_only, alarm_table) =
        (vendor_traps(&severity.log()), vendor_traps(&test_only.log()), vendor_traps(&alarm_table.log()));
    println!(
        "Severity(Information): {severity:?}\nEvents([40]): {test_only:?}\nEvents([3, 40]): {alarm_table:?}"
    );
    assert!(!severity.contains(&3), "the TRAP/email filter drops trap 3 for a severity receiver");
    assert_eq!(test_only, [40, 40], "a receiver choosing trap 40 gets only the test traps");
    assert!(alarm_table.iter().all(|n| *n == 3 || *n == 40), "only the chosen events: {alarm_table:?}");
    assert!(alarm_table.contains(&3), "the filter leaves receivers choosing events alone");
}

/// v3 traps (§18.7, §18.8): authPriv with SHA/AES and with MD5/DES, each received by an
/// snmptrapd that knows the user under the card's engine id and logs only authPriv traps
/// from it; an snmptrapd with the wrong authentication key refuses the trap.
#[test]
fn v3_traps_reach_an_nms_that_knows_the_user_and_are_refused_with_a_wrong_key() {
    if !peer(SNMPTRAPD, "snmptrapd") {
        return;
    }
    let dir = temp_dir("trap-v3");
    let config = r#"CardConfig(synchronize_ups_clock: false, snmp: (users: [
        (name: "nms-sha-aes", level: AuthPriv, auth_protocol: Sha, auth_password: "auth-key-1",
         priv_protocol: Aes, priv_password: "priv-key-1"),
        (name: "nms-md5-des", level: AuthPriv, auth_protocol: Md5, auth_password: "auth-key-2",
         priv_protocol: Des, priv_password: "priv-key-2"),
    ]))"#;
    let served = twin();
    let card = SnmpCard::start(&served, "card-trap-v3", config).card;
    // The engine id a v3 trap is stamped with, as the card keeps it (hex, then the boots).
    let engine_file = card.state.join("snmp-engine");
    assert!(eventually(30.0, || engine_file.exists()), "the card keeps its engine id");
    let engine_id = std::fs::read_to_string(&engine_file).unwrap();
    let engine_id = engine_id.split_whitespace().next().unwrap().to_string();
    let nms = |name: &str, user: &str| {
        format!("createUser -e 0x{engine_id} {user}\nauthUser log {name} authPriv\n")
    };
    let sha_aes =
        Trapd::start(&dir, "sha-aes", &nms("nms-sha-aes", "nms-sha-aes SHA auth-key-1 AES priv-key-1"));
    let md5_des =
        Trapd::start(&dir, "md5-des", &nms("nms-md5-des", "nms-md5-des MD5 auth-key-2 DES priv-key-2"));
    let wrong_key =
        Trapd::start(&dir, "wrong-key", &nms("nms-sha-aes", "nms-sha-aes SHA not-the-key AES priv-key-1"));
    let receiver = |port: u16, user: &str| {
        serde_json::json!({ "address": format!("127.0.0.1:{port}"), "community": user, "kind": "NetVision",
            "version": "V3", "filter": { "Severity": "Information" } })
    };
    let receivers = serde_json::json!({ "/snmp/trap_receivers": [
        receiver(sha_aes.port, "nms-sha-aes"),
        receiver(md5_des.port, "nms-md5-des"),
        receiver(wrong_key.port, "nms-sha-aes"),
    ] });
    let (status, body) = card.call("PATCH", "/api/config", &receivers.to_string());
    assert_eq!(status, 200, "{body}");

    let (status, body) = card.call("POST", "/api/traps/test", "");
    assert_eq!(status, 200, "{body}");
    let received = || count(&sha_aes, 40) == 1 && count(&md5_des, 40) == 1;
    assert!(eventually(30.0, received), "SHA/AES: {}\nMD5/DES: {}", sha_aes.log(), md5_des.log());
    assert!(
        eventually(30.0, || wrong_key.log().contains("Authentication failed for nms-sha-aes")),
        "the wrong key refuses the trap: {}",
        wrong_key.log()
    );
    assert_eq!(count(&wrong_key, 40), 0, "{}", wrong_key.log());
}
