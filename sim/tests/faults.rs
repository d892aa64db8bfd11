//! Every fault of the catalogue, injected on a running UPS and cleared again: the mode, the
//! flags and the measurements it should produce, then the recovery.

use sim::StartOptions;
use sim::ups::commands::parse_command;
use sim::ups::faults::{FAULTS, FaultKind, parse_fault};
use sim::ups::{Mode, Ups};

const DT_S: f64 = 0.1;

fn ups(model: &str, load_pct: f64) -> Ups {
    let loaded = ups_models::load_model(model).expect("bundled model");
    Ups::new(&loaded, 7, &StartOptions { load_pct, ..StartOptions::default() })
}

fn run(ups: &mut Ups, seconds: f64) {
    for _ in 0..(seconds / DT_S).round() as usize {
        ups.step(DT_S);
        let m = ups.measurements();
        assert!(
            m.battery_voltage_v.is_finite()
                && m.remaining_runtime_s.is_finite()
                && m.internal_temperature_c.is_finite()
        );
    }
}

fn inject(ups: &mut Ups, name: &str, params: &[(&str, &str)]) {
    ups.inject(parse_fault(name, params).expect("valid fault")).expect("fits the model");
}

/// Runs `ups` until `done` holds or `max_s` passes; returns the seconds it took.
fn until(ups: &mut Ups, max_s: f64, done: impl Fn(&Ups) -> bool) -> f64 {
    let mut elapsed_s = 0.0;
    while !done(ups) {
        assert!(elapsed_s < max_s, "not reached within {max_s} s; mode {:?}", ups.mode());
        run(ups, DT_S);
        elapsed_s += DT_S;
    }
    elapsed_s
}

fn back_to_normal(ups: &mut Ups) {
    back_within(ups, 120.0);
}

fn back_within(ups: &mut Ups, max_s: f64) {
    run(ups, 1.0);
    until(ups, max_s, |u| {
        u.mode() == Mode::OnInverter && !u.conditions().on_battery && u.conditions().load_on_inverter
    });
}

#[test]
fn the_catalogue_is_covered_by_this_file() {
    let source = include_str!("faults.rs");
    for fault in FAULTS {
        assert!(source.contains(&format!("fn {}(", fault.name)), "no test for fault `{}`", fault.name);
    }
}

#[test]
fn mains_blackout() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "mains_blackout", &[]);
    run(&mut u, 5.0);
    let c = *u.conditions();
    assert!(c.on_battery && c.rectifier_input_fault && c.load_on_inverter && !c.rectifier_on);
    assert!(u.measurements().battery_current_a > 0.0 && u.measurements().input_power_w == 0.0);
    u.clear(FaultKind::MainsBlackout);
    back_to_normal(&mut u);
    run(&mut u, 20.0);
    assert!(u.conditions().battery_charging && u.measurements().battery_current_a < 0.0);
}

fn expect_on_battery_then_recover(
    name: &str,
    params: &[(&str, &str)],
    alarm: fn(&sim::ups::conditions::Conditions) -> bool,
) {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, name, params);
    run(&mut u, 5.0);
    let c = *u.conditions();
    assert!(c.on_battery, "{name}: on battery");
    assert!(alarm(&c), "{name}: alarm");
    u.clear(FaultKind::parse(name).unwrap());
    back_to_normal(&mut u);
    assert!(!alarm(u.conditions()), "{name}: alarm cleared");
}

#[test]
fn mains_sag() {
    expect_on_battery_then_recover("mains_sag", &[("voltage_pct", "70")], |c| {
        c.rectifier_input_out_of_tolerance
    });
}

#[test]
fn mains_swell() {
    expect_on_battery_then_recover("mains_swell", &[("voltage_pct", "125")], |c| {
        c.rectifier_input_out_of_tolerance
    });
}

#[test]
fn mains_frequency() {
    expect_on_battery_then_recover("mains_frequency", &[("frequency_hz", "44")], |c| {
        c.rectifier_input_out_of_tolerance && c.transfer_impossible && !c.inverter_synchronized
    });
}

#[test]
fn mains_phase_loss() {
    expect_on_battery_then_recover("mains_phase_loss", &[("phase", "2")], |c| {
        c.rectifier_input_out_of_tolerance
    });
}

