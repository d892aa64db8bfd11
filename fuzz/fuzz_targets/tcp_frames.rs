//! Arbitrary bytes on a Modbus TCP connection, in arbitrary pieces: the MBAP framer, the
//! PDU decoder and the service must never panic; every reply is one MBAP frame whose
//! length field says its size and whose transaction id is one that was asked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sim::twin::Twin;
use sim::wire::session::TcpSession;
use sim::wire::faults::WireFaults;
use sim::wire::trace::Trace;
use sim::{StartOptions, Ups};
use std::sync::OnceLock;

/// A twin built once (building one calibrates its battery and reads its map), its UPS and
/// its service cloned per input.
fn twin() -> Twin {
    static PROTOTYPE: OnceLock<Twin> = OnceLock::new();
    let prototype = PROTOTYPE.get_or_init(|| {
        let loaded = ups_models::load_model("masterys-gp-60").unwrap();
        let ups = Ups::new(&loaded, 1, &StartOptions::default());
        Twin::new(ups, &loaded, 1, 1, Trace::in_memory())
    });
    Twin {
        ups: prototype.ups.clone(),
        service: prototype.service.clone(),
        wire: WireFaults::new(1),
        trace: Trace::in_memory(),
        recording: None,
        held: false,
    }
}

fuzz_target!(|data: &[u8]| {
    let mut twin = twin();
    let mut session = TcpSession::new("tcp:fuzz".into());
    // The first byte cuts the rest into pieces of 1 to 16 bytes, as segments arrive.
    let piece = usize::from(data.first().copied().unwrap_or(0) % 16) + 1;
    for (at, bytes) in data.get(1..).unwrap_or_default().chunks(piece).enumerate() {
        let received = session.received(&mut twin, at as f64, bytes);
        for reply in &received.replies {
            let frame = &reply.bytes;
            assert!(frame.len() >= 9 && frame.len() <= 260, "an ADU: {frame:02X?}");
            let length = usize::from(u16::from_be_bytes([frame[4], frame[5]]));
            assert_eq!(length + 6, frame.len(), "the length field says the frame's size");
            assert_eq!(&frame[2..4], &[0, 0], "protocol 0");
        }
        if received.close {
            break;
        }
    }
});
