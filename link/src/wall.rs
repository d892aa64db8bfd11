//! The link clock as seconds, for the frame trace: tokio's clock (the wall clock, or the
//! virtual clock of a paused runtime), read against one anchor per process so every link
//! of a twin stamps its frames on the same scale.

use std::sync::OnceLock;
use std::time::Instant;

static ANCHOR: OnceLock<Instant> = OnceLock::new();

/// Seconds on tokio's clock since this process first asked (negative for a paused clock
/// that started before then: only differences matter).
pub fn now_s() -> f64 {
    let anchor = *ANCHOR.get_or_init(Instant::now);
    let now = tokio::time::Instant::now().into_std();
    match now.checked_duration_since(anchor) {
        Some(since) => since.as_secs_f64(),
        None => -anchor.duration_since(now).as_secs_f64(),
    }
}