#[test]
fn mains_phase_rotation() {
    expect_on_battery_then_recover("mains_phase_rotation", &[], |c| c.phase_rotation_fault);
}

#[test]
fn mains_flapping() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "mains_flapping", &[("period_s", "40")]);
    let mut transitions = 0;
    let mut was = u.conditions().on_battery;
    for _ in 0..1200 {
        run(&mut u, DT_S);
        if u.conditions().on_battery != was {
            transitions += 1;
            was = !was;
        }
    }
    assert!(transitions >= 4, "two minutes of 40 s flapping: {transitions} transitions");
    u.clear(FaultKind::MainsFlapping);
    back_to_normal(&mut u);
}

#[test]
fn bypass_out_of_tolerance() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "bypass_out_of_tolerance", &[]);
    run(&mut u, 2.0);
    let c = *u.conditions();
    assert!(c.bypass_out_of_tolerance && c.transfer_impossible && c.load_on_inverter && !c.on_battery);
    assert!(u.command(&parse_command("transfer_to_bypass", &[]).unwrap()).is_err());
    u.clear(FaultKind::BypassOutOfTolerance);
    run(&mut u, 1.0);
    assert!(!u.conditions().bypass_out_of_tolerance);
}

#[test]
fn genset() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "mains_blackout", &[]);
    inject(&mut u, "genset", &[("start_delay_s", "10")]);
    run(&mut u, 5.0);
    assert!(u.conditions().on_battery && !u.conditions().on_genset, "genset still starting");
    run(&mut u, 30.0);
    let c = *u.conditions();
    assert!(c.on_genset && !c.on_battery && c.rectifier_on, "on genset after start and walk-in");
    let hz = u.measurements().input.frequency_hz;
    assert!((hz - 50.0).abs() < 1.0 && hz != 50.0, "genset frequency wanders a little under load: {hz}");
    u.clear(FaultKind::Genset);
    run(&mut u, 2.0);
    assert!(u.conditions().on_battery && !u.conditions().on_genset);
}

#[test]
fn overload() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "overload", &[("load_pct", "130")]);
    run(&mut u, 1.0);
    assert!(u.conditions().overload && u.mode() == Mode::OnInverter);
    let seconds = until(&mut u, 60.0, |u| u.mode() == Mode::OnBypass);
    assert!(
        (20.0..35.0).contains(&seconds),
        "130 % lasts between the 125 %/60 s and 150 %/1 s points: {seconds} s"
    );
    assert!(u.conditions().inverter_stopped_for_overload && u.conditions().load_on_automatic_bypass);
    u.clear(FaultKind::Overload);
    back_to_normal(&mut u);
    assert!(!u.conditions().overload);
}

#[test]
fn output_short_circuit() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "output_short_circuit", &[]);
    run(&mut u, 0.2);
    assert!(u.conditions().output_short_circuit && u.mode() == Mode::OnInverter);
    assert_eq!(u.measurements().output.voltage_v[0], 0.0);
    run(&mut u, 0.5);
    assert_eq!(u.mode(), Mode::OnBypass, "the inverter gives up after 0.3 s");
    u.clear(FaultKind::OutputShortCircuit);
    back_to_normal(&mut u);
    assert!(u.measurements().output.voltage_v[0] > 200.0);
}

#[test]
fn ambient_temperature() {
    let mut u = ups("masterys-gp-60", 80.0);
    inject(&mut u, "ambient_temperature", &[("temperature_c", "45")]);
    run(&mut u, 2.0);
    assert_eq!(u.measurements().ambient_temperature_c, 45.0);
    until(&mut u, 3600.0, |u| u.conditions().over_temperature);
    assert!(u.measurements().internal_temperature_c >= 50.0);
    u.clear(FaultKind::AmbientTemperature);
    until(&mut u, 7200.0, |u| !u.conditions().over_temperature);
    assert_eq!(u.measurements().ambient_temperature_c, 25.0);
}

