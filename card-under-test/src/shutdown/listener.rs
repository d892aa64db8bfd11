//! The card's side of the shutdown protocol: agents connect, prove the shared secret, get a
//! row in the client table (§15) for as long as they stay, and hear every order.
//!
//! Strangers get little: the card's firewall (§18.15) covers this port; the card proves
//! the secret only to an agent that proved it first; at most `MAX_HANDSHAKES` handshakes
//! are under way at once (more connections are closed at once); refusals are logged
//! `REFUSALS_PER_MINUTE` a minute at most, the rest counted in the next line, their peer's
//! text made printable; and an agent that stops reading is dropped after `WRITE_TIMEOUT`.

use super::ClientRow;
use super::Shutdown;
use super::protocol::{self, Handshake, Message, ProtocolError, Session};
use crate::alarms::Severity;
use crate::run::Shared;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncWrite, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The handshake must be over within this.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Most agents at once: "up to 250 servers/workstations or HOSTS/VM" (NET VISION manual, §3).
pub const MAX_CLIENTS: usize = 250;
/// Handshakes under way at once: what an unauthenticated flood can hold.
pub const MAX_HANDSHAKES: usize = 16;
/// A write to an agent must be taken within this.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Refusals logged per minute at most (each line is a record of the 2048 the events log
/// keeps, and an fsync).
pub const REFUSALS_PER_MINUTE: u32 = 5;
/// Longest agent name kept.
const MAX_NAME_CHARS: usize = 64;
/// Longest peer text a log line quotes.
const QUOTED_CHARS: usize = 80;

/// Accepts agents for ever; a failed accept (no file descriptor left) is retried.
pub async fn serve(listener: TcpListener, shared: Shared, shutdown: Shutdown) {
    let handshakes = Arc::new(Semaphore::new(MAX_HANDSHAKES));
    let refusals = Arc::new(Mutex::new(Refusals::default()));
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                // Refused by the firewall: closed, unheard.
                if !shared.lock().config.firewall.allows(peer.ip()) {
                    continue;
                }
                let Ok(permit) = handshakes.clone().try_acquire_owned() else {
                    refusals.lock().unwrap_or_else(|p| p.into_inner()).unsaid += 1;
                    continue;
                };
                let refusals = refusals.clone();
                tokio::spawn(connection(stream, peer, shared.clone(), shutdown.clone(), permit, refusals));
            }
            Err(e) => {
                eprintln!("upstwin card: shutdown agents: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

fn log(shared: &Shared, level: Severity, line: &str) {
    let mut agent = shared.lock();
    let stamp = agent.clock.stamp();
    agent.card.service_event(stamp, level, line);
}

/// The refusals logged in the current minute, and those not logged since the last line.
#[derive(Debug, Default)]
struct Refusals {
    minute_start_s: f64,
    logged: u32,
    unsaid: u64,
}

impl Refusals {
    /// The line to log for a refusal at `now_s`, if one may be logged: it says how many
    /// went unlogged before it.
    fn line(&mut self, now_s: f64, line: String) -> Option<String> {
        if now_s - self.minute_start_s >= 60.0 || now_s < self.minute_start_s {
            (self.minute_start_s, self.logged) = (now_s, 0);
        }
        if self.logged >= REFUSALS_PER_MINUTE {
            self.unsaid += 1;
            return None;
        }
        self.logged += 1;
        Some(match std::mem::take(&mut self.unsaid) {
            0 => line,
            unsaid => format!("{line} ({unsaid} more refused before, not logged)"),
        })
    }
}

/// Peer text as a log line may quote it: one line, printable, short.
fn printable(text: &str) -> String {
    let mut shown: String =
        text.chars().take(QUOTED_CHARS).map(|c| if c.is_control() { '?' } else { c }).collect();
    if text.chars().count() > QUOTED_CHARS {
        shown.push('…');
    }
    shown
}

async fn refuse(shared: &Shared, refusals: &Mutex<Refusals>, peer: SocketAddr, reason: &str) {
    let now_s = shared.lock().clock.now_s();
    let line = format!("Shutdown client {} refused: {}", peer.ip(), printable(reason));
    let logged = refusals.lock().unwrap_or_else(|p| p.into_inner()).line(now_s, line);
    if let Some(line) = logged {
        log(shared, Severity::Warning, &line);
    }
}

/// `line` written within `WRITE_TIMEOUT`.
async fn write_in_time(write: &mut (impl AsyncWrite + Unpin), line: &str) -> Result<(), ProtocolError> {
    match tokio::time::timeout(WRITE_TIMEOUT, protocol::write_line(write, line)).await {
        Ok(written) => Ok(written?),
        Err(_) => {
            Err(ProtocolError::Bad(format!("the agent took nothing for {} s", WRITE_TIMEOUT.as_secs())))
        }
    }
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Shared,
    shutdown: Shutdown,
    handshaking: OwnedSemaphorePermit,
    refusals: Arc<Mutex<Refusals>>,
) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let handshake =
        tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake(&mut reader, &mut write, peer, &shared, &shutdown));
    let (mut session, row, welcome) = match handshake.await {
        Ok(Ok(accepted)) => accepted,
        Ok(Err(why)) => {
            let reason = why.to_string();
            let refused =
                serde_json::to_string(&Handshake::Refused { reason: reason.clone() }).unwrap_or_default();
            let _ = write_in_time(&mut write, &refused).await;
            refuse(&shared, &refusals, peer, &reason).await;
            return;
        }
        Err(_) => {
            refuse(&shared, &refusals, peer, "no handshake").await;
            return;
        }
    };
    drop(handshaking);
    let mut orders = shutdown.lock().to_agents.subscribe();
    let ended = serve_agent(reader, &mut write, &mut session, &mut orders, welcome).await;
    let mut agent = shared.lock();
    shutdown.lock().clients.retain(|r| r.index != row.index);
    let stamp = agent.clock.stamp();
    let line = format!(
        "Shutdown client {} ({}) disconnected: {}",
        row.client_name,
        row.ip_address,
        printable(&ended)
    );
    agent.card.service_event(stamp, Severity::Information, &line);
}

