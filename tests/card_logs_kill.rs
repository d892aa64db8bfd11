//! The card's logs survive `kill -9`: the card is killed 50 times at moments spread over
//! its start-up and polling while it writes a history record every poll; after each kill
//! every log still parses (header, columns, whole records), at most the record being
//! written is missing, and nothing written before is lost.

mod common;

use common::Served;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const LOGS: [&str; 4] = ["history", "extended", "ups-events", "card-events"];

/// The complete records of a log file; panics when the file does not parse.
fn records(path: &Path) -> usize {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = String::from_utf8(bytes).expect("UTF-8");
    let mut lines = text.split_inclusive('\n');
    let header = lines.next().expect("a header line");
    assert!(
        header.starts_with("# upstwin-card log ") && header.ends_with('\n'),
        "{}: header {header:?}",
        path.display()
    );
    let columns = lines.next().expect("a column line");
    let width = columns.split(',').count();
    let mut complete = 0;
    let mut torn = 0;
    for line in lines {
        if !line.ends_with('\n') {
            torn += 1;
            continue;
        }
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
        let record = reader.records().next().expect("a record").expect("the record parses");
        assert_eq!(record.len(), width, "{}: {line:?}", path.display());
        complete += 1;
    }
    assert!(torn <= 1, "{}: {torn} torn lines", path.display());
    complete
}

#[test]
fn logs_survive_fifty_kills() {
    let served = Served::start(&["--model", "itys-2k", "--tcp", "127.0.0.1:0"]);
    let state = std::env::temp_dir().join(format!("upstwin-card-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    let mut before = [0usize; 4];
    for round in 0..50u64 {
        let mut card = Command::new(env!("CARGO_BIN_EXE_upstwin"))
            .args(["card", "--tcp", served.field("tcp"), "--http", "127.0.0.1:0", "--https", "127.0.0.1:0"])
            .args([
                "--polling-s",
                "0.02",
                "--lost-after-s",
                "1",
                "--history-s",
                "0.02",
                "--extended-s",
                "0.1",
            ])
            .arg("--state-dir")
            .arg(&state)
            .stdout(Stdio::null())
            .spawn()
            .expect("upstwin card starts");
        // Moments from 30 ms to 400 ms after the start, spread over the rounds.
        std::thread::sleep(Duration::from_millis(30 + (round * 137) % 370));
        card.kill().expect("SIGKILL");
        let _ = card.wait();
        let mut now = [0usize; 4];
        for (i, log) in LOGS.iter().enumerate() {
            let path = state.join(format!("{log}.csv"));
            if path.exists() {
                now[i] = records(&path);
            }
            assert!(
                now[i] >= before[i],
                "round {round}: {log} went from {} to {} records",
                before[i],
                now[i]
            );
        }
        before = now;
    }
    println!("after 50 kills: {LOGS:?} hold {before:?} records");
    assert!(before[0] >= 50, "history records were written: {before:?}");
    // The earliest kills come before the card has opened its logs.
    assert!(before[3] >= 25, "most starts wrote their Cold boot: {before:?}");
}