#[test]
fn fan_failure() {
    let mut u = ups("masterys-gp-60", 80.0);
    inject(&mut u, "fan_failure", &[]);
    run(&mut u, 1.0);
    assert!(u.conditions().fan_failure);
    until(&mut u, 3600.0, |u| u.conditions().over_temperature);
    until(&mut u, 3600.0, |u| u.mode() == Mode::OnBypass);
    u.clear(FaultKind::FanFailure);
    // The cabinet has to cool 5 K below the alarm threshold first.
    back_within(&mut u, 3600.0);
    assert!(!u.conditions().fan_failure);
}

#[test]
fn battery_disconnected() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "battery_disconnected", &[]);
    run(&mut u, 1.0);
    assert!(u.conditions().battery_circuit_open && !u.conditions().battery_ok);
    assert_eq!(u.measurements().battery_voltage_v, 0.0);
    inject(&mut u, "mains_blackout", &[]);
    run(&mut u, 1.0);
    assert!(u.conditions().load_off, "no battery, no mains: the load drops");
    u.clear(FaultKind::MainsBlackout);
    u.clear(FaultKind::BatteryDisconnected);
    back_to_normal(&mut u);
    assert!(!u.conditions().battery_circuit_open);
}

#[test]
fn weak_block() {
    let mut u = ups("masterys-gp-60", 50.0);
    let healthy_s = u.true_remaining_runtime_s();
    inject(&mut u, "weak_block", &[("string", "2"), ("block", "5"), ("capacity_pct", "20")]);
    run(&mut u, 2.0);
    let weak_s = u.true_remaining_runtime_s();
    assert!(weak_s < 0.85 * healthy_s, "one weak string costs runtime: {weak_s} vs {healthy_s}");
    assert!((u.battery().strings()[1][4].state_of_health() - 0.2).abs() < 1e-6);
    u.clear(FaultKind::WeakBlock);
    run(&mut u, 2.0);
    assert!((u.battery().strings()[1][4].state_of_health() - 1.0).abs() < 1e-3);
}

#[test]
fn open_block() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "open_block", &[("string", "1"), ("block", "10")]);
    run(&mut u, 1.0);
    assert!(
        u.conditions().battery_failure && !u.conditions().battery_circuit_open,
        "one of two strings open"
    );
    inject(&mut u, "mains_blackout", &[]);
    run(&mut u, 5.0);
    assert!(
        u.conditions().on_battery && u.conditions().load_on_inverter,
        "the other string carries the load"
    );
    u.clear(FaultKind::MainsBlackout);
    u.clear(FaultKind::OpenBlock);
    back_to_normal(&mut u);
    assert!(!u.conditions().battery_failure);
}

#[test]
fn aged_battery() {
    let mut u = ups("masterys-gp-60", 50.0);
    let new_s = u.true_remaining_runtime_s();
    inject(&mut u, "aged_battery", &[("soh_pct", "50")]);
    let aged_s = u.true_remaining_runtime_s();
    assert!(
        (0.35..0.6).contains(&(aged_s / new_s)),
        "half the health, about half the runtime: {aged_s} / {new_s}"
    );
    u.clear(FaultKind::AgedBattery);
    assert!((u.true_remaining_runtime_s() / new_s - 1.0).abs() < 0.05);
}

#[test]
fn charger_fault() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "mains_blackout", &[]);
    run(&mut u, 120.0);
    inject(&mut u, "charger_fault", &[]);
    u.clear(FaultKind::MainsBlackout);
    run(&mut u, 30.0);
    assert!(u.conditions().charger_fault && !u.conditions().battery_charging);
    assert!(u.measurements().battery_current_a.abs() < 1e-9, "no charge current");
    u.clear(FaultKind::ChargerFault);
    run(&mut u, 5.0);
    assert!(u.conditions().battery_charging && u.measurements().battery_current_a < 0.0);
}

#[test]
fn rectifier_fault() {
    expect_on_battery_then_recover("rectifier_fault", &[], |c| {
        c.rectifier_fault && c.rectifier_input_present
    });
}

#[test]
fn inverter_fault() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "inverter_fault", &[]);
    run(&mut u, 1.0);
    assert!(u.conditions().inverter_fault && u.conditions().load_on_automatic_bypass);
    assert_eq!(u.mode(), Mode::OnBypass);
    u.clear(FaultKind::InverterFault);
    back_to_normal(&mut u);
}

