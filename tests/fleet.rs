//! `upstwin fleet` end to end: the bundled demo answers Modbus TCP on several device
//! addresses (mbpoll, and a raw client) with each device's own serial; the inventory lists
//! every device once; a feed's blackout puts that feed's UPSs on battery and no other, and a
//! genset behind the feed picks the load up after its delay; `/metrics` speaks Prometheus;
//! a bad fleet file is refused with its place.

mod common;

use common::mbpoll::{MBPOLL, Target, read};
use common::modbus::{modbus_read, serial_of};
use common::{KillOnDrop, eventually, peer};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

/// A running `upstwin fleet`, its ready line's fields.
struct Fleet {
    _process: KillOnDrop,
    control: String,
    ready: String,
}

impl Fleet {
    fn start(args: &[&str]) -> Fleet {
        let mut child = Command::new(env!("CARGO_BIN_EXE_upstwin"))
            .arg("fleet")
            .args(args)
            .args(["--control", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("upstwin fleet starts");
        let stdout = child.stdout.take().unwrap();
        let process = KillOnDrop(child);
        let mut ready = String::new();
        BufReader::new(stdout).read_line(&mut ready).unwrap();
        assert!(ready.starts_with("ready "), "the ready line: {ready}");
        let control = ready.split("control=").nth(1).unwrap().trim().to_string();
        Fleet { _process: process, control, ready }
    }

    fn get(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.control);
        ureq::get(&url).call().unwrap_or_else(|e| panic!("{url}: {e}")).body_mut().read_json().unwrap()
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.control);
        ureq::post(&url)
            .send_json(body)
            .unwrap_or_else(|e| panic!("{url}: {e}"))
            .body_mut()
            .read_json()
            .unwrap()
    }
}

