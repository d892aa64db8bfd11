//! The card's files survive `kill -9`, checked by content.
//!
//! - Logs: the card is killed 40 times at moments spread over its start-up (which rewrites
//!   each log whole: a history of 4000 records is cut to the 2048 the card keeps) and its
//!   polling (a history record every 20 ms). After each kill every log parses (header,
//!   columns, whole records, at most one torn line at the end), and the records before the
//!   kill are all there — the newest 2048 of them, byte for byte, in order, at the start of
//!   the file. At most the record being written is lost: the torn line.
//! - Settings and accounts: the card is killed while changes are sent to it as fast as it
//!   takes them, each one rewriting `card.ron` or `accounts.ron`; after each kill the file
//!   parses as the last change taken or the one being taken, never a mix.
//!
//! What a kill cannot prove: that the data reached the disk. After `kill -9` the kernel
//! still writes the page cache; only a power cut loses what was not fsynced. The card
//! fsyncs every batch of log lines, and writes a whole file as a temporary file, fsynced,
//! renamed over the old one, then fsyncs the directory (`card-under-test/src/durable.rs`):
//! so after a power cut a file is the old one or the new one, and a log loses at most the
//! batch not yet fsynced. This test proves the order of those steps, not the disk.

mod common;

use common::{ADMIN_BASIC, Served, admin_password_file};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const LOGS: [&str; 4] = ["history", "extended", "ups-events", "card-events"];
/// Records a log keeps (NET VISION: "Up to 2048 records").
const CAPACITY: usize = 2048;

/// The complete records of a log file, as lines; panics when the file does not parse.
fn records(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = String::from_utf8(bytes).expect("UTF-8");
    let mut lines = text.split_inclusive('\n');
    let header = lines.next().expect("a header line");
    assert!(
        header.starts_with("# upstwin-card log ") && header.ends_with('\n'),
        "{}: header {header:?}",
        path.display()
    );
    let width = lines.next().expect("a column line").split(',').count();
    let mut complete = Vec::new();
    let mut torn = 0;
    for line in lines {
        if !line.ends_with('\n') {
            torn += 1;
            continue;
        }
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
        let record = reader.records().next().expect("a record").expect("the record parses");
        assert_eq!(record.len(), width, "{}: {line:?}", path.display());
        complete.push(line.to_owned());
    }
    assert!(torn <= 1, "{}: {torn} torn lines", path.display());
    complete
}

/// Whether `new` keeps every record of `old` the card keeps: the newest of them (all, or
/// its capacity) begin `new`, byte for byte, in order.
fn kept(old: &[String], new: &[String]) -> bool {
    let keep = old.len().min(CAPACITY);
    (0..=old.len() - keep).any(|skip| new.starts_with(&old[skip..]))
}

fn card(served: &Served, state: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args(["card", "--tcp", served.field("tcp"), "--http", "127.0.0.1:0", "--https", "127.0.0.1:0"])
        .args(args)
        .arg("--state-dir")
        .arg(state)
        .stdout(Stdio::piped())
        .spawn()
        .expect("upstwin card starts")
}

