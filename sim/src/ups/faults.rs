//! The fault catalogue: every fault a user can inject by name, its parameters with their
//! validated ranges, and what the UPS does about it. `upstwin faults` prints this table; the
//! GUI builds its fault panel from it.

use super::catalogue::catalogue;
pub use super::catalogue::{ParamSpec, ParseError, Spec as FaultSpec};

catalogue! {
    /// A fault in the UPS or its supplies, with its parameters.
    pub enum Fault, kinds FaultKind, called "fault" {
        MainsBlackout = "mains_blackout": "rectifier input lost: UPS on battery; on return, rectifier walk-in and recharge",
        MainsSag { voltage_pct: "% of nominal" in 0.0..=100.0 like 70.0 }
            = "mains_sag": "below the rectifier window (−15 %) the UPS goes on battery (eco leaves the bypass for the inverter)",
        MainsSwell { voltage_pct: "% of nominal" in 100.0..=200.0 like 125.0 }
            = "mains_swell": "above the rectifier window (+15 %) the UPS goes on battery",
        MainsFrequency { frequency_hz: "Hz" in 30.0..=80.0 like 44.0 }
            = "mains_frequency": "outside ±5 Hz the rectifier drops out (on battery); outside ±2 Hz the inverter stops following the bypass and transfers become impossible",
        MainsPhaseLoss { phase: "" in 1.0..=3.0 }
            = "mains_phase_loss": "one input phase at 0 V: rectifier input out of tolerance, UPS on battery (3-phase input only)",
        MainsPhaseRotation = "mains_phase_rotation": "L2 and L3 swapped: phase rotation alarm, rectifier refuses to start, UPS on battery",
        MainsFlapping { period_s: "s" in 0.2..=3600.0 = 10.0 }
            = "mains_flapping": "mains toggles off and on every half period: repeated transfers to and from battery",
        BypassOutOfTolerance = "bypass_out_of_tolerance": "bypass feed at 80 % voltage and 47 Hz: bypass alarm, eco left for inverter, transfers impossible",
        BypassBlackout = "bypass_blackout": "the bypass supply fails (its own feed on a dual-feed installation, else the bypass side of the shared feed): bypass absent, transfers impossible",
        Genset {
            start_delay_s: "s" in 0.0..=600.0 = 10.0,
            rating_pct: "% of the UPS's rating" in 50.0..=1000.0 = 150.0,
        }
            = "genset": "a genset starts and, once up, feeds rectifier and bypass when mains is down; its voltage and frequency dip when load is thrown on it (ISO 8528-5 class G2, less when the rectifier walks in) and its frequency wanders under load (clear = stop)",
        Overload { load_pct: "% of rating" in 0.0..=1000.0 like 120.0 }
            = "overload": "load set to this share of the rating: overload alarm above 100 %, transfer to bypass after the overload curve, or stop without bypass",
        OutputShortCircuit = "output_short_circuit": "output shorted: inverter current-limits, stops after 0.3 s, load transferred to bypass (or off)",
        AmbientTemperature { temperature_c: "°C" in -20.0..=70.0 like 45.0 }
            = "ambient_temperature": "ambient (and battery) temperature: cabinet heats up, over-temperature alarm, then transfer to bypass",
        FanFailure = "fan_failure": "fans stop: cabinet cooling 5× worse, over-temperature alarm, then transfer to bypass",
        BatteryDisconnected = "battery_disconnected": "battery breaker open: battery circuit open alarm; a mains failure drops the load",
        WeakBlock {
            string: "" in 1.0..=16.0,
            block: "" in 1.0..=80.0,
            capacity_pct: "%" in 1.0..=100.0,
        }
            = "weak_block": "one block keeps this share of its capacity: shorter runtime; a battery test fails if the block runs dry during it and its string drops out",
        OpenBlock { string: "" in 1.0..=16.0, block: "" in 1.0..=80.0 }
            = "open_block": "a block opens: its string is cut off (all strings: battery circuit open)",
        AgedBattery { soh_pct: "%" in 1.0..=100.0 like 60.0 }
            = "aged_battery": "every block at this state of health: shorter runtime",
        ChargerFault = "charger_fault": "charger stops: charger alarm, battery no longer recharged",
        RectifierFault = "rectifier_fault": "rectifier stops: rectifier critical alarm, UPS on battery with mains present",
        InverterFault = "inverter_fault": "inverter stops: inverter critical alarm, load on bypass (or off without bypass)",
        BypassFault = "bypass_fault": "static bypass unusable: bypass critical alarm, transfers locked, eco impossible",
        EmergencyPowerOff = "emergency_power_off": "ESD: inverter, rectifier and bypass off, load off; restart when cleared",
        MaintenanceBypassClosed = "maintenance_bypass_closed": "manual bypass switch closed: load on maintenance bypass",
        ExternalAlarm { input: "" in 1.0..=4.0 }
            = "external_alarm": "external alarm contact closed: external alarm raised",
        MiscalibratedRuntime { factor: "×" in 0.1..=10.0 like 1.5 }
            = "miscalibrated_runtime": "the UPS's runtime estimate is multiplied by this factor; the physics is unchanged",
        UnitFailure { unit: "" in 1.0..=15.0 }
            = "unit_failure": "a module or parallel unit fails: unit alarm, redundancy lost or insufficient resources",
        RemoteControlDisabled = "remote_control_disabled": "the UPS panel's remote-control switch is off: every remote command is refused",
    }
}

/// Every fault, in the order the documentation lists them.
pub const FAULTS: &[FaultSpec] = Fault::SPECS;

/// Looks a fault up and validates its parameters (`key=value` pairs).
pub fn parse_fault(name: &str, params: &[(&str, &str)]) -> Result<Fault, ParseError> {
    Fault::parse(name, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_validates() {
        let fault =
            parse_fault("weak_block", &[("string", "1"), ("block", "3"), ("capacity_pct", "5")]).unwrap();
        assert!(
            matches!(fault, Fault::WeakBlock { block, .. } if super::super::catalogue::index(block) == 2)
        );
        assert!(
            parse_fault("weak_block", &[("string", "1")]).unwrap_err().0.contains("missing parameter block")
        );
        assert!(parse_fault("overload", &[("load_pct", "2000")]).unwrap_err().0.contains("within 0..=1000"));
        assert!(parse_fault("mains_blakout", &[]).unwrap_err().0.contains("did you mean `mains_blackout`"));
        assert_eq!(parse_fault("mains_flapping", &[]).unwrap(), Fault::MainsFlapping { period_s: 10.0 });
    }
}