#[test]
fn the_demo_fleet_answers_at_every_address_lists_its_inventory_and_fails_by_feed() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("inventory.csv");
    let cards = dir.path().join("cards");
    let fleet = Fleet::start(&[
        "--speed",
        "10",
        "--inventory",
        inventory.to_str().unwrap(),
        "--card-state",
        cards.to_str().unwrap(),
    ]);
    println!("{}", fleet.ready);
    assert!(fleet.ready.contains("devices=300 fleet_devices=300 first=127.1.0.1:5020 last=127.1.1.44:5020"));

    let mut rows = csv::Reader::from_path(&inventory).unwrap();
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 300);
    for column in [0, 4, 5] {
        let distinct: HashSet<&str> = rows.iter().map(|r| &r[column]).collect();
        assert_eq!(distinct.len(), 300, "column {column} distinct");
    }
    // Devices across the fleet answer at their own address with their own serial number.
    for row in [&rows[0], &rows[99], &rows[150], &rows[299]] {
        let at = format!("{}:{}", &row[1], &row[2]);
        assert_eq!(serial_of(&modbus_read(&at, 0x1003, 5)), &row[4], "{at} ({})", &row[0]);
    }
    let mut reads = 4;
    if peer(MBPOLL, "mbpoll") {
        reads += 1;
        let port = rows[200][2].to_string();
        let words = read(Target::TcpHost { host: &rows[200][1], port: &port }, 0x1003, 5).unwrap();
        assert_eq!(serial_of(&words), &rows[200][4], "mbpoll reads {}", &rows[200][0]);
    }

    // The 100 reference cards (hq-servers, branch-racks) find their UPS and answer SNMP at
    // their device's address (the inventory's SNMP port) with its name (upsIdentName).
    assert!(fleet.ready.contains("cards=100"), "{}", fleet.ready);
    assert!(
        eventually(30.0, || fleet.get("/api/fleet")["cards"]["online"] == 100),
        "every card finds its UPS"
    );
    let status = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args(["fleet", "status", "--shards", &fleet.control])
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(
        status.contains(" cards=100/100 coverage: every device once"),
        "fleet status counts the cards: {status}"
    );
    if peer(common::snmp::SNMPGET, "snmp") {
        for row in [&rows[0], &rows[299]] {
            let agent = format!("{}:{}", &row[1], &row[9]);
            let answer = common::snmp::parse(&common::snmp::net_snmp(
                common::snmp::SNMPGET,
                &["-v2c", "-c", "public", &agent, ".1.3.6.1.2.1.33.1.1.5.0"],
            ));
            assert_eq!(
                answer.get("1.3.6.1.2.1.33.1.1.5.0").map(String::as_str),
                Some(&row[0]),
                "snmpget {agent}"
            );
        }
    }
    assert_eq!(&rows[100][9], "", "no card, no SNMP port in the inventory ({})", &rows[100][0]);

    // The branch's utility fails: its 40 UPSs go on battery, and no other.
    let answer =
        fleet.post("/api/fleet/faults", json!({ "name": "mains_blackout", "feed": "branch-utility" }));
    assert_eq!(answer["devices"], 40, "{answer}");
    let on_battery = |feed: &str| {
        fleet
            .get(&format!("/api/fleet/devices?feed={feed}"))
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["on_battery"] == true)
            .count()
    };
    assert!(eventually(30.0, || on_battery("branch-utility") == 40), "every UPS of the feed on battery");
    let summary = fleet.get("/api/fleet");
    assert_eq!(summary["on_battery"], 40, "no other UPS: {summary}");
    assert!(summary["clock_lag_s"].as_f64().is_some_and(|lag| lag >= 0.0), "the clock's lag: {summary}");

    // Datahall feed A fails too: its genset takes the load 8 s later (0.8 s at 10×).
    let answer = fleet.post("/api/fleet/faults", json!({ "name": "mains_blackout", "feed": "dh-feed-a" }));
    assert_eq!(answer["devices"], 80, "{answer}");
    let state = fleet.get("/api/fleet/devices/dh-a-001");
    let faults: Vec<&str> =
        state["faults"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(faults, ["mains_blackout", "genset"], "the feed's ATS starts its genset: {state}");
    assert!(
        eventually(60.0, || {
            let state = fleet.get("/api/fleet/devices/dh-a-001");
            state["conditions"]["on_genset"] == true && state["conditions"]["on_battery"] == false
        }),
        "on the genset: {}",
        fleet.get("/api/fleet/devices/dh-a-001")
    );
    assert_eq!(on_battery("dh-feed-b"), 0);

    let metrics =
        ureq::get(&format!("{}/metrics", fleet.control)).call().unwrap().body_mut().read_to_string().unwrap();
    assert!(
        metrics.contains("upstwin_fleet_on_battery{site=\"branch\",feed=\"branch-utility\"} 40"),
        "{metrics}"
    );
    // The test's reads and the cards' polls: every one answered.
    let counter = |name: &str| {
        let line = format!("upstwin_fleet_modbus_{name}_total{{protocol=\"modbus_tcp\"}} ");
        metrics.lines().find_map(|l| l.strip_prefix(line.as_str())).and_then(|n| n.parse::<u64>().ok())
    };
    assert!(counter("requests").is_some_and(|n| n >= reads), "{metrics}");
    assert!(metrics.contains("upstwin_fleet_cards_online 100\n"), "{metrics}");
    assert!(
        metrics.contains("# TYPE upstwin_fleet_devices gauge") && metrics.trim_end().ends_with("# EOF"),
        "{metrics}"
    );

    let url = format!("{}/api/fleet/faults/mains_blackout?feed=branch-utility", fleet.control);
    ureq::delete(&url).call().unwrap();
    assert!(eventually(60.0, || on_battery("branch-utility") == 0), "mains back");
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let unknown = agent
        .post(&format!("{}/api/fleet/faults", fleet.control))
        .send_json(json!({ "name": "mains_blackout", "feed": "nowhere" }))
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let two = agent
        .post(&format!("{}/api/fleet/faults", fleet.control))
        .send_json(json!({ "name": "mains_blackout", "feed": "dh-feed-b", "site": "hq" }))
        .unwrap();
    assert_eq!(two.status(), 400, "one target at a time");
}

