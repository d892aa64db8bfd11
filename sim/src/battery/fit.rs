//! Fitting a block to data-sheet points.
//!
//! The block starts from its chemistry priors; the data then move the charge `Q` and the
//! polarization resistance `K` (and, when the table has enough points to pin them, the KiBaM
//! split `c` and rate `k`). The cost is the squared log of predicted over published time, so
//! a 10-minute point weighs as much as a 20-hour one, plus a prior term that keeps a fit from
//! few points out of the valley of equally good but unphysical solutions.

use super::discharge::{Load, minutes_to_end_voltage};
use super::priors;
use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use ups_models::battery::BlockParams;
use ups_models::datasheet::TablePoint;

/// Whether table values are watts per cell or amperes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    PowerPerCell,
    Current,
}

impl TableKind {
    pub fn load(self, value: f64) -> Load {
        match self {
            Self::PowerPerCell => Load::PowerPerCellW(value),
            Self::Current => Load::CurrentA(value),
        }
    }
}

/// What the fit starts from besides the table.
#[derive(Debug, Clone, PartialEq)]
pub struct FitInput {
    pub kind: TableKind,
    pub cells: u32,
    /// Rated C10 capacity; estimated from the longest point when absent.
    pub capacity_ah: Option<f64>,
    /// Ohmic block resistance; the VRLA resistance × capacity product when absent.
    pub block_resistance_ohm: Option<f64>,
    /// Where the table comes from, recorded in the block's `source`.
    pub source: String,
    /// Temperature the table was measured at, °C (25 for most data sheets).
    pub temperature_c: f64,
    /// The chemistry's shape the fit starts from (`priors::VRLA`).
    pub shape: priors::Shape,
}

/// One table point and what the fitted block predicts for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Residual {
    pub point: TablePoint,
    pub kind: TableKind,
    /// `None` when the block cannot carry that load at all.
    pub predicted_minutes: Option<f64>,
}

impl Residual {
    /// Relative error of the predicted time, in percent (−100 when the load cannot be carried).
    pub fn error_pct(&self) -> f64 {
        self.predicted_minutes.map_or(-100.0, |m| (m / self.point.minutes - 1.0) * 100.0)
    }
}

/// Predicted minutes for a point at `temperature_c`, `None` if the block cannot carry the
/// load at all.
pub fn predict_minutes(
    params: &BlockParams,
    kind: TableKind,
    point: &TablePoint,
    temperature_c: f64,
) -> Option<f64> {
    minutes_to_end_voltage(
        params,
        kind.load(point.value),
        point.end_v_per_cell,
        temperature_c,
        point.minutes * 4.0,
    )
}

/// Every point of a table, measured at `temperature_c`, against a block.
pub fn residuals(
    params: &BlockParams,
    kind: TableKind,
    points: &[TablePoint],
    temperature_c: f64,
) -> Vec<Residual> {
    points
        .iter()
        .map(|point| Residual {
            point: *point,
            kind,
            predicted_minutes: predict_minutes(params, kind, point, temperature_c),
        })
        .collect()
}

/// Tables with at least this many points also fit the KiBaM kinetics.
const POINTS_FOR_KINETICS: usize = 6;
/// Scatter expected between a data-sheet point and the model, in log of time (≈ 4 %).
const DATA_SIGMA_LOG: f64 = 0.04;
/// Average cell voltage assumed to turn W/cell into A when estimating the capacity.
const MEAN_DISCHARGE_V_PER_CELL: f64 = 1.95;

