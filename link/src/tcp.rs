//! The Modbus TCP pump: a listener, and one task per connection that hands its bytes to
//! `sim`'s `TcpSession` under the twin's lock and sends the replies when they are due.
//!
//! No client can take the service over (`Limits`): a failed `accept` (out of file
//! descriptors, say) is said once and retried with back-off, never the end of the service;
//! a connection silent for the idle time is closed; at most `max_clients` at once — one
//! more closes the connection idle longest if it has been silent a second at least, and is
//! closed itself otherwise.
//!
//! One listener may serve many twins (`serve_by_address`): a fleet's devices that share a
//! port share one socket, each connection going to the twin at the address the client
//! dialled, with the limits counted per twin.

use crate::wall;
use sim::twin::SharedTwin;
use sim::wire::session::TcpSession;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::time::{Instant, sleep, sleep_until, timeout};

/// What clients may hold of the service.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Connections at once.
    pub max_clients: usize,
    /// A connection silent this long is closed; `None`: never.
    pub idle: Option<Duration>,
}

impl Default for Limits {
    /// Many supervision tools may poll one twin; a real UPS card holds a few.
    fn default() -> Self {
        Self { max_clients: 128, idle: Some(Duration::from_secs(120)) }
    }
}

/// A connection may be closed for a newcomer once silent this long.
const EVICTABLE_AFTER: Duration = Duration::from_secs(1);
const FIRST_BACKOFF: Duration = Duration::from_millis(10);
const LONGEST_BACKOFF: Duration = Duration::from_secs(1);

/// Which twin answers at a local address (the one a client dialled); `None`: nobody there.
pub type Resolve = Arc<dyn Fn(SocketAddr) -> Option<SharedTwin> + Send + Sync>;

/// Accepts connections for `twin` until the task is dropped; each is served on its own task.
pub async fn serve(listener: TcpListener, twin: SharedTwin, limits: Limits) {
    serve_by_address(listener, Arc::new(move |_| Some(twin.clone())), limits).await;
}

/// Accepts connections until the task is dropped, each served by the twin `resolve` finds
/// at the address the client connected to (closed at once when there is none), with
/// `limits` for each twin.
pub async fn serve_by_address(listener: TcpListener, resolve: Resolve, limits: Limits) {
    let table: Table = Arc::new(Mutex::new(HashMap::new()));
    let mut backoff = FIRST_BACKOFF;
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => {
                backoff = FIRST_BACKOFF;
                accepted
            }
            Err(e) => {
                if backoff == FIRST_BACKOFF {
                    eprintln!("upstwin: tcp: cannot accept a connection ({e}); trying again");
                }
                sleep(backoff).await;
                backoff = (backoff * 2).min(LONGEST_BACKOFF);
                continue;
            }
        };
        // Refused (nobody at that address, or no room): the stream is dropped, which closes it.
        let Ok(local) = stream.local_addr() else { continue };
        let Some(twin) = resolve(local) else { continue };
        let admitted = lock(&table).entry(local).or_default().admit(Instant::now(), limits.max_clients);
        let Some((id, evicted)) = admitted else { continue };
        let table = table.clone();
        tokio::spawn(async move {
            let client = Client { id, local, table };
            // A client that misbehaves only loses its own connection.
            let _ = connection(stream, twin, format!("tcp:{peer}"), limits.idle, &client, &evicted).await;
        });
    }
}

/// The open connections of each twin, by the local address it answers at.
type Table = Arc<Mutex<HashMap<SocketAddr, Clients>>>;

fn lock(
    table: &Mutex<HashMap<SocketAddr, Clients>>,
) -> std::sync::MutexGuard<'_, HashMap<SocketAddr, Clients>> {
    table.lock().unwrap_or_else(|p| p.into_inner())
}

/// The open connections: when each last sent something, and how to close it.
#[derive(Debug, Default)]
struct Clients {
    next_id: u64,
    open: HashMap<u64, (Instant, Arc<Notify>)>,
}

impl Clients {
    /// A place for a new connection, making one by closing the connection silent longest
    /// when all are taken; `None` when none can be made.
    fn admit(&mut self, now: Instant, max_clients: usize) -> Option<(u64, Arc<Notify>)> {
        if self.open.len() >= max_clients {
            let (&oldest, (seen, _)) = self.open.iter().min_by_key(|(_, (seen, _))| *seen)?;
            if now.duration_since(*seen) < EVICTABLE_AFTER {
                return None;
            }
            if let Some((_, evict)) = self.open.remove(&oldest) {
                evict.notify_one();
            }
        }
        self.next_id += 1;
        let evict = Arc::new(Notify::new());
        self.open.insert(self.next_id, (now, evict.clone()));
        Some((self.next_id, evict))
    }
}

/// A connection's place, given back when its task ends.
struct Client {
    id: u64,
    local: SocketAddr,
    table: Table,
}

impl Client {
    fn heard(&self) {
        if let Some((seen, _)) = lock(&self.table).get_mut(&self.local).and_then(|c| c.open.get_mut(&self.id))
        {
            *seen = Instant::now();
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let mut table = lock(&self.table);
        if let Some(clients) = table.get_mut(&self.local) {
            clients.open.remove(&self.id);
            // A twin nobody is connected to costs nothing here.
            if clients.open.is_empty() {
                table.remove(&self.local);
            }
        }
    }
}

async fn connection(
    mut stream: TcpStream,
    twin: SharedTwin,
    link: String,
    idle: Option<Duration>,
    client: &Client,
    evicted: &Notify,
) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut session = TcpSession::new(link);
    let mut chunk = [0u8; 1024];
    loop {
        let read = async {
            match idle {
                Some(idle) => timeout(idle, stream.read(&mut chunk)).await.unwrap_or(Ok(0)),
                None => stream.read(&mut chunk).await,
            }
        };
        let n = tokio::select! {
            n = read => n?,
            () = evicted.notified() => return Ok(()),
        };
        if n == 0 {
            return Ok(());
        }
        client.heard();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_newcomer_closes_the_connection_silent_longest_or_is_refused() {
        let mut clients = Clients::default();
        let start = Instant::now();
        let (first, first_evicted) = clients.admit(start, 2).unwrap();
        let (second, _) = clients.admit(start + Duration::from_millis(500), 2).unwrap();
        assert!(clients.admit(start + Duration::from_millis(900), 2).is_none(), "nobody silent a second");
        let (third, _) = clients.admit(start + Duration::from_millis(1200), 2).unwrap();
        assert!(!clients.open.contains_key(&first), "the first, silent longest, made room");
        assert!(clients.open.contains_key(&second) && clients.open.contains_key(&third));
        // Its task hears it at its next wait, however late.
        assert!(timeout(Duration::from_secs(5), first_evicted.notified()).await.is_ok());
    }
}
