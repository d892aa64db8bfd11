//! Behaviour of blocks and banks built from the bundled, data-sheet-fitted 38 Ah block.

use rand::SeedableRng;
use sim::SimRng;
use sim::battery::{Bank, Block, ChargePhase, Charger, Load, Spread, minutes_to_end_voltage};
use ups_models::battery::BlockParams;
use ups_models::model::ChargerSpec;

fn block_38ah() -> BlockParams {
    ups_models::load_block("vrla-12v-38ah").expect("bundled block")
}

fn charger_spec(current_limit_a: f64) -> ChargerSpec {
    ChargerSpec {
        float_v_per_cell: 2.27,
        boost_v_per_cell: 2.40,
        current_limit_a,
        temperature_compensation_mv_per_cell_c: -3.0,
        boost_end_current_c10: 0.01,
        boost_max_h: 24.0,
    }
}

/// Discharges a bank at constant current to `end_v_per_cell`, returns the hours it took.
fn discharge_to_end(bank: &mut Bank, current_a: f64, end_v_per_cell: f64, dt_s: f64) -> f64 {
    let end_v = end_v_per_cell * f64::from(bank.cells_in_series());
    let mut elapsed_s = 0.0;
    loop {
        let step = bank.step_current(current_a, dt_s);
        elapsed_s += dt_s;
        if !step.delivered || step.voltage_v <= end_v || elapsed_s > 48.0 * 3600.0 {
            return elapsed_s / 3600.0;
        }
    }
}

#[test]
fn charge_is_conserved_over_a_discharge_and_recharge() {
    let params = block_38ah();
    let mut bank = Bank::new(params, 2, 40, 25.0, &mut SimRng::seed_from_u64(7));
    let stored_before: Vec<f64> = bank.blocks().map(Block::stored_ah).collect();
    let hours_on_battery = discharge_to_end(&mut bank, 15.0, 1.75, 10.0);
    let mut charger = Charger::new(charger_spec(8.0));
    charger.start_boost();
    for _ in 0..(24 * 360) {
        charger.step(&mut bank, 10.0);
    }
    let mut worst_ah: f64 = 0.0;
    for (block, before) in bank.blocks().zip(&stored_before) {
        let ledger = block.ledger();
        let imbalance = (block.stored_ah() - before) - ledger.net_stored_ah();
        worst_ah = worst_ah.max(imbalance.abs());
        assert!(ledger.discharged_ah > 10.0, "the blocks were discharged");
        assert!(
            ledger.charged_ah > ledger.discharged_ah,
            "a lead-acid recharge returns more than was taken: {} vs {}",
            ledger.charged_ah,
            ledger.discharged_ah
        );
    }
    println!("discharged {hours_on_battery:.2} h; worst charge imbalance {worst_ah:.2e} Ah");
    assert!(worst_ah < 1e-9, "charge appeared or vanished: {worst_ah} Ah");
}

#[test]
fn recharge_reaches_float_in_a_plausible_time_at_the_current_limit() {
    let params = block_38ah();
    let mut bank = Bank::new(params, 1, 40, 25.0, &mut SimRng::seed_from_u64(1));
    discharge_to_end(&mut bank, 7.6, 1.75, 10.0); // C/5
    let taken_ah = bank.blocks().map(|b| b.ledger().discharged_ah).fold(0.0, f64::max);
    let limit_a = 3.8; // C10/10
    let mut charger = Charger::new(charger_spec(limit_a));
    charger.start_boost();
    let mut hours = 0.0;
    let mut saw_constant_current = false;
    while charger.phase() != ChargePhase::Float && hours < 48.0 {
        charger.step(&mut bank, 10.0);
        saw_constant_current |= charger.phase() == ChargePhase::ConstantCurrent;
        hours += 10.0 / 3600.0;
    }
    let soc = bank.state_of_charge();
    println!("took {taken_ah:.1} Ah; float after {hours:.1} h at {limit_a} A; SoC {soc:.3}");
    assert!(saw_constant_current, "a deep recharge starts current-limited");
    // It cannot be faster than the limit allows, and a CV taper rarely takes longer than
    // the bulk phase again plus a few hours.
    assert!(hours >= taken_ah / limit_a, "faster than the current limit allows");
    assert!(hours <= 2.0 * taken_ah / limit_a + 6.0, "recharge too slow: {hours:.1} h");
    assert!(hours < 24.0, "float must come from the current taper, not the boost time limit");
    assert!(soc > 0.95, "float reached at SoC {soc}");
}

