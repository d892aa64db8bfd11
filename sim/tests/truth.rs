//! The twin tells the truth in the states that broke it before (issue 21): after a short
//! outage, at the end of a boost charge, and through an overload on mains,
//! the battery stays within what its cells can show, never stands above its charger's
//! setting, and gives back the backup time it had.
//!
//! Debug builds also check every law of `sim::battery::invariants` after every step.

use sim::run::Runner;
use sim::run::script::parse_at;
use sim::{StartOptions, Ups};

/// Steps `model` at `load_pct` through `at` until `until_s`, checking the battery voltage
/// every step; returns the runner and the highest and lowest battery voltage per cell seen.
fn run_checked(
    model: &str,
    load_pct: f64,
    soc: f64,
    at: &[&str],
    until_s: f64,
    dt_s: f64,
) -> (Runner, f64, f64) {
    let loaded = ups_models::load_model(model).expect("bundled model");
    let options = StartOptions { load_pct, state_of_charge: soc, ..StartOptions::default() };
    let ups = Ups::new(&loaded, 7, &options);
    let cells = f64::from(ups.battery().cells_in_series());
    let boost_v = loaded.model.battery.charger.boost_v_per_cell;
    let mut runner = Runner::new(ups, at.iter().map(|text| parse_at(text).expect("valid action")).collect());
    let (mut low, mut high) = (f64::INFINITY, 0.0_f64);
    runner.run(until_s, dt_s, |ups| {
        let v_per_cell = ups.measurements().battery_voltage_v / cells;
        if v_per_cell > 0.0 {
            low = low.min(v_per_cell);
            high = high.max(v_per_cell);
        }
        // 1 mV/cell: the rounding of a voltage blended within the battery period.
        assert!(
            v_per_cell <= boost_v + 1e-3,
            "{model} at {:.1} s: {v_per_cell:.4} V/cell over the boost setting {boost_v}",
            ups.time_s()
        );
    });
    if let Some((time_s, violation)) = runner.totals.first_violation {
        panic!("{model} broke a law at {time_s:.1} s: {violation}");
    }
    (runner, low, high)
}

/// When `name` first turned `on` (or off), s.
fn first_condition(runner: &Runner, name: &str, on: bool) -> Option<f64> {
    runner
        .events
        .iter()
        .find(|e| matches!(e.kind, sim::run::EventKind::Condition { name: n, on: o, .. } if n == name && o == on))
        .map(|e| e.time_s)
}

/// When the UPS first went to `mode`, s.
fn first_mode(runner: &Runner, mode: sim::ups::Mode) -> Option<f64> {
    runner
        .events
        .iter()
        .find(|e| matches!(e.kind, sim::run::EventKind::Mode { mode: m, .. } if m == mode))
        .map(|e| e.time_s)
}

/// Full-load backup of a fresh, full UPS of `model`, s.
fn fresh_backup_s(model: &str) -> f64 {
    let loaded = ups_models::load_model(model).expect("bundled model");
    Ups::new(&loaded, 7, &StartOptions::default()).true_backup_at_load_s(100.0)
}

#[test]
fn a_ten_second_outage_leaves_the_battery_in_range_and_its_backup_whole() {
    for model in ["delphys-mx-300", "modulys-gp2-100"] {
        let (runner, low, high) =
            run_checked(model, 50.0, 1.0, &["60s:mains_blackout", "70s:clear:mains_blackout"], 3600.0, 0.1);
        let fresh_s = fresh_backup_s(model);
        let after_s = runner.ups.true_backup_at_load_s(100.0);
        // The outage took 10 s at half load: about 5 s at full load, far inside 5 %.
        let expected_s = fresh_s - 10.0 * 0.5;
        println!(
            "{model}: battery {low:.3}–{high:.3} V/cell over the hour; full-load backup fresh {:.2} min, after the outage and an hour of charge {:.2} min",
            fresh_s / 60.0,
            after_s / 60.0
        );
        assert!(low > 1.6 && high < 2.45, "{model}: {low}–{high} V/cell");
        assert!(
            (after_s - expected_s).abs() <= 0.05 * expected_s,
            "{model}: backup {after_s:.0} s after the outage, {expected_s:.0} s expected"
        );
    }
}

