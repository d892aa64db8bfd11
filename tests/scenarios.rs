//! `upstwin run` end to end: the library passes in `none` mode and with the reference card,
//! a wrong expectation fails the run readably, bad scenario files get located errors, and
//! runs are deterministic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn upstwin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_upstwin")).args(args).output().expect("upstwin runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("upstwin-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn library_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo("scenarios/library"))
        .expect("library")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    files
}

fn needs_a_card(file: &Path) -> bool {
    std::fs::read_to_string(file).expect("scenario").contains("needs: [")
}

/// `upstwin run TARGET --card none --junit OUT/out.xml --out OUT EXTRA…`.
fn run_none(target: &Path, out: &Path, extra: &[&str]) -> Output {
    let junit = out.join("out.xml");
    let mut args =
        vec!["run", target.to_str().unwrap(), "--card", "none", "--junit", junit.to_str().unwrap()];
    args.extend(["--out", out.to_str().unwrap()]);
    args.extend(extra);
    upstwin(&args)
}

#[test]
fn the_library_passes_in_none_mode() {
    let out = temp_dir("library");
    let junit = out.join("out.xml");
    let library = repo("scenarios/library");
    let output = run_none(&library, &out, &["--jobs", "2"]);
    let stdout = text(&output.stdout);
    println!("{stdout}");
    assert!(output.status.success(), "library failed:\n{stdout}\n{}", text(&output.stderr));

    let files = library_files();
    assert!(files.len() >= 15, "the library holds {} stories, at least 15 wanted", files.len());
    let card = files.iter().filter(|f| needs_a_card(f)).count();
    let summary = format!("{} passed, 0 failed, {card} skipped", files.len() - card);
    assert!(stdout.contains(&summary), "expected `{summary}` in:\n{stdout}");
    assert!(stdout.contains("SKIPPED (needs the reference card: run with --card reference)"), "{stdout}");

    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(xml.contains("failures=\"0\""), "{xml}");
    assert!(xml.matches("<testcase").count() > 60, "one test case per expectation:\n{xml}");
    for file in files.iter().filter(|f| !needs_a_card(f)) {
        let dir = out.join(file.file_stem().unwrap());
        let timeline = std::fs::read_to_string(dir.join("timeline.txt")).expect("timeline written");
        assert!(timeline.contains("PASS") && !timeline.contains("FAIL"), "{timeline}");
        let trace = std::fs::read_to_string(dir.join("trace.csv")).expect("trace written");
        assert!(trace.starts_with("time_s,mode,"), "{}", &trace[..80.min(trace.len())]);
        assert!(trace.lines().count() > 60, "{}: a row per simulated second", dir.display());
        let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html written");
        assert!(
            html.contains("expectations held</p>") && html.matches("<svg").count() == 3,
            "{}",
            dir.display()
        );
    }
}

/// Every story, the card's own included, with the reference card in virtual time — twice:
/// the same seed gives the same trace, the same frames on the line and the same card logs.
#[test]
fn the_library_passes_with_the_reference_card_and_repeats_exactly() {
    let library = repo("scenarios/library");
    let runs: Vec<PathBuf> = ["a", "b"]
        .iter()
        .map(|run| {
            let out = temp_dir(&format!("reference-{run}"));
            let output = upstwin(&[
                "run",
                library.to_str().unwrap(),
                "--card",
                "reference",
                "--jobs",
                "2",
                "--out",
                out.to_str().unwrap(),
            ]);
            let stdout = text(&output.stdout);
            println!("{stdout}");
            assert!(output.status.success(), "library failed:\n{stdout}\n{}", text(&output.stderr));
            let files = library_files();
            let summary = format!("{} passed, 0 failed, 0 skipped", files.len());
            assert!(stdout.contains(&summary), "expected `{summary}` in:\n{stdout}");
            out
        })
        .collect();
    let card_stories: Vec<PathBuf> = library_files().into_iter().filter(|f| needs_a_card(f)).collect();
    assert!(card_stories.len() >= 3, "stories about the card: {card_stories:?}");
    for file in library_files() {
        let story = file.file_stem().unwrap();
        for output in ["trace.csv", "timeline.txt", "frames.pcap", "card/ups-events.csv", "card/history.csv"]
        {
            let [a, b] = [&runs[0], &runs[1]].map(|run| std::fs::read(run.join(story).join(output)).unwrap());
            assert!(a.len() > 100, "{}/{output} is nearly empty", story.display());
            assert!(a == b, "{}/{output} differs between two runs", story.display());
        }
        let timeline = std::fs::read_to_string(runs[0].join(story).join("timeline.txt")).unwrap();
        assert!(timeline.contains("card: first poll answered") && !timeline.contains("FAIL"), "{timeline}");
    }
    // What the card logged of the blackout story, as the CSV export shows it.
    let events = std::fs::read_to_string(runs[0].join("20-card-blackout/card/ups-events.csv")).unwrap();
    for line in [
        "Information,Operating on Battery",
        "01/01/2026 00:01:00,Warning,General Alarm",
        "Warning,General Alarm has been removed",
    ] {
        assert!(events.contains(line), "`{line}` not in:\n{events}");
    }
}

