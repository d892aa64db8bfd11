//! One scenario's events and expectations against a twin, step by step, whoever drives the
//! clock: the virtual-time runner (`--card none`) or the wall-clock runner (`--card exec:`).

use crate::card_api::CardRequest;
use crate::compile::{Check, Compiled, Step, Trigger};
use crate::format::Received;
use crate::report::{Report, Timeline};
use crate::verdict::{Outcome, Tracker};
use sim::Ups;
use sim::wire::faults::WireFaults;

/// The physical runtime is recomputed at most this often (it simulates a copy of the bank).
const TRUTH_EVERY_S: f64 = 10.0;

/// Applies one event's step; wire steps need `wire`. Returns what to log, or why it could
/// not be done.
pub fn apply(ups: &mut Ups, wire: Option<&mut WireFaults>, step: &Step) -> Result<String, String> {
    match step {
        Step::Control(control) => {
            control.apply(ups, wire).map(|done| done.to_string()).map_err(|e| e.to_string())
        }
        Step::LoadProfile(points) => {
            let start = ups.time_s();
            ups.load_mut().set_profile(
                points
                    .iter()
                    .map(|p| sim::ups::load::ProfilePoint { time_s: start + p.time_s, ..*p })
                    .collect(),
            );
            Ok(format!("load profile ({} points)", points.len()))
        }
        Step::MainsProfile(points) => {
            ups.follow_mains(points.clone());
            Ok(format!("mains profile ({} points)", points.len()))
        }
        Step::CardAction(request) => Err(format!("card action `{request}` needs the reference card")),
    }
}

/// Which observer received a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observer {
    Syslog,
    WakeOnLan,
    SnmpTrap,
    /// The scenario's shutdown agent.
    Agent,
    Mail,
}

/// An e-mail as the SMTP observer received it, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    /// The text body, then the names of the attachments, one a line.
    pub body: String,
    /// Whether the session had switched to TLS (STARTTLS) before the mail.
    pub tls: bool,
}

/// What an observer received: the line its log file shows (what text expectations match),
/// and for e-mail its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    pub observer: Observer,
    pub line: String,
    pub mail: Option<Mail>,
}

impl Heard {
    pub fn line(observer: Observer, line: String) -> Self {
        Self { observer, line, mail: None }
    }

    /// Whether this is what an expectation waits for.
    pub fn matches(&self, what: &Received) -> bool {
        let contains =
            |part: &Option<String>, text: &str| part.as_ref().is_none_or(|p| text.contains(p.as_str()));
        match what {
            Received::Syslog(text) => self.observer == Observer::Syslog && self.line.contains(text.as_str()),
            Received::WakeOnLan(mac) => {
                self.observer == Observer::WakeOnLan && self.line.contains(&format!("magic packet for {mac}"))
            }
            Received::SnmpTrap(text) => {
                self.observer == Observer::SnmpTrap && self.line.contains(text.as_str())
            }
            Received::Agent(text) => self.observer == Observer::Agent && self.line.contains(text.as_str()),
            Received::Mail { from, to, subject, body, tls } => self.mail.as_ref().is_some_and(|mail| {
                contains(from, &mail.from)
                    && to.as_ref().is_none_or(|to| mail.to.iter().any(|r| r.contains(to.as_str())))
                    && contains(subject, &mail.subject)
                    && contains(body, &mail.body)
                    && tls.is_none_or(|tls| tls == mail.tls)
            }),
        }
    }
}

/// A probe to run now: which expectation, and its check (`Check::Probe`, `Check::Reports`
/// or `Check::Api`).
#[derive(Debug, Clone, PartialEq)]
pub struct DueProbe {
    pub index: usize,
    pub check: Check,
}

#[derive(Debug)]
pub struct Replay<'a> {
    /// Borrowed by the runners; owned by a player that keeps the replay as long as it likes.
    scenario: std::borrow::Cow<'a, Compiled>,
    fired: Vec<Option<f64>>,
    trackers: Vec<Tracker>,
    timeline: Timeline,
    /// (when, minutes) of the last physical-runtime computation.
    truth: Option<(f64, f64)>,
    last_mode: &'static str,
    not_done: Vec<Outcome>,
    /// Card actions due and not yet handed to the runner: (event index, request).
    asked: Vec<(usize, CardRequest)>,
    /// `Conditions::flat` of the present step, refilled in place: no allocation per step.
    flat: Vec<bool>,
}

