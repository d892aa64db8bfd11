//! The upstwin shutdown protocol, version 1: how a card tells its shutdown agents (the
//! JNC / RCCMD role, §15, §16.8) to warn, shut down or stand down. Documented for other
//! implementers in `card-under-test/PROTOCOL.md`.
//!
//! TCP; the agent connects to the card. One JSON object per line (UTF-8, at most
//! `MAX_LINE_BYTES`). Both sides prove a shared secret with HMAC-SHA256 over fresh nonces
//! (the secret never crosses the wire), then every message is a line `MAC JSON`, the MAC
//! (hex) keyed with a session key drawn from the secret and both nonces, the JSON carrying a
//! sequence number that must go up: a message cannot be forged, altered or replayed.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};

pub const PROTOCOL: &str = "upstwin-shutdown";
/// 2: the agent proves the secret first (version 1 had the card prove it to anyone who
/// said hello, giving strangers something to guess the secret from offline).
pub const VERSION: u32 = 2;
/// The longest line either side accepts.
pub const MAX_LINE_BYTES: u64 = 4096;

type HmacSha256 = Hmac<Sha256>;

/// The handshake, in order: `Hello` (agent), `Challenge` (card), `Auth` (agent), then
/// `Welcome` (card); either side may answer `Refused` instead and close. The agent proves
/// the secret first; the card proves it only to an agent that has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Handshake {
    Hello {
        protocol: String,
        version: u32,
        name: String,
        nonce: String,
    },
    Challenge {
        version: u32,
        card: String,
        nonce: String,
    },
    /// `proof`: `proof(secret, "agent", [card nonce, agent nonce, agent name])`.
    Auth {
        proof: String,
    },
    /// The agent's row in the card's client table (§15); `proof`: `proof(secret, "card",
    /// [agent nonce, card nonce, card name])`.
    Welcome {
        client: u32,
        proof: String,
    },
    Refused {
        reason: String,
    },
}

/// After the handshake: the card's orders (and pings), the agent's acknowledgements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Message {
    /// Shut down in `shutdown_in_s` (absent: a warning only).
    Warning {
        seq: u64,
        event: String,
        test: bool,
        shutdown_in_s: Option<u32>,
    },
    Shutdown {
        seq: u64,
        event: String,
        test: bool,
    },
    /// The shutdown is off: the agent goes back to normal.
    Cancel {
        seq: u64,
        event: String,
        test: bool,
    },
    /// The card is there (every `PING_EVERY_S`).
    Ping {
        seq: u64,
    },
    /// The agent got message `seq`.
    Ack {
        seq: u64,
    },
}

/// How often the card pings an idle agent; an agent that hears nothing for three times
/// this long takes the card as gone and reconnects.
pub const PING_EVERY_S: u64 = 20;

impl Message {
    pub fn seq(&self) -> u64 {
        match self {
            Message::Warning { seq, .. }
            | Message::Shutdown { seq, .. }
            | Message::Cancel { seq, .. }
            | Message::Ping { seq }
            | Message::Ack { seq } => *seq,
        }
    }
}

impl std::fmt::Display for Message {
    /// As agents log it: `warning: EVENT, shutdown in N s`, `shutdown: EVENT`, `cancel:
    /// EVENT`, with ` (test)` during the shutdown test.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let test = |test: bool| if test { " (test)" } else { "" };
        match self {
            Message::Warning { event, test: t, shutdown_in_s: Some(s), .. } => {
                write!(f, "warning: {event}, shutdown in {s} s{}", test(*t))
            }
            Message::Warning { event, test: t, shutdown_in_s: None, .. } => {
                write!(f, "warning: {event}{}", test(*t))
            }
            Message::Shutdown { event, test: t, .. } => write!(f, "shutdown: {event}{}", test(*t)),
            Message::Cancel { event, test: t, .. } => write!(f, "cancel: {event}{}", test(*t)),
            Message::Ping { .. } => write!(f, "ping"),
            Message::Ack { seq } => write!(f, "ack {seq}"),
        }
    }
}

