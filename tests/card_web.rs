//! The card's web pages in a real browser: headless Debian Chromium driven by Playwright
//! (`tests/web/*.mjs`, playwright-core from npm) against `upstwin card` polling a twin.
//! Screenshots go to `$UPSTWIN_ARTIFACTS/web` (scripts/test sets it), else under cargo's
//! target directory.

mod common;

use common::{Card, Served, peer};
use std::path::{Path, PathBuf};
use std::process::Command;

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/web")
}

/// Node, Chromium and playwright-core (`npm ci --prefix tests/web`) are there.
fn browser_ready() -> bool {
    if !(peer("/usr/bin/node", "nodejs") && peer("/usr/bin/chromium", "chromium")) {
        return false;
    }
    if web_dir().join("node_modules/playwright-core").exists() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("playwright-core is missing: run `npm ci --prefix tests/web` (scripts/test does)");
    }
    eprintln!(
        "SKIPPED: playwright-core is not installed; `npm ci --prefix tests/web` (scripts/test does it)"
    );
    false
}

fn shots(name: &str) -> PathBuf {
    let root = std::env::var_os("UPSTWIN_ARTIFACTS")
        .map_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("artifacts"), PathBuf::from);
    root.join("web").join(name)
}

/// `upstwin card` on the twin's Modbus TCP port with `settings`; with `password`, the
/// administrator's password is provisioned, else the first one (the MAC's) stands. Its
/// `http` and `https` are base URLs.
fn card(served: &Served, name: &str, settings: &str, password: bool) -> Card {
    let card = Card::launch(served, &format!("web-{name}"), settings, &[], password);
    Card { http: format!("http://{}", card.http), https: format!("https://{}", card.https), ..card }
}

/// Runs `tests/web/{script}` with `vars`; prints what it checked; true if all passed. The
/// pages are browsed over HTTPS (HTTP redirects there), whose certificate the card made
/// itself: the script's own requests take it as the browser does.
fn browser(script: &str, vars: &[(&str, &str)]) -> bool {
    let output = Command::new("node")
        .arg(web_dir().join(script))
        .env("NODE_TLS_REJECT_UNAUTHORIZED", "0")
        .envs(vars.iter().copied())
        .output()
        .expect("node runs");
    println!("{}", String::from_utf8_lossy(&output.stdout));
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    output.status.success()
}

#[test]
fn first_login_password_change_one_session_and_the_timeout() {
    if !browser_ready() {
        return;
    }
    let served = Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0"]);
    let settings = "CardConfig(synchronize_ups_clock: false, login_timeout_s: 8)";
    let card = card(&served, "login", settings, false);
    let (url, state) = (card.https.clone(), card.state.clone());
    let mac = std::fs::read_to_string(state.join("mac-address")).expect("the card's MAC");
    let first = card::web::identity::first_password(mac.trim());
    let shots = shots("login");
    let vars = [
        ("CARD", url.as_str()),
        ("FIRST_PASSWORD", &first),
        ("LOGIN_TIMEOUT_S", "8"),
        ("SHOTS", shots.to_str().unwrap()),
    ];
    assert!(browser("login.mjs", &vars), "browser checks failed (see above)");
}

#[test]
fn the_synoptic_follows_a_blackout_and_rights_and_csrf_hold() {
    if !browser_ready() {
        return;
    }
    let served =
        Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"]);
    let card = card(&served, "live", "CardConfig(synchronize_ups_clock: false)", true);
    let url = card.https.clone();
    let shots = shots("live");
    let vars = [
        ("CARD", url.as_str()),
        ("TWIN", served.field("control")),
        ("ADMIN_PASSWORD", common::ADMIN_PASSWORD),
        ("SHOTS", shots.to_str().unwrap()),
    ];
    assert!(browser("live.mjs", &vars), "browser checks failed (see above)");
}

#[test]
fn the_logs_chart_and_download_and_a_bad_restore_changes_nothing() {
    if !browser_ready() {
        return;
    }
    let served = Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0"]);
    let settings =
        "CardConfig(synchronize_ups_clock: false, history_interval_s: 1.0, extended_interval_min: 0.05)";
    let card = card(&served, "logs", settings, true);
    let url = card.https.clone();
    let shots = shots("logs");
    let vars = [
        ("CARD", url.as_str()),
        ("ADMIN_PASSWORD", common::ADMIN_PASSWORD),
        ("SHOTS", shots.to_str().unwrap()),
    ];
    assert!(browser("logs.mjs", &vars), "browser checks failed (see above)");
}

#[test]
fn the_management_pages_forms_https_and_read_only_rights() {
    if !browser_ready() {
        return;
    }
    let served = Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0"]);
    let card = card(&served, "manage", "CardConfig(synchronize_ups_clock: false)", true);
    let new_pem = card.state.join("uploaded.pem");
    let pem = card::web::https::self_signed(vec!["uploaded.example".into(), "127.0.0.1".into()]).unwrap();
    std::fs::write(&new_pem, pem).unwrap();
    let shots = shots("manage");
    let vars = [
        ("CARD", card.https.as_str()),
        ("CARD_HTTP", card.http.as_str()),
        ("NEW_PEM", new_pem.to_str().unwrap()),
        ("ADMIN_PASSWORD", common::ADMIN_PASSWORD),
        ("SHOTS", shots.to_str().unwrap()),
    ];
    assert!(browser("manage.mjs", &vars), "browser checks failed (see above)");
}

#[test]
fn the_tree_view_the_system_synoptic_and_the_unit_and_module_tables() {
    if !browser_ready() {
        return;
    }
    let settings = "CardConfig(synchronize_ups_clock: false)";
    let parallel =
        Served::start(&["--model", "delphys-mx-system", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"]);
    let parallel_card = card(&parallel, "system", settings, true);
    let modular =
        Served::start(&["--model", "modulys-gp2-100", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"]);
    let modular_card = card(&modular, "modular", settings, true);
    let shots = shots("topology");
    let vars = [
        ("CARD_PARALLEL", parallel_card.https.as_str()),
        ("TWIN_PARALLEL", parallel.field("control")),
        ("CARD_MODULAR", modular_card.https.as_str()),
        ("TWIN_MODULAR", modular.field("control")),
        ("ADMIN_PASSWORD", common::ADMIN_PASSWORD),
        ("SHOTS", shots.to_str().unwrap()),
    ];
    assert!(browser("topology.mjs", &vars), "browser checks failed (see above)");
}