#[test]
fn a_bad_fleet_file_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.ron");
    std::fs::write(
        &path,
        "Fleet(name: \"x\", addresses: Loopback(first: \"127.42.0.1\"), sites: [(name: \"s\", feeds: [(name: \"f\")],\n    groups: [(name: \"g\", feed: \"elsewhere\", count: 2, model: \"masterys-gp-60\")])])\n",
    )
    .unwrap();
    let output =
        Command::new(env!("CARGO_BIN_EXE_upstwin")).args(["fleet", path.to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bad.ron:2:") && stderr.contains("feed `elsewhere` is not a feed of site s"),
        "{stderr}"
    );
}

/// `listen: Shared`: one socket for every device on the port; each connection reaches the
/// device at the address it was made to, and one to an address that is no device is closed.
#[test]
fn devices_sharing_one_socket_answer_each_at_its_own_address() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.ron");
    std::fs::write(
        &path,
        r#"Fleet(name: "shared", addresses: Loopback(first: "127.43.0.1", modbus_port: 5021, listen: Shared),
            sites: [(name: "s", feeds: [(name: "f")],
                groups: [(name: "g", feed: "f", count: 50, model: "masterys-gp-60", serials: "SH{n:04}")])])"#,
    )
    .unwrap();
    let fleet = Fleet::start(&[path.to_str().unwrap()]);
    assert!(
        fleet.ready.contains("devices=50") && fleet.ready.contains("first=127.43.0.1:5021"),
        "{}",
        fleet.ready
    );
    for (n, address) in [(1, "127.43.0.1:5021"), (27, "127.43.0.27:5021"), (50, "127.43.0.50:5021")] {
        assert_eq!(serial_of(&modbus_read(address, 0x1003, 5)), format!("SH{n:04}"), "{address}");
    }
    // Every read was one request and one reply, counted once (no card polls these devices).
    let metrics =
        ureq::get(&format!("{}/metrics", fleet.control)).call().unwrap().body_mut().read_to_string().unwrap();
    for counter in ["requests", "replies"] {
        let line = format!("upstwin_fleet_modbus_{counter}_total{{protocol=\"modbus_tcp\"}} 3\n");
        assert!(metrics.contains(&line), "{line}in{metrics}");
    }
    let mut stranger = std::net::TcpStream::connect("127.43.0.51:5021").expect("the shared socket accepts");
    stranger.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    let _ = stranger.write_all(&[0, 1, 0, 0, 0, 6, 1, 3, 0x10, 0, 0, 1]);
    let mut byte = [0u8; 1];
    assert!(matches!(stranger.read(&mut byte), Ok(0) | Err(_)), "no device there: closed, never answered");
}

