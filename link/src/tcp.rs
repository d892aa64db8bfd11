//! The Modbus TCP pump: a listener, and one task per connection that hands its bytes to
//! `sim`'s `TcpSession` under the twin's lock and sends the replies when they are due.

use crate::wall;
use sim::twin::SharedTwin;
use sim::wire::session::TcpSession;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, sleep_until};

/// Accepts connections forever; each is served on its own task.
pub async fn serve(listener: TcpListener, twin: SharedTwin) -> std::io::Result<()> {
    loop {
        let (stream, peer) = listener.accept().await?;
        let twin = twin.clone();
        tokio::spawn(async move {
            // A client that misbehaves only loses its own connection.
            let _ = connection(stream, twin, format!("tcp:{peer}")).await;
        });
    }
}

async fn connection(mut stream: TcpStream, twin: SharedTwin, link: String) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut session = TcpSession::new(link);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        let arrived = Instant::now();
        let received = session.received(&mut twin.lock(), wall::now_s(), &chunk[..n]);
        for reply in received.replies {
            // A timer rounds to the millisecond: only a delayed reply (a wire fault) waits.
            let due = arrived + reply.after;
            if due > Instant::now() {
                sleep_until(due).await;
            }
            stream.write_all(&reply.bytes).await?;
            session.sent(&mut twin.lock(), wall::now_s(), &reply);
        }
        if received.close {
            return Ok(());
        }
    }
}
