//! The scenario player: a scenario's events and expectations replayed on the window's twin
//! in virtual time — paused, played at 1× to 1000×, sought — with the timeline of its events
//! and each expectation's verdict as it passes or fails. While a player holds the twin the
//! wall clock leaves it alone (`Twin::held`). Plain code on the `Twin`, tested without a
//! window; the window calls `advance` each frame with the wall time that passed.

use scenarios::compile::Compiled;
use scenarios::replay::Replay;
use sim::twin::Twin;
use sim::wire::faults::WireFaults;

/// The speeds offered, virtual seconds per wall second.
pub const SPEEDS: std::ops::RangeInclusive<f64> = 1.0..=1000.0;
/// The most virtual time one frame steps: a slow frame at 1000× does not stall the window.
const MOST_PER_FRAME_S: f64 = 60.0;

/// Where an expectation stands in the window.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Waiting,
    /// What was seen.
    Passed(String),
    Failed(String),
    /// Why the window cannot decide it.
    Skipped(&'static str),
}

#[derive(Debug)]
pub struct Player {
    replay: Replay<'static>,
    pub playing: bool,
    pub speed: f64,
    /// Start again from the beginning at the end (the demo's story).
    pub looping: bool,
    /// Virtual time owed to the twin: what a frame's share left short of a whole step.
    owed_s: f64,
}

impl Player {
    /// A player on `scenario`, paused at `at_s`; `twin` is played there from the start and
    /// held.
    pub fn new(scenario: Compiled, twin: &mut Twin, at_s: f64) -> Self {
        let mut player =
            Self { replay: Replay::owned(scenario), playing: false, speed: 1.0, looping: false, owed_s: 0.0 };
        player.seek(twin, at_s);
        player
    }

    pub fn scenario(&self) -> &Compiled {
        self.replay.scenario()
    }

    pub fn duration_s(&self) -> f64 {
        self.scenario().duration_s
    }

    fn step(&mut self, twin: &mut Twin) {
        let dt_s = self.scenario().dt_s;
        let Twin { ups, wire, .. } = twin;
        self.replay.fire_due(ups, Some(wire));
        ups.step(dt_s);
        self.replay.observe(ups);
    }

    /// Starts the scenario again and plays it, as fast as the CPU goes, up to `to_s`.
    pub fn seek(&mut self, twin: &mut Twin, to_s: f64) {
        let scenario = self.scenario().clone();
        twin.ups = scenario.start_ups();
        twin.wire = WireFaults::new(scenario.seed);
        twin.held = true;
        self.replay = Replay::owned(scenario);
        self.owed_s = 0.0;
        let to_s = to_s.clamp(0.0, self.duration_s());
        let dt_s = self.scenario().dt_s;
        while twin.ups.time_s() + dt_s / 2.0 <= to_s {
            self.step(twin);
        }
    }

    /// Plays `wall_s` of wall time at the speed chosen (nothing when paused); at the end it
    /// stops, or starts again when looping.
    pub fn advance(&mut self, twin: &mut Twin, wall_s: f64) {
        if !self.playing {
            return;
        }
        let dt_s = self.scenario().dt_s;
        self.owed_s = (self.owed_s + wall_s * self.speed).min(MOST_PER_FRAME_S);
        while self.owed_s >= dt_s && twin.ups.time_s() + dt_s / 2.0 <= self.duration_s() {
            self.step(twin);
            self.owed_s -= dt_s;
        }
        if twin.ups.time_s() + dt_s / 2.0 > self.duration_s() {
            if self.looping {
                self.seek(twin, 0.0);
            } else {
                self.playing = false;
            }
        }
    }

    /// Each event's label and when it happened.
    pub fn events(&self) -> Vec<(&str, Option<f64>)> {
        self.replay.events()
    }

    /// Each expectation with its verdict so far. The window runs no card: what only a card
    /// can decide is skipped, as `upstwin run --card none` skips it.
    pub fn verdicts(&self, now_s: f64) -> Vec<(String, Verdict)> {
        let checks = self.scenario().expectations.iter().map(|e| e.check.needs_card());
        (self.replay.progress(now_s).into_iter().zip(checks))
            .map(|((label, outcome), needs_card)| {
                let verdict = match outcome {
                    _ if needs_card => {
                        Verdict::Skipped("needs a card under test: run it with upstwin run --card …")
                    }
                    Some(outcome) if outcome.passed => Verdict::Passed(outcome.detail),
                    Some(outcome) => Verdict::Failed(outcome.detail),
                    None => Verdict::Waiting,
                };
                (label, verdict)
            })
            .collect()
    }

