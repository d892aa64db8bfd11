//! Fleet scenarios end to end with `upstwin run`: the bundled fleet library passes, an
//! expectation that does not hold fails naming the devices it failed on and what they saw,
//! and a bad file gets its `file:line:col`.

use std::path::PathBuf;
use std::process::{Command, Output};

fn upstwin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_upstwin")).args(args).output().expect("upstwin runs")
}

fn repo(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path).display().to_string()
}

#[test]
fn the_fleet_library_passes_and_reports_each_expectation() {
    let out = tempfile::tempdir().unwrap();
    let junit = out.path().join("junit.xml");
    let output = upstwin(&[
        "run",
        &repo("scenarios/fleet-library"),
        "--junit",
        junit.to_str().unwrap(),
        "--out",
        out.path().join("runs").to_str().unwrap(),
    ]);
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    println!("{stdout}{stderr}");
    assert!(output.status.success(), "{stderr}");
    let junit = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(junit.matches("<testcase").count(), 10, "five expectations in each of two scenarios");
    assert!(!junit.contains("<failure"), "{junit}");
    let timeline =
        std::fs::read_to_string(out.path().join("runs/01-hq-utility-genset/timeline.txt")).unwrap();
    for verdict in [
        "PASS every UPS of hq-utility on battery at once: held on all 60 devices of feed hq-utility",
        "PASS the data hall never notices: held on all 160 devices of site datahall",
    ] {
        assert!(timeline.contains(verdict), "{verdict}: {timeline}");
    }
    assert!(
        timeline.contains("30.0 s  hq-srv-001: blackout (genset): fault genset"),
        "the feed's ATS: {timeline}"
    );
    // The trace counts the devices in each state once a simulated second; the page plots it.
    let trace = std::fs::read_to_string(out.path().join("runs/01-hq-utility-genset/trace.csv")).unwrap();
    let rows: Vec<Vec<&str>> = trace.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows[0],
        ["time_s", "devices_on_battery", "devices_on_bypass", "devices_on_genset", "devices_load_off"]
    );
    assert_eq!(rows.len(), 1 + 181, "0 to 180 s");
    assert_eq!(rows[20][1..], ["0", "0", "0", "0"], "before the blackout");
    assert_eq!(rows[32][1], "60", "every UPS of hq-utility on battery: {:?}", rows[32]);
    assert_eq!(rows[100][1..3], ["0", "0"], "the genset carries them: {:?}", rows[100]);
    assert_eq!(rows[100][3], "60", "on genset: {:?}", rows[100]);
    let page = std::fs::read_to_string(out.path().join("runs/01-hq-utility-genset/report.html")).unwrap();
    assert!(page.contains("<svg") && page.contains("on genset") && !page.contains("No plots"), "{page}");
}

/// A blackout of hq-offices while the whole hq site is expected never on battery: the
/// expectation fails on exactly the 40 UPSs of that feed and holds on the 60 others.
#[test]
fn an_expectation_that_does_not_hold_names_the_devices_it_failed_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wrong.ron");
    std::fs::write(
        &file,
        r#"FleetScenario(
    name: "wrong",
    fleet: "campus",
    duration: "40s",
    timeline: [(on: Feed("hq-offices"), event: (label: "blackout", at: "10s", do: Fault("mains_blackout", {})))],
    expect: [
        (every: Site("hq"), expect: (label: "hq never on battery", never: "ups.on_battery")),
        (every: Feed("hq-offices"), expect: (label: "offices on battery", that: "ups.on_battery", of: "blackout", within: "200ms")),
    ],
)"#,
    )
    .unwrap();
    let output = upstwin(&["run", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stderr}");
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let failure =
        stderr.lines().find(|l| l.starts_with("FAIL wrong — hq never on battery:")).expect("the failure");
    assert!(
        failure.contains("failed on 40 of 100 devices of site hq: hq-floor-001 (held at 10."),
        "{failure}"
    );
    assert!(failure.contains("; and 35 more"), "five named, the rest counted: {failure}");
    assert!(!stderr.contains("offices on battery"), "that one held: {stderr}");
}

#[test]
fn a_bad_fleet_scenario_gets_its_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "(on: Feed(\"nowhere\"), event: (at: \"1s\", do: Fault(\"mains_blackout\", {})))",
            "(every: All, expect: (never: \"ups.on_battery\"))",
            ":5:",
            "feed nowhere: no such thing in fleet campus",
        ),
        (
            "(on: Feed(\"hq-offices\"), event: (label: \"cut\", at: \"1s\", do: Fault(\"mains_blackout\", {})))",
            "(every: Site(\"hq\"), expect: (that: \"ups.on_battery\", of: \"cut\", within: \"1s\"))",
            ":5:",
            "on hq-srv-001: the event labelled `cut` is on feed hq-offices, not on this device",
        ),
        (
            "(on: All, event: (at: \"1s\", do: Fault(\"mains_blackot\", {})))",
            "(every: All, expect: (never: \"ups.on_battery\"))",
            ":5:",
            "mains_blackout",
        ),
    ];
    for (i, (event, expectation, line, message)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("bad-{i}.ron"));
        let text = format!(
            "FleetScenario(\n    name: \"bad\",\n    fleet: \"campus\",\n    duration: \"10s\",\n    timeline: [{event}],\n    expect: [{expectation}],\n)\n"
        );
        std::fs::write(&file, text).unwrap();
        let output = upstwin(&["run", file.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        let error = stderr.lines().find(|l| l.starts_with("ERROR")).unwrap_or_default();
        assert!(error.contains(&format!("bad-{i}.ron{line}")) && error.contains(message), "{error}");
    }
}
