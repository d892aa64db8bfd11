//! The register image: a map file applied to the twin. Reads encode the UPS's state word by
//! word as the map says (scale, −1 for what the model does not manage, ASCII, bits); writes
//! to the map's command registers become firmware commands. Pure: the links call this.

pub mod signals;

use crate::ups::Ups;
use crate::ups::commands::{Command, parse_command};
use crate::ups::conditions::Conditions;
use signals::Measurement;
use ups_models::flags::split_signal;
use ups_models::map::{
    CharOrder, ClockPart, CommandAction, CommandRegister, ModelField, RegisterMap, Scale, Source, TextField,
};
use ups_models::model::{ParallelBypass, Topology};

/// Version the twin's communication board reports (JBUSP T04, ×100).
const FIRMWARE_VERSION: f64 = 1.0;
/// Value of a register the UPS does not manage.
pub const NOT_MANAGED: u16 = 0xFFFF;
/// Most registers one read or write may cover (Modbus).
pub const MAX_WORDS: u16 = 125;

/// The Modbus exceptions the image answers with are the protocol's.
pub use crate::modbus::exception::Exception;

/// A map bound to one model, compiled once so a read is a lookup per word: no name is
/// matched while answering.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterImage {
    map: RegisterMap,
    tables: Vec<CompiledTable>,
    registers: Vec<CompiledRegister>,
}

#[derive(Debug, Clone, PartialEq)]
struct CompiledTable {
    start: u16,
    extent: u16,
    /// One slot per word from `start`.
    slots: Vec<Slot>,
}

#[derive(Debug, Clone, PartialEq)]
enum Slot {
    Zero,
    /// Word `offset` of register `register`.
    Register {
        register: usize,
        offset: u16,
    },
    /// (bit, position of its condition in `Conditions::flat`).
    Bits(Vec<(u8, usize)>),
}

#[derive(Debug, Clone, PartialEq)]
struct CompiledRegister {
    value: Value,
    /// Position in `Conditions::flat` of the condition the value needs, if any.
    valid_when: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    NotManaged,
    Constant(u16),
    Model(ModelField, f64),
    Text(TextField, CharOrder),
    Measurement { measurement: Measurement, phase: Option<u8>, scale: f64, signed: bool },
    Clock(ClockPart),
    FactorFlag,
}

impl RegisterImage {
    pub fn new(map: RegisterMap, family: Option<String>) -> Self {
        let scale =
            |s: &Scale| if map.measurements_times_ten { s.with_factor.unwrap_or(s.factor) } else { s.factor };
        let condition = |name: &str| {
            let (name, index) = split_signal(name);
            Conditions::index_of(&name, index)
        };
        let mut registers = Vec::new();
        let mut tables = Vec::new();
        for table in &map.tables {
            let mut slots = vec![Slot::Zero; usize::from(table.extent)];
            for register in &table.registers {
                let managed = match (&register.managed_by, &family) {
                    (None, _) => true,
                    (Some(families), Some(family)) => families.contains(family),
                    (Some(families), None) => !families.is_empty(),
                };
                let value = match &register.source {
                    _ if !managed => Value::NotManaged,
                    Source::Constant(value) => Value::Constant(*value),
                    Source::Model(field, s) => Value::Model(*field, scale(s)),
                    Source::Text(field, _, order) => Value::Text(*field, *order),
                    Source::Measurement { signal, phase, scale: s, signed } => match signals::parse(signal) {
                        Some(measurement) => Value::Measurement {
                            measurement,
                            phase: *phase,
                            scale: scale(s),
                            signed: *signed,
                        },
                        None => Value::NotManaged,
                    },
                    Source::Clock(part) => Value::Clock(*part),
                    Source::FactorFlag => Value::FactorFlag,
                };
                let words = match register.source {
                    Source::Text(_, words, _) => words,
                    _ => 1,
                };
                for offset in 0..words {
                    if let Some(slot) = slots.get_mut(usize::from(register.address - table.start + offset)) {
                        *slot = Slot::Register { register: registers.len(), offset };
                    }
                }
                let valid_when = register.valid_when.as_deref().and_then(condition);
                registers.push(CompiledRegister { value, valid_when });
            }
            for bit in &table.bits {
                let Some(position) = bit.signal.as_deref().and_then(condition) else { continue };
                let slot = &mut slots[usize::from(bit.address - table.start)];
                match slot {
                    Slot::Bits(bits) => bits.push((bit.bit, position)),
                    _ => *slot = Slot::Bits(vec![(bit.bit, position)]),
                }
            }
            tables.push(CompiledTable { start: table.start, extent: table.extent, slots });
        }
        Self { map, tables, registers }
    }

