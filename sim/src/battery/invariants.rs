//! Laws a battery never breaks, whatever it is asked: each cell's voltage stays within what
//! its chemistry can show, its charge within its capacity, and it never gives out more energy
//! than it held. They are checked after every step of the twin in debug and test builds, by
//! the property tests over days of virtual time, and by `upstwin simulate`.
//!
//! The checks read a battery through [`BatteryView`], so a deliberately broken battery (a
//! test double) can be put in front of them and must fail them.

use super::bank::Bank;
use super::ledger::EnergyLedger;
use std::fmt;
use ups_models::battery::Chemistry;

/// Energy a bank may seem to make, as a share of the energy that went through its terminals:
/// the polarization's energy is booked at the resistance of the step it was built in, which
/// moves a little with the state of charge.
pub const ENERGY_TOLERANCE: f64 = 0.01;
/// And in absolute terms per block, Wh (a bank that has barely moved).
const ENERGY_TOLERANCE_WH: f64 = 0.01;

/// The voltage a cell of this chemistry can physically show, V (from a deeply discharged
/// cell under load to a cell held at the top of an equalizing charge).
pub fn cell_voltage_range_v(chemistry: Chemistry) -> (f64, f64) {
    match chemistry {
        Chemistry::Vrla => (1.0, 2.7),
        Chemistry::Lfp => (2.0, 3.8),
    }
}

/// Largest polarization a cell can hold, V: a spent cell driven on by its string goes into
/// reversal (about −2 V under load), never further.
pub const MAX_POLARIZATION_V: f64 = 4.5;

/// One block as the checks see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockReading<'a> {
    /// Open-circuit (rest) voltage, per cell, V.
    pub rest_v_per_cell: f64,
    /// Voltage at its terminals with no current and its present polarization, per cell, V.
    pub v_per_cell: f64,
    /// Charge stored over the capacity it can hold (may exceed 1 only when broken).
    pub fill: f64,
    pub energy: &'a EnergyLedger,
}

/// What the checks need to read from a battery.
pub trait BatteryView {
    fn chemistry(&self) -> Chemistry;
    fn cells_in_series(&self) -> u32;
    /// Calls `visit` with every block.
    fn visit_blocks(&self, visit: &mut dyn FnMut(BlockReading<'_>));
}

impl BatteryView for Bank {
    fn chemistry(&self) -> Chemistry {
        self.params().chemistry
    }

    fn cells_in_series(&self) -> u32 {
        Bank::cells_in_series(self)
    }

    fn visit_blocks(&self, visit: &mut dyn FnMut(BlockReading<'_>)) {
        let params = self.params();
        let cells = f64::from(params.cells);
        for block in self.blocks() {
            visit(BlockReading {
                rest_v_per_cell: block.rest_voltage_v(params) / cells,
                v_per_cell: block.terminal_voltage_v(params, 0.0) / cells,
                fill: block.stored_ah() / block.capacity_ah(params),
                energy: block.energy(),
            });
        }
    }
}

/// A broken law, with what was seen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Violation {
    CellVoltage { where_: &'static str, v_per_cell: f64, range_v: (f64, f64) },
    Polarization { v_per_cell: f64 },
    Charge { fill: f64 },
    EnergyCreated { created_wh: f64, throughput_wh: f64 },
    NegativeFlow { flow: &'static str, power_w: f64 },
    ConverterBalance { error: f64 },
    NotFinite { what: &'static str },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CellVoltage { where_, v_per_cell, range_v: (low, high) } => {
                write!(f, "{where_} at {v_per_cell:.3} V/cell, outside {low}–{high} V/cell")
            }
            Self::Polarization { v_per_cell } => {
                write!(
                    f,
                    "a block holds {v_per_cell:.3} V/cell of polarization (at most {MAX_POLARIZATION_V})"
                )
            }
            Self::Charge { fill } => write!(f, "a block holds {:.2} % of its capacity", fill * 100.0),
            Self::EnergyCreated { created_wh, throughput_wh } => write!(
                f,
                "the bank gave {created_wh:.3} Wh more than it held ({throughput_wh:.1} Wh through its terminals)"
            ),
            Self::NegativeFlow { flow, power_w } => write!(f, "{flow} is negative: {power_w:.1} W"),
            Self::ConverterBalance { error } => {
                write!(f, "the converters' energy balance is off by {:.3} %", error * 100.0)
            }
            Self::NotFinite { what } => write!(f, "{what} is not a number"),
        }
    }
}

/// Whether a voltage per cell is one a cell of `chemistry` can show.
pub fn check_cell_voltage(
    chemistry: Chemistry,
    where_: &'static str,
    v_per_cell: f64,
) -> Result<(), Violation> {
    let range_v = cell_voltage_range_v(chemistry);
    if !v_per_cell.is_finite() {
        return Err(Violation::NotFinite { what: where_ });
    }
    if v_per_cell < range_v.0 || v_per_cell > range_v.1 {
        return Err(Violation::CellVoltage { where_, v_per_cell, range_v });
    }
    Ok(())
}

/// Every block's voltage and charge, and the bank's energy books. Returns the energy the
/// bank seems to have made (≤ 0 when all is well) with the first violation, if any.
pub fn check_battery(battery: &impl BatteryView) -> Result<(), Violation> {
    let chemistry = battery.chemistry();
    let mut first: Option<Violation> = None;
    let (mut dissipated_wh, mut throughput_wh, mut blocks) = (0.0, 0.0, 0.0);
    battery.visit_blocks(&mut |block| {
        blocks += 1.0;
        dissipated_wh += block.energy.dissipated_wh();
        throughput_wh += block.energy.throughput_wh;
        if first.is_some() {
            return;
        }
        let polarization_v = block.v_per_cell - block.rest_v_per_cell;
        if let Err(violation) = check_cell_voltage(chemistry, "a block at rest", block.rest_v_per_cell) {
            first = Some(violation);
        } else if polarization_v.is_nan() || polarization_v.abs() > MAX_POLARIZATION_V {
            first = Some(Violation::Polarization { v_per_cell: polarization_v });
        } else if !(-1e-9..=1.0 + 1e-9).contains(&block.fill) {
            first = Some(Violation::Charge { fill: block.fill });
        }
    });
    if let Some(violation) = first {
        return Err(violation);
    }
    if !dissipated_wh.is_finite() {
        return Err(Violation::NotFinite { what: "the bank's energy books" });
    }
    let allowed_wh = ENERGY_TOLERANCE * throughput_wh + ENERGY_TOLERANCE_WH * blocks;
    if -dissipated_wh > allowed_wh {
        return Err(Violation::EnergyCreated { created_wh: -dissipated_wh, throughput_wh });
    }
    Ok(())
}

/// Energy the bank seems to have made, as a share of its terminal throughput (0 when it
/// made none): what `upstwin simulate` prints.
pub fn energy_created_share(battery: &impl BatteryView) -> f64 {
    let (mut dissipated_wh, mut throughput_wh) = (0.0, 0.0);
    battery.visit_blocks(&mut |block| {
        dissipated_wh += block.energy.dissipated_wh();
        throughput_wh += block.energy.throughput_wh;
    });
    (-dissipated_wh).max(0.0) / throughput_wh.max(1.0)
}
