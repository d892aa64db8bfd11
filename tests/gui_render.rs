//! The window, rendered for real: `upstwin gui` under Xvfb with Mesa's software Vulkan
//! (lavapipe), on the long-blackout scenario held at 120 s (60 s into the blackout) and at
//! 30 s (on mains). Bevy's screenshot API saves each window; beside it the window writes
//! where each synoptic element is in the picture. The pixels there must be in NET VISION's
//! colours (§12.1.1). PNGs go to `$UPSTWIN_ARTIFACTS/gui` (scripts/test sets it), else under
//! cargo's target directory.

mod common;

use common::peer;
use std::path::{Path, PathBuf};
use std::process::Command;

const GREY: [u8; 3] = [0x9a, 0xa3, 0xad];
const GREEN: [u8; 3] = [0x2e, 0x9e, 0x44];
const YELLOW: [u8; 3] = [0xf2, 0xb7, 0x05];

/// Xvfb and a software Vulkan driver are there.
fn display_ready() -> bool {
    peer("/usr/bin/xvfb-run", "xvfb")
        && peer("/usr/share/vulkan/icd.d/lvp_icd.x86_64.json", "mesa-vulkan-drivers")
        && peer("/usr/bin/xauth", "xauth")
}

fn shots() -> PathBuf {
    let root = std::env::var_os("UPSTWIN_ARTIFACTS")
        .map_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("artifacts"), PathBuf::from);
    let dir = root.join("gui");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `upstwin ARGS --screenshot SHOTS/name` under Xvfb; the PNG's path.
fn window(args: &[&str], name: &str) -> PathBuf {
    let png = shots().join(name);
    let output = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x800x24"])
        .arg(env!("CARGO_BIN_EXE_upstwin"))
        .args(args)
        .arg("--screenshot")
        .arg(&png)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .expect("xvfb-run starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "upstwin {args:?} failed: {stderr}");
    assert!(png.exists(), "no screenshot: {stderr}");
    println!("screenshot {}", png.display());
    png
}

/// `upstwin gui` on the long-blackout scenario held at `at_s`.
fn screenshot(at_s: &str, name: &str) -> PathBuf {
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/library/02-long-blackout-shutdown.ron");
    window(&["gui", scenario.to_str().unwrap(), "--at-s", at_s], name)
}

/// `upstwin demo` with `args`, on free ports and a fresh state directory, captured after
/// `after_s` seconds.
fn demo(args: &[&str], after_s: &str, name: &str) -> PathBuf {
    let state = std::env::temp_dir().join(format!("upstwin-gui-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    let mut all = vec!["demo", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0", "--http", "127.0.0.1:0"];
    all.extend([
        "--https",
        "127.0.0.1:0",
        "--screenshot-after-s",
        after_s,
        "--state-dir",
        state.to_str().unwrap(),
    ]);
    all.extend(args);
    window(&all, name)
}

struct Picture {
    width: u32,
    rgb: Vec<u8>,
    probes: serde_json::Value,
}

impl Picture {
    fn open(png: &Path) -> Picture {
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buffer).unwrap();
        let channels = info.color_type.samples();
        let rgb = buffer[..info.buffer_size()].chunks(channels).flat_map(|p| [p[0], p[1], p[2]]).collect();
        let probes =
            serde_json::from_str(&std::fs::read_to_string(png.with_extension("json")).unwrap()).unwrap();
        Picture { width: info.width, rgb, probes }
    }

    fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let at = ((y * self.width + x) * 3) as usize;
        [self.rgb[at], self.rgb[at + 1], self.rgb[at + 2]]
    }

    /// The colours at element `number`'s probe pixels.
    fn colours_of(&self, number: u8) -> Vec<[u8; 3]> {
        let pixels =
            self.probes["elements"][number.to_string()]["pixels"].as_array().cloned().unwrap_or_default();
        pixels
            .iter()
            .map(|p| self.pixel(p[0].as_f64().unwrap() as u32, p[1].as_f64().unwrap() as u32))
            .collect()
    }

    /// Whether most of element `number`'s probe pixels are `colour` (a moving flow mark may
    /// cover one of a wire's three).
    fn shows(&self, number: u8, colour: [u8; 3]) -> bool {
        let colours = self.colours_of(number);
        let matching =
            colours.iter().filter(|c| c.iter().zip(colour).all(|(a, b)| a.abs_diff(b) <= 12)).count();
        println!("element {number}: {colours:?}, {matching} of {} match {colour:?}", colours.len());
        !colours.is_empty() && matching * 2 > colours.len()
    }
}

