//! What the UPS sees at its input terminals this step: the rectifier feed and the bypass
//! feed after faults, and whether each is within the firmware's tolerance windows.

use super::catalogue::index;
use super::faults::Fault;
use super::sources::{Feed, Genset};

/// Rectifier input window: ±15 % voltage, ±5 Hz.
pub const RECTIFIER_VOLTAGE_TOLERANCE: f64 = 0.15;
pub const RECTIFIER_FREQUENCY_TOLERANCE_HZ: f64 = 5.0;
/// Bypass window: ±10 % voltage; the inverter follows the bypass within ±2 Hz.
pub const BYPASS_VOLTAGE_TOLERANCE: f64 = 0.10;
pub const SYNC_WINDOW_HZ: f64 = 2.0;
/// Below this share of nominal voltage a feed counts as absent.
const PRESENT_SHARE: f64 = 0.5;

/// The feeds and their verdicts for one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Inputs {
    pub rectifier_feed: Feed,
    pub bypass_feed: Feed,
    pub on_genset: bool,
    pub rectifier_present: bool,
    /// Present, within the window, phases in order: the rectifier may run.
    pub rectifier_ok: bool,
    pub phase_rotation_fault: bool,
    pub bypass_present: bool,
    pub bypass_ok: bool,
    /// The inverter can follow the bypass, so transfers are break-free.
    pub synchronized: bool,
}

/// How the UPS is fed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wiring {
    pub nominal_v: f64,
    pub nominal_hz: f64,
    pub input_phases: usize,
    /// The bypass has its own supply, untouched by rectifier-side mains faults.
    pub separate_bypass_feed: bool,
    /// Recorded mains replacing the nominal supply (voltage per phase, frequency).
    pub recorded_mains: Option<([f64; 3], f64)>,
}

/// Applies the source faults active now to the nominal feeds.
pub fn evaluate<'a>(
    faults: impl Iterator<Item = (&'a Fault, f64)>,
    time_s: f64,
    genset: &Genset,
    wiring: Wiring,
) -> Inputs {
    let Wiring { nominal_v, nominal_hz, input_phases, separate_bypass_feed, recorded_mains } = wiring;
    let mut mains = Feed::nominal(nominal_v, nominal_hz);
    if let Some((voltage_v, frequency_hz)) = recorded_mains {
        mains.voltage_v = voltage_v;
        mains.frequency_hz = frequency_hz;
    }
    let mut bypass_fault_applied = false;
    let mut bypass_blackout = false;
    for (fault, started_s) in faults {
        match *fault {
            Fault::MainsBlackout => mains = Feed::dead(),
            Fault::MainsSag { voltage_pct } | Fault::MainsSwell { voltage_pct } => {
                mains.voltage_v = mains.voltage_v.map(|v| v * voltage_pct / 100.0);
            }
            Fault::MainsFrequency { frequency_hz } => mains.frequency_hz = frequency_hz,
            Fault::MainsPhaseLoss { phase } if input_phases == 3 => {
                mains.voltage_v[index(phase).min(2)] = 0.0
            }
            Fault::MainsPhaseRotation => mains.angle_deg.swap(1, 2),
            Fault::MainsFlapping { period_s } if ((time_s - started_s) / period_s).fract() >= 0.5 => {
                mains = Feed::dead();
            }
            Fault::BypassOutOfTolerance => bypass_fault_applied = true,
            Fault::BypassBlackout => bypass_blackout = true,
            // The genset is its own source (`sources`); the rest act inside the UPS.
            _ => {}
        }
    }
    let mains_present = present(&mains, nominal_v, input_phases);
    let on_genset = !mains_present && genset.running;
    let rectifier_feed = if on_genset { genset.feed(nominal_v, nominal_hz) } else { mains };
    // One supply feeds both unless the bypass has its own; a genset backs up both.
    let mut bypass_feed = if separate_bypass_feed {
        if genset.running && bypass_blackout {
            genset.feed(nominal_v, nominal_hz)
        } else {
            Feed::nominal(nominal_v, nominal_hz)
        }
    } else {
        rectifier_feed
    };
    if bypass_blackout && !(genset.running && separate_bypass_feed) {
        bypass_feed = Feed::dead();
    }
    if bypass_fault_applied {
        bypass_feed.voltage_v = bypass_feed.voltage_v.map(|v| v * 0.8);
        bypass_feed.frequency_hz = nominal_hz - 3.0;
    }
    let rectifier_present = present(&rectifier_feed, nominal_v, input_phases);
    let phase_rotation_fault = input_phases == 3 && rectifier_present && rectifier_feed.rotation_reversed();
    let rectifier_ok = rectifier_present
        && within(&rectifier_feed, nominal_v, RECTIFIER_VOLTAGE_TOLERANCE, input_phases)
        && (rectifier_feed.frequency_hz - nominal_hz).abs() <= RECTIFIER_FREQUENCY_TOLERANCE_HZ
        && !phase_rotation_fault;
    let bypass_present = present(&bypass_feed, nominal_v, input_phases);
    let synchronized = bypass_present && (bypass_feed.frequency_hz - nominal_hz).abs() <= SYNC_WINDOW_HZ;
    let bypass_ok = synchronized
        && within(&bypass_feed, nominal_v, BYPASS_VOLTAGE_TOLERANCE, input_phases)
        && !phase_rotation_fault;
    Inputs {
        rectifier_feed,
        bypass_feed,
        on_genset,
        rectifier_present,
        rectifier_ok,
        phase_rotation_fault,
        bypass_present,
        bypass_ok,
        synchronized,
    }
}

/// Any phase above half its nominal voltage.
fn present(feed: &Feed, nominal_v: f64, phases: usize) -> bool {
    feed.voltage_v[..phases].iter().any(|&v| v > PRESENT_SHARE * nominal_v)
}

/// Every phase within ±`tolerance` of nominal.
fn within(feed: &Feed, nominal_v: f64, tolerance: f64, phases: usize) -> bool {
    feed.voltage_v[..phases].iter().all(|&v| (v / nominal_v - 1.0).abs() <= tolerance)
}
