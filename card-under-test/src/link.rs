//! The card's Modbus master: RTU on a serial port or pty, or Modbus TCP, through
//! tokio-modbus' client, with the timeouts a card needs (tokio-modbus has none) and a fresh
//! connection after any failure, so a late or torn answer never passes for the next one.

use crate::controls::Write;
use crate::plan::ReadRequest;
use crate::poller::ReadError;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tokio_modbus::Slave;
use tokio_modbus::client::{Context, Reader, Writer};

/// Where the UPS is.
#[derive(Debug, Clone)]
pub enum Link {
    Serial {
        path: PathBuf,
        baud: u32,
    },
    Tcp(SocketAddr),
    /// A UPS in the same process (co-simulation): RTU frames over an in-memory line.
    InProcess(Line),
}

/// An in-memory serial line: each connection is a fresh byte pipe whose far end goes to
/// the UPS side with the speed the card speaks on it, and the UPS answers on it as on a
/// serial port (or not at all, at another speed than its own).
#[derive(Debug, Clone)]
pub struct Line {
    pub baud: u32,
    pub far_ends: tokio::sync::mpsc::UnboundedSender<(u32, tokio::io::DuplexStream)>,
}

/// Bytes a pipe of the in-memory line buffers: more than two of the longest RTU frames.
const LINE_BUFFER: usize = 1024;

impl Link {
    /// The serial line's speed; `None` over Modbus TCP.
    pub fn baud(&self) -> Option<u32> {
        match self {
            Link::Serial { baud, .. } | Link::InProcess(Line { baud, .. }) => Some(*baud),
            Link::Tcp(_) => None,
        }
    }

    fn baud_mut(&mut self) -> Option<&mut u32> {
        match self {
            Link::Serial { baud, .. } | Link::InProcess(Line { baud, .. }) => Some(baud),
            Link::Tcp(_) => None,
        }
    }
}

impl std::fmt::Display for Link {
    /// As the card's messages and API show it: `/dev/pts/3 at 9600 baud`, `Modbus TCP ADDR`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Link::Serial { path, baud } => write!(f, "{} at {baud} baud", path.display()),
            Link::Tcp(address) => write!(f, "Modbus TCP {address}"),
            Link::InProcess(line) => write!(f, "in-process line at {} baud", line.baud),
        }
    }
}

/// NET VISION's "additional serial timeout" by baud rate (§18.2: 100 ms at 9600, 50 ms at
/// 19200, 20 ms at 57600; 2400 is slower still, so 200 ms there).
pub fn additional_timeout(baud: u32) -> Duration {
    Duration::from_millis(match baud {
        ..=4800 => 200,
        4801..=9600 => 100,
        9601..=19200 => 50,
        _ => 20,
    })
}

/// How long a read (or a write) may take: the request and the longest answer on the wire
/// (11 bits a character, the worst framing) plus `additional` (the "Serial Timeout", by
/// baud unless set); TCP gets one second.
pub fn read_timeout(link: &Link, count: u16, additional: Option<Duration>) -> Duration {
    match link.baud() {
        None => Duration::from_secs(1),
        Some(baud) => {
            let characters = 8 + 5 + 2 * u64::from(count) + 7;
            Duration::from_micros(characters * 11 * 1_000_000 / u64::from(baud.max(1)))
                + additional.unwrap_or_else(|| additional_timeout(baud))
        }
    }
}

/// An open link to one slave; reopened after any failure.
pub struct Master {
    link: Link,
    slave: u8,
    /// The "Serial Timeout (ms)" setting; `None`: by baud.
    additional_timeout: Option<Duration>,
    context: Option<Context>,
    /// The line must stay silent until then before the next request: the frame gap after
    /// the last answer (or timeout), so the UPS sees where one frame ends and the next begins.
    quiet_until: Option<tokio::time::Instant>,
}

impl std::fmt::Debug for Master {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Master").field("link", &self.link).field("slave", &self.slave).finish_non_exhaustive()
    }
}

impl Master {
    pub fn new(link: Link, slave: u8) -> Self {
        Self { link, slave, additional_timeout: None, context: None, quiet_until: None }
    }

    /// A fixed additional serial timeout instead of the one by baud.
    pub fn with_additional_timeout(mut self, additional: Option<Duration>) -> Self {
        self.additional_timeout = additional;
        self
    }

    pub fn link(&self) -> &Link {
        &self.link
    }