/// Fills `buffer` with the twin's conditions in `Conditions::flat` order.
fn refill(buffer: &mut Vec<bool>, ups: &Ups) {
    buffer.clear();
    ups.conditions().visit(|_, _, value| buffer.push(value));
}

impl<'a> Replay<'a> {
    pub fn new(scenario: &'a Compiled) -> Self {
        Self::with(std::borrow::Cow::Borrowed(scenario))
    }

    fn with(scenario: std::borrow::Cow<'a, Compiled>) -> Self {
        Self {
            fired: vec![None; scenario.events.len()],
            trackers: scenario.expectations.iter().cloned().map(Tracker::new).collect(),
            scenario,
            timeline: Timeline::default(),
            truth: None,
            last_mode: "",
            not_done: Vec::new(),
            asked: Vec::new(),
            flat: Vec::new(),
        }
    }

    /// Whether a condition about the physical runtime will be looked at now: an event
    /// waiting on it, or an expectation whose window is open. Only then is it recomputed.
    fn truth_wanted(&self, now_s: f64) -> bool {
        let fired_at = |i: usize| self.fired[i];
        let waiting_event = self.scenario.events.iter().zip(&self.fired).any(|(event, fired)| {
            fired.is_none() && matches!(&event.trigger, Trigger::When(c) if c.needs_truth())
        });
        waiting_event
            || self.trackers.iter().any(|tracker| {
                tracker.expectation.check.condition().is_some_and(|c| c.needs_truth())
                    && tracker.wants(now_s, &fired_at)
            })
    }

    /// Fires the events due at the twin's present time (call before each step).
    pub fn fire_due(&mut self, ups: &mut Ups, mut wire: Option<&mut WireFaults>) {
        let now = ups.time_s();
        if self.truth.is_none_or(|(at, _)| now - at >= TRUTH_EVERY_S) && self.truth_wanted(now) {
            self.truth = Some((now, ups.true_remaining_runtime_s() / 60.0));
        }
        let mut flat = std::mem::take(&mut self.flat);
        refill(&mut flat, ups);
        let truth_min = self.truth.map(|(_, minutes)| minutes);
        for (index, event) in self.scenario.events.iter().enumerate() {
            if self.fired[index].is_some() {
                continue;
            }
            let due = match &event.trigger {
                Trigger::At(t) => now >= *t - 1e-9,
                Trigger::After(other, delay) => self.fired[*other].is_some_and(|t| now >= t + delay - 1e-9),
                Trigger::When(condition) => condition.holds(ups, &flat, truth_min),
            };
            if !due {
                continue;
            }
            self.fired[index] = Some(now);
            if let Step::CardAction(request) = &event.step {
                // Asked of the card by the runner, which answers with `card_answered`.
                self.asked.push((index, request.clone()));
                continue;
            }
            let line = match apply(ups, wire.as_deref_mut(), &event.step) {
                Ok(done) => format!("{}: {done}", event.label),
                Err(why) => {
                    // An event that cannot happen makes the story untrue: the run fails.
                    self.not_done.push(Outcome {
                        label: format!("event `{}` happens", event.label),
                        passed: false,
                        detail: format!("not done at {now:.1} s: {why}"),
                    });
                    format!("{}: NOT DONE: {why}", event.label)
                }
            };
            self.timeline.add(now, line);
        }
        self.flat = flat;
    }

    /// Records a mode change and lets every open expectation on the twin look at it (call
    /// after each step).
    pub fn observe(&mut self, ups: &Ups) {
        let now = ups.time_s();
        let mode = crate::expr::mode_name(ups);
        if mode != self.last_mode {
            self.timeline.add(now, format!("mode {mode}"));
            self.last_mode = mode;
        }
        refill(&mut self.flat, ups);
        let flat = &self.flat;
        let truth_min = self.truth.map(|(_, minutes)| minutes);
        let fired = &self.fired;
        let fired_at = |i: usize| fired[i];
        for tracker in &mut self.trackers {
            let Some(condition) = tracker.expectation.check.condition() else { continue };
            if tracker.wants(now, &fired_at) {
                let holds = condition.holds(ups, flat, truth_min);
                tracker.saw(ups, flat, truth_min);
                tracker.observe(now, holds);
            }
        }
    }

