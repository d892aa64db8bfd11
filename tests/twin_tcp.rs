//! The twin's Modbus TCP service under clients that misbehave: it survives running out of
//! file descriptors (the limit lowered on the child with `prlimit`), closes silent
//! connections, and makes room for a newcomer by closing the connection silent longest.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// FC03, 0x1000 × 1, transaction 7, unit 1.
const READ_IDENTIFICATION: [u8; 12] = [0, 7, 0, 0, 0, 6, 1, 3, 0x10, 0x00, 0, 1];
/// Far above the limits under test: a loaded machine is not a failure.
const GENEROUS: Duration = Duration::from_secs(30);

/// `upstwin serve --tcp 127.0.0.1:0` with `args`; its TCP address and its stderr lines.
struct Twin {
    child: Child,
    tcp: String,
    stderr: mpsc::Receiver<String>,
}

impl Twin {
    fn start(args: &[&str]) -> Twin {
        let mut child = Command::new(env!("CARGO_BIN_EXE_upstwin"))
            .args(["serve", "--model", "masterys-gp-60", "--tcp", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("upstwin serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("ready line");
        let tcp = line.split_whitespace().find_map(|kv| kv.strip_prefix("tcp=")).expect("tcp=").to_owned();
        let (send, stderr) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                eprintln!("twin: {line}");
                let _ = send.send(line);
            }
        });
        Twin { child, tcp, stderr }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.tcp).expect("connects");
        stream.set_read_timeout(Some(GENEROUS)).unwrap();
        stream
    }

    /// Whether a request on a new connection is answered.
    fn answers(&self) -> bool {
        let mut stream = self.connect();
        if stream.write_all(&READ_IDENTIFICATION).is_err() {
            return false;
        }
        let mut reply = [0u8; 11];
        stream.read_exact(&mut reply).is_ok() && reply[..2] == [0, 7] && reply[7] == 3
    }

    fn open_descriptors(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id())).unwrap().count()
    }
}

impl Drop for Twin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the server closed `stream` (end of file), waiting at most `GENEROUS`.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    matches!(stream.read(&mut byte), Ok(0))
}

#[test]
fn out_of_file_descriptors_the_service_waits_and_serves_again_once_they_are_free() {
    if !common::peer("/usr/bin/prlimit", "util-linux") {
        return;
    }
    let twin = Twin::start(&[]);
    assert!(twin.answers(), "served before");
    let limit = twin.open_descriptors() + 2;
    let status = Command::new("prlimit")
        .args([format!("--pid={}", twin.child.id()), format!("--nofile={limit}:{limit}")])
        .status()
        .expect("prlimit runs");
    assert!(status.success(), "prlimit lowered the limit to {limit}");
    // More connections than descriptors left: the rest wait in the listen queue, and the
    // twin's accept fails (EMFILE).
    let hogs: Vec<TcpStream> = (0..8).map(|_| twin.connect()).collect();
    let said = twin.stderr.recv_timeout(GENEROUS).expect("the twin says it cannot accept");
    assert!(said.contains("cannot accept"), "{said}");
    drop(hogs);
    assert!(twin.answers(), "served again once the descriptors are free");
}

#[test]
fn a_silent_connection_is_closed_after_the_idle_time() {
    let twin = Twin::start(&["--tcp-idle-s", "1"]);
    let mut silent = twin.connect();
    assert!(closed_by_server(&mut silent), "closed by the twin, not by the test's timeout");
    assert!(twin.answers(), "others still served");
}

#[test]
fn a_newcomer_beyond_the_limit_closes_the_connection_silent_longest() {
    let twin = Twin::start(&["--tcp-max-clients", "2", "--tcp-idle-s", "0"]);
    let mut first = twin.connect();
    let _second = twin.connect();
    // Both silent for more than the second a connection is given before it may be closed.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(twin.answers(), "the newcomer is served");
    assert!(closed_by_server(&mut first), "the connection silent longest made room");
}
