//! Ports an exec card is told to listen on (`UPSTWIN_CARD_*`). The harness must pick them
//! before the card binds, so a port picked by binding port 0 and closing it would come from
//! the kernel's ephemeral range, where any process's `bind(0)` or outgoing connection may
//! take it before the card gets there. These come from below that range, where only an
//! explicit bind takes a port, checked free for TCP and UDP, and never handed out twice by
//! one process (two exec runs side by side, `--jobs`).

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::net::{Ipv4Addr, TcpListener, UdpSocket};
use std::sync::Mutex;

/// Below this, ports are well known or commonly configured services.
const LOWEST: u16 = 10_000;
/// Used when /proc does not say (Linux's default).
const EPHEMERAL_DEFAULT: (u16, u16) = (32_768, 60_999);

static ISSUED: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// The kernel's ephemeral port range.
fn ephemeral() -> (u16, u16) {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
    let mut bounds = text.split_whitespace().filter_map(|n| n.parse().ok());
    match (bounds.next(), bounds.next()) {
        (Some(low), Some(high)) if low <= high => (low, high),
        _ => EPHEMERAL_DEFAULT,
    }
}

/// The ports outside the ephemeral range, from `LOWEST` up.
fn candidates() -> Vec<u16> {
    let (low, high) = ephemeral();
    (LOWEST..=u16::MAX).filter(|port| !(low..=high).contains(port)).collect()
}

fn free_now(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
        && UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// Ports handed out, given back when dropped (once the card that used them has stopped).
pub struct Claimed<const N: usize> {
    pub ports: [u16; N],
}

impl<const N: usize> Drop for Claimed<N> {
    fn drop(&mut self) {
        let mut issued = ISSUED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(issued) = issued.as_mut() {
            self.ports.iter().for_each(|port| {
                issued.remove(port);
            });
        }
    }
}

/// `N` distinct loopback ports free now for TCP and UDP, outside the ephemeral range, from a
/// random starting point so that processes side by side look in different places.
pub fn unclaimed_ports<const N: usize>() -> std::io::Result<Claimed<N>> {
    let candidates = candidates();
    if candidates.is_empty() {
        return Err(std::io::Error::other("no port outside the kernel's ephemeral range"));
    }
    let start = (RandomState::new().hash_one(std::process::id()) % candidates.len() as u64) as usize;
    let mut issued = ISSUED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let issued = issued.get_or_insert_with(HashSet::new);
    let mut found = Vec::with_capacity(N);
    for offset in 0..candidates.len() {
        let port = candidates[(start + offset) % candidates.len()];
        if !issued.contains(&port) && free_now(port) {
            found.push(port);
            if found.len() == N {
                issued.extend(&found);
                return Ok(Claimed { ports: found.try_into().expect("N ports") });
            }
        }
    }
    Err(std::io::Error::other(format!("fewer than {N} free ports outside the ephemeral range")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_distinct_outside_the_ephemeral_range_and_never_issued_twice() {
        let (low, high) = ephemeral();
        let first = unclaimed_ports::<6>().unwrap();
        let second = unclaimed_ports::<6>().unwrap();
        let all: HashSet<u16> = first.ports.iter().chain(&second.ports).copied().collect();
        assert_eq!(all.len(), 12, "{:?} {:?}", first.ports, second.ports);
        assert!(all.iter().all(|p| *p >= LOWEST && !(low..=high).contains(p)), "{all:?} vs {low}–{high}");
        drop((first, second));
        assert!(ISSUED.lock().unwrap().as_ref().is_some_and(|issued| issued.is_disjoint(&all)));
    }
}