/// Fits a block to the points of a data-sheet table.
pub fn fit(points: &[TablePoint], input: &FitInput) -> Result<BlockParams, String> {
    if points.is_empty() {
        return Err("the table holds no points to fit".into());
    }
    let capacity_ah = input.capacity_ah.unwrap_or_else(|| estimate_capacity_ah(points, input.kind));
    if !(capacity_ah.is_finite() && capacity_ah > 0.0) {
        return Err(format!("cannot fit a block of {capacity_ah} Ah"));
    }
    let resistance_ohm =
        input.block_resistance_ohm.unwrap_or_else(|| priors::vrla_block_resistance_ohm(capacity_ah));
    let mut base = input.shape.block(input.cells, capacity_ah, resistance_ohm);
    base.source = input.source.clone();
    let mut free = vec![
        Prior { free: Free::Q, value: base.cell.q_ah, sigma_log: 0.15 },
        Prior { free: Free::PolarizationK, value: base.cell.k_ohm, sigma_log: 0.4 },
        Prior {
            free: Free::PolarizationOnset,
            value: base.cell.polarization_log_onset_per_h,
            sigma_log: 0.7,
        },
    ];
    if points.len() >= POINTS_FOR_KINETICS {
        free.push(Prior { free: Free::KibamC, value: base.cell.kibam_c, sigma_log: 0.3 });
        free.push(Prior { free: Free::KibamK, value: base.cell.kibam_k_per_h, sigma_log: 0.5 });
    }
    let objective = Objective {
        base: &base,
        priors: &free,
        points,
        kind: input.kind,
        temperature_c: input.temperature_c,
    };
    let start: Vec<f64> = free.iter().map(|p| p.free.coordinate(p.value)).collect();
    let mut simplex = vec![start.clone()];
    for i in 0..start.len() {
        let mut vertex = start.clone();
        vertex[i] += 0.2;
        simplex.push(vertex);
    }
    let solver = NelderMead::new(simplex).with_sd_tolerance(1e-6).map_err(|e| e.to_string())?;
    let result = Executor::new(objective, solver)
        .configure(|state| state.max_iters(400))
        .run()
        .map_err(|e| e.to_string())?;
    let best = result.state().get_best_param().ok_or("the fit found no parameters")?.clone();
    Ok(Objective { base: &base, priors: &free, points, kind: input.kind, temperature_c: input.temperature_c }
        .params(&best))
}

/// Exponent of charge delivered vs discharge time for VRLA (`Ah ∝ t^0.16` between 1 h and
/// 20 h on the reference data sheet), used to bring a table's longest point to 10 h.
const VRLA_CAPACITY_TIME_EXPONENT: f64 = 0.16;

/// C10 estimate from the longest-duration point, scaled to a 10-hour discharge.
fn estimate_capacity_ah(points: &[TablePoint], kind: TableKind) -> f64 {
    let longest = points.iter().max_by(|a, b| a.minutes.total_cmp(&b.minutes)).expect("non-empty");
    let current_a = match kind {
        TableKind::PowerPerCell => longest.value / MEAN_DISCHARGE_V_PER_CELL,
        TableKind::Current => longest.value,
    };
    current_a * longest.minutes / 60.0 * (600.0 / longest.minutes).powf(VRLA_CAPACITY_TIME_EXPONENT)
}

/// A parameter the fitter moves, in a coordinate where any real number is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Free {
    Q,
    PolarizationK,
    PolarizationOnset,
    KibamC,
    KibamK,
}

impl Free {
    /// Log for positive values, log-odds for the fraction `c`.
    fn coordinate(self, value: f64) -> f64 {
        match self {
            Free::KibamC => (value / (1.0 - value)).ln(),
            _ => value.ln(),
        }
    }

    fn set(self, params: &mut BlockParams, coordinate: f64) {
        let value = coordinate.exp();
        match self {
            Free::Q => params.cell.q_ah = value,
            Free::PolarizationK => params.cell.k_ohm = value,
            Free::PolarizationOnset => params.cell.polarization_log_onset_per_h = value.clamp(0.01, 100.0),
            Free::KibamC => params.cell.kibam_c = value / (1.0 + value),
            Free::KibamK => params.cell.kibam_k_per_h = value,
        }
    }
}

/// A free parameter, its prior value and how far (in its coordinate) data may pull it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Prior {
    free: Free,
    value: f64,
    sigma_log: f64,
}

struct Objective<'a> {
    base: &'a BlockParams,
    priors: &'a [Prior],
    points: &'a [TablePoint],
    kind: TableKind,
    temperature_c: f64,
}

impl Objective<'_> {
    fn params(&self, x: &[f64]) -> BlockParams {
        let mut params = self.base.clone();
        for (prior, &coordinate) in self.priors.iter().zip(x) {
            prior.free.set(&mut params, coordinate);
        }
        params
    }
}

impl CostFunction for Objective<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, x: &Self::Param) -> Result<f64, argmin::core::Error> {
        let params = self.params(x);
        let data: f64 = self
            .points
            .iter()
            .map(|point| match predict_minutes(&params, self.kind, point, self.temperature_c) {
                Some(minutes) => ((minutes / point.minutes).ln() / DATA_SIGMA_LOG).powi(2),
                None => (5.0 / DATA_SIGMA_LOG).powi(2),
            })
            .sum();
        let prior: f64 = self
            .priors
            .iter()
            .zip(x)
            .map(|(prior, coordinate)| {
                ((coordinate - prior.free.coordinate(prior.value)) / prior.sigma_log).powi(2)
            })
            .sum();
        Ok(data + prior)
    }
}