#[test]
fn bypass_fault() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "bypass_fault", &[]);
    run(&mut u, 1.0);
    assert!(u.conditions().bypass_fault && u.conditions().transfer_locked);
    inject(&mut u, "inverter_fault", &[]);
    run(&mut u, 1.0);
    assert!(u.conditions().load_off, "no inverter and a locked bypass: load off");
    u.clear(FaultKind::InverterFault);
    u.clear(FaultKind::BypassFault);
    until(&mut u, 60.0, |u| u.mode() == Mode::OnInverter);
    assert!(!u.conditions().transfer_locked);
}

#[test]
fn emergency_power_off() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "emergency_power_off", &[]);
    run(&mut u, 1.0);
    let c = *u.conditions();
    assert!(c.esd_activated && c.load_off && !c.rectifier_on && !c.inverter_on);
    assert_eq!(u.mode(), Mode::Off);
    assert_eq!(u.measurements().output_power_w.iter().sum::<f64>(), 0.0);
    u.clear(FaultKind::EmergencyPowerOff);
    let seconds = until(&mut u, 60.0, |u| u.mode() == Mode::OnInverter);
    assert!(seconds >= 10.0, "restart delay and auto-test first: {seconds} s");
}

#[test]
fn maintenance_bypass_closed() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "maintenance_bypass_closed", &[]);
    run(&mut u, 1.0);
    assert!(u.conditions().load_on_maintenance_bypass && u.conditions().maintenance_bypass_closed);
    assert!(u.measurements().output.voltage_v[0] > 200.0);
    u.clear(FaultKind::MaintenanceBypassClosed);
    back_to_normal(&mut u);
}

#[test]
fn external_alarm() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "external_alarm", &[("input", "2")]);
    run(&mut u, 0.5);
    assert_eq!(u.conditions().external_alarm, [false, true, false, false]);
    assert!(u.conditions().general_alarm);
    u.clear(FaultKind::ExternalAlarm);
    run(&mut u, 0.5);
    assert_eq!(u.conditions().external_alarm, [false; 4]);
}

#[test]
fn miscalibrated_runtime() {
    let mut u = ups("masterys-gp-60", 50.0);
    run(&mut u, 1.0);
    let honest_s = u.estimated_remaining_runtime_s();
    let truth_s = u.true_remaining_runtime_s();
    inject(&mut u, "miscalibrated_runtime", &[("factor", "2")]);
    run(&mut u, 1.0);
    assert!((u.estimated_remaining_runtime_s() / honest_s - 2.0).abs() < 0.01);
    assert!((u.true_remaining_runtime_s() / truth_s - 1.0).abs() < 0.01, "the physics is unchanged");
    u.clear(FaultKind::MiscalibratedRuntime);
    run(&mut u, 1.0);
    assert!((u.estimated_remaining_runtime_s() / honest_s - 1.0).abs() < 0.01);
}

#[test]
fn unit_failure() {
    // 4 × 25 kW modules, N+1, at 60 kW: three modules carry it, the spare is gone.
    let mut u = ups("modulys-gp2-100", 60.0);
    run(&mut u, 1.0);
    assert!(!u.conditions().redundancy_lost);
    inject(&mut u, "unit_failure", &[("unit", "2")]);
    run(&mut u, 1.0);
    let c = *u.conditions();
    assert!(c.units[1].general_alarm && !c.units[1].operating && c.units[0].operating);
    assert!(c.redundancy_lost && !c.insufficient_resources && c.load_on_inverter);
    inject(&mut u, "unit_failure", &[("unit", "3")]);
    run(&mut u, 1.0);
    assert!(u.conditions().insufficient_resources && u.conditions().overload);
    u.clear(FaultKind::UnitFailure);
    back_to_normal(&mut u);
    let c = u.conditions();
    assert!(!c.redundancy_lost, "{c:?}");
}

#[test]
fn remote_control_disabled() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "remote_control_disabled", &[]);
    run(&mut u, 0.5);
    assert!(u.conditions().remote_controls_disabled);
    let refused = u.command(&parse_command("eco_on", &[]).unwrap()).unwrap_err();
    assert!(refused.reason.contains("remote control is disabled"), "{refused}");
    u.clear(FaultKind::RemoteControlDisabled);
    run(&mut u, 0.5);
    assert!(u.command(&parse_command("eco_on", &[]).unwrap()).is_ok());
}

