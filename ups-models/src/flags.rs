//! The status and alarm bits of each register map, as the NET VISION appendices list them
//! (`maps/tables/*-status.csv`, `*-alarms.csv`), with the firmware condition each reports.
//! Reports name bits exactly as the manual does: `A31 Imminent STOP (C)`.

use crate::map::RegisterMap;

pub use crate::map::Level;

/// One status or alarm bit.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    /// `S05`, `A031`, as the manual writes it.
    pub code: String,
    pub level: Option<Level>,
    pub description: String,
    /// Condition name and 1-based index (`unit_present:3` → ("unit_present", Some(3))).
    pub signal: Option<(String, Option<usize>)>,
}

/// Status then alarm bits of a map, in table order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlagTables {
    pub status: Vec<Flag>,
    pub alarms: Vec<Flag>,
}

impl FlagTables {
    /// The status and alarm tables of `map`.
    pub fn of(map: &RegisterMap) -> Self {
        let table = |name: &str| -> Vec<Flag> {
            map.tables
                .iter()
                .filter(|t| t.name == name)
                .flat_map(|t| &t.bits)
                .map(|bit| Flag {
                    code: bit.code.clone(),
                    level: bit.level,
                    description: bit.description.clone(),
                    signal: bit.signal.as_deref().map(split_signal),
                })
                .collect()
        };
        Self { status: table("status"), alarms: table("alarms") }
    }
}

/// `unit_present:3` → ("unit_present", Some(3)); a name without an index → (name, None).
pub fn split_signal(text: &str) -> (String, Option<usize>) {
    match text.split_once(':') {
        Some((name, index)) => (name.to_string(), index.parse().ok()),
        None => (text.to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_tables_parse_with_the_manual_codes() {
        let tables = |name: &str| crate::maps::bundled(name).map(|map| FlagTables::of(&map));
        let jbusp = tables("jbusp").unwrap();
        assert_eq!(jbusp.status.len(), 64);
        assert_eq!(jbusp.alarms.len(), 64);
        let a31 = jbusp.alarms.iter().find(|f| f.code == "A31").unwrap();
        assert_eq!((a31.description.as_str(), a31.level), ("Imminent STOP", Some(Level::Critical)));
        assert_eq!(a31.signal, Some(("imminent_stop".to_string(), None)));
        let vumap = tables("vumap").unwrap();
        assert_eq!((vumap.status.len(), vumap.alarms.len()), (128, 128));
        assert!(tables("megatec").is_none());
    }
}
