//! The fleet sharded as on Kubernetes, without a cluster: three `upstwin fleet --shard K/3`
//! processes, each in a network namespace of its own with its own part of the devices'
//! address range (a local route, as a pod's range on a secondary network), on a bridge with
//! a client namespace. From the client: every device answers at its address with its own
//! serial, each exactly once; `fleet status --shards` adds the shards up to the whole fleet;
//! a fleet-wide blackout scheduled for one wall-clock instant (`fleet inject --at`) runs on
//! every shard within 100 ms of the others and puts every UPS on battery.
//!
//! Needs root (namespaces, veths, a bridge). Under `CI=true` it fails loudly without them;
//! elsewhere it says it is skipped.

mod common;

use common::eventually;
use common::modbus::{modbus_read, serial_of};
use serde_json::Value;
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const SHARDS: usize = 3;
/// Devices per shard: a /27 each, so one route per shard reaches its part.
const PER_SHARD: usize = 32;
const TOKEN: &str = "shard-token-for-the-test";

fn ip(args: &[&str]) -> Output {
    Command::new("ip").args(args).output().unwrap_or_else(|e| panic!("ip {args:?}: {e}"))
}

fn ip_ok(args: &[&str]) {
    let output = ip(args);
    assert!(output.status.success(), "ip {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr));
}

/// The namespaces the test made, deleted (with their veths) when it ends.
struct Namespaces {
    names: Vec<String>,
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for name in &self.names {
            let _ = ip(&["netns", "del", name]);
        }
    }
}

/// Whether this process may make namespaces; under CI it must.
fn namespaces_allowed(probe: &str) -> bool {
    let made = ip(&["netns", "add", probe]);
    let _ = ip(&["netns", "del", probe]);
    if made.status.success() {
        return true;
    }
    let why = String::from_utf8_lossy(&made.stderr).trim().to_string();
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("cannot make a network namespace ({why}): the sharding test needs root");
    }
    eprintln!("SKIPPED: cannot make a network namespace ({why}); run as root");
    false
}

/// The hub (holding the bridge), the shards and the client, each on the bridge with an
/// address of 10.200.0.0/24; shard k owns 10.201.0.(32(k+1))/27 (shard 0 all of
/// 10.201.0.0/24) and the client routes each part to its shard, and what lies beyond the
/// fleet to shard 0.
fn network(tag: &str) -> (Namespaces, Vec<String>, String) {
    let hub = format!("utw-hub-{tag}");
    let shards: Vec<String> = (0..SHARDS).map(|k| format!("utw-s{k}-{tag}")).collect();
    let client = format!("utw-c-{tag}");
    let mut made = Namespaces { names: vec![] };
    for name in std::iter::once(&hub).chain(&shards).chain([&client]) {
        ip_ok(&["netns", "add", name]);
        made.names.push(name.clone());
        ip_ok(&["-n", name, "link", "set", "lo", "up"]);
    }
    ip_ok(&["-n", &hub, "link", "add", "br0", "type", "bridge"]);
    ip_ok(&["-n", &hub, "link", "set", "br0", "up"]);
    let on_bridge = |i: usize, name: &str, address: &str| {
        let port = format!("v{i}");
        ip_ok(&["-n", &hub, "link", "add", &port, "type", "veth", "peer", "name", "eth0", "netns", name]);
        ip_ok(&["-n", &hub, "link", "set", &port, "master", "br0", "up"]);
        ip_ok(&["-n", name, "addr", "add", &format!("{address}/24"), "dev", "eth0"]);
        ip_ok(&["-n", name, "link", "set", "eth0", "up"]);
    };
    on_bridge(0, &client, "10.200.0.2");
    for (k, shard) in shards.iter().enumerate() {
        on_bridge(k + 1, shard, &format!("10.200.0.{}", 10 + k));
        let part = format!("10.201.0.{}/27", PER_SHARD * (k + 1));
        // Shard 0 has the whole range local, as the pods of deploy/ do: it must still
        // answer for its own devices only.
        let local = if k == 0 { "10.201.0.0/24".to_string() } else { part.clone() };
        ip_ok(&["-n", shard, "route", "add", "local", &local, "dev", "lo"]);
        ip_ok(&["-n", &client, "route", "add", &part, "via", &format!("10.200.0.{}", 10 + k)]);
    }
    // Addresses beyond the fleet's go to shard 0 too.
    let beyond = format!("10.201.0.{}/27", PER_SHARD * (SHARDS + 1));
    ip_ok(&["-n", &client, "route", "add", &beyond, "via", "10.200.0.10"]);
    (made, shards, client)
}