#[test]
fn a_wrong_expectation_fails_the_run_and_says_why() {
    let out = temp_dir("wrong");
    let junit = out.join("out.xml");
    let scenario = repo("tests/scenarios/wrong-expectation.ron");
    let output = run_none(&scenario, &out, &[]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("FAIL (1 of 2)") && stdout.contains("0 passed, 1 failed"), "{stdout}");
    assert!(
        stderr.contains("FAIL wrong on purpose — never on battery: held at 30.1 s, where it must not"),
        "{stderr}"
    );
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(xml.contains("failures=\"1\"") && xml.contains("<failure message=\"held at 30.1 s"), "{xml}");
    // The HTML report: the verdict, the failing expectation, the plots of the trace.
    let html =
        std::fs::read_to_string(out.join("wrong-expectation/report.html")).expect("report.html written");
    assert!(html.contains("FAIL — 1 of 2 expectations failed"), "{html}");
    assert!(
        html.contains(
            "<td class=\"fail\">FAIL</td><td>never on battery</td><td>held at 30.1 s, where it must not: \
             ups.on_battery true</td>"
        ),
        "{html}"
    );
    assert_eq!(html.matches("<svg").count(), 3, "three charts");
    for legend in ["input L1", "battery charge", "remaining runtime"] {
        assert!(html.contains(legend), "legend {legend}");
    }
}

/// A failed condition says what its signals read (the last value, the range over the
/// window, or the values when it broke), and a condition may compare two signals — the
/// runtime estimate with the physics' runtime, one voltage with another.
#[test]
fn a_failed_condition_says_what_was_seen_and_two_signals_compare() {
    let out = temp_dir("seen-values");
    let output = run_none(&repo("tests/scenarios/seen-values.ron"), &out, &[]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    println!("{stdout}\n{stderr}");
    assert_eq!(output.status.code(), Some(1), "two fail on purpose");
    let timeline = std::fs::read_to_string(out.join("seen-values/timeline.txt")).expect("timeline written");
    assert!(timeline.contains("PASS output above input in the blackout: held at 10."), "{timeline}");
    let line = |label: &str| {
        timeline
            .lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("{label}: {timeline}"))
            .to_string()
    };
    let estimate = line("the estimate against the physics");
    assert!(
        estimate.contains("PASS") && estimate.contains("held at")
            || estimate.contains("ups.remaining_runtime_min")
                && estimate.contains("truth.remaining_runtime_min"),
        "{estimate}"
    );
    let charge = line("charge below half");
    assert!(
        charge.contains("FAIL") && charge.contains("never held in its window; saw battery.charge_pct "),
        "{charge}"
    );
    assert!(
        charge.contains("at last (") && charge.contains(" in the window)"),
        "the range over the window: {charge}"
    );
    let throughout = line("mains present throughout");
    assert!(
        throughout.contains("FAIL")
            && throughout.contains("broke at 10.")
            && throughout.ends_with(": input.voltage_v[1] 0.000"),
        "the value when it broke: {throughout}"
    );
}