/// Minutes at the 10-minute rate (169.8 W/cell to 1.75 V/cell) on a second run after
/// `rest_s` of rest, and the first run's minutes.
fn second_run_after_rest(params: &BlockParams, rest_s: f64) -> (f64, f64) {
    let mut block = Block::new_full(params, Spread::default(), 25.0);
    let run = |block: &mut Block| {
        let mut elapsed_s = 0.0;
        loop {
            let source = block.source(params, 1.0);
            let Some(current_a) = source.thevenin.current_for_power_a(169.8 * 6.0) else { break };
            block.step(params, &source, current_a, 1.0);
            elapsed_s += 1.0;
            if block.terminal_voltage_v(params, current_a) <= 1.75 * 6.0 {
                break;
            }
        }
        elapsed_s / 60.0
    };
    let first = run(&mut block);
    for _ in 0..(rest_s / 10.0) as usize {
        block.rest(params, 10.0);
    }
    (first, run(&mut block))
}

#[test]
fn rest_after_a_high_rate_discharge_recovers_capacity() {
    let params = block_38ah();
    let rests_h = [0.0, 0.5, 2.0, 8.0];
    let runs: Vec<(f64, f64)> = rests_h.iter().map(|h| second_run_after_rest(&params, h * 3600.0)).collect();
    let first = runs[0].0;
    for (rest_h, (_, second)) in rests_h.iter().zip(&runs) {
        println!("10-minute rate: first run {first:.1} min; after {rest_h} h rest {second:.1} min more");
    }
    assert!(first > 8.0 && first < 12.0, "10-minute rate gave {first:.1} min");
    assert!(runs[0].1 < 0.1, "no rest, no recovery: {:.2} min", runs[0].1);
    for pair in runs.windows(2) {
        assert!(pair[1].1 > pair[0].1, "a longer rest must recover more: {runs:?}");
    }
    assert!(runs[3].1 > 0.2 * first, "a long rest gives back a good part of a run: {runs:?}");
}

#[test]
fn capacity_follows_the_data_sheet_temperature_curve() {
    let params = block_38ah();
    let minutes_at = |temperature_c: f64| {
        minutes_to_end_voltage(&params, Load::CurrentA(3.8), 1.80, temperature_c, 3000.0).unwrap()
    };
    let at_25 = minutes_at(25.0);
    let at_0 = minutes_at(0.0) / at_25 * 100.0;
    let at_40 = minutes_at(40.0) / at_25 * 100.0;
    println!("C10 discharge: 25 °C {at_25:.0} min; 0 °C {at_0:.1} %; 40 °C {at_40:.1} %");
    assert!((at_0 - 86.0).abs() <= 3.0, "0 °C gave {at_0:.1} % (data sheet 86 %)");
    assert!((at_40 - 103.0).abs() <= 3.0, "40 °C gave {at_40:.1} % (data sheet 103 %)");
}

#[test]
fn half_health_gives_about_half_the_runtime() {
    let params = block_38ah();
    let runtime_h = |soh: f64| {
        let mut bank = Bank::new(params.clone(), 1, 1, 25.0, &mut SimRng::seed_from_u64(3));
        bank.block_mut(0, 0).unwrap().set_state_of_health(soh);
        discharge_to_end(&mut bank, 3.8, 1.80, 10.0)
    };
    let ratio = runtime_h(0.5) / runtime_h(1.0);
    println!("runtime at 50 % health / new: {ratio:.3}");
    assert!((0.42..=0.55).contains(&ratio), "ratio {ratio:.3}");
}

