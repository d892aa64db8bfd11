//! The UPS database: what the card knows of the UPS after a poll, decoded from the words it
//! read with the map's own definitions — identity, every measurement and nominal value, the
//! UPS clock, every status and alarm bit. A word of 0xFFFF means "not managed": such a value
//! is absent (`None`), never shown as 65535 or -1.

use serde::Serialize;
use std::collections::BTreeMap;
use ups_models::flags::Level;
use ups_models::map::{CharOrder, ClockPart, ModelField, RegisterMap, Scale, Source};

/// The "not managed" word.
pub const NOT_MANAGED: u16 = 0xFFFF;

/// The card's copy of the UPS's registers, by address; absent = never read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Words(BTreeMap<u16, u16>);

impl Words {
    pub fn store(&mut self, start: u16, words: &[u16]) {
        for (address, word) in (start..).zip(words) {
            self.0.insert(address, *word);
        }
    }

    /// Drops what was read of a range the UPS says it does not have.
    pub fn forget(&mut self, start: u16, count: u16) {
        for address in (start..).take(usize::from(count)) {
            self.0.remove(&address);
        }
    }

    pub fn get(&self, address: u16) -> Option<u16> {
        self.0.get(&address).copied()
    }
}

/// One value of the map: a measurement, a nominal value, a constant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reading {
    /// The manual's code (`M04`).
    pub code: String,
    pub name: String,
    /// The unit of `value` (`A` for a register the manual gives in `A*10`).
    pub unit: String,
    /// `None`: not managed by this UPS, or not read yet.
    pub value: Option<f64>,
    /// The measurement the map says it carries (`battery_charge_pct`, phase), if any.
    #[serde(skip)]
    pub signal: Option<(String, Option<u8>)>,
    /// The model value the map says it carries (`InstallationDevice`), if any.
    #[serde(skip)]
    pub field: Option<ModelField>,
}

/// One status or alarm bit and whether the UPS sets it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlagState {
    /// `S05`, `A31`.
    pub code: String,
    pub description: String,
    #[serde(serialize_with = "level_letter")]
    pub level: Option<Level>,
    /// `status` or `alarms`: the map table the bit is in.
    pub table: String,
    pub on: bool,
    /// The firmware condition the map says the bit reports.
    #[serde(skip)]
    pub signal: Option<String>,
}

fn level_letter<S: serde::Serializer>(level: &Option<Level>, serializer: S) -> Result<S::Ok, S::Error> {
    match level {
        Some(level) => serializer.serialize_some(&level.letter().to_string()),
        None => serializer.serialize_none(),
    }
}

/// The UPS clock as its registers give it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UpsClock {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Database {
    pub serial_number: Option<String>,
    pub reference: Option<String>,
    pub clock: Option<UpsClock>,
    pub readings: Vec<Reading>,
    pub flags: Vec<FlagState>,
}

impl Database {
    /// What the UPS calls itself: its reference, else its serial number.
    pub fn reference_or_serial(&self) -> Option<&str> {
        self.reference.as_deref().or(self.serial_number.as_deref())
    }

    /// How the card names the UPS: its reference, else "UPS" and its serial number.
    pub fn ups_name(&self) -> String {
        match (&self.reference, &self.serial_number) {
            (Some(reference), _) => reference.clone(),
            (None, Some(serial)) => format!("UPS {serial}"),
            (None, None) => "UPS".into(),
        }
    }

    /// The model value the map reads for `field` (nominal kVA, power share plugs…).
    pub fn model_value(&self, field: ModelField) -> Option<f64> {
        self.readings.iter().find(|r| r.field == Some(field)).and_then(|r| r.value)
    }

    pub fn reading(&self, code: &str) -> Option<&Reading> {
        self.readings.iter().find(|r| r.code == code)
    }

    pub fn flag(&self, code: &str) -> Option<&FlagState> {
        self.flags.iter().find(|f| f.code == code)
    }

    /// The codes of the bits set.
    pub fn bits_on(&self) -> std::collections::BTreeSet<&str> {
        self.flags.iter().filter(|f| f.on).map(|f| f.code.as_str()).collect()
    }
}

/// The SI unit of an encoded unit: `A*10` → `A`.
fn si_unit(unit: &str) -> String {
    unit.split_once('*').map_or(unit, |(si, _)| si).trim().to_string()
}

/// Whether the UPS reports measurements ×10: its own flag register if the map has one,
/// else what the map says.
fn times_ten(map: &RegisterMap, words: &Words) -> bool {
    let flag = map.tables.iter().flat_map(|t| &t.registers).find(|r| matches!(r.source, Source::FactorFlag));
    match flag {
        Some(register) => words.get(register.address) == Some(1),
        None => map.measurements_times_ten,
    }
}