/// The agent's hello and proof; the session, the agent's row and the welcome that proves
/// the card's knowledge of the secret in turn.
async fn handshake(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    write: &mut tokio::net::tcp::OwnedWriteHalf,
    peer: SocketAddr,
    shared: &Shared,
    shutdown: &Shutdown,
) -> Result<(Session, ClientRow, Handshake), ProtocolError> {
    let Handshake::Hello { protocol: name_of_protocol, version, name, nonce: agent_nonce } =
        protocol::read_handshake(reader).await?
    else {
        return Err(ProtocolError::Bad("expected hello".into()));
    };
    if name_of_protocol != protocol::PROTOCOL || version != protocol::VERSION {
        return Err(ProtocolError::Bad(format!(
            "{name_of_protocol} version {version} is not spoken here: this card speaks {} version {}",
            protocol::PROTOCOL,
            protocol::VERSION
        )));
    }
    let name_ok = (1..=MAX_NAME_CHARS).contains(&name.chars().count()) && !name.chars().any(char::is_control);
    if !name_ok || agent_nonce.len() < 16 {
        return Err(ProtocolError::Bad(format!(
            "a name of 1 to {MAX_NAME_CHARS} printable characters and a nonce"
        )));
    }
    let (secret, card_name) = {
        let agent = shared.lock();
        (agent.config.shutdown.agents.secret.clone(), agent.config.host_name())
    };
    if secret.is_empty() {
        return Err(ProtocolError::Bad("the card has no shared secret set".into()));
    }
    let card_nonce = protocol::nonce();
    let challenge = Handshake::Challenge {
        version: protocol::VERSION,
        card: card_name.clone(),
        nonce: card_nonce.clone(),
    };
    write_in_time(write, &serde_json::to_string(&challenge).unwrap_or_default()).await?;
    let Handshake::Auth { proof } = protocol::read_handshake(reader).await? else {
        return Err(ProtocolError::Bad("expected auth".into()));
    };
    if !protocol::verify(&secret, "agent", &[&card_nonce, &agent_nonce, &name], &proof) {
        return Err(ProtocolError::Bad(format!("{name}: authentication failed (not the shared secret)")));
    }
    let mut agent = shared.lock();
    let mut state = shutdown.lock();
    if state.clients.len() >= MAX_CLIENTS {
        return Err(ProtocolError::Bad(format!("the client table is full ({MAX_CLIENTS})")));
    }
    let index = (1..).find(|i| state.clients.iter().all(|r| r.index != *i)).unwrap_or(0);
    let stamp = agent.clock.stamp();
    let row = ClientRow { index, ip_address: peer.ip(), client_name: name, connected_time: stamp };
    // In the table from now on, so two agents at once get two rows.
    state.clients.push(row.clone());
    let line = format!("Shutdown client {} ({}) connected", row.client_name, row.ip_address);
    agent.card.service_event(stamp, Severity::Information, &line);
    let proof = protocol::proof(&secret, "card", &[&agent_nonce, &card_nonce, &card_name]);
    let welcome = Handshake::Welcome { client: row.index, proof };
    Ok((Session::new(&secret, &agent_nonce, &card_nonce), row, welcome))
}

