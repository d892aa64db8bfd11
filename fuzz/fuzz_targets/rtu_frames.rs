//! Arbitrary bytes on the RTU line: the frame scanner, the PDU decoder and the service must
//! never panic, and every frame found must have a good CRC.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sim::image::RegisterImage;
use sim::modbus::rtu::{self, Scan};
use sim::modbus::service::Service;
use sim::{StartOptions, Ups};
use std::sync::OnceLock;

/// A running twin, built once (building one calibrates its battery) and cloned per input.
fn twin() -> (Ups, Service) {
    static PROTOTYPE: OnceLock<(Ups, Service)> = OnceLock::new();
    PROTOTYPE
        .get_or_init(|| {
            let loaded = ups_models::load_model("masterys-gp-60").unwrap();
            let map = ups_models::maps::bundled("jbusp").unwrap();
            let image = RegisterImage::new(map, loaded.model.identity.map_family.clone());
            (Ups::new(&loaded, 1, &StartOptions::default()), Service::new(image, 1))
        })
        .clone()
}

fuzz_target!(|data: &[u8]| {
    let (mut ups, service) = twin();
    let mut buf = data.to_vec();
    // First as bytes still arriving, then with the line gone quiet.
    for idle in [false, true] {
        loop {
            match rtu::scan_request(&buf, idle) {
                Scan::NeedMore => break,
                Scan::Garbage { skip } => {
                    assert!(skip >= 1);
                    buf.drain(..skip.min(buf.len()));
                }
                Scan::Frame { len } => {
                    let frame: Vec<u8> = buf.drain(..len).collect();
                    let crc = rtu::crc16(&frame[..len - 2]).to_le_bytes();
                    assert_eq!(&frame[len - 2..], &crc, "a frame has a good CRC");
                    if let Some(answer) = service.rtu(&mut ups, frame[0], &frame[1..len - 2]) {
                        if let Some(response) = answer.response {
                            assert!(!response.is_empty() && response.len() <= 253);
                        }
                    }
                }
            }
        }
    }
});
