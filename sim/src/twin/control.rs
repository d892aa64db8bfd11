//! The control plane: every action a person or a program takes on a running twin, typed.
//! The HTTP control API (a thin adapter from JSON), the window's fault panel and the
//! scenario runner all hand a `Control` to `Control::apply` — through `ControlPlane` when
//! the twin is shared — so a fault means the same wherever it comes from.

use super::{SharedTwin, Twin};
use crate::ups::Ups;
use crate::ups::catalogue::ParseError;
use crate::ups::commands::{Command, Refused};
use crate::ups::faults::{Fault, FaultKind};
use crate::wire::faults::{WireFault, WireFaultKind, WireFaults};

/// Highest load anyone may ask for, % of the rating (or of a phase's share of it).
pub const MAX_LOAD_PCT: f64 = 1000.0;

/// One action on a running twin.
#[derive(Debug, Clone, PartialEq)]
pub enum Control {
    Inject(Fault),
    Clear(FaultKind),
    InjectWire(WireFault),
    ClearWire(WireFaultKind),
    Command(Command),
    /// The whole load, % of the rating, spread over the phases.
    Load(f64),
    /// Each output phase's load, % of its share of the rating (one to three values).
    PhaseLoads(Vec<f64>),
}

/// What an action did.
#[derive(Debug, Clone, PartialEq)]
pub enum Done {
    Injected(Fault),
    /// How many faults of the kind were in force.
    Cleared(FaultKind, usize),
    InjectedWire(WireFault),
    ClearedWire(WireFaultKind),
    Accepted(Command),
    Load(f64),
    PhaseLoads(Vec<f64>),
}

impl std::fmt::Display for Done {
    /// As the scenario runner logs it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Done::Injected(fault) => write!(f, "fault {}", fault.name()),
            Done::Cleared(kind, _) => write!(f, "cleared {kind}"),
            Done::InjectedWire(fault) => write!(f, "wire fault {}", fault.name()),
            Done::ClearedWire(kind) => write!(f, "cleared wire fault {kind}"),
            Done::Accepted(command) => write!(f, "command {}", command.name()),
            Done::Load(pct) => write!(f, "load {pct} %"),
            Done::PhaseLoads(phases_pct) => write!(f, "load per phase {phases_pct:?} %"),
        }
    }
}

/// Why an action was not done.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ControlError {
    /// A parameter out of its range, or a fault this model cannot have (a block it lacks).
    #[error("{0}")]
    Invalid(ParseError),
    #[error("{0} is not in force")]
    NotInForce(FaultKind),
    #[error("wire fault {0} is not in force")]
    WireNotInForce(WireFaultKind),
    /// The firmware refused the command, with its reason.
    #[error("{0}")]
    Refused(Refused),
    #[error("{0}")]
    BadLoad(String),
    /// A run with no line to the UPS (`--card none`) has nothing to put a wire fault on.
    #[error("wire faults need a wire (--card reference or exec:…)")]
    NoWire,
}

/// Why a load is refused, if it is.
fn load_refused(name: &str, pct: f64) -> Option<ControlError> {
    (!(pct.is_finite() && (0.0..=MAX_LOAD_PCT).contains(&pct)))
        .then(|| ControlError::BadLoad(format!("{name} must be within 0..={MAX_LOAD_PCT}, found {pct}")))
}

impl Control {
    /// Applies the action to a UPS and its wire (`None` in a run without one).
    pub fn apply(&self, ups: &mut Ups, wire: Option<&mut WireFaults>) -> Result<Done, ControlError> {
        match self {
            Control::Inject(fault) => {
                ups.inject(*fault).map_err(ControlError::Invalid)?;
                Ok(Done::Injected(*fault))
            }
            Control::Clear(kind) => match ups.clear(*kind) {
                0 => Err(ControlError::NotInForce(*kind)),
                count => Ok(Done::Cleared(*kind, count)),
            },
            Control::InjectWire(fault) => {
                let wire = wire.ok_or(ControlError::NoWire)?;
                fault.check().map_err(ControlError::Invalid)?;
                wire.inject(*fault, ups.time_s());
                Ok(Done::InjectedWire(*fault))
            }
            Control::ClearWire(kind) => match wire.ok_or(ControlError::NoWire)?.clear(*kind) {
                true => Ok(Done::ClearedWire(*kind)),
                false => Err(ControlError::WireNotInForce(*kind)),
            },
            Control::Command(command) => {
                ups.command(command).map_err(ControlError::Refused)?;
                Ok(Done::Accepted(*command))
            }
            Control::Load(pct) => {
                if let Some(refused) = load_refused("pct", *pct) {
                    return Err(refused);
                }
                ups.set_load_pct(*pct);
                Ok(Done::Load(*pct))
            }
            Control::PhaseLoads(phases_pct) => {
                if !(1..=3).contains(&phases_pct.len()) {
                    return Err(ControlError::BadLoad("give one to three phase loads".into()));
                }
                if let Some(refused) = phases_pct.iter().find_map(|&pct| load_refused("phases_pct", pct)) {
                    return Err(refused);
                }
                ups.set_phase_loads_pct(phases_pct);
                Ok(Done::PhaseLoads(phases_pct.clone()))
            }
        }
    }
}