fn text(words: &Words, start: u16, count: u16, order: CharOrder) -> Option<String> {
    let mut bytes = Vec::new();
    for address in start..start.saturating_add(count) {
        let word = words.get(address)?;
        let (high, low) = ((word >> 8) as u8, word as u8);
        match order {
            CharOrder::FirstHigh => bytes.extend([high, low]),
            CharOrder::FirstLow => bytes.extend([low, high]),
        }
    }
    let text: String = bytes.iter().take_while(|b| **b != 0).map(|b| char::from(*b)).collect();
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn clock(map: &RegisterMap, words: &Words) -> Option<UpsClock> {
    let mut clock = UpsClock::default();
    let mut found = false;
    for register in map.tables.iter().flat_map(|t| &t.registers) {
        let Source::Clock(part) = register.source else { continue };
        let word = words.get(register.address).filter(|w| *w != NOT_MANAGED)?;
        let (high, low) = ((word >> 8) as u8, word as u8);
        match part {
            ClockPart::MinuteSecond => (clock.minute, clock.second) = (high, low),
            ClockPart::DayHour => (clock.day, clock.hour) = (high, low),
            ClockPart::Month => clock.month = high,
            // A word no UPS means (a year past 65535) leaves the clock unknown.
            ClockPart::YearSince2000 => clock.year = 2000u16.checked_add(word)?,
        }
        found = true;
    }
    found.then_some(clock)
}

/// Decodes everything the map defines from the words read.
pub fn decode(map: &RegisterMap, words: &Words) -> Database {
    let times_ten = times_ten(map, words);
    let factor =
        |scale: &Scale| if times_ten { scale.with_factor.unwrap_or(scale.factor) } else { scale.factor };
    let mut database = Database { clock: clock(map, words), ..Database::default() };
    for register in map.tables.iter().flat_map(|t| &t.registers) {
        let word = words.get(register.address).filter(|w| *w != NOT_MANAGED);
        let mut field = None;
        let (value, signal) = match &register.source {
            Source::Text(field, count, order) => {
                let value = text(words, register.address, *count, *order);
                match field {
                    ups_models::map::TextField::SerialNumber => database.serial_number = value,
                    ups_models::map::TextField::Reference => database.reference = value,
                }
                continue;
            }
            Source::Clock(_) => continue,
            Source::Measurement { signal, phase, scale, signed } => {
                let raw = word.map(|w| if *signed { f64::from(w as i16) } else { f64::from(w) });
                (raw.map(|raw| raw / factor(scale)), Some((signal.clone(), *phase)))
            }
            Source::Model(model_field, scale) => {
                field = Some(*model_field);
                (word.map(|w| f64::from(w) / factor(scale)), None)
            }
            Source::Constant(_) | Source::FactorFlag => (word.map(f64::from), None),
        };
        database.readings.push(Reading {
            code: register.code.clone(),
            name: register.name.clone(),
            unit: si_unit(&register.unit),
            value,
            signal,
            field,
        });
    }
    for table in &map.tables {
        for bit in &table.bits {
            let on = words.get(bit.address).is_some_and(|w| w != NOT_MANAGED && w & (1 << bit.bit) != 0);
            database.flags.push(FlagState {
                code: bit.code.clone(),
                description: bit.description.clone(),
                level: bit.level,
                table: table.name.clone(),
                on,
                signal: bit.signal.clone(),
            });
        }
    }
    database
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_scaled_signed_missing_and_text_words() {
        let map = ups_models::maps::bundled("jbusp").unwrap();
        let mut words = Words::default();
        // Serial number "AB12", MSB char 2, LSB char 1.
        words.store(0x1003, &[u16::from_be_bytes([b'B', b'A']), u16::from_be_bytes([b'2', b'1']), 0, 0, 0]);
        words.store(0x1020, &[1 << 5, 0, 0, 0]);
        words.store(0x1060, &[80, 81, NOT_MANAGED, 0, 97]);
        let database = decode(&map, &words);
        assert_eq!(database.serial_number.as_deref(), Some("AB12"));
        assert_eq!(database.reading("M00").and_then(|r| r.value), Some(80.0));
        assert_eq!(database.reading("M02").and_then(|r| r.value), None, "0xFFFF is not managed");
        assert_eq!(database.reading("M04").and_then(|r| r.value), Some(97.0));
        assert!(database.flag("S05").is_some_and(|f| f.on) && database.flag("S00").is_some_and(|f| !f.on));
        let current = map.tables.iter().flat_map(|t| &t.registers).find(|r| r.unit == "A*10").unwrap();
        assert_eq!(database.reading(&current.code).unwrap().unit, "A");
    }

    #[test]
    fn a_year_no_ups_means_leaves_the_clock_unknown() {
        let map = ups_models::maps::bundled("jbusp").unwrap();
        let mut words = Words::default();
        // D0..D3: minutes/seconds, day/hour, month, year − 2000.
        words.store(0x1360, &[0x0102, 0x0304, 0x0500, 26]);
        assert_eq!(decode(&map, &words).clock.map(|c| c.year), Some(2026));
        words.store(0x1363, &[0xFFF0]);
        assert_eq!(decode(&map, &words).clock, None);
    }
}
