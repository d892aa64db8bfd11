//! The reference card against the twin over real frames: after one poll its database equals
//! the twin's truth — every measurement within the map's resolution, every status and alarm
//! bit — for each bundled model, on mains and on battery, over Modbus TCP and over a pty.

use card::clock::Stamp;
use card::core::Card;
use card::database::Database;
use card::link::{Link, Master};
use card::logs::{Intervals, Logs};
use card::poller::{PollConfig, PollEvent};
use link::pty::Pty;
use link::rtu::{Speeds, Timing};
use sim::twin::{SharedTwin, Twin};
use sim::ups::conditions::Conditions;
use sim::ups::faults::parse_fault;
use sim::wire::trace::Trace;
use ups_models::map::{RegisterMap, Source};
use ups_models::{LoadedModel, load_model};

fn twin(model: &LoadedModel, on_battery: bool) -> SharedTwin {
    let mut ups = sim::Ups::new(model, 1, &sim::StartOptions { load_pct: 70.0, ..Default::default() });
    // Long enough for the inverter to start and take the load.
    (0..300).for_each(|_| ups.step(0.1));
    if on_battery {
        ups.inject(parse_fault("mains_blackout", &[]).unwrap()).unwrap();
        (0..300).for_each(|_| ups.step(0.1));
    }
    SharedTwin::new(Twin::new(ups, model, model.model.serial.slave_id, 1, Trace::in_memory()))
}

