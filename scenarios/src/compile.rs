//! Loading a scenario file: RON syntax errors and every semantic mistake (a time that is not
//! a duration, an unknown fault, a condition on an unknown signal, a label that does not
//! exist) come back as `file:line:col: what was expected`.

use crate::card_api::{ApiCheck, CardRequest};
use crate::expr::{Condition, Signal};
use crate::format::{Action, Event, Expectation, Need, Read, Received, Reports, Scenario};
use sim::StartOptions;
use sim::run::script::parse_duration_s;
use sim::twin::control::Control;
use sim::ups::catalogue;
use sim::ups::commands::{Command, parse_command};
use sim::ups::faults::{Fault, FaultKind};
use sim::ups::load::ProfilePoint;
use sim::ups::sources::MainsPoint;
use sim::wire::faults::{WireFault, WireFaultKind};
use std::path::{Path, PathBuf};
use ups_models::profile::{LoadProfile, MainsProfile};
use ups_models::{LoadError, LoadedModel, Located, load_model, ron_text};

/// When an event fires.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    At(f64),
    /// This long after event `index`.
    After(usize, f64),
    When(Condition),
}

/// What an event does, checked and ready.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A fault, wire fault, command or load, as the control plane takes it.
    Control(Control),
    LoadProfile(Vec<ProfilePoint>),
    MainsProfile(Vec<MainsPoint>),
    CardAction(CardRequest),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompiledEvent {
    pub label: String,
    pub trigger: Trigger,
    pub step: Step,
}

/// A point in time, given as a time or as an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Instant {
    Time(f64),
    Event(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// Becomes true at some moment in the window.
    Eventually(Condition),
    Always(Condition),
    Never(Condition),
    Probe {
        run: String,
        contains: String,
    },
    /// A value the card reports equals `truth` within `tolerance`, at some moment.
    Reports {
        read: Read,
        scale: f64,
        truth: Signal,
        tolerance: f64,
    },
    /// An observer receives (`wanted`) or must not receive what matches.
    Received {
        what: Received,
        wanted: bool,
    },
    /// The reference card's API answers what passes (`wanted`) at some moment, or at none.
    Api {
        check: ApiCheck,
        wanted: bool,
    },
}

impl Check {
    /// The condition on the twin's truth, if this check has one.
    /// Whether only a card under test can decide it (a probe, a reading, a message, the
    /// card's API): with no card (`--card none`, the window) it is skipped, not failed.
    pub fn needs_card(&self) -> bool {
        matches!(
            self,
            Check::Probe { .. } | Check::Reports { .. } | Check::Received { .. } | Check::Api { .. }
        )
    }

