//! The SNMP port as managers see it: a datagram from an address outside the manager list
//! (§18.3) gets no answer at all; the others are relayed to the agent, one relay socket per
//! manager, and its answers sent back from the SNMP port. async-snmp answers every source
//! it accepts, so the list is enforced here, in front of it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::UdpSocket;

/// A manager silent this long loses its relay socket (a new request makes another).
const RELAY_IDLE: Duration = Duration::from_secs(60);
/// At most this many managers relayed at once; beyond it, new ones wait for one to go idle.
const MOST_RELAYS: usize = 256;
/// The largest SNMP message over UDP.
const MAX_DATAGRAM: usize = 65_507;

thread_local! {
    /// One receive buffer per runtime thread, shared by every port and relay served there:
    /// a datagram is copied out at its own size, so that a fleet's thousand cards do not
    /// each hold 64 KiB per socket.
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0; MAX_DATAGRAM]);
}

/// The next datagram on `socket`, at its own size, and who sent it.
async fn next_datagram(socket: &UdpSocket) -> std::io::Result<(Vec<u8>, SocketAddr)> {
    loop {
        socket.readable().await?;
        let received = SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            socket.try_recv_from(&mut scratch).map(|(length, from)| (scratch[..length].to_vec(), from))
        });
        match received {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            other => return other,
        }
    }
}

#[derive(Debug)]
pub struct Front {
    port: Arc<UdpSocket>,
    relays: Arc<Mutex<HashMap<SocketAddr, Arc<UdpSocket>>>>,
}

impl Front {
    pub fn new(port: UdpSocket) -> Self {
        Self { port: Arc::new(port), relays: Arc::default() }
    }

    /// The next datagram and who sent it. Errors of the port (an ICMP answer to an earlier
    /// datagram) are skipped: they do not end the service.
    pub async fn receive(&self) -> (Vec<u8>, SocketAddr) {
        loop {
            match next_datagram(&self.port).await {
                Ok(received) => return received,
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }

    /// Relays `datagram` from `manager` to the agent at `agent`; its answers go back.
    pub async fn forward(&self, datagram: &[u8], manager: SocketAddr, agent: SocketAddr) {
        if let Some(socket) = self.relay_for(manager).await {
            // A full socket buffer drops the datagram, as UDP would.
            let _ = socket.send_to(datagram, agent).await;
        }
    }

    /// The relay socket of `manager`, made (with its answering task) on its first request.
    async fn relay_for(&self, manager: SocketAddr) -> Option<Arc<UdpSocket>> {
        {
            let relays = self.relays.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(socket) = relays.get(&manager) {
                return Some(socket.clone());
            }
            if relays.len() >= MOST_RELAYS {
                return None;
            }
        }
        let socket = Arc::new(UdpSocket::bind(("127.0.0.1", 0)).await.ok()?);
        self.relays.lock().unwrap_or_else(|p| p.into_inner()).insert(manager, socket.clone());
        let (relays, port, answers) = (self.relays.clone(), self.port.clone(), socket.clone());
        tokio::spawn(async move {
            while let Ok(Ok((answer, _))) = tokio::time::timeout(RELAY_IDLE, next_datagram(&answers)).await {
                let _ = port.send_to(&answer, manager).await;
            }
            relays.lock().unwrap_or_else(|p| p.into_inner()).remove(&manager);
        });
        Some(socket)
    }
}