#[test]
fn a_boost_charge_ends_on_its_current_and_the_battery_stays_in_range() {
    for model in ["masterys-gp-60", "delphys-mx-300", "modulys-gp2-100"] {
        let (runner, low, high) = run_checked(model, 50.0, 0.5, &[], 16.0 * 3600.0, 1.0);
        let boost_ended_s = first_condition(&runner, "boost_charge", false).expect("the boost charge ended");
        let boost_max_h =
            ups_models::load_model(model).expect("bundled model").model.battery.charger.boost_max_h;
        let fresh_s = fresh_backup_s(model);
        let after_s = runner.ups.true_backup_at_load_s(100.0);
        println!(
            "{model}: from half charge, boost ended after {:.1} h (timer {boost_max_h} h); battery {low:.3}–{high:.3} V/cell; full-load backup {:.2} min, fresh {:.2} min",
            boost_ended_s / 3600.0,
            after_s / 60.0,
            fresh_s / 60.0
        );
        assert!(boost_ended_s < boost_max_h * 3600.0 - 60.0, "{model}: the boost ran to its timer");
        assert!(high < 2.45 && low > 1.9, "{model}: {low}–{high} V/cell");
        assert!(
            (after_s - fresh_s).abs() <= 0.05 * fresh_s,
            "{model}: {after_s:.0} s vs fresh {fresh_s:.0} s"
        );
    }
}

#[test]
fn an_overload_on_mains_draws_nothing_from_the_battery() {
    // The rectifier is sized for the inverter's whole curve: 150 % for a second, 130 % for
    // 20 s, and the battery is not asked for anything while the mains are there.
    let model = "masterys-gp-60";
    let (runner, low, high) = run_checked(
        model,
        50.0,
        1.0,
        &[
            "60s:overload:load_pct=150",
            "61s:clear:overload",
            "120s:overload:load_pct=130",
            "140s:clear:overload",
        ],
        7200.0,
        0.1,
    );
    let on_battery = first_condition(&runner, "on_battery", true).is_some();
    let fresh_s = fresh_backup_s(model);
    let after_s = runner.ups.true_backup_at_load_s(100.0);
    println!(
        "{model}: battery {low:.3}–{high:.3} V/cell; full-load backup {:.2} min after the overloads, fresh {:.2} min",
        after_s / 60.0,
        fresh_s / 60.0
    );
    assert!(!on_battery, "an overload on mains raised 'on battery'");
    assert!(low > 2.2 && high < 2.45, "{low}–{high} V/cell");
    assert!((after_s - fresh_s).abs() <= 0.01 * fresh_s, "{after_s:.0} s vs fresh {fresh_s:.0} s");
}

#[test]
fn float_current_rises_with_temperature_and_is_what_data_sheets_give() {
    // A full MASTERYS (2 × 40 × 38 Ah) floating at 2.27 V/cell, −3 mV/cell/°C compensated.
    let loaded = ups_models::load_model("masterys-gp-60").expect("bundled model");
    let float_ma_per_ah = |ambient_c: f64| {
        let mut ups = Ups::new(&loaded, 7, &StartOptions { ambient_c, ..StartOptions::default() });
        for _ in 0..3600 {
            ups.step(1.0);
        }
        -ups.measurements().battery_current_a * 1000.0 / ups.battery().nominal_capacity_ah()
    };
    let currents: Vec<(f64, f64)> = [0.0, 25.0, 40.0].iter().map(|&t| (t, float_ma_per_ah(t))).collect();
    println!("float current, mA per Ah: {currents:?}");
    assert!(currents.windows(2).all(|pair| pair[1].1 > pair[0].1), "rises with temperature: {currents:?}");
    // Published for VRLA at 2.25–2.30 V/cell, 25 °C: 0.5–4 mA/Ah.
    assert!((0.5..=4.0).contains(&currents[1].1), "{currents:?}");
}