#[test]
fn one_weak_block_shortens_the_string() {
    let params = block_38ah();
    let mut healthy = Bank::new(params.clone(), 1, 40, 25.0, &mut SimRng::seed_from_u64(5));
    let mut weak = healthy.clone();
    weak.block_mut(0, 17).unwrap().set_state_of_health(0.5);
    let healthy_h = discharge_to_end(&mut healthy, 7.6, 1.75, 10.0);
    let weak_h = discharge_to_end(&mut weak, 7.6, 1.75, 10.0);
    println!("string runtime: healthy {healthy_h:.2} h, one block at 50 % health {weak_h:.2} h");
    assert!(weak_h < 0.8 * healthy_h);
}

/// Voltage trace of a bank through a discharge, rest and recharge.
fn trace(seed: u64) -> Vec<u64> {
    let mut bank = Bank::new(block_38ah(), 4, 40, 25.0, &mut SimRng::seed_from_u64(seed));
    let mut charger = Charger::new(charger_spec(10.0));
    let mut trace = Vec::new();
    for step in 0..4000 {
        let (current_a, voltage_v) = match step {
            0..1500 => {
                let result = bank.step_power(40_000.0, 1.0);
                (result.current_a, result.voltage_v)
            }
            1500..2000 => {
                bank.rest(1.0);
                continue;
            }
            2000 => {
                charger.start_boost();
                charger.step(&mut bank, 1.0)
            }
            _ => charger.step(&mut bank, 1.0),
        };
        trace.push(voltage_v.to_bits());
        trace.push(current_a.to_bits());
    }
    trace
}

#[test]
fn same_seed_same_trace() {
    assert_eq!(trace(42), trace(42), "same seed must give the same trace bit for bit");
    assert_ne!(trace(42), trace(43), "the seed must matter (block spread)");
}

/// Minutes a bank carries `power_w` until its bus falls to `end_v_per_cell`, checking on
/// every step that the bus voltage and current deliver the power asked for.
fn minutes_at_power(bank: &mut Bank, power_w: f64, end_v_per_cell: f64) -> f64 {
    let end_v = end_v_per_cell * f64::from(bank.cells_in_series());
    let mut elapsed_s = 0.0;
    loop {
        let step = bank.step_power(power_w, 5.0);
        if !step.delivered || step.voltage_v <= end_v {
            return elapsed_s / 60.0;
        }
        let delivered_w = step.voltage_v * step.current_a;
        assert!((delivered_w / power_w - 1.0).abs() < 1e-9, "asked {power_w} W, bus gave {delivered_w} W");
        elapsed_s += 5.0;
    }
}

#[test]
fn a_weak_string_hands_its_load_to_the_healthy_one() {
    let params = block_38ah();
    let healthy = Bank::new(params.clone(), 2, 40, 25.0, &mut SimRng::seed_from_u64(9));
    let mut weak = healthy.clone();
    weak.block_mut(0, 3).unwrap().set_state_of_health(0.3);
    let one_string = Bank::new(params, 1, 40, 25.0, &mut SimRng::seed_from_u64(9));
    let power_w = 20_000.0;
    let both = minutes_at_power(&mut healthy.clone(), power_w, 1.70);
    let with_weak = minutes_at_power(&mut weak, power_w, 1.70);
    let alone = minutes_at_power(&mut one_string.clone(), power_w, 1.70);
    println!(
        "20 kW: two healthy strings {both:.1} min, one weak block {with_weak:.1} min, one string alone {alone:.1} min"
    );
    assert!(with_weak < both, "a weak block must cost runtime");
    assert!(with_weak > alone, "the healthy string must carry on where the weak one gives up");
}
