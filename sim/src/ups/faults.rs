//! The fault catalogue: every fault a user can inject by name, its parameters with their
//! validated ranges, and what the UPS does about it. `upstwin faults` prints this table; the
//! GUI builds its fault panel from it.

pub use super::catalogue::{Action as Fault, ParamSpec, ParseError, Spec as FaultSpec};
use super::catalogue::{param, parse};

/// Every fault, in the order the documentation lists them.
pub const FAULTS: &[FaultSpec] = &[
    FaultSpec {
        name: "mains_blackout",
        params: &[],
        effect: "rectifier input lost: UPS on battery; on return, rectifier walk-in and recharge",
    },
    FaultSpec {
        name: "mains_sag",
        params: &[param("voltage_pct", "% of nominal", 0.0, 100.0, None)],
        effect: "below the rectifier window (−15 %) the UPS goes on battery (eco leaves the bypass for the inverter)",
    },
    FaultSpec {
        name: "mains_swell",
        params: &[param("voltage_pct", "% of nominal", 100.0, 200.0, None)],
        effect: "above the rectifier window (+15 %) the UPS goes on battery",
    },
    FaultSpec {
        name: "mains_frequency",
        params: &[param("frequency_hz", "Hz", 30.0, 80.0, None)],
        effect: "outside ±5 Hz the rectifier drops out (on battery); outside ±2 Hz the inverter stops following the bypass and transfers become impossible",
    },
    FaultSpec {
        name: "mains_phase_loss",
        params: &[param("phase", "", 1.0, 3.0, None)],
        effect: "one input phase at 0 V: rectifier input out of tolerance, UPS on battery (3-phase input only)",
    },
    FaultSpec {
        name: "mains_phase_rotation",
        params: &[],
        effect: "L2 and L3 swapped: phase rotation alarm, rectifier refuses to start, UPS on battery",
    },
    FaultSpec {
        name: "mains_flapping",
        params: &[param("period_s", "s", 0.2, 3600.0, Some(10.0))],
        effect: "mains toggles off and on every half period: repeated transfers to and from battery",
    },
    FaultSpec {
        name: "bypass_out_of_tolerance",
        params: &[],
        effect: "bypass feed at 80 % voltage and 47 Hz: bypass alarm, eco left for inverter, transfers impossible",
    },
    FaultSpec {
        name: "bypass_blackout",
        params: &[],
        effect: "the bypass supply fails (its own feed on a dual-feed installation, else the bypass side of the shared feed): bypass absent, transfers impossible",
    },
    FaultSpec {
        name: "genset",
        params: &[
            param("start_delay_s", "s", 0.0, 600.0, Some(10.0)),
            param("rating_pct", "% of the UPS's rating", 50.0, 1000.0, Some(150.0)),
        ],
        effect: "a genset starts and, once up, feeds rectifier and bypass when mains is down; its voltage and frequency dip when load is thrown on it (ISO 8528-5 class G2, less when the rectifier walks in) and its frequency wanders under load (clear = stop)",
    },
    FaultSpec {
        name: "overload",
        params: &[param("load_pct", "% of rating", 0.0, 1000.0, None)],
        effect: "load set to this share of the rating: overload alarm above 100 %, transfer to bypass after the overload curve, or stop without bypass",
    },
    FaultSpec {
        name: "output_short_circuit",
        params: &[],
        effect: "output shorted: inverter current-limits, stops after 0.3 s, load transferred to bypass (or off)",
    },
    FaultSpec {
        name: "ambient_temperature",
        params: &[param("temperature_c", "°C", -20.0, 70.0, None)],
        effect: "ambient (and battery) temperature: cabinet heats up, over-temperature alarm, then transfer to bypass",
    },
    FaultSpec {
        name: "fan_failure",
        params: &[],
        effect: "fans stop: cabinet cooling 5× worse, over-temperature alarm, then transfer to bypass",
    },
    FaultSpec {
        name: "battery_disconnected",
        params: &[],
        effect: "battery breaker open: battery circuit open alarm; a mains failure drops the load",
    },
    FaultSpec {
        name: "weak_block",
        params: &[
            param("string", "", 1.0, 16.0, None),
            param("block", "", 1.0, 80.0, None),
            param("capacity_pct", "%", 1.0, 100.0, None),
        ],
        effect: "one block keeps this share of its capacity: shorter runtime; a battery test fails if the block runs dry during it and its string drops out",
    },
    FaultSpec {
        name: "open_block",
        params: &[param("string", "", 1.0, 16.0, None), param("block", "", 1.0, 80.0, None)],
        effect: "a block opens: its string is cut off (all strings: battery circuit open)",
    },
    FaultSpec {
        name: "aged_battery",
        params: &[param("soh_pct", "%", 1.0, 100.0, None)],
        effect: "every block at this state of health: shorter runtime",
    },
    FaultSpec {
        name: "charger_fault",
        params: &[],
        effect: "charger stops: charger alarm, battery no longer recharged",
    },
    FaultSpec {
        name: "rectifier_fault",
        params: &[],
        effect: "rectifier stops: rectifier critical alarm, UPS on battery with mains present",
    },
    FaultSpec {
        name: "inverter_fault",
        params: &[],
        effect: "inverter stops: inverter critical alarm, load on bypass (or off without bypass)",
    },
    FaultSpec {
        name: "bypass_fault",
        params: &[],
        effect: "static bypass unusable: bypass critical alarm, transfers locked, eco impossible",
    },
    FaultSpec {
        name: "emergency_power_off",
        params: &[],
        effect: "ESD: inverter, rectifier and bypass off, load off; restart when cleared",
    },
    FaultSpec {
        name: "maintenance_bypass_closed",
        params: &[],
        effect: "manual bypass switch closed: load on maintenance bypass",
    },
    FaultSpec {
        name: "external_alarm",
        params: &[param("input", "", 1.0, 4.0, None)],
        effect: "external alarm contact closed: external alarm raised",
    },
    FaultSpec {
        name: "miscalibrated_runtime",
        params: &[param("factor", "×", 0.1, 10.0, None)],
        effect: "the UPS's runtime estimate is multiplied by this factor; the physics is unchanged",
    },
    FaultSpec {
        name: "unit_failure",
        params: &[param("unit", "", 1.0, 15.0, None)],
        effect: "a module or parallel unit fails: unit alarm, redundancy lost or insufficient resources",
    },
    FaultSpec {
        name: "remote_control_disabled",
        params: &[],
        effect: "the UPS panel's remote-control switch is off: every remote command is refused",
    },
];

/// Looks a fault up and validates its parameters (`key=value` pairs).
pub fn parse_fault(name: &str, params: &[(&str, &str)]) -> Result<Fault, ParseError> {
    parse("fault", FAULTS, name, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_validates() {
        let fault =
            parse_fault("weak_block", &[("string", "1"), ("block", "3"), ("capacity_pct", "5")]).unwrap();
        assert_eq!(fault.index("block"), 2);
        assert!(
            parse_fault("weak_block", &[("string", "1")]).unwrap_err().0.contains("missing parameter block")
        );
        assert!(parse_fault("overload", &[("load_pct", "2000")]).unwrap_err().0.contains("within 0..=1000"));
        assert!(parse_fault("mains_blakout", &[]).unwrap_err().0.contains("did you mean `mains_blackout`"));
        assert_eq!(parse_fault("mains_flapping", &[]).unwrap().param("period_s"), 10.0);
    }
}
