//! Protocol data units: function code and data, the same over RTU and TCP.

use super::exception::Exception;

pub const READ_COILS: u8 = 0x01;
pub const READ_DISCRETE_INPUTS: u8 = 0x02;
pub const READ_HOLDING_REGISTERS: u8 = 0x03;
pub const READ_INPUT_REGISTERS: u8 = 0x04;
pub const WRITE_SINGLE_COIL: u8 = 0x05;
pub const WRITE_SINGLE_REGISTER: u8 = 0x06;
pub const WRITE_MULTIPLE_COILS: u8 = 0x0F;
pub const WRITE_MULTIPLE_REGISTERS: u8 = 0x10;
/// Modbus Application Protocol v1.1b3 §6.3–6.4: at most 125 registers read at once.
pub const MAX_READ_WORDS: u16 = 125;
/// §6.12: at most 123 registers written at once.
pub const MAX_WRITE_WORDS: u16 = 123;

/// A request as the service understands it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    ReadRegisters {
        function: u8,
        address: u16,
        count: u16,
    },
    WriteSingle {
        address: u16,
        value: u16,
    },
    WriteMultiple {
        address: u16,
        values: Vec<u16>,
    },
    /// Well formed but not something this UPS does (coils, diagnostics, …): exception 01.
    Unsupported {
        function: u8,
    },
    /// The data does not fit the function (wrong length, byte count): exception 03.
    Malformed {
        function: u8,
    },
}

fn word(bytes: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([bytes[at], bytes[at + 1]])
}

impl Request {
    /// Decodes a PDU (function code first). Never fails: what it cannot use becomes
    /// `Unsupported` or `Malformed`, which the service answers with an exception. The
    /// quantity is checked here, before any address (the specification's order: function,
    /// then quantity, then address).
    pub fn decode(pdu: &[u8]) -> Request {
        let Some(&function) = pdu.first() else {
            return Request::Malformed { function: 0 };
        };
        let data = &pdu[1..];
        match function {
            READ_HOLDING_REGISTERS | READ_INPUT_REGISTERS
                if data.len() == 4 && (1..=MAX_READ_WORDS).contains(&word(data, 2)) =>
            {
                Request::ReadRegisters { function, address: word(data, 0), count: word(data, 2) }
            }
            WRITE_SINGLE_REGISTER if data.len() == 4 => {
                Request::WriteSingle { address: word(data, 0), value: word(data, 2) }
            }
            WRITE_MULTIPLE_REGISTERS if data.len() >= 5 => {
                let (address, count, bytes) = (word(data, 0), word(data, 2), usize::from(data[4]));
                let quantity_ok = (1..=MAX_WRITE_WORDS).contains(&count);
                if !quantity_ok || bytes != 2 * usize::from(count) || data.len() != 5 + bytes {
                    return Request::Malformed { function };
                }
                let values = (0..usize::from(count)).map(|i| word(data, 5 + 2 * i)).collect();
                Request::WriteMultiple { address, values }
            }
            READ_HOLDING_REGISTERS
            | READ_INPUT_REGISTERS
            | WRITE_SINGLE_REGISTER
            | WRITE_MULTIPLE_REGISTERS => Request::Malformed { function },
            _ => Request::Unsupported { function },
        }
    }

    pub fn function(&self) -> u8 {
        match self {
            Request::ReadRegisters { function, .. } => *function,
            Request::WriteSingle { .. } => WRITE_SINGLE_REGISTER,
            Request::WriteMultiple { .. } => WRITE_MULTIPLE_REGISTERS,
            Request::Unsupported { function } | Request::Malformed { function } => *function,
        }
    }

    /// Whether the request changes anything (and so is executed even when broadcast).
    pub fn is_write(&self) -> bool {
        matches!(self, Request::WriteSingle { .. } | Request::WriteMultiple { .. })
    }

    /// One line for traces: `read 0x1060 ×48`.
    pub fn describe(&self) -> String {
        match self {
            Request::ReadRegisters { function, address, count } => {
                format!("read fc{function:02} 0x{address:04X} ×{count}")
            }
            Request::WriteSingle { address, value } => format!("write 0x{address:04X} = {value}"),
            Request::WriteMultiple { address, values } => format!("write 0x{address:04X} {values:?}"),
            Request::Unsupported { function } => format!("unsupported function 0x{function:02X}"),
            Request::Malformed { function } => format!("malformed function 0x{function:02X}"),
        }
    }
}

/// Encodes a normal response PDU.
pub fn read_response(function: u8, words: &[u16]) -> Vec<u8> {
    let mut pdu = Vec::with_capacity(2 + 2 * words.len());
    pdu.push(function);
    pdu.push((2 * words.len()) as u8);
    for word in words {
        pdu.extend_from_slice(&word.to_be_bytes());
    }
    pdu
}

/// The echo a write answers with.
pub fn write_response(function: u8, address: u16, value_or_count: u16) -> Vec<u8> {
    let mut pdu = vec![function];
    pdu.extend_from_slice(&address.to_be_bytes());
    pdu.extend_from_slice(&value_or_count.to_be_bytes());
    pdu
}

pub fn exception_response(function: u8, exception: Exception) -> Vec<u8> {
    vec![function | 0x80, exception as u8]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_what_it_can_and_names_the_rest() {
        assert_eq!(
            Request::decode(&[3, 0x10, 0x60, 0, 48]),
            Request::ReadRegisters { function: 3, address: 0x1060, count: 48 }
        );
        assert_eq!(
            Request::decode(&[0x10, 0x15, 0x07, 0, 2, 4, 1, 44, 0, 60]),
            Request::WriteMultiple { address: 0x1507, values: vec![300, 60] }
        );
        assert_eq!(
            Request::decode(&[0x10, 0x15, 0x07, 0, 2, 3, 1, 44, 0]),
            Request::Malformed { function: 0x10 }
        );
        assert_eq!(Request::decode(&[8, 0, 0, 0x12, 0x34]), Request::Unsupported { function: 8 });
        assert_eq!(Request::decode(&[3, 0x10]), Request::Malformed { function: 3 });
        assert_eq!(Request::decode(&[3, 0x10, 0x60, 0, 126]), Request::Malformed { function: 3 });
        let mut most = vec![0x10, 0x15, 0x00, 0, 124, 248];
        most.extend([0; 248]);
        assert_eq!(Request::decode(&most), Request::Malformed { function: 0x10 }, "124 words");
        assert_eq!(Request::decode(&[]), Request::Malformed { function: 0 });
    }
}
