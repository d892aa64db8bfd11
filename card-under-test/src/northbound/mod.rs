//! Modbus TCP northbound (NET VISION §18.12, "APPENDIX: MODBUS TCP ACCESS"): the UPS's
//! tables at the manual's addresses for the map the card found, as last polled. Function
//! 03 or 04 reads part or all of one table; writes (06, 16) and every other function get
//! exception 01; a read outside the tables gets 02; while the UPS is not answering, reads
//! get 0x0B (gateway target failed to respond). One connection at a time, from allowed
//! addresses only; a connection silent for the idle time (one minute) is closed.

use crate::config::ModbusTcp;
use crate::poller::Comm;
use crate::run::Shared;
use std::future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_io_timeout::TimeoutStream;
use tokio_modbus::server::tcp::Server;
use tokio_modbus::{ExceptionCode, Request, Response};

/// Most registers one read may ask for (Modbus).
const MAX_READ_WORDS: u16 = 125;

/// Answers one connection's requests from the card's copy of the UPS's registers.
#[derive(Debug)]
struct Tables {
    shared: Shared,
    /// Cleared when the connection ends, so the next one may come.
    busy: Arc<AtomicBool>,
}

impl Drop for Tables {
    fn drop(&mut self) {
        self.busy.store(false, Ordering::SeqCst);
    }
}

impl Tables {
    fn read(&self, address: u16, count: u16) -> Result<Vec<u16>, ExceptionCode> {
        if count == 0 || count > MAX_READ_WORDS {
            return Err(ExceptionCode::IllegalDataValue);
        }
        let agent = self.shared.lock();
        let card = &agent.card;
        let (Some(map), Some(words)) = (card.map(), card.words()) else {
            return Err(ExceptionCode::GatewayTargetDevice);
        };
        let end = u32::from(address) + u32::from(count);
        let inside =
            map.tables.iter().any(|t| address >= t.start && end <= u32::from(t.start) + u32::from(t.words));
        if !inside {
            return Err(ExceptionCode::IllegalDataAddress);
        }
        if card.comm() != Comm::Online {
            return Err(ExceptionCode::GatewayTargetDevice);
        }
        (address..address + count).map(|a| words.get(a).ok_or(ExceptionCode::GatewayTargetDevice)).collect()
    }
}

impl tokio_modbus::server::Service for Tables {
    type Request = Request<'static>;
    type Response = Response;
    type Exception = ExceptionCode;
    type Future = future::Ready<Result<Response, ExceptionCode>>;

    fn call(&self, request: Self::Request) -> Self::Future {
        future::ready(match request {
            Request::ReadHoldingRegisters(address, count) => {
                self.read(address, count).map(Response::ReadHoldingRegisters)
            }
            Request::ReadInputRegisters(address, count) => {
                self.read(address, count).map(Response::ReadInputRegisters)
            }
            // §18.12: "MODBUS write functions 0x06 and 0x10 are not allowed"; nothing else is served.
            _ => Err(ExceptionCode::IllegalFunction),
        })
    }
}

fn allowed(settings: &ModbusTcp, peer: SocketAddr) -> bool {
    match peer.ip() {
        IpAddr::V4(v4) => settings.allows(v4),
        IpAddr::V6(v6) => v6.to_ipv4_mapped().is_some_and(|v4| settings.allows(v4)),
    }
}

/// Serves the northbound port on `listener` until the task is dropped. The allow-list and
/// the idle time are read from the settings in force at each connection, so a change
/// applies to the next one.
pub async fn serve(listener: TcpListener, shared: Shared) -> io::Result<()> {
    let busy = Arc::new(AtomicBool::new(false));
    let on_connected = |stream, peer: SocketAddr| {
        let (settings, firewall) = {
            let agent = shared.lock();
            (agent.config.modbus_tcp.clone(), agent.config.firewall.allows(peer.ip()))
        };
        // The firewall (§18.15), then the Modbus allow list (§18.12), then one client at a time.
        let accepted = firewall && allowed(&settings, peer) && !busy.swap(true, Ordering::SeqCst);
        let tables = Tables { shared: shared.clone(), busy: busy.clone() };
        // §18.12: closed after the idle time without data (a read that waits that long fails).
        let mut timed = TimeoutStream::new(stream);
        timed.set_read_timeout(Some(Duration::from_secs_f64(settings.idle_close_s)));
        // Refused: the stream is dropped, which closes it.
        future::ready(Ok(accepted.then(|| (tables, Box::pin(timed)))))
    };
    Server::new(listener).serve(&on_connected, |_error| {}).await
}