    pub fn condition(&self) -> Option<&Condition> {
        match self {
            Check::Eventually(c) | Check::Always(c) | Check::Never(c) => Some(c),
            Check::Probe { .. } | Check::Reports { .. } | Check::Received { .. } | Check::Api { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompiledExpectation {
    pub label: String,
    pub check: Check,
    pub from: Instant,
    /// End of the window: a time, an event, or `from` plus a duration.
    pub until: Option<Instant>,
    pub within_s: Option<f64>,
}

/// A scenario ready to run.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub name: String,
    pub description: String,
    pub path: PathBuf,
    pub model: LoadedModel,
    pub seed: u64,
    pub duration_s: f64,
    pub dt_s: f64,
    pub needs: Vec<Need>,
    /// The reference card's settings file, if the scenario gives one.
    pub card_settings: Option<PathBuf>,
    pub start: StartOptions,
    pub load_profile: Option<Vec<ProfilePoint>>,
    pub events: Vec<CompiledEvent>,
    pub expectations: Vec<CompiledExpectation>,
}

impl Compiled {
    /// The twin as the scenario starts it: model, seed, initial conditions, load profile.
    pub fn start_ups(&self) -> sim::Ups {
        let mut ups = sim::Ups::new(&self.model, self.seed, &self.start);
        if let Some(profile) = &self.load_profile {
            ups.load_mut().set_profile(profile.clone());
        }
        ups
    }
}

/// Loads and checks a scenario file.
pub fn load(path: &Path) -> Result<Compiled, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::io(path, &e))?;
    compile(&text, path)
}

/// A semantic error at the place the offending text appears.
pub(crate) struct Mistake {
    /// Text to find in the file (a quoted value), or a field path as a fallback.
    pub(crate) near: String,
    pub(crate) message: String,
}

pub(crate) fn mistake(near: &str, message: impl Into<String>) -> Mistake {
    Mistake { near: near.to_string(), message: message.into() }
}

pub(crate) fn locate(text: &str, near: &str) -> (usize, usize) {
    let quoted = format!("\"{near}\"");
    match text.find(&quoted) {
        Some(offset) => {
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            (line, offset - before.rfind('\n').map_or(0, |i| i + 1) + 1)
        }
        None => ron_text::locate(text, near),
    }
}

pub fn compile(text: &str, path: &Path) -> Result<Compiled, LoadError> {
    let scenario: Scenario = ron_text::parse(text).map_err(|e: Located| e.in_file(path))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut compiled = check(&scenario, dir).map_err(|m| {
        let (line, column) = locate(text, &m.near);
        Located::at(line, column, m.message).in_file(path)
    })?;
    compiled.path = path.to_path_buf();
    Ok(compiled)
}

fn duration(text: &str) -> Result<f64, Mistake> {
    parse_duration_s(text).map_err(|e| mistake(text, e.0))
}

fn condition(text: &str) -> Result<Condition, Mistake> {
    Condition::parse(text).map_err(|e| mistake(text, e))
}

fn relative(dir: &Path, file: &str) -> PathBuf {
    let path = Path::new(file);
    if path.is_absolute() { path.to_path_buf() } else { dir.join(path) }
}

fn load_profile(dir: &Path, file: &str) -> Result<Vec<ProfilePoint>, Mistake> {
    let profile = LoadProfile::load(&relative(dir, file)).map_err(|e| mistake(file, e.to_string()))?;
    Ok(profile.points.iter().map(|p| ProfilePoint { time_s: p.time_s, power_kw: p.power_kw }).collect())
}

fn check(scenario: &Scenario, dir: &Path) -> Result<Compiled, Mistake> {
    let model_ref = if scenario.model.ends_with(".ron") {
        relative(dir, &scenario.model).to_string_lossy().into_owned()
    } else {
        scenario.model.clone()
    };
    let model = load_model(&model_ref).map_err(|e| mistake(&scenario.model, e.to_string()))?;
    check_with(scenario, dir, model)
}

/// The checks for a scenario whose UPS model is already loaded (a fleet's device).
pub(crate) fn check_with(scenario: &Scenario, dir: &Path, model: LoadedModel) -> Result<Compiled, Mistake> {
    let duration_s = duration(&scenario.duration)?;
    if duration_s <= 0.0 || duration_s > 30.0 * 86_400.0 {
        return Err(mistake(&scenario.duration, "duration must be within 0s..30d"));
    }
    let dt_s = duration(&scenario.dt)?;
    if !(0.001..=60.0).contains(&dt_s) {
        return Err(mistake(&scenario.dt, "dt must be within 1ms..=60s"));
    }
    let initial = &scenario.initial;
    let in_range = |field: &str, value: f64, min: f64, max: f64| {
        if value.is_finite() && (min..=max).contains(&value) {
            Ok(())
        } else {
            Err(mistake(field, format!("initial.{field} must be within {min}..={max}, found {value}")))
        }
    };
    in_range("load_pct", initial.load_pct, 0.0, 1000.0)?;
    in_range("power_factor", initial.power_factor, 0.3, 1.0)?;
    in_range("ambient_c", initial.ambient_c, -20.0, 70.0)?;
    in_range("state_of_charge_pct", initial.state_of_charge_pct, 0.0, 100.0)?;
    in_range("state_of_health_pct", initial.state_of_health_pct, 1.0, 100.0)?;
    let mut load_profile = initial.load_profile.as_deref().map(|f| load_profile(dir, f)).transpose()?;
    if let Some(phases) = initial.phase_load_pct {
        if load_profile.is_some() {
            return Err(mistake(
                "phase_load_pct",
                "give either initial.phase_load_pct or initial.load_profile",
            ));
        }
        for pct in phases {
            in_range("phase_load_pct", pct, 0.0, 1000.0)?;
        }
        let ratings = &model.model.ratings;
        let phase_kw = ratings.active_power_kw / f64::from(ratings.output_phases.max(1));
        let power_kw = phases.map(|pct| pct / 100.0 * phase_kw);
        load_profile = Some(vec![ProfilePoint { time_s: 0.0, power_kw }]);
    }
    let start_mode = match initial.mode.as_deref() {
        None | Some("OnInverter") => None,
        Some(mode) => {
            let command = match mode {
                "Eco" => "eco_on",
                "OnBypass" => "transfer_to_bypass",
                "Standby" => "standby_on",
                "LineInteractive" => "line_interactive_on",
                _ => {
                    let modes = ["OnInverter", "Eco", "OnBypass", "Standby", "LineInteractive"];
                    return Err(mistake(
                        mode,
                        format!(
                            "initial.mode `{mode}` is not a mode to start in{}",
                            catalogue::suggest(mode, modes.iter().copied())
                        ),
                    ));
                }
            };
            let command = parse_command(command, &[]).map_err(|e| mistake(mode, e.0))?;
            Some(CompiledEvent {
                label: format!("initial mode {mode}"),
                trigger: Trigger::At(0.0),
                step: Step::Control(Control::Command(command)),
            })
        }
    };

    // Labels first, so `after` and expectations can refer to any event.
    let mut labels: Vec<String> = Vec::new();
    for (index, event) in scenario.timeline.iter().enumerate() {
        let label = event.label.clone().unwrap_or_else(|| format!("event {}", index + 1));
        if labels.contains(&label) {
            return Err(mistake(&label, format!("label `{label}` is used twice")));
        }
        labels.push(label);
    }
    let find = |label: &str| {
        labels.iter().position(|l| l == label).ok_or_else(|| {
            mistake(
                label,
                format!(
                    "no event is labelled `{label}`{}",
                    catalogue::suggest(label, labels.iter().map(String::as_str))
                ),
            )
        })
    };
    let mut events = Vec::new();
    for (index, event) in scenario.timeline.iter().enumerate() {
        let step = step(&event.action, dir)?;
        let needed = match &event.action {
            Action::WireFault(name, _) | Action::ClearWireFault(name) => {
                Some((name, Need::Card, "a wire fault needs a wire to the card"))
            }
            Action::CardAction(name) => {
                Some((name, Need::ReferenceCard, "a card action asks the reference card's API"))
            }
            _ => None,
        };
        // The reference card is a card: it has a wire.
        let has = |need: Need| {
            scenario.needs.contains(&need)
                || (need == Need::Card && scenario.needs.contains(&Need::ReferenceCard))
        };
        if let Some((near, need, why)) = needed
            && !has(need)
        {
            return Err(mistake(near, format!("{why}: the scenario needs `needs: [{need:?}]`")));
        }
        events.push(CompiledEvent { label: labels[index].clone(), trigger: trigger(event, &find)?, step });
    }
    // Last, so the indices of the file's events stay those of their labels.
    events.extend(start_mode);
    let instant = |text: &str| -> Result<Instant, Mistake> {
        match parse_duration_s(text) {
            Ok(seconds) => Ok(Instant::Time(seconds)),
            Err(_) => find(text).map(Instant::Event),
        }
    };
    if scenario.expect.is_empty() {
        return Err(mistake(
            "expect",
            "a scenario needs at least one expectation in `expect: [...]`: without one it cannot fail",
        ));
    }
    let mut expectations = Vec::new();
    for (index, expectation) in scenario.expect.iter().enumerate() {
        let compiled = expect(expectation, index, &instant, &find)?;
        if let Check::Api { check, .. } = &compiled.check
            && !scenario.needs.contains(&Need::ReferenceCard)
        {
            return Err(mistake(
                &check.path,
                "an `api:` expectation reads the reference card's API: the scenario needs `needs: [ReferenceCard]`",
            ));
        }
        let card_output = match &compiled.check {
            Check::Probe { run, .. } => Some(run.as_str()),
            Check::Reports { .. } => Some("reports"),
            Check::Received {
                what:
                    Received::Syslog(text)
                    | Received::WakeOnLan(text)
                    | Received::SnmpTrap(text)
                    | Received::Agent(text),
                ..
            } => Some(text.as_str()),
            Check::Received { what: Received::Mail { .. }, .. } => Some("received"),
            _ => None,
        };
        if let Some(near) = card_output
            && scenario.needs.is_empty()
        {
            return Err(mistake(near, "this checks a card's output: the scenario needs `needs: [Card]`"));
        }
        expectations.push(compiled);
    }
    let card_settings = match &scenario.card_settings {
        Some(file) if !relative(dir, file).is_file() => {
            return Err(mistake(file, format!("card_settings: no file {}", relative(dir, file).display())));
        }
        Some(file) => Some(relative(dir, file)),
        None => None,
    };
    Ok(Compiled {
        name: scenario.name.clone(),
        description: scenario.description.clone(),
        path: PathBuf::new(),
        model,
        seed: scenario.seed,
        duration_s,
        dt_s,
        needs: scenario.needs.clone(),
        card_settings,
        start: StartOptions {
            load_pct: initial.load_pct,
            power_factor: initial.power_factor,
            ambient_c: initial.ambient_c,
            state_of_charge: initial.state_of_charge_pct / 100.0,
            state_of_health: initial.state_of_health_pct / 100.0,
        },
        load_profile,
        events,
        expectations,
    })
}

fn trigger(event: &Event, find: &impl Fn(&str) -> Result<usize, Mistake>) -> Result<Trigger, Mistake> {
    match (&event.at, &event.after, &event.when) {
        (Some(at), None, None) => Ok(Trigger::At(duration(at)?)),
        (None, Some((label, delay)), None) => Ok(Trigger::After(find(label)?, duration(delay)?)),
        (None, None, Some(when)) => Ok(Trigger::When(condition(when)?)),
        _ => Err(mistake(
            event.label.as_deref().unwrap_or("timeline"),
            "an event needs exactly one of `at`, `after` or `when`",
        )),
    }
}

fn step(action: &Action, dir: &Path) -> Result<Step, Mistake> {
    Ok(match action {
        Action::Fault(name, params) => {
            Step::Control(Control::Inject(Fault::with_params(name, params).map_err(|e| mistake(name, e.0))?))
        }
        Action::Clear(name) => {
            Step::Control(Control::Clear(FaultKind::parse(name).map_err(|e| mistake(name, e.0))?))
        }
        Action::WireFault(name, params) => Step::Control(Control::InjectWire(
            WireFault::with_params(name, params).map_err(|e| mistake(name, e.0))?,
        )),
        Action::ClearWireFault(name) => {
            Step::Control(Control::ClearWire(WireFaultKind::parse(name).map_err(|e| mistake(name, e.0))?))
        }
        Action::Command(name, params) => Step::Control(Control::Command(
            Command::with_params(name, params).map_err(|e| mistake(name, e.0))?,
        )),
        Action::Load(pct) => {
            if !(pct.is_finite() && (0.0..=1000.0).contains(pct)) {
                return Err(mistake("Load", format!("Load must be within 0..=1000 %, found {pct}")));
            }
            Step::Control(Control::Load(*pct))
        }
        Action::LoadProfile(file) => Step::LoadProfile(load_profile(dir, file)?),
        Action::MainsProfile(file) => {
            let profile =
                MainsProfile::load(&relative(dir, file)).map_err(|e| mistake(file, e.to_string()))?;
            Step::MainsProfile(
                profile
                    .points
                    .iter()
                    .map(|p| MainsPoint {
                        time_s: p.time_s,
                        voltage_v: p.voltage_v,
                        frequency_hz: p.frequency_hz,
                    })
                    .collect(),
            )
        }
        Action::CardAction(request) => {
            Step::CardAction(CardRequest::parse(request).map_err(|e| mistake(request, e))?)
        }
    })
}

/// Checks what an observer is to receive; MAC addresses are written `aa:bb:cc:dd:ee:ff`.
fn received(what: &Received) -> Result<Received, Mistake> {
    match what {
        Received::Syslog(text) => Ok(Received::Syslog(text.clone())),
        Received::SnmpTrap(text) => Ok(Received::SnmpTrap(text.clone())),
        Received::Agent(text) => Ok(Received::Agent(text.clone())),
        Received::WakeOnLan(mac) => {
            let octets: Vec<&str> = mac.split([':', '-']).collect();
            let valid =
                octets.len() == 6 && octets.iter().all(|o| o.len() == 2 && u8::from_str_radix(o, 16).is_ok());
            if !valid {
                return Err(mistake(
                    mac,
                    format!("`{mac}` is not a MAC address: expected e.g. 00:11:22:33:44:55"),
                ));
            }
            Ok(Received::WakeOnLan(octets.join(":").to_lowercase()))
        }
        Received::Mail { from, to, subject, body, tls } => {
            if [from, to, subject, body].iter().all(|part| part.is_none()) && tls.is_none() {
                return Err(mistake(
                    "received",
                    "say what the mail holds: `from`, `to`, `subject`, `body` or `tls`",
                ));
            }
            Ok(what.clone())
        }
    }
}

/// Checks where a reported value is read and what it is compared with.
fn reported(reports: &Reports) -> Result<Check, Mistake> {
    let truth = crate::expr::parse_number_signal(&reports.truth).map_err(|e| mistake(&reports.truth, e))?;
    if !(reports.tolerance.is_finite() && reports.tolerance >= 0.0) {
        return Err(mistake("tolerance", "the tolerance is a number ≥ 0, in the truth's unit"));
    }
    if !(reports.scale.is_finite() && reports.scale != 0.0) {
        return Err(mistake("scale", "the scale is a finite number other than 0"));
    }
    match &reports.read {
        Read::Modbus { words, unit, .. } => {
            if !matches!(words, 1 | 2) {
                return Err(mistake("words", "a Modbus value is 1 or 2 words"));
            }
            if *unit > 247 {
                return Err(mistake("unit", "a Modbus unit id is 0 to 247"));
            }
        }
        Read::Snmp { oid, .. } => {
            let arcs: Vec<&str> = oid.trim_start_matches('.').split('.').collect();
            if arcs.len() < 2 || arcs.iter().any(|arc| arc.parse::<u32>().is_err()) {
                return Err(mistake(
                    oid,
                    format!("`{oid}` is not an OID: expected e.g. 1.3.6.1.2.1.33.1.2.4.0"),
                ));
            }
        }
        Read::Http { path, pointer } => {
            if !path.starts_with('/') {
                return Err(mistake(path, format!("`{path}` is not a path: expected e.g. /api/status")));
            }
            if !(pointer.is_empty() || pointer.starts_with('/')) {
                return Err(mistake(
                    pointer,
                    format!("`{pointer}` is not a JSON pointer: expected e.g. /battery/charge_pct"),
                ));
            }
        }
    }
    Ok(Check::Reports {
        read: reports.read.clone(),
        scale: reports.scale,
        truth,
        tolerance: reports.tolerance,
    })
}

/// An expectation's check in words, for its default label.
fn describe(check: &Check) -> String {
    match check {
        Check::Eventually(c) | Check::Always(c) | Check::Never(c) => c.text.clone(),
        Check::Probe { run, .. } => run.clone(),
        Check::Reports { read, .. } => format!("card reports {}", read_name(read)),
        Check::Received { what, wanted } => {
            let text = match what {
                Received::Syslog(text) => format!("syslog `{text}`"),
                Received::WakeOnLan(mac) => format!("wake-on-lan `{mac}`"),
                Received::SnmpTrap(text) => format!("snmp trap `{text}`"),
                Received::Agent(text) => format!("shutdown agent `{text}`"),
                Received::Mail { from, to, subject, body, tls } => {
                    let parts = [("from", from), ("to", to), ("subject", subject), ("body", body)];
                    let mut words: Vec<String> = parts
                        .iter()
                        .filter_map(|(name, part)| part.as_ref().map(|text| format!("{name} `{text}`")))
                        .collect();
                    words.extend(tls.map(|tls| format!("tls {tls}")));
                    format!("mail {}", words.join(" "))
                }
            };
            if *wanted { text } else { format!("never {text}") }
        }
        Check::Api { check, wanted: true } => check.describe(),
        Check::Api { check, wanted: false } => format!("never {}", check.describe()),
    }
}

/// Where a reported value is read, as a report shows it.
fn read_name(read: &Read) -> String {
    match read {
        Read::Modbus { address, .. } => format!("Modbus 0x{address:04X}"),
        Read::Snmp { oid, .. } => format!("SNMP {oid}"),
        Read::Http { path, pointer } if pointer.is_empty() => format!("HTTP {path}"),
        Read::Http { path, pointer } => format!("HTTP {path} {pointer}"),
    }
}

fn expect(
    expectation: &Expectation,
    index: usize,
    instant: &impl Fn(&str) -> Result<Instant, Mistake>,
    find: &impl Fn(&str) -> Result<usize, Mistake>,
) -> Result<CompiledExpectation, Mistake> {
    let e = expectation;
    let given = [e.that.is_some(), e.always.is_some(), e.never.is_some(), e.probe.is_some()]
        .into_iter()
        .chain([e.reports.is_some(), e.received.is_some(), e.not_received.is_some()])
        .chain([e.api.is_some(), e.api_never.is_some()])
        .filter(|given| *given)
        .count();
    if given != 1 {
        return Err(mistake(
            e.label.as_deref().unwrap_or("expect"),
            "an expectation needs exactly one of `that`, `always`, `never`, `probe`, `reports`, `received`, `not_received`, `api` or `api_never`",
        ));
    }
    let check = if let Some(that) = &e.that {
        Check::Eventually(condition(that)?)
    } else if let Some(always) = &e.always {
        Check::Always(condition(always)?)
    } else if let Some(never) = &e.never {
        Check::Never(condition(never)?)
    } else if let Some(probe) = &e.probe {
        Check::Probe { run: probe.run.clone(), contains: probe.contains.clone() }
    } else if let Some(reports) = &e.reports {
        reported(reports)?
    } else if let Some(what) = &e.received {
        Check::Received { what: received(what)?, wanted: true }
    } else if let Some(what) = &e.not_received {
        Check::Received { what: received(what)?, wanted: false }
    } else if let Some(api) = e.api.as_ref().or(e.api_never.as_ref()) {
        let check = ApiCheck::compile(api).map_err(|why| mistake(&api.get, why))?;
        Check::Api { check, wanted: e.api.is_some() }
    } else {
        unreachable!("exactly one is given")
    };
    let label = e.label.clone().unwrap_or_else(|| format!("#{} {}", index + 1, describe(&check)));
    let from = match (&e.of, &e.from) {
        (Some(of), None) => Instant::Event(find(of)?),
        (None, Some(from)) => instant(from)?,
        (None, None) => Instant::Time(0.0),
        (Some(of), Some(_)) => return Err(mistake(of, "give `of` or `from`, not both")),
    };
    let within_s = e.within.as_deref().map(duration).transpose()?;
    let until = e.until.as_deref().map(instant).transpose()?;
    if within_s.is_some() && until.is_some() {
        return Err(mistake(e.until.as_deref().unwrap_or_default(), "give `within` or `until`, not both"));
    }
    Ok(CompiledExpectation { label, check, from, until, within_s })
}
