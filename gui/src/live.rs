//! What the window knows of the twin and the card, refreshed from them a few times a second:
//! the truth (`truth.rs`), the card's report, the physics' remaining time, the plots'
//! samples and the last frames on the wire. Systems draw from these; only this plugin locks
//! the twin and the card.

use crate::comparison::{self, CardReport};
use crate::samples::{SIGNALS, Samples, Source};
use crate::truth::{self, Truth};
use bevy::prelude::*;
use card::rules::Rules;
use sim::twin::SharedTwin;
use sim::ups::faults::FaultKind;
use sim::wire::faults::WireFaultKind;
use sim::wire::trace::Record;
use std::time::{Duration, Instant};

/// How often the truth and the card's report are read (wall clock).
const REFRESH: Duration = Duration::from_millis(100);
/// How often the physics' remaining time is computed (it simulates the bank: milliseconds).
const RUNTIME_EVERY: Duration = Duration::from_secs(1);

#[derive(Resource)]
pub struct Live {
    /// The model, as the top bar names it.
    pub title: String,
    pub twin: SharedTwin,
    pub card: Option<card::run::Shared>,
    rules: Rules,
    pub truth: Truth,
    pub card_report: Option<CardReport>,
    /// The physics' remaining time at the present load, min.
    pub true_runtime_min: Option<f64>,
    pub samples: Samples,
    /// The newest frames last, at most `traffic::SHOWN`.
    pub frames: Vec<Record>,
    /// Faults and wire faults in force.
    pub faults: Vec<FaultKind>,
    pub wire_faults: Vec<WireFaultKind>,
    pub nominal_frequency_hz: f64,
    pub output_phases: u8,
    read_at: Option<Instant>,
    runtime_at: Option<Instant>,
}

impl Live {
    /// `None` when the twin's map has no card rules (every bundled map has them).
    pub fn new(twin: SharedTwin, card: Option<card::run::Shared>) -> Option<Self> {
        let (title, rules, truth, nominal_frequency_hz, output_phases) = {
            let locked = twin.lock();
            let rules = truth::rules(&locked)?;
            let truth = truth::of(&locked, &rules);
            let model = locked.ups.model();
            let title = format!("{} {}", model.identity.manufacturer, model.identity.model);
            (title, rules, truth, model.ratings.nominal_output_frequency_hz, model.ratings.output_phases)
        };
        Some(Self {
            title,
            twin,
            card,
            rules,
            truth,
            card_report: None,
            true_runtime_min: None,
            samples: Samples::default(),
            frames: Vec::new(),
            faults: Vec::new(),
            wire_faults: Vec::new(),
            nominal_frequency_hz,
            output_phases,
            read_at: None,
            runtime_at: None,
        })
    }

    /// Reads the twin (and the card) again when `REFRESH` has passed.
    fn refresh(&mut self, now: Instant) {
        if self.read_at.is_some_and(|at| now - at < REFRESH) {
            return;
        }
        self.read_at = Some(now);
        let runtime_due = self.runtime_at.is_none_or(|at| now - at >= RUNTIME_EVERY);
        {
            let twin = self.twin.lock();
            self.truth = truth::of(&twin, &self.rules);
            if runtime_due {
                self.runtime_at = Some(now);
                self.true_runtime_min = Some(twin.ups.true_remaining_runtime_s() / 60.0);
            }
            let values = SIGNALS
                .iter()
                .map(|signal| match signal.source {
                    Source::Measurement(name, phase) => {
                        sim::image::signals::measurement(&twin.ups, name, phase)
                    }
                    Source::TrueRuntime => self.true_runtime_min,
                })
                .collect();
            self.samples.push(twin.ups.time_s(), values);
            self.frames = twin.trace.recent(crate::traffic::SHOWN);
            self.faults = twin.ups.active_faults().map(|f| f.kind()).collect();
            self.wire_faults = twin.wire.active().map(|f| f.kind()).collect();
        }
        self.card_report = self.card.as_ref().map(|card| comparison::card_report(&card.lock()));
    }
}

fn refresh(mut live: ResMut<Live>) {
    live.refresh(Instant::now());
}

/// Keeps `Live` fresh.
#[derive(Debug)]
pub struct LivePlugin;

impl Plugin for LivePlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(PreUpdate, refresh);
    }
}
