//! The UPS topology the card recognises (NET VISION §11.3): a single unit, a modular unit
//! (modules 1–8), or a parallel system of units, with which units or modules are present.
//! VU-MAP says it in its configuration words (T001 installation code, T002 device count,
//! T003 positions present); JBUSP in its status bits (S30 parallel, S32–S37 units present).

use crate::database::Database;
use serde::Serialize;
use ups_models::map::ModelField;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    Single,
    Modular,
    Parallel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Topology {
    pub kind: Kind,
    /// Units (parallel) or modules (modular) present, numbered from 1 as in the cabinet.
    pub present: Vec<u8>,
}

fn model_word(database: &Database, field: ModelField) -> Option<u16> {
    database.readings.iter().find(|r| r.field == Some(field)).and_then(|r| r.value).map(|v| v as u16)
}

pub fn topology(database: &Database, parallel_bit: bool) -> Topology {
    if let Some(code) = model_word(database, ModelField::InstallationDevice) {
        let kind = match code >> 8 {
            0x08 | 0x09 => Kind::Modular,
            0x06 => Kind::Parallel,
            _ => Kind::Single,
        };
        let positions = model_word(database, ModelField::DevicesPresent).unwrap_or(0);
        let present = (0..16u8).filter(|bit| positions & (1 << bit) != 0).map(|bit| bit + 1).collect();
        return Topology { kind, present: if kind == Kind::Single { vec![] } else { present } };
    }
    let units: Vec<u8> = database
        .flags
        .iter()
        .filter(|f| f.on)
        .filter_map(|f| f.signal.as_deref()?.strip_prefix("unit_present:")?.parse().ok())
        .collect();
    if parallel_bit {
        Topology { kind: Kind::Parallel, present: units }
    } else {
        Topology { kind: Kind::Single, present: vec![] }
    }
}
