//! Random fault, command and load sequences on every bundled model: no panic, no NaN, the
//! energy balance holds, and the flags never contradict each other.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use sim::ups::commands::{COMMANDS, Command, parse_command};
use sim::ups::conditions::Conditions;
use sim::ups::faults::{FAULTS, Fault, FaultKind, parse_fault};
use sim::{StartOptions, Ups};

const MODELS: [&str; 6] =
    ["netys-pr-3k", "itys-2k", "masterys-gp-60", "delphys-mx-300", "delphys-mx-system", "modulys-gp2-100"];

#[derive(Debug, Clone)]
enum Op {
    Inject(Fault),
    Clear(&'static str),
    Command(Command),
    Load(f64),
    Run(f64),
}

/// A fault from the catalogue with each parameter drawn inside its range.
fn fault() -> impl Strategy<Value = Fault> {
    (0..FAULTS.len(), prop::collection::vec(0.0..=1.0f64, 3)).prop_map(|(i, draws)| {
        let spec = &FAULTS[i];
        let values: Vec<(String, String)> = spec
            .params
            .iter()
            .zip(&draws)
            .map(|(p, d)| {
                let value = p.min + (p.max - p.min) * d;
                let value = if p.unit.is_empty() { value.round() } else { value };
                (p.name.to_string(), value.to_string())
            })
            .collect();
        let pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        parse_fault(spec.name, &pairs).expect("drawn within range")
    })
}

fn command() -> impl Strategy<Value = Command> {
    (0..COMMANDS.len(), prop::collection::vec(0.0..=1.0f64, 3)).prop_map(|(i, draws)| {
        let spec = &COMMANDS[i];
        let values: Vec<(String, String)> = spec
            .params
            .iter()
            .zip(&draws)
            .map(|(p, d)| {
                // Keep delays and clocks short so they happen within a test run.
                let max = p.max.min(if p.unit == "s" { 120.0 } else { p.max });
                (p.name.to_string(), (p.min + (max - p.min) * d).round().to_string())
            })
            .collect();
        let pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        parse_command(spec.name, &pairs).expect("drawn within range")
    })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => fault().prop_map(Op::Inject),
        2 => (0..FAULTS.len()).prop_map(|i| Op::Clear(FAULTS[i].name)),
        2 => command().prop_map(Op::Command),
        1 => (0.0..150.0f64).prop_map(Op::Load),
        4 => (0.1..600.0f64).prop_map(Op::Run),
    ]
}

fn check(ups: &Ups) -> Result<(), TestCaseError> {
    let m = ups.measurements();
    let values = [
        m.battery_voltage_v,
        m.battery_current_a,
        m.battery_charge_pct,
        m.remaining_runtime_s,
        m.internal_temperature_c,
        m.input_power_w,
        m.losses_w,
        m.dc_bus_voltage_v,
        m.output_neutral_current_a,
    ];
    prop_assert!(
        values.iter().chain(&m.output.voltage_v).chain(&m.output.current_a).all(|v| v.is_finite()),
        "{m:?}"
    );
    prop_assert!((0.0..=100.0).contains(&m.battery_charge_pct));
    prop_assert!(ups.flows().balance_error() < 0.005, "energy balance {:?}", ups.flows());
    let c: &Conditions = ups.conditions();
    let paths = [
        c.load_on_inverter,
        c.load_on_automatic_bypass,
        c.eco_mode,
        c.load_on_maintenance_bypass,
        c.line_interactive,
    ];
    prop_assert!(paths.iter().filter(|&&p| p).count() <= 1, "one path feeds the load: {c:?}");
    prop_assert!(!c.on_battery || c.load_on_inverter, "on battery only through the inverter");
    prop_assert!(!(c.load_off && (c.load_on_inverter || c.load_on_automatic_bypass)));
    prop_assert!(!(c.battery_charging && c.on_battery));
    prop_assert!(!(c.battery_ok && c.battery_discharged));
    Ok(())
}

proptest! {
    // A fixed seed keeps CI repeatable; set PROPTEST_RNG_SEED to explore other sequences.
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse().ok()).map_or(RngSeed::Fixed(20_261_121), RngSeed::Fixed),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_sequences_keep_the_twin_sane(model in 0..MODELS.len(), seed in 0..1000u64, ops in prop::collection::vec(op(), 1..25)) {
        let loaded = ups_models::load_model(MODELS[model]).unwrap();
        let mut ups = Ups::new(&loaded, seed, &StartOptions::default());
        for op in ops {
            match op {
                Op::Inject(fault) => { let _ = ups.inject(fault); }
                Op::Clear(name) => { ups.clear(FaultKind::parse(name).unwrap()); }
                Op::Command(command) => { let _ = ups.command(&command); }
                Op::Load(pct) => ups.set_load_pct(pct),
                Op::Run(seconds) => {
                    for _ in 0..(seconds / 0.5) as usize {
                        ups.step(0.5);
                        check(&ups)?;
                    }
                }
            }
        }
    }
}
