//! The twin's truth for the words a Modbus master read: what the map (the manual's table)
//! says each register holds, taken from the twin's state (`GET /api/state`: its mode,
//! conditions and measurements) read just before and just after the words, decoded with
//! the map's scale. Not from the register image (`/api/registers`): that is the code
//! under test, and comparing the wire with it proves only the transport.

use super::Served;
use serde_json::Value;
use std::time::Duration;
use ups_models::map::{RegisterMap, Source, Table};

/// The model's map and family, as the twin serves it.
pub struct Truth {
    pub map: RegisterMap,
    family: Option<String>,
}

impl Truth {
    pub fn of(model: &str) -> Truth {
        let loaded = ups_models::loader::load_model(model).expect("a bundled model");
        let map = ups_models::maps::bundled(&loaded.model.register_map).expect("its map");
        Truth { map, family: loaded.model.identity.map_family }
    }

    fn managed(&self, families: &Option<Vec<String>>) -> bool {
        match (families, &self.family) {
            (None, _) => true,
            (Some(families), Some(family)) => families.contains(family),
            (Some(families), None) => !families.is_empty(),
        }
    }

    /// Reads every table of the map with `read` between two readings of `served`'s state
    /// (`settle` after the first: what a card serves was polled after it) and checks each;
    /// how many values were checked in all.
    pub fn check_every_table(
        &self,
        served: &Served,
        settle: Duration,
        mut read: impl FnMut(&Table) -> Vec<u16>,
    ) -> usize {
        let mut checked = 0;
        for table in &self.map.tables {
            let before = served.get("/api/state");
            std::thread::sleep(settle);
            let words = read(table);
            let after = served.get("/api/state");
            assert_eq!(words.len(), usize::from(table.words), "{}", table.name);
            let in_table = self.check(table, &words, &before, &after);
            println!(
                "{:<16} 0x{:04X} ×{:<3} {in_table} values = the twin's",
                table.name, table.start, table.words
            );
            checked += in_table;
        }
        checked
    }

    /// Checks the measurements and status bits of `table` in `words` (read from its start)
    /// against the state `before` and `after` the read; how many were checked.
    pub fn check(&self, table: &Table, words: &[u16], before: &Value, after: &Value) -> usize {
        let mut checked = 0;
        for register in &table.registers {
            let Source::Measurement { signal, phase, scale, signed } = &register.source else { continue };
            let Some(&word) = words.get(usize::from(register.address - table.start)) else { continue };
            let at =
                format!("{} 0x{:04X} {} ({})", table.name, register.address, register.code, register.name);
            if !self.managed(&register.managed_by) {
                assert_eq!(word, 0xFFFF, "{at}: not managed by this family, reads 0xFFFF");
                continue;
            }
            let key = phase.map_or(signal.clone(), |p| format!("{signal}:{p}"));
            let truth = |state: &Value| state["measurements"][&key].as_f64();
            let valid = |state: &Value| {
                register.valid_when.as_ref().is_none_or(|c| state["conditions"][c].as_bool() == Some(true))
            };
            if valid(before) != valid(after) {
                continue; // the condition changed during the read
            }
            let (Some(a), Some(b)) = (truth(before), truth(after)) else {
                assert_eq!(word, 0xFFFF, "{at}: the twin has no {key}, the word reads 0xFFFF");
                checked += 1;
                continue;
            };
            if !valid(before) {
                assert_eq!(word, 0xFFFF, "{at}: reported only when {:?}", register.valid_when);
                checked += 1;
                continue;
            }
            let factor = if self.map.measurements_times_ten {
                scale.with_factor.unwrap_or(scale.factor)
            } else {
                scale.factor
            };
            let raw = if *signed { f64::from(word as i16) } else { f64::from(word) };
            let read = raw / factor;
            // One count of the register's resolution for rounding, and 1 % of the value
            // for what moved between the two reads of the state.
            let (low, high) = (a.min(b), a.max(b));
            let (low, high) = if *signed { (low, high) } else { (low.max(0.0), high.max(0.0)) };
            let slack = 1.0 / factor + 0.01 * high.abs().max(low.abs());
            assert!(
                (low - slack..=high + slack).contains(&read),
                "{at}: the wire says {read} (word {word:#06x}), the twin's {key} was {a} then {b}"
            );
            checked += 1;
        }
        for bit in &table.bits {
            let Some(signal) = &bit.signal else { continue };
            let (Some(a), Some(b)) =
                (before["conditions"][signal].as_bool(), after["conditions"][signal].as_bool())
            else {
                panic!("the twin's state has no condition {signal} ({} {})", bit.code, bit.description);
            };
            if a != b {
                continue;
            }
            let Some(word) = words.get(usize::from(bit.address - table.start)) else { continue };
            let on = word & (1 << bit.bit) != 0;
            assert_eq!(
                on, a,
                "{} 0x{:04X} bit {} {} ({}): the twin's {signal}",
                table.name, bit.address, bit.bit, bit.code, bit.description
            );
            checked += 1;
        }
        checked
    }
}
