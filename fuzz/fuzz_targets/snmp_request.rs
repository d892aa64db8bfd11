//! Arbitrary datagrams to the card's SNMP agent: async-snmp decodes them; every variable of
//! a message that decodes goes through the card's own request path — GET and GETNEXT from
//! a snapshot of the card, the SET planner — and none panics.
#![no_main]

use async_snmp::message::Message;
use bytes::Bytes;
use card::snmp::{Objects, Sets};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// A card's objects with no UPS (its own and the MIBs' scalars), built once.
fn objects() -> &'static Objects {
    static OBJECTS: OnceLock<Objects> = OnceLock::new();
    OBJECTS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("upstwin-fuzz-snmp-{}", std::process::id()));
        let link = card::link::Link::Tcp(([127, 0, 0, 1], 9).into());
        let clock = card::clock::Clock::starting_at(1_700_000_000.0);
        let stack = card::stack::Stack::new(link, clock, card::config::Config::default(), &dir);
        let site = stack.build().unwrap().site;
        card::snmp::snapshot(&site.card.lock(), &Sets::default())
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(decoded) = Message::decode(Bytes::copy_from_slice(data), Default::default()) else { return };
    let Some(pdu) = decoded.value.into_pdu() else { return };
    let objects = objects();
    for variable in pdu.varbinds() {
        let _ = objects.get(&variable.oid);
        if let Some((next, _)) = objects.next_after(&variable.oid) {
            assert!(next > &variable.oid, "GETNEXT goes forward");
        }
        let _ = card::snmp::plan(&variable.oid, &variable.value, &Sets::default());
    }
});