fn state_dir(name: &str) -> PathBuf {
    let state = std::env::temp_dir().join(format!("upstwin-card-kill-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    std::fs::create_dir_all(&state).unwrap();
    state
}

fn kill(mut card: Child) {
    card.kill().expect("SIGKILL");
    let _ = card.wait();
}

#[test]
fn logs_keep_every_record_through_forty_kills() {
    let served = Served::start(&["--model", "itys-2k", "--tcp", "127.0.0.1:0"]);
    let state = state_dir("logs");
    let fast = ["--polling-s", "0.02", "--lost-after-s", "1", "--history-s", "0.02", "--extended-s", "0.1"];
    // A first start makes the files; then the history is grown past the capacity, so that
    // the next start cuts it, rewriting the file whole, while it may be killed.
    let first = card(&served, &state, &fast);
    let history = state.join("history.csv");
    assert!(common::eventually(30.0, || history.exists() && !records(&history).is_empty()), "a history");
    kill(first);
    let text = std::fs::read_to_string(&history).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let sample = lines.pop().expect("a record").to_owned();
    let mut grown: String = lines.iter().map(|l| format!("{l}\n")).collect();
    for n in 0..4000 {
        let (_, values) = sample.split_once(',').expect("Time, values");
        grown.push_str(&format!("seeded-{n:04},{values}\n"));
    }
    std::fs::write(&history, grown).unwrap();

    let mut before: Vec<Vec<String>> =
        LOGS.iter().map(|log| records(&state.join(format!("{log}.csv")))).collect();
    for round in 0..40u64 {
        let running = card(&served, &state, &fast);
        // Moments from 30 ms to 1.5 s after the start, spread over the rounds: before the
        // logs are opened, while the 4000-record history is read and cut (about 0.6 s in a
        // debug build), and while records are appended.
        std::thread::sleep(Duration::from_millis(30 + (round * 137) % 1470));
        kill(running);
        for (i, log) in LOGS.iter().enumerate() {
            let now = records(&state.join(format!("{log}.csv")));
            assert!(
                kept(&before[i], &now),
                "round {round}: {log} lost records: {} before, {} now; last before {:?}",
                before[i].len(),
                now.len(),
                before[i].last()
            );
            before[i] = now;
        }
    }
    let counts: Vec<usize> = before.iter().map(Vec::len).collect();
    println!("after 40 kills: {LOGS:?} hold {counts:?} records");
    assert!(before[0].len() > CAPACITY, "the history was cut to the capacity, then grew: {counts:?}");
    assert!(!before[0].iter().any(|r| r.starts_with("seeded-0000,")), "the oldest seeded records were cut");
    assert!(before[3].len() >= 20, "most starts wrote their Cold boot: {counts:?}");
}

/// Sends `request` (method, path, body) to the card at `http` until it is killed; the
/// bodies it took (2xx).
fn hammer(
    http: String,
    requests: impl Fn(u32) -> (&'static str, String, String) + Send + 'static,
) -> std::thread::JoinHandle<Vec<String>> {
    std::thread::spawn(move || {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // Only a stall ends a request this way; the kill ends it at once.
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .new_agent();
        let mut taken = Vec::new();
        for n in 0.. {
            let (method, path, body) = requests(n);
            let url = format!("http://{http}{path}");
            let request = match method {
                "PATCH" => agent.patch(&url).header("Authorization", ADMIN_BASIC).send(&body),
                _ => agent.put(&url).header("Authorization", ADMIN_BASIC).send(&body),
            };
            match request {
                Ok(response) if response.status().is_success() => taken.push(body),
                Ok(_) => {}
                Err(_) => return taken,
            }
        }
        taken
    })
}

/// The card's API address from its ready line.
fn api_of(card: &mut Child) -> String {
    let mut ready = String::new();
    BufReader::new(card.stdout.take().unwrap()).read_line(&mut ready).unwrap();
    let address = ready.split("API http://").nth(1).and_then(|r| r.split('/').next());
    address.unwrap_or_else(|| panic!("API in {ready}")).to_owned()
}

#[test]
fn settings_and_accounts_are_the_old_or_the_new_after_a_kill_while_rewritten() {
    let served = Served::start(&["--model", "itys-2k", "--tcp", "127.0.0.1:0"]);
    let state = state_dir("files");
    let password = admin_password_file();
    let mut names_taken = vec!["NET VISION".to_owned()];
    let mut levels_seen = 0;
    for round in 0..12u32 {
        let mut running = card(&served, &state, &["--admin-password-file", password.to_str().unwrap()]);
        let http = api_of(&mut running);
        let settings = hammer(http.clone(), move |n| {
            ("PATCH", "/api/config".into(), format!(r#"{{"/system_name": "round {round} change {n}"}}"#))
        });
        let users = hammer(http, move |n| {
            let level = if n % 2 == 0 { "ReadOnly" } else { "ReadWrite" };
            let body = if round == 0 && n == 0 {
                r#"{"level": "ReadOnly", "password": "Operator#2026", "must_change": false}"#.to_owned()
            } else {
                format!(r#"{{"level": "{level}"}}"#)
            };
            ("PUT", "/api/users/operator".into(), body)
        });
        std::thread::sleep(Duration::from_millis(150 + u64::from(round) * 53 % 400));
        kill(running);
        let taken = settings.join().unwrap();
        levels_seen += users.join().unwrap().len();
        names_taken.extend(taken.iter().map(|body| body.split('"').nth(3).unwrap().to_owned()));
        // The settings file parses, and holds a name that was sent: the last taken, or the
        // one being taken when the card was killed.
        let text = std::fs::read_to_string(state.join("card.ron")).unwrap();
        let config =
            card::config::Config::parse(&text).unwrap_or_else(|e| panic!("round {round}: card.ron: {e:?}"));
        let next = format!("round {round} change {}", taken.len());
        assert!(
            names_taken.contains(&config.system_name) || config.system_name == next,
            "round {round}: card.ron holds {:?}",
            config.system_name
        );
        let accounts = std::fs::read_to_string(state.join("accounts.ron")).unwrap();
        assert!(
            ron::from_str::<ron::Value>(&accounts).is_ok(),
            "round {round}: accounts.ron parses:\n{accounts}"
        );
    }
    println!(
        "{} settings changes and {levels_seen} account changes taken over 12 kills",
        names_taken.len() - 1
    );
    assert!(names_taken.len() > 12 && levels_seen > 12, "changes were made while the card was killed");
}
