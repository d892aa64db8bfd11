//! Arbitrary text as a UPS model file: loaded as `upstwin serve --model FILE` loads it,
//! never a panic; a refusal names the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// One file per fuzzing process, rewritten for each input.
fn path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| std::env::temp_dir().join(format!("upstwin-fuzz-model-{}.ron", std::process::id())))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    std::fs::write(path(), text).unwrap();
    if let Err(error) = ups_models::load_model(&path().display().to_string()) {
        let said = error.to_string();
        assert!(said.contains("upstwin-fuzz-model"), "the file is named: {said}");
    }
});
