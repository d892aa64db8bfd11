//! The card's clock. Monotonic time comes from tokio's clock, so a runtime started paused
//! runs the card in virtual time (co-simulation) and a normal runtime on the system clock;
//! calendar time is an epoch plus that monotonic time, so logs are stamped in either mode.

use serde::Serialize;
use std::fmt;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    started: Instant,
    /// Unix time at `started`, s.
    epoch_unix_s: f64,
}

impl Clock {
    /// Calendar time from the system clock.
    pub fn system() -> Self {
        let unix_s = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        Self::starting_at(unix_s)
    }

    /// Calendar time starting at `epoch_unix_s` now (a scenario's start, in virtual time).
    pub fn starting_at(epoch_unix_s: f64) -> Self {
        Self { started: Instant::now(), epoch_unix_s }
    }

    /// Seconds since the card started.
    pub fn now_s(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Calendar time, Unix seconds.
    pub fn calendar_s(&self) -> f64 {
        self.epoch_unix_s + self.now_s()
    }

    pub fn stamp(&self) -> Stamp {
        Stamp::from_unix_s(self.calendar_s())
    }
}

/// A calendar time, UTC, to the millisecond.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Stamp {
    pub unix_ms: i64,
}

impl Stamp {
    pub fn from_unix_s(unix_s: f64) -> Self {
        Self { unix_ms: (unix_s * 1000.0).round() as i64 }
    }

    /// RFC 3339, UTC, to the millisecond (`2026-11-21T09:30:00.250Z`): syslog's TIMESTAMP.
    pub fn rfc3339(self) -> String {
        let t = self.datetime();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            self.unix_ms.rem_euclid(1000)
        )
    }

    /// The same moment for the system's APIs (a mail's Date header).
    pub fn system_time(self) -> std::time::SystemTime {
        let since = std::time::Duration::from_millis(self.unix_ms.max(0) as u64);
        std::time::UNIX_EPOCH + since
    }

    fn datetime(self) -> time::OffsetDateTime {
        time::OffsetDateTime::from_unix_timestamp(self.unix_ms.div_euclid(1000))
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }
}

/// The manual's `dd/mm/yyyy hh:mm:ss` (§12.3, §21).
impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.datetime();
        write!(
            f,
            "{:02}/{:02}/{:04} {:02}:{:02}:{:02}",
            t.day(),
            u8::from(t.month()),
            t.year(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_print_as_the_manual_writes_them() {
        assert_eq!(Stamp::from_unix_s(1_700_000_000.0).to_string(), "14/11/2023 22:13:20");
        assert_eq!(Stamp::default().to_string(), "01/01/1970 00:00:00");
    }
}