/// Sends the welcome, then every order and a ping when idle; reads the acks (in a task of
/// their own: a line half read is never lost to the select). Returns why the connection
/// ended.
async fn serve_agent(
    mut reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    write: &mut tokio::net::tcp::OwnedWriteHalf,
    session: &mut Session,
    orders: &mut tokio::sync::broadcast::Receiver<Message>,
    welcome: Handshake,
) -> String {
    if let Err(e) = write_in_time(write, &serde_json::to_string(&welcome).unwrap_or_default()).await {
        return e.to_string();
    }
    let (lines_in, mut lines) = tokio::sync::mpsc::channel(8);
    let read_task = tokio::spawn(async move {
        loop {
            let line = protocol::read_line(&mut reader).await;
            let end = line.is_err();
            if lines_in.send(line).await.is_err() || end {
                return;
            }
        }
    });
    let _stop_reading = AbortOnDrop(read_task);
    let mut seq = 0;
    let mut ping = tokio::time::interval(Duration::from_secs(protocol::PING_EVERY_S));
    ping.tick().await;
    loop {
        let message = tokio::select! {
            order = orders.recv() => match order {
                Ok(message) => message,
                Err(RecvError::Lagged(missed)) => return format!("{missed} messages behind"),
                Err(RecvError::Closed) => return "the card stops".into(),
            },
            line = lines.recv() => {
                match line.unwrap_or(Err(ProtocolError::Closed)).and_then(|line| session.open(&line)) {
                    Ok(Message::Ack { .. }) => continue,
                    Ok(other) => return format!("an agent sends acks only, not {other:?}"),
                    Err(e) => return e.to_string(),
                }
            }
            _ = ping.tick() => Message::Ping { seq: 0 },
        };
        seq += 1;
        let numbered = renumber(message, seq);
        if let Err(e) = write_in_time(write, &session.seal(&numbered)).await {
            return e.to_string();
        }
        ping.reset();
    }
}

