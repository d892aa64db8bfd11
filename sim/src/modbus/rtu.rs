//! Modbus RTU framing: slave id, PDU, CRC-16 (low byte first). Requests are delimited by
//! their function's length where it is known, by the CRC where it is not; garbage is
//! skipped a byte at a time until a frame lines up again.

/// CRC-16/MODBUS.
const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_MODBUS);
/// Longest RTU frame.
pub const MAX_FRAME: usize = 256;

pub fn crc16(bytes: &[u8]) -> u16 {
    CRC.checksum(bytes)
}

/// Frames a PDU for `slave`.
pub fn encode(slave: u8, pdu: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(pdu.len() + 3);
    frame.push(slave);
    frame.extend_from_slice(pdu);
    frame.extend_from_slice(&crc16(&frame).to_le_bytes());
    frame
}

/// What the start of a receive buffer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    /// A frame of `len` bytes with a good CRC: slave id, then PDU (`1..len - 2`).
    Frame { len: usize },
    /// Not enough bytes yet.
    NeedMore,
    /// These bytes cannot start a frame: drop them.
    Garbage { skip: usize },
}

fn crc_ok(frame: &[u8]) -> bool {
    let (body, crc) = frame.split_at(frame.len() - 2);
    crc16(body).to_le_bytes() == crc
}

/// The shortest length (4 bytes or more) at which `buf` ends with its own CRC, computed in
/// one pass so a stream of garbage costs O(256) per byte, not O(256²).
fn crc_end(buf: &[u8]) -> Option<usize> {
    let mut digest = CRC.digest();
    digest.update(&buf[..2]);
    for len in 4..=buf.len().min(MAX_FRAME) {
        // `digest` covers buf[..len - 2]; the frame's last two bytes are its CRC.
        let crc = digest.clone().finalize().to_le_bytes();
        if buf[len - 2] == crc[0] && buf[len - 1] == crc[1] {
            return Some(len);
        }
        digest.update(&buf[len - 2..len - 1]);
    }
    None
}

/// Looks for a request at the start of `buf`. `line_idle` says the line has been silent for
/// 3.5 characters, so nothing more will join what is buffered.
pub fn scan_request(buf: &[u8], line_idle: bool) -> Scan {
    let short = || if line_idle { Scan::Garbage { skip: buf.len().max(1) } } else { Scan::NeedMore };
    if buf.len() < 4 {
        return if buf.is_empty() { Scan::NeedMore } else { short() };
    }
    let expected = match buf[1] {
        0x01..=0x06 => Some(8),
        0x0F | 0x10 if buf.len() >= 7 => Some(9 + usize::from(buf[6])),
        0x0F | 0x10 => return short(),
        _ => None,
    };
    match expected {
        Some(len) if buf.len() < len => short(),
        Some(len) if crc_ok(&buf[..len]) => Scan::Frame { len },
        Some(_) => Scan::Garbage { skip: 1 },
        // A function whose length we do not know: the CRC says where it ends.
        None => match crc_end(buf) {
            Some(len) => Scan::Frame { len },
            None if line_idle || buf.len() >= MAX_FRAME => Scan::Garbage { skip: 1 },
            None => Scan::NeedMore,
        },
    }
}

/// Reads the response a slave sent (for clients and tests): slave id and PDU, or `None`
/// when the bytes are not a complete frame with a good CRC.
pub fn decode_response(frame: &[u8]) -> Option<(u8, &[u8])> {
    (frame.len() >= 5 && crc_ok(frame)).then(|| (frame[0], &frame[1..frame.len() - 2]))
}

/// Seconds one character takes on the line: start bit, 8 data bits, parity, stop bits.
pub fn char_time_s(baud: u32, parity: bool, stop_bits: u8) -> f64 {
    f64::from(1 + 8 + u32::from(parity) + u32::from(stop_bits)) / f64::from(baud.max(1))
}

/// The 3.5-character silence that ends a frame, s (fixed at 1.75 ms above 19200 baud, as the
/// specification allows).
pub fn frame_gap_s(baud: u32, parity: bool, stop_bits: u8) -> f64 {
    if baud > 19_200 { 0.00175 } else { 3.5 * char_time_s(baud, parity, stop_bits) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_specification_example() {
        // The usual reference frame: read 10 registers from 0 on slave 1.
        let frame = encode(1, &[0x03, 0x00, 0x00, 0x00, 0x0A]);
        assert_eq!(frame, [0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xC5, 0xCD]);
        assert_eq!(scan_request(&frame, false), Scan::Frame { len: 8 });
        assert_eq!(decode_response(&encode(1, &[0x83, 0x02])), Some((1, &[0x83u8, 0x02][..])));
    }

    #[test]
    fn resynchronises_after_garbage_and_finds_unknown_functions() {
        let request = encode(1, &[0x03, 0x10, 0x00, 0x00, 0x0C]);
        let mut buf = vec![0xAA, 0x55, 0x01];
        buf.extend_from_slice(&request);
        let mut skipped = 0;
        loop {
            // The line has gone quiet: everything that will arrive is buffered.
            match scan_request(&buf[skipped..], true) {
                Scan::Garbage { skip } => skipped += skip,
                Scan::Frame { len } => {
                    assert_eq!(&buf[skipped..skipped + len], &request[..]);
                    break;
                }
                Scan::NeedMore => panic!("the request is all there"),
            }
        }
        let diagnostics = encode(1, &[0x08, 0x00, 0x00, 0x12, 0x34]);
        assert_eq!(scan_request(&diagnostics, false), Scan::Frame { len: 8 });
        assert_eq!(scan_request(&request[..5], false), Scan::NeedMore);
        assert_eq!(scan_request(&request[..5], true), Scan::Garbage { skip: 5 });
    }

    #[test]
    fn timing() {
        assert!((char_time_s(9600, false, 1) - 10.0 / 9600.0).abs() < 1e-12);
        assert!((frame_gap_s(9600, false, 1) - 3.5 * 10.0 / 9600.0).abs() < 1e-12);
        assert_eq!(frame_gap_s(57_600, false, 1), 0.00175);
    }
}
