//! `upstwin agent`: the shutdown agent installed on servers (JNC / RCCMD role, NET VISION
//! §15–16.8, Legrand's RCCMD). It connects to each of its cards (reconnecting when one goes),
//! logs every order on stdout, and when told to shut down runs its command — once as many
//! cards as `--redundancy` ask at the same time. A cancel from a card withdraws its request.

use super::{CommandResult, Failure};
use crate::cli::AgentArgs;
use card::shutdown::client;
use card::shutdown::protocol::Message;
use std::collections::BTreeSet;
use std::io::Write;
use std::time::Duration;
use tokio::sync::mpsc;

/// Wait before connecting again to a card that went away or refused us.
const RECONNECT_AFTER: Duration = Duration::from_secs(5);

pub fn run(args: &AgentArgs) -> CommandResult {
    let secret = match &args.secret_file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| Failure::bad_input(format!("--secret-file {}: {e}", path.display())))?
            .trim()
            .to_string(),
        None => std::env::var("UPSTWIN_AGENT_SECRET").map_err(|_| {
            Failure::bad_input(
                "give the secret shared with the cards: --secret-file FILE or UPSTWIN_AGENT_SECRET",
            )
        })?,
    };
    if secret.is_empty() {
        return Err(Failure::bad_input("the shared secret is empty"));
    }
    if !(1..=args.cards.len()).contains(&args.redundancy) {
        return Err(Failure::bad_input(format!(
            "--redundancy {}: from 1 to the number of cards ({})",
            args.redundancy,
            args.cards.len()
        )));
    }
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Failure::failed)?;
    runtime.block_on(agent(args, secret))
}

/// One line on stdout, stamped (UTC) and flushed: the agent's log.
fn log(line: &str) {
    let stamp = card::clock::Clock::system().stamp().rfc3339();
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{stamp} {line}");
    let _ = out.flush();
}

/// What a card said, or that it is gone.
enum Heard {
    Connected { card: String, client: u32 },
    Message(Message),
    Lost(String),
}

/// Keeps a connection to the card at `address`, handing on what it hears.
async fn follow(
    index: usize,
    address: String,
    name: String,
    secret: String,
    to: mpsc::Sender<(usize, Heard)>,
) {
    loop {
        let heard = match client::connect(&address, &name, &secret).await {
            Ok(mut connection) => {
                let connected = Heard::Connected { card: connection.card.clone(), client: connection.client };
                if to.send((index, connected)).await.is_err() {
                    return;
                }
                loop {
                    match connection.next().await {
                        Ok(message) => {
                            if to.send((index, Heard::Message(message))).await.is_err() {
                                return;
                            }
                        }
                        Err(e) => break Heard::Lost(e.to_string()),
                    }
                }
            }
            Err(e) => Heard::Lost(e.to_string()),
        };
        if to.send((index, heard)).await.is_err() {
            return;
        }
        tokio::time::sleep(RECONNECT_AFTER).await;
    }
}

/// The redundancy rule: which cards ask for a shutdown now, and whether the agent acted.
#[derive(Debug, Default)]
struct Decision {
    asking: BTreeSet<usize>,
    acted: bool,
}

async fn agent(args: &AgentArgs, secret: String) -> CommandResult {
    let (to, mut heard) = mpsc::channel(64);
    for (index, address) in args.cards.iter().enumerate() {
        tokio::spawn(follow(index, address.clone(), args.name.clone(), secret.clone(), to.clone()));
    }
    let mode = match (&args.exec, args.dry_run) {
        (Some(command), false) => format!("runs `{command}` on shutdown"),
        (Some(command), true) => format!("dry run: would run `{command}` on shutdown"),
        (None, _) => "dry run: logs only".to_string(),
    };
    log(&format!(
        "agent {} started: {} card(s) {}, acts when {} of them ask; {mode}",
        args.name,
        args.cards.len(),
        args.cards.join(", "),
        args.redundancy
    ));
    let mut names: Vec<String> = args.cards.clone();
    let mut decision = Decision::default();
    let stopped = super::until_stopped();
    tokio::pin!(stopped);
    loop {
        let (index, what) = tokio::select! {
            result = &mut stopped => {
                log(&format!("agent {} stopped", args.name));
                return result;
            }
            Some(next) = heard.recv() => next,
        };
        let from = format!("card {} ({})", names[index], args.cards[index]);
        match what {
            Heard::Connected { card, client } => {
                names[index] = card;
                log(&format!("connected to card {} ({}), client {client}", names[index], args.cards[index]));
            }
            Heard::Lost(why) => {
                log(&format!("{from}: {why}; reconnecting in {} s", RECONNECT_AFTER.as_secs()))
            }
            Heard::Message(Message::Ping { .. } | Message::Ack { .. }) => {}
            Heard::Message(message) => {
                log(&format!("{from}: {message}"));
                obey(args, &names, index, &message, &mut decision);
            }
        }
    }
}

/// Applies the redundancy rule to a card's order, and acts when it is met.
fn obey(args: &AgentArgs, names: &[String], index: usize, message: &Message, decision: &mut Decision) {
    let needed = args.redundancy;
    match message {
        Message::Shutdown { event, test, .. } => {
            decision.asking.insert(index);
            let asking = decision.asking.len();
            if decision.acted {
                log(&format!("shutdown already under way ({asking} of {needed} cards asking)"));
            } else if asking < needed {
                log(&format!("{asking} of {needed} cards ask for a shutdown: waiting for the others"));
            } else {
                decision.acted = true;
                let cards: Vec<&str> = decision.asking.iter().map(|i| names[*i].as_str()).collect();
                act(args, event, *test, &cards.join(","));
            }
        }
        Message::Cancel { .. } => {
            decision.asking.remove(&index);
            if decision.acted && decision.asking.len() < needed {
                decision.acted = false;
                log("shutdown cancelled: back to normal, ready for the next shutdown");
            }
        }
        Message::Warning { .. } | Message::Ping { .. } | Message::Ack { .. } => {}
    }
}

/// Shuts the server down: runs the command, or says what it would do.
fn act(args: &AgentArgs, event: &str, test: bool, cards: &str) {
    let Some(command) = args.exec.as_ref().filter(|_| !args.dry_run) else {
        let what = args.exec.as_ref().map_or("shut this server down".to_string(), |c| format!("run `{c}`"));
        log(&format!("SHUTDOWN ({event}, asked by {cards}): dry run, would {what}"));
        return;
    };
    log(&format!("SHUTDOWN ({event}, asked by {cards}): running `{command}`"));
    let child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .env("UPSTWIN_AGENT_EVENT", event)
        .env("UPSTWIN_AGENT_CARDS", cards)
        .env("UPSTWIN_AGENT_TEST", if test { "1" } else { "0" })
        .stdin(std::process::Stdio::null())
        .spawn();
    let command = command.clone();
    match child {
        Ok(mut child) => {
            tokio::spawn(async move {
                match child.wait().await {
                    Ok(status) => log(&format!("`{command}` ended: {status}")),
                    Err(e) => log(&format!("`{command}`: {e}")),
                }
            });
        }
        Err(e) => log(&format!("cannot run `{command}`: {e}")),
    }
}
