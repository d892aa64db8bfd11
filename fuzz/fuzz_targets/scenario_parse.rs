//! Arbitrary text as a scenario file: compiled as `upstwin run` compiles it, never a panic;
//! a refusal names the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(error) = scenarios::compile::compile(text, Path::new("fuzz.ron")) {
        let said = error.to_string();
        assert!(said.contains("fuzz.ron"), "the file is named: {said}");
    }
});