    pub fn map(&self) -> &RegisterMap {
        &self.map
    }

    /// Reads `count` words from `address` (function 03 or 04).
    pub fn read(&self, ups: &Ups, address: u16, count: u16) -> Result<Vec<u16>, Exception> {
        if count == 0 || count > MAX_WORDS {
            return Err(Exception::IllegalDataValue);
        }
        let end = u32::from(address) + u32::from(count);
        if let Some(table) =
            self.tables.iter().find(|t| address >= t.start && end <= u32::from(t.start) + u32::from(t.extent))
        {
            let conditions = ups.conditions().flat();
            let first = usize::from(address - table.start);
            let words = table.slots[first..first + usize::from(count)]
                .iter()
                .map(|slot| match slot {
                    Slot::Zero => 0,
                    Slot::Register { register, offset } => {
                        self.encode(ups, &conditions, &self.registers[*register], *offset)
                    }
                    Slot::Bits(bits) => bits
                        .iter()
                        .filter(|(_, position)| conditions[*position])
                        .fold(0, |word, (bit, _)| word | (1 << bit)),
                })
                .collect();
            return Ok(words);
        }
        let commands = &self.map.commands;
        if address >= commands.start && end <= u32::from(commands.start) + u32::from(commands.words) {
            // Command registers are write-only; they read as 0.
            return Ok(vec![0; usize::from(count)]);
        }
        Err(Exception::IllegalDataAddress)
    }

    /// Word `offset` of a register.
    fn encode(&self, ups: &Ups, conditions: &[bool], register: &CompiledRegister, offset: u16) -> u16 {
        if register.valid_when.is_some_and(|position| !conditions[position]) {
            return NOT_MANAGED;
        }
        match &register.value {
            Value::NotManaged => NOT_MANAGED,
            Value::Constant(value) => *value,
            Value::Model(field, scale) => unsigned(model_value(ups, *field) * scale),
            Value::Text(field, order) => {
                let model = &ups.model().identity;
                let text = match field {
                    TextField::SerialNumber => &model.serial_number,
                    TextField::Reference => &model.model,
                };
                let bytes = text.as_bytes();
                let pair = |i: usize| u16::from(bytes.get(i).copied().unwrap_or(0));
                let (first, second) = (pair(2 * usize::from(offset)), pair(2 * usize::from(offset) + 1));
                match order {
                    CharOrder::FirstHigh => first << 8 | second,
                    CharOrder::FirstLow => second << 8 | first,
                }
            }
            Value::Measurement { measurement, phase, scale, signed } => {
                match signals::value(ups, *measurement, *phase) {
                    None => NOT_MANAGED,
                    Some(value) if *signed => signed_word(value * scale),
                    Some(value) => unsigned(value * scale),
                }
            }
            Value::Clock(part) => clock_word(ups.clock_epoch_s(), *part),
            Value::FactorFlag => u16::from(self.map.measurements_times_ten),
        }
    }

    /// Writes `values` from `address` (functions 06 and 16): only the map's command
    /// registers, each written whole.
    pub fn write(&self, ups: &mut Ups, address: u16, values: &[u16]) -> Result<(), Exception> {
        if values.is_empty() || values.len() > usize::from(MAX_WORDS) {
            return Err(Exception::IllegalDataValue);
        }
        let register = self
            .map
            .commands
            .registers
            .iter()
            .find(|r| {
                r.address == address && usize::from(RegisterMap::command_words(&r.action)) == values.len()
            })
            .ok_or(Exception::IllegalDataAddress)?;
        let command = command_for(register, values)?;
        ups.command(&command).map_err(|_| Exception::ServerDeviceFailure)
    }
}

/// Rounds to the nearest two's-complement word, keeping 0xFFFF (−1) for "not managed": a
/// value that rounds to −1 (a float current of −0.1 A at ×10) reads 0.
fn signed_word(value: f64) -> u16 {
    match value.round().clamp(-32768.0, 32767.0) as i16 {
        -1 => 0,
        word => word as u16,
    }
}

/// Rounds to the nearest word, keeping 0xFFFF for "not managed".
fn unsigned(value: f64) -> u16 {
    if value.is_finite() { value.round().clamp(0.0, f64::from(NOT_MANAGED - 1)) as u16 } else { NOT_MANAGED }
}