#[test]
fn the_synoptic_is_drawn_in_net_vision_colours_in_a_blackout_and_on_mains() {
    if !display_ready() {
        return;
    }
    let blackout = Picture::open(&screenshot("120", "synoptic-blackout.png"));
    assert_eq!(blackout.probes["ups_status"], "Operating on Battery", "{}", blackout.probes);
    for number in [5, 7, 8] {
        assert!(blackout.shows(number, YELLOW), "element {number}: the battery path is yellow");
    }
    assert!(blackout.shows(1, GREY), "the rectifier input supply is grey");
    assert!(blackout.shows(2, GREY), "the rectifier is off");
    assert!(blackout.shows(9, GREEN), "the load (80 %) is green");

    let normal = Picture::open(&screenshot("30", "synoptic-normal.png"));
    assert_eq!(normal.probes["ups_status"], "Load protected by Inverter", "{}", normal.probes);
    for number in [1, 2, 3, 5, 6, 7, 8, 9, 12] {
        assert!(normal.shows(number, GREEN), "element {number}: green on mains");
    }
    assert!(normal.shows(15, GREY), "the maintenance bypass is open: grey");
}

#[test]
fn the_demo_window_shows_the_card_beside_the_truth() {
    if !display_ready() {
        return;
    }
    let png = demo(&[], "10", "demo.png");
    let picture = Picture::open(&png);
    let rows = picture.probes["card_beside_truth"].as_array().cloned().unwrap_or_default();
    println!("{}", serde_json::to_string_pretty(&rows).unwrap());
    let row = |label: &str| rows.iter().find(|r| r["label"] == label).cloned().unwrap_or_default();
    assert_eq!(row("Communication")["card"], "UPS answers", "the card polls the demo's pty");
    for label in ["UPS status", "Battery status", "Output status", "Active alarms"] {
        assert_eq!(row(label)["differs"], false, "{label}: {}", row(label));
    }
    assert_eq!(row("UPS status")["card"], "Load protected by Inverter");
    for number in [1, 3, 5, 7, 8, 9] {
        assert!(picture.shows(number, GREEN), "element {number}: green on mains");
    }
}

#[test]
fn the_demo_story_plays_the_blackout_with_its_caption() {
    if !display_ready() {
        return;
    }
    // At 20×, 8 s of wall time is 160 s of the story: the mains failed at 100 s.
    let png = demo(&["--story"], "8", "story.png");
    let picture = Picture::open(&png);
    let time_s = picture.probes["twin_time_s"].as_f64().unwrap();
    println!("story at {time_s:.0} s: {}", picture.probes["caption"]);
    assert!((100.0..1000.0).contains(&time_s), "the story runs at 20×: {time_s} s");
    assert_eq!(picture.probes["caption"], "Mains fail: the UPS carries the load on its battery");
    assert_eq!(picture.probes["ups_status"], "Operating on Battery");
    for number in [5, 7, 8] {
        assert!(picture.shows(number, YELLOW), "element {number}: the battery path is yellow");
    }
}

/// Whether most of `pixels` are `colour` (to within the blending of a screenshot).
fn mostly(picture: &Picture, pixels: &[(u32, u32)], colour: [u8; 3]) -> bool {
    let matching = pixels
        .iter()
        .filter(|(x, y)| picture.pixel(*x, *y).iter().zip(colour).all(|(a, b)| a.abs_diff(b) <= 12))
        .count();
    !pixels.is_empty() && matching * 10 >= pixels.len() * 9
}

/// The tiles the picture shows: (device, feed, status, pixel).
fn tiles(picture: &Picture) -> Vec<(String, String, String, (u32, u32))> {
    let tiles = picture.probes["fleet"]["tiles"].as_array().cloned().unwrap_or_default();
    tiles
        .iter()
        .map(|t| {
            let at = |i: usize| t["pixel"][i].as_f64().unwrap() as u32;
            let text = |key: &str| t[key].as_str().unwrap().to_string();
            (text("name"), text("feed"), text("status"), (at(0), at(1)))
        })
        .collect()
}