    /// Speaks at `baud` from the next request on (a new connection); whether it changed.
    pub fn set_baud(&mut self, baud: Option<u32>) -> bool {
        match (self.link.baud_mut(), baud) {
            (Some(current), Some(baud)) if *current != baud => {
                *current = baud;
                self.context = None;
                true
            }
            _ => false,
        }
    }

    async fn connect(link: &Link, slave: u8) -> Result<Context, String> {
        match link {
            Link::Tcp(address) => tokio::time::timeout(
                Duration::from_secs(2),
                tokio_modbus::client::tcp::connect_slave(*address, Slave(slave)),
            )
            .await
            .map_err(|_| format!("{address}: no connection in 2 s"))?
            .map_err(|e| format!("{address}: {e}")),
            Link::Serial { path, baud } => {
                // Shared, not exclusive: the twin keeps its pty's slave open (with a shared
                // lock) so the line survives between clients, as NUT and mbpoll expect.
                let builder = tokio_serial::new(path.to_string_lossy(), *baud).exclusive(false);
                let port = tokio_serial::SerialStream::open(&builder)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                Ok(tokio_modbus::client::rtu::attach_slave(port, Slave(slave)))
            }
            Link::InProcess(line) => {
                let (near, far) = tokio::io::duplex(LINE_BUFFER);
                line.far_ends
                    .send((line.baud, far))
                    .map_err(|_| "the in-process UPS has gone".to_string())?;
                Ok(tokio_modbus::client::rtu::attach_slave(near, Slave(slave)))
            }
        }
    }

    /// Reads holding registers (function 03).
    pub async fn read(&mut self, request: ReadRequest) -> Result<Vec<u16>, ReadError> {
        self.wait_quiet().await;
        let answer = self.exchange(request).await;
        self.keep_quiet();
        answer
    }

    /// Waits out the frame silence after the last exchange.
    async fn wait_quiet(&mut self) {
        if let Some(quiet_until) = self.quiet_until.take() {
            tokio::time::sleep_until(quiet_until).await;
        }
    }

    /// Starts the frame silence the next request waits for (serial lines only).
    fn keep_quiet(&mut self) {
        let gap = |baud| Duration::from_secs_f64(crate::plan::frame_gap_s(baud));
        self.quiet_until = self.link.baud().map(|baud| tokio::time::Instant::now() + gap(baud));
    }

    /// Writes registers (function 06 for one word, 16 for more).
    pub async fn write(&mut self, write: &Write) -> Result<(), ReadError> {
        self.wait_quiet().await;
        let answer = self.write_now(write).await;
        self.keep_quiet();
        answer
    }

    async fn write_now(&mut self, write: &Write) -> Result<(), ReadError> {
        let mut context = self.open().await?;
        let timeout = read_timeout(&self.link, write.values.len() as u16, self.additional_timeout);
        let answer = match write.values.as_slice() {
            [value] => {
                tokio::time::timeout(timeout, context.write_single_register(write.address, *value)).await
            }
            values => {
                tokio::time::timeout(timeout, context.write_multiple_registers(write.address, values)).await
            }
        };
        self.settle(context, answer)
    }

    async fn exchange(&mut self, request: ReadRequest) -> Result<Vec<u16>, ReadError> {
        let mut context = self.open().await?;
        let timeout = read_timeout(&self.link, request.count, self.additional_timeout);
        let answer =
            tokio::time::timeout(timeout, context.read_holding_registers(request.start, request.count)).await;
        self.settle(context, answer)
    }

    /// The open connection, or a new one.
    async fn open(&mut self) -> Result<Context, ReadError> {
        match self.context.take() {
            Some(context) => Ok(context),
            None => Self::connect(&self.link, self.slave).await.map_err(ReadError::Link),
        }
    }

    /// What an exchange came to. The connection is kept after an answer — an exception is a
    /// whole, valid one — and dropped after a failure, so a late answer is never taken for
    /// the next one.
    fn settle<T>(
        &mut self,
        context: Context,
        answer: Result<tokio_modbus::Result<T>, tokio::time::error::Elapsed>,
    ) -> Result<T, ReadError> {
        match answer {
            Ok(Ok(answer)) => {
                self.context = Some(context);
                answer.map_err(|exception| ReadError::Exception(u8::from(exception)))
            }
            Ok(Err(e)) => Err(ReadError::Link(e.to_string())),
            Err(_) => Err(ReadError::Timeout),
        }
    }
}
