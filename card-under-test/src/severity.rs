//! How grave an alarm is, in the manual's words: shared by the alarm list, the rules and
//! the notification catalogue.

use serde::Serialize;
use ups_models::flags::Level;

/// The manual's level words (§12.3); a bit the map gives no level is "Information".
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub enum Severity {
    Information,
    Warning,
    Critical,
}

impl From<Option<Level>> for Severity {
    fn from(level: Option<Level>) -> Self {
        match level {
            Some(Level::Critical) => Severity::Critical,
            Some(Level::Warning) => Severity::Warning,
            Some(Level::Information) | None => Severity::Information,
        }
    }
}
