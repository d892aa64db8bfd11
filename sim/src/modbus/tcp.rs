//! Modbus TCP framing: the MBAP header (transaction id, protocol 0, length, unit id) in
//! front of a PDU.

/// What the start of a connection's receive buffer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    /// A request of `len` bytes: header (7) then PDU.
    Frame {
        len: usize,
        transaction: u16,
        unit: u8,
    },
    NeedMore,
    /// Not Modbus TCP (protocol id not 0, impossible length): close the connection.
    Invalid,
}

pub const HEADER: usize = 7;

pub fn scan(buf: &[u8]) -> Scan {
    if buf.len() < HEADER {
        return Scan::NeedMore;
    }
    let transaction = u16::from_be_bytes([buf[0], buf[1]]);
    let protocol = u16::from_be_bytes([buf[2], buf[3]]);
    let length = usize::from(u16::from_be_bytes([buf[4], buf[5]]));
    if protocol != 0 || !(2..=254).contains(&length) {
        return Scan::Invalid;
    }
    let len = 6 + length;
    if buf.len() < len { Scan::NeedMore } else { Scan::Frame { len, transaction, unit: buf[6] } }
}

pub fn encode(transaction: u16, unit: u8, pdu: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(HEADER + pdu.len());
    frame.extend_from_slice(&transaction.to_be_bytes());
    frame.extend_from_slice(&[0, 0]);
    frame.extend_from_slice(&((pdu.len() + 1) as u16).to_be_bytes());
    frame.push(unit);
    frame.extend_from_slice(pdu);
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let frame = encode(7, 1, &[3, 0x10, 0x60, 0, 48]);
        assert_eq!(scan(&frame), Scan::Frame { len: 12, transaction: 7, unit: 1 });
        assert_eq!(scan(&frame[..10]), Scan::NeedMore);
        let mut bad = frame.clone();
        bad[2] = 1;
        assert_eq!(scan(&bad), Scan::Invalid);
    }
}
