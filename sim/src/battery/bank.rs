//! A battery bank: identical strings in parallel, each string blocks in series.
//!
//! Strings share one bus voltage; each carries the current its own EMF and resistance give
//! it, so a string with a weak block takes less of the load, as in a real cabinet.

use super::block::{Block, Spread};
use super::thevenin::Thevenin;
use rand::{Rng, RngExt};
use ups_models::battery::BlockParams;

/// Manufacturing spread between blocks of one batch: ± this share, uniform.
const CAPACITY_SPREAD: f64 = 0.02;
const RESISTANCE_SPREAD: f64 = 0.05;

/// What one step did at the bank's terminals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BankStep {
    /// Bank current, A (positive = discharge).
    pub current_a: f64,
    pub voltage_v: f64,
    /// False when the bank could not give what was asked (a block ran dry, or the power is
    /// beyond what the bank can deliver at any current): the DC bus collapses.
    pub delivered: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bank {
    params: BlockParams,
    strings: Vec<Vec<Block>>,
    /// Per-string sources of the step being taken; kept to avoid allocating every step.
    scratch: Vec<Thevenin>,
}

impl Bank {
    /// A full bank at `temperature_c`, each block drawn with its own small spread from `rng`.
    pub fn new(
        params: BlockParams,
        strings: usize,
        blocks_per_string: usize,
        temperature_c: f64,
        rng: &mut impl Rng,
    ) -> Self {
        let strings = (0..strings)
            .map(|_| {
                (0..blocks_per_string)
                    .map(|_| {
                        let spread = Spread {
                            capacity_factor: 1.0 + rng.random_range(-CAPACITY_SPREAD..=CAPACITY_SPREAD),
                            resistance_factor: 1.0 + rng.random_range(-RESISTANCE_SPREAD..=RESISTANCE_SPREAD),
                        };
                        Block::new_full(&params, spread, temperature_c)
                    })
                    .collect()
            })
            .collect();
        Self { params, strings, scratch: Vec::new() }
    }

    pub fn params(&self) -> &BlockParams {
        &self.params
    }

    pub fn strings(&self) -> &[Vec<Block>] {
        &self.strings
    }