#[test]
fn the_estimate_and_the_charge_converge_at_the_end_of_a_full_load_discharge() {
    let model = "masterys-gp-60";
    let loaded = ups_models::load_model(model).expect("bundled model");
    let ups = Ups::new(&loaded, 7, &StartOptions { load_pct: 100.0, ..StartOptions::default() });
    let truth_s = ups.true_backup_at_load_s(100.0);
    let mut runner = Runner::new(ups, vec![parse_at("60s:mains_blackout").expect("valid action")]);
    let mut at_90_pct: Option<(f64, f64)> = None;
    let mut below_20_pct_s: Option<f64> = None;
    runner.run(60.0 + truth_s * 1.2, 0.1, |ups| {
        let on_battery_s = ups.time_s() - 60.0;
        let m = ups.measurements();
        if at_90_pct.is_none() && on_battery_s >= 0.9 * truth_s {
            at_90_pct = Some((m.remaining_runtime_s, ups.true_remaining_runtime_s()));
        }
        if below_20_pct_s.is_none() && ups.conditions().on_battery && m.battery_charge_pct < 20.0 {
            below_20_pct_s = Some(on_battery_s);
        }
    });
    let (estimate_s, physics_s) = at_90_pct.expect("the discharge reached 90 %");
    let discharged_s =
        first_condition(&runner, "battery_discharged", true).expect("the battery was discharged") - 60.0;
    let m = runner.ups.measurements();
    println!(
        "{model} at full load: backup {:.1} min (physics), discharged after {:.1} min; at 90 %: estimate {estimate_s:.0} s, physics {physics_s:.0} s; charge under 20 % after {:.1} min; at the end: charge {:.1} %, estimate {:.0} s",
        truth_s / 60.0,
        discharged_s / 60.0,
        below_20_pct_s.unwrap_or(f64::NAN) / 60.0,
        m.battery_charge_pct,
        m.remaining_runtime_s
    );
    assert!((discharged_s - truth_s).abs() < 0.05 * truth_s, "the firmware ends where the physics does");
    assert!(estimate_s <= 1.5 * physics_s + 30.0, "estimate {estimate_s:.0} s vs physics {physics_s:.0} s");
    assert!(below_20_pct_s.is_some_and(|s| s < discharged_s), "a 20 % capacity shutdown could fire");
    assert!(m.battery_charge_pct < 1.0 && m.remaining_runtime_s < 1.0, "empty after the end: {m:?}");
}

#[test]
fn delphys_moves_to_bypass_at_half_its_overload_budget_and_the_bypass_has_its_own() {
    // DELPHYS MX manual §7.3: at 125 % the inverter's tank lasts 10 min, the load moves at
    // half of it; the static switch carries 125 % for 10 min, then the load is cut.
    let loaded = ups_models::load_model("delphys-mx-300").expect("bundled model");
    let ups = Ups::new(&loaded, 7, &StartOptions { load_pct: 50.0, ..StartOptions::default() });
    let mut runner = Runner::new(ups, vec![parse_at("60s:overload:load_pct=125").expect("valid action")]);
    runner.run(1200.0, 0.1, |_| {});
    let bypass_s = first_mode(&runner, sim::ups::Mode::OnBypass).expect("moved to bypass");
    let off_s = first_mode(&runner, sim::ups::Mode::LoadOff).expect("the bypass cut the load");
    println!(
        "125 %: on bypass after {:.1} s, load cut after {:.1} s more",
        bypass_s - 60.0,
        off_s - bypass_s
    );
    assert!((bypass_s - 60.0 - 300.0).abs() < 2.0, "half of 600 s: {:.1} s", bypass_s - 60.0);
    assert!((off_s - bypass_s - 600.0).abs() < 2.0, "the static switch's 600 s: {:.1} s", off_s - bypass_s);
    assert!(runner.ups.conditions().ups_stopped_for_overload);
}

