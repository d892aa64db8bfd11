//! The firmware's commands: what each does, and that refusals say why.

use sim::StartOptions;
use sim::ups::commands::{COMMANDS, Command, parse_command};
use sim::ups::faults::{FaultKind, parse_fault};
use sim::ups::{Mode, PlugMode, Ups};

const DT_S: f64 = 0.1;

fn ups(model: &str) -> Ups {
    let loaded = ups_models::load_model(model).expect("bundled model");
    Ups::new(&loaded, 3, &StartOptions::default())
}

fn run(ups: &mut Ups, seconds: f64) {
    for _ in 0..(seconds / DT_S).round() as usize {
        ups.step(DT_S);
    }
}

fn command(name: &str, params: &[(&str, &str)]) -> Command {
    parse_command(name, params).expect("valid command")
}

fn accept(ups: &mut Ups, name: &str, params: &[(&str, &str)]) {
    ups.command(&command(name, params)).unwrap_or_else(|e| panic!("{e}"));
}

fn refuse(ups: &mut Ups, name: &str, params: &[(&str, &str)], why: &str) {
    let refused = ups.command(&command(name, params)).expect_err("refused");
    assert!(refused.reason.contains(why), "`{refused}` should say `{why}`");
}

#[test]
fn the_catalogue_is_covered_by_this_file() {
    let source = include_str!("commands.rs");
    for spec in COMMANDS {
        assert!(source.contains(&format!("\"{}\"", spec.name)), "no test uses command `{}`", spec.name);
    }
}

#[test]
fn shutdown_after_a_delay_then_restart_once_mains_is_back() {
    let mut u = ups("masterys-gp-60");
    u.inject(parse_fault("mains_blackout", &[]).unwrap()).unwrap();
    run(&mut u, 5.0);
    accept(&mut u, "shutdown", &[("delay_s", "120"), ("restart_delay_s", "30")]);
    run(&mut u, 1.0);
    assert!(u.conditions().ups_off_procedure && !u.conditions().imminent_stop);
    run(&mut u, 60.0);
    assert!(u.conditions().imminent_stop, "the last minute before the stop is announced");
    run(&mut u, 60.0);
    assert_eq!(u.mode(), Mode::LoadOff);
    assert!(u.conditions().ups_power_off && u.conditions().load_off);
    u.clear(FaultKind::MainsBlackout);
    run(&mut u, 20.0);
    assert_eq!(u.mode(), Mode::LoadOff, "restart waits restart_delay_s after the stop");
    run(&mut u, 30.0);
    assert!(matches!(u.mode(), Mode::Starting | Mode::OnInverter));
    run(&mut u, 10.0);
    assert_eq!(u.mode(), Mode::OnInverter);
}

#[test]
fn shutdown_with_restart_zero_stays_off_and_can_be_cancelled() {
    let mut u = ups("masterys-gp-60");
    accept(&mut u, "shutdown", &[("delay_s", "10"), ("restart_delay_s", "0")]);
    run(&mut u, 15.0);
    assert_eq!(u.mode(), Mode::LoadOff);
    run(&mut u, 600.0);
    assert_eq!(u.mode(), Mode::LoadOff, "restart 0 = never");
    accept(&mut u, "load_on", &[]);
    run(&mut u, 10.0);
    assert_eq!(u.mode(), Mode::OnInverter);
    accept(&mut u, "shutdown", &[("delay_s", "60")]);
    accept(&mut u, "cancel_shutdown", &[]);
    run(&mut u, 90.0);
    assert_eq!(u.mode(), Mode::OnInverter);
    refuse(&mut u, "cancel_shutdown", &[], "no shutdown is pending");
}

#[test]
fn load_off_and_on() {
    let mut u = ups("masterys-gp-60");
    accept(&mut u, "load_off", &[]);
    run(&mut u, 1.0);
    assert!(u.conditions().load_off && u.measurements().output.voltage_v[0] == 0.0);
    refuse(&mut u, "load_off", &[], "already off");
    accept(&mut u, "load_on", &[]);
    run(&mut u, 10.0);
    assert_eq!(u.mode(), Mode::OnInverter);
    refuse(&mut u, "load_on", &[], "the load is not off");
}

