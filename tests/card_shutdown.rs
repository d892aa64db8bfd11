//! Shutdown management (§16.8) with real `upstwin agent` processes: the long-blackout
//! library scenario against the card as an exec card with two dry-run agents on its
//! "servers"; the shutdown test procedure; a server fed by two UPSs whose agent acts only
//! when both cards ask; an agent with the wrong secret refused.

mod common;

use common::ports::RefusingPort;
use common::{Card, KillOnDrop, Served, eventually};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The shared secret of these tests.
const SECRET: &str = "correct-horse-battery-staple";

/// `(seconds since the Unix epoch, text)` of an agent log line `2026-…Z text`.
fn stamped(line: &str) -> Option<(i64, &str)> {
    let (stamp, text) = line.split_once(' ')?;
    let at = time::OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339).ok()?;
    Some((at.unix_timestamp(), text))
}

/// The exec card of the scenario: our card with the library's shutdown settings (the
/// agents' address and secret, the Wake-on-LAN observer filled in by the runner), and the
/// two servers it protects, each running a dry-run agent.
fn card_with_two_servers(dir: &Path) -> PathBuf {
    let mut config = card::config::Config::load(&repo("scenarios/cards/shutdown.ron")).unwrap();
    config.shutdown.agents = card::config::AgentsListener {
        enabled: true,
        port: card::config::DEFAULT_AGENTS_PORT,
        secret: "@SECRET@-to-fill-in".into(),
    };
    config.wake_on_lan.broadcast = "127.0.0.1:9".parse().unwrap();
    let template = dir.join("card.ron.in");
    config.save(&template).unwrap();
    let script = dir.join("card-and-servers");
    std::fs::write(
        &script,
        format!(
            r#"#!/bin/sh
set -eu
state="$UPSTWIN_DIR/card"
mkdir -p "$state"
sed -e "s|@SECRET@-to-fill-in|$UPSTWIN_AGENT_SECRET|" -e "s|127.0.0.1:9\"|$UPSTWIN_WOL_UDP\"|" {template} > "$state/card.ron"
for server in web-1 web-2; do
    "$UPSTWIN_BIN" agent --card "$UPSTWIN_CARD_AGENTS" --name "$server" --dry-run > "$UPSTWIN_DIR/agent-$server.log" 2>&1 &
done
exec "$UPSTWIN_BIN" card --tcp "$UPSTWIN_TCP" --http "$UPSTWIN_CARD_HTTP" --https "$UPSTWIN_CARD_HTTPS" \
    --agents "$UPSTWIN_CARD_AGENTS" --polling-s 0.5 --state-dir "$state"
"#,
            template = template.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    script
}

#[test]
fn two_dry_run_agents_follow_the_long_blackout_scenario() {
    let out = tempfile::tempdir().unwrap();
    let script = card_with_two_servers(out.path());
    let output = Command::new(env!("CARGO_BIN_EXE_upstwin"))
        .args(["run", repo("scenarios/library/25-card-shutdown.ron").to_str().unwrap()])
        .args(["--card", &format!("exec:{}", script.display())])
        .args(["--out", out.path().to_str().unwrap()])
        .env("UPSTWIN_BIN", env!("CARGO_BIN_EXE_upstwin"))
        .output()
        .expect("upstwin runs");
    let dir = out.path().join("25-card-shutdown");
    let read = |file: &str| std::fs::read_to_string(dir.join(file)).unwrap_or_default();
    let timeline = read("timeline.txt");
    for file in ["agent-web-1.log", "agent-web-2.log", "shutdown-agent.log", "wake-on-lan.log", "card.log"] {
        println!("== {file}\n{}", read(file));
    }
    println!("== timeline.txt\n{timeline}");
    assert!(output.status.success(), "{}\n{timeline}", String::from_utf8_lossy(&output.stdout));
    for server in ["web-1", "web-2"] {
        let log = read(&format!("agent-{server}.log"));
        // What each message says, in the order the agent heard them. Their timing (10 s
        // after the blackout, then every 20 s, the shutdown at the minute) is the library
        // scenario's, checked in virtual time with the reference card (tests/scenarios.rs),
        // not on the wall clock of a loaded machine.
        let lines: Vec<&str> = log.lines().filter_map(stamped).map(|(_, text)| text).collect();
        let at = |text: &str| lines.iter().position(|l| l.contains(text));
        assert!(at(", client ").is_some(), "{server} registered with the card:\n{log}");
        let warnings: Vec<usize> = (0..lines.len())
            .filter(|i| lines[*i].contains(": warning: UPS on battery (AC Failed)"))
            .collect();
        assert_eq!(warnings.len(), 3, "warnings 10, 30 and 50 s after the blackout:\n{log}");
        for (i, left) in warnings.iter().zip(["shutdown in 50 s", "shutdown in 30 s", "shutdown in 10 s"]) {
            assert!(lines[*i].contains(left), "`{left}` in `{}`:\n{log}", lines[*i]);
        }
        let shutdown =
            at(": shutdown: UPS on battery (AC Failed)").unwrap_or_else(|| panic!("{server}:\n{log}"));
        assert!(shutdown > warnings[2], "the shutdown after the last warning:\n{log}");
        assert!(at("SHUTDOWN (UPS on battery (AC Failed), asked by ").is_some(), "{log}");
        assert!(log.contains("dry run, would shut this server down"), "{log}");
        let cancel = at(": cancel: UPS on battery (AC Failed)").unwrap_or_else(|| panic!("{server}:\n{log}"));
        assert!(cancel > shutdown, "{log}");
    }
    let events = read("card/card-events.csv");
    for expected in [
        "Send shutdown warning to clients",
        "Send shutdown request to clients",
        "Send UPS shutdown command to UPS via Shutdown Management by NET VISION",
        "Send shutdown cancel to clients",
        "Wake On LAN packet sent to clients",
    ] {
        assert!(events.contains(expected), "{expected}:\n{events}");
    }
    assert!(events.contains("Shutdown client web-1 (127.0.0.1) connected"), "{events}");
    assert!(read("wake-on-lan.log").contains("magic packet for 00:11:22:33:44:55"));
}

/// When the card's events log (`GET /api/logs/card-events`) first has a record containing
/// `text`: Unix seconds of its `dd/mm/yyyy hh:mm:ss` stamp.
fn event_time_s(events: &str, text: &str) -> Option<i64> {
    let events: serde_json::Value = serde_json::from_str(events).ok()?;
    let record =
        events["records"].as_array()?.iter().find(|r| r[2].as_str().is_some_and(|d| d.contains(text)))?;
    let numbers: Vec<i64> =
        record[0].as_str()?.split([' ', '/', ':']).filter_map(|n| n.parse().ok()).collect();
    let [day, month, year, hour, minute, second] = numbers.as_slice() else { return None };
    let month = time::Month::try_from(u8::try_from(*month).ok()?).ok()?;
    let date =
        time::Date::from_calendar_date(i32::try_from(*year).ok()?, month, u8::try_from(*day).ok()?).ok()?;
    let seconds = hour * 3600 + minute * 60 + second;
    Some(date.midnight().assume_utc().unix_timestamp() + seconds)
}

/// `upstwin agent` with `args`, its log in `log`; stopped when dropped.
fn agent(args: &[&str], log: &Path, secret: &str) -> KillOnDrop {
    let file = std::fs::File::create(log).unwrap();
    KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_upstwin"))
            .arg("agent")
            .args(args)
            .env("UPSTWIN_AGENT_SECRET", secret)
            .stdout(Stdio::from(file))
            .spawn()
            .expect("upstwin agent starts"),
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Card settings: agents accepted with the secret, the AC fail shutting down at once.
fn settings() -> String {
    format!(
        r#"CardConfig(shutdown: (
            ups_shut_off: true,
            events: [(event: AcFailed, action: Enabled, warning_period_min: 0, first_warning_s: 0, warning_interval_s: 0)],
            agents: (enabled: true, secret: "{SECRET}"),
        ))"#
    )
}

#[test]
fn the_test_procedure_cancels_after_two_minutes_and_a_two_of_two_agent_waits_for_both_cards() {
    let served =
        Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"]);
    // Each card binds a port of its own choosing and says it: a port picked here and freed
    // could be taken by the other card's HTTPS in between.
    let card_a = Card::start(&served, "shutdown-a", &settings(), &["--agents", "127.0.0.1:0"]);
    let card_b = Card::start(&served, "shutdown-b", &settings(), &["--agents", "127.0.0.1:0"]);
    let agents_at = |card: &Card| {
        let rest = card.ready.split("shutdown agents ").nth(1).unwrap_or_else(|| panic!("{}", card.ready));
        rest.split([',', ' ']).next().unwrap().to_string()
    };
    let ports = [agents_at(&card_a), agents_at(&card_b)];
    let dir = tempfile::tempdir().unwrap();
    let ran = dir.path().join("ran");
    let exec = format!("echo \"$UPSTWIN_AGENT_CARDS $UPSTWIN_AGENT_TEST\" > {}", ran.display());
    let (both_log, single_log, stranger_log) =
        (dir.path().join("both.log"), dir.path().join("single.log"), dir.path().join("stranger.log"));
    let _both = agent(
        &["--card", &ports[0], "--card", &ports[1], "--name", "db-1", "--redundancy", "2", "--exec", &exec],
        &both_log,
        SECRET,
    );
    let _single = agent(&["--card", &ports[0], "--name", "web-1"], &single_log, SECRET);
    let _stranger =
        agent(&["--card", &ports[0], "--name", "intruder"], &stranger_log, "not-the-secret-at-all");
    let rows = |card: &Card| {
        let (_, body) = card.get("/api/clients");
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["connected_client_number"]
            .as_u64()
            .unwrap_or(0)
    };
    assert!(
        eventually(30.0, || rows(&card_a) == 2 && rows(&card_b) == 1),
        "{}",
        card_a.get("/api/clients").1
    );
    println!("client table A: {}", card_a.get("/api/clients").1);
    assert!(
        // The stranger proves first (protocol v2), so the card refuses it without proving anything.
        eventually(30.0, || read(&stranger_log).contains("authentication failed (not the shared secret)")),
        "{}",
        read(&stranger_log)
    );

    let (status, body) = card_a.call("POST", "/api/shutdown/test", "");
    assert_eq!(status, 200, "{body}");
    let (again, why) = card_a.call("POST", "/api/shutdown/test", "");
    assert_eq!(again, 409, "one test at a time: {why}");
    assert!(
        eventually(30.0, || read(&single_log).contains("dry run, would shut this server down")),
        "{}",
        read(&single_log)
    );
    assert!(
        eventually(30.0, || read(&both_log)
            .contains("1 of 2 cards ask for a shutdown: waiting for the others")),
        "{}",
        read(&both_log)
    );
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(!ran.exists(), "one card asking is not enough for a 2-of-2 agent");

    let (status, body) = card_b.call("POST", "/api/shutdown/test", "");
    assert_eq!(status, 200, "{body}");
    assert!(
        eventually(30.0, || read(&ran).contains(" 1")),
        "the command ran once both asked:\n{}",
        read(&both_log)
    );
    println!("the command saw: {}", read(&ran));

    // §16.8: "waits around 2 minutes before sending a shutdown cancel command": never
    // before, by the card's own log (its clock decides); the agent hears it some time after.
    assert!(eventually(300.0, || read(&single_log).contains("cancel: UPS on battery (AC Failed) (test)")));
    let single = read(&single_log);
    let (_, events) = card_a.get("/api/logs/card-events");
    let logged_s = |text: &str| event_time_s(&events, text).unwrap_or_else(|| panic!("`{text}` in {events}"));
    let waited_s = logged_s("Send shutdown cancel to clients") - logged_s("Send shutdown request to clients");
    // The log keeps whole seconds: 2 minutes may show as 119 s.
    assert!(waited_s >= 119, "the card cancelled {waited_s} s after the shutdown:\n{events}");
    assert!(
        eventually(30.0, || read(&both_log).contains("shutdown cancelled: back to normal")),
        "{}",
        read(&both_log)
    );
    let mode = served.get("/api/state")["mode"].as_str().unwrap_or_default().to_string();
    assert_eq!(mode, "OnInverter", "the test shuts the servers down, never the UPS");
    let (_, events) = card_a.get("/api/logs/card-events");
    assert!(events.contains("Shutdown test started (simulated AC fail) via REST API by admin"), "{events}");
    println!(
        "== db-1 (2 of 2)\n{}\n== web-1\n{single}\n== intruder\n{}",
        read(&both_log),
        read(&stranger_log)
    );
}

/// An agent given two cards, one of which never answers (nothing listens there), acts on
/// the other alone when its redundancy rule asks for one card (RCCMD: the unreachable card
/// does not block the shutdown), and keeps trying the dead one.
#[test]
fn an_agent_whose_second_card_is_unreachable_acts_on_the_first() {
    let served =
        Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"]);
    let card = Card::start(&served, "shutdown-one-dead", &settings(), &["--agents", "127.0.0.1:0"]);
    let alive = card.ready.split("shutdown agents ").nth(1).and_then(|r| r.split([',', ' ']).next()).unwrap();
    // A port nothing listens on, held for the test.
    let refusing = RefusingPort::new();
    let dead = format!("127.0.0.1:{}", refusing.port);
    let dir = tempfile::tempdir().unwrap();
    let (log, ran) = (dir.path().join("agent.log"), dir.path().join("ran"));
    let exec = format!("echo \"$UPSTWIN_AGENT_CARDS\" > {}", ran.display());
    let _agent = agent(
        &["--card", alive, "--card", &dead, "--name", "web-1", "--redundancy", "1", "--exec", &exec],
        &log,
        SECRET,
    );
    let rows = || card.get("/api/clients").1.contains("\"client_name\":\"web-1\"");
    assert!(eventually(30.0, rows), "the agent is in the live card's table: {}", card.get("/api/clients").1);
    assert!(eventually(30.0, || read(&log).contains(&dead)), "the dead card is tried: {}", read(&log));
    let (status, body) = card.call("POST", "/api/shutdown/test", "");
    assert_eq!(status, 200, "{body}");
    assert!(eventually(30.0, || ran.exists()), "the live card's order is carried out:\n{}", read(&log));
    println!("the command saw: {}\n{}", read(&ran), read(&log));
    // The cards that asked, by the names they gave: the live card alone.
    assert_eq!(read(&ran).trim(), "Socomec", "{}", read(&log));
}

/// The next whole minute at least 10 s away, UTC (a schedule's moment is `hh:mm`).
fn next_minute() -> time::OffsetDateTime {
    let now = time::OffsetDateTime::now_utc();
    let minute = now.replace_second(0).unwrap().replace_nanosecond(0).unwrap() + time::Duration::minutes(1);
    if minute - now < time::Duration::seconds(10) { minute + time::Duration::minutes(1) } else { minute }
}

fn hh_mm(at: time::OffsetDateTime) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}

