//! The Modbus exception codes the twin answers with (Modbus Application Protocol v1.1b3,
//! §7): the protocol's own, so framing, the service and the register image share one type.

/// A Modbus exception code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exception {
    IllegalFunction = 1,
    IllegalDataAddress = 2,
    IllegalDataValue = 3,
    /// The firmware refused the command.
    ServerDeviceFailure = 4,
}
