//! Single phase, 3/3 and 3/1: per-phase outputs, input currents and the neutral.

use sim::ups::faults::parse_fault;
use sim::{StartOptions, Ups};

fn ups_with_phases(model: &str, input_phases: u8, output_phases: u8) -> Ups {
    let mut loaded = ups_models::load_model(model).unwrap();
    loaded.model.ratings.input_phases = input_phases;
    loaded.model.ratings.output_phases = output_phases;
    let mut ups = Ups::new(&loaded, 1, &StartOptions::default());
    for _ in 0..20 {
        ups.step(0.1);
    }
    ups
}

#[test]
fn three_three_balanced_load_has_no_neutral_current() {
    let u = ups_with_phases("masterys-gp-60", 3, 3);
    let m = u.measurements();
    assert!(m.output.current_a.iter().all(|&a| (a - m.output.current_a[0]).abs() < 1e-9 && a > 40.0));
    assert!(m.output_neutral_current_a < 1e-9, "{}", m.output_neutral_current_a);
    assert!(m.output_load_pct.iter().all(|&p| (p - 50.0).abs() < 1e-9));
}

#[test]
fn three_one_takes_from_three_phases_and_feeds_one() {
    let mut u = ups_with_phases("masterys-gp-60", 3, 1);
    let m = *u.measurements();
    assert!(m.output.current_a[0] > 100.0 && m.output.current_a[1] == 0.0 && m.output.voltage_v[1] == 0.0);
    assert_eq!(m.output_neutral_current_a, m.output.current_a[0]);
    assert!(m.input.current_a.iter().all(|&a| a > 10.0), "{:?}", m.input.current_a);
    assert!((m.output_power_w[0] - 30_000.0).abs() < 1.0);
    u.inject(parse_fault("mains_phase_loss", &[("phase", "3")]).unwrap()).unwrap();
    u.step(0.1);
    assert!(u.conditions().on_battery);
    assert!(u.flows().balance_error() < 0.005);
}

#[test]
fn single_phase_ignores_phase_faults_that_do_not_apply() {
    let mut u = ups_with_phases("itys-2k", 1, 1);
    assert!(
        u.inject(parse_fault("mains_phase_loss", &[("phase", "2")]).unwrap()).is_err(),
        "a 1-phase input has no L2"
    );
    u.inject(parse_fault("mains_phase_rotation", &[]).unwrap()).unwrap();
    u.step(0.1);
    assert!(!u.conditions().phase_rotation_fault && !u.conditions().on_battery);
}
