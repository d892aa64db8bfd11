//! The bundled register maps (`maps/*.ron`), loaded and checked: tables do not overlap,
//! registers and bits sit inside their tables, command registers inside their block.

use crate::error::{LoadError, Located};
use crate::map::{CommandAction, RegisterMap, Source, TextField};
use crate::ron_text;
use std::path::Path;
use std::sync::OnceLock;

/// (name, RON text) of every bundled map.
pub const MAPS: &[(&str, &str)] =
    &[("jbusp", include_str!("../maps/jbusp.ron")), ("vumap", include_str!("../maps/vumap.ron"))];

pub fn names() -> impl Iterator<Item = &'static str> {
    MAPS.iter().map(|(name, _)| *name)
}

/// The bundled maps, parsed once: a fleet makes thousands of twins from them.
static PARSED: OnceLock<Vec<(&'static str, RegisterMap)>> = OnceLock::new();

/// A bundled map by name (`None` if there is no such map).
pub fn bundled(name: &str) -> Option<RegisterMap> {
    let parsed = PARSED.get_or_init(|| {
        MAPS.iter().map(|(n, text)| (*n, parse(text).expect("bundled maps are valid (tested)"))).collect()
    });
    parsed.iter().find(|(n, _)| *n == name).map(|(_, map)| map.clone())
}

/// Parses and checks a map file's text.
pub fn parse(text: &str) -> Result<RegisterMap, Located> {
    let map: RegisterMap = ron_text::parse(text)?;
    check(&map).map_err(|message| {
        let (line, column) = ron_text::locate(text, "tables");
        Located::at(line, column, message)
    })?;
    Ok(map)
}

/// Loads a map file from disk.
pub fn load(path: &Path) -> Result<RegisterMap, LoadError> {
    crate::error::load_text(path, parse)
}

/// Characters of the serial number the map can carry.
pub fn serial_chars(map: &RegisterMap) -> usize {
    map.tables
        .iter()
        .flat_map(|t| &t.registers)
        .find_map(|r| match r.source {
            Source::Text(TextField::SerialNumber, words, _) => Some(usize::from(words) * 2),
            _ => None,
        })
        .unwrap_or(0)
}

fn check(map: &RegisterMap) -> Result<(), String> {
    let mut spans: Vec<(u32, u32, String)> = map
        .tables
        .iter()
        .map(|t| {
            (u32::from(t.start), u32::from(t.start) + u32::from(t.extent), format!("table `{}`", t.name))
        })
        .collect();
    spans.push((
        u32::from(map.commands.start),
        u32::from(map.commands.start) + u32::from(map.commands.words),
        "the command block".into(),
    ));
    for table in &map.tables {
        if table.extent < table.words {
            return Err(format!(
                "table `{}`: extent {} is below its {} documented words",
                table.name, table.extent, table.words
            ));
        }
        let end = u32::from(table.start) + u32::from(table.words);
        for register in &table.registers {
            let words = match register.source {
                Source::Text(_, words, _) => u32::from(words),
                _ => 1,
            };
            let address = u32::from(register.address);
            if address < u32::from(table.start) || address + words > end {
                return Err(format!(
                    "register {} (0x{:04X}) lies outside table `{}`",
                    register.code, register.address, table.name
                ));
            }
            if let Some(families) = &register.managed_by
                && let Some(unknown) = families.iter().find(|f| !map.families.contains(f))
            {
                return Err(format!(
                    "register {}: unknown family `{unknown}`; the map has {:?}",
                    register.code, map.families
                ));
            }
        }
        for bit in &table.bits {
            if u32::from(bit.address) < u32::from(table.start)
                || u32::from(bit.address) >= end
                || bit.bit > 15
            {
                return Err(format!(
                    "bit {} (0x{:04X} b{}) lies outside table `{}`",
                    bit.code, bit.address, bit.bit, table.name
                ));
            }
        }
    }
    let command_end = u32::from(map.commands.start) + u32::from(map.commands.words);
    for register in &map.commands.registers {
        let end = u32::from(register.address) + u32::from(RegisterMap::command_words(&register.action));
        if u32::from(register.address) < u32::from(map.commands.start) || end > command_end {
            return Err(format!(
                "command register `{}` (0x{:04X}) lies outside the command block",
                register.name, register.address
            ));
        }
        if let CommandAction::Params { params, .. } = &register.action
            && params.is_empty()
        {
            return Err(format!("command register `{}` has no parameters to write", register.name));
        }
    }
    spans.sort();
    for pair in spans.windows(2) {
        if pair[1].0 < pair[0].1 {
            return Err(format!("{} overlaps {}", pair[1].2, pair[0].2));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_maps_load_with_the_manual_layout() {
        let jbusp = bundled("jbusp").unwrap();
        let starts: Vec<u16> = jbusp.tables.iter().map(|t| t.start).collect();
        assert_eq!(starts, [0x1000, 0x1020, 0x1040, 0x1060, 0x10E0, 0x1360]);
        assert_eq!(serial_chars(&jbusp), 10);
        let vumap = bundled("vumap").unwrap();
        let starts: Vec<u16> = vumap.tables.iter().map(|t| t.start).collect();
        assert_eq!(starts, [0x0001, 0x0010, 0x001A, 0x0030, 0x0038, 0x0040]);
        assert_eq!(serial_chars(&vumap), 20);
    }

    #[test]
    fn overlapping_tables_are_refused() {
        let text = MAPS[0].1.replacen("extent: 12,", "extent: 40,", 1);
        let error = parse(&text).unwrap_err();
        assert!(error.message.contains("overlaps"), "{}", error.message);
    }
}