/// One bad file in a suite is an errored test case with its `file:line:col` message; the
/// other files still run (two named `blackout.ron` in two folders, each with its own
/// artefacts), and the JUnit file is written.
#[test]
fn a_bad_file_in_a_suite_is_an_errored_case_and_the_others_still_run() {
    let out = temp_dir("suite-with-a-bad-file");
    let suite = out.join("suite");
    for dir in ["a", "b"] {
        std::fs::create_dir_all(suite.join(dir)).unwrap();
        std::fs::copy(repo("scenarios/library/01-short-blackout.ron"), suite.join(dir).join("blackout.ron"))
            .unwrap();
    }
    std::fs::copy(repo("tests/scenarios/bad/01-syntax.ron"), suite.join("a/syntax.ron")).unwrap();
    let output = run_none(&suite, &out.join("runs"), &[]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    println!("{stdout}\n{stderr}");
    assert_eq!(output.status.code(), Some(2), "a bad file is bad input");
    assert!(stdout.contains("2 passed, 1 failed"), "{stdout}");
    let bad = suite.join("a/syntax.ron");
    assert!(
        stderr.contains(&format!(
            "ERROR syntax — not run: {}:7:20: in `timeline[0].at`: Expected comma",
            bad.display()
        )),
        "{stderr}"
    );
    let xml = std::fs::read_to_string(out.join("runs/out.xml")).expect("junit written");
    assert!(xml.contains("errors=\"1\"") && xml.contains("failures=\"0\""), "{xml}");
    assert!(
        xml.contains(&format!("<testcase classname=\"syntax\" name=\"(scenario)\" file=\"{}\"><error message=\"{}:7:20: in `timeline[0].at`: Expected comma", bad.display(), bad.display())),
        "{xml}"
    );
    for dir in ["a", "b"] {
        let timeline = std::fs::read_to_string(out.join("runs").join(dir).join("blackout/timeline.txt"))
            .unwrap_or_else(|e| panic!("{dir}/blackout has its own artefacts: {e}"));
        assert!(timeline.contains(&format!("suite/{dir}/blackout.ron")), "{timeline}");
    }
}

/// A `contains` on a card log looks at the records written since its window opened: the
/// first outage's record is not taken for the second's, and a record written before the
/// window does not make a check pass (unless `since_window: false` asks for the whole log).
#[test]
fn a_log_check_looks_at_the_records_since_its_window_opened() {
    let out = temp_dir("log-since-window");
    let scenario = repo("tests/scenarios/log-since-window.ron");
    let output =
        upstwin(&["run", scenario.to_str().unwrap(), "--card", "reference", "--out", out.to_str().unwrap()]);
    let timeline =
        std::fs::read_to_string(out.join("log-since-window/timeline.txt")).expect("timeline written");
    println!("{timeline}");
    assert_eq!(output.status.code(), Some(1), "one fails on purpose");
    assert!(timeline.contains("PASS the second outage is logged: held at 15"), "{timeline}");
    assert!(timeline.contains("PASS somewhere in the log (whole): held at 6"), "{timeline}");
    let wrong = timeline.lines().find(|l| l.contains("wrong on purpose")).unwrap();
    assert!(
        wrong.contains("FAIL")
            && wrong.contains("never held in its window; last /api/logs/ups-events/records was ["),
        "{wrong}"
    );
    assert!(!wrong.contains("Operating on Battery"), "only the records since the window: {wrong}");
}

/// Each file in `tests/scenarios/bad` says on its first line the error it must give:
/// `// error: LINE:COL: message start`.
#[test]
fn bad_scenario_files_give_located_errors() {
    let dir = repo("tests/scenarios/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 10, "only {} bad files", files.len());
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        let wanted = source.lines().next().and_then(|l| l.strip_prefix("// error: ")).expect("error line");
        let (location, message) = wanted.split_once(": ").expect("LINE:COL: message");
        let output = upstwin(&["run", file.to_str().unwrap()]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{}: {stderr}", file.display());
        let at = format!("{}:{location}: ", file.display());
        assert!(stderr.contains(&at), "{}: expected the error at {location}, got {stderr}", file.display());
        assert!(stderr.contains(message), "{}: expected `{message}`, got {stderr}", file.display());
    }
}

#[test]
fn same_scenario_and_seed_give_the_same_trace() {
    let scenario = repo("scenarios/library/05-mains-flapping.ron");
    let traces: Vec<String> = ["a", "b"]
        .iter()
        .map(|run| {
            let out = temp_dir(&format!("determinism-{run}"));
            let output = upstwin(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()]);
            assert!(output.status.success(), "{}", text(&output.stderr));
            std::fs::read_to_string(out.join("05-mains-flapping/trace.csv")).unwrap()
        })
        .collect();
    assert!(traces[0].lines().count() > 500);
    assert_eq!(traces[0], traces[1]);
}

#[test]
fn run_refuses_card_modes_it_does_not_have() {
    let scenario = repo("scenarios/library/01-short-blackout.ron");
    for (card, error) in
        [("exec:", "--card exec: needs a command"), ("vendor", "expected `none`, `reference` or `exec:CMD`")]
    {
        let output = upstwin(&["run", scenario.to_str().unwrap(), "--card", card]);
        assert_eq!(output.status.code(), Some(2));
        assert!(text(&output.stderr).contains(error), "{card}: {}", text(&output.stderr));
    }
}

#[test]
fn the_readme_example_runs() {
    let readme = std::fs::read_to_string(repo("scenarios/README.md")).unwrap();
    let example = readme.split("```ron\n").nth(1).and_then(|rest| rest.split("```").next()).expect("example");
    let file = temp_dir("readme").join("example.ron");
    std::fs::write(&file, example).unwrap();
    let output = upstwin(&["run", file.to_str().unwrap()]);
    assert!(output.status.success(), "{}\n{}", text(&output.stdout), text(&output.stderr));
    assert!(text(&output.stdout).contains("1 passed"), "{}", text(&output.stdout));
}

#[test]
fn faults_wire_lists_the_wire_fault_catalogue() {
    let output = upstwin(&["faults", "--wire"]);
    let stdout = text(&output.stdout);
    assert!(output.status.success());
    for name in ["no_response", "corrupt_crc", "garbage_burst", "intermittent_loss"] {
        assert!(stdout.lines().any(|l| l.starts_with(name)), "`{name}` missing:\n{stdout}");
    }
}

fn from_logs(dir: &Path, events: &Path) -> Output {
    let history = repo("tests/logs/netvision-history.csv");
    let output = dir.join("replay.ron");
    upstwin(&[
        "scenario",
        "from-logs",
        "--history",
        history.to_str().unwrap(),
        "--events",
        events.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ])
}

#[test]
fn field_logs_become_a_scenario_that_replays_them() {
    let dir = temp_dir("from-logs");
    let output = from_logs(&dir, &repo("tests/logs/netvision-events.csv"));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("(21 samples, 5 events checked, 1 not checked)"),
        "{}",
        text(&output.stdout)
    );
    let scenario = std::fs::read_to_string(dir.join("replay.ron")).unwrap();
    assert!(scenario.contains("// not checked (no counterpart in the twin): 0s UPS connected"), "{scenario}");
    assert!(scenario.contains("MainsProfile(\"replay.mains.csv\")"), "{scenario}");
    let mains = std::fs::read_to_string(dir.join("replay.mains.csv")).unwrap();
    assert!(mains.lines().any(|l| l == "300,0.0,0.0,0.0,0.00"), "the outage is in the mains:\n{mains}");
    let run = upstwin(&["run", dir.join("replay.ron").to_str().unwrap()]);
    assert!(run.status.success(), "{}\n{}", text(&run.stdout), text(&run.stderr));
    assert!(text(&run.stdout).contains("1 passed"), "{}", text(&run.stdout));
}