    /// One block, for fault injection (a weak, hot or open block).
    pub fn block_mut(&mut self, string: usize, index: usize) -> Option<&mut Block> {
        self.strings.get_mut(string)?.get_mut(index)
    }

    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.strings.iter().flatten()
    }

    pub fn set_temperature_c(&mut self, temperature_c: f64) {
        self.strings.iter_mut().flatten().for_each(|b| b.set_temperature_c(temperature_c));
    }

    /// Cells in series from bus to bus.
    pub fn cells_in_series(&self) -> u32 {
        self.strings.first().map_or(0, |s| s.len() as u32) * self.params.cells
    }

    /// Rated C10 capacity of the bank, Ah.
    pub fn nominal_capacity_ah(&self) -> f64 {
        self.params.nominal_capacity_ah * self.strings.len() as f64
    }

    /// Mean block temperature, °C (what a bank temperature probe reads).
    pub fn temperature_c(&self) -> f64 {
        let count = self.blocks().count().max(1) as f64;
        self.blocks().map(Block::temperature_c).sum::<f64>() / count
    }

    /// State of charge of the bank (0–1): the emptiest block of each string sets that
    /// string's, strings add by capacity.
    pub fn state_of_charge(&self) -> f64 {
        let total: f64 = self
            .strings
            .iter()
            .map(|s| s.iter().map(|b| b.state_of_charge(&self.params)).fold(1.0, f64::min))
            .sum();
        total / self.strings.len().max(1) as f64
    }

    fn string_thevenin(&self, string: &[Block], dt_s: f64, discharging: bool) -> Thevenin {
        string
            .iter()
            .map(|b| b.thevenin(&self.params, dt_s, discharging))
            .fold(Thevenin { emf_v: 0.0, resistance_ohm: 0.0 }, Thevenin::series)
    }

    /// The bank seen from its terminals over a step of `dt_s`.
    pub fn thevenin(&self, dt_s: f64, discharging: bool) -> Thevenin {
        Thevenin::parallel_of(self.strings.iter().map(|s| self.string_thevenin(s, dt_s, discharging)))
    }

    /// Open-circuit-ish terminal voltage now, with the present polarization and no current.
    pub fn voltage_v(&self) -> f64 {
        self.terminal_voltage_v(0.0)
    }

    fn terminal_voltage_v(&self, current_a: f64) -> f64 {
        let per_string = current_a / self.strings.len().max(1) as f64;
        let total_v: f64 = self
            .strings
            .iter()
            .map(|s| s.iter().map(|b| b.terminal_voltage_v(&self.params, per_string)).sum::<f64>())
            .sum();
        total_v / self.strings.len().max(1) as f64
    }

    /// Delivers `power_w` (negative charges) for `dt_s`.
    pub fn step_power(&mut self, power_w: f64, dt_s: f64) -> BankStep {
        let thevenin = self.thevenin(dt_s, power_w >= 0.0);
        let current_a = if power_w >= 0.0 {
            thevenin.current_for_power_a(power_w)
        } else {
            // Charging: V·I = P with V = E − R·I and I < 0, the root on the charging side.
            let discriminant = thevenin.emf_v * thevenin.emf_v - 4.0 * thevenin.resistance_ohm * power_w;
            Some((thevenin.emf_v - discriminant.sqrt()) / (2.0 * thevenin.resistance_ohm))
        };
        match current_a {
            Some(current_a) => self.step_current(current_a, dt_s),
            None => {
                self.rest(dt_s);
                BankStep { current_a: 0.0, voltage_v: 0.0, delivered: false }
            }
        }
    }

    /// Carries `current_a` (positive = discharge) for `dt_s`, split between the strings by
    /// their EMFs and resistances.
    pub fn step_current(&mut self, current_a: f64, dt_s: f64) -> BankStep {
        let discharging = current_a >= 0.0;
        let mut sources = std::mem::take(&mut self.scratch);
        sources.clear();
        sources.extend(self.strings.iter().map(|s| self.string_thevenin(s, dt_s, discharging)));
        let bus_v = Thevenin::parallel(&sources).voltage_v(current_a);
        let mut delivered = true;
        let mut carried_total_a = 0.0;
        for (string, source) in self.strings.iter_mut().zip(&sources) {
            let string_a = source.current_at_voltage_a(bus_v);
            let carried_a = step_string(&self.params, string, string_a, dt_s);
            delivered &= (carried_a - string_a).abs() <= 1e-9 * string_a.abs().max(1.0);
            carried_total_a += carried_a;
        }
        self.scratch = sources;
        let voltage_v = if delivered { self.terminal_voltage_v(current_a) } else { 0.0 };
        BankStep { current_a: carried_total_a, voltage_v, delivered }
    }

    /// Holds the bus at `voltage_v` with the current limited to `limit_a` (a charger):
    /// constant current while the bank would take more, constant voltage after.
    pub fn step_voltage(&mut self, voltage_v: f64, limit_a: f64, dt_s: f64) -> BankStep {
        let thevenin = self.thevenin(dt_s, false);
        let current_a = thevenin.current_at_voltage_a(voltage_v).clamp(-limit_a, 0.0);
        self.step_current(current_a, dt_s)
    }

    /// No current: self-discharge and the wells levelling out.
    pub fn rest(&mut self, dt_s: f64) {
        for block in self.strings.iter_mut().flatten() {
            block.step(&self.params, 0.0, dt_s);
        }
    }
}

/// Steps the blocks of one series string with one current, or with less if a block would
/// run dry within the step: a series string carries what its emptiest block can.
fn step_string(params: &BlockParams, string: &mut [Block], current_a: f64, dt_s: f64) -> f64 {
    let carried_a = if current_a > 0.0 {
        string.iter().map(|b| b.max_discharge_a(params, dt_s)).fold(current_a, f64::min)
    } else {
        current_a
    };
    for block in string.iter_mut() {
        block.step(params, carried_a, dt_s);
    }
    carried_a
}