fn model_value(ups: &Ups, field: ModelField) -> f64 {
    let model = ups.model();
    let units = match model.topology {
        Topology::Single => 1,
        Topology::Modular { modules, .. } => modules,
        Topology::Parallel { units, .. } => units,
    };
    match field {
        ModelField::ModelCode => f64::from(model.identity.model_code),
        ModelField::ApparentPowerKva => model.ratings.apparent_power_kva,
        ModelField::ActivePowerKw => model.ratings.active_power_kw,
        ModelField::NominalInputVoltageV => model.ratings.nominal_input_voltage_v,
        ModelField::NominalOutputVoltageV => model.ratings.nominal_output_voltage_v,
        ModelField::NominalInputFrequencyHz => model.ratings.nominal_input_frequency_hz,
        ModelField::NominalOutputFrequencyHz => model.ratings.nominal_output_frequency_hz,
        ModelField::BatteryCapacityAh => ups.battery().nominal_capacity_ah(),
        ModelField::PowerSharePlugs => f64::from(model.capabilities.power_share_plugs),
        ModelField::PhasesInOut => {
            f64::from(u16::from(model.ratings.input_phases) << 8 | u16::from(model.ratings.output_phases))
        }
        ModelField::InstallationDevice => f64::from(match model.topology {
            Topology::Single => 0x0101u16,
            Topology::Modular { .. } => 0x0801,
            Topology::Parallel {
                bypass: ParallelBypass::Distributed | ParallelBypass::Centralized, ..
            } => 0x0601,
        }),
        ModelField::Devices => f64::from(units),
        ModelField::DevicesPresent => f64::from((1u32 << units) - 1),
        ModelField::Functions => {
            f64::from(u16::from(ups.eco_enabled()) | u16::from(model.capabilities.genset) << 3)
        }
        ModelField::Environment => 0.0,
        ModelField::DcStorage => 1.0,
        ModelField::FirmwareVersion => FIRMWARE_VERSION,
    }
}

/// A clock word in the layout NUT's socomec_jbus decodes (binary, not BCD).
fn clock_word(epoch_s: f64, part: ClockPart) -> u16 {
    let at = time::OffsetDateTime::from_unix_timestamp(epoch_s.floor() as i64)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    match part {
        ClockPart::MinuteSecond => u16::from(at.minute()) << 8 | u16::from(at.second()),
        ClockPart::DayHour => u16::from(at.day()) << 8 | u16::from(at.hour()),
        ClockPart::Month => u16::from(u8::from(at.month())) << 8,
        ClockPart::YearSince2000 => (at.year() - 2000).clamp(0, 0xFFFF) as u16,
    }
}

/// Seconds since 1970 from four clock words; `None` for an impossible date.
fn epoch_from_clock(words: &[u16]) -> Option<f64> {
    let (minute, second) = ((words[0] >> 8) as u8, (words[0] & 0xFF) as u8);
    let (day, hour) = ((words[1] >> 8) as u8, (words[1] & 0xFF) as u8);
    let month = time::Month::try_from((words[2] >> 8) as u8).ok()?;
    let date = time::Date::from_calendar_date(2000 + i32::from(words[3]), month, day).ok()?;
    let clock = time::Time::from_hms(hour, minute, second).ok()?;
    Some(time::PrimitiveDateTime::new(date, clock).assume_utc().unix_timestamp() as f64)
}

/// The firmware command a write to `register` asks for.
fn command_for(register: &CommandRegister, values: &[u16]) -> Result<Command, Exception> {
    let invalid = |_| Exception::IllegalDataValue;
    match &register.action {
        CommandAction::Trigger(name) if values == [1] => parse_command(name, &[]).map_err(invalid),
        CommandAction::Trigger(_) => Err(Exception::IllegalDataValue),
        CommandAction::Switch(on, off) => match values {
            [1] => parse_command(on, &[]).map_err(invalid),
            [0] => parse_command(off, &[]).map_err(invalid),
            _ => Err(Exception::IllegalDataValue),
        },
        CommandAction::Params { command, params, fixed } => {
            let mut pairs: Vec<(String, String)> =
                params.iter().zip(values).map(|(name, value)| (name.clone(), value.to_string())).collect();
            pairs.extend(fixed.iter().map(|(name, value)| (name.clone(), value.to_string())));
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            parse_command(command, &pairs).map_err(invalid)
        }
        CommandAction::SetClock => {
            let epoch_s = epoch_from_clock(values).ok_or(Exception::IllegalDataValue)?;
            Ok(Command::SetDateTime { epoch_s })
        }
    }
}
