//! Following expectations through a run: each one's window opens and closes with time or
//! with events, and what was seen inside it decides pass or fail.

use crate::card_api::Baseline;
use crate::compile::{Check, CompiledExpectation, Instant};
use crate::expr::{Reading, Signal};
use sim::Ups;
use std::fmt::Write as _;

/// How one expectation ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Outcome {
    pub label: String,
    pub passed: bool,
    /// What was seen, in words: "became true at 61.2 s", "was true at 3m10s".
    pub detail: String,
}

/// The state of one expectation during a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracker {
    pub expectation: CompiledExpectation,
    /// When the condition was first seen holding (eventually) or breaking (always, never).
    seen_at: Option<f64>,
    window_seen: bool,
    /// What a `reports:` probe saw last, in words (for a failure's detail).
    pub last_seen: Option<String>,
    /// What a condition's signals read in the window, in the order `Condition::signals`
    /// gives them.
    seen: Vec<Seen>,
    /// For an `api:` `contains` on an array: what it held when the window opened (`Some`
    /// once looked at, holding `None` when there was no array).
    pub baseline: Option<Option<Baseline>>,
}

/// One signal of a condition as the window saw it: its last value (at the decisive moment,
/// once there is one) and the range of its numbers.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    signal: Signal,
    name: String,
    last: Reading,
    min: f64,
    max: f64,
    ever_true: bool,
}

impl Seen {
    fn said(&self, with_range: bool) -> String {
        match self.last {
            Reading::Number(value) if with_range && self.min < self.max => {
                format!("{} {value:.3} at last ({:.3} to {:.3} in the window)", self.name, self.min, self.max)
            }
            Reading::Number(value) => format!("{} {value:.3}", self.name),
            Reading::Bool(on) if with_range && !on => {
                format!("{} false{}", self.name, if self.ever_true { " at last" } else { " throughout" })
            }
            Reading::Bool(on) => format!("{} {on}", self.name),
            Reading::Word(word) => format!("{} {word}", self.name),
            Reading::Unknown => format!("{} not measured", self.name),
        }
    }
}

impl Tracker {
    pub fn new(expectation: CompiledExpectation) -> Self {
        let seen = (expectation.check.condition().into_iter())
            .flat_map(|condition| condition.signals())
            .map(|(signal, name)| Seen {
                signal: signal.clone(),
                name: name.to_string(),
                last: Reading::Unknown,
                min: f64::INFINITY,
                max: f64::NEG_INFINITY,
                ever_true: false,
            })
            .collect();
        Self { expectation, seen_at: None, window_seen: false, last_seen: None, seen, baseline: None }
    }

    /// Reads the condition's signals now (call with `observe`, before it); `flat` and
    /// `truth_min` as for `Condition::holds`. Nothing is allocated: it runs every step.
    pub fn saw(&mut self, ups: &Ups, flat: &[bool], truth_min: Option<f64>) {
        for seen in &mut self.seen {
            let reading = seen.signal.reading(ups, flat, truth_min);
            match reading {
                Reading::Number(value) => {
                    seen.min = seen.min.min(value);
                    seen.max = seen.max.max(value);
                }
                Reading::Bool(on) => seen.ever_true |= on,
                Reading::Word(_) | Reading::Unknown => {}
            }
            seen.last = reading;
        }
    }

    /// The signals as seen: `; saw battery.charge_pct 45.000 at last (…)`, or nothing
    /// when the expectation reads no signal.
    fn what_was_seen(&self, with_range: bool) -> String {
        if self.seen.is_empty() || !self.window_seen {
            return String::new();
        }
        let mut text = String::from(if with_range { "; saw " } else { ": " });
        for (i, seen) in self.seen.iter().enumerate() {
            let _ = write!(text, "{}{}", if i > 0 { ", " } else { "" }, seen.said(with_range));
        }
        text
    }

    /// The window at this moment: start, and end (`None` = until the end of the run).
    /// `fired(i)` is when event `i` happened, if it has.
    pub fn window(&self, fired: &impl Fn(usize) -> Option<f64>) -> Option<(f64, Option<f64>)> {
        let resolve = |instant: &Instant| match instant {
            Instant::Time(t) => Some(*t),
            Instant::Event(i) => fired(*i),
        };
        let start = resolve(&self.expectation.from)?;
        let end = match (&self.expectation.until, self.expectation.within_s) {
            // An `until` event that has not happened yet leaves the window open.
            (Some(until), _) => resolve(until),
            (None, Some(within)) => Some(start + within),
            (None, None) => None,
        };
        Some((start, end))
    }

