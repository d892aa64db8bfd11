//! The port a peer bound itself: the tests start snmptrapd, aiosmtpd and upsd on port 0 and
//! read the port the kernel gave them back from /proc, so no other process can take it
//! between a pick and the peer's bind (a port picked, freed and then bound can be).

use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// A listening TCP socket.
    Tcp,
    Udp,
}

/// The socket inodes `pid` holds open (`/proc/PID/fd/* -> socket:[INODE]`).
fn socket_inodes(pid: u32) -> Vec<u64> {
    let Ok(entries) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
        .filter_map(|target| {
            let text = target.to_string_lossy().into_owned();
            text.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
        })
        .collect()
}

/// The local ports in one of /proc's socket tables (`net/tcp`, `net/udp6`, …) whose inode is
/// in `inodes`; for TCP only listening sockets (state 0A).
fn ports_in(table: &Path, transport: Transport, inodes: &[u64]) -> Vec<u16> {
    let text = std::fs::read_to_string(table).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (local, state, inode) = (fields.get(1)?, fields.get(3)?, fields.get(9)?);
            let listening = transport == Transport::Udp || *state == "0A";
            let ours = inodes.contains(&inode.parse().ok()?);
            let port = u16::from_str_radix(local.rsplit_once(':')?.1, 16).ok()?;
            (listening && ours).then_some(port)
        })
        .collect()
}

/// The ports `pid` listens on (TCP) or has bound (UDP), lowest first.
pub fn bound_ports(pid: u32, transport: Transport) -> Vec<u16> {
    let inodes = socket_inodes(pid);
    let names: &[&str] = match transport {
        Transport::Tcp => &["tcp", "tcp6"],
        Transport::Udp => &["udp", "udp6"],
    };
    let mut ports: Vec<u16> = names
        .iter()
        .flat_map(|name| ports_in(&Path::new(&format!("/proc/{pid}/net")).join(name), transport, &inodes))
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// The one port `pid` binds, waiting up to `seconds` for it to start listening.
pub fn bound_port(pid: u32, transport: Transport, seconds: f64) -> u16 {
    let mut seen = Vec::new();
    let bound = super::eventually(seconds, || {
        seen = bound_ports(pid, transport);
        seen.len() == 1
    });
    assert!(
        bound,
        "process {pid} should bind one {transport:?} port within {seconds} s; it holds {seen:?} \
         (alive: {})",
        Path::new(&format!("/proc/{pid}")).exists()
    );
    seen[0]
}

/// A loopback TCP port where connecting is refused: bound but never listening, held for as
/// long as this lives, so no other process can start listening there meanwhile.
pub struct RefusingPort {
    _socket: socket2::Socket,
    pub port: u16,
}

impl RefusingPort {
    pub fn new() -> RefusingPort {
        use socket2::{Domain, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a TCP socket");
        let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        socket.bind(&loopback.into()).expect("bound on loopback");
        let port = socket.local_addr().ok().and_then(|a| a.as_socket()).expect("its address").port();
        RefusingPort { _socket: socket, port }
    }
}