/// A `Range` the host does not have as its own: the fleet refuses to start, saying how to
/// make it local, rather than listening on 0.0.0.0 for devices nobody can reach.
#[test]
fn a_range_the_host_lacks_is_refused_with_how_to_make_it_local() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("range.ron");
    std::fs::write(
        &path,
        r#"Fleet(name: "far", addresses: Range(first: "198.51.100.1", modbus_port: 5022, listen: Shared),
            sites: [(name: "s", feeds: [(name: "f")], groups: [(name: "g", feed: "f", count: 3, model: "masterys-gp-60")])])"#,
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args(["fleet", path.to_str().unwrap(), "--control", "127.0.0.1:0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("g-001 at 198.51.100.1:0"), "{stderr}");
    assert!(stderr.contains("ip route add local 198.51.100.0/24 dev lo"), "{stderr}");
}

/// The fleet's API publishes its OpenAPI 3 document at `/api/openapi.json`, without the
/// token when one guards the rest: it validates, lists every route served (each answers,
/// each has an example), and docs/fleet-api.md is its rendering, kept current.
#[test]
fn the_fleet_api_publishes_a_valid_openapi_document_of_every_route() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.ron");
    std::fs::write(
        &path,
        r#"Fleet(name: "small", addresses: Loopback(first: "127.44.0.1", modbus_port: 5023, listen: Shared),
            sites: [(name: "s", feeds: [(name: "f")], groups: [(name: "g", feed: "f", count: 4, model: "masterys-gp-60")])])"#,
    )
    .unwrap();
    let fleet = Fleet::start(&[path.to_str().unwrap()]);
    let document = fleet.get("/api/openapi.json");
    let expected = [
        "/api/fleet",
        "/api/fleet/commands",
        "/api/fleet/devices",
        "/api/fleet/devices/{name}",
        "/api/fleet/faults",
        "/api/fleet/faults/{name}",
        "/api/fleet/scheduled",
        "/api/fleet/scheduled/{id}",
        "/api/openapi.json",
        "/metrics",
    ];
    common::openapi::check(&document, &fleet.control, &expected, &["--fleet"], "docs/fleet-api.md");
    drop(fleet);

    let guarded = Fleet::start(&[path.to_str().unwrap(), "--token", "fleet-token-for-the-test"]);
    assert_eq!(guarded.get("/api/openapi.json"), document, "the document needs no token");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut refused = agent.get(format!("{}/api/fleet", guarded.control)).call().unwrap();
    assert_eq!(refused.status(), 401, "the rest needs it");
    common::openapi::refused_as_documented(
        &document,
        "/api/fleet",
        &refused.body_mut().read_to_string().unwrap(),
    );
}

/// Sources of the UPS-MIB traps numbered `trap` (upsTrapOnBattery is 1) in an snmptrapd log.
fn rfc1628_trap_sources(log: &str, trap: u32) -> Vec<String> {
    let oid = format!(".1.3.6.1.2.1.33.2.{trap}");
    let mut sources = Vec::new();
    let mut lines = log.lines();
    while let Some(line) = lines.next() {
        let Some(from) = line.split("[UDP: [").nth(1).and_then(|rest| rest.split(']').next()) else {
            continue;
        };
        let body = lines.next().unwrap_or_default();
        if body.split_whitespace().any(|token| token == oid) {
            sources.push(from.to_string());
        }
    }
    sources
}

