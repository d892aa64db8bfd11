//! The SNMPv3 security protocols of the card's settings in `async_snmp`'s words, for the
//! agent (`service`) and the trap sender (`traps`) alike.

use crate::config;
use async_snmp::{AuthProtocol, PrivProtocol};

pub fn auth(protocol: config::AuthProtocol) -> AuthProtocol {
    match protocol {
        config::AuthProtocol::Md5 => AuthProtocol::Md5,
        config::AuthProtocol::Sha => AuthProtocol::Sha1,
    }
}

pub fn privacy(protocol: config::PrivProtocol) -> PrivProtocol {
    match protocol {
        config::PrivProtocol::Des => PrivProtocol::Des,
        config::PrivProtocol::Aes => PrivProtocol::Aes128,
    }
}
