//! The card's SNMP agent with net-snmp, a real manager: snmpwalk of the UPS-MIB and the
//! vendor subtree equals the twin's truth; snmpget -v1; snmpset of upsControlStatusControl
//! changes the twin's mode; a wrong community and a manager outside the list get no answer;
//! a v3 authPriv walk works with the configured user, a wrong key and an unknown user are
//! refused.

mod common;

use common::snmp::{SNMPWALK, SnmpCard, net_snmp, parse};
use common::{Served, eventually, peer};

const CONFIG: &str = r#"CardConfig(
    synchronize_ups_clock: false,
    snmp: (
        managers: ["127.0.0.1"],
        users: [(name: "nms", level: AuthPriv, auth_protocol: Sha, auth_password: "auth-pass-1",
                 priv_protocol: Aes, priv_password: "priv-pass-1")],
    ),
)"#;

/// (OID, the twin's signal, scale to the MIB's unit): what the walk must agree on.
const AGREE: &[(&str, &str, f64)] = &[
    ("1.3.6.1.2.1.33.1.2.4.0", "battery_charge_pct", 1.0),
    ("1.3.6.1.2.1.33.1.2.5.0", "battery_voltage_v", 10.0),
    ("1.3.6.1.2.1.33.1.3.3.1.3.1", "input_voltage_v:1", 1.0),
    ("1.3.6.1.2.1.33.1.3.3.1.3.3", "input_voltage_v:3", 1.0),
    ("1.3.6.1.2.1.33.1.3.3.1.2.1", "input_frequency_hz", 10.0),
    ("1.3.6.1.2.1.33.1.4.2.0", "output_frequency_hz", 10.0),
    ("1.3.6.1.2.1.33.1.4.4.1.2.2", "output_voltage_v:2", 1.0),
    ("1.3.6.1.2.1.33.1.4.4.1.3.1", "output_current_a:1", 10.0),
    ("1.3.6.1.2.1.33.1.5.3.1.2.1", "bypass_voltage_v:1", 1.0),
    ("1.3.6.1.4.1.4555.1.1.7.1.2.4.0", "battery_charge_pct", 1.0),
    ("1.3.6.1.4.1.4555.1.1.7.1.2.5.0", "battery_voltage_v", 10.0),
    ("1.3.6.1.4.1.4555.1.1.7.1.2.7.0", "ambient_temperature_c", 10.0),
    ("1.3.6.1.4.1.4555.1.1.7.1.3.3.1.2.2", "input_voltage_v:2", 10.0),
    ("1.3.6.1.4.1.4555.1.1.7.1.4.4.1.2.3", "output_voltage_v:3", 10.0),
    ("1.3.6.1.4.1.4555.1.1.7.1.4.4.1.3.1", "output_current_a:1", 10.0),
    ("1.3.6.1.4.1.4555.1.1.7.1.4.4.1.4.1", "output_load_pct:1", 1.0),
];

