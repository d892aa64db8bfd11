//! The `upstwin` binary end to end: listing, validation, bad files, and the data-sheet
//! fit → discharge round trip a user runs.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn upstwin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_upstwin")).args(args).output().expect("upstwin runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn help_lists_the_subcommands() {
    let output = upstwin(&["--help"]);
    assert!(output.status.success());
    let text = stdout(&output);
    for command in ["models", "battery"] {
        assert!(text.contains(command), "--help misses `{command}`:\n{text}");
    }
}

#[test]
fn models_lists_the_bundled_models() {
    let output = upstwin(&["models"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let names: Vec<String> =
        stdout(&output).lines().map(|l| l.split('\t').next().unwrap().to_string()).collect();
    assert_eq!(
        names,
        [
            "netys-pr-3k",
            "itys-2k",
            "masterys-gp-60",
            "delphys-mx-300",
            "delphys-mx-system",
            "modulys-gp2-100"
        ]
    );
}

#[test]
fn a_shown_model_validates_as_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let shown = upstwin(&["models", "show", "modulys-gp2-100"]);
    let path = dir.path().join("mine.ron");
    std::fs::write(&path, &shown.stdout).unwrap();
    let output = upstwin(&["models", "validate", path.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("ok: "));
}

#[test]
fn every_bad_file_gives_one_line_and_exit_code_2() {
    let bad = repo("ups-models/tests/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&bad).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 8);
    for file in files {
        let path = file.to_str().unwrap();
        let output = if path.ends_with(".csv") {
            upstwin(&["battery", "fit", "--table", path])
        } else if path.contains("block-") {
            upstwin(&["battery", "discharge", "--block", path, "--current-a", "3", "--end-v-per-cell", "1.8"])
        } else {
            upstwin(&["models", "validate", path])
        };
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{path}: {message}");
        assert_eq!(message.lines().count(), 1, "{path}: one line expected:\n{message}");
        assert!(message.starts_with(&format!("upstwin: {path}:")), "{message}");
        assert!(!message.contains("panicked"), "{message}");
    }
}

#[test]
fn bad_arguments_are_refused() {
    let output = upstwin(&[
        "battery",
        "discharge",
        "--block",
        "vrla-12v-38ah",
        "--current-a=-3",
        "--end-v-per-cell",
        "1.8",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--current-a must be a positive number"));
    let output = upstwin(&[
        "battery",
        "discharge",
        "--block",
        "no-such-block",
        "--current-a",
        "3",
        "--end-v-per-cell",
        "1.8",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown block `no-such-block`"));
    let output = upstwin(&["battery", "typical", "--capacity-ah", "38", "--cells", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--cells must be within 1..=24, found 0"));
    let output = upstwin(&["battery", "typical", "--capacity-ah", "1e9"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--capacity-ah must be within 0.5..=10000"));
}

/// Reads a shared-format table into (end V/cell, minutes, value) rows, through the library
/// so the test does not parse CSV a second way.
fn points(path: &Path) -> Vec<(f64, f64, f64)> {
    ups_models::datasheet::DatasheetTable::load(path)
        .unwrap()
        .points
        .iter()
        .map(|p| (p.end_v_per_cell, p.minutes, p.value))
        .collect()
}

#[test]
fn fit_from_three_points_then_discharge_reproduces_both_tables() {
    let dir = tempfile::tempdir().unwrap();
    let three = dir.path().join("three.csv");
    std::fs::write(&three, "end_v_per_cell,10min,60min,600min\n1.75,169.8,51.5,8.20\n").unwrap();
    let fitted = upstwin(&[
        "battery",
        "fit",
        "--table",
        three.to_str().unwrap(),
        "--capacity-ah",
        "38",
        "--resistance-mohm",
        "4.9",
    ]);
    assert!(fitted.status.success(), "{}", stderr(&fitted));
    let block = dir.path().join("block.ron");
    std::fs::write(&block, &fitted.stdout).unwrap();

    let mut errors = Vec::new();
    for (file, flag) in [
        ("vrla-12v-38ah-constant-power-25c.csv", "--power-per-cell-w"),
        ("vrla-12v-38ah-constant-current-25c.csv", "--current-a"),
    ] {
        for (end_v, minutes, value) in points(&repo("ups-models/datasheets").join(file)) {
            let output = upstwin(&[
                "battery",
                "discharge",
                "--block",
                block.to_str().unwrap(),
                flag,
                &value.to_string(),
                "--end-v-per-cell",
                &end_v.to_string(),
            ]);
            assert!(output.status.success(), "{}", stderr(&output));
            let printed = stdout(&output);
            let predicted: f64 = printed.split_whitespace().next().unwrap().parse().unwrap();
            let error_pct = (predicted / minutes - 1.0) * 100.0;
            println!(
                "{flag:<20} {end_v:.2} V/cell {value:>7} → {minutes:>6} min published, {predicted:>7.1} predicted ({error_pct:+.1} %)"
            );
            errors.push(error_pct.abs());
        }
    }
    errors.sort_by(f64::total_cmp);
    let max = errors[errors.len() - 1];
    let median = errors[errors.len() / 2];
    println!("{} points: max {max:.1} %, median {median:.1} %", errors.len());
    assert_eq!(errors.len(), 156);
    // Issue 21's goal is 10 %; the shape calibrated on four makers' sheets leaves 12 % at
    // 1.85 V/cell and 120 min on this one (sim/tests/fit_datasheet.rs says more).
    assert!(max <= 12.5 && median <= 3.0, "max {max:.1} %, median {median:.1} %");
}

#[test]
fn simulate_tells_the_blackout_story() {
    let output = upstwin(&[
        "simulate",
        "--model",
        "masterys-gp-60",
        "--duration",
        "2h",
        "--at",
        "60s:mains_blackout",
        "--at",
        "70m:clear:mains_blackout",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    println!("{text}");
    let order = [
        "S05 on battery / Battery discharging (W)",
        "S15 Battery near end of backup time (C)",
        "A31 Imminent STOP (C)",
        "S16 Battery discharged (C)",
        "mode     LoadOff",
        "action   70m:clear:mains_blackout",
        "mode     Starting",
        "S27 Battery charging (I)",
        "mode     OnInverter",
    ];
    let mut from = 0;
    for needle in order {
        let found = text[from..]
            .find(needle)
            .unwrap_or_else(|| panic!("`{needle}` missing after byte {from}:\n{text}"));
        from += found + needle.len();
    }
    assert!(text.contains("summary: final mode OnInverter"));
}

#[test]
fn same_seed_gives_a_byte_identical_trace() {
    let dir = tempfile::tempdir().unwrap();
    let trace = |name: &str, seed: &str| {
        let path = dir.path().join(name);
        let output = upstwin(&[
            "simulate",
            "--duration",
            "30m",
            "--seed",
            seed,
            "--at",
            "60s:mains_blackout",
            "--at",
            "61s:genset:start_delay_s=5",
            "--csv",
            path.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        std::fs::read(path).unwrap()
    };
    let first = trace("a.csv", "5");
    assert!(first.len() > 1000 && first.starts_with(b"time_s,mode,"));
    assert_eq!(first, trace("b.csv", "5"), "same seed, same bytes");
    assert_ne!(first, trace("c.csv", "6"), "another seed, another battery spread and genset wander");
}

#[test]
fn simulate_refuses_bad_input_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile.csv");
    std::fs::write(&profile, "time_s,l1_kw,l2_kw,l3_kw\n0,10,10,10\n60,x,10,10\n").unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--at", "60s:mains_blakout"], "unknown fault `mains_blakout`, did you mean `mains_blackout`?"),
        (vec!["--at", "60s:overload:load_pct=2000"], "load_pct must be within 0..=1000"),
        (vec!["--at", "sixty:mains_blackout"], "bad time `sixty`"),
        (vec!["--at", "60s"], "expected TIME:ACTION"),
        (vec!["--at", "1m:weak_block:string=1"], "missing parameter block"),
        (vec!["--at", "1m:cmd:self_destruct"], "unknown command `self_destruct`"),
        (vec!["--at", "3h:mains_blackout"], "at 10800 s, after the end of the run (--duration 1m, 60 s)"),
        (vec!["--duration", "forever"], "--duration: bad time `forever`"),
        (vec!["--load-pct=-5"], "--load-pct must be within 0..=1000"),
        (vec!["--load-profile", profile.to_str().unwrap()], "profile.csv:3:4: expected a number"),
        (vec!["--model", "no-such-ups"], "unknown model `no-such-ups`"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["simulate"];
        if !args.contains(&"--duration") {
            all.extend(["--duration", "1m"]);
        }
        all.extend(&args);
        let output = upstwin(&all);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
        assert_eq!(message.lines().count(), 1, "{args:?}: {message}");
        assert!(message.contains(expected), "{args:?}: `{message}` should say `{expected}`");
    }
}

#[test]
fn simulate_reports_a_fault_that_does_not_fit_the_model() {
    let output = upstwin(&[
        "simulate",
        "--model",
        "netys-pr-3k",
        "--duration",
        "2m",
        "--at",
        "1m:weak_block:string=1,block=9,capacity_pct=5",
    ]);
    assert!(output.status.success());
    assert!(stdout(&output).contains(
        "REFUSED  1m:weak_block:string=1,block=9,capacity_pct=5: weak_block: block must be within 1..=6"
    ));
}

#[test]
fn the_fault_catalogue_document_is_current() {
    let document = std::fs::read_to_string(repo("sim/FAULTS.md")).unwrap();
    for command in ["faults", "commands"] {
        let output = upstwin(&[command, "--markdown"]);
        assert!(output.status.success());
        assert!(
            document.contains(&stdout(&output)),
            "sim/FAULTS.md is stale: regenerate with `upstwin {command} --markdown`"
        );
    }
}

#[test]
fn serve_refuses_bad_arguments() {
    let cases: [(&[&str], &str); 4] = [
        (&["serve"], "nothing to serve on"),
        (&["serve", "--tcp", "127.0.0.1:0", "--speed", "0"], "--speed must be within"),
        (&["serve", "--tcp", "127.0.0.1:0", "--control", "0.0.0.0:0"], "give --token"),
        (&["serve", "--tcp", "999.1.1.1:5"], "--tcp 999.1.1.1:5"),
    ];
    for (args, expected) in cases {
        let output = upstwin(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains(expected), "{args:?}: {}", stderr(&output));
    }
}

#[test]
fn the_control_api_validates_and_wants_its_token() {
    // Stopped when dropped, a failed assertion included.
    let served =
        common::Served::start(&["--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0", "--token", "s3cret"]);
    let control = served.field("control").to_string();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let status =
        |request: Result<ureq::http::Response<ureq::Body>, ureq::Error>| request.unwrap().status().as_u16();
    assert_eq!(status(agent.get(&format!("{control}/api/state")).call()), 401, "no token");
    let document: serde_json::Value =
        agent.get(&format!("{control}/api/openapi.json")).call().unwrap().body_mut().read_json().unwrap();
    let refused =
        agent.get(&format!("{control}/api/state")).call().unwrap().body_mut().read_to_string().unwrap();
    common::openapi::refused_as_documented(&document, "/api/state", &refused);
    let bearer = "Bearer s3cret";
    assert_eq!(
        status(agent.get(&format!("{control}/api/state")).header("Authorization", bearer).call()),
        200
    );
    let post = |body: serde_json::Value| {
        status(agent.post(&format!("{control}/api/faults")).header("Authorization", bearer).send_json(body))
    };
    assert_eq!(post(serde_json::json!({ "name": "mains_blakout" })), 400, "unknown fault");
    assert_eq!(
        post(serde_json::json!({ "name": "overload", "params": { "load_pct": 5000 } })),
        400,
        "out of range"
    );
    assert_eq!(post(serde_json::json!({ "nme": "x" })), 422, "not the expected JSON");
    assert_eq!(post(serde_json::json!({ "name": "mains_blackout" })), 200);
    let refused = agent
        .post(&format!("{control}/api/commands"))
        .header("Authorization", bearer)
        .send_json(serde_json::json!({ "name": "line_interactive_on" }));
    assert_eq!(status(refused), 409, "the firmware refuses: not line-interactive");
    let load = |body: serde_json::Value| {
        status(agent.post(&format!("{control}/api/load")).header("Authorization", bearer).send_json(body))
    };
    assert_eq!(load(serde_json::json!({ "phases_pct": [20.0, 60.0, 100.0] })), 200, "a load per phase");
    assert_eq!(load(serde_json::json!({ "phases_pct": [20.0, -1.0] })), 400, "out of range");
    assert_eq!(load(serde_json::json!({ "phases_pct": [] })), 400, "no phase");
    assert_eq!(load(serde_json::json!({ "pct": 50.0, "phases_pct": [50.0] })), 400, "one or the other");
    let _ =
        agent.delete(&format!("{control}/api/faults/mains_blackout")).header("Authorization", bearer).call();
    // The phases' loads, as the twin measures them a moment later.
    let phase_loads = || -> Vec<f64> {
        let mut response =
            agent.get(&format!("{control}/api/state")).header("Authorization", bearer).call().unwrap();
        let state: serde_json::Value = response.body_mut().read_json().unwrap();
        (1..=3)
            .map(|p| state["measurements"][format!("output_load_pct:{p}")].as_f64().unwrap_or(-1.0))
            .collect()
    };
    std::thread::sleep(std::time::Duration::from_millis(500));
    let loads = phase_loads();
    assert!(
        loads.iter().zip([20.0, 60.0, 100.0]).all(|(seen, set)| (seen - set).abs() < 5.0),
        "each phase at its own load: {loads:?}"
    );
}

/// `upstwin simulate … | head -1`: the reader leaves after one line; the command ends
/// quietly with the shell's closed-pipe status, not with a panic.
#[test]
fn a_reader_that_closes_the_pipe_ends_the_command_quietly() {
    use std::io::{BufRead, BufReader};
    // Flapping mains for two hours prints far more than a pipe's 64 KiB buffer.
    let mut child = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args(["simulate", "--model", "masterys-gp-60", "--duration", "2h", "--at", "1s:mains_flapping"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.contains("MASTERYS GP 60"), "{first}");
    let output = child.wait_with_output().unwrap();
    let complaint = stderr(&output);
    assert!(!complaint.contains("panicked"), "{complaint}");
    assert_eq!(output.status.code(), Some(141), "{complaint}");
}

/// The README's control examples work as printed against a running twin — `upstwin inject`,
/// `clear` and the `curl` one-liner (which labels its JSON as a form) — with the address
/// given as `serve --control` takes it.
#[test]
fn the_readme_control_examples_run_as_printed() {
    let served = common::Served::start(&[
        "--model",
        "delphys-mx-300",
        "--tcp",
        "127.0.0.1:0",
        "--control",
        "127.0.0.1:0",
    ]);
    let address = served.field("control").trim_start_matches("http://").to_string();
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let mut commands: Vec<String> = Vec::new();
    for line in readme.lines().filter_map(|l| l.strip_prefix("$ ")) {
        let (command, comment) = line.split_once('#').map_or((line, ""), |(c, r)| (c, r));
        if let Some(rest) = command.trim().strip_prefix("upstwin ")
            && ["inject ", "clear ", "command "].iter().any(|verb| rest.starts_with(verb))
        {
            commands.push(format!("{} {rest} --control {address}", env!("CARGO_BIN_EXE_upstwin")));
        }
        if let Some(curl) = comment.trim().strip_prefix("or: ").filter(|c| c.starts_with("curl ")) {
            commands.push(curl.replace("localhost:8700", &address).replace("127.0.0.1:8700", &address));
        }
    }
    assert!(commands.len() >= 4, "the README's control examples: {commands:?}");
    let mut done = Vec::new();
    for command in &commands {
        let output = Command::new("sh").args(["-c", command]).output().expect("sh runs");
        println!("$ {command}\n{}{}", stdout(&output), stderr(&output));
        done.push((command.clone(), output.status.success(), stdout(&output)));
    }
    // Register addresses as people write them: decimal or hex, the same words.
    let hex = served.get("/api/registers?address=0x1000&count=0x4");
    assert_eq!(
        hex,
        served.get("/api/registers?address=4096&count=4"),
        "the identification, the same either way"
    );
    assert_eq!(hex["words"].as_array().map(Vec::len), Some(4), "{hex}");
    let bad = ureq::get(format!("{}/api/registers?address=0x1z", served.field("control")))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    let why = bad.into_body().read_to_string().unwrap();
    assert!(
        why.contains("address `0x1z`: invalid digit found in string (0 to 65535, decimal or 0x hex)"),
        "{why}"
    );
    drop(served);
    for (command, success, out) in done {
        assert!(success, "`{command}` failed");
        assert!(out.trim_start().starts_with('{') && !out.contains("\"error\""), "`{command}`: {out}");
    }
}

/// The control API publishes its OpenAPI 3 document at `/api/openapi.json`: it validates
/// (openapi-spec-validator, PyPI), it lists every route served — each with an example —
/// and every route it lists answers. docs/control-api.md is its rendering, kept current.
#[test]
fn the_control_api_publishes_a_valid_openapi_document_of_every_route() {
    let served = common::Served::start(&[
        "--model",
        "masterys-gp-60",
        "--tcp",
        "127.0.0.1:0",
        "--control",
        "127.0.0.1:0",
    ]);
    let document = served.get("/api/openapi.json");
    let expected = [
        "/api/commands",
        "/api/faults",
        "/api/faults/{name}",
        "/api/load",
        "/api/openapi.json",
        "/api/registers",
        "/api/state",
        "/api/trace",
        "/api/wire-faults",
        "/api/wire-faults/{name}",
    ];
    common::openapi::check(&document, served.field("control"), &expected, &[], "docs/control-api.md");
}
