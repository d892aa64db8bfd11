//! Modbus as the UPS speaks it: the protocol data units, RTU and TCP framing, and the
//! service that answers a request from the register image. Pure: the links in the `upstwin`
//! binary move the bytes.

pub mod exception;
pub mod pdu;
pub mod rtu;
pub mod service;
pub mod tcp;
