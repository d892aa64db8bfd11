//! The status and alarm bits of each register map, as the NET VISION appendices list them
//! (`maps/tables/*-status.csv`, `*-alarms.csv`), with the firmware condition each reports.
//! Reports name bits exactly as the manual does: `A31 Imminent STOP (C)`.

/// Severity the manual gives a bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Information,
    Warning,
    Critical,
}

impl Level {
    pub fn letter(self) -> char {
        match self {
            Level::Information => 'I',
            Level::Warning => 'W',
            Level::Critical => 'C',
        }
    }
}

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
#[derive(Debug, Clone, PartialEq)]
pub struct FlagTables {
    pub status: Vec<Flag>,
    pub alarms: Vec<Flag>,
}

const TABLES: &[(&str, &str, &str)] = &[
    (
        "jbusp",
        include_str!("../maps/tables/jbusp-status.csv"),
        include_str!("../maps/tables/jbusp-alarms.csv"),
    ),
    (
        "vumap",
        include_str!("../maps/tables/vumap-status.csv"),
        include_str!("../maps/tables/vumap-alarms.csv"),
    ),
];

/// The flag tables of a bundled map, `None` for an unknown map name.
pub fn tables(map: &str) -> Option<FlagTables> {
    let (_, status, alarms) = TABLES.iter().find(|(name, _, _)| *name == map)?;
    Some(FlagTables {
        status: parse(status).expect("bundled status table parses (tested)"),
        alarms: parse(alarms).expect("bundled alarm table parses (tested)"),
    })
}

fn parse(text: &str) -> Result<Vec<Flag>, String> {
    let mut reader = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name).ok_or(format!("no `{name}` column"));
    let (code, level, description, signal) =
        (column("code")?, column("level")?, column("description")?, column("signal")?);
    let mut flags = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let level = match &record[level] {
            "I" => Some(Level::Information),
            "W" => Some(Level::Warning),
            "C" => Some(Level::Critical),
            _ => None,
        };
        let signal = match &record[signal] {
            "" => None,
            text => Some(match text.split_once(':') {
                Some((name, index)) => (
                    name.to_string(),
                    Some(index.parse().map_err(|_| format!("bad signal index in `{text}`"))?),
                ),
                None => (text.to_string(), None),
            }),
        };
        flags.push(Flag {
            code: record[code].to_string(),
            level,
            description: record[description].to_string(),
            signal,
        });
    }
    Ok(flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_tables_parse_with_the_manual_codes() {
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
