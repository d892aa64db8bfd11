use super::*;
use std::collections::HashSet;
use std::path::PathBuf;

fn demo() -> Plan {
    compile(DEMO, &PathBuf::from("scenarios/fleets/campus.ron")).unwrap()
}

#[test]
fn the_demo_fleet_has_every_device_distinct_and_is_the_same_every_time() {
    let plan = demo();
    assert_eq!(plan.devices.len(), 300);
    let distinct =
        |f: &dyn Fn(&plan::Device) -> String| plan.devices.iter().map(f).collect::<HashSet<_>>().len();
    assert_eq!(distinct(&|d| d.name.clone()), 300);
    assert_eq!(distinct(&|d| d.serial.clone()), 300);
    assert_eq!(distinct(&|d| d.mac_text()), 300);
    assert_eq!(distinct(&|d| d.modbus.to_string()), 300);
    let first = &plan.devices[0];
    assert_eq!((first.name.as_str(), first.serial.as_str()), ("hq-srv-001", "HQS0000001"));
    assert_eq!(first.modbus.to_string(), "127.1.0.1:5020");
    assert_eq!(first.mac_text(), "02:55:50:00:00:01");
    assert_eq!(plan.devices[299].modbus.to_string(), "127.1.1.44:5020", "300 addresses counted on");
    let floors: HashSet<&str> =
        plan.devices.iter().filter(|d| d.group == "hq-floors").map(|d| d.model.as_str()).collect();
    assert_eq!(floors, HashSet::from(["netys-pr-3k", "itys-2k"]), "the mix draws both models");
    let loads: Vec<f64> =
        plan.devices.iter().filter(|d| d.group == "dh-rows-a").map(|d| d.load_pct).collect();
    assert!(loads.iter().all(|l| (50.0..=90.0).contains(l)));
    assert!(loads.iter().any(|l| *l != loads[0]), "loads are spread");
    assert_eq!(
        plan.feeds.iter().find(|f| f.name == "hq-utility").and_then(|f| f.genset).map(|g| g.start_delay_s),
        Some(10.0)
    );
    let again = demo();
    assert_eq!(plan.devices, again.devices, "the same file and seed give the same fleet");
}

#[test]
fn shards_split_the_devices_into_contiguous_parts_that_cover_them_once() {
    for (devices, n) in [(300, 1), (300, 7), (5, 8), (100_000, 3)] {
        let parts: Vec<_> = (0..n).map(|k| shard(devices, k, n)).collect();
        assert_eq!(parts[0].start, 0);
        assert_eq!(parts[n - 1].end, devices);
        assert!(parts.windows(2).all(|w| w[0].end == w[1].start), "{parts:?}");
    }
}

/// The error for the demo with `from` replaced by `to`: `file:line:col: message`.
fn error_with(from: &str, to: &str) -> String {
    assert!(DEMO.contains(from), "{from}");
    let text = DEMO.replacen(from, to, 1);
    compile(&text, &PathBuf::from("campus.ron")).unwrap_err().to_string()
}

fn line_of(text: &str) -> usize {
    DEMO.lines().position(|l| l.contains(text)).unwrap() + 1
}

#[test]
fn mistakes_are_reported_at_their_place_with_what_was_expected() {
    let cases = [
        (
            "feed: \"hq-utility\", count: 60",
            "feed: \"hq-nowhere\", count: 60",
            "feed `hq-nowhere` is not a feed of site hq",
        ),
        ("names: \"hq-srv-{n:03}\"", "names: \"hq-srv-{m}\"", "placeholders {site}, {group}, {n}, {i}"),
        (
            "names: \"hq-srv-{n:03}\"",
            "names: \"hq-srv\"",
            "device name `hq-srv` is also one of group hq-servers",
        ),
        ("serials: \"HQS{n:07}\"", "serials: \"HQS-SERIAL-{n:07}\"", "at most 10 characters"),
        (
            "model: \"masterys-gp-60\",\n                 names: \"hq-srv",
            "model: \"masterys-gp-61\",\n                 names: \"hq-srv",
            "unknown model `masterys-gp-61`",
        ),
        ("load_pct: (40, 80)", "load_pct: (80, 40)", "load_pct (80, 40): low ≤ high"),
        ("names: \"hq-srv-{n:03}\"", "names: \"../hq-srv-{n:03}\"", "device name `../hq-srv-001`: not empty"),
    ];
    for (from, to, expected) in cases {
        let error = error_with(from, to);
        let line = line_of(from.lines().next().unwrap());
        assert!(error.starts_with(&format!("campus.ron:{line}:")), "{error}");
        assert!(error.contains(expected), "{expected}: {error}");
    }
    let error = error_with("modbus_port: 5020", "modbus_port: 65535), sites: [], x: (");
    assert!(error.starts_with("campus.ron:"), "{error}");
    let error = error_with("first: \"127.1.0.1\"", "first: \"127.255.255.200\"");
    assert!(error.contains("has no address left in the range"), "{error}");
    let error = error_with("first: \"127.1.0.1\"", "first: \"10.0.0.1\"");
    assert!(error.contains("in 127.0.0.0/8"), "{error}");
    let error = error_with("(name: \"hq-offices\")", "(name: \"hq-utility\")");
    assert!(error.contains("two feeds are called `hq-utility`"), "{error}");
    let error = error_with("start_delay: \"10s\"", "start_delay: \"forever\"");
    assert!(error.starts_with(&format!("campus.ron:{}:", line_of("start_delay: \"10s\""))), "{error}");
    let error = error_with(
        "mix: [(\"netys-pr-3k\", 3), (\"itys-2k\", 1)],",
        "model: \"itys-2k\", mix: [(\"netys-pr-3k\", 3)],",
    );
    assert!(error.contains("one of them"), "{error}");
}

#[test]
fn a_reference_card_gets_the_snmp_port_at_its_devices_address_and_needs_an_address_of_its_own() {
    let plan = demo();
    let with_card: Vec<&plan::Device> = plan.devices.iter().filter(|d| d.snmp.is_some()).collect();
    assert_eq!(with_card.len(), 100, "the servers and the branch's racks, and only them");
    assert!(with_card.iter().all(|d| d.group == "hq-servers" || d.group == "branch-racks"));
    let first = with_card[0];
    assert_eq!(first.snmp.map(|s| s.to_string()), Some("127.1.0.1:1161".into()));

    let ports = DEMO.replacen(
        "Loopback(first: \"127.1.0.1\", modbus_port: 5020, snmp_port: 1161)",
        "Ports(address: \"127.0.0.1\", first_modbus_port: 20000)",
        1,
    );
    let error = compile(&ports, &PathBuf::from("campus.ron")).unwrap_err().to_string();
    assert!(error.starts_with(&format!("campus.ron:{}:", line_of("name: \"hq-servers\""))), "{error}");
    assert!(error.contains("card: Reference needs an address per device"), "{error}");

    let error = error_with("seed: 1,", "seed: 1, card_settings: \"no-such-card.ron\",");
    assert!(error.contains("card_settings `no-such-card.ron`: no such file"), "{error}");
}