/// The card finds the map and polls once through `master`; the card after that poll.
async fn poll_once(master: &mut Master, name: &str, bauds: Vec<u32>) -> Card {
    let dir = std::env::temp_dir().join(format!("upstwin-card-database-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (logs, _files) = Logs::open(&dir, Stamp::default()).unwrap();
    let candidates = card::stack::bundled_maps();
    let mut card =
        Card::new(candidates, PollConfig::default(), Intervals::default(), logs, 0.0, Stamp::default())
            .trying_bauds(bauds);
    while let Some(request) = card.due(0.0) {
        master.set_baud(card.baud());
        let answer = master.read(request).await;
        let events = card.answered(0.0, Stamp::default(), answer.as_deref().map_err(Clone::clone));
        if events.contains(&PollEvent::Cycle) {
            return card;
        }
    }
    unreachable!("a cycle ends with the Cycle event")
}

/// Compares the card's database with the twin's state; returns the mismatches.
fn mismatches(database: &Database, twin: &SharedTwin, model: &LoadedModel, map: &RegisterMap) -> Vec<String> {
    let guard = twin.lock();
    let ups = &guard.ups;
    let flat = ups.conditions().flat();
    let condition = |text: &str| {
        let (name, index) = ups_models::flags::split_signal(text);
        Conditions::index_of(&name, index).map(|i| flat[i])
    };
    let family = model.model.identity.map_family.as_deref();
    let times_ten = map.measurements_times_ten;
    let mut wrong = Vec::new();
    for register in map.tables.iter().flat_map(|t| &t.registers) {
        let Source::Measurement { signal, phase, scale, .. } = &register.source else { continue };
        let factor = if times_ten { scale.with_factor.unwrap_or(scale.factor) } else { scale.factor };
        let managed = register
            .managed_by
            .as_ref()
            .is_none_or(|families| family.is_some_and(|f| families.iter().any(|x| x == f)));
        let valid = register.valid_when.as_deref().is_none_or(|c| condition(c) != Some(false));
        let truth = sim::image::signals::measurement(ups, signal, *phase).filter(|_| managed && valid);
        let card = database.reading(&register.code).and_then(|r| r.value);
        let ok = match (truth, card) {
            // The word is the truth rounded to the map's resolution (clamped at 0 when unsigned).
            (Some(truth), Some(card)) => {
                (card - truth).abs() <= 0.5 / factor + 1e-9 || (truth < 0.0 && card == 0.0)
            }
            (None, None) => true,
            // A truth that rounds to 0xFFFF reads as "not managed"; none of ours does.
            _ => false,
        };
        if !ok {
            wrong.push(format!(
                "{} {} ({signal} {phase:?}): card {card:?}, twin {truth:?}",
                register.code, register.name
            ));
        }
    }
    for flag in &database.flags {
        let Some(truth) = flag.signal.as_deref().and_then(condition) else { continue };
        if flag.on != truth {
            wrong.push(format!("{} {}: card {}, twin {truth}", flag.code, flag.description, flag.on));
        }
    }
    wrong
}

#[tokio::test]
async fn after_one_poll_the_card_knows_what_the_twin_knows() {
    for name in ups_models::bundled::MODELS.iter().map(|(name, _)| *name) {
        let model = load_model(name).unwrap();
        for on_battery in [false, true] {
            let twin = twin(&model, on_battery);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            let server = tokio::spawn(link::tcp::serve(listener, twin.clone(), Default::default()));
            let mut master = Master::new(Link::Tcp(address), model.model.serial.slave_id);
            let card = poll_once(&mut master, name, Vec::new()).await;
            server.abort();
            let map = card.map().expect("the card found the map").clone();
            assert_eq!(map.name, model.model.register_map, "{name}: detected map");
            let database = card.database();
            let wrong = mismatches(database, &twin, &model, &map);
            let measured = database.readings.iter().filter(|r| r.value.is_some()).count();
            let set = database.flags.iter().filter(|f| f.on).count();
            println!(
                "{name} (on battery: {on_battery}): {measured} values, {set} bits set, {} mismatches",
                wrong.len()
            );
            assert!(wrong.is_empty(), "{name}, on battery {on_battery}:\n{}", wrong.join("\n"));
            assert!(measured > 10, "{name}: only {measured} values");
            let on_battery_bit = database.flags.iter().find(|f| f.signal.as_deref() == Some("on_battery"));
            assert_eq!(on_battery_bit.map(|f| f.on), Some(on_battery), "{name}: the on-battery bit");
            let view = card.view();
            // The bits equal the twin's conditions (checked above), so they stand for its truth.
            let low = database
                .flags
                .iter()
                .any(|f| f.on && f.signal.as_deref() == Some("battery_near_end_of_backup"));
            let discharging = if low { "Battery low" } else { "Battery discharging" };
            let expected = match (on_battery, model.model.capabilities.line_interactive) {
                (true, _) => ("Operating on Battery", discharging, "Load protected by inverter"),
                (false, true) => ("Line-Interactive mode", "Battery OK", "Line-Interactive mode"),
                (false, false) => ("Load protected by Inverter", "Battery OK", "Load protected by inverter"),
            };
            println!("  {}, {}, {}", view.ups_status, view.battery_status, view.output_status);
            assert_eq!((view.ups_status, view.battery_status, view.output_status), expected, "{name}");
        }
    }
}

/// Serves `twin` on a pty at the model's speed, as `upstwin serve --pty` does.
fn serve_pty(model: &LoadedModel, twin: &SharedTwin) -> (std::path::PathBuf, tokio::task::JoinHandle<()>) {
    let baud = model.model.serial.baud;
    let mut pty = Pty::open(None, baud).unwrap();
    let path = pty.path.clone();
    let served = twin.clone();
    let server = tokio::spawn(async move {
        let speeds = Speeds { ups_baud: baud, far_baud: link::pty::slave_baud };
        let _ = link::rtu::serve(&mut pty.master, served, Timing::Off, "pty", speeds).await;
    });
    (path, server)
}

#[tokio::test]
async fn the_card_polls_over_a_pty_as_over_tcp() {
    let model = load_model("netys-pr-3k").unwrap();
    let twin = twin(&model, true);
    let (path, server) = serve_pty(&model, &twin);
    let link = Link::Serial { path, baud: model.model.serial.baud };
    let mut master = Master::new(link, model.model.serial.slave_id);
    let card = poll_once(&mut master, "pty", Vec::new()).await;
    server.abort();
    let map = card.map().expect("the card found the map over RTU").clone();
    let database = card.database();
    let wrong = mismatches(database, &twin, &model, &map);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(database.flags.iter().any(|f| f.on && f.signal.as_deref() == Some("on_battery")));
}

/// Automatic discovery (§18.2): starting at the factory 9600 baud, the card finds UPSs that
/// speak 2400 (ITYS), 9600 and 57600 (MODULYS); the twin ignores frames sent at another
/// speed than its own, as a real UART would.
#[tokio::test]
async fn the_card_finds_the_speed_of_the_ups() {
    for name in ["itys-2k", "netys-pr-3k", "modulys-gp2-100"] {
        let model = load_model(name).unwrap();
        let twin = twin(&model, false);
        let (path, server) = serve_pty(&model, &twin);
        let mut master = Master::new(Link::Serial { path, baud: 9600 }, model.model.serial.slave_id);
        let card = poll_once(&mut master, name, vec![9600, 2400, 19200, 57600]).await;
        server.abort();
        assert_eq!(card.baud(), Some(model.model.serial.baud), "{name}");
        assert_eq!(master.link().baud(), Some(model.model.serial.baud), "{name}");
        let map = card.map().expect("the card found the map").clone();
        assert_eq!(map.name, model.model.register_map, "{name}");
        let wrong = mismatches(card.database(), &twin, &model, &map);
        assert!(wrong.is_empty(), "{name}: {}", wrong.join("\n"));
        let ignored =
            twin.lock().trace.recent(usize::MAX).iter().filter(|f| f.meaning.contains("sent at")).count();
        // At 9600 (the first speed tried) nothing is sent at a wrong speed; otherwise at
        // least both maps' first tables went out at 9600 before.
        if model.model.serial.baud == 9600 {
            assert_eq!(ignored, 0, "{name}: frames at a wrong speed");
        } else {
            assert!(ignored >= 2, "{name}: {ignored} frames at a wrong speed in the trace");
        }
    }
}
