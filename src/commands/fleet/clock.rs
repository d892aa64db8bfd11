//! Steps every twin of the fleet against the wall clock, `speed` times faster than real
//! time, on a blocking thread (stepping thousands of twins must not stall the sockets).

use super::members::Members;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{Instant, MissedTickBehavior, interval};

/// Wall-clock tick of the fleet's stepping loop.
const TICK: Duration = Duration::from_millis(100);

/// Runs forever.
pub async fn run(members: Arc<Members>, speed: f64) {
    let mut ticks = interval(TICK);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let started = Instant::now();
    loop {
        ticks.tick().await;
        let wanted_s = started.elapsed().as_secs_f64() * speed;
        let stepping = members.clone();
        let stepped = tokio::task::spawn_blocking(move || {
            let dt_s = wanted_s - stepping.time_s();
            if dt_s > 1e-9 {
                stepping.step(dt_s);
            }
            stepping.time_s()
        })
        .await;
        match stepped {
            Ok(time_s) => members.set_clock_lag_s(wanted_s - time_s),
            Err(e) => eprintln!("upstwin fleet: stepping the twins: {e}"),
        }
    }
}