/// A card whose `schedule` (the `schedules:` settings) shuts the UPS off: `event` enabled,
/// the servers at once, the UPS output 5 s after the command.
fn scheduled_card(served: &Served, name: &str, schedule: &str, event: &str) -> Card {
    let config = format!(
        r#"CardConfig(synchronize_ups_clock: false, schedules: {schedule}, shutdown: (
            ups_shut_off: true, ups_shut_off_delay_s: 5,
            events: [(event: {event}, action: Enabled, warning_period_min: 0, first_warning_s: 0, warning_interval_s: 0)],
        ))"#
    );
    Card::start(served, name, &config, &[])
}

/// Watches the twin through a schedule's shutdown and restart: its output goes off after
/// `shutdown_at` (plus the 5 s delay), and the UPS runs on its inverter again after
/// `restart_at`. The twin's own mode is the truth; the card's logs say why.
fn the_twin_goes_off_then_on(served: &Served, card: &Card, shutdown_at: time::OffsetDateTime, label: &str) {
    let mode = || served.get("/api/state")["mode"].as_str().unwrap_or_default().to_string();
    assert_eq!(mode(), "OnInverter");
    let until = |at: time::OffsetDateTime| (at - time::OffsetDateTime::now_utc()).as_seconds_f64();
    let off_within_s = until(shutdown_at) + 5.0 + 30.0;
    assert!(eventually(off_within_s, || mode() == "LoadOff"), "the output went off; mode {}", mode());
    let off_at = time::OffsetDateTime::now_utc();
    // The twin counts the 5 s in its own time, stepped by the wall time since its previous
    // pass (`link::clock`, a pass every 10 ms when the machine keeps up): the pass after the
    // command also counts the moments before it arrived, so on the wall clock the output can
    // go off up to one pass early. The test allows ten.
    assert!(
        off_at >= shutdown_at + time::Duration::seconds(5) - time::Duration::milliseconds(100),
        "not before the moment and its delay: {off_at}"
    );
    let restart_at = shutdown_at + time::Duration::minutes(1);
    let on_within_s = until(restart_at) + 60.0;
    assert!(eventually(on_within_s, || mode() == "OnInverter"), "restarted; mode {}", mode());
    assert!(time::OffsetDateTime::now_utc() >= restart_at, "not before the restart moment");
    let (_, events) = card.get("/api/logs/card-events");
    println!("{events}");
    for line in [
        format!("Send shutdown request to clients ({label})"),
        "Send UPS shutdown command to UPS via Shutdown Management".to_string(),
        "Send UPS output on command to UPS via Shutdown Management".to_string(),
    ] {
        assert!(events.contains(&line), "the card logs `{line}`: {events}");
    }
}

