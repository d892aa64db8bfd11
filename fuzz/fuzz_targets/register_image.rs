//! Arbitrary reads and writes on both maps' register images, with the twin stepping in
//! between: no panic, and every answer is a word list of the asked length or an exception.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sim::image::RegisterImage;
use sim::{StartOptions, Ups};
use std::sync::OnceLock;

/// Both maps' twins, built once (building one calibrates its battery) and cloned per input.
fn twins() -> &'static [(Ups, RegisterImage); 2] {
    static TWINS: OnceLock<[(Ups, RegisterImage); 2]> = OnceLock::new();
    TWINS.get_or_init(|| {
        ["delphys-mx-300", "modulys-gp2-100"].map(|model| {
            let loaded = ups_models::load_model(model).unwrap();
            let map = ups_models::maps::bundled(&loaded.model.register_map).unwrap();
            let image = RegisterImage::new(map, loaded.model.identity.map_family.clone());
            (Ups::new(&loaded, 1, &StartOptions::default()), image)
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let (ups, image) = &twins()[usize::from(data.first().is_some_and(|b| b & 1 == 1))];
    let mut ups = ups.clone();
    for chunk in data.get(1..).unwrap_or_default().chunks(8) {
        if chunk.len() < 6 {
            break;
        }
        let address = u16::from_be_bytes([chunk[1], chunk[2]]);
        let count = u16::from_be_bytes([chunk[3], chunk[4]]);
        if chunk[0] & 1 == 0 {
            if let Ok(words) = image.read(&ups, address, count) {
                assert_eq!(words.len(), usize::from(count));
            }
        } else {
            let values: Vec<u16> = chunk[5..].iter().map(|&b| u16::from(b)).cycle().take(usize::from(count % 8)).collect();
            let _ = image.write(&mut ups, address, &values);
        }
        // Up to 25.6 s of twin time, stepped as the twin's own clock steps it (at most
        // 0.1 s at once, link/src/clock.rs): one 25 s step is outside what the physics
        // integrates stably (a CV charge overshoots past 2.7 V/cell).
        let mut to_step_s = f64::from(chunk[5]) / 10.0 + 0.01;
        while to_step_s > 1e-9 {
            let dt_s = to_step_s.min(0.1);
            ups.step(dt_s);
            to_step_s -= dt_s;
        }
    }
});
