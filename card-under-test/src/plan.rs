//! Which registers the card reads each poll: every table of the UPS's map, in as few
//! function-03 requests as the 125-register limit allows. Tables share a request when the
//! words between them are answered too (within the earlier table's `extent`): on a slow
//! line a round trip costs far more than a few extra words.

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
    // (start, end of the documented words, end of the answered words)
    let mut ranges: Vec<(u32, u32, u32)> = map
        .tables
        .iter()
        .map(|t| {
            let start = u32::from(t.start);
            (start, start + u32::from(t.words), start + u32::from(t.extent.max(t.words)))
        })
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(u32, u32, u32)> = Vec::new();
    for (start, end, answered) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.2 && end - last.0 <= u32::from(MAX_WORDS) => {
                last.1 = last.1.max(end);
                last.2 = last.2.max(answered);
            }
            _ => merged.push((start, end, answered)),
        }
    }
    let mut requests = Vec::new();
    for (start, end, _) in merged {
        let mut at = start;
        while at < end {
            let count = (end - at).min(u32::from(MAX_WORDS));
            requests.push(ReadRequest { start: at as u16, count: count as u16 });
            at += count;
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
            assert!(requests.len() <= map.tables.len(), "{name}: {requests:?}");
            if name == "vumap" {
                assert!(requests.len() < map.tables.len(), "adjacent tables share requests: {requests:?}");
            }
        }
    }
}