/// Why a peer was refused or a connection ended.
#[derive(Debug)]
pub enum ProtocolError {
    Io(std::io::Error),
    /// The peer broke the protocol (a bad line, a bad MAC, a replay).
    Bad(String),
    /// The peer refused us, saying why.
    Refused(String),
    /// The peer closed the connection.
    Closed,
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProtocolError::Io(e) => write!(f, "{e}"),
            ProtocolError::Bad(why) => write!(f, "protocol error: {why}"),
            ProtocolError::Refused(why) => write!(f, "refused: {why}"),
            ProtocolError::Closed => write!(f, "connection closed"),
        }
    }
}

impl From<std::io::Error> for ProtocolError {
    fn from(e: std::io::Error) -> Self {
        ProtocolError::Io(e)
    }
}

/// 16 random bytes, hex.
pub fn nonce() -> String {
    let mut bytes = [0u8; 16];
    // The operating system's generator; if it failed, a predictable nonce would weaken
    // replay protection, so the time is mixed in rather than zeros.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        bytes.copy_from_slice(&nanos.as_nanos().to_le_bytes());
    }
    hex::encode(bytes)
}

fn mac(key: &[u8], role: &str, parts: &[&str]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(PROTOCOL.as_bytes());
    for part in std::iter::once(role).chain(parts.iter().copied()) {
        mac.update(b"\n");
        mac.update(part.as_bytes());
    }
    mac
}

/// Proves knowledge of `secret` for `role` ("card" or "agent") over `parts`.
pub fn proof(secret: &str, role: &str, parts: &[&str]) -> String {
    hex::encode(mac(secret.as_bytes(), role, parts).finalize().into_bytes())
}

/// Whether `given` proves the secret (compared in constant time).
pub fn verify(secret: &str, role: &str, parts: &[&str], given: &str) -> bool {
    hex::decode(given).is_ok_and(|bytes| mac(secret.as_bytes(), role, parts).verify_slice(&bytes).is_ok())
}

/// Signs and checks the messages of one connection.
#[derive(Debug)]
pub struct Session {
    key: Vec<u8>,
    /// The last sequence number received.
    last_seq: u64,
}

impl Session {
    pub fn new(secret: &str, agent_nonce: &str, card_nonce: &str) -> Self {
        let key =
            mac(secret.as_bytes(), "session", &[agent_nonce, card_nonce]).finalize().into_bytes().to_vec();
        Self { key, last_seq: 0 }
    }

    /// The line for `message` (without its newline).
    pub fn seal(&self, message: &Message) -> String {
        let json = serde_json::to_string(message).expect("messages serialize");
        format!("{} {json}", hex::encode(mac(&self.key, "message", &[&json]).finalize().into_bytes()))
    }

    /// The message of `line`, if its MAC holds and its number goes up. Acks repeat the
    /// number they acknowledge, so they only must not go down.
    pub fn open(&mut self, line: &str) -> Result<Message, ProtocolError> {
        let (tag, json) =
            line.split_once(' ').ok_or_else(|| ProtocolError::Bad("expected `MAC JSON`".into()))?;
        let bytes = hex::decode(tag).map_err(|_| ProtocolError::Bad("the MAC is not hex".into()))?;
        if mac(&self.key, "message", &[json]).verify_slice(&bytes).is_err() {
            return Err(ProtocolError::Bad("bad MAC: not signed with the shared secret".into()));
        }
        let message: Message =
            serde_json::from_str(json).map_err(|e| ProtocolError::Bad(format!("bad message: {e}")))?;
        let seq = message.seq();
        let fresh = match message {
            Message::Ack { .. } => seq >= self.last_seq,
            _ => seq > self.last_seq,
        };
        if !fresh {
            return Err(ProtocolError::Bad(format!("message {seq} replayed (last was {})", self.last_seq)));
        }
        self.last_seq = seq;
        Ok(message)
    }
}

