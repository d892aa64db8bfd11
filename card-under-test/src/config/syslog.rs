//! "Syslog Setup" (§18.13): where the events logs' records are pushed, which groups of them,
//! and over what.

pub use crate::logs::Group as SyslogGroup;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Syslog {
    /// "Server Control".
    pub enabled: bool,
    /// "Server IP": an address or a name.
    pub server: String,
    /// "Server Port", default 514.
    pub port: u16,
    /// "Syslog filter": default UPS + NET VISION + SERVICE.
    pub groups: Vec<SyslogGroup>,
    /// UDP (RFC 5426), TCP (RFC 6587, octet counting) or TLS ("TLS Control", RFC 5425).
    pub transport: SyslogTransport,
    /// A PEM certificate trusted beside the public roots, for TLS (§18.13: "the related
    /// certificate can be uploaded").
    pub trusted_certificate: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum SyslogTransport {
    Udp,
    Tcp,
    Tls,
}

impl Default for Syslog {
    fn default() -> Self {
        Self {
            enabled: false,
            server: String::new(),
            port: 514,
            groups: vec![SyslogGroup::Ups, SyslogGroup::NetVision, SyslogGroup::Service],
            transport: SyslogTransport::Udp,
            trusted_certificate: None,
        }
    }
}

impl Syslog {
    pub(super) fn rule_broken(&self) -> Option<String> {
        if self.enabled && self.server.trim().is_empty() {
            return Some("server: the syslog server's address or name when it is enabled".into());
        }
        if self.port == 0 {
            return Some("port: from 1 to 65535".into());
        }
        if let Some(pem) = &self.trusted_certificate
            && crate::tls::certificates(pem).is_err()
        {
            return Some("trusted_certificate: a PEM certificate (-----BEGIN CERTIFICATE-----)".into());
        }
        None
    }
}
