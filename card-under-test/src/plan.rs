//! Which registers the card reads each poll: every table of the UPS's map, each in as few
//! function-03 requests as the 125-register limit allows. A request never spans two tables:
//! a UPS answers each documented block (the twin does too), but the words between blocks
//! are nobody's, and a read across them gets exception 02.

use ups_models::map::RegisterMap;

/// The protocol's limit on one read (Modbus application protocol, function 03).
pub const MAX_WORDS: u16 = 125;

/// One read of holding registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadRequest {
    pub start: u16,
    pub count: u16,
}

/// The requests covering the documented words of every table of `map`, in address order.
pub fn plan(map: &RegisterMap) -> Vec<ReadRequest> {
    let mut tables: Vec<(u16, u16)> = map.tables.iter().map(|t| (t.start, t.words)).collect();
    tables.sort_unstable();
    let mut requests = Vec::new();
    for (start, words) in tables {
        let mut done = 0;
        while done < words {
            let count = (words - done).min(MAX_WORDS);
            requests.push(ReadRequest { start: start + done, count });
            done += count;
        }
    }
    requests
}

/// The least time a cycle of `requests` can take on a serial line at `baud` (8 data bits,
/// no parity, 1 stop bit: 10 bits a character): every request (8 bytes) and reply (5 bytes
/// and 2 a word) on the wire, each followed by the silence that ends an RTU frame (3.5
/// characters; 1.75 ms above 19200 baud, as the Modbus serial line guide fixes it). The
/// UPS's own turnaround is not counted.
pub fn wire_minimum_s(requests: &[ReadRequest], baud: u32) -> f64 {
    let char_s = 10.0 / f64::from(baud.max(1));
    let gap_s = frame_gap_s(baud);
    requests.iter().map(|r| (8.0 + 5.0 + 2.0 * f64::from(r.count)) * char_s + 2.0 * gap_s).sum()
}

/// The silence that ends an RTU frame at `baud` (characters of 10 bits): 3.5 characters,
/// and 1.75 ms above 19200 baud (Modbus over serial line, §2.5.1.1).
pub fn frame_gap_s(baud: u32) -> f64 {
    if baud > 19200 { 0.00175 } else { 35.0 / f64::from(baud.max(1)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_every_table_within_the_limit() {
        for name in ups_models::maps::names() {
            let map = ups_models::maps::bundled(name).unwrap();
            let requests = plan(&map);
            assert!(requests.iter().all(|r| r.count >= 1 && r.count <= MAX_WORDS), "{name}: {requests:?}");
            for table in &map.tables {
                for address in table.start..table.start + table.words {
                    assert!(
                        requests.iter().any(|r| (r.start..r.start + r.count).contains(&address)),
                        "{name}: 0x{address:04X} of {} is not read",
                        table.name
                    );
                }
            }
            assert_eq!(requests.len(), map.tables.len(), "{name}: one request a table: {requests:?}");
        }
    }

    #[test]
    fn wire_minimum_counts_characters_and_gaps() {
        // One read of 48 words: 8 + 101 bytes and two 3.5-character gaps = 116 characters.
        let one = [ReadRequest { start: 0x1060, count: 48 }];
        assert!((wire_minimum_s(&one, 9600) - 116.0 * 10.0 / 9600.0).abs() < 1e-12);
        let at_57600 = 109.0 * 10.0 / 57600.0 + 2.0 * 0.00175;
        assert!((wire_minimum_s(&one, 57600) - at_57600).abs() < 1e-12);
    }
}
