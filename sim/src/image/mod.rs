//! The register image: a map file applied to the twin. Reads encode the UPS's state word by
//! word as the map says (scale, −1 for what the model does not manage, ASCII, bits); writes
//! to the map's command registers become firmware commands. Pure: the links call this.

pub mod signals;

use crate::ups::Ups;
use crate::ups::commands::{Command, parse_command};
use ups_models::flags::split_signal;
use ups_models::map::{
    CharOrder, ClockPart, CommandAction, CommandRegister, ModelField, Register, RegisterMap, Scale, Source,
    Table, TextField,
};
use ups_models::model::{ParallelBypass, Topology};

/// Version the twin's communication board reports (JBUSP T04, ×100).
const FIRMWARE_VERSION: f64 = 1.0;
/// Value of a register the UPS does not manage.
pub const NOT_MANAGED: u16 = 0xFFFF;
/// Most registers one read or write may cover (Modbus).
pub const MAX_WORDS: u16 = 125;

/// Modbus exception codes the image answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exception {
    IllegalFunction = 1,
    IllegalDataAddress = 2,
    IllegalDataValue = 3,
    /// The firmware refused the command.
    ServerDeviceFailure = 4,
}

/// A map bound to one model.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterImage {
    map: RegisterMap,
    family: Option<String>,
}

impl RegisterImage {
    pub fn new(map: RegisterMap, family: Option<String>) -> Self {
        Self { map, family }
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
        if let Some(table) = self
            .map
            .tables
            .iter()
            .find(|t| address >= t.start && end <= u32::from(t.start) + u32::from(t.extent))
        {
            return Ok((0..count).map(|i| self.table_word(ups, table, address + i)).collect());
        }
        let commands = &self.map.commands;
        if address >= commands.start && end <= u32::from(commands.start) + u32::from(commands.words) {
            // Command registers are write-only; they read as 0.
            return Ok(vec![0; usize::from(count)]);
        }
        Err(Exception::IllegalDataAddress)
    }

    fn table_word(&self, ups: &Ups, table: &Table, address: u16) -> u16 {
        if !table.bits.is_empty() {
            return table
                .bits
                .iter()
                .filter(|b| b.address == address)
                .filter(|b| b.signal.as_deref().is_some_and(|s| condition(ups, s)))
                .fold(0, |word, b| word | (1 << b.bit));
        }
        for register in &table.registers {
            if register.address == address {
                return self.encode(ups, register, 0);
            }
            if let Source::Text(_, words, _) = register.source
                && address > register.address
                && address < register.address + words
            {
                return self.encode(ups, register, address - register.address);
            }
        }
        0 // documented but unused, or past the documented words
    }

    fn scale(&self, scale: Scale) -> f64 {
        if self.map.measurements_times_ten { scale.with_factor.unwrap_or(scale.factor) } else { scale.factor }
    }

    fn managed(&self, register: &Register) -> bool {
        match (&register.managed_by, &self.family) {
            (None, _) => true,
            (Some(families), Some(family)) => families.contains(family),
            (Some(families), None) => !families.is_empty(),
        }
    }

    /// Word `offset` of a register.
    fn encode(&self, ups: &Ups, register: &Register, offset: u16) -> u16 {
        if !self.managed(register) || register.valid_when.as_deref().is_some_and(|c| !condition(ups, c)) {
            return NOT_MANAGED;
        }
        match &register.source {
            Source::Constant(value) => *value,
            Source::Model(field, scale) => unsigned(model_value(ups, *field) * self.scale(*scale)),
            Source::Text(field, _, order) => {
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
            Source::Measurement { signal, phase, scale, signed } => {
                match signals::measurement(ups, signal, *phase) {
                    None => NOT_MANAGED,
                    Some(value) if *signed => {
                        (value * self.scale(*scale)).round().clamp(-32768.0, 32767.0) as i16 as u16
                    }
                    Some(value) => unsigned(value * self.scale(*scale)),
                }
            }
            Source::Clock(part) => clock_word(ups.clock_epoch_s(), *part),
            Source::FactorFlag => u16::from(self.map.measurements_times_ten),
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

/// Rounds to the nearest word, keeping 0xFFFF for "not managed".
fn unsigned(value: f64) -> u16 {
    if value.is_finite() { value.round().clamp(0.0, f64::from(NOT_MANAGED - 1)) as u16 } else { NOT_MANAGED }
}

fn condition(ups: &Ups, signal: &str) -> bool {
    let (name, index) = split_signal(signal);
    ups.conditions().get(&name, index).unwrap_or(false)
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
            parse_command("set_date_time", &[("epoch_s", &epoch_s.to_string())]).map_err(invalid)
        }
    }
}