#[test]
fn net_snmp_reads_and_controls_the_ups_through_the_card() {
    if !peer(SNMPWALK, "snmp") {
        return;
    }
    let served =
        Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"]);
    let card = SnmpCard::start(&served, "card-snmp", CONFIG);
    let target = card.snmp.as_str();

    let ups_mib = parse(&net_snmp(SNMPWALK, &["-v2c", "-c", "public", target, ".1.3.6.1.2.1.33"]));
    let vendor = parse(&net_snmp(SNMPWALK, &["-v2c", "-c", "public", target, ".1.3.6.1.4.1.4555"]));
    let truth = served.get("/api/state")["measurements"].clone();
    println!("{} UPS-MIB objects, {} vendor objects", ups_mib.len(), vendor.len());
    assert!(ups_mib.len() > 50 && vendor.len() > 140, "{ups_mib:?}");
    println!("{:<36} {:>8} {:>10}  signal", "OID", "card", "twin×scale");
    for (oid, signal, scale) in AGREE {
        let walked: f64 =
            ups_mib.get(*oid).or(vendor.get(*oid)).unwrap_or_else(|| panic!("{oid} walked")).parse().unwrap();
        let twin = truth[*signal].as_f64().unwrap_or_else(|| panic!("twin {signal}")) * scale;
        println!("{oid:<36} {walked:>8} {twin:>10.1}  {signal}");
        // The map's resolution, and the twin moving between the poll and the truth.
        assert!((walked - twin).abs() <= 1.0 + twin.abs() * 0.01, "{oid}: card {walked}, twin {twin}");
    }
    assert_eq!(ups_mib["1.3.6.1.2.1.33.1.1.1.0"], "Socomec");
    assert_eq!(ups_mib["1.3.6.1.2.1.33.1.4.1.0"], "3", "upsOutputSource normal(3) on inverter");
    assert_eq!(vendor["1.3.6.1.4.1.4555.1.1.7.1.4.1.0"], "4", "vendor normalMode(4)");
    let status: serde_json::Value =
        common::admin(ureq::get(&format!("http://{}/api/status", card.card.http)))
            .call()
            .unwrap()
            .into_body()
            .read_json()
            .unwrap();
    assert_eq!(
        vendor["1.3.6.1.4.1.4555.1.1.7.1.1.2.0"],
        status["serial_number"].as_str().unwrap(),
        "upsIdentSerialNumber"
    );

    let v1 = net_snmp(
        "/usr/bin/snmpget",
        &["-v1", "-c", "public", target, "1.3.6.1.2.1.33.1.1.1.0", "1.3.6.1.2.1.33.1.4.1.0"],
    );
    let v1 = parse(&v1);
    println!("snmpget -v1: {v1:?}");
    assert_eq!(
        (v1["1.3.6.1.2.1.33.1.1.1.0"].as_str(), v1["1.3.6.1.2.1.33.1.4.1.0"].as_str()),
        ("Socomec", "3")
    );

    let wrong = net_snmp("/usr/bin/snmpget", &["-v2c", "-c", "wrong", target, "1.3.6.1.2.1.1.5.0"]);
    let said = String::from_utf8_lossy(&wrong.stderr);
    println!("wrong community: {said}");
    assert!(!wrong.status.success() && said.contains("Timeout"), "no answer to a wrong community");
    let outside = net_snmp(
        "/usr/bin/snmpget",
        &["-v2c", "-c", "public", "--clientaddr=127.0.0.2", target, "1.3.6.1.2.1.1.5.0"],
    );
    let said = String::from_utf8_lossy(&outside.stderr);
    println!("manager 127.0.0.2, not in the list: {said}");
    assert!(!outside.status.success() && said.contains("Timeout"), "no answer outside the manager list");

    let v3 = [
        "-v3",
        "-l",
        "authPriv",
        "-u",
        "nms",
        "-a",
        "SHA",
        "-A",
        "auth-pass-1",
        "-x",
        "AES",
        "-X",
        "priv-pass-1",
    ];
    let secure = parse(&net_snmp(SNMPWALK, &[&v3[..], &[target, ".1.3.6.1.2.1.33.1.2"]].concat()));
    println!("v3 authPriv walk of upsBattery: {secure:?}");
    assert_eq!(secure.get("1.3.6.1.2.1.33.1.2.1.0").map(String::as_str), Some("2"), "batteryNormal over v3");
    // RFC 3414: a wrong authentication key and an unknown user are refused, nothing read.
    let mut wrong_key = v3;
    wrong_key[8] = "not-the-auth-pass";
    let mut stranger = v3;
    stranger[4] = "intruder";
    for (what, args, expected) in [
        ("a wrong auth key", wrong_key, "Authentication failure"),
        ("an unknown user", stranger, "Unknown user name"),
    ] {
        let refused = net_snmp("/usr/bin/snmpget", &[&args[..], &[target, "1.3.6.1.2.1.1.5.0"]].concat());
        let said = String::from_utf8_lossy(&refused.stderr).into_owned();
        println!("v3 with {what}: {said}");
        assert!(!refused.status.success() && said.contains(expected), "{what}: {said}");
        assert!(refused.stdout.is_empty(), "{what}: nothing read");
    }

    let refused = net_snmp(
        "/usr/bin/snmpset",
        &["-v2c", "-c", "public", target, "1.3.6.1.4.1.4555.1.1.7.1.7.1.0", "i", "3"],
    );
    let said = String::from_utf8_lossy(&refused.stderr);
    println!("set with the read community: {}", said.trim());
    assert!(said.contains("authorizationError") || said.contains("noAccess"), "refused: {said}");
    assert_eq!(served.get("/api/state")["mode"], "OnInverter", "a refused set changes nothing");
    let eco = net_snmp(
        "/usr/bin/snmpset",
        &["-v2c", "-c", "private", target, "1.3.6.1.4.1.4555.1.1.7.1.7.1.0", "i", "3"],
    );
    assert!(eco.status.success(), "{}", String::from_utf8_lossy(&eco.stderr));
    assert!(
        eventually(30.0, || served.get("/api/state")["mode"] == "Eco"),
        "upsEcoMode(3) puts the twin in eco mode: {}",
        served.get("/api/state")["mode"]
    );
    let normal = net_snmp(
        "/usr/bin/snmpset",
        &[&v3[..], &[target, "1.3.6.1.4.1.4555.1.1.7.1.7.1.0", "i", "4"]].concat(),
    );
    assert!(normal.status.success(), "{}", String::from_utf8_lossy(&normal.stderr));
    assert!(
        eventually(30.0, || served.get("/api/state")["mode"] == "OnInverter"),
        "upsNormalMode(4) over v3"
    );
    let bad = net_snmp(
        "/usr/bin/snmpset",
        &["-v2c", "-c", "private", target, "1.3.6.1.4.1.4555.1.1.7.1.7.1.0", "i", "9"],
    );
    assert!(
        String::from_utf8_lossy(&bad.stdout).contains("wrongValue")
            || String::from_utf8_lossy(&bad.stderr).contains("wrongValue"),
        "{bad:?}"
    );
    // RFC 1628: upsTestSpinLock and upsTestId in one PDU start a quick battery test.
    let test = net_snmp(
        "/usr/bin/snmpset",
        &[
            &v3[..],
            &[
                target,
                "1.3.6.1.2.1.33.1.7.2.0",
                "i",
                "0",
                "1.3.6.1.2.1.33.1.7.1.0",
                "o",
                "1.3.6.1.2.1.33.1.7.7.4",
            ],
        ]
        .concat(),
    );
    assert!(test.status.success(), "{}", String::from_utf8_lossy(&test.stderr));
    assert!(
        eventually(30.0, || served.get("/api/state")["conditions"]["battery_test_in_progress"] == true),
        "upsTestQuickBatteryTest starts the twin's battery test"
    );
    let lock =
        parse(&net_snmp("/usr/bin/snmpget", &["-v2c", "-c", "public", target, "1.3.6.1.2.1.33.1.7.2.0"]));
    assert_eq!(lock["1.3.6.1.2.1.33.1.7.2.0"], "1", "the spin lock moved on");
    let log = common::admin(ureq::get(&format!("http://{}/api/logs/card-events", card.card.http)))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    assert!(log.contains("Enable eco mode sent to the UPS via SNMP by SNMP write community"), "{log}");
    assert!(log.contains("Disable eco mode sent to the UPS via SNMP by SNMPv3 user nms"), "{log}");
}
