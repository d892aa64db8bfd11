//! The agent's side of the shutdown protocol (used by `upstwin agent` and by the scenario
//! runner's agent observer): connect, prove the shared secret, check that the card proves it
//! back — a card that does not is not on the authorization list — then read the card's
//! orders, acknowledging each.

use super::protocol::{self, Handshake, Message, ProtocolError, Session};
use std::time::Duration;
use tokio::io::BufReader;
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// The handshake must be over within this.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection to a card that proved the secret.
#[derive(Debug)]
pub struct Connection {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    session: Session,
    /// The card's name, as it gave it.
    pub card: String,
    /// Our row in its client table.
    pub client: u32,
}

/// Connects to the card at `address` as `name`.
pub async fn connect(address: &str, name: &str, secret: &str) -> Result<Connection, ProtocolError> {
    let stream = tokio::time::timeout(HANDSHAKE_TIMEOUT, TcpStream::connect(address))
        .await
        .map_err(|_| ProtocolError::Bad("no answer".into()))??;
    let (read, mut writer) = stream.into_split();
    let mut reader = BufReader::new(read);
    let agent_nonce = protocol::nonce();
    let handshake = async {
        let hello = Handshake::Hello {
            protocol: protocol::PROTOCOL.into(),
            version: protocol::VERSION,
            name: name.into(),
            nonce: agent_nonce.clone(),
        };
        protocol::write_handshake(&mut writer, &hello).await?;
        let Handshake::Challenge { version, card, nonce: card_nonce } =
            protocol::read_handshake(&mut reader).await?
        else {
            return Err(ProtocolError::Bad("expected challenge".into()));
        };
        if version != protocol::VERSION {
            return Err(ProtocolError::Bad(format!(
                "the card speaks version {version}, we speak {}",
                protocol::VERSION
            )));
        }
        let auth =
            Handshake::Auth { proof: protocol::proof(secret, "agent", &[&card_nonce, &agent_nonce, name]) };
        protocol::write_handshake(&mut writer, &auth).await?;
        let Handshake::Welcome { client, proof } = protocol::read_handshake(&mut reader).await? else {
            return Err(ProtocolError::Bad("expected welcome".into()));
        };
        if !protocol::verify(secret, "card", &[&agent_nonce, &card_nonce, &card], &proof) {
            let why = format!("card {card} did not prove the shared secret: not an authorized card");
            let _ = protocol::write_handshake(&mut writer, &Handshake::Refused { reason: why.clone() }).await;
            return Err(ProtocolError::Bad(why));
        }
        Ok((card, client, Session::new(secret, &agent_nonce, &card_nonce)))
    };
    let (card, client, session) = tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake)
        .await
        .map_err(|_| ProtocolError::Bad("no handshake".into()))??;
    Ok(Connection { reader, writer, session, card, client })
}

impl Connection {
    /// The card's next message, acknowledged; an error ends the connection. A card silent
    /// for three ping intervals is taken as gone.
    pub async fn next(&mut self) -> Result<Message, ProtocolError> {
        let silence = Duration::from_secs(3 * protocol::PING_EVERY_S);
        let line = tokio::time::timeout(silence, protocol::read_line(&mut self.reader))
            .await
            .map_err(|_| ProtocolError::Bad(format!("the card was silent for {} s", silence.as_secs())))??;
        let message = self.session.open(&line)?;
        if let Message::Ack { .. } = message {
            return Err(ProtocolError::Bad("a card sends no acks".into()));
        }
        let ack = Message::Ack { seq: message.seq() };
        protocol::write_line(&mut self.writer, &self.session.seal(&ack)).await?;
        Ok(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncBufReadExt;

    /// A card that takes any proof and cannot prove the secret itself: the agent leaves.
    #[tokio::test]
    async fn an_agent_refuses_a_card_that_cannot_prove_the_secret() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let rogue = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            lines.next_line().await.unwrap();
            let challenge = Handshake::Challenge {
                version: protocol::VERSION,
                card: "rogue".into(),
                nonce: protocol::nonce(),
            };
            protocol::write_handshake(&mut write, &challenge).await.unwrap();
            lines.next_line().await.unwrap();
            protocol::write_handshake(&mut write, &Handshake::Welcome { client: 1, proof: "00".repeat(32) })
                .await
                .unwrap();
            lines.next_line().await.unwrap().unwrap_or_default()
        });
        let refused = connect(&address, "web-1", "correct-horse-battery").await.unwrap_err();
        assert!(refused.to_string().contains("did not prove the shared secret"), "{refused}");
        assert!(rogue.await.unwrap().contains("refused"), "the agent says so before it leaves");
    }
}