    /// Whether the tracker still needs to look at the condition at `time_s`.
    pub fn wants(&self, time_s: f64, fired: &impl Fn(usize) -> Option<f64>) -> bool {
        if self.seen_at.is_some() {
            return false;
        }
        matches!(self.window(fired), Some((start, end)) if time_s >= start - 1e-9 && end.is_none_or(|end| time_s <= end + 1e-9))
    }

    /// Whether the outcome is known at `time_s`: the decisive sight was seen, or the window
    /// has closed.
    pub fn decided(&self, time_s: f64, fired: &impl Fn(usize) -> Option<f64>) -> bool {
        self.seen_at.is_some() || matches!(self.window(fired), Some((_, Some(end))) if time_s > end + 1e-9)
    }

    /// Records the condition's value at `time_s` (call only when [`Tracker::wants`]).
    pub fn observe(&mut self, time_s: f64, holds: bool) {
        self.window_seen = true;
        let decisive = match self.expectation.check {
            Check::Eventually(_)
            | Check::Probe { .. }
            | Check::Reports { .. }
            | Check::Received { wanted: true, .. }
            | Check::Api { wanted: true, .. } => holds,
            Check::Always(_) => !holds,
            Check::Never(_) | Check::Received { wanted: false, .. } | Check::Api { wanted: false, .. } => {
                holds
            }
        };
        if decisive {
            self.seen_at = Some(time_s);
        }
    }

    pub fn outcome(
        &self,
        fired: &impl Fn(usize) -> Option<f64>,
        event_label: &impl Fn(usize) -> String,
    ) -> Outcome {
        let label = self.expectation.label.clone();
        let waiting_for = |instant: &Instant| match instant {
            Instant::Event(i) if fired(*i).is_none() => Some(event_label(*i)),
            _ => None,
        };
        if let Some(event) = waiting_for(&self.expectation.from) {
            return Outcome {
                label,
                passed: false,
                detail: format!("its window never opened: `{event}` never happened"),
            };
        }
        let at = |t: f64| format!("{t:.1} s");
        let (passed, detail) = match (&self.expectation.check, self.seen_at) {
            (Check::Received { wanted: true, .. }, Some(t)) => (true, format!("received at {}", at(t))),
            (Check::Received { wanted: true, .. }, None) => (false, "not received in its window".to_string()),
            (Check::Received { wanted: false, .. }, Some(t)) => {
                (false, format!("received at {}, where it must not be", at(t)))
            }
            (Check::Eventually(_) | Check::Probe { .. }, Some(t)) => (true, format!("held at {}", at(t))),
            (Check::Eventually(_) | Check::Probe { .. }, None) => {
                (false, format!("never held in its window{}", self.what_was_seen(true)))
            }
            (Check::Reports { .. } | Check::Api { wanted: true, .. }, Some(t)) => {
                (true, format!("held at {}: {}", at(t), self.last_seen.as_deref().unwrap_or_default()))
            }
            (Check::Reports { .. }, None) => (
                false,
                match &self.last_seen {
                    Some(seen) => format!("never within tolerance in its window; last {seen}"),
                    None => "never read in its window".to_string(),
                },
            ),
            (Check::Api { wanted: true, .. }, None) => (
                false,
                match &self.last_seen {
                    Some(seen) => format!("never held in its window; last {seen}"),
                    None => "never read in its window".to_string(),
                },
            ),
            (Check::Api { wanted: false, .. }, Some(t)) => (
                false,
                format!(
                    "held at {}, where it must not: {}",
                    at(t),
                    self.last_seen.as_deref().unwrap_or_default()
                ),
            ),
            (Check::Always(_), Some(t)) => {
                (false, format!("broke at {}{}", at(t), self.what_was_seen(false)))
            }
            (Check::Never(_), Some(t)) => {
                (false, format!("held at {}, where it must not{}", at(t), self.what_was_seen(false)))
            }
            (
                Check::Always(_)
                | Check::Never(_)
                | Check::Received { wanted: false, .. }
                | Check::Api { wanted: false, .. },
                None,
            ) if !self.window_seen => (false, "its window never came".to_string()),
            (Check::Always(_), None) => (true, "held all through its window".to_string()),
            (Check::Never(_) | Check::Api { wanted: false, .. }, None) => {
                (true, "never held in its window".to_string())
            }
            (Check::Received { wanted: false, .. }, None) => (true, "not received in its window".to_string()),
        };
        Outcome { label, passed, detail }
    }
}