#[test]
fn a_line_interactive_unit_on_mains_does_not_carry_an_overload_for_ever() {
    let loaded = ups_models::load_model("netys-pr-3k").expect("bundled model");
    let ups = Ups::new(&loaded, 7, &StartOptions { load_pct: 50.0, ..StartOptions::default() });
    let mut runner = Runner::new(ups, vec![parse_at("60s:overload:load_pct=200").expect("valid action")]);
    runner.run(120.0, 0.01, |_| {});
    let off_s = first_mode(&runner, sim::ups::Mode::LoadOff).expect("the output was cut");
    println!("NETYS PR at 200 % on mains: output cut after {:.2} s", off_s - 60.0);
    assert!(off_s - 60.0 <= 0.25, "beyond its curve the mains path trips at once: {:.2} s", off_s - 60.0);
}

#[test]
fn the_inverter_follows_a_bypass_frequency_step_at_its_slew_rate() {
    // The mains (and so the bypass) jump from 50 to 51.5 Hz; the output moves at 1 Hz/s.
    let loaded = ups_models::load_model("masterys-gp-60").expect("bundled model");
    let mut ups = Ups::new(&loaded, 7, &StartOptions::default());
    ups.inject(sim::ups::faults::parse_fault("mains_frequency", &[("frequency_hz", "51.5")]).expect("fault"))
        .expect("injected");
    let mut after_half_s = 0.0;
    for step in 1..=300 {
        ups.step(0.01);
        if step == 50 {
            after_half_s = ups.measurements().output.frequency_hz;
        }
    }
    let after_3_s = ups.measurements().output.frequency_hz;
    println!("output frequency 0.5 s after the step {after_half_s:.3} Hz, 3 s after {after_3_s:.3} Hz");
    assert!((after_half_s - 50.5).abs() < 0.02, "{after_half_s}");
    assert!((after_3_s - 51.5).abs() < 1e-6, "{after_3_s}");
}

#[test]
fn a_ups_is_no_more_efficient_on_battery_and_its_losses_rise_with_the_load() {
    for model in
        ["netys-pr-3k", "itys-2k", "masterys-gp-60", "delphys-mx-300", "delphys-mx-system", "modulys-gp2-100"]
    {
        let loaded = ups_models::load_model(model).expect("bundled model");
        let losses_at = |load_pct: f64, blackout: bool| {
            let mut ups = Ups::new(&loaded, 7, &StartOptions { load_pct, ..StartOptions::default() });
            if blackout {
                ups.inject(sim::ups::faults::parse_fault("mains_blackout", &[]).expect("fault"))
                    .expect("injected");
            }
            for _ in 0..20 {
                ups.step(0.1);
            }
            let flows = ups.flows();
            // The charger's own loss (5 % of what it puts in) is not the converters'.
            (flows.losses_w - flows.battery_in_w * (1.0 / 0.95 - 1.0), flows.output_w)
        };
        let mut previous_w = 0.0;
        for load_pct in [0.0, 10.0, 25.0, 50.0, 75.0, 100.0] {
            let (losses_w, _) = losses_at(load_pct, false);
            assert!(
                losses_w + 1e-6 >= previous_w,
                "{model}: losses fall at {load_pct} %: {losses_w} < {previous_w}"
            );
            previous_w = losses_w;
        }
        if loaded.model.capabilities.line_interactive || loaded.model.capabilities.offline {
            continue; // on mains it passes the line through: a different path
        }
        let (online_w, online_out_w) = losses_at(50.0, false);
        let (battery_w, battery_out_w) = losses_at(50.0, true);
        let online = online_out_w / (online_out_w + online_w);
        let on_battery = battery_out_w / (battery_out_w + battery_w);
        println!(
            "{model} at 50 %: efficiency online {:.2} %, on battery {:.2} %",
            online * 100.0,
            on_battery * 100.0
        );
        assert!(on_battery <= online + 1e-6, "{model}");
    }
}

/// Every transfer of the load in a run: from, to and the output break, ms.
fn transfers(runner: &Runner) -> Vec<(sim::ups::Mode, sim::ups::Mode, f64)> {
    runner
        .events
        .iter()
        .filter_map(|e| match e.kind {
            sim::run::EventKind::Transfer { from, to, break_ms } => Some((from, to, break_ms)),
            _ => None,
        })
        .collect()
}