/// The demo fleet in the window: a blackout of feed hq-offices (posted to the fleet's API
/// while the window runs) turns its 40 tiles yellow and leaves every other tile green, in
/// the picture; then, in a second window, a real click (xdotool, at the pixel the first
/// picture gave for a device) opens that device: its synoptic, with its card beside the
/// truth.
#[test]
fn the_fleet_window_shows_a_feed_blackout_and_a_click_opens_a_device() {
    if !display_ready() || !peer("/usr/bin/xdotool", "xdotool") {
        return;
    }
    use std::io::BufRead;
    let state = tempfile::tempdir().unwrap();
    let png = shots().join("fleet.png");
    let mut child = common::KillOnDrop(
        Command::new("xvfb-run")
            .args(["-a", "-s", "-screen 0 1280x800x24"])
            .arg(env!("CARGO_BIN_EXE_upstwin"))
            .args(["fleet", "--window", "--control", "127.0.0.1:0", "--screenshot-after-s", "10"])
            .arg("--card-state")
            .arg(state.path())
            .arg("--screenshot")
            .arg(&png)
            .env("XDG_RUNTIME_DIR", std::env::temp_dir())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("xvfb-run starts"),
    );
    let mut lines = std::io::BufReader::new(child.0.stdout.take().unwrap()).lines();
    let ready = lines.by_ref().map_while(Result::ok).find(|l| l.starts_with("ready ")).expect("a ready line");
    let control = ready.split_whitespace().find_map(|w| w.strip_prefix("control=")).unwrap().to_string();
    let blackout = serde_json::json!({ "name": "mains_blackout", "feed": "hq-offices" });
    ureq::post(format!("{control}/api/fleet/faults")).send_json(&blackout).expect("the blackout is taken");
    assert!(child.0.wait().unwrap().success(), "the fleet window ends after its screenshot");
    let fleet = Picture::open(&png);
    assert_eq!(fleet.probes["shown"], "Fleet", "{}", fleet.probes["fleet"]["counts"]);
    assert_eq!(fleet.probes["fleet"]["devices"], 300);
    let counts = &fleet.probes["fleet"]["counts"];
    println!("counts: {counts}");
    assert_eq!((counts["OnBypassOrBattery"].as_u64(), counts["Normal"].as_u64()), (Some(40), Some(260)));
    let shown = tiles(&fleet);
    let (offices, others): (Vec<_>, Vec<_>) = shown.iter().partition(|t| t.1 == "hq-offices");
    println!("{} tiles in the picture, {} of feed hq-offices", shown.len(), offices.len());
    assert_eq!(offices.len(), 40, "every tile of the failed feed is in view");
    assert!(offices.iter().all(|t| t.2 == "OnBypassOrBattery") && others.iter().all(|t| t.2 == "Normal"));
    assert!(
        mostly(&fleet, &offices.iter().map(|t| t.3).collect::<Vec<_>>(), YELLOW),
        "yellow in the picture"
    );
    assert!(mostly(&fleet, &others.iter().map(|t| t.3).collect::<Vec<_>>(), GREEN), "green in the picture");

    // A click on the tile of a device with a reference card opens it.
    let (name, _, _, (x, y)) =
        shown.iter().find(|t| t.0 == "hq-srv-007").expect("hq-srv-007's tile is in view");
    let opened = shots().join("fleet-device.png");
    let state = tempfile::tempdir().unwrap();
    let script = format!(
        "\"$0\" fleet --window --control 127.0.0.1:0 --card-state \"$1\" --screenshot \"$2\" \
         --screenshot-after-s 20 >/dev/null & fleet=$!; \
         xdotool search --sync --onlyvisible --name 'fleet campus' >/dev/null; sleep 5; \
         xdotool mousemove {x} {y} click 1; wait $fleet"
    );
    let output = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x800x24", "sh", "-c", &script])
        .arg(env!("CARGO_BIN_EXE_upstwin"))
        .arg(state.path())
        .arg(&opened)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .expect("xvfb-run starts");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let device = Picture::open(&opened);
    assert_eq!(
        (&device.probes["shown"], &device.probes["device"]),
        (&"FleetDevice".into(), &name.as_str().into())
    );
    assert_eq!(device.probes["ups_status"], "Load protected by Inverter");
    for number in [1, 3, 5, 7, 8] {
        assert!(device.shows(number, GREEN), "element {number} of {name}: green on mains");
    }
    let rows = device.probes["card_beside_truth"].as_array().cloned().unwrap_or_default();
    let communication = rows.iter().find(|r| r["label"] == "Communication").cloned().unwrap_or_default();
    assert_eq!(communication["card"], "UPS answers", "{name}'s own card, polling its twin: {rows:?}");
}