/// Stops the reading task when the connection ends.
#[derive(Debug)]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn renumber(message: Message, seq: u64) -> Message {
    match message {
        Message::Warning { event, test, shutdown_in_s, .. } => {
            Message::Warning { seq, event, test, shutdown_in_s }
        }
        Message::Shutdown { event, test, .. } => Message::Shutdown { seq, event, test },
        Message::Cancel { event, test, .. } => Message::Cancel { seq, event, test },
        Message::Ping { .. } => Message::Ping { seq },
        Message::Ack { .. } => Message::Ack { seq },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::config::{Config, FirewallAction, FirewallRule};
    use crate::link::Link;
    use crate::logs::LogKind;
    use crate::stack::Stack;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

    const SECRET: &str = "correct-horse-battery";
    /// Far above what is waited for: a loaded machine is not a failure.
    const GENEROUS: Duration = Duration::from_secs(20);

    /// A card listening for agents with `config`'s firewall; its address and state.
    async fn listening(name: &str, firewall: Option<FirewallRule>) -> (SocketAddr, Shared) {
        let mut config = Config::default();
        config.shutdown.agents.secret = SECRET.into();
        if let Some(rule) = firewall {
            config.firewall.enabled = true;
            config.firewall.rules.push(rule);
        }
        let dir = std::env::temp_dir().join(format!("upstwin-agents-{name}-{}", std::process::id()));
        let site = Stack::new(Link::Tcp(([127, 0, 0, 1], 9).into()), Clock::system(), config, &dir)
            .build()
            .unwrap()
            .site;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(serve(listener, site.card.clone(), site.shutdown.clone()));
        (address, site.card)
    }

    /// A stranger's connection: what it reads after sending `line` (empty: closed).
    async fn say(address: SocketAddr, line: &str) -> String {
        let mut stream = TcpStream::connect(address).await.unwrap();
        let _ = stream.write_all(format!("{line}\n").as_bytes()).await;
        let mut reader = BufReader::new(stream);
        let mut heard = String::new();
        let read = tokio::time::timeout(GENEROUS, reader.read_line(&mut heard)).await;
        assert!(read.is_ok(), "the card answered or closed");
        heard
    }

    fn hello(protocol: &str) -> String {
        let hello = Handshake::Hello {
            protocol: protocol.into(),
            version: protocol::VERSION,
            name: "web-1".into(),
            nonce: protocol::nonce(),
        };
        serde_json::to_string(&hello).unwrap()
    }

    fn refusal_lines(shared: &Shared) -> Vec<String> {
        let agent = shared.lock();
        let records = agent.card.logs().records(LogKind::CardEvents);
        records.map(|r| r.join(" ")).filter(|r| r.contains("refused")).collect()
    }

    #[tokio::test]
    async fn the_card_proves_the_secret_only_to_an_agent_that_proved_it_first() {
        let (address, _) = listening("first", None).await;
        let challenge = say(address, &hello(protocol::PROTOCOL)).await;
        let challenge: serde_json::Value = serde_json::from_str(&challenge).unwrap();
        assert_eq!(challenge["type"], "challenge");
        assert!(challenge.get("proof").is_none(), "nothing to guess the secret from: {challenge}");
        let connected = super::super::client::connect(&address.to_string(), "web-1", SECRET).await.unwrap();
        assert_eq!(connected.client, 1, "an agent with the secret is welcomed, the card proven");
        let wrong = super::super::client::connect(&address.to_string(), "web-2", "not-the-secret!!").await;
        assert!(wrong.unwrap_err().to_string().contains("authentication failed"));
    }

    #[tokio::test]
    async fn a_flood_of_strangers_logs_a_few_printable_lines() {
        let (address, shared) = listening("flood", None).await;
        for _ in 0..30 {
            assert!(say(address, &hello("evil\nInjected line")).await.contains("refused"));
        }
        let lines = refusal_lines(&shared);
        assert_eq!(lines.len(), REFUSALS_PER_MINUTE as usize, "{lines:#?}");
        assert!(lines.iter().all(|l| !l.contains('\n') && l.contains("evil?Injected")), "{lines:#?}");
    }

    #[tokio::test]
    async fn the_firewall_covers_the_agents_port() {
        let rule = FirewallRule {
            address: "127.0.0.1".parse().unwrap(),
            prefix_length: 32,
            action: FirewallAction::Reject,
        };
        let (address, shared) = listening("firewall", Some(rule)).await;
        assert_eq!(say(address, &hello(protocol::PROTOCOL)).await, "", "closed, unheard");
        assert!(refusal_lines(&shared).is_empty());
    }

    #[tokio::test]
    async fn handshakes_beyond_the_cap_are_closed_at_once() {
        let (address, _) = listening("cap", None).await;
        let mut silent = Vec::new();
        for _ in 0..MAX_HANDSHAKES {
            silent.push(TcpStream::connect(address).await.unwrap());
        }
        // The card has taken them all once one more is closed before the handshake time.
        let closed =
            tokio::time::timeout(HANDSHAKE_TIMEOUT / 2, say(address, &hello(protocol::PROTOCOL))).await;
        assert_eq!(closed.ok().as_deref(), Some(""), "closed at once, not answered");
    }

    /// A stalled agent (it reads nothing, its buffer is full) costs the card a writer for
    /// `WRITE_TIMEOUT`, never for ever; one that reads gets the line at once.
    #[tokio::test(start_paused = true)]
    async fn a_write_to_an_agent_that_reads_nothing_gives_up_after_the_write_timeout() {
        use tokio::io::AsyncReadExt;
        let line = "x".repeat(200);
        // The agent's end stays open (held, never read) for the whole test.
        let (mut card_side, _stalled_agent) = tokio::io::duplex(64);
        let started = tokio::time::Instant::now();
        let stalled = write_in_time(&mut card_side, &line).await;
        assert!(
            matches!(&stalled, Err(ProtocolError::Bad(why)) if why == "the agent took nothing for 10 s"),
            "{stalled:?}"
        );
        assert_eq!(started.elapsed(), WRITE_TIMEOUT);

        let (mut card_side, mut reading_agent) = tokio::io::duplex(64);
        let reader = tokio::spawn(async move {
            let mut text = String::new();
            reading_agent.read_to_string(&mut text).await.map(|_| text)
        });
        write_in_time(&mut card_side, &line).await.expect("written to a reading agent");
        drop(card_side);
        assert_eq!(reader.await.unwrap().unwrap().trim_end(), line);
    }
}
