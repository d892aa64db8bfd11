//! Battery physics: VRLA blocks with a Shepherd/Tremblay voltage curve on a two-well kinetic
//! capacity, strings of blocks in series, banks of strings in parallel, a CC/CV charger, and
//! the data-sheet fitter.

pub mod bank;
pub mod block;
pub mod bus;
pub mod charger;
pub mod discharge;
pub mod fit;
pub mod invariants;
pub mod kibam;
pub mod ledger;
pub mod priors;
pub mod thevenin;

pub use bank::{Bank, BankStep};
pub use block::{Block, BlockSource, Spread};
pub use charger::{ChargePhase, ChargeTarget, Charger};
pub use discharge::{Load, minutes_to_end_voltage};
pub use ledger::{EnergyLedger, Ledger};
pub use thevenin::Thevenin;
