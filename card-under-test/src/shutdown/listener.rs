//! The card's side of the shutdown protocol: agents connect, prove the shared secret, get a
//! row in the client table (§15) for as long as they stay, and hear every order.

use super::ClientRow;
use super::Shutdown;
use super::protocol::{self, Handshake, Message, ProtocolError, Session};
use crate::alarms::Severity;
use crate::run::Shared;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::BufReader;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast::error::RecvError;

/// The handshake must be over within this.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Most agents at once: "up to 250 servers/workstations or HOSTS/VM" (NET VISION manual, §3).
pub const MAX_CLIENTS: usize = 250;
/// Longest agent name kept.
const MAX_NAME_CHARS: usize = 64;

/// Accepts agents for ever; a failed accept (no file descriptor left) is retried.
pub async fn serve(listener: TcpListener, shared: Shared, shutdown: Shutdown) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                tokio::spawn(connection(stream, peer, shared.clone(), shutdown.clone()));
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

async fn connection(stream: TcpStream, peer: SocketAddr, shared: Shared, shutdown: Shutdown) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let handshake =
        tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake(&mut reader, &mut write, peer, &shared, &shutdown));
    let (mut session, row) = match handshake.await {
        Ok(Ok(accepted)) => accepted,
        Ok(Err(why)) => {
            let reason = why.to_string();
            let _ =
                protocol::write_handshake(&mut write, &Handshake::Refused { reason: reason.clone() }).await;
            log(&shared, Severity::Warning, &format!("Shutdown client {} refused: {reason}", peer.ip()));
            return;
        }
        Err(_) => {
            log(&shared, Severity::Warning, &format!("Shutdown client {} refused: no handshake", peer.ip()));
            return;
        }
    };
    let mut orders = shutdown.lock().to_agents.subscribe();
    let welcome = Handshake::Welcome { client: row.index };
    let ended = serve_agent(reader, &mut write, &mut session, &mut orders, welcome).await;
    let mut agent = shared.lock();
    shutdown.lock().clients.retain(|r| r.index != row.index);
    let stamp = agent.clock.stamp();
    let line = format!("Shutdown client {} ({}) disconnected: {ended}", row.client_name, row.ip_address);
    agent.card.service_event(stamp, Severity::Information, &line);
}

/// The agent's hello and proof; the session and the agent's row.
async fn handshake(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    write: &mut tokio::net::tcp::OwnedWriteHalf,
    peer: SocketAddr,
    shared: &Shared,
    shutdown: &Shutdown,
) -> Result<(Session, ClientRow), ProtocolError> {
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
    let proof = protocol::proof(&secret, "card", &[&agent_nonce, &card_nonce, &card_name]);
    let challenge = Handshake::Challenge {
        version: protocol::VERSION,
        card: card_name,
        nonce: card_nonce.clone(),
        proof,
    };
    protocol::write_handshake(write, &challenge).await?;
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
    Ok((Session::new(&secret, &agent_nonce, &card_nonce), row))
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
    if let Err(e) = protocol::write_handshake(write, &welcome).await {
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
        if let Err(e) = protocol::write_line(write, &session.seal(&numbered)).await {
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
