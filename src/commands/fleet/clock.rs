//! Steps every twin of the fleet against the wall clock, `speed` times faster than real
//! time, on a blocking thread (stepping thousands of twins must not stall the sockets).

use super::members::Members;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{Instant, MissedTickBehavior, interval};

/// Wall-clock tick of the fleet's stepping loop.
const TICK: Duration = Duration::from_millis(100);
/// A pass catches up at most this many ticks of twin time. A fleet too large for its
/// cores then runs slower than the wall clock, its lag growing in `/metrics`, instead of
/// passes that take ever longer and hold each twin (and the clients reading it) for seconds.
const MOST_TICKS_PER_PASS: f64 = 2.0;

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
            let dt_s = pass_s(wanted_s, stepping.time_s(), speed);
            if dt_s > 1e-9 {
                stepping.step(dt_s);
            }
            stepping.time_s()
        })
        .await;
        match stepped {
            // Measured after the pass: how far behind the twins are now.
            Ok(time_s) => {
                members.set_clock_lag_s((started.elapsed().as_secs_f64() * speed - time_s).max(0.0))
            }
            Err(e) => eprintln!("upstwin fleet: stepping the twins: {e}"),
        }
    }
}

/// How much twin time one pass steps: up to the wall clock × speed, at most
/// `MOST_TICKS_PER_PASS` ticks of it.
fn pass_s(wanted_s: f64, time_s: f64, speed: f64) -> f64 {
    (wanted_s - time_s).min(MOST_TICKS_PER_PASS * TICK.as_secs_f64() * speed)
}

#[cfg(test)]
mod tests {
    use super::pass_s;

    /// A fleet that fell behind runs slow rather than stepping all its lag in one pass
    /// (each pass longer than the last: the twins stalled at 100 000 devices).
    #[test]
    fn a_pass_that_fell_behind_catches_up_two_ticks_at_most() {
        assert!((pass_s(10.05, 10.0, 1.0) - 0.05).abs() < 1e-12);
        assert!((pass_s(60.0, 10.0, 1.0) - 0.2).abs() < 1e-12);
        assert!((pass_s(600.0, 100.0, 100.0) - 20.0).abs() < 1e-12);
        assert!(pass_s(10.0, 10.0, 1.0).abs() < 1e-12);
    }
}