/// `card: Reference`: each device's reference card polls its twin, answers snmpget at the
/// device's own address with that device's name and its twin's truth, and a feed's
/// blackout reaches snmptrapd as each of that feed's cards' upsTrapOnBattery — once, from
/// the card's own address — while the other feed's cards send none. A device without a card
/// answers no SNMP.
#[test]
fn reference_cards_answer_snmp_and_trap_from_their_devices_addresses() {
    use common::snmp::{SNMPGET, SNMPTRAPD, Trapd, net_snmp, parse};
    if !peer(SNMPTRAPD, "snmptrapd") || !peer(SNMPGET, "snmp") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let trapd = Trapd::start(dir.path(), "fleet", "disableAuthorization yes\n");
    std::fs::write(
        dir.path().join("card.ron"),
        format!(
            r#"CardConfig(snmp: (trap_receivers: [
                (address: "127.0.0.1:{}", community: "public", kind: Rfc1628, version: V2c, filter: Severity(Information)),
            ]))"#,
            trapd.port
        ),
    )
    .unwrap();
    let path = dir.path().join("lab.ron");
    std::fs::write(
        &path,
        r#"Fleet(name: "lab", addresses: Loopback(first: "127.47.0.1", modbus_port: 5025, snmp_port: 1161),
            card_settings: "card.ron",
            sites: [(name: "s", feeds: [(name: "a"), (name: "b")], groups: [
                (name: "ga", feed: "a", count: 3, model: "masterys-gp-60", card: Reference),
                (name: "gb", feed: "b", count: 2, model: "netys-pr-3k", card: Reference),
                (name: "plain", feed: "b", count: 2, model: "netys-pr-3k"),
            ])])"#,
    )
    .unwrap();
    let cards = dir.path().join("cards");
    let fleet = Fleet::start(&[path.to_str().unwrap(), "--card-state", cards.to_str().unwrap()]);
    assert!(fleet.ready.contains("devices=7") && fleet.ready.contains("cards=5"), "{}", fleet.ready);
    assert!(eventually(30.0, || fleet.get("/api/fleet")["cards"]["online"] == 5), "every card finds its UPS");
    assert!(cards.join("ga-002").is_dir(), "each card keeps its state in a directory of its own");

    // sysName, upsIdentName, upsEstimatedChargeRemaining, upsOutputSource.
    let objects = [
        ".1.3.6.1.2.1.1.5.0",
        ".1.3.6.1.2.1.33.1.1.5.0",
        ".1.3.6.1.2.1.33.1.2.4.0",
        ".1.3.6.1.2.1.33.1.4.1.0",
    ];
    let get = |address: &str| {
        let agent = format!("{address}:1161");
        let mut args = vec!["-v2c", "-c", "public", agent.as_str()];
        args.extend(objects);
        parse(&net_snmp(SNMPGET, &args))
    };
    for (address, name) in [("127.47.0.1", "ga-001"), ("127.47.0.5", "gb-002")] {
        let answer = get(address);
        println!("{address}: {answer:?}");
        assert_eq!(answer[&objects[0][1..]], name, "sysName at {address}");
        assert_eq!(answer[&objects[1][1..]], name, "upsIdentName at {address}");
        let truth = fleet.get(&format!("/api/fleet/devices/{name}"))["measurements"]["battery_charge_pct"]
            .as_f64()
            .unwrap();
        let charge: f64 = answer[&objects[2][1..]].parse().unwrap();
        assert!((charge - truth).abs() <= 1.0, "{address}: charge {charge} % against the twin's {truth} %");
        assert_eq!(answer[&objects[3][1..]], "3", "upsOutputSource normal(3) at {address}");
    }
    let silent = net_snmp(SNMPGET, &["-v2c", "-c", "public", "127.47.0.6:1161", objects[0]]);
    assert!(!silent.status.success(), "a device without a card answers no SNMP");

    let injected = fleet.post("/api/fleet/faults", json!({ "name": "mains_blackout", "feed": "a" }));
    assert_eq!(injected["devices"], 3);
    let feed_a = ["127.47.0.1", "127.47.0.2", "127.47.0.3"];
    let arrived = eventually(30.0, || {
        feed_a.iter().all(|a| rfc1628_trap_sources(&trapd.log(), 1).iter().any(|s| s == a))
    });
    assert!(arrived, "each card of feed a sends upsTrapOnBattery: {}", trapd.log());
    // A poll or two more: nothing sent twice, nothing from feed b.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let mut sources = rfc1628_trap_sources(&trapd.log(), 1);
    sources.sort();
    assert_eq!(sources, feed_a, "once from each card of feed a, from its device's address");
    assert_eq!(get("127.47.0.2")[&objects[3][1..]], "5", "upsOutputSource battery(5) on a card of feed a");
    // `/metrics` counts every trap the cards sent: as many as snmptrapd logged (read until
    // both agree, a trap being on its way between the two reads).
    let mut seen = String::new();
    let agree = eventually(10.0, || {
        let metrics = ureq::get(&format!("{}/metrics", fleet.control))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        let logged = trapd.log().matches("[UDP: [127.47.0.").count();
        seen = format!("{logged} traps logged; {metrics}");
        logged > 0 && metrics.contains(&format!("upstwin_fleet_traps_sent_total {logged}\n"))
    });
    assert!(agree, "{seen}");
    assert_eq!(get("127.47.0.4")[&objects[3][1..]], "3", "feed b's cards still on normal(3)");
}

