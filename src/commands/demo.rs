//! `upstwin demo`, and `upstwin` alone: the default model's twin in wall-clock time on two
//! pty pairs and Modbus TCP, the reference card polling the first pty with its web pages,
//! and the window beside them. The second pty and the TCP port are for another card, NUT's
//! `socomec_jbus` or mbpoll. With no display the demo runs headless and says where all is.

use super::{CommandResult, Failure, card as card_command, serve};
use crate::cli::{CardArgs, DemoArgs, ServeArgs};
use clap::Parser;
use link::clock;
use link::rtu::Timing;
use std::net::SocketAddr;
use std::path::PathBuf;

/// A command line's flags parsed into one subcommand's arguments.
#[derive(Debug, Parser)]
struct Parsed<T: clap::Args> {
    #[command(flatten)]
    args: T,
}

fn parse<T: clap::Args>(words: &[String]) -> Result<T, Failure> {
    Parsed::<T>::try_parse_from(words).map(|p| p.args).map_err(|e| Failure::bad_input(e.to_string()))
}

/// Where to serve: `wanted` if it can be bound now (port 0 stays 0: the server binds a free
/// port itself and says which), else port 0 on the same address.
fn free(wanted: SocketAddr) -> SocketAddr {
    // Port 0 is bound as such by whoever serves there, so nothing can take it meanwhile.
    if wanted.port() == 0 || std::net::TcpListener::bind(wanted).is_ok() {
        wanted
    } else {
        SocketAddr::new(wanted.ip(), 0)
    }
}

/// `$XDG_STATE_HOME/upstwin/demo-card`, else `~/.local/state/upstwin/demo-card`.
fn default_state_dir() -> PathBuf {
    card_command::state_home().join("demo-card")
}

/// Everything the demo started; the servers run while this lives.
struct Running {
    _tasks: tokio::task::JoinSet<()>,
    twin: sim::twin::SharedTwin,
    card: card::run::Shared,
    links: Vec<(String, String)>,
}

async fn start(args: &DemoArgs, prepared: serve::Prepared) -> Result<Running, Failure> {
    let serve::Prepared { twin, line, .. } = prepared;
    let mut tasks = tokio::task::JoinSet::new();
    let card_pty = serve::spawn_pty(&twin, line, Timing::Off, None, &mut tasks)?;
    let peer_pty = serve::spawn_pty(&twin, line, Timing::Off, None, &mut tasks)?;
    let tcp = serve::spawn_tcp(&free(args.tcp).to_string(), &twin, Default::default(), &mut tasks).await?;
    let control = serve::spawn_control(&free(args.control).to_string(), &twin, None, &mut tasks).await?;
    tasks.spawn(clock::run(twin.clone(), args.speed));
    let (http, https) = (free(args.http), free(args.https));
    let state_dir = args.state_dir.clone().unwrap_or_else(default_state_dir);
    let mut words: Vec<String> = [
        "card",
        "--port",
        &card_pty.display().to_string(),
        "--http",
        &http.to_string(),
        "--https",
        &https.to_string(),
        "--state-dir",
        &state_dir.display().to_string(),
    ]
    .map(String::from)
    .to_vec();
    if let Some(file) = &args.admin_password_file {
        words.extend(["--admin-password-file".to_string(), file.display().to_string()]);
    }
    let card_args: CardArgs = parse(&words)?;
    let started = card_command::start(&card_args, card_command::prepare(&card_args)?, &mut tasks).await?;
    let (card, http, https) = (started.shared, started.http.unwrap_or(http), started.https.unwrap_or(https));
    let links = vec![
        ("Card web pages".to_string(), format!("https://{https}/")),
        ("Control API".to_string(), format!("http://{control}/api/state")),
    ];
    println!(
        "demo: twin {} on {} (the card's line) and {} (for another card, NUT or mbpoll), Modbus TCP {tcp}, control API http://{control}/; card pages https://{https}/ (the card's own self-signed certificate), its API also on HTTP http://{http}/ (where pages redirect to HTTPS)",
        args.model,
        card_pty.display(),
        peer_pty.display(),
    );
    use std::io::Write;
    let _ = std::io::stdout().flush();
    Ok(Running { _tasks: tasks, twin, card, links })
}

/// The story, built in (its labels are the captions), and how fast it is told.
const STORY: &str = include_str!("../../scenarios/library/26-demo-story.ron");
const STORY_SPEED: f64 = 20.0;

/// The story, compiled; it is told on its own model, which the demo must run.
fn story(args: &DemoArgs) -> Result<Option<scenarios::compile::Compiled>, Failure> {
    if !args.story {
        return Ok(None);
    }
    let path = std::path::Path::new("scenarios/library/26-demo-story.ron");
    let story = scenarios::compile::compile(STORY, path).map_err(|e| Failure::failed(e.to_string()))?;
    let story_model = story.model.model.identity.model.clone();
    let demo_model = ups_models::load_model(&args.model).map_err(Failure::bad_input)?.model.identity.model;
    if story_model != demo_model {
        return Err(Failure::bad_input(format!("--story is told on the {story_model}; leave --model out")));
    }
    Ok(Some(story))
}

pub fn run(args: &DemoArgs) -> CommandResult {
    let story = story(args)?;
    let words: Vec<String> = ["serve", "--model", &args.model, "--speed", &args.speed.to_string()]
        .into_iter()
        .map(String::from)
        .chain(["--seed".into(), args.seed.to_string(), "--load-pct".into(), args.load_pct.to_string()])
        .collect();
    let serve_args: ServeArgs = parse(&words)?;
    let prepared = serve::prepare(&serve_args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Failure::failed)?;
    let running = runtime.block_on(start(args, prepared))?;
    let windowed = !args.headless && gui::display_available();
    if !windowed {
        if !args.headless {
            println!(
                "demo: no display (DISPLAY and WAYLAND_DISPLAY are not set): running headless; Ctrl-C stops"
            );
        }
        let stopped = runtime.block_on(super::until_stopped());
        runtime.block_on(flush_card_logs(&running.card));
        return stopped;
    }
    let setup = gui::Setup {
        fleet: None,
        twin: running.twin.clone(),
        card: Some(running.card.clone()),
        links: running.links.clone(),
        capture: args.screenshot.clone().map(|path| gui::Capture { path, after_s: args.screenshot_after_s }),
        scenario: story.map(|scenario| gui::ScenarioStart {
            scenario,
            at_s: 0.0,
            playing: true,
            speed: STORY_SPEED,
            looping: true,
            captions: true,
        }),
    };
    let closed = gui::run(setup).map_err(Failure::failed);
    runtime.block_on(flush_card_logs(&running.card));
    closed
}

/// The card's last log records, on disk before the demo ends.
async fn flush_card_logs(card: &card::run::Shared) {
    if let Err(e) = card.flush_logs().await {
        eprintln!("demo: the card's last log records were not written: {e}");
    }
}
