//! The scenario's shutdown agent: connects to an exec card's agents port as `upstwin agent`
//! does (reconnecting while the card starts or restarts) and keeps every order it hears.
//! In co-simulation the reference card's messages arrive through memory instead.

use super::{Inbox, keep};
use card::shutdown::client;
use card::shutdown::protocol::Message;
use scenarios::replay::Observer;
use std::time::Duration;

/// The agent's name in the card's client table.
pub const NAME: &str = "upstwin-observer";

/// The line of a message as the reference card handed it over (the protocol's JSON).
pub fn line(json: &[u8]) -> String {
    match serde_json::from_slice::<Message>(json) {
        Ok(message) => message.to_string(),
        Err(e) => format!("not a shutdown message: {e}"),
    }
}

/// Follows the card at `address` for ever.
pub async fn follow(address: std::net::SocketAddr, secret: String, inbox: Inbox) {
    loop {
        if let Ok(mut connection) = client::connect(&address.to_string(), NAME, &secret).await {
            while let Ok(message) = connection.next().await {
                if !matches!(message, Message::Ping { .. }) {
                    keep(&inbox, Observer::Agent, message.to_string());
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
