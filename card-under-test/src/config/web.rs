//! The web server's services (§18.3 "HTTPs Port", "HTTP Port"): HTTPS on 443 with the
//! card's certificate — generated at the first start, or uploaded — and HTTP on 80, which
//! can be switched off. Ports take effect when the card restarts.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Web {
    /// "HTTP Port" enabled.
    pub http_enabled: bool,
    /// "HTTP Port", default 80.
    pub http_port: u16,
    /// "HTTPs Port" enabled.
    pub https_enabled: bool,
    /// "HTTPs Port", default 443.
    pub https_port: u16,
    /// While HTTPS is served too, HTTP answers the pages with a redirect to HTTPS (§3:
    /// "Enabled HTTPS protocol and disable HTTP"); the API stays on HTTP for programs.
    pub http_redirects: bool,
}

impl Default for Web {
    fn default() -> Self {
        Self { http_enabled: true, http_port: 80, https_enabled: true, https_port: 443, http_redirects: true }
    }
}

impl Web {
    pub(super) fn rule_broken(&self) -> Option<String> {
        if !self.http_enabled && !self.https_enabled {
            return Some("http_enabled or https_enabled: the pages need HTTP or HTTPS".into());
        }
        if self.http_enabled && self.https_enabled && self.http_port == self.https_port {
            return Some("https_port: not the HTTP port".into());
        }
        None
    }
}