#[test]
fn eco_mode_follows_the_bypass() {
    let mut u = ups("masterys-gp-60");
    accept(&mut u, "eco_on", &[]);
    run(&mut u, 1.0);
    assert!(u.conditions().eco_mode && u.conditions().inverter_on);
    let eco_losses_w = u.measurements().losses_w;
    u.inject(parse_fault("bypass_out_of_tolerance", &[]).unwrap()).unwrap();
    run(&mut u, 0.5);
    assert_eq!(u.mode(), Mode::OnInverter, "eco leaves a bad bypass at once");
    assert!(u.conditions().eco_disabled_by_ups);
    assert!(
        u.measurements().losses_w > 2.0 * eco_losses_w,
        "double conversion costs more: {} vs {eco_losses_w}",
        u.measurements().losses_w
    );
    u.clear(FaultKind::BypassOutOfTolerance);
    run(&mut u, 5.0);
    assert_eq!(u.mode(), Mode::Eco);
    accept(&mut u, "eco_off", &[]);
    run(&mut u, 0.5);
    assert_eq!(u.mode(), Mode::OnInverter);
    refuse(&mut ups("netys-pr-3k"), "eco_on", &[], "no eco mode");
}

#[test]
fn standby_switches_the_output_off_and_back() {
    let mut u = ups("modulys-gp2-100");
    accept(&mut u, "standby_on", &[]);
    run(&mut u, 1.0);
    assert!(u.conditions().standby && u.conditions().charger_on);
    assert_eq!(u.measurements().output_power_w.iter().sum::<f64>(), 0.0);
    accept(&mut u, "standby_off", &[]);
    run(&mut u, 1.0);
    assert_eq!(u.mode(), Mode::OnInverter);
    refuse(&mut ups("masterys-gp-60"), "standby_on", &[], "no standby mode");
}

#[test]
fn transfers_on_request() {
    let mut u = ups("masterys-gp-60");
    accept(&mut u, "transfer_to_bypass", &[]);
    run(&mut u, 1.0);
    assert!(u.conditions().load_on_automatic_bypass);
    accept(&mut u, "transfer_to_inverter", &[]);
    run(&mut u, 1.0);
    assert!(u.conditions().load_on_inverter);
    u.inject(parse_fault("bypass_fault", &[]).unwrap()).unwrap();
    run(&mut u, 0.5);
    refuse(&mut u, "transfer_to_bypass", &[], "transfer locked");
    u.inject(parse_fault("inverter_fault", &[]).unwrap()).unwrap();
    refuse(&mut u, "transfer_to_inverter", &[], "inverter is not available");
}

#[test]
fn line_interactive_can_be_switched_off() {
    let mut u = ups("netys-pr-3k");
    run(&mut u, 1.0);
    assert!(u.conditions().line_interactive);
    accept(&mut u, "line_interactive_off", &[]);
    run(&mut u, 1.0);
    assert!(u.conditions().load_on_inverter && !u.conditions().line_interactive);
    accept(&mut u, "line_interactive_on", &[]);
    run(&mut u, 3.0);
    assert!(u.conditions().line_interactive);
    refuse(&mut ups("masterys-gp-60"), "line_interactive_on", &[], "not line-interactive");
}

#[test]
fn alarm_ack_silences_the_buzzer_until_a_new_alarm() {
    let mut u = ups("masterys-gp-60");
    u.inject(parse_fault("fan_failure", &[]).unwrap()).unwrap();
    run(&mut u, 1.0);
    assert!(u.conditions().buzzer_on);
    accept(&mut u, "alarm_ack", &[]);
    run(&mut u, 1.0);
    assert!(!u.conditions().buzzer_on && u.conditions().general_alarm);
    u.inject(parse_fault("charger_fault", &[]).unwrap()).unwrap();
    run(&mut u, 1.0);
    assert!(u.conditions().buzzer_on, "a new alarm sounds again");
}

