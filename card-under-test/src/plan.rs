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
}