/// Prometheus's snmp_exporter (Debian's prometheus-snmp-exporter) with a hand-written
/// UPS-MIB module scrapes a fleet's devices through `/snmp?target=`: its figures are the
/// twin's — on mains, then on battery after the feed's blackout.
#[test]
fn snmp_exporter_scrapes_each_card_and_its_figures_are_the_twins() {
    const SNMP_EXPORTER: &str = "/usr/bin/prometheus-snmp-exporter";
    if !peer(SNMP_EXPORTER, "prometheus-snmp-exporter") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exported.ron");
    std::fs::write(
        &path,
        r#"Fleet(name: "exported", addresses: Loopback(first: "127.48.0.1", modbus_port: 5026, snmp_port: 1161),
            sites: [(name: "s", feeds: [(name: "f")], groups: [
                (name: "big", feed: "f", count: 2, model: "masterys-gp-60", card: Reference, load_pct: (60, 60)),
                (name: "small", feed: "f", count: 1, model: "netys-pr-3k", card: Reference, load_pct: (40, 40)),
            ])])"#,
    )
    .unwrap();
    let cards = dir.path().join("cards");
    let fleet = Fleet::start(&[path.to_str().unwrap(), "--card-state", cards.to_str().unwrap()]);
    assert!(eventually(30.0, || fleet.get("/api/fleet")["cards"]["online"] == 3), "every card finds its UPS");
    let module = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snmp_exporter/ups-mib.yml");
    let exporter = Command::new(SNMP_EXPORTER)
        .arg(format!("--config.file={}", module.display()))
        .arg("--web.listen-address=127.0.0.1:0")
        .stderr(Stdio::null())
        .spawn()
        .expect("snmp_exporter starts");
    let port = common::ports::bound_port(exporter.id(), common::ports::Transport::Tcp, 10.0);
    let _exporter = KillOnDrop(exporter);
    let scrape = |address: &str| -> std::collections::HashMap<String, f64> {
        let url = format!("http://127.0.0.1:{port}/snmp?target={address}:1161&module=ups_mib");
        let text = ureq::get(&url).call().unwrap().body_mut().read_to_string().unwrap();
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                l.rsplit_once(' ').and_then(|(name, value)| Some((name.to_string(), value.parse().ok()?)))
            })
            .collect()
    };
    let compare = |address: &str, name: &str, on_battery: bool| {
        let figures = scrape(address);
        let truth = &fleet.get(&format!("/api/fleet/devices/{name}"))["measurements"];
        let truth = |key: &str| truth[key].as_f64().unwrap_or_else(|| panic!("{name}: {key} in {truth}"));
        println!("{address} ({name}): {figures:?}");
        let input = figures[r#"upsInputVoltage{upsInputLineIndex="1"}"#];
        assert!((input - truth("input_voltage_v:1")).abs() <= 1.0, "{name}: input {input} V");
        assert!(
            (figures["upsEstimatedChargeRemaining"] - truth("battery_charge_pct")).abs() <= 1.0,
            "{name}: charge"
        );
        assert_eq!(figures["upsOutputSource"], if on_battery { 5.0 } else { 3.0 }, "{name}: output source");
        if on_battery {
            let minutes = figures["upsEstimatedMinutesRemaining"];
            assert!(
                (minutes - truth("remaining_runtime_min")).abs() <= 1.0,
                "{name}: {minutes} min remaining"
            );
        }
    };
    let devices = [("127.48.0.1", "big-001"), ("127.48.0.2", "big-002"), ("127.48.0.3", "small-001")];
    for (address, name) in devices {
        compare(address, name, false);
    }
    fleet.post("/api/fleet/faults", json!({ "name": "mains_blackout", "feed": "f" }));
    let on_battery =
        || devices.iter().all(|(address, _)| scrape(address).get("upsOutputSource") == Some(&5.0));
    assert!(eventually(30.0, on_battery), "the cards see the blackout");
    for (address, name) in devices {
        compare(address, name, true);
    }
}