#[test]
fn a_field_log_the_twin_contradicts_fails_the_replay() {
    let dir = temp_dir("from-logs-wrong");
    let events = dir.join("events.csv");
    std::fs::write(
        &events,
        "Event Time,Event Level,Event Description\n14/03/2026 09:15:00,Warning,Operating on Battery\n",
    )
    .unwrap();
    let output = from_logs(&dir, &events);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let run = upstwin(&["run", dir.join("replay.ron").to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stdout));
    assert!(
        text(&run.stderr).contains("Operating on Battery at 900s (Warning): never held in its window"),
        "{}",
        text(&run.stderr)
    );
}

#[test]
fn bad_field_logs_give_located_errors() {
    let dir = temp_dir("from-logs-bad");
    let events = dir.join("events.csv");
    std::fs::write(
        &events,
        "Event Time,Event Level,Event Description\n2026-03-14 09:15,Warning,Operating on Battery\n",
    )
    .unwrap();
    let output = from_logs(&dir, &events);
    assert_eq!(output.status.code(), Some(2));
    let wanted =
        format!("{}:2:1: expected a time `dd/mm/yyyy hh:mm:ss`, found `2026-03-14 09:15`", events.display());
    assert!(text(&output.stderr).contains(&wanted), "{}", text(&output.stderr));

    std::fs::write(&events, "Time,Description\n").unwrap();
    let output = from_logs(&dir, &events);
    assert!(
        text(&output.stderr).contains(":1:1: expected a column `event time` in the header"),
        "{}",
        text(&output.stderr)
    );

    std::fs::write(
        &events,
        "Event Time,Event Level,Event Description\n14/03/2026 09:00:00,Information,UPS connected\n",
    )
    .unwrap();
    let output = from_logs(&dir, &events);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("no event can be checked against the twin"),
        "{}",
        text(&output.stderr)
    );
}