#[test]
fn transfers_break_the_output_only_where_a_switch_must_open() {
    use sim::ups::Mode::{Eco, LineInteractive, OnBypass, OnInverter};
    // Online double conversion: a blackout changes nothing on the output side.
    let (runner, ..) = run_checked("masterys-gp-60", 50.0, 1.0, &["10s:mains_blackout"], 30.0, 0.01);
    assert_eq!(transfers(&runner), vec![], "the inverter carried the load through");
    // Eco: to the bypass without a break, back to the inverter in the model's 2 ms.
    let (runner, ..) =
        run_checked("masterys-gp-60", 50.0, 1.0, &["1s:cmd:eco_on", "20s:mains_blackout"], 30.0, 0.01);
    assert_eq!(transfers(&runner), vec![(OnInverter, Eco, 0.0), (Eco, OnInverter, 2.0)]);
    // An overload moves an online UPS to its synchronised bypass: no break.
    let (runner, ..) = run_checked("masterys-gp-60", 50.0, 1.0, &["1s:overload:load_pct=200"], 30.0, 0.01);
    assert_eq!(transfers(&runner).first(), Some(&(OnInverter, OnBypass, 0.0)));
    // Line-interactive: the relay between mains and inverter takes 4 ms, both ways.
    let (runner, ..) = run_checked(
        "netys-pr-3k",
        50.0,
        1.0,
        &["10s:mains_blackout", "20s:clear:mains_blackout"],
        40.0,
        0.01,
    );
    assert_eq!(
        transfers(&runner),
        vec![(LineInteractive, OnInverter, 4.0), (OnInverter, LineInteractive, 4.0)]
    );
}

#[test]
fn a_genset_dips_when_the_rectifier_walks_in_and_recovers() {
    let model = "masterys-gp-60";
    let loaded = ups_models::load_model(model).expect("bundled model");
    let nominal_v = loaded.model.ratings.nominal_input_voltage_v;
    let at = ["10s:mains_blackout", "11s:genset:start_delay_s=10,rating_pct=150"];
    let (mut low_v, mut low_hz, mut last_v, mut input_w) = (f64::INFINITY, f64::INFINITY, 0.0, 0.0);
    let options = StartOptions { load_pct: 100.0, ..StartOptions::default() };
    let mut runner =
        Runner::new(Ups::new(&loaded, 7, &options), at.iter().map(|t| parse_at(t).expect("valid")).collect());
    runner.run(60.0, 0.01, |ups| {
        let m = ups.measurements();
        if ups.time_s() > 22.0 && m.input.voltage_v[0] > 0.0 {
            low_v = low_v.min(m.input.voltage_v[0]);
            low_hz = low_hz.min(m.input.frequency_hz);
            last_v = m.input.voltage_v[0];
            input_w = m.input_power_w;
        }
    });
    let dip_v = 1.0 - low_v / nominal_v;
    // Class G2: thrown on at once, this load would pull the voltage down 20 % × its share
    // of the genset's rating.
    let at_once = 0.20 * input_w / (1.5 * loaded.model.ratings.active_power_kw * 1000.0);
    println!(
        "{model} at full load on a 150 % genset: voltage dip {:.1} % (at once: {:.1} %), frequency low {low_hz:.2} Hz",
        dip_v * 100.0,
        at_once * 100.0
    );
    // The rectifier's 10 s walk-in spreads the load over the genset's recovery.
    assert!(dip_v > 0.01 && dip_v < 0.4 * at_once, "voltage dip {:.1} %", dip_v * 100.0);
    assert!(low_hz < 49.7 && low_hz > 47.0, "frequency low {low_hz:.2} Hz");
    assert!((last_v / nominal_v - 1.0).abs() < 0.005, "recovered to {last_v:.1} V");
    assert!(runner.ups.conditions().on_genset, "the genset carries the UPS");
}