#[test]
fn bypass_blackout() {
    // One feed: the bypass is the mains, so a bypass outage is only the bypass side.
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "bypass_blackout", &[]);
    run(&mut u, 1.0);
    let c = *u.conditions();
    assert!(!c.bypass_input_present && c.transfer_impossible && c.load_on_inverter && !c.on_battery);
    u.clear(FaultKind::BypassBlackout);
    run(&mut u, 1.0);
    assert!(u.conditions().bypass_input_present);

    // Dual feed: a mains blackout leaves the bypass alive, so the inverter can still hand over.
    let mut loaded = ups_models::load_model("masterys-gp-60").unwrap();
    loaded.model.installation.separate_bypass_feed = true;
    let mut u = Ups::new(&loaded, 7, &StartOptions::default());
    inject(&mut u, "mains_blackout", &[]);
    run(&mut u, 2.0);
    let c = *u.conditions();
    assert!(c.on_battery && c.bypass_input_present && !c.transfer_impossible);
    inject(&mut u, "inverter_fault", &[]);
    run(&mut u, 1.0);
    assert_eq!(u.mode(), Mode::OnBypass, "the separate bypass takes the load");
}

#[test]
fn an_offline_ups_passes_mains_through_in_normal_mode() {
    let mut loaded = ups_models::load_model("netys-pr-3k").unwrap();
    loaded.model.capabilities.line_interactive = false;
    loaded.model.capabilities.offline = true;
    let mut u = Ups::new(&loaded, 7, &StartOptions::default());
    inject(&mut u, "mains_swell", &[("voltage_pct", "112")]);
    run(&mut u, 5.0);
    assert!(u.conditions().normal_mode_offline && !u.conditions().line_interactive);
    assert!((u.measurements().output.voltage_v[0] - 230.0 * 1.12).abs() < 0.01, "unregulated");
    let line_interactive = ups("netys-pr-3k", 50.0);
    let mut li = line_interactive;
    inject(&mut li, "mains_swell", &[("voltage_pct", "112")]);
    run(&mut li, 5.0);
    assert!(li.conditions().line_interactive);
    assert!((li.measurements().output.voltage_v[0] - 253.0).abs() < 0.01, "the AVR holds +10 %");
}

#[test]
fn battery_faults_clear_in_any_order() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "weak_block", &[("string", "1"), ("block", "1"), ("capacity_pct", "20")]);
    inject(&mut u, "aged_battery", &[("soh_pct", "60")]);
    let soh = |u: &Ups, s: usize, b: usize| u.battery().strings()[s][b].state_of_health();
    assert!((soh(&u, 0, 0) - 0.2).abs() < 1e-6 && (soh(&u, 1, 7) - 0.6).abs() < 1e-6);
    u.clear(FaultKind::WeakBlock);
    assert!((soh(&u, 0, 0) - 0.6).abs() < 1e-6, "the aged battery still holds");
    inject(&mut u, "open_block", &[("string", "2"), ("block", "1")]);
    inject(&mut u, "open_block", &[("string", "2"), ("block", "9")]);
    u.clear(FaultKind::AgedBattery);
    assert!((soh(&u, 0, 0) - 1.0).abs() < 1e-3);
    assert!(u.battery().string_open(1));
    u.clear(FaultKind::OpenBlock);
    assert!(!u.battery().string_open(1));
}

#[test]
fn a_rectifier_fault_keeps_the_ups_from_restarting_until_cleared() {
    let mut u = ups("masterys-gp-60", 50.0);
    inject(&mut u, "emergency_power_off", &[]);
    inject(&mut u, "rectifier_fault", &[]);
    run(&mut u, 1.0);
    u.clear(FaultKind::EmergencyPowerOff);
    run(&mut u, 120.0);
    assert!(matches!(u.mode(), Mode::Off | Mode::LoadOff), "no start without a rectifier: {:?}", u.mode());
    u.clear(FaultKind::RectifierFault);
    until(&mut u, 60.0, |u| u.mode() == Mode::OnInverter);
}
