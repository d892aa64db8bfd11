//! Modules of a modular UPS and units of a parallel system: they share the load, and losing
//! some costs redundancy, then capacity.

use super::conditions::MAX_UNITS;
use ups_models::model::Topology;

#[derive(Debug, Clone, PartialEq)]
pub struct Units {
    /// Modules or units fitted (1 for a single UPS).
    pub count: usize,
    /// Modules or units that may fail with the load still carried (N+x).
    pub redundancy: usize,
    pub parallel: bool,
    pub failed: [bool; MAX_UNITS],
    /// Rating of one module or unit, W.
    pub unit_w: f64,
}

impl Units {
    pub fn new(topology: &Topology, rated_w: f64) -> Self {
        let (count, redundancy, parallel) = match *topology {
            Topology::Single => (1, 0, false),
            Topology::Modular { modules, redundancy, .. } => (modules.into(), redundancy.into(), false),
            Topology::Parallel { units, redundancy, .. } => (units.into(), redundancy.into(), true),
        };
        Self { count, redundancy, parallel, failed: [false; MAX_UNITS], unit_w: rated_w / count as f64 }
    }

    pub fn working(&self) -> usize {
        (0..self.count).filter(|&i| !self.failed[i]).count()
    }

    /// Inverter power the working modules can carry, W.
    pub fn capacity_w(&self) -> f64 {
        self.working() as f64 * self.unit_w
    }

    /// Modules needed to carry `load_w` without overload.
    pub fn required(&self, load_w: f64) -> usize {
        (load_w / self.unit_w).ceil().max(1.0) as usize
    }

    /// Fewer working modules than the load needs.
    pub fn insufficient(&self, load_w: f64) -> bool {
        self.count > 1 && self.working() < self.required(load_w)
    }

    /// Fewer spare modules than the N+x redundancy promises.
    pub fn redundancy_lost(&self, load_w: f64) -> bool {
        self.count > 1 && self.redundancy > 0 && self.working() < self.required(load_w) + self.redundancy
    }
}
