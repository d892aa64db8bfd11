//! Arbitrary text as the card's settings file (`card.ron`, an upload, a restore): parsed
//! and checked against every rule, never a panic; a refusal says where (line and column
//! from 1) and what.
#![no_main]

use card::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(located) = Config::parse(text) {
        assert!(located.line >= 1 && located.column >= 1, "{located:?}");
        assert!(!located.message.is_empty());
    }
});
