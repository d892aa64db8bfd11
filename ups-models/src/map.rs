//! Register maps as data: where each value a UPS reports lives, how it is scaled, which
//! bits carry which status and alarm, and where commands are written. The bundled maps
//! (`maps/jbusp.ron`, `maps/vumap.ron`) follow the NET VISION appendices; another vendor's
//! map is another file. The format is described in `maps/README.md`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterMap {
    /// Short name models refer to (`register_map: "jbusp"`).
    pub name: String,
    pub title: String,
    /// The manual's model-range columns that `managed_by` lists refer to (a model picks one
    /// with `identity.map_family`).
    #[serde(default)]
    pub families: Vec<String>,
    /// Whether the UPS reports measurements ×10 (VU-MAP's flag at 0x000E), which selects
    /// `Scale::with_factor` for every register that has one.
    #[serde(default)]
    pub measurements_times_ten: bool,
    /// Units a parallel system can report (JBUSP 6, VU-MAP 10).
    pub max_parallel_units: u8,
    pub tables: Vec<Table>,
    pub commands: CommandBlock,
}

/// A contiguous block of holding registers (function 03; 04 reads the same image).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub name: String,
    pub start: u16,
    /// Words the manual documents.
    pub words: u16,
    /// Words answered from `start` (at least `words`): reads past the documented words
    /// return 0, as real UPS do for clients that read whole blocks.
    pub extent: u16,
    #[serde(default)]
    pub registers: Vec<Register>,
    /// Status or alarm bits carried by this table's words.
    #[serde(default)]
    pub bits: Vec<Bit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Register {
    pub address: u16,
    /// The manual's code (`M09`, `T015`).
    pub code: String,
    pub name: String,
    /// Unit of the encoded value as the manual writes it (`V`, `A*10`, `Hz*10`).
    #[serde(default)]
    pub unit: String,
    pub source: Source,
    /// Families that manage this register; others read 0xFFFF (-1). Absent: all do.
    #[serde(default)]
    pub managed_by: Option<Vec<String>>,
    /// A condition that must hold for the value to be reported; 0xFFFF otherwise (JBUSP
    /// reports no remaining time on mains, which NUT's socomec_jbus reads as "on line").
    #[serde(default)]
    pub valid_when: Option<String>,
}

/// Where a register's value comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Source {
    Constant(u16),
    /// A value from the model file.
    Model(ModelField, Scale),
    /// ASCII text from the model, two characters per word over `words` words.
    Text(TextField, u16, CharOrder),
    /// A live measurement by signal name (`output_voltage_v`), with a 1-based phase for
    /// per-phase values; `signed` encodes negatives in two's complement.
    Measurement {
        signal: String,
        phase: Option<u8>,
        scale: Scale,
        signed: bool,
    },
    /// A part of the UPS clock.
    Clock(ClockPart),
    /// The ×10 measurement factor flag itself.
    FactorFlag,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModelField {
    ModelCode,
    ApparentPowerKva,
    ActivePowerKw,
    NominalInputVoltageV,
    NominalOutputVoltageV,
    NominalInputFrequencyHz,
    NominalOutputFrequencyHz,
    BatteryCapacityAh,
    PowerSharePlugs,
    /// Input phases in the high byte, output phases in the low byte (VU-MAP T007).
    PhasesInOut,
    /// Installation code in the high byte, device type in the low byte (VU-MAP T001).
    InstallationDevice,
    /// Modules or units fitted (VU-MAP T002).
    Devices,
    /// One bit per module or unit present (VU-MAP T003).
    DevicesPresent,
    /// Function bits: b00 eco enabled, b03 genset present (VU-MAP T008).
    Functions,
    /// Environment bits: b06 without bypass (VU-MAP T009).
    Environment,
    /// b00 battery present (VU-MAP T010).
    DcStorage,
    /// Firmware version of the communication board ×100.
    FirmwareVersion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextField {
    SerialNumber,
    /// The commercial model name.
    Reference,
}

/// Which character of a pair sits in a word's high byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CharOrder {
    /// First character in the high byte (usual Modbus text).
    FirstHigh,
    /// First character in the low byte (JBUSP serial number: "MSB char 2, LSB char 1").
    FirstLow,
}

/// Parts of the clock, laid out as NUT's `socomec_jbus` reads JBUSP 0x1360 (binary, not
/// BCD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClockPart {
    /// Minutes in the high byte, seconds in the low byte.
    MinuteSecond,
    /// Day of month in the high byte, hours in the low byte.
    DayHour,
    /// Month (1-12) in the high byte.
    Month,
    /// Year minus 2000, whole word.
    YearSince2000,
}

/// Multiplier from the SI signal to the encoded integer; `with_factor` replaces it when the
/// map's ×10 flag is set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub factor: f64,
    #[serde(default)]
    pub with_factor: Option<f64>,
}

/// One status or alarm bit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bit {
    pub address: u16,
    /// 0 = least significant bit of the word.
    pub bit: u8,
    pub code: String,
    pub level: Option<Level>,
    pub description: String,
    /// The firmware condition it reports (`on_battery`, `unit_present:3`); none = not
    /// managed by the twin (reads 0).
    #[serde(default)]
    pub signal: Option<String>,
}

/// The map's command registers (the manuals publish none; each map documents its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandBlock {
    pub start: u16,
    pub words: u16,
    pub registers: Vec<CommandRegister>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandRegister {
    pub address: u16,
    pub name: String,
    pub action: CommandAction,
}

/// What writing a command register does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CommandAction {
    /// Write 1 to run the command; any other value is illegal (exception 03).
    Trigger(String),
    /// Write 1 for the first command, 0 for the second.
    Switch(String, String),
    /// Write `params.len()` words in one request (function 16; 06 when there is one): the
    /// command's parameters in order, plus fixed ones.
    Params { command: String, params: Vec<String>, fixed: Vec<(String, f64)> },
    /// Four words in the clock layout above: sets the date and time.
    SetClock,
}

impl RegisterMap {
    /// Words a command register takes.
    pub fn command_words(action: &CommandAction) -> u16 {
        match action {
            CommandAction::Trigger(_) | CommandAction::Switch(..) => 1,
            CommandAction::Params { params, .. } => params.len().max(1) as u16,
            CommandAction::SetClock => 4,
        }
    }
}

impl Serialize for Level {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.letter().to_string())
    }
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.as_str() {
            "I" => Ok(Level::Information),
            "W" => Ok(Level::Warning),
            "C" => Ok(Level::Critical),
            other => {
                Err(serde::de::Error::custom(format!("expected \"I\", \"W\" or \"C\", found \"{other}\"")))
            }
        }
    }
}

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