    /// The caption at this moment: the label of the event that happened last.
    pub fn caption(&self) -> Option<&str> {
        let events = self.events();
        events
            .into_iter()
            .filter_map(|(label, at)| at.map(|at| (label, at)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(label, _)| label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::wire::trace::Trace;

    fn story() -> Compiled {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/library/26-demo-story.ron");
        scenarios::compile::load(&path).unwrap()
    }

    fn twin(scenario: &Compiled) -> Twin {
        Twin::new(scenario.start_ups(), &scenario.model, 1, scenario.seed, Trace::in_memory())
    }

    /// A card story in the window (which has no card): its `api:` expectations are skipped,
    /// as `run --card none` skips them, never failed for "never read".
    #[test]
    fn what_only_a_card_can_decide_is_skipped() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios/library/20-card-blackout.ron");
        let scenario = scenarios::compile::load(&path).unwrap();
        let api_checks = scenario.expectations.iter().filter(|e| e.check.needs_card()).count();
        let mut twin = twin(&scenario);
        let end_s = scenario.duration_s;
        let player = Player::new(scenario, &mut twin, end_s);
        let verdicts = player.verdicts(twin.ups.time_s());
        let skipped = verdicts.iter().filter(|(_, v)| matches!(v, Verdict::Skipped(_))).count();
        assert!(api_checks > 0 && skipped == api_checks, "{verdicts:?}");
        assert!(!verdicts.iter().any(|(_, v)| matches!(v, Verdict::Failed(_))), "{verdicts:?}");
    }

    #[test]
    fn playing_steps_the_twin_at_the_speed_chosen_and_pausing_holds_it() {
        let scenario = story();
        let mut twin = twin(&scenario);
        let mut player = Player::new(scenario, &mut twin, 0.0);
        assert!(twin.held, "the wall clock leaves the twin to the player");
        let start_s = twin.ups.time_s();
        player.advance(&mut twin, 1.0);
        assert_eq!(twin.ups.time_s(), start_s, "paused");
        player.playing = true;
        player.speed = 20.0;
        player.advance(&mut twin, 0.5);
        assert!((twin.ups.time_s() - start_s - 10.0).abs() < 0.2, "{} s", twin.ups.time_s());
        assert_eq!(player.caption(), None, "no event yet");
    }

    #[test]
    fn seeking_replays_the_events_and_the_verdicts_follow() {
        let scenario = story();
        let mut twin = twin(&scenario);
        let mut player = Player::new(scenario, &mut twin, 0.0);
        player.seek(&mut twin, 101.0);
        assert_eq!(player.caption(), Some("Mains fail: the UPS carries the load on its battery"));
        assert!(twin.ups.conditions().on_battery);
        let verdicts = player.verdicts(twin.ups.time_s());
        let on_battery = &verdicts[0];
        assert_eq!(on_battery.0, "on battery at once");
        assert!(matches!(on_battery.1, Verdict::Passed(_)), "{verdicts:?}");
        assert_eq!(verdicts[2].1, Verdict::Waiting, "`back on mains` waits for its event");
        player.seek(&mut twin, 10.0);
        assert_eq!(player.caption(), None, "back before the blackout");
        assert!(!twin.ups.conditions().on_battery);
    }

    #[test]
    fn a_looping_player_starts_again_at_the_end() {
        let scenario = story();
        let mut twin = twin(&scenario);
        let mut player = Player::new(scenario, &mut twin, 0.0);
        player.seek(&mut twin, player.duration_s() - 1.0);
        player.playing = true;
        player.looping = true;
        player.speed = 10.0;
        player.advance(&mut twin, 0.5);
        assert!(twin.ups.time_s() < 10.0, "started again: {} s", twin.ups.time_s());
        assert!(player.playing);
        player.looping = false;
        player.seek(&mut twin, player.duration_s() - 1.0);
        player.advance(&mut twin, 0.5);
        assert!(!player.playing, "stopped at the end");
    }
}
