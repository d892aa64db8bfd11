//! Transfers of the load between paths and how long each breaks the output. The break is
//! shorter than a step: it is reported with the transfer, not simulated as lost energy.

use super::firmware::Mode;
use ups_models::model::TransferTimes;

/// A change of the path that feeds the load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transfer {
    pub time_s: f64,
    pub from: Mode,
    pub to: Mode,
    /// How long the load had no supply, ms (0 for a synchronised, overlapping transfer).
    pub break_ms: f64,
}

/// The transfer a mode change makes, or `None` when the load did not move between two
/// supplying paths (it started, stopped or was already without supply).
pub fn between(from: Mode, to: Mode, time_s: f64, times: &TransferTimes) -> Option<Transfer> {
    use Mode::{Eco, LineInteractive, OnBypass, OnInverter};
    let break_ms = match (from, to) {
        // The static switch must be off before the inverter takes over, or the inverter
        // would feed the failed bypass.
        (Eco, OnInverter) => times.from_eco_ms,
        // A relay opens between mains and the inverter's output, both ways.
        (LineInteractive, OnInverter) | (OnInverter, LineInteractive) => times.mains_path_ms,
        // Inverter and static bypass run synchronised and overlap.
        (OnInverter, OnBypass | Eco) | (OnBypass, OnInverter | Eco) | (Eco, OnBypass) => 0.0,
        _ => return None,
    };
    Some(Transfer { time_s, from, to, break_ms })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMES: TransferTimes = TransferTimes { from_eco_ms: 2.0, mains_path_ms: 4.0 };

    #[test]
    fn double_conversion_transfers_do_not_break_the_output() {
        for (from, to) in [
            (Mode::OnInverter, Mode::OnBypass),
            (Mode::OnBypass, Mode::OnInverter),
            (Mode::OnInverter, Mode::Eco),
        ] {
            assert_eq!(between(from, to, 1.0, &TIMES).unwrap().break_ms, 0.0, "{from:?} → {to:?}");
        }
    }

    #[test]
    fn leaving_eco_and_the_mains_path_takes_the_models_time() {
        assert_eq!(between(Mode::Eco, Mode::OnInverter, 1.0, &TIMES).unwrap().break_ms, 2.0);
        assert_eq!(between(Mode::LineInteractive, Mode::OnInverter, 1.0, &TIMES).unwrap().break_ms, 4.0);
        assert_eq!(between(Mode::OnInverter, Mode::LineInteractive, 1.0, &TIMES).unwrap().break_ms, 4.0);
    }

    #[test]
    fn starting_and_stopping_are_not_transfers() {
        assert_eq!(between(Mode::Starting, Mode::OnInverter, 1.0, &TIMES), None);
        assert_eq!(between(Mode::OnInverter, Mode::LoadOff, 1.0, &TIMES), None);
    }
}