/// Runs `work` on a thread that has entered the namespace: its sockets are the namespace's.
fn inside<T: Send>(namespace: &str, work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let file = std::fs::File::open(format!("/var/run/netns/{namespace}")).unwrap();
                // Changes only this thread's namespace.
                nix::sched::setns(&file, nix::sched::CloneFlags::CLONE_NEWNET)
                    .unwrap_or_else(|e| panic!("setns {namespace}: {e}"));
                work()
            })
            .join()
            .unwrap()
    })
}

/// A shard process, killed when dropped; its ready line.
struct Shard {
    child: Child,
    ready: String,
}

impl Drop for Shard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_shard(namespace: &str, file: &str, k: usize) -> Shard {
    let mut child = Command::new("ip")
        .args(["netns", "exec", namespace, env!("CARGO_BIN_EXE_upstwin"), "fleet", file])
        .args(["--shard", &format!("{k}/{SHARDS}"), "--speed", "10", "--token", TOKEN])
        .args(["--control", &format!("10.200.0.{}:8701", 10 + k)])
        .stdout(Stdio::piped())
        .spawn()
        .expect("upstwin fleet starts in its namespace");
    let mut ready = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut ready).unwrap();
    Shard { child, ready }
}

/// `upstwin fleet …` run from the client namespace.
fn client_cli(client: &str, args: &[&str]) -> (bool, String) {
    let shards: Vec<String> = (0..SHARDS).map(|k| format!("http://10.200.0.{}:8701", 10 + k)).collect();
    let output = Command::new("ip")
        .args(["netns", "exec", client, env!("CARGO_BIN_EXE_upstwin"), "fleet"])
        .args(args)
        .args(["--shards", &shards.join(","), "--token", TOKEN])
        .output()
        .unwrap();
    let text =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

fn get(url: &str) -> Value {
    ureq::get(url)
        .header("Authorization", &format!("Bearer {TOKEN}"))
        .call()
        .unwrap_or_else(|e| panic!("{url}: {e}"))
        .body_mut()
        .read_json()
        .unwrap()
}

#[test]
fn shards_in_their_own_namespaces_serve_every_device_once_and_fail_together_at_one_instant() {
    let tag = std::process::id().to_string();
    if !namespaces_allowed(&format!("utw-probe-{tag}")) {
        return;
    }
    let (_namespaces, shards, client) = network(&tag);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sharded.ron");
    let half = SHARDS * PER_SHARD / 2;
    std::fs::write(
        &file,
        format!(
            r#"Fleet(name: "sharded", seed: 7, addresses: Range(first: "10.201.0.{PER_SHARD}", modbus_port: 502, listen: Shared),
    sites: [
        (name: "east", feeds: [(name: "east-utility")], groups: [(name: "e", feed: "east-utility", count: {half}, model: "masterys-gp-60", serials: "E{{i:08}}")]),
        (name: "west", feeds: [(name: "west-utility")], groups: [(name: "w", feed: "west-utility", count: {half}, model: "masterys-gp-60", serials: "W{{i:08}}")]),
    ])
"#
        ),
    )
    .unwrap();
    let inventory = dir.path().join("inventory.csv");
    let file = file.to_str().unwrap();
    let written = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args(["fleet", file, "--inventory", inventory.to_str().unwrap(), "--inventory-only"])
        .output()
        .unwrap();
    assert!(written.status.success(), "{}", String::from_utf8_lossy(&written.stderr));
    let rows: Vec<csv::StringRecord> =
        csv::Reader::from_path(&inventory).unwrap().records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), SHARDS * PER_SHARD);

    let running: Vec<Shard> = shards.iter().enumerate().map(|(k, ns)| start_shard(ns, file, k)).collect();
    for (k, shard) in running.iter().enumerate() {
        println!("{}", shard.ready.trim());
        let first = PER_SHARD * (k + 1);
        let expected =
            format!("devices={PER_SHARD} fleet_devices={} first=10.201.0.{first}:502", SHARDS * PER_SHARD);
        assert!(shard.ready.contains(&expected), "shard {k}: {}", shard.ready);
    }

    // From the client: every device at its own address, its own serial; nothing beyond.
    let serials: Vec<String> = inside(&client, || {
        rows.iter()
            .map(|row| serial_of(&modbus_read(&format!("{}:{}", &row[1], &row[2]), 0x1003, 5)))
            .collect()
    });
    for (row, serial) in rows.iter().zip(&serials) {
        assert_eq!(serial, &row[4], "{} at {}", &row[0], &row[1]);
    }
    assert_eq!(serials.iter().collect::<HashSet<_>>().len(), rows.len(), "each device once");
    // Shard 0 has that address too (its local range) but no device there: no answer.
    let beyond = format!("10.201.0.{}:502", PER_SHARD * (SHARDS + 1));
    let answered = inside(&client, || {
        use std::io::{Read, Write};
        let Ok(mut stream) =
            std::net::TcpStream::connect_timeout(&beyond.parse().unwrap(), std::time::Duration::from_secs(5))
        else {
            return false;
        };
        stream.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
        let _ = stream.write_all(&[0, 1, 0, 0, 0, 6, 1, 3, 0x10, 0x03, 0, 5]);
        let mut byte = [0u8; 1];
        matches!(stream.read(&mut byte), Ok(1))
    });
    assert!(!answered, "no shard answers at {beyond}, beyond the fleet");

    let (ok, status) = client_cli(&client, &["status"]);
    println!("{status}");
    assert!(ok, "{status}");
    assert!(status.contains(&format!("total devices={} of {}", rows.len(), rows.len())), "{status}");
    assert!(status.contains("coverage: every device once"), "{status}");
    for k in 0..SHARDS {
        let part = format!("addresses=10.201.0.{}/27", PER_SHARD * (k + 1));
        assert!(status.contains(&part), "shard {k}'s range as one block: {status}");
    }

    // A fleet-wide blackout held for one instant 3 s ahead, fanned out to every shard.
    let (ok, scheduled) = client_cli(&client, &["inject", "mains_blackout", "--all", "--at", "+3s"]);
    println!("{scheduled}");
    assert!(ok, "{scheduled}");
    let ran: Vec<Value> = inside(&client, || {
        let mut ran = Vec::new();
        for k in 0..SHARDS {
            let url = format!("http://10.200.0.{}:8701/api/fleet/scheduled", 10 + k);
            let mut entry = Value::Null;
            assert!(
                eventually(30.0, || {
                    entry = get(&url)["ran"][0].clone();
                    !entry.is_null()
                }),
                "shard {k} ran the blackout"
            );
            ran.push(entry);
        }
        ran
    });
    let instants: Vec<OffsetDateTime> = ran
        .iter()
        .map(|entry| OffsetDateTime::parse(entry["ran_at"].as_str().unwrap(), &Rfc3339).unwrap())
        .collect();
    let spread = *instants.iter().max().unwrap() - *instants.iter().min().unwrap();
    println!("ran at {instants:?}: spread {} ms", spread.whole_milliseconds());
    for entry in &ran {
        assert_eq!(entry["devices"], PER_SHARD, "{entry}");
    }
    assert!(spread.whole_milliseconds() <= 100, "every shard within 100 ms: {ran:?}");
    let all_on_battery = eventually(30.0, || {
        let (_, status) = client_cli(&client, &["status"]);
        status.contains(&format!("on_battery={} modes=", rows.len()))
    });
    assert!(all_on_battery, "every UPS of every shard on battery: {}", client_cli(&client, &["status"]).1);
}
