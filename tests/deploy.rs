//! deploy/kubernetes stays true to the binary: the ConfigMap's fleet file is valid and its
//! every device falls in the range the init container makes local, on the port the pod
//! exposes; `SHARDS` equals the StatefulSet's `replicas`; the command reads the file where
//! the ConfigMap is mounted and serves the control API on the port the Service names.

use std::net::Ipv4Addr;
use std::path::Path;
use std::process::Command;

fn manifest(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/kubernetes").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The block scalar under `fleet.ron: |`, its indentation removed.
fn fleet_file(config_map: &str) -> String {
    let mut lines = config_map.lines().skip_while(|l| l.trim() != "fleet.ron: |").skip(1);
    let first = lines.next().expect("the fleet file in the ConfigMap");
    let indent = first.len() - first.trim_start().len();
    std::iter::once(first)
        .chain(lines.take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() >= indent))
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The value after `key:` on the first line that has it (after `after`, if given).
fn value_after<'a>(text: &'a str, after: &str, key: &str) -> &'a str {
    let start = text.find(after).unwrap_or_else(|| panic!("`{after}` in the manifest"));
    let line = text[start..].lines().find(|l| l.trim_start().starts_with(key)).expect(key);
    line.trim_start()[key.len()..].trim().trim_matches('"')
}

#[test]
fn the_manifests_fleet_file_shards_and_address_range_agree() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fleet.ron");
    std::fs::write(&file, fleet_file(&manifest("fleet.yaml"))).unwrap();
    let inventory = dir.path().join("inventory.csv");
    let output = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args([
            "fleet",
            file.to_str().unwrap(),
            "--inventory",
            inventory.to_str().unwrap(),
            "--inventory-only",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let rows: Vec<csv::StringRecord> =
        csv::Reader::from_path(&inventory).unwrap().records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 10_000, "the fleet the README describes");

    let statefulset = manifest("statefulset.yaml");
    let replicas = value_after(&statefulset, "spec:", "replicas:");
    let shards = value_after(&statefulset, "name: SHARDS", "value:");
    assert_eq!(replicas, shards, "SHARDS must equal replicas");

    // The init container's local route covers every device's address.
    let route =
        statefulset.lines().find(|l| l.contains("\"route\", \"replace\", \"local\"")).expect("the route");
    let block = route.split('"').find(|part| part.contains('/')).unwrap();
    let (network, prefix) = block.split_once('/').unwrap();
    let (network, prefix): (Ipv4Addr, u32) = (network.parse().unwrap(), prefix.parse().unwrap());
    let mask = u32::MAX << (32 - prefix);
    for row in &rows {
        let address: Ipv4Addr = row[1].parse().unwrap();
        assert_eq!(u32::from(address) & mask, u32::from(network), "{} at {address} outside {block}", &row[0]);
    }
    // The pod exposes the devices' port and the control port, and reads the mounted file.
    assert!(rows.iter().all(|row| &row[2] == "502"), "devices on 502");
    assert_eq!(value_after(&statefulset, "- name: modbus", "containerPort:"), "502");
    assert_eq!(value_after(&statefulset, "- name: control", "containerPort:"), "8701");
    assert_eq!(value_after(&manifest("service.yaml"), "- name: control", "port:"), "8701");
    assert!(statefulset.contains("--control 0.0.0.0:8701"), "the control API on its port");
    let mount = value_after(&statefulset, "volumeMounts:", "mountPath:");
    assert!(
        statefulset.contains(&format!("upstwin fleet {mount}/fleet.ron")),
        "the file where it is mounted"
    );
    assert!(
        statefulset.contains("metadata.labels['apps.kubernetes.io/pod-index']"),
        "K from the pod's ordinal"
    );
    println!("{} devices in {block}, {replicas} shards", rows.len());
}