/// The next line, without its end; `MAX_LINE_BYTES` at most.
pub async fn read_line(reader: &mut (impl AsyncBufRead + Unpin)) -> Result<String, ProtocolError> {
    let mut line = String::new();
    let read = reader.take(MAX_LINE_BYTES + 1).read_line(&mut line).await?;
    if read == 0 {
        return Err(ProtocolError::Closed);
    }
    if !line.ends_with('\n') {
        return Err(ProtocolError::Bad(format!("a line longer than {MAX_LINE_BYTES} bytes")));
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub async fn read_handshake(reader: &mut (impl AsyncBufRead + Unpin)) -> Result<Handshake, ProtocolError> {
    let line = read_line(reader).await?;
    match serde_json::from_str(&line) {
        Ok(Handshake::Refused { reason }) => Err(ProtocolError::Refused(reason)),
        Ok(handshake) => Ok(handshake),
        Err(e) => Err(ProtocolError::Bad(format!("expected a handshake message: {e}"))),
    }
}

pub async fn write_line(writer: &mut (impl AsyncWrite + Unpin), line: &str) -> std::io::Result<()> {
    writer.write_all(format!("{line}\n").as_bytes()).await?;
    writer.flush().await
}

pub async fn write_handshake(
    writer: &mut (impl AsyncWrite + Unpin),
    handshake: &Handshake,
) -> std::io::Result<()> {
    write_line(writer, &serde_json::to_string(handshake).expect("handshakes serialize")).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_message_opens_once_and_a_tampered_or_foreign_one_does_not() {
        let card = Session::new("correct horse battery", "a1", "c1");
        let mut agent = Session::new("correct horse battery", "a1", "c1");
        let warning = Message::Warning {
            seq: 1,
            event: "UPS on battery (AC Failed)".into(),
            test: false,
            shutdown_in_s: Some(270),
        };
        let line = card.seal(&warning);
        assert_eq!(agent.open(&line).unwrap(), warning);
        assert!(agent.open(&line).unwrap_err().to_string().contains("replayed"));
        let tampered = card.seal(&Message::Ping { seq: 2 }).replace("\"seq\":2", "\"seq\":3");
        assert!(agent.open(&tampered).unwrap_err().to_string().contains("bad MAC"));
        let stranger = Session::new("another secret!", "a1", "c1");
        assert!(
            agent
                .open(&stranger.seal(&Message::Ping { seq: 9 }))
                .unwrap_err()
                .to_string()
                .contains("bad MAC")
        );
        assert!(agent.open("no mac").is_err());
    }

    #[test]
    fn proofs_bind_the_secret_the_role_and_the_nonces() {
        let given = proof("s3cret-s3cret", "card", &["n1", "n2", "Server room"]);
        assert!(verify("s3cret-s3cret", "card", &["n1", "n2", "Server room"], &given));
        assert!(!verify("s3cret-s3cret", "agent", &["n1", "n2", "Server room"], &given));
        assert!(!verify("s3cret-s3cret", "card", &["n1", "n3", "Server room"], &given));
        assert!(!verify("other-secret", "card", &["n1", "n2", "Server room"], &given));
        assert!(!verify("s3cret-s3cret", "card", &["n1", "n2", "Server room"], "zz"));
        assert_ne!(nonce(), nonce());
    }

    #[tokio::test]
    async fn lines_longer_than_the_limit_are_refused() {
        let long = format!("{}\n", "x".repeat(5000));
        let mut reader = tokio::io::BufReader::new(long.as_bytes());
        assert!(read_line(&mut reader).await.unwrap_err().to_string().contains("longer than"));
        let mut empty = tokio::io::BufReader::new(&b""[..]);
        assert!(matches!(read_line(&mut empty).await, Err(ProtocolError::Closed)));
    }
}
