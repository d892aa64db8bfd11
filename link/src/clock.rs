//! Steps the twin against the wall clock, `speed` times faster than real time.

use sim::twin::SharedTwin;
use std::time::Duration;
use tokio::time::{Instant, MissedTickBehavior, interval};

/// Wall-clock tick of the stepping loop.
const TICK: Duration = Duration::from_millis(10);
/// Longest simulation step taken at once; a fast-forward is cut into steps of this size.
const MAX_STEP_S: f64 = 0.1;

/// Runs forever, stepping the twin by the wall time elapsed × `speed`.
pub async fn run(twin: SharedTwin, speed: f64) {
    let mut ticks = interval(TICK);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last = Instant::now();
    loop {
        ticks.tick().await;
        let now = Instant::now();
        let mut to_step_s = (now - last).as_secs_f64() * speed;
        last = now;
        let mut guard = twin.lock();
        let twin = &mut *guard;
        if twin.held {
            continue;
        }
        while to_step_s > 1e-9 {
            let dt_s = to_step_s.min(MAX_STEP_S);
            twin.ups.step(dt_s);
            to_step_s -= dt_s;
            if let Some(recording) = twin.recording.as_mut() {
                recording.observe(&twin.ups);
            }
        }
    }
}
