//! Discharge of one block from full at a constant load until its end voltage: the experiment
//! a data sheet publishes, used by `upstwin battery discharge` and by the fitter.

use super::block::{Block, Spread};
use ups_models::battery::BlockParams;

/// What the block is asked to deliver, per cell (data sheets publish per-cell figures).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Load {
    PowerPerCellW(f64),
    CurrentA(f64),
}

/// Steps per expected discharge: enough that the end-voltage crossing is found to well under
/// a percent, few enough that fitting stays fast.
const STEPS_PER_DISCHARGE: f64 = 600.0;

/// Minutes from full until the block's terminal voltage falls to `end_v_per_cell`, or `None`
/// when it is below that voltage from the first instant (load too heavy for the block).
/// `max_minutes` bounds the run for loads too light to ever reach the end voltage.
pub fn minutes_to_end_voltage(
    params: &BlockParams,
    load: Load,
    end_v_per_cell: f64,
    temperature_c: f64,
    max_minutes: f64,
) -> Option<f64> {
    let mut block = Block::new_full(params, Spread::default(), temperature_c);
    let cells = f64::from(params.cells);
    let end_v = end_v_per_cell * cells;
    // Step so that the nominal capacity would last about STEPS_PER_DISCHARGE steps.
    let rough_current_a = match load {
        Load::PowerPerCellW(w) => w / 2.0,
        Load::CurrentA(a) => a,
    };
    let dt_s =
        (params.cell.q_ah * 3600.0 / rough_current_a.max(1e-6) / STEPS_PER_DISCHARGE).clamp(0.05, 120.0);
    let mut elapsed_s = 0.0;
    let mut previous_v: Option<f64> = None;
    if !(max_minutes.is_finite() && dt_s.is_finite()) {
        return None;
    }
    while elapsed_s < max_minutes * 60.0 {
        let source = block.source(params, dt_s);
        let current_a = match load {
            Load::PowerPerCellW(w) => match source.thevenin.current_for_power_a(w * cells) {
                Some(current_a) => current_a,
                None => return previous_v.map(|_| elapsed_s / 60.0),
            },
            Load::CurrentA(a) => a,
        };
        let carried_a = block.step(params, &source, current_a, dt_s);
        let voltage_v = if carried_a < current_a {
            0.0 // the available well ran dry within this step
        } else {
            block.terminal_voltage_v(params, current_a)
        };
        if voltage_v <= end_v || !voltage_v.is_finite() {
            return match previous_v {
                None => None,
                Some(previous_v) => {
                    let fraction = (previous_v - end_v) / (previous_v - voltage_v);
                    Some((elapsed_s + fraction * dt_s) / 60.0)
                }
            };
        }
        previous_v = Some(voltage_v);
        elapsed_s += dt_s;
    }
    Some(max_minutes)
}