    /// The probes whose window is open at `now_s` and that have not succeeded yet.
    pub fn due_probes(&self, now_s: f64) -> Vec<DueProbe> {
        let fired_at = |i: usize| self.fired[i];
        self.trackers
            .iter()
            .enumerate()
            .filter(|(_, tracker)| tracker.wants(now_s, &fired_at))
            .filter(|(_, tracker)| {
                matches!(
                    tracker.expectation.check,
                    Check::Probe { .. } | Check::Reports { .. } | Check::Api { .. }
                )
            })
            .map(|(index, tracker)| DueProbe { index, check: tracker.expectation.check.clone() })
            .collect()
    }

    /// What a probe saw at `time_s` (its output held the text or not).
    pub fn probe_result(&mut self, index: usize, time_s: f64, holds: bool) {
        self.trackers[index].observe(time_s, holds);
    }

    /// The `api:` expectations whose window has opened by `now_s` and that must first see
    /// what the card held then (a `contains` on new items): (index, path to GET). Call
    /// after `fire_due` and before the step's card actions, so what they log is new; hand
    /// each answer to `api_baseline`.
    pub fn opening_api_checks(&mut self, now_s: f64) -> Vec<(usize, String)> {
        let fired = &self.fired;
        let fired_at = |i: usize| fired[i];
        let mut opening = Vec::new();
        for (index, tracker) in self.trackers.iter_mut().enumerate() {
            let Check::Api { check, .. } = &tracker.expectation.check else { continue };
            if check.wants_baseline() && tracker.baseline.is_none() && tracker.wants(now_s, &fired_at) {
                opening.push((index, check.path.clone()));
            }
        }
        opening
    }

    /// What the card answered when an `api:` window opened (see `opening_api_checks`).
    pub fn api_baseline(&mut self, index: usize, answer: Result<(u16, String), String>) {
        let tracker = &mut self.trackers[index];
        let Check::Api { check, .. } = &tracker.expectation.check else { return };
        let baseline = answer.ok().and_then(|(status, body)| check.baseline(status, &body));
        tracker.baseline = Some(baseline);
    }

    /// What the card's API answered for an `api:` expectation at `time_s` (or why it did
    /// not): judged against what it held when the window opened, where that counts.
    pub fn api_answer(&mut self, index: usize, time_s: f64, answer: Result<(u16, String), String>) {
        let tracker = &mut self.trackers[index];
        let Check::Api { check, .. } = &tracker.expectation.check else { return };
        let baseline = tracker.baseline.as_ref().and_then(Option::as_ref);
        let (holds, seen) = match answer {
            Ok((status, body)) => check.judge(status, &body, baseline),
            Err(why) => (false, why),
        };
        tracker.last_seen = Some(seen);
        tracker.observe(time_s, holds);
    }

    /// What the card reported for a `reports:` expectation (a number, already scaled, or
    /// why none could be read), compared with the twin's truth now.
    pub fn reported(&mut self, index: usize, ups: &Ups, value: Result<f64, String>) {
        let tracker = &mut self.trackers[index];
        let Check::Reports { truth, tolerance, .. } = &tracker.expectation.check else { return };
        let truth = truth.number(ups);
        let (holds, seen) = match (value, truth) {
            (Ok(value), Some(truth)) => (
                (value - truth).abs() <= *tolerance,
                format!("reported {value} where the truth was {truth:.3}"),
            ),
            (Ok(value), None) => (false, format!("reported {value}; the twin does not measure it")),
            (Err(why), _) => (false, why),
        };
        tracker.last_seen = Some(seen);
        tracker.observe(ups.time_s(), holds);
    }