impl Twin {
    /// Applies the action to this twin and its wire, and notes it in the session's
    /// recording when there is one (`serve --record`).
    pub fn control(&mut self, control: Control) -> Result<Done, ControlError> {
        let done = control.apply(&mut self.ups, Some(&mut self.wire))?;
        let time_s = self.ups.time_s();
        if let Some(recording) = self.recording.as_mut() {
            recording.action(time_s, control);
        }
        Ok(done)
    }
}

/// The control plane of a shared twin: what the control API and the window hold.
#[derive(Debug, Clone)]
pub struct ControlPlane(SharedTwin);

impl ControlPlane {
    pub fn new(twin: SharedTwin) -> Self {
        Self(twin)
    }

    /// Applies one action under the twin's lock.
    pub fn apply(&self, control: Control) -> Result<Done, ControlError> {
        self.0.lock().control(control)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StartOptions;
    use crate::twin::record::Recording;
    use crate::wire::trace::Trace;

    fn twin(model: &str) -> Twin {
        let loaded = ups_models::load_model(model).unwrap();
        let ups = Ups::new(&loaded, 1, &StartOptions::default());
        let mut twin = Twin::new(ups, &loaded, 1, 1, Trace::in_memory());
        twin.recording = Some(Recording::default());
        twin
    }

    #[test]
    fn every_action_is_applied_recorded_and_answered() {
        let mut twin = twin("masterys-gp-60");
        assert_eq!(
            twin.control(Control::Inject(Fault::MainsBlackout)),
            Ok(Done::Injected(Fault::MainsBlackout))
        );
        assert_eq!(
            twin.control(Control::Clear(FaultKind::MainsBlackout)),
            Ok(Done::Cleared(FaultKind::MainsBlackout, 1))
        );
        assert_eq!(
            twin.control(Control::Clear(FaultKind::MainsBlackout)),
            Err(ControlError::NotInForce(FaultKind::MainsBlackout))
        );
        let line_break = WireFault::LineBreak { seconds: 10.0 };
        assert_eq!(twin.control(Control::InjectWire(line_break)), Ok(Done::InjectedWire(line_break)));
        assert!(twin.wire.line_broken(twin.ups.time_s()));
        assert_eq!(
            twin.control(Control::ClearWire(WireFaultKind::LineBreak)),
            Ok(Done::ClearedWire(WireFaultKind::LineBreak))
        );
        assert_eq!(
            twin.control(Control::ClearWire(WireFaultKind::LineBreak)),
            Err(ControlError::WireNotInForce(WireFaultKind::LineBreak))
        );
        assert_eq!(twin.control(Control::Load(80.0)), Ok(Done::Load(80.0)));
        assert!(matches!(twin.control(Control::Load(1001.0)), Err(ControlError::BadLoad(_))));
        assert!(matches!(twin.control(Control::PhaseLoads(vec![])), Err(ControlError::BadLoad(_))));
        assert_eq!(
            twin.control(Control::PhaseLoads(vec![50.0, 60.0, 70.0])),
            Ok(Done::PhaseLoads(vec![50.0, 60.0, 70.0]))
        );
        let kinds: Vec<String> = twin
            .recording
            .as_ref()
            .unwrap()
            .actions
            .iter()
            .map(|(_, action)| format!("{action:?}"))
            .collect();
        assert_eq!(kinds.len(), 5, "what succeeded, but the per-phase load: {kinds:?}");
    }

    #[test]
    fn values_built_in_code_are_held_to_their_ranges_and_refusals_say_why() {
        let mut twin = twin("masterys-gp-60");
        let overload = Fault::Overload { load_pct: 5000.0 };
        let Err(ControlError::Invalid(why)) = twin.control(Control::Inject(overload)) else {
            panic!("refused")
        };
        assert!(why.0.contains("load_pct must be within 0..=1000"), "{why}");
        let weak = Fault::WeakBlock { string: 9.0, block: 1.0, capacity_pct: 50.0 };
        assert!(
            matches!(twin.control(Control::Inject(weak)), Err(ControlError::Invalid(_))),
            "no 9th string"
        );
        let wire = WireFault::NoResponse { probability: 2.0 };
        assert!(matches!(twin.control(Control::InjectWire(wire)), Err(ControlError::Invalid(_))));
        let refused = twin.control(Control::Command(Command::CancelShutdown));
        assert!(matches!(refused, Err(ControlError::Refused(ref r)) if r.reason == "no shutdown is pending"));
        assert!(twin.recording.as_ref().unwrap().actions.is_empty(), "nothing refused is recorded");
        let mut ups = twin.ups;
        let no_wire = Control::InjectWire(WireFault::NoResponse { probability: 1.0 }).apply(&mut ups, None);
        assert_eq!(no_wire, Err(ControlError::NoWire));
    }
}
