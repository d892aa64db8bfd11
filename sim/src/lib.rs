//! The UPS twin: a pure, deterministic physics and firmware core stepped with an explicit
//! `dt` and a seeded RNG. No threads, sockets or wall clock live here.

pub mod battery;
pub mod image;
pub mod modbus;
pub mod run;
pub mod twin;
pub mod ups;
pub mod wire;

pub use ups::{StartOptions, Ups};

/// The twin's random generator: Xoshiro256++, a fixed, documented algorithm, so a seed
/// gives the same trace on every platform and rand version.
pub type SimRng = rand::rngs::Xoshiro256PlusPlus;
