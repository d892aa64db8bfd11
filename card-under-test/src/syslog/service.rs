//! Pushes the events log lines to the syslog server for ever, each once and in order. A
//! server that cannot be reached holds the lines back (the feed keeps the last 1024) and is
//! tried again a little later; the card goes on meanwhile.

use super::format::message;
use crate::config::{Syslog, SyslogTransport};
use crate::logs::EventLine;
use crate::outlet::{Outgoing, Outlet};
use crate::run::Shared;
use std::time::Duration;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpSocket, UdpSocket};

/// Wait before trying an unreachable server again.
const RETRY: Duration = Duration::from_secs(5);
/// Longest wait for a connection or a write.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A stream to the server (TCP or TLS), or a UDP socket.
enum Connection {
    Stream(Box<dyn AsyncWrite + Unpin + Send>),
    Datagram(UdpSocket, std::net::SocketAddr),
}

impl Connection {
    async fn open(settings: &Syslog, outlet: &Outlet) -> Result<Self, String> {
        let server = settings.server.trim();
        let address = tokio::net::lookup_host((server, settings.port))
            .await
            .map_err(|e| format!("cannot resolve {server}: {e}"))?
            .next()
            .ok_or_else(|| format!("{server} has no address"))?;
        let local = outlet.local_for(address);
        if settings.transport == SyslogTransport::Udp {
            let socket = UdpSocket::bind(local).await.map_err(|e| format!("{local}: {e}"))?;
            return Ok(Connection::Datagram(socket, address));
        }
        let socket = if address.is_ipv4() { TcpSocket::new_v4() } else { TcpSocket::new_v6() };
        let socket = socket.and_then(|s| s.bind(local).map(|()| s)).map_err(|e| format!("{local}: {e}"))?;
        let tcp = socket.connect(address).await.map_err(|e| format!("{address}: {e}"))?;
        if settings.transport == SyslogTransport::Tcp {
            return Ok(Connection::Stream(Box::new(tcp)));
        }
        let config = crate::tls::client_config(settings.trusted_certificate.as_deref())?;
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(server.to_string())
            .map_err(|e| format!("{server}: {e}"))?;
        let tls = tokio_rustls::TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS with {address}: {e}"))?;
        Ok(Connection::Stream(Box::new(tls)))
    }

    /// One message: a datagram (RFC 5426), or `LEN SP MSG` on a stream (RFC 6587 octet
    /// counting, the framing RFC 5425 uses over TLS).
    async fn send(&mut self, message: &str) -> Result<(), String> {
        match self {
            Connection::Datagram(socket, to) => {
                socket.send_to(message.as_bytes(), *to).await.map(drop).map_err(|e| e.to_string())
            }
            Connection::Stream(stream) => {
                let frame = format!("{} {message}", message.len());
                stream.write_all(frame.as_bytes()).await.map_err(|e| e.to_string())?;
                stream.flush().await.map_err(|e| e.to_string())
            }
        }
    }
}

/// Sends every events log line from the card's start, for ever.
pub async fn send(shared: Shared) {
    let mut news = shared.notices();
    let mut seen = 0;
    let mut connection: Option<(Syslog, Connection)> = None;
    let mut last_error: Option<String> = None;
    loop {
        let (lines, settings, outlet, host_name) = {
            let agent = shared.lock();
            let lines: Vec<EventLine> = agent.card.logs().event_lines_since(seen).cloned().collect();
            (lines, agent.config.syslog.clone(), agent.outlet.clone(), agent.config.host_name())
        };
        let mut held_back = false;
        for line in lines.iter().filter(|line| settings.enabled && settings.groups.contains(&line.group)) {
            let text = message(line, &host_name);
            let outgoing = Outgoing::Syslog {
                to: format!("{}:{}", settings.server, settings.port),
                message: text.clone().into_bytes(),
            };
            if outlet.divert(outgoing).is_none() {
                seen = line.seq;
                continue;
            }
            if connection.as_ref().is_some_and(|(made_for, _)| *made_for != settings) {
                connection = None;
            }
            let sent = match &mut connection {
                Some((_, open)) => tokio::time::timeout(TIMEOUT, open.send(&text))
                    .await
                    .unwrap_or_else(|_| Err("timed out".into())),
                None => Err(String::new()),
            };
            // A stream the server closed is opened again once before the line is held back.
            let sent = match sent {
                Ok(()) => Ok(()),
                Err(_) => {
                    connection = None;
                    match tokio::time::timeout(TIMEOUT, Connection::open(&settings, &outlet)).await {
                        Ok(Ok(mut open)) => {
                            let sent = open.send(&text).await;
                            connection = Some((settings.clone(), open));
                            sent
                        }
                        Ok(Err(e)) => Err(e),
                        Err(_) => Err("timed out".into()),
                    }
                }
            };
            match sent {
                Ok(()) => {
                    seen = line.seq;
                    last_error = None;
                }
                Err(e) => {
                    connection = None;
                    if last_error.as_ref() != Some(&e) {
                        eprintln!("upstwin card: syslog to {}:{}: {e}", settings.server, settings.port);
                        last_error = Some(e);
                    }
                    held_back = true;
                    break;
                }
            }
        }
        if held_back {
            tokio::time::sleep(RETRY).await;
            continue;
        }
        seen = lines.last().map_or(seen, |line| line.seq.max(seen));
        if news.changed().await.is_err() {
            return;
        }
    }
}
