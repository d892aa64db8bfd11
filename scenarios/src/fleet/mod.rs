//! Fleets: many UPS twins, each at its own address, grouped by site and by the feed that
//! supplies them, so that a site's mains failure hits all its UPSs at once. The file format
//! (`format`), its identity patterns (`pattern`) and the checked, expanded fleet (`plan`);
//! `upstwin fleet` serves it.

pub mod format;
pub mod pattern;
pub mod plan;
pub mod run;
pub mod scenario;
pub mod scope;
pub mod twins;

use crate::compile::locate;
use plan::Plan;
use std::ops::Range;
use std::path::Path;
use ups_models::{LoadError, Located, ron_text};

/// The bundled demo fleet (`upstwin fleet` with no file).
pub const DEMO: &str = include_str!("../../fleets/campus.ron");

/// Loads, checks and expands a fleet file.
pub fn load(path: &Path) -> Result<Plan, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::io(path, &e))?;
    compile(&text, path)
}

/// Checks and expands a fleet file's text; errors carry `path:line:col`.
pub fn compile(text: &str, path: &Path) -> Result<Plan, LoadError> {
    let fleet: format::Fleet = ron_text::parse(text).map_err(|e: Located| e.in_file(path))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    plan::plan(&fleet, dir).map_err(|e| {
        let (line, column) = locate(text, &e.near);
        Located::at(line, column, e.message).in_file(path)
    })
}

/// The devices shard `k` of `n` serves: a contiguous part (contiguous addresses, so that
/// each shard can be given an address range), the same on every machine.
pub fn shard(devices: usize, k: usize, n: usize) -> Range<usize> {
    let n = n.max(1);
    let k = k.min(n - 1);
    (devices * k / n)..(devices * (k + 1) / n)
}

#[cfg(test)]
mod tests;
