//! The SNMPv3 engine's identity and boot counter (RFC 3414), kept in the state directory so
//! that managers' time windows stay valid across restarts: `snmp-engine` holds the engine id
//! in hex and the boots count. A card without a state directory (co-simulation) keeps them
//! in memory.

use async_snmp::v3::{
    AuthoritativeEngine, DesSaltState, PersistedAuthoritativeEngine, PersistedDesSaltState,
};
use std::convert::Infallible;
use std::path::{Path, PathBuf};

/// RFC 3411 engine id: enterprise 4555 (Socomec) with the high bit, format 4 (text), text.
fn new_engine_id() -> Vec<u8> {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mut id = vec![0x80, 0x00, 0x11, 0xCB, 0x04];
    id.extend(format!("upstwin-{:012x}", nanos & 0xFFFF_FFFF_FFFF).bytes());
    id
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

fn load(path: &Path) -> Option<PersistedAuthoritativeEngine> {
    let text = std::fs::read_to_string(path).ok()?;
    let (id, boots) = text.trim().split_once(' ')?;
    PersistedAuthoritativeEngine::new(unhex(id)?, boots.parse().ok()?).ok()
}

/// The engine: the stored one, booted once more, or a new one.
pub fn engine(state_dir: Option<&Path>) -> std::io::Result<AuthoritativeEngine> {
    let path: Option<PathBuf> = state_dir.map(|dir| dir.join("snmp-engine"));
    let store = path.clone();
    let persist = move |state: &PersistedAuthoritativeEngine| match &store {
        Some(path) => {
            let text = format!("{} {}\n", hex(state.engine_id()), state.engine_boots());
            crate::durable::replace_file(path, text.as_bytes())
        }
        None => Ok(()),
    };
    let engine = match path.as_deref().and_then(load) {
        Some(previous) => AuthoritativeEngine::restart(previous, persist),
        None => AuthoritativeEngine::install(new_engine_id(), persist),
    };
    engine.map_err(|e| std::io::Error::other(e.to_string()))
}

/// DES salts for this run: their epoch is the engine's boots count, which grows at every
/// start, so a salt never repeats across restarts (RFC 3414 §8.1.1.1).
pub fn des_salts(engine: &AuthoritativeEngine) -> std::io::Result<DesSaltState> {
    let keep = |_: &PersistedDesSaltState| Ok::<(), Infallible>(());
    let other = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    match engine.engine_boots().checked_sub(1).filter(|b| *b > 0) {
        Some(before) => {
            let previous = PersistedDesSaltState::new(before).map_err(|e| other(&e))?;
            DesSaltState::restart(previous, keep).map_err(|e| other(&e))
        }
        None => DesSaltState::install(keep).map_err(|e| other(&e)),
    }
}
