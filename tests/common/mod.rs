//! What the end-to-end tests with real peers share: starting `upstwin serve` and waiting
//! for its `ready` line, asking its control API, and finding the peers' binaries.

#![allow(dead_code)] // each test file uses its own part

pub mod mbpoll;
pub mod modbus;
pub mod openapi;
pub mod ports;
pub mod snmp;
pub mod truth;

use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running `upstwin serve`, stopped with SIGINT when dropped.
pub struct Served {
    child: Child,
    pub fields: HashMap<String, String>,
}

impl Served {
    pub fn start(args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_upstwin"))
            .arg("serve")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("upstwin serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("ready line");
        assert!(line.starts_with("ready "), "expected the ready line, got `{line}`");
        let fields = line[6..]
            .split_whitespace()
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Served { child, fields }
    }

    pub fn field(&self, key: &str) -> &str {
        self.fields.get(key).map(String::as_str).unwrap_or_else(|| panic!("no `{key}` in the ready line"))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn get(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.field("control"));
        ureq::get(&url).call().unwrap_or_else(|e| panic!("{url}: {e}")).body_mut().read_json().unwrap()
    }

    pub fn post(&self, path: &str, body: Value) {
        let url = format!("{}{path}", self.field("control"));
        ureq::post(&url).send_json(body).unwrap_or_else(|e| panic!("{url}: {e}"));
    }

    pub fn delete(&self, path: &str) {
        let url = format!("{}{path}", self.field("control"));
        ureq::delete(&url).call().unwrap_or_else(|e| panic!("{url}: {e}"));
    }

    /// The register image now, through the control API.
    pub fn registers(&self, address: u16, count: u16) -> Vec<u16> {
        let words = self.get(&format!("/api/registers?address={address}&count={count}"));
        words["words"].as_array().unwrap().iter().map(|w| w.as_u64().unwrap() as u16).collect()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

/// Whether a peer's binary is installed. Under CI (`CI=true`) a missing peer fails the test
/// loudly — `.ci/run` installs them; elsewhere the test says it is skipped.
pub fn peer(binary: &str, package: &str) -> bool {
    if Path::new(binary).exists() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{binary} is missing: install the Debian package `{package}` (.ci/run does)");
    }
    eprintln!("SKIPPED: {binary} is not installed (Debian package `{package}`); scripts/test installs it");
    false
}

/// Polls `check` every 100 ms for up to `seconds`.
pub fn eventually(seconds: f64, mut check: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs_f64(seconds);
    while std::time::Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    false
}

/// A child process killed when dropped, so a failing test leaves nothing running.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The administrator's password the tests give their cards (`--admin-password-file`), and
/// the HTTP Basic credentials their API calls carry.
pub const ADMIN_PASSWORD: &str = "Upstwin#Test1";
pub const ADMIN_BASIC: &str = "Basic YWRtaW46VXBzdHdpbiNUZXN0MQ==";

/// A file holding `ADMIN_PASSWORD`, for `upstwin card --admin-password-file`.
pub fn admin_password_file() -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("upstwin-admin-password-{}", std::process::id()));
    std::fs::write(&path, format!("{ADMIN_PASSWORD}\n")).expect("the password file");
    path
}

/// `request` with the administrator's credentials.
pub fn admin<B>(request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
    request.header("Authorization", ADMIN_BASIC)
}

/// `upstwin card` polling `served` over Modbus TCP with `config` as its settings file and
/// `args` added; stopped when dropped.
pub struct Card {
    pub _process: KillOnDrop,
    /// `127.0.0.1:PORT` of its API.
    pub http: String,
    /// `127.0.0.1:PORT` of its HTTPS pages.
    pub https: String,
    pub state: std::path::PathBuf,
    /// Its first line: `ready: … API http://…`.
    pub ready: String,
}

impl Card {
    /// The card with the administrator's password provisioned (`ADMIN_PASSWORD`).
    pub fn start(served: &Served, name: &str, config: &str, args: &[&str]) -> Card {
        Card::launch(served, name, config, args, true)
    }

    /// The card; without `provision`, the administrator's first password (the MAC's) stands.
    pub fn launch(served: &Served, name: &str, config: &str, args: &[&str], provision: bool) -> Card {
        let state = std::env::temp_dir().join(format!("upstwin-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&state);
        std::fs::create_dir_all(&state).unwrap();
        std::fs::write(state.join("card.ron"), config).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_upstwin"));
        command.args([
            "card",
            "--tcp",
            served.field("tcp"),
            "--http",
            "127.0.0.1:0",
            "--https",
            "127.0.0.1:0",
            "--polling-s",
            "0.2",
        ]);
        if provision {
            command.arg("--admin-password-file").arg(admin_password_file());
        }
        let mut card = (command.args(args).arg("--state-dir").arg(&state).stdout(Stdio::piped()))
            .spawn()
            .expect("upstwin card starts");
        let stdout = card.stdout.take().unwrap();
        let process = KillOnDrop(card);
        let mut ready = String::new();
        BufReader::new(stdout).read_line(&mut ready).unwrap();
        println!("{ready}");
        let after = |marker: &str| {
            let address = ready.split(marker).nth(1).and_then(|r| r.split('/').next());
            address.unwrap_or_else(|| panic!("{marker} in {ready}")).to_string()
        };
        let (http, https) = (after("API http://"), after("HTTPS https://"));
        Card { _process: process, http, https, state, ready }
    }

    /// Where its SNMP agent answers, from its ready line (`SNMP 127.0.0.1:PORT`).
    pub fn snmp(&self) -> String {
        let after = self.ready.split("SNMP ").nth(1).and_then(|r| r.split([',', ' ']).next());
        after.unwrap_or_else(|| panic!("SNMP in {}", self.ready)).to_string()
    }

    /// GET a path of its API: (status, body).
    pub fn get(&self, path: &str) -> (u16, String) {
        self.call("GET", path, "")
    }

    /// A request that may be refused: (status, body).
    pub fn call(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        let url = format!("http://{}{path}", self.http);
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
        let response = match method {
            "GET" => admin(agent.get(&url)).call(),
            "PUT" => admin(agent.put(&url)).send(body),
            "PATCH" => admin(agent.patch(&url)).send(body),
            _ => admin(agent.post(&url)).send(body),
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        (response.status().as_u16(), response.body_mut().read_to_string().unwrap_or_default())
    }
}
