//! A battery bank: identical strings in parallel, each string blocks in series.
//!
//! Strings share one bus voltage; each carries the current its own EMF and resistance give
//! it, so a string with a weak block takes less of the load, as in a real cabinet.

use super::block::{Block, BlockSource, Spread};
use super::bus::{self, Demand, StringSource};
use super::thevenin::{Parallel, Thevenin};
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
    /// Strings cut off by an open block or fuse (fault `open_block`).
    open: Vec<bool>,
    /// Each block's source for the step being taken, strings one after the other; kept to
    /// avoid allocating every step.
    block_sources: Vec<BlockSource>,
    /// Each string's source for the step being taken.
    string_sources: Vec<StringSource>,
    /// See `negative_half_share`.
    negative_half_share: f64,
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
        let strings: Vec<Vec<Block>> = (0..strings)
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
        let open = vec![false; strings.len()];
        Self {
            params,
            strings,
            open,
            block_sources: Vec::new(),
            string_sources: Vec::new(),
            negative_half_share: 0.5,
        }
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

    /// Opens or closes a string (an open block or a blown string fuse).
    pub fn set_string_open(&mut self, string: usize, open: bool) {
        if let Some(flag) = self.open.get_mut(string) {
            *flag = open;
        }
    }

    pub fn string_open(&self, string: usize) -> bool {
        self.open.get(string).copied().unwrap_or(false)
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

    /// The share of the bank's voltage across the blocks between its midpoint and its
    /// negative pole (the second half of each string), from the blocks' sources at the last
    /// step: ½ for matched blocks, less when a weak block sits in that half.
    pub fn negative_half_share(&self) -> f64 {
        self.negative_half_share
    }

    /// Mean block temperature, °C (what a bank temperature probe reads).
    pub fn temperature_c(&self) -> f64 {
        let count = self.blocks().count().max(1) as f64;
        self.blocks().map(Block::temperature_c).sum::<f64>() / count
    }

    /// State of charge of the bank (0–1): the emptiest block of each string sets that
    /// string's, and strings count by their capacity (a weak string holds less).
    pub fn state_of_charge(&self) -> f64 {
        let (charge, capacity) = self.strings.iter().fold((0.0, 0.0), |(charge, capacity), string| {
            let soc = string.iter().map(|b| b.state_of_charge(&self.params)).fold(1.0, f64::min);
            let string_ah = string.iter().map(|b| b.capacity_ah(&self.params)).fold(f64::INFINITY, f64::min);
            (charge + soc * string_ah, capacity + string_ah)
        });
        if capacity > 0.0 { charge / capacity } else { 0.0 }
    }

    fn string_thevenin(&self, string: &[Block], dt_s: f64) -> Thevenin {
        string.iter().map(|b| b.source(&self.params, dt_s).thevenin).fold(Thevenin::ZERO, Thevenin::series)
    }

    /// Each closed string over a step of `dt_s`, as the bus sees it.
    fn string_sources(&self, dt_s: f64) -> impl Iterator<Item = Thevenin> + '_ {
        self.strings
            .iter()
            .zip(&self.open)
            .filter(|(_, open)| !**open)
            .map(move |(s, _)| self.string_thevenin(s, dt_s))
    }

    /// The bank seen from its terminals an instant after its last step and long after it
    /// (filter weights 0 and 1), each block's source computed once for both.
    pub fn thevenin_ends(&self) -> (Thevenin, Thevenin) {
        let strings = self.strings.iter().zip(&self.open).filter(|(_, open)| !**open).map(|(string, _)| {
            string.iter().map(|b| b.source(&self.params, 0.0)).fold(
                (Thevenin::ZERO, Thevenin::ZERO),
                |(fresh, settled), source| {
                    (fresh.series(source.thevenin_at(0.0)), settled.series(source.thevenin_at(1.0)))
                },
            )
        });
        let (fresh, settled) = strings
            .fold((Parallel::default(), Parallel::default()), |(fresh, settled), (f, s)| {
                (fresh.with(f), settled.with(s))
            });
        (fresh.finish(), settled.finish())
    }

    /// The bank seen from its terminals over a step of `dt_s`, each direction on its own
    /// (open strings left out; a bank with every string open has infinite resistance).
    pub fn thevenin(&self, dt_s: f64) -> Thevenin {
        Thevenin::parallel(self.string_sources(dt_s))
    }

    /// The most the bank can give over the next `dt_s` before a block runs dry, A.
    pub fn max_discharge_a(&self, dt_s: f64) -> f64 {
        self.strings
            .iter()
            .zip(&self.open)
            .filter(|(_, open)| !**open)
            .map(|(string, _)| self.string_max_discharge_a(string, dt_s))
            .sum()
    }

    fn string_max_discharge_a(&self, string: &[Block], dt_s: f64) -> f64 {
        string.iter().map(|b| b.max_discharge_a(&self.params, dt_s)).fold(f64::INFINITY, f64::min)
    }

    /// Terminal voltage with no current flowing and the present polarization, V.
    pub fn voltage_v(&self) -> f64 {
        let total_v: f64 = self
            .strings
            .iter()
            .map(|s| s.iter().map(|b| b.terminal_voltage_v(&self.params, 0.0)).sum::<f64>())
            .sum();
        total_v / self.strings.len().max(1) as f64
    }

    /// Delivers `power_w` (negative charges) for `dt_s`.
    pub fn step_power(&mut self, power_w: f64, dt_s: f64) -> BankStep {
        self.step(Demand::Power(power_w), dt_s)
    }

    /// Carries `current_a` (positive = discharge) for `dt_s`, split between the strings by
    /// their EMFs and resistances.
    pub fn step_current(&mut self, current_a: f64, dt_s: f64) -> BankStep {
        self.step(Demand::Current(current_a), dt_s)
    }

    fn step(&mut self, demand: Demand, dt_s: f64) -> BankStep {
        let mut block_sources = std::mem::take(&mut self.block_sources);
        let mut string_sources = std::mem::take(&mut self.string_sources);
        block_sources.clear();
        string_sources.clear();
        let (mut negative_half_v, mut closed_v) = (0.0, 0.0);
        for (string, &open) in self.strings.iter().zip(&self.open) {
            let first = block_sources.len();
            block_sources.extend(string.iter().map(|b| b.source(&self.params, dt_s)));
            let thevenin =
                block_sources[first..].iter().map(|s| s.thevenin).fold(Thevenin::ZERO, Thevenin::series);
            if !open {
                let half = first + string.len() / 2;
                negative_half_v += block_sources[half..].iter().map(|s| s.thevenin.emf_v).sum::<f64>();
                closed_v += thevenin.emf_v;
            }
            // What a string can give only matters when the bank is asked to give.
            let discharging = match demand {
                Demand::Power(w) => w > 0.0,
                Demand::Current(a) => a > 0.0,
            };
            string_sources.push(StringSource {
                thevenin,
                max_discharge_a: if discharging {
                    self.string_max_discharge_a(string, dt_s)
                } else {
                    f64::INFINITY
                },
                open,
                current_a: 0.0,
            });
        }
        let step = match bus::solve(&mut string_sources, demand) {
            Some(bus_v) => {
                let mut total_a = 0.0;
                let mut sources = block_sources.iter();
                for (string, share) in self.strings.iter_mut().zip(&string_sources) {
                    for (block, source) in string.iter_mut().zip(sources.by_ref()) {
                        block.step(&self.params, source, share.current_a, dt_s);
                    }
                    total_a += share.current_a;
                }
                BankStep { current_a: total_a, voltage_v: bus_v, delivered: true }
            }
            None => {
                let mut sources = block_sources.iter();
                for block in self.strings.iter_mut().flatten() {
                    if let Some(source) = sources.next() {
                        block.step(&self.params, source, 0.0, dt_s);
                    }
                }
                BankStep { current_a: 0.0, voltage_v: 0.0, delivered: false }
            }
        };
        self.block_sources = block_sources;
        self.string_sources = string_sources;
        if closed_v > 0.0 {
            self.negative_half_share = negative_half_v / closed_v;
        }
        step
    }

    /// Holds the bus at `voltage_v` with the current limited to `limit_a` (a charger):
    /// constant current while the bank would take more, constant voltage after. A charger
    /// cannot draw from the bank: above its voltage, the bank rests.
    pub fn step_voltage(&mut self, voltage_v: f64, limit_a: f64, dt_s: f64) -> BankStep {
        let current_a = self.thevenin(dt_s).current_at_voltage_a(voltage_v).clamp(-limit_a, 0.0);
        self.step_current(current_a, dt_s)
    }

    /// No current: self-discharge and the wells levelling out.
    pub fn rest(&mut self, dt_s: f64) {
        for block in self.strings.iter_mut().flatten() {
            block.rest(&self.params, dt_s);
        }
    }
}