    /// What the observers received since the last call — each `(sim time of arrival, what,
    /// line)` — then, at `now_s`, marks the observer expectations' windows as looked at.
    pub fn observed(&mut self, messages: &[(f64, Heard)], now_s: f64) {
        let fired = &self.fired;
        let fired_at = |i: usize| fired[i];
        for tracker in &mut self.trackers {
            let Check::Received { what, .. } = &tracker.expectation.check else { continue };
            let first = messages
                .iter()
                .find(|(arrived_s, heard)| tracker.wants(*arrived_s, &fired_at) && heard.matches(what))
                .map(|(arrived_s, _)| *arrived_s);
            // The first match decides: after it the tracker wants nothing more.
            if let Some(arrived_s) = first {
                tracker.observe(arrived_s, true);
            }
            if tracker.wants(now_s, &fired_at) {
                tracker.observe(now_s, false);
            }
        }
    }

    /// The card actions now due (reference mode): the runner makes each request and tells
    /// the answer with [`Replay::card_answered`].
    pub fn take_card_actions(&mut self) -> Vec<(usize, CardRequest)> {
        std::mem::take(&mut self.asked)
    }

    /// How the card answered action `index` at `time_s`: what it said, or why it refused.
    pub fn card_answered(&mut self, index: usize, time_s: f64, answer: Result<String, String>) {
        let event = &self.scenario.events[index];
        let line = match answer {
            Ok(said) => match &event.step {
                Step::CardAction(request) => format!("{}: card {request}: {said}", event.label),
                _ => format!("{}: {said}", event.label),
            },
            Err(why) => {
                self.not_done.push(Outcome {
                    label: format!("event `{}` happens", event.label),
                    passed: false,
                    detail: format!("not done at {time_s:.1} s: {why}"),
                });
                format!("{}: NOT DONE: {why}", event.label)
            }
        };
        self.timeline.add(time_s, line);
    }

    /// A failure the runner around the replay saw (the card died, a link could not open).
    pub fn fail(&mut self, label: String, detail: String) {
        self.not_done.push(Outcome { label, passed: false, detail });
    }

    /// Adds a line to the timeline (what the runner around the replay saw).
    pub fn note(&mut self, time_s: f64, line: String) {
        self.timeline.add(time_s, line);
    }

    pub fn finish(mut self, sim_s: f64, wall_s: f64) -> Report {
        for (index, request) in std::mem::take(&mut self.asked) {
            let label = &self.scenario.events[index].label;
            self.not_done.push(Outcome {
                label: format!("event `{label}` happens"),
                passed: false,
                detail: format!("card action {request} was never made: no reference card in this run"),
            });
        }
        let fired_at = |i: usize| self.fired[i];
        let event_label = |i: usize| self.scenario.events[i].label.clone();
        let mut outcomes: Vec<Outcome> =
            self.trackers.iter().map(|t| t.outcome(&fired_at, &event_label)).collect();
        outcomes.extend(self.not_done);
        Report::new(&self.scenario.name, &self.scenario.path, outcomes, self.timeline, sim_s, wall_s)
    }

    pub fn scenario(&self) -> &Compiled {
        &self.scenario
    }

    /// Each event's label and when it happened, if it has.
    pub fn events(&self) -> Vec<(&str, Option<f64>)> {
        self.scenario
            .events
            .iter()
            .zip(&self.fired)
            .map(|(event, fired)| (event.label.as_str(), *fired))
            .collect()
    }

    /// Each expectation as it stands at `now_s`: its outcome once decided (the condition
    /// seen, or its window closed), `None` while it is still open or to come.
    pub fn progress(&self, now_s: f64) -> Vec<(String, Option<Outcome>)> {
        let fired_at = |i: usize| self.fired[i];
        let event_label = |i: usize| self.scenario.events[i].label.clone();
        self.trackers
            .iter()
            .map(|tracker| {
                let decided = tracker.decided(now_s, &fired_at);
                (tracker.expectation.label.clone(), decided.then(|| tracker.outcome(&fired_at, &event_label)))
            })
            .collect()
    }
}

impl Replay<'static> {
    /// A replay that keeps its own copy of the scenario (a player's).
    pub fn owned(scenario: Compiled) -> Self {
        Self::with(std::borrow::Cow::Owned(scenario))
    }
}