#[test]
fn battery_test_is_interrupted_by_a_mains_failure_and_refused_when_it_cannot_run() {
    let mut u = ups("masterys-gp-60");
    accept(&mut u, "battery_test", &[]);
    run(&mut u, 2.0);
    assert!(u.conditions().battery_test_in_progress && u.conditions().on_battery);
    refuse(&mut u, "battery_test", &[], "already running");
    u.inject(parse_fault("mains_blackout", &[]).unwrap()).unwrap();
    run(&mut u, 1.0);
    assert!(u.conditions().battery_test_interrupted && !u.conditions().battery_test_in_progress);
    refuse(&mut u, "battery_test", &[], "mains is not in tolerance");
    let mut low = Ups::new(
        &ups_models::load_model("masterys-gp-60").unwrap(),
        3,
        &StartOptions { state_of_charge: 0.5, ..StartOptions::default() },
    );
    refuse(&mut low, "battery_test", &[], "not charged");
}

#[test]
fn power_share_plugs_follow_their_mode() {
    let mut u = ups("netys-pr-3k");
    accept(&mut u, "power_share", &[("plug", "1"), ("closed", "0")]);
    run(&mut u, 0.5);
    assert!(!u.plugs()[0].closed && u.conditions().power_share_active);
    accept(&mut u, "power_share_mode", &[("plug", "2"), ("mode", "3"), ("threshold", "30")]);
    accept(&mut u, "power_share", &[("plug", "1"), ("closed", "1")]);
    assert_eq!(u.plugs()[1].mode, PlugMode::TimeOnBattery);
    u.inject(parse_fault("mains_blackout", &[]).unwrap()).unwrap();
    run(&mut u, 20.0);
    assert!(u.plugs()[1].closed, "before 30 s on battery");
    run(&mut u, 15.0);
    assert!(!u.plugs()[1].closed && !u.conditions().power_share_plug_closed[1]);
    refuse(&mut u, "power_share", &[("plug", "3"), ("closed", "0")], "2 power-share plugs");
}

#[test]
fn set_date_time_moves_the_clock() {
    let mut u = ups("masterys-gp-60");
    accept(&mut u, "set_date_time", &[("epoch_s", "1800000000")]);
    run(&mut u, 10.0);
    assert!((u.clock_epoch_s() - 1_800_000_010.0).abs() < 1e-3);
    refuse(&mut ups("netys-pr-3k"), "set_date_time", &[("epoch_s", "0")], "no clock");
}

#[test]
fn a_requested_bypass_that_fails_hands_the_load_back_to_the_inverter() {
    let mut u = ups("masterys-gp-60");
    accept(&mut u, "transfer_to_bypass", &[]);
    run(&mut u, 1.0);
    u.inject(parse_fault("bypass_blackout", &[]).unwrap()).unwrap();
    run(&mut u, 0.5);
    assert_eq!(u.mode(), Mode::OnInverter);
    assert!(u.measurements().output.voltage_v[0] > 200.0, "the load stays fed");
}

#[test]
fn a_battery_test_on_a_dying_battery_never_drops_the_load() {
    let mut u = ups("netys-pr-3k");
    u.inject(parse_fault("weak_block", &[("string", "1"), ("block", "2"), ("capacity_pct", "3")]).unwrap())
        .unwrap();
    accept(&mut u, "battery_test", &[]);
    for _ in 0..1200 {
        u.step(DT_S);
        assert!(
            u.measurements().output_power_w[0] > 0.0,
            "mains is there: the rectifier takes the load back"
        );
    }
    assert!(u.conditions().battery_test_failed);
}

#[test]
fn load_off_cancels_a_pending_shutdown() {
    let mut u = ups("masterys-gp-60");
    accept(&mut u, "shutdown", &[("delay_s", "100")]);
    accept(&mut u, "load_off", &[]);
    run(&mut u, 1.0);
    assert!(!u.conditions().ups_off_procedure);
    accept(&mut u, "load_on", &[]);
    run(&mut u, 200.0);
    assert_eq!(u.mode(), Mode::OnInverter, "the old shutdown does not fire after the restart");
}