/// §16.5: a weekly shutdown entry on today's day fires at its minute: the UPS output goes
/// off after its delay, and the entry's restart turns it on again.
#[test]
fn a_weekly_shutdown_turns_the_ups_off_and_its_restart_turns_it_on() {
    let served =
        Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"]);
    let at = next_minute();
    let restart = at + time::Duration::minutes(1);
    let schedule = format!(
        r#"(weekly_shutdown: [(shutdown: (day: {:?}, at: "{}"), restart: Some((day: {:?}, at: "{}")))])"#,
        at.weekday(),
        hh_mm(at),
        restart.weekday(),
        hh_mm(restart)
    );
    let card = scheduled_card(&served, "schedule-weekly", &schedule, "WeeklySchedule");
    the_twin_goes_off_then_on(&served, &card, at, "Weekly Schedule");
}

/// §16.6: a special day (today's date) fires at its minute the same way.
#[test]
fn a_special_day_turns_the_ups_off_and_its_restart_turns_it_on() {
    let served =
        Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"]);
    let at = next_minute();
    let restart = at + time::Duration::minutes(1);
    let date = |t: time::OffsetDateTime| format!("{:02}/{:02}/{}", t.day(), u8::from(t.month()), t.year());
    let schedule = format!(
        r#"(special_days: [(shutdown: (date: "{}", at: "{}"), restart: Some((date: "{}", at: "{}")))])"#,
        date(at),
        hh_mm(at),
        date(restart),
        hh_mm(restart)
    );
    let card = scheduled_card(&served, "schedule-special", &schedule, "SpecialDay");
    the_twin_goes_off_then_on(&served, &card, at, "Special Day");
}
