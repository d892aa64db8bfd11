//! A raw Modbus TCP master for reading a device's words, and JBUSP's serial number.

use std::io::{Read, Write};

/// Reads `count` words from `address` of the device at `at` (unit 1) as a Modbus TCP master.
pub fn modbus_read(at: &str, address: u16, count: u16) -> Vec<u16> {
    let mut stream = std::net::TcpStream::connect(at).unwrap_or_else(|e| panic!("{at}: {e}"));
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    let [a_hi, a_lo] = address.to_be_bytes();
    let [c_hi, c_lo] = count.to_be_bytes();
    stream.write_all(&[0, 1, 0, 0, 0, 6, 1, 3, a_hi, a_lo, c_hi, c_lo]).unwrap();
    let mut reply = vec![0u8; 9 + 2 * usize::from(count)];
    stream.read_exact(&mut reply).unwrap();
    assert_eq!(&reply[7..9], &[3, (2 * count) as u8], "{at}: {reply:02X?}");
    reply[9..].chunks(2).map(|w| u16::from_be_bytes([w[0], w[1]])).collect()
}

/// JBUSP's serial number (0x1003 ×5, first character in the low byte).
pub fn serial_of(words: &[u16]) -> String {
    let bytes: Vec<u8> = words.iter().flat_map(|w| [(*w & 0xFF) as u8, (*w >> 8) as u8]).collect();
    String::from_utf8_lossy(&bytes).trim_end_matches('\0').to_string()
}
