//! The Wake-on-LAN observer: a UDP port on loopback (as a card's "wake servers" target) that
//! reads magic packets — 6 × 0xFF, then the MAC 16 times — for `received: WakeOnLan("…")`.

use super::{Inbox, keep};
use scenarios::replay::Observer;
use tokio::net::UdpSocket;

/// The MAC a magic packet wakes, as `aa:bb:cc:dd:ee:ff`, if the datagram holds one.
fn magic_mac(datagram: &[u8]) -> Option<String> {
    let start = datagram.windows(6).position(|w| w == [0xFF; 6])?;
    let body = datagram.get(start + 6..start + 6 + 16 * 6)?;
    let mac = &body[..6];
    if body.chunks(6).any(|repeat| repeat != mac) {
        return None;
    }
    Some(mac.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":"))
}

/// The observer's log line for a datagram from `from`.
pub fn line(datagram: &[u8], from: &str) -> String {
    match magic_mac(datagram) {
        Some(mac) => format!("magic packet for {mac} from {from}"),
        None => format!("not a magic packet: {} bytes from {from}", datagram.len()),
    }
}

/// Receives datagrams until the task is dropped.
pub async fn udp(socket: UdpSocket, inbox: Inbox) {
    let mut buf = vec![0u8; 2048];
    while let Ok((n, from)) = socket.recv_from(&mut buf).await {
        keep(&inbox, Observer::WakeOnLan, line(&buf[..n], &from.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::magic_mac;

    #[test]
    fn finds_the_mac_of_a_magic_packet_and_nothing_else() {
        let mac = [0x00, 0x11, 0x22, 0xaa, 0xbb, 0xcc];
        let mut packet = vec![0xFF; 6];
        (0..16).for_each(|_| packet.extend_from_slice(&mac));
        assert_eq!(magic_mac(&packet).as_deref(), Some("00:11:22:aa:bb:cc"));
        packet[40] ^= 1;
        assert_eq!(magic_mac(&packet), None, "one repeat differs");
        assert_eq!(magic_mac(&[0xFF; 20]), None, "too short");
    }
}
