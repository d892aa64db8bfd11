//! Between framing and meaning (as tokio-modbus' `Service`): a request from a given unit
//! id, answered from the register image, or silence.

use super::exception::Exception;
use super::pdu::{self, Request};
use crate::image::RegisterImage;
use crate::ups::Ups;
use std::sync::Arc;

/// Exception 0x0B: no device answers at that unit id (Modbus TCP).
const GATEWAY_TARGET_FAILED: u8 = 0x0B;

#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Shared by every twin of one model (a fleet holds thousands): it never changes.
    pub image: Arc<RegisterImage>,
    pub slave_id: u8,
}

/// What a request got.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub request: Request,
    /// The response PDU; `None` = stay silent.
    pub response: Option<Vec<u8>>,
}

impl Service {
    pub fn new(image: impl Into<Arc<RegisterImage>>, slave_id: u8) -> Self {
        Self { image: image.into(), slave_id }
    }

    /// A request arriving over RTU: other slave ids are ignored, broadcasts (0) run writes
    /// and are never answered.
    pub fn rtu(&self, ups: &mut Ups, slave: u8, pdu: &[u8]) -> Option<Answer> {
        if slave != self.slave_id && slave != 0 {
            return None;
        }
        let request = Request::decode(pdu);
        if slave == 0 {
            if request.is_write() {
                let _ = self.execute(ups, &request);
            }
            return Some(Answer { request, response: None });
        }
        let response = Some(self.execute(ups, &request));
        Some(Answer { request, response })
    }

    /// A request arriving over TCP: the device answers its slave id, 0 and 255; other unit
    /// ids get exception 0x0B.
    pub fn tcp(&self, ups: &mut Ups, unit: u8, pdu: &[u8]) -> Answer {
        let request = Request::decode(pdu);
        let response = if unit == self.slave_id || unit == 0 || unit == 255 {
            self.execute(ups, &request)
        } else {
            vec![request.function() | 0x80, GATEWAY_TARGET_FAILED]
        };
        Answer { request, response: Some(response) }
    }

    fn execute(&self, ups: &mut Ups, request: &Request) -> Vec<u8> {
        let function = request.function();
        let result = match request {
            Request::ReadRegisters { function, address, count } => {
                self.image.read(ups, *address, *count).map(|words| pdu::read_response(*function, &words))
            }
            Request::WriteSingle { address, value } => self
                .image
                .write(ups, *address, &[*value])
                .map(|()| pdu::write_response(pdu::WRITE_SINGLE_REGISTER, *address, *value)),
            Request::WriteMultiple { address, values } => self
                .image
                .write(ups, *address, values)
                .map(|()| pdu::write_response(pdu::WRITE_MULTIPLE_REGISTERS, *address, values.len() as u16)),
            Request::Unsupported { .. } => Err(Exception::IllegalFunction),
            Request::Malformed { .. } => Err(Exception::IllegalDataValue),
        };
        result.unwrap_or_else(|exception| pdu::exception_response(function, exception))
    }
}
